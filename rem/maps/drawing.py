"""Draw a built map: its DOT (with the radial map's twopi pass through the render cache)
and its SVG, ready for a page or a download.

The renderer writes DOT and runs Graphviz; the cache remembers renders by content; this
module puts the two together so pages, downloads, reviews, exchanges and sessions draw
the same way.
"""

from __future__ import annotations

from rem.maps import renderer
from rem.maps.builder import summary
from rem.maps.cache import render_cached
from rem.maps.model import RippleMap


def dot_source(ripple_map: RippleMap, layout: str, timeout: float) -> str:
    """Return the DOT text that draws ``ripple_map`` as ``layout``.

    The radial map is laid out in two steps: twopi gives each node of the map's tree a
    direction and Graphviz measures every node (cached by the tree's DOT), then the
    renderer puts each node on the ring of its order and routes the links.
    """
    if layout == "radial":
        plain = render_cached(renderer.radial_tree_dot(ripple_map), "twopi", "plain", timeout)
        return renderer.to_dot(ripple_map, layout, plain)
    return renderer.to_dot(ripple_map, layout)


def render(ripple_map: RippleMap, layout: str, fmt: str, timeout: float) -> bytes:
    """Return ``ripple_map`` drawn as ``layout`` in ``fmt`` (cached by content)."""
    source = dot_source(ripple_map, layout, timeout)
    return render_cached(source, renderer.engine_for(layout), fmt, timeout)


def svg(ripple_map: RippleMap, layout: str, timeout: float, *, inline: bool = True,
        description: str | None = None) -> str:
    """Return the map as SVG with one readable title and description (``inline``: without
    the XML prolog, for a page)."""
    raw = render(ripple_map, layout, "svg", timeout)
    return renderer.titled_svg(raw, ripple_map.title,
                               description if description is not None else summary(ripple_map),
                               inline=inline)
