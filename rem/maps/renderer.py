"""Turn a RippleMap into DOT and render it with the Graphviz binaries.

This is the only module that imports ``graphviz`` or runs Graphviz.

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
- the legend is ``id="legend"`` (timeline) or nodes of class ``legend``.
"""

from __future__ import annotations

import contextlib
import html
import math
import re
import shutil
import subprocess
from urllib.parse import quote as url_quote

import graphviz
from graphviz import quoting as gv_quoting

from rem.maps import radial
from rem.maps.labels import (  # noqa: F401 - the renderer's text helpers, used by callers too
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
from rem.maps.model import MapEdge, MapNode, RippleMap, SummaryMap
from rem.maps.styles import (
    ACTIVITY_FILL,
    CENTRE_FILL,
    DIMMED_FILL,
    DIMMED_LINE,
    DIMMED_TEXT,
    EDGE_COLOUR,
    FONT,
    HIGHLIGHT_COLOUR,
    INTENDED_CLASS,
    INTENDED_STYLE,
    RING_COLOUR,
    SPINE_COLOUR,
    VALENCE_STYLE,
)

# layout -> the engine named in the DOT; the radial map's positions come from a twopi run
# over its tree (:func:`radial_tree_dot`) and are drawn as given (nop2).
LAYOUTS = {"timeline": "dot", "radial": "nop2"}
# engine -> the Graphviz program run (every DOT we write names its layout itself).
PROGRAMS = {"dot": "dot", "twopi": "twopi", "nop2": "neato"}
ENGINES = frozenset(PROGRAMS)
CONTENT_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
    "dot": "text/vnd.graphviz; charset=utf-8",
}
RENDER_FORMATS = frozenset({"svg", "png", "pdf", "plain"})
FONT_SIZE = 11
# Above this many items the timeline's columns are not chained in date order: dot's handling
# of that many flat edges took 28 s instead of 0.3 s for 1,000 items (benchmarks/run.py).
CHAIN_MAX_ITEMS = 300
TREE_TIMEOUT = 60.0
BAND_HEIGHT = 6


class MapRenderError(RuntimeError):
    """The map could not be drawn; the message can be shown as it is."""


class GraphvizMissing(MapRenderError):
    """The Graphviz binary is not installed."""


class RenderTimeout(MapRenderError):
    """Graphviz took longer than allowed."""


class RenderError(MapRenderError):
    """Graphviz failed on the input."""


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
    """Return the label of ``node`` line by line: prefix symbol, title, date, note."""
    lines = wrap_title(node.title)
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


_QUOTED_CONSTANTS: dict[str, str] = {}


def _quote_plain(value: str) -> str:
    """Quote a plain string (not ``nohtml``: names, colours, shapes, classes), memoised.

    The memo is emptied when it grows past a few thousand entries (node ids are plain
    strings too), so it stays small and keeps the frequent constants.
    """
    quoted = _QUOTED_CONSTANTS.get(value)
    if quoted is None:
        if len(_QUOTED_CONSTANTS) >= 4096:
            _QUOTED_CONSTANTS.clear()
        quoted = _QUOTED_CONSTANTS[value] = _quote(value)
    return quoted


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
              free: bool = False) -> str:
    """Return the statement ``graph.edge(tail, head, id=...)`` would add to a digraph
    (attributes in the package's order).

    A highlighted link is three times as thick and dark (class "highlight"); a dimmed one
    pale (class "dimmed"); ``free`` leaves the order within a timeline column to the
    chronological chain (``constraint=false``). The id (``link-<cause>-<effect>`` for
    items) lets the map page find a link in the SVG (static/js/map-view.js dims the links
    outside the focus).
    """
    attrs = []
    if highlight:
        attrs.append(f'class=highlight color="{HIGHLIGHT_COLOUR}"')
    elif dimmed:
        attrs.append(f'class=dimmed color="{DIMMED_LINE}"')
    if free:
        attrs.append("constraint=false")
    attrs.append(f'id="link-{tail.removeprefix("item")}-{head.removeprefix("item")}"')
    if highlight:
        attrs.append("penwidth=3")
    return f"\t{_quote(tail)} -> {_quote(head)} [{' '.join(attrs)}]\n"


def _edge(edge: MapEdge, free: bool = False) -> str:
    return edge_line(node_name(edge.cause_id), node_name(edge.effect_id), edge.highlight,
                     dimmed=edge.dimmed, free=free)


# The DOT statements of items, by everything they are made of: a map drawn again (the
# same page, another filter, the download after the page) reuses them. Bounded, oldest
# out first; a changed item simply has another key.
ITEM_LINE_CACHE_SIZE = 8192
_ITEM_LINES: dict[tuple, str] = {}


def item_line(node: MapNode) -> str:
    """Return the DOT statement of one item node (memoised ``node_line``)."""
    key = (node.id, node.kind, node.title, node.date_label, node.order, node.intended,
           node.valence, node.url, node.tooltip, node.highlight, node.dimmed, node.fill,
           node.border, node.bands, node.scale, node.note)
    line = _ITEM_LINES.get(key)
    if line is None:
        line = _item_statement(node)
        if len(_ITEM_LINES) >= ITEM_LINE_CACHE_SIZE:
            with contextlib.suppress(KeyError, StopIteration, RuntimeError):
                del _ITEM_LINES[next(iter(_ITEM_LINES))]
        _ITEM_LINES[key] = line
    return line


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
        attrs.update(shape="box", style="filled,rounded", fillcolor=fill,
                     color=border, fontcolor=font, penwidth="1.5")
    else:
        intended = node.intended if node.intended in (True, False) else None
        fill, border, _prefix = VALENCE_STYLE[valence]
        fill, border, font = (node.fill or fill, node.border or border, "black")
        if node.dimmed:
            fill, border, font = DIMMED_FILL, DIMMED_LINE, DIMMED_TEXT
        attrs.update(shape="ellipse", style=f"filled,{INTENDED_STYLE[intended]}",
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
    graph.attr("node", fontname=FONT, fontsize=str(FONT_SIZE), margin="0.12,0.06")
    graph.attr("edge", color=EDGE_COLOUR, arrowsize="0.7")
    return graph


def _legend_label(text: str) -> str:
    """Return a legend text as a wrapped, literal label."""
    return dot_lines(wrap_title(text, width=40, limit=TITLE_LIMIT))


def _legend_samples(ripple_map: RippleMap, layout: str) -> list[tuple[str, dict[str, str]]]:
    """Return the legend's sample nodes (name, attributes) for this map, in order."""
    legend = ripple_map.legend
    samples: list[tuple[str, dict[str, str]]] = []
    if layout == "radial" and legend.get("title"):
        samples.append(("legend_title", {"label": dot_text(legend["title"]),
                                         "shape": "plaintext", "fontsize": "14"}))

    def sample(key: str, **attrs: str) -> None:
        """Add a sample node for ``key`` when the legend has a text for it."""
        if legend.get(key):
            samples.append((f"legend_{key}", {"label": _legend_label(legend[key]), **attrs}))

    effect = {"shape": "ellipse", "penwidth": "2"}
    sample("activity", shape="box", style="filled,rounded", fillcolor=ACTIVITY_FILL,
           color=ACTIVITY_FILL, fontcolor="white")
    sample("intended", style="filled,solid", fillcolor="white", color="black", **effect)
    sample("unintended", style="filled,dashed", fillcolor="white", color="black", **effect)
    sample("intended_unknown", style="filled,dotted", fillcolor="white", color="black",
           **effect)
    for key in ("positive", "negative", "mixed"):
        fill, border, prefix = VALENCE_STYLE[key]
        if legend.get(key):
            samples.append((f"legend_{key}", {
                "label": _legend_label(f"{prefix} {legend[key]}"), "style": "filled,solid",
                "fillcolor": fill, "color": border, **effect,
            }))
    fill, border, _prefix = VALENCE_STYLE[None]
    sample("valence_unknown", style="filled,solid", fillcolor=fill, color=border, **effect)
    for index, swatch in enumerate(ripple_map.swatches):
        samples.append((f"legend_colour{index}", {
            "label": _legend_label(swatch.label), "style": "filled,solid",
            "fillcolor": swatch.fill, "color": swatch.border, **effect}))
    if ripple_map.themes:
        sample("theme_band", shape="plaintext")
        for theme in ripple_map.themes:
            samples.append((f"legend_theme{int(theme.id)}", {
                "label": _legend_label(theme.name), "shape": "box", "style": "filled",
                "fillcolor": theme.colour, "color": theme.colour, "fontcolor": "white"}))
    if legend.get("link"):
        samples.append(("legend_link", {"label": _legend_label(f"\u2192 {legend['link']}"),
                                        "shape": "plaintext"}))
    for key in ("reach", "dimmed"):
        sample(key, shape="plaintext")
    if layout == "radial":
        sample("rings", shape="plaintext")
        sample("no_cause", shape="plaintext")
    if layout == "timeline":
        sample("spine", shape="box", style="filled,rounded", fillcolor="#e6ecf2",
               color=SPINE_COLOUR)
        sample("gap", shape="box", style="dashed,rounded", color=SPINE_COLOUR)
    return [(name, {"class": "legend", "fontsize": "10", "margin": "0.08,0.03",
                    "id": name.replace("_", "-"), **attrs}) for name, attrs in samples]


# The legend's DOT lines by what it shows (one per language and map colouring).
_LEGENDS: dict[tuple, tuple[list[str], tuple[list[str], list[str]]]] = {}


def _timeline_legend(graph: graphviz.Digraph, ripple_map: RippleMap
                     ) -> tuple[list[str], list[str]]:
    """Add the timeline's legend box to ``graph``; return its sample names in two columns."""
    key = ("timeline", tuple(sorted(ripple_map.legend.items())), tuple(ripple_map.swatches),
           tuple(ripple_map.themes))
    known = _LEGENDS.get(key)
    if known is None:
        start = len(graph.body)
        with graph.subgraph(name="cluster_legend") as box:
            box.attr(label=dot_text(ripple_map.legend.get("title", "")), fontname=FONT,
                     fontsize="14", style="rounded", color="#b9c2ca", id="legend")
            samples = _legend_samples(ripple_map, "timeline")
            names = [name for name, _attrs in samples]
            box.body.extend(node_line(name, attrs) for name, attrs in samples)
            # Two columns of samples keep the legend about as tall as a short map.
            half = (len(names) + 1) // 2
            columns = (names[:half], names[half:])
            for column in columns:
                with box.subgraph() as same:
                    same.attr(rank="same")
                    for name in column:
                        same.node(name)
            for first, second in zip(columns[0], columns[1], strict=False):
                box.edge(first, second, style="invis")
        if len(_LEGENDS) >= 64:
            _LEGENDS.clear()
        _LEGENDS[key] = (graph.body[start:], columns)
        return columns
    lines, columns = known
    graph.body.extend(lines)
    return columns


def _cluster_of(ripple_map: RippleMap) -> dict[int, str]:
    """Return the cluster each node is drawn in: its collaboration on a combined map,
    else its first theme (an effect in several themes shows the others as bands)."""
    found = {node.id: f"group:{node.cluster}" for node in ripple_map.nodes if node.cluster}
    if found:
        return found
    shown = {theme.id for theme in ripple_map.themes}
    return {node.id: f"theme:{node.themes[0]}" for node in ripple_map.nodes
            if node.themes and node.themes[0] in shown}


def _timeline(ripple_map: RippleMap) -> graphviz.Digraph:
    """Build the timeline: a spine of periods, left to right; each column lists its items
    top to bottom in date order (an invisible chain holds the order), grouped by cluster."""
    graph = _new_graph(ripple_map, "dot")
    graph.attr("graph", rankdir="LR", ranksep="0.5", nodesep="0.2", newrank="true",
               splines="true", outputorder="edgesfirst")
    periods = list(dict.fromkeys(ripple_map.periods))
    for node in ripple_map.nodes:
        if node.period not in periods:
            periods.append(node.period)
    cluster_of = _cluster_of(ripple_map)
    cluster_rank = {key: n for n, key in enumerate(dict.fromkeys(
        [f"theme:{t.id}" for t in ripple_map.themes]
        + [cluster_of[node.id] for node in ripple_map.nodes if node.id in cluster_of]))}
    by_period: dict[str, list[MapNode]] = {p: [] for p in periods}
    for node in ripple_map.nodes:
        by_period[node.period].append(node)
    for column in by_period.values():  # stable: keeps the date order inside a cluster
        column.sort(key=lambda n: cluster_rank.get(cluster_of.get(n.id, ""), len(cluster_rank)))

    columns = _timeline_legend(graph, ripple_map) if ripple_map.legend else ([], [])
    names = columns[0] + columns[1]
    for index, period in enumerate(periods):
        gap = period in ripple_map.gaps
        graph.node(f"period{index}", label=dot_lines(wrap_title(period, limit=SHORT_LIMIT)),
                   shape="box",
                   style="dashed,rounded" if gap else "filled,rounded",
                   fillcolor="#e6ecf2", color=SPINE_COLOUR,
                   fontsize="16", group="spine", id=f"period-{index}",
                   **{"class": "period gap" if gap else "period"})
    for index in range(1, len(periods)):
        graph.edge(f"period{index - 1}", f"period{index}", color=SPINE_COLOUR,
                   penwidth="3", arrowhead="none", weight="100")
    if names and periods:
        graph.edge((columns[1] or columns[0])[0], "period0", style="invis")
    position: dict[int, tuple[int, int]] = {}
    for index, period in enumerate(periods):
        column = by_period[period]
        with graph.subgraph() as same:
            same.attr(rank="same")
            same.node(f"period{index}")
            same.body.extend(item_line(node) for node in column)
        if len(ripple_map.nodes) <= CHAIN_MAX_ITEMS:
            chain = [f"period{index}"] + [node_name(node.id) for node in column]
            graph.body.extend(f"\t{a} -> {b} [style=invis]\n"
                              for a, b in zip(chain, chain[1:], strict=False))
        position.update({node.id: (index, row) for row, node in enumerate(column)})
    _clusters(graph, ripple_map, cluster_of)
    # A link inside one column that the chain draws upwards (its effect sits in an earlier
    # cluster) must not fight the chain's order.
    chained = len(ripple_map.nodes) <= CHAIN_MAX_ITEMS
    graph.body.extend(_edge(edge, free=chained and edge.cause_id in position
                            and edge.effect_id in position
                            and position[edge.cause_id][0] == position[edge.effect_id][0]
                            and position[edge.cause_id][1] > position[edge.effect_id][1])
                      for edge in ripple_map.edges)
    return graph


def _clusters(graph: graphviz.Digraph, ripple_map: RippleMap, cluster_of: dict[int, str]
              ) -> None:
    """Draw the clusters: one band per collaboration on a combined (Meta-REM style) map,
    else one labelled box per theme (on the timeline, ``newrank`` makes each a band
    along the shared spine)."""
    keys = list(dict.fromkeys(cluster_of[node.id] for node in ripple_map.nodes
                              if node.id in cluster_of))
    themes = {f"theme:{theme.id}": theme for theme in ripple_map.themes}
    for index, key in enumerate(keys):
        theme = themes.get(key)
        name = theme.name if theme else key.split(":", 1)[1]
        attrs = {"label": dot_text(shorten(name, SHORT_LIMIT)), "fontname": FONT,
                 "fontsize": "16", "style": "rounded", "color": SPINE_COLOUR,
                 "labeljust": "l", "id": f"group-{index}"}
        if theme is not None:
            attrs.update(color=theme.colour, fontcolor=theme.colour, penwidth="2",
                         id=f"theme-{int(theme.id)}", style="rounded,dashed")
            attrs["class"] = "theme"
        with graph.subgraph(name=f"cluster_group{index}") as cluster:
            cluster.attr(**attrs)
            cluster.body.extend(f"\t{node_name(node.id)}\n" for node in ripple_map.nodes
                                if cluster_of.get(node.id) == key)


def ring_of(node: MapNode, unknown_ring: int) -> int:
    """Return the ring of a node on the radial map: 1 for activities, order + 1 for
    effects, ``unknown_ring`` (outside all others) for effects without a known order."""
    if node.is_activity:
        return 1
    return node.order + 1 if node.order is not None else unknown_ring


def _unknown_ring(ripple_map: RippleMap) -> int:
    known = [node.order for node in ripple_map.nodes
             if not node.is_activity and node.order is not None]
    return max(known, default=0) + 2


def _tree_parents(ripple_map: RippleMap) -> dict[int, str]:
    """Return one parent per node for the radial tree: a cause one order lower on the
    map, else the centre."""
    by_id = {node.id: node for node in ripple_map.nodes}
    parents: dict[int, str] = {}
    for edge in ripple_map.edges:
        cause, effect = by_id.get(edge.cause_id), by_id.get(edge.effect_id)
        if cause is None or effect is None or effect.id in parents:
            continue
        cause_order = 0 if cause.is_activity else cause.order
        if effect.order is not None and cause_order is not None \
                and cause_order == effect.order - 1:
            parents[effect.id] = node_name(cause.id)
    return {node.id: parents.get(node.id, "centre") for node in ripple_map.nodes}


def _centre_line(ripple_map: RippleMap) -> str:
    return node_line("centre", {
        "label": dot_lines(wrap_title(ripple_map.centre_label)), "shape": "box",
        "style": "filled,rounded,bold", "fillcolor": CENTRE_FILL, "color": CENTRE_FILL,
        "fontcolor": "white", "fontsize": "14", "id": "centre", "class": "centre"})


def radial_tree_dot(ripple_map: RippleMap) -> str:
    """Return the DOT of the radial map's tree, for twopi to give each node a direction
    (and Graphviz to measure every node and legend sample)."""
    graph = _new_graph(ripple_map, "twopi")
    graph.attr("graph", root="centre", ranksep="1.2", splines="false", overlap="true")
    graph.body.append(_centre_line(ripple_map))
    graph.body.extend(item_line(node) for node in ripple_map.nodes)
    for node_id, parent in _tree_parents(ripple_map).items():
        graph.body.append(f"\t{parent} -> {node_name(node_id)}\n")
    graph.body.extend(node_line(name, attrs)
                      for name, attrs in _legend_samples(ripple_map, "radial"))
    for index in ripple_map.ring_labels:
        graph.body.append(node_line(f"ringlabel{int(index)}", _ring_label_attrs(
            ripple_map, index)))
    return graph.source


def _ring_label_attrs(ripple_map: RippleMap, index: int) -> dict[str, str]:
    return {"label": dot_text(ripple_map.ring_labels[index]), "shape": "box",
            "style": "filled,rounded", "fillcolor": "white", "color": "white",
            "fontcolor": "#46515c", "fontsize": "13", "id": f"ring-label-{int(index)}",
            "class": "ring-label"}


def parse_plain(text: bytes) -> dict[str, tuple[float, float, float, float]]:
    """Read Graphviz's ``-Tplain`` output: each node's centre and size, in points."""
    found = {}
    for line in text.decode("utf-8", "replace").splitlines():
        if line.startswith("node "):
            parts = line.split(None, 6)
            name = parts[1].strip('"')
            x, y, width, height = (float(value) * 72 for value in parts[2:6])
            found[name] = (x, y, width, height)
    return found


def _pos(x: float, y: float) -> str:
    return f"{x:.1f},{y:.1f}"


def radial_dot(ripple_map: RippleMap, plain: bytes) -> str:
    """Return the DOT of the radial map: the nodes on the rings of their orders, the
    rings with their labels, every link routed round the centre, all positions given."""
    measured = parse_plain(plain)
    cx, cy, cw, ch = measured.get("centre", (0.0, 0.0, 100.0, 40.0))
    unknown = _unknown_ring(ripple_map)
    boxes = []
    for node in ripple_map.nodes:
        x, y, width, height = measured.get(node_name(node.id), (cx + 1, cy, 120.0, 40.0))
        boxes.append(radial.Box(node_name(node.id), ring_of(node, unknown),
                                math.atan2(y - cy, (x - cx) / radial.ASPECT), width, height,
                                ellipse=not node.is_activity))
    centre = radial.Box("centre", 0, 0.0, cw, ch, ellipse=False)
    rings = radial.lay_out(centre, boxes)
    graph = _new_graph(ripple_map, "nop2")
    graph.attr("graph", outputorder="edgesfirst", notranslate="true")
    # The rings first, so that everything else is drawn over them.
    for index in range(1, len(rings.radii)):
        diameter = 2 * rings.radii[index] / 72
        graph.body.append(node_line(f"ring{index}", {
            "label": "", "shape": "ellipse", "fixedsize": "true",
            "width": f"{diameter * radial.ASPECT:.3f}",
            "height": f"{diameter:.3f}", "pos": "0,0!", "style": "dashed",
            "color": RING_COLOUR, "penwidth": "1.2", "id": f"ring-{index}", "class": "ring"}))
    graph.body.append(_centre_line(ripple_map))
    graph.body.append('\tcentre [pos="0,0!"]\n')
    for node in ripple_map.nodes:
        box = rings.boxes[node_name(node.id)]
        graph.body.append(item_line(node))
        graph.body.append(f'\t{box.name} [pos="{_pos(box.x, box.y)}!"]\n')
    for index in sorted(ripple_map.ring_labels):
        if index >= len(rings.radii) or index not in rings.label_angles:
            continue
        angle = rings.label_angles[index]
        radius = rings.radii[index]
        graph.body.append(node_line(f"ringlabel{index}", {
            **_ring_label_attrs(ripple_map, index),
            "pos": f"{_pos(radial.ASPECT * radius * math.cos(angle), radius * math.sin(angle))}!"}))
    for node in ripple_map.nodes:
        if node.is_activity:
            box = rings.boxes[node_name(node.id)]
            points, tip = radial.route(rings, centre, box)
            graph.body.append(f'\tcentre -> {box.name} [arrowhead=none color="{SPINE_COLOUR}" '
                              f'pos="{_spline(points, None)}"]\n')
    for edge in ripple_map.edges:
        start = rings.boxes.get(node_name(edge.cause_id))
        end = rings.boxes.get(node_name(edge.effect_id))
        if start is None or end is None:
            continue
        points, tip = radial.route(rings, start, end)
        line = _edge(edge).rstrip("\n")
        extra = f'pos="{_spline(points, tip)}"'
        line = line[:-1] + f" {extra}]" if line.endswith("]") else f"{line} [{extra}]"
        graph.body.append(line + "\n")
    _place_legend(graph, ripple_map, measured, rings)
    return graph.source


def _spline(points: list[tuple[float, float]], tip: tuple[float, float] | None) -> str:
    """Return an edge ``pos`` value: the arrow's end (when there is an arrow), then the
    spline's control points."""
    body = " ".join(_pos(x, y) for x, y in points)
    return f"e,{_pos(*tip)} {body}" if tip is not None else body


def _place_legend(graph: graphviz.Digraph, ripple_map: RippleMap,
                  measured: dict[str, tuple[float, float, float, float]],
                  rings: radial.Rings) -> None:
    """Stack the legend samples in a column to the right of the outer ring."""
    samples = _legend_samples(ripple_map, "radial")
    if not samples:
        return
    outer = max((math.hypot(b.x, b.y) + max(b.width, b.height) / 2
                 for b in rings.boxes.values()), default=100.0)
    widths = [measured.get(name, (0, 0, 150.0, 30.0))[2] for name, _attrs in samples]
    left = outer + 60
    heights = [measured.get(name, (0, 0, 150.0, 30.0))[3] for name, _attrs in samples]
    top = sum(heights) / 2 + 6 * len(samples) / 2
    for (name, attrs), width, height in zip(samples, widths, heights, strict=True):
        top -= height / 2
        graph.body.append(node_line(name, {**attrs, "pos": f"{_pos(left + width / 2, top)}!"}))
        top -= height / 2 + 6


def engine_for(layout: str) -> str:
    """Return the Graphviz engine named in the DOT of ``layout``."""
    try:
        return LAYOUTS[layout]
    except KeyError:
        raise ValueError(f"unknown layout: {layout!r}") from None


def to_dot(ripple_map: RippleMap, layout: str, plain: bytes | None = None) -> str:
    """Return the DOT source of ``ripple_map`` drawn as ``layout`` (timeline or radial).

    The radial map needs ``plain``: twopi's ``-Tplain`` output of
    :func:`radial_tree_dot`; without it twopi is run here (``rem.maps.drawing`` runs it
    through the render cache instead).
    """
    engine_for(layout)
    if layout == "timeline":
        return _timeline(ripple_map).source
    if plain is None:
        plain = render(radial_tree_dot(ripple_map), "twopi", "plain", TREE_TIMEOUT)
    return radial_dot(ripple_map, plain)


def summary_to_dot(summary: SummaryMap) -> str:
    """Return the DOT source of a summarised map: groups on a time spine, links counted.

    Always drawn by ``dot`` from left to right, like the timeline: one node per group
    (a box for activities, an ellipse for effects) ranked with its period, and one
    arrow per pair of groups, as thick as the number of links it stands for.
    """
    graph = graphviz.Digraph(name="summarymap", engine="dot")
    graph.attr("graph", layout="dot", label=dot_text(shorten(summary.title, GRAPH_TITLE_LIMIT)),
               labelloc="t", fontname=FONT, fontsize="20", id="summary-map",
               bgcolor="white", rankdir="LR", ranksep="0.9", nodesep="0.25",
               newrank="true", outputorder="edgesfirst")
    graph.attr("node", fontname=FONT, fontsize="11", margin="0.12,0.06")
    graph.attr("edge", color=EDGE_COLOUR, arrowsize="0.7", fontname=FONT, fontsize="10")
    periods = list(dict.fromkeys(summary.periods))
    for group in summary.groups:
        if group.period not in periods:
            periods.append(group.period)
    for index, period in enumerate(periods):
        graph.node(f"period{index}", label=dot_lines(wrap_title(period, limit=SHORT_LIMIT)),
                   shape="box", style="filled,rounded", fillcolor="#e6ecf2",
                   color=SPINE_COLOUR, fontsize="16", group="spine", id=f"period-{index}",
                   **{"class": "period"})
    for index in range(1, len(periods)):
        graph.edge(f"period{index - 1}", f"period{index}", color=SPINE_COLOUR,
                   penwidth="3", arrowhead="none", weight="100")
    for index, period in enumerate(periods):
        with graph.subgraph() as same:
            same.attr(rank="same")
            same.node(f"period{index}")
            for group in summary.groups:
                if group.period != period:
                    continue
                attrs = {
                    "label": dot_lines(wrap_title(group.label) + [group.count_label]),
                    "tooltip": tooltip_text(f"{group.period}\n{group.label}\n"
                                            f"{group.count_label}"),
                    "id": f"summary-{_safe_key(group.key)}",
                    "class": "summary-group "
                             + ("activity" if group.kind == "activity" else "effect"),
                }
                if group.kind == "activity":
                    attrs.update(shape="box", style="filled,rounded", fillcolor=ACTIVITY_FILL,
                                 color=ACTIVITY_FILL, fontcolor="white", penwidth="1.5")
                else:
                    attrs.update(shape="ellipse", style="filled", fillcolor="#f2f2f2",
                                 color="#4a5560", fontcolor="black", penwidth="1.5")
                same.node(f"summary_{_safe_key(group.key)}", **attrs)
    for cause, effect, count in summary.edges:
        width = 1 + min(6.0, math.log2(max(1, count)))
        graph.edge(f"summary_{_safe_key(cause)}", f"summary_{_safe_key(effect)}",
                   label=str(int(count)), penwidth=f"{width:.1f}")
    return graph.source



def _safe_key(key: str) -> str:
    """Return a group key as letters, digits and underscores only."""
    return re.sub(r"[^A-Za-z0-9_]", "_", key)


def render(dot_source: str, engine: str, fmt: str, timeout: float) -> bytes:
    """Render ``dot_source`` into ``fmt`` (svg, png, pdf, plain or dot) with Graphviz.

    ``engine`` picks the program (dot, twopi, or neato for nop2); the layout named in the
    DOT itself decides, and nothing but ``-T<format>`` is passed, so the DOT alone
    reproduces the picture.
    """
    if fmt == "dot":
        return dot_source.encode("utf-8")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine: {engine!r}")
    if fmt not in RENDER_FORMATS:
        raise ValueError(f"unknown format: {fmt!r}")
    program = PROGRAMS[engine]
    binary = shutil.which(program)
    if binary is None:
        raise GraphvizMissing(f"Graphviz ({program}) is not installed on this server.")
    try:
        result = subprocess.run(
            [binary, f"-T{fmt}"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RenderTimeout(f"Graphviz ({program}) took longer than {timeout:g} s.") from exc
    except OSError as exc:
        raise RenderError(f"Graphviz ({program}) could not be started: {exc}") from exc
    if result.returncode != 0 or not result.stdout:
        message = result.stderr.decode("utf-8", "replace").strip()[:500]
        raise RenderError(f"Graphviz ({program}) failed: {message or result.returncode}")
    return result.stdout


def sized_source(dot_source: str, width_px: int) -> str:
    """Return ``dot_source`` drawn ``width_px`` pixels wide (for PNG): the size and the
    resolution are written into the DOT, like every other setting."""
    inches = width_px / 96
    end = dot_source.rstrip().rfind("}")
    return (dot_source[:end] + f'\tsize="{inches:.3f},10000!" dpi=96 pad=0\n'
            + dot_source[end:])


_PROLOG_RE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_TITLE_RE = re.compile(r"<title>[^<]*</title>\n?")
_SVG_OPEN_RE = re.compile(r"<svg\b[^>]*>")


def titled_svg(svg: bytes, title: str, desc: str, *, inline: bool = False) -> str:
    """Give the SVG one readable <title> and <desc>; ``inline`` also drops the prolog.

    Graphviz gives every node and edge a <title> with its internal name
    (``item12``, ``item3->item12``); those are removed so that screen readers
    read the labels and link texts instead.
    """
    text = svg.decode("utf-8")
    text = _COMMENT_RE.sub("", text)
    if inline:
        text = _PROLOG_RE.sub("", text, count=1)
    text = _TITLE_RE.sub("", text)
    match = _SVG_OPEN_RE.search(text)
    if match is None:
        raise RenderError("Graphviz returned no SVG.")
    opening = match.group(0)
    extra = ' role="graphics-document" aria-labelledby="map-title" aria-describedby="map-desc"'
    opening = opening[:-1].rstrip("/") + extra + ">"
    head = (f'<title id="map-title">{html.escape(clean_text(title))}</title>'
            f'<desc id="map-desc">{html.escape(clean_text(desc))}</desc>')
    return text[: match.start()] + opening + head + text[match.end():]


_SIZE_RE = re.compile(r'\s(width|height)="([0-9.]+)pt"')


def with_width(svg: str, width_px: int) -> str:
    """Return ``svg`` drawn ``width_px`` wide, its height in proportion (the viewBox keeps
    the drawing; only the outer size changes)."""
    match = _SVG_OPEN_RE.search(svg)
    if match is None:
        return svg
    opening = match.group(0)
    sizes = dict(_SIZE_RE.findall(opening))
    if "width" not in sizes or "height" not in sizes or float(sizes["width"]) == 0:
        return svg
    height = float(sizes["height"]) * width_px / float(sizes["width"])
    resized = _SIZE_RE.sub(lambda m: f' {m.group(1)}="'
                           + (f"{width_px}px" if m.group(1) == "width" else f"{height:.0f}px")
                           + '"', opening)
    return svg[: match.start()] + resized + svg[match.end():]
