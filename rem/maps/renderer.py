"""Turn a RippleMap into DOT and render it with the Graphviz binaries.

This is the only module that imports ``graphviz`` or runs ``dot``/``twopi``.

Safety: every piece of user text goes through :func:`dot_text`, :func:`dot_lines`
or :func:`tooltip_text`. They strip control characters, escape ``&`` (Graphviz
decodes entities), double backslashes (so ``\\N``, ``\\G`` and ``\\l`` stay literal;
tooltips need four, see :func:`tooltip_text`) and mark the string as "not HTML"
(so ``<b>...</b>`` is not an HTML-like label). The ``graphviz`` package then
quotes the string. Line breaks are only ever the ``\\n`` escapes this module
inserts itself. URLs must be relative or http(s) and are percent-encoded.
"""

from __future__ import annotations

import contextlib
import html
import math
import re
import shutil
import subprocess
import textwrap
import unicodedata
from urllib.parse import quote as url_quote

import graphviz
from graphviz import quoting as gv_quoting

from rem.maps.model import MapNode, RippleMap, SummaryMap

LAYOUTS = {"timeline": "dot", "radial": "twopi"}
ENGINES = frozenset(LAYOUTS.values())
CONTENT_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
    "dot": "text/vnd.graphviz; charset=utf-8",
}
RENDER_FORMATS = frozenset({"svg", "png", "pdf"})

WRAP_WIDTH = 28
TITLE_LIMIT = 120
SHORT_LIMIT = 60
GRAPH_TITLE_LIMIT = 200
TOOLTIP_LIMIT = 1500
ELLIPSIS = "…"

FONT = "Helvetica,Arial,sans-serif"
ACTIVITY_FILL = "#1d4e89"
CENTRE_FILL = "#102a4c"
VALENCE_STYLE = {
    # valence: (fill, border, label prefix)
    "positive": ("#bfe3c8", "#1b6e3a", "+"),
    "negative": ("#f3c0c0", "#a32020", "\u2212"),
    "mixed": ("#f7dc9c", "#8a5a00", "\u00b1"),
    None: ("#f2f2f2", "#4a5560", ""),
}
INTENDED_STYLE = {True: "solid", False: "dashed", None: "dotted"}
INTENDED_CLASS = {True: "intended", False: "unintended", None: "intended-unknown"}
EDGE_COLOUR = "#5a6570"
SPINE_COLOUR = "#8a96a3"
HIGHLIGHT_COLOUR = "#111111"

# Code points that must never reach Graphviz or the SVG: C0/C1 controls, DEL,
# surrogates, line/paragraph separators and Unicode noncharacters.
_NONCHARACTERS = {0xFFFE, 0xFFFF} | set(range(0xFDD0, 0xFDF0))
_SPACE_RE = re.compile(r"\s+")


class MapRenderError(RuntimeError):
    """The map could not be drawn; the message can be shown as it is."""


class GraphvizMissing(MapRenderError):
    """The Graphviz binary is not installed."""


class RenderTimeout(MapRenderError):
    """Graphviz took longer than allowed."""


class RenderError(MapRenderError):
    """Graphviz failed on the input."""


def _is_forbidden(char: str) -> bool:
    """Tell whether ``char`` must not reach Graphviz or the SVG."""
    code = ord(char)
    if code in _NONCHARACTERS or (code & 0xFFFF) in (0xFFFE, 0xFFFF):
        return True
    return unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")


# The same set as _is_forbidden, as one character class (tests check they agree on every
# code point): a regex is about 20 times faster than a test per character on big maps.
_FORBIDDEN_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufdd0-\ufdef"
    + "".join(f"\\U{plane:04X}FFFE\\U{plane:04X}FFFF" for plane in range(17))
    + "]"
)


def clean_text(text: str | None) -> str:
    """Return ``text`` on one line: control characters become spaces, spaces collapse."""
    if not text:
        return ""
    text = str(text)
    # Fast path, for most titles and lines: printable text (str.isprintable is False for
    # every forbidden character and every whitespace but the plain space) with single
    # spaces inside and none at the ends is already clean.
    if text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " ":
        return text
    text = _FORBIDDEN_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


def _escape(text: str) -> str:
    """Escape already clean text for a DOT escString (no quoting)."""
    return text.replace("&", "&amp;").replace("\\", "\\\\")


def dot_text(text: str | None) -> str:
    """Return ``text`` as a literal, single-line DOT string value."""
    return gv_quoting.NoHtml(_escape(clean_text(text)))


def dot_lines(lines: list[str]) -> str:
    """Return ``lines`` as one literal DOT string value with centred line breaks."""
    return gv_quoting.NoHtml("\\n".join(_escape(clean_text(line)) for line in lines))


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


def shorten(text: str | None, limit: int) -> str:
    """Return ``text`` cleaned and cut to ``limit`` characters, ending in "…" when cut."""
    text = clean_text(text)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + ELLIPSIS
    return text


def wrap_title(title: str | None, width: int = WRAP_WIDTH, limit: int = TITLE_LIMIT) -> list[str]:
    """Return the title as label lines: truncated past ``limit``, wrapped at ``width``."""
    text = shorten(title, limit)
    if 0 < len(text) <= width:
        return [text]  # what textwrap returns for clean, short text, without its cost
    words = text.split(" ")
    if text and all(0 < len(word) <= width for word in words):
        # Clean text (single spaces) whose words all fit: textwrap's greedy filling is
        # this loop (property-tested against textwrap), at a fifth of its cost.
        lines, line = [], words[0]
        for word in words[1:]:
            if len(line) + 1 + len(word) <= width:
                line = f"{line} {word}"
            else:
                lines.append(line)
                line = word
        lines.append(line)
        return lines
    lines = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False)
    return lines or [ELLIPSIS]


def label_lines(node: MapNode) -> list[str]:
    """Return the label of ``node`` line by line: prefix symbol, title, date."""
    lines = wrap_title(node.title)
    prefix = "" if node.is_activity else VALENCE_STYLE.get(node.valence, VALENCE_STYLE[None])[2]
    if prefix:
        lines[0] = f"{prefix} {lines[0]}"
    if node.date_label:
        lines.extend(wrap_title(node.date_label, width=WRAP_WIDTH, limit=SHORT_LIMIT))
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


def edge_line(tail: str, head: str, highlight: bool = False) -> str:
    """Return the statement ``graph.edge(tail, head, id=...)`` would add to a digraph (a
    highlighted link: three times as thick, dark, with the class "highlight").

    The id (``link-<cause>-<effect>`` for items) lets the map page find a link in the SVG
    (static/js/map-view.js dims the links outside the focus).
    """
    link_id = f'"link-{tail.removeprefix("item")}-{head.removeprefix("item")}"'
    if highlight:
        return (f"\t{_quote(tail)} -> {_quote(head)} "
                f'[class=highlight color="{HIGHLIGHT_COLOUR}" id={link_id} penwidth=3]\n')
    return f"\t{_quote(tail)} -> {_quote(head)} [id={link_id}]\n"


# The DOT statements of items, by everything they are made of: a map drawn again (the
# same page, another filter, the download after the page) reuses them. Bounded, oldest
# out first; a changed item simply has another key.
ITEM_LINE_CACHE_SIZE = 8192
_ITEM_LINES: dict[tuple, str] = {}


def item_line(node: MapNode) -> str:
    """Return the DOT statement of one item node (memoised ``node_line``)."""
    key = (node.id, node.kind, node.title, node.date_label, node.order, node.intended,
           node.valence, node.url, node.tooltip, node.highlight)
    line = _ITEM_LINES.get(key)
    if line is None:
        line = _item_statement(node)
        if len(_ITEM_LINES) >= ITEM_LINE_CACHE_SIZE:
            with contextlib.suppress(KeyError, StopIteration, RuntimeError):
                del _ITEM_LINES[next(iter(_ITEM_LINES))]
        _ITEM_LINES[key] = line
    return line


# Every attribute an item may have between label/URL and tooltip, in node_line's order.
_ITEM_STYLE_KEYS = ("class", "color", "fillcolor", "fontcolor", "id", "penwidth", "peripheries",
                    "shape", "style")


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
    attrs = {
        "label": dot_lines(label_lines(node)),
        "tooltip": tooltip_text(node.tooltip or node.title),
        "id": f"item-{int(node.id)}",
    }
    url = dot_url(node.url)
    if url:
        attrs["URL"] = url
    if node.is_activity:
        attrs.update(shape="box", style="filled,rounded", fillcolor=ACTIVITY_FILL,
                     color=ACTIVITY_FILL, fontcolor="white", penwidth="1.5")
    else:
        intended = node.intended if node.intended in (True, False) else None
        fill, border, _prefix = VALENCE_STYLE[valence]
        attrs.update(shape="ellipse", style=f"filled,{INTENDED_STYLE[intended]}",
                     fillcolor=fill, color=border, fontcolor="black", penwidth="2")
        classes += [f"valence-{valence or 'unknown'}", INTENDED_CLASS[intended]]
        if node.order is not None:
            classes.append(f"order-{int(node.order)}")
    if node.highlight:
        attrs.update(penwidth="4", peripheries="2")
        classes.append("highlight")
    attrs["class"] = " ".join(classes)
    return attrs


def _new_graph(ripple_map: RippleMap, engine: str) -> graphviz.Digraph:
    """Start a graph with the map's title and the shared node and edge defaults."""
    graph = graphviz.Digraph(name="ripplemap", engine=engine)
    graph.attr(
        "graph",
        label=dot_text(shorten(ripple_map.title, GRAPH_TITLE_LIMIT)),
        labelloc="t",
        fontname=FONT,
        fontsize="20",
        id="ripple-map",
        bgcolor="white",
    )
    graph.attr("node", fontname=FONT, fontsize="11", margin="0.12,0.06")
    graph.attr("edge", color=EDGE_COLOUR, arrowsize="0.7")
    return graph


def _legend_label(text: str) -> str:
    """Return a legend text as a wrapped, literal label."""
    return dot_lines(wrap_title(text, width=40, limit=TITLE_LIMIT))


def _legend_nodes(graph: graphviz.Digraph, legend: dict[str, str], layout: str) -> list[str]:
    """Add the legend's sample nodes to ``graph``; return their names in order."""
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
    if legend.get("link"):
        samples.append(("legend_link", {"label": _legend_label(f"\u2192 {legend['link']}"),
                                        "shape": "plaintext"}))
    if layout == "radial" and legend.get("no_cause"):
        samples.append(("legend_no_cause", {"label": _legend_label(f"\u2504 {legend['no_cause']}"),
                                            "shape": "plaintext"}))
    if layout == "timeline" and legend.get("spine"):
        samples.append(("legend_spine", {"label": _legend_label(legend["spine"]), "shape": "box",
                                         "style": "filled,rounded", "fillcolor": "#e6ecf2",
                                         "color": SPINE_COLOUR}))
    names = []
    for name, attrs in samples:
        attrs = {"class": "legend", "fontsize": "10", "margin": "0.08,0.03", **attrs}
        graph.node(name, id=name.replace("_", "-"), **attrs)
        names.append(name)
    return names


# The legend's DOT lines by its texts (one per language): the same on every map.
_LEGENDS: dict[tuple, tuple[list[str], tuple[list[str], list[str]]]] = {}


def _timeline_legend(graph: graphviz.Digraph, legend: dict[str, str]
                     ) -> tuple[list[str], list[str]]:
    """Add the timeline's legend box to ``graph``; return its sample names in two columns."""
    key = ("timeline", tuple(sorted(legend.items())))
    known = _LEGENDS.get(key)
    if known is None:
        start = len(graph.body)
        with graph.subgraph(name="cluster_legend") as box:
            box.attr(label=dot_text(legend.get("title", "")), fontname=FONT,
                     fontsize="14", style="rounded", color="#b9c2ca", id="legend")
            names = _legend_nodes(box, legend, "timeline")
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


def _timeline(ripple_map: RippleMap) -> graphviz.Digraph:
    """Build the timeline: a spine of periods, left to right, each item ranked with its period."""
    graph = _new_graph(ripple_map, "dot")
    graph.attr("graph", rankdir="LR", ranksep="0.5", nodesep="0.2", newrank="true",
               splines="true", outputorder="edgesfirst")
    periods = list(dict.fromkeys(ripple_map.periods))
    for node in ripple_map.nodes:
        if node.period not in periods:
            periods.append(node.period)
    by_period: dict[str, list[MapNode]] = {p: [] for p in periods}
    for node in ripple_map.nodes:
        by_period[node.period].append(node)

    columns = _timeline_legend(graph, ripple_map.legend)
    names = columns[0] + columns[1]
    # The spine: one chain of period nodes, kept straight, left to right.
    for index, period in enumerate(periods):
        graph.node(f"period{index}", label=dot_lines(wrap_title(period, limit=SHORT_LIMIT)),
                   shape="box",
                   style="filled,rounded", fillcolor="#e6ecf2", color=SPINE_COLOUR,
                   fontsize="16", group="spine", id=f"period-{index}",
                   **{"class": "period"})
    for index in range(1, len(periods)):
        graph.edge(f"period{index - 1}", f"period{index}", color=SPINE_COLOUR,
                   penwidth="3", arrowhead="none", weight="100")
    if names and periods:
        graph.edge((columns[1] or columns[0])[0], "period0", style="invis")
    for index, period in enumerate(periods):
        with graph.subgraph() as same:
            same.attr(rank="same")
            same.node(f"period{index}")
            same.body.extend(item_line(node) for node in by_period[period])
    _clusters(graph, ripple_map)
    graph.body.extend(edge_line(node_name(edge.cause_id), node_name(edge.effect_id),
                                edge.highlight)
                      for edge in ripple_map.edges)
    return graph


def _clusters(graph: graphviz.Digraph, ripple_map: RippleMap) -> None:
    """Group nodes that carry a ``cluster`` (a combined, Meta-REM style map) in a box each.

    Maps without clusters are drawn exactly as before. On the timeline (``newrank``)
    each box becomes a band along the shared spine.
    """
    names = list(dict.fromkeys(node.cluster for node in ripple_map.nodes if node.cluster))
    for index, name in enumerate(names):
        with graph.subgraph(name=f"cluster_group{index}") as cluster:
            cluster.attr(label=dot_text(shorten(name, SHORT_LIMIT)), fontname=FONT,
                         fontsize="16", style="rounded", color=SPINE_COLOUR,
                         labeljust="l", id=f"group-{index}")
            for node in ripple_map.nodes:
                if node.cluster == name:
                    cluster.node(node_name(node.id))


def _radial(ripple_map: RippleMap) -> graphviz.Digraph:
    """Build the radial map: the collaboration in the centre, ripples outwards."""
    graph = _new_graph(ripple_map, "twopi")
    graph.attr("graph", root="centre", ranksep="1.6", splines="false", overlap="false",
               outputorder="edgesfirst")
    graph.node("centre", label=dot_lines(wrap_title(ripple_map.centre_label)), shape="box",
               style="filled,rounded,bold", fillcolor=CENTRE_FILL, color=CENTRE_FILL,
               fontcolor="white", fontsize="14", id="centre", **{"class": "centre"})
    ids = ripple_map.node_ids()
    has_cause = {e.effect_id for e in ripple_map.edges
                 if e.cause_id in ids and e.effect_id in ids}
    graph.body.extend(item_line(node) for node in ripple_map.nodes)
    for node in ripple_map.nodes:
        if node.is_activity:
            graph.edge("centre", node_name(node.id), color=SPINE_COLOUR, arrowhead="none")
        elif node.id not in has_cause:
            graph.edge("centre", node_name(node.id), color=SPINE_COLOUR, style="dashed",
                       arrowhead="none")
    graph.body.extend(edge_line(node_name(edge.cause_id), node_name(edge.effect_id),
                                edge.highlight)
                      for edge in ripple_map.edges)
    with graph.subgraph(name="legend") as legend:
        names = _legend_nodes(legend, ripple_map.legend, "radial")
        # A chain of invisible links keeps the samples together, title on top.
        for first, second in zip(names, names[1:], strict=False):
            legend.edge(second, first, style="invis")
    return graph


def engine_for(layout: str) -> str:
    """Return the Graphviz engine that draws ``layout``."""
    try:
        return LAYOUTS[layout]
    except KeyError:
        raise ValueError(f"unknown layout: {layout!r}") from None


def to_dot(ripple_map: RippleMap, layout: str) -> str:
    """Return the DOT source of ``ripple_map`` drawn as ``layout`` (timeline or radial)."""
    engine_for(layout)
    graph = _timeline(ripple_map) if layout == "timeline" else _radial(ripple_map)
    return graph.source


SUMMARY_EFFECT_FILL = "#f2f2f2"


def summary_to_dot(summary: SummaryMap) -> str:
    """Return the DOT source of a summarised map: groups on a time spine, links counted.

    Always drawn by ``dot`` from left to right, like the timeline: one node per group
    (a box for activities, an ellipse for effects) ranked with its period, and one
    arrow per pair of groups, as thick as the number of links it stands for.
    """
    graph = graphviz.Digraph(name="summarymap", engine="dot")
    graph.attr("graph", label=dot_text(shorten(summary.title, GRAPH_TITLE_LIMIT)),
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
                    attrs.update(shape="ellipse", style="filled", fillcolor=SUMMARY_EFFECT_FILL,
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
    """Render ``dot_source`` with ``engine`` into ``fmt`` (svg, png, pdf or dot)."""
    if fmt == "dot":
        return dot_source.encode("utf-8")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine: {engine!r}")
    if fmt not in RENDER_FORMATS:
        raise ValueError(f"unknown format: {fmt!r}")
    binary = shutil.which(engine)
    if binary is None:
        raise GraphvizMissing(f"Graphviz ({engine}) is not installed on this server.")
    try:
        result = subprocess.run(
            [binary, f"-T{fmt}"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RenderTimeout(f"Graphviz ({engine}) took longer than {timeout:g} s.") from exc
    except OSError as exc:
        raise RenderError(f"Graphviz ({engine}) could not be started: {exc}") from exc
    if result.returncode != 0 or not result.stdout:
        message = result.stderr.decode("utf-8", "replace").strip()[:500]
        raise RenderError(f"Graphviz ({engine}) failed: {message or result.returncode}")
    return result.stdout


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
