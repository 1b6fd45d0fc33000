"""Turn a RippleMap into DOT and render it with the Graphviz binaries: the maps package's
one door to Graphviz. Callers outside the package use this module only; its parts are

- :mod:`rem.maps.dotwriter`: user text made safe for DOT, item and link statements;
- :mod:`rem.maps.legend`: the legend's samples and where it goes;
- :mod:`rem.maps.layouts`: the timeline, the radial map, the projector's "wall" (the
  timeline in columns of the screen's shape) and the summarised map as DOT;
- :mod:`rem.maps.graphviz_process`: the ONLY module that runs a Graphviz binary
  (dot, twopi, neato), with a time limit and nothing but ``-T<format>``;
- :mod:`rem.maps.svg`: Graphviz's SVG made fit for pages and downloads (and the print
  SVG for PDFs: :func:`rem.maps.drawing.print_svg`); :func:`slim_svg` makes the map
  page's drawing smaller (fonts inherited from the ``<svg>``, no ``a_`` link groups).

Only the DOT-writing parts import the ``graphviz`` package (to quote and build DOT text).

Safety: every piece of user text goes through :func:`dot_text`, :func:`dot_lines`,
:func:`tooltip_text` or :func:`html_lines`. They strip control characters, escape ``&``
(Graphviz decodes entities), double backslashes (so ``\\N``, ``\\G`` and ``\\l`` stay
literal; tooltips need four, see :func:`tooltip_text`) and mark the string as "not HTML"
(so ``<b>...</b>`` is not an HTML-like label); HTML-like labels (a node with theme
bands) escape every character that HTML gives a meaning. The ``graphviz`` package then
quotes the string. Line breaks are only ever the ``\\n`` escapes this module inserts
itself. URLs must be relative or http(s) and are percent-encoded.

Every DOT text declares its layout engine (``layout=dot``, ``layout=twopi`` or, for the
radial map, ``layout=nop2`` with every position and link route written out) and Graphviz
is run with nothing but ``-T<format>``: the downloaded DOT draws the app's picture.

The SVG contract (the map page's scripts rely on it; keep it compatible):
- an item is ``<g id="item-<id>" class="node ripple activity|effect ...">`` with the
  Graphviz ``<title>item<id></title>`` (removed from inline and downloaded SVGs by
  :func:`titled_svg`); further classes: ``valence-*``, ``intended``/``unintended``/
  ``intended-unknown``, ``order-<n>``, ``highlight``, ``dimmed``, ``themed``;
- a link is ``<g class="edge ...">`` with ``<title>item<cause>&#45;&gt;item<effect>``
  (Graphviz's own; removed like the node titles) and classes ``highlight``/``dimmed``;
- the timeline's columns are ``id="period-<n>"`` (class ``period``, ``period gap`` for a
  compressed stretch), theme clusters ``id="theme-<theme id>"`` (class ``theme``);
- the radial map's centre is ``id="centre"``, its rings ``id="ring-<n>"`` (class
  ``ring``) with labels ``id="ring-label-<n>"`` (class ``ring-label``);
- the legend is ``id="legend"`` (timeline) or nodes of class ``legend``;
- the map page's SVG is slimmed (:func:`slim_svg`): a node's or link's ``<a>`` (href and
  tooltip) sits right inside its ``<g>`` (Graphviz wraps it in a ``<g id="a_...">``), and
  the common font and ``text-anchor="middle"`` are on the ``<svg>``, not on each text.
"""

from __future__ import annotations

# The public names, where they live now (callers and tests use them through this module).
from rem.maps.dotwriter import (  # noqa: F401
    FONT_SIZE,
    _item_statement,
    _node_attrs,
    dot_lines,
    dot_text,
    dot_url,
    edge_line,
    html_lines,
    item_line,
    label_lines,
    node_line,
    node_name,
    tooltip_text,
)
from rem.maps.graphviz_process import (  # noqa: F401
    CONTENT_TYPES,
    ENGINES,
    PROGRAMS,
    RENDER_FORMATS,
    GraphvizMissing,
    MapRenderError,
    RenderError,
    RenderTimeout,
    print_source,
    render,
    sized_source,
)
from rem.maps.labels import (  # noqa: F401
    _FORBIDDEN_RE,
    _SPACE_RE,
    ELLIPSIS,
    GRAPH_TITLE_LIMIT,
    SHORT_LIMIT,
    TITLE_LIMIT,
    TOOLTIP_LIMIT,
    WRAP_WIDTH,
    _is_forbidden,
    clean_text,
    shorten,
    wrap_title,
)
from rem.maps.layouts import (  # noqa: F401
    CHAIN_MAX_ITEMS,
    LAYOUTS,
    TREE_TIMEOUT,
    WALL_ASPECT,
    WALL_MAX_ITEMS,
    _unknown_ring,
    engine_for,
    item_lines,
    parse_plain,
    radial_dot,
    radial_tree_dot,
    ring_of,
    summary_to_dot,
    to_dot,
)
from rem.maps.styles import HIGHLIGHT_COLOUR  # noqa: F401
from rem.maps.svg import (  # noqa: F401
    presentation_attributes,
    scaled_down,
    sized_glyph_uses,
    slim_svg,
    titled_svg,
    titled_svg_bytes,
    with_width,
)
