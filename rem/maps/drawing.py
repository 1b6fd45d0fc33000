"""Draw a built map: its DOT (with the radial map's twopi pass through the render cache)
and its SVG, ready for a page or a download.

The renderer writes DOT and runs Graphviz; the cache remembers renders by content; this
module puts the two together so pages, downloads, reviews, exchanges and sessions draw
the same way.

Paper may get its own SVG (:func:`print_svg`): WeasyPrint draws an SVG ``<text>``
itself, letter by letter, without shaping it, so Arabic came out reversed and unjoined
and 👍🏽 as a thumb and a brown square. Graphviz's ``svg:cairo`` output has Pango shape
every text and writes it as glyph outlines (a colour emoji as a small PNG). It has no
links, ids or classes for the page's scripts: it is for the PDFs only, the screen keeps
the SVG of the contract in :mod:`rem.maps.renderer`. A map whose text prints the same
letter by letter (Dutch, say) prints its screen SVG, which WeasyPrint draws faster.
"""

from __future__ import annotations

import logging

from rem.maps import legend, renderer
from rem.maps.builder import summary
from rem.maps.cache import render_cached, slim_cached
from rem.maps.labels import needs_shaping
from rem.maps.model import RippleMap

log = logging.getLogger(__name__)

# The Graphviz output the PDFs print (rem.maps.graphviz_process.RENDER_FORMATS), drawn
# four times larger and scaled back: a colour emoji in it is a bitmap, which then has
# about 4 × 72 = 288 pixels per inch at the map's own size.
PRINT_FORMAT = "svg:cairo"
PRINT_SCALE = 4
# WeasyPrint draws some 1,200 glyphs a second: past this many a map prints unshaped.
PRINT_MAX_GLYPHS = 10_000


def dot_source(ripple_map: RippleMap, layout: str, timeout: float) -> str:
    """Return the DOT text that draws ``ripple_map`` as ``layout``.

    The radial map is laid out in two steps: twopi gives each node of the map's tree a
    direction and Graphviz measures every node (cached by the tree's DOT), then the
    renderer puts each node on the ring of its order and routes the links.
    """
    if layout == "radial":
        lines = renderer.item_lines(ripple_map)  # the tree's and the map's, made once
        plain = render_cached(renderer.radial_tree_dot(ripple_map, lines), "twopi", "plain",
                              timeout)
        return renderer.to_dot(ripple_map, layout, plain, lines)
    return renderer.to_dot(ripple_map, layout)


def render(ripple_map: RippleMap, layout: str, fmt: str, timeout: float) -> bytes:
    """Return ``ripple_map`` drawn as ``layout`` in ``fmt`` (cached by content)."""
    source = dot_source(ripple_map, layout, timeout)
    return render_cached(source, renderer.engine_for(layout), fmt, timeout)


def svg(ripple_map: RippleMap, layout: str, timeout: float, *, inline: bool = True,
        description: str | None = None, slim: bool = False) -> str:
    """Return the map as SVG with one readable title and description (``inline``: without
    the XML prolog, for a page; ``slim``: smaller, drawing the same, see
    :func:`rem.maps.svg.slim_svg`; the map page's)."""
    if slim:
        source = dot_source(ripple_map, layout, timeout)
        raw = slim_cached(source, renderer.engine_for(layout), timeout)
    else:
        raw = render(ripple_map, layout, "svg", timeout)
    return renderer.titled_svg(raw, ripple_map.title,
                               description if description is not None else summary(ripple_map),
                               inline=inline)


def print_svg(source: str, engine: str, title: str, description: str,
              timeout: float) -> str | None:
    """Return the DOT ``source`` drawn for a PDF (see the module's text), without the XML
    prolog, with one readable title and description and its paint as attributes
    (:func:`rem.maps.svg.presentation_attributes`).

    None when the caller should print the screen SVG: when no text in the map needs
    shaping (:func:`rem.maps.labels.needs_shaping`: it then prints the same, and
    WeasyPrint draws a cairo SVG about five times slower, reading every glyph's outline
    anew); when the drawing has more than PRINT_MAX_GLYPHS glyphs (a PDF must be made
    well within gunicorn's timeout: the text then prints unshaped); or when Graphviz
    could not draw it so.
    """
    if not needs_shaping(source):
        return None
    try:
        raw = render_cached(renderer.print_source(source, PRINT_SCALE), engine, PRINT_FORMAT,
                            timeout)
    except renderer.GraphvizMissing:
        return None
    except renderer.MapRenderError:
        log.warning("drawing a map for print failed; the PDF gets the screen SVG",
                    exc_info=True)
        return None
    text = raw.decode("utf-8")
    glyphs = text.count('<use xlink:href="#glyph')
    if glyphs > PRINT_MAX_GLYPHS:
        log.info("a map of %d glyphs prints its screen SVG (unshaped text)", glyphs)
        return None
    text = renderer.sized_glyph_uses(renderer.scaled_down(text, PRINT_SCALE))
    return renderer.presentation_attributes(
        renderer.titled_svg(text.encode("utf-8"), title, description, inline=True))


def paper_layout(layout: str, count: int) -> str:
    """Return the layout a map of ``count`` items drawn as ``layout`` prints in: on paper
    a timeline of months is a strip a few millimetres high with labels of about 2 pt, so
    a timeline of up to WALL_MAX_ITEMS items prints in the wall's date-ordered columns,
    which fill the page's width and height (rem.maps.renderer); other layouts print as
    they are drawn."""
    return "wall" if layout == "timeline" and count <= renderer.WALL_MAX_ITEMS else layout


def key_of(ripple_map: RippleMap) -> list[list[str]]:
    """Return the legend of the signs ``ripple_map`` draws as text, for a page that shows
    the map without its legend box (rem.maps.legend.paper_key)."""
    return legend.paper_key(ripple_map)


def paper_key(ripple_map: RippleMap, layout: str) -> list[list[str]]:
    """Return the text legend to print under the map when its :func:`paper_layout` has
    no legend box (rem.maps.legend.paper_key), else an empty list."""
    if paper_layout(layout, len(ripple_map.nodes)) == layout:
        return []
    return legend.paper_key(ripple_map)


def svgs(ripple_map: RippleMap, layout: str, timeout: float, *,
         description: str | None = None) -> tuple[str, str]:
    """Return the map as inline SVG for the screen and as the SVG a PDF prints: drawn in
    its :func:`paper_layout`, shaped when :func:`print_svg` says so."""
    screen, _paper, printed = paper_svgs(ripple_map, layout, timeout, description=description)
    return screen, printed


def paper_svgs(ripple_map: RippleMap, layout: str, timeout: float, *,
               description: str | None = None) -> tuple[str, str, str]:
    """Return the map as inline SVG for the screen, drawn in its :func:`paper_layout` as
    inline SVG (its text left to the browser: for a page that shows the map as paper
    does) and as the SVG a PDF prints (that drawing shaped when :func:`print_svg` says
    so)."""
    text = description if description is not None else summary(ripple_map)
    source = dot_source(ripple_map, layout, timeout)
    engine = renderer.engine_for(layout)
    screen = renderer.titled_svg(render_cached(source, engine, "svg", timeout),
                                 ripple_map.title, text, inline=True)
    paper = paper_layout(layout, len(ripple_map.nodes))
    unshaped = screen
    if paper != layout:
        source = dot_source(ripple_map, paper, timeout)
        engine = renderer.engine_for(paper)
        unshaped = renderer.titled_svg(render_cached(source, engine, "svg", timeout),
                                       ripple_map.title, text, inline=True)
    return (screen, unshaped,
            print_svg(source, engine, ripple_map.title, text, timeout) or unshaped)
