"""DOT writing for the ripple map: user text made safe for DOT, one statement per item and
link, the graph's shared defaults. Pure text; nothing here runs Graphviz (see
:mod:`rem.maps.renderer` for the safety rules)."""


from __future__ import annotations

import functools
import html
import re
import threading
from urllib.parse import quote as url_quote

import cachetools
import graphviz
from graphviz import quoting as gv_quoting

from rem.maps.labels import (
    ELLIPSIS,
    GRAPH_TITLE_LIMIT,
    SHORT_LIMIT,
    TOOLTIP_LIMIT,
    WRAP_WIDTH,
    clean_text,
    shorten,
    wrap_title,
)
from rem.maps.model import MapEdge, MapNode, RippleMap
from rem.maps.styles import (
    ACTIVITY_FILL,
    BOLD_FONT,
    DIMMED_FILL,
    DIMMED_LINE,
    DIMMED_TEXT,
    EDGE_COLOUR,
    FONT,
    HIGHLIGHT_COLOUR,
    INTENDED_CLASS,
    INTENDED_STYLE,
    VALENCE_STYLE,
)

FONT_SIZE = 11
BAND_HEIGHT = 6


def _escape(text: str) -> str:
    """Escape already clean text for a DOT escString (no quoting)."""
    return text.replace("&", "&amp;").replace("\\", "\\\\")


def dot_text(text: str | None) -> str:
    """Return ``text`` as a literal, single-line DOT string value."""
    return gv_quoting.NoHtml(_escape(clean_text(text)))


def dot_lines(lines: list[str]) -> str:
    """Return ``lines`` as one literal DOT string value with centred line breaks."""
    return gv_quoting.NoHtml("\\n".join(_escape(clean_text(line)) for line in lines))


def html_lines(lines: list[str], bands: tuple[str, ...]) -> str:
    """Return an HTML-like label: the lines, then one coloured band per theme.

    Every line is cleaned and HTML-escaped (quotes too); colours come from our palette
    and are checked to be ``#rrggbb``.
    """
    text = "<BR/>".join(html.escape(clean_text(line), quote=True) for line in lines)
    cells = "".join(f'<TD HEIGHT="{BAND_HEIGHT}" BGCOLOR="{colour}"></TD>'
                    for colour in bands if re.fullmatch(r"#[0-9a-fA-F]{6}", colour))
    span = max(1, len(bands))
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="0">'
            f'<TR><TD COLSPAN="{span}">{text}</TD></TR><TR>{cells}</TR></TABLE>>')


def dot_url(url: str | None) -> str | None:
    """Return a safe relative or http(s) URL for a node, or None."""
    if not url:
        return None
    url = clean_text(url)
    if not (url.startswith("/") or url.startswith(("http://", "https://"))):
        return None
    if url.startswith("//"):
        return None
    return gv_quoting.NoHtml(url_quote(url, safe="/:?=#%-._~!$()*+,;@"))


def label_lines(node: MapNode) -> list[str]:
    """Return the label of ``node`` line by line: prefix symbol, title, date, note (the
    title cut to ``node.max_lines`` lines of ``node.wrap`` characters, when set)."""
    width = node.wrap or WRAP_WIDTH
    lines = wrap_title(node.title, width=width)
    if node.max_lines and len(lines) > node.max_lines:
        lines = lines[: node.max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + ELLIPSIS
    prefix = "" if node.is_activity else VALENCE_STYLE.get(node.valence, VALENCE_STYLE[None])[2]
    if prefix:
        lines[0] = f"{prefix} {lines[0]}"
    if node.date_label:
        lines.extend(wrap_title(node.date_label, width=WRAP_WIDTH, limit=SHORT_LIMIT))
    if node.note:
        lines.append(shorten(node.note, SHORT_LIMIT))
    return lines


def tooltip_text(text: str | None) -> str:
    """Return a tooltip value that keeps its line breaks and nothing else special."""
    lines = [clean_text(line) for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    joined = "\n".join(lines)
    if len(joined) > TOOLTIP_LIMIT:
        joined = joined[: TOOLTIP_LIMIT - 1].rstrip() + ELLIPSIS
    # Graphviz 2.43 unescapes a tooltip once ("\\" becomes "\") before it expands \N, \G
    # and \L, so a literal backslash needs four: tested in tests/test_map_renderer.py.
    escaped = (line.replace("&", "&amp;").replace("\\", "\\" * 4) for line in joined.split("\n"))
    return gv_quoting.NoHtml("\\n".join(escaped))


def _quote(value: str) -> str:
    """Quote a DOT id or value exactly as ``graphviz.quoting.quote`` does.

    The same rules and regular expressions as the graphviz package, without its
    per-call wrappers: a map of 2,000 items quotes about 50,000 values.
    """
    if gv_quoting.HTML_STRING.match(value) and not isinstance(value, gv_quoting.NoHtml):
        return value
    if not gv_quoting.ID.match(value) or value.lower() in gv_quoting.KEYWORDS:
        if '"' not in value:  # nothing for the escaping to do (it only acts on quotes)
            return f'"{value}"'
        return f'"{gv_quoting.ESCAPE_UNESCAPED_QUOTES(value)}"'
    return value


@functools.lru_cache(maxsize=4096)
def _quote_plain(value: str) -> str:
    """Quote a plain string (not ``nohtml``: names, colours, shapes, classes), memoised."""
    return _quote(value)


def node_line(name: str, attrs: dict[str, str]) -> str:
    """Return the statement ``graph.node(name, **attrs)`` would add, byte for byte.

    As there, ``label`` comes first and the other attributes follow sorted by name.
    """
    items = sorted(attrs.items())
    if "label" in attrs:
        items = [("label", attrs["label"])] + [i for i in items if i[0] != "label"]
    content = " ".join(
        f"{_quote_plain(key)}="
        f"{_quote_plain(value) if type(value) is str else _quote(value)}"
        for key, value in items if value is not None)
    return f"\t{_quote(name)} [{content}]\n" if content else f"\t{_quote(name)}\n"


def edge_line(tail: str, head: str, highlight: bool = False, *, dimmed: bool = False,
              free: bool = False, ports: tuple[str, str] | None = None) -> str:
    """Return the statement ``graph.edge(tail, head, id=...)`` would add to a digraph
    (attributes in the package's order).

    A highlighted link is three times as thick and dark (class "highlight"); a dimmed one
    pale (class "dimmed"); ``free`` leaves the order within a timeline column to the
    chronological chain (``constraint=false``); ``ports``: the sides of the cause and the
    effect the link leaves and reaches ("e", "w", "n", "s"). The id
    (``link-<cause>-<effect>`` for items) lets the map page find a link in the SVG
    (static/js/map-view.js dims the links outside the focus).
    """
    return _link_statement(_quote(tail), _quote(head), tail.removeprefix("item"),
                           head.removeprefix("item"), highlight, dimmed, free, ports)


def _link_statement(tail: str, head: str, cause: str, effect: str, highlight: bool,
                    dimmed: bool, free: bool, ports: tuple[str, str] | None = None) -> str:
    """Return :func:`edge_line`'s statement for quoted ``tail`` and ``head``."""
    if not (highlight or dimmed or free or ports):  # most links
        return f'\t{tail} -> {head} [id="link-{cause}-{effect}"]\n'
    attrs = []
    if ports:
        attrs.append(f"tailport={ports[0]} headport={ports[1]}")
    if highlight:
        attrs.append(f'class=highlight color="{HIGHLIGHT_COLOUR}"')
    elif dimmed:
        attrs.append(f'class=dimmed color="{DIMMED_LINE}"')
    if free:
        attrs.append("constraint=false")
    attrs.append(f'id="link-{cause}-{effect}"')
    if highlight:
        attrs.append("penwidth=3")
    return f"\t{tail} -> {head} [{' '.join(attrs)}]\n"


def _edge(edge: MapEdge, free: bool = False) -> str:
    # An item's name (node_name: "item" and a number) is a DOT id that needs no quotes.
    cause, effect = int(edge.cause_id), int(edge.effect_id)
    return _link_statement(f"item{cause}", f"item{effect}", str(cause), str(effect),
                           edge.highlight, edge.dimmed, free)


ITEM_LINE_CACHE_SIZE = 8192
_ITEM_LINES: cachetools.LRUCache = cachetools.LRUCache(ITEM_LINE_CACHE_SIZE)


def _item_key(node: MapNode) -> tuple:
    return (node.id, node.kind, node.title, node.date_label, node.order, node.intended,
            node.valence, node.url, node.tooltip, node.highlight, node.dimmed, node.fill,
            node.border, node.bands, node.scale, node.note, node.wrap, node.max_lines,
            node.compact)


# Keyed by everything the line is made of: a changed item simply has another key.
@cachetools.cached(_ITEM_LINES, key=_item_key, lock=threading.Lock())
def item_line(node: MapNode) -> str:
    """Return the DOT statement of one item node (memoised ``node_line``)."""
    return _item_statement(node)


# Every attribute an item may have between label/URL and tooltip, in node_line's order.
_ITEM_STYLE_KEYS = ("class", "color", "fillcolor", "fontcolor", "fontsize", "id", "penwidth",
                    "peripheries", "shape", "style")


def _item_statement(node: MapNode) -> str:
    """Return ``node_line(node_name(node.id), _node_attrs(node))`` without its general
    sorting and type tests: an item always has the same attributes (tested equal)."""
    attrs = _node_attrs(node)
    parts = [f"label={_quote(attrs['label'])}"]
    if "URL" in attrs:
        parts.append(f"URL={_quote(attrs['URL'])}")
    parts.extend(f"{key}={_quote_plain(attrs[key])}" for key in _ITEM_STYLE_KEYS
                 if key in attrs)
    parts.append(f"tooltip={_quote(attrs['tooltip'])}")
    return f"\t{node_name(node.id)} [{' '.join(parts)}]\n"


def node_name(node_id: int) -> str:
    """Return the DOT node name of an item."""
    return f"item{int(node_id)}"


def _node_attrs(node: MapNode) -> dict[str, str]:
    """Return the DOT attributes of one item: shape, border, fill, label, link and tooltip."""
    valence = node.valence if node.valence in VALENCE_STYLE else None
    classes = ["ripple", "activity" if node.is_activity else "effect"]
    lines = label_lines(node)
    attrs = {
        "label": html_lines(lines, node.bands) if node.bands else dot_lines(lines),
        "tooltip": tooltip_text(node.tooltip or node.title),
        "id": f"item-{int(node.id)}",
    }
    url = dot_url(node.url)
    if url:
        attrs["URL"] = url
    if node.is_activity:
        fill, border, font = ((DIMMED_FILL, DIMMED_LINE, DIMMED_TEXT) if node.dimmed
                              else (ACTIVITY_FILL, ACTIVITY_FILL, "white"))
        attrs.update(shape="box", style="filled" if node.compact else "filled,rounded",
                     fillcolor=fill, color=border, fontcolor=font, penwidth="1.5")
    else:
        intended = node.intended if node.intended in (True, False) else None
        fill, border, _prefix = VALENCE_STYLE[valence]
        fill, border, font = (node.fill or fill, node.border or border, "black")
        if node.dimmed:
            fill, border, font = DIMMED_FILL, DIMMED_LINE, DIMMED_TEXT
        rounded = "rounded," if node.compact else ""
        attrs.update(shape="box" if node.compact else "ellipse",
                     style=f"filled,{rounded}{INTENDED_STYLE[intended]}",
                     fillcolor=fill, color=border, fontcolor=font, penwidth="2")
        classes += [f"valence-{valence or 'unknown'}", INTENDED_CLASS[intended]]
        if node.order is not None:
            classes.append(f"order-{int(node.order)}")
        if node.bands:
            classes.append("themed")
    if node.scale != 1.0:
        attrs["fontsize"] = f"{FONT_SIZE * node.scale:.1f}"
    if node.dimmed:
        classes.append("dimmed")
    if node.highlight:
        attrs.update(penwidth="4", peripheries="2")
        classes.append("highlight")
    attrs["class"] = " ".join(classes)
    return attrs


def _new_graph(ripple_map: RippleMap, engine: str) -> graphviz.Digraph:
    """Start a graph with the map's title, its engine and the shared defaults."""
    graph = graphviz.Digraph(name="ripplemap", engine="dot")
    graph.attr(
        "graph",
        layout=engine,
        label=dot_text(shorten(ripple_map.title, GRAPH_TITLE_LIMIT)),
        labelloc="t",
        fontname=FONT,
        fontsize="20",
        id="ripple-map",
        bgcolor="white",
    )
    graph.attr("node", fontname=BOLD_FONT if ripple_map.bold else FONT,
               fontsize=str(FONT_SIZE), margin="0.12,0.06")
    graph.attr("edge", color=EDGE_COLOUR, arrowsize="0.7")
    return graph


def _pos(x: float, y: float) -> str:
    """Return a DOT position (points, one decimal)."""
    return f"{x:.1f},{y:.1f}"
