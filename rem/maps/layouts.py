"""The two layouts as DOT: the timeline (a spine of periods, columns in date order, theme
clusters), the radial map (rings of ripple order, positions from a twopi run over its
tree, link routes around the centre) and the summarised map of a very large collaboration."""


from __future__ import annotations

import math
import re
import threading

import cachetools
import graphviz

from rem.maps import radial
from rem.maps.dotwriter import (
    FONT_SIZE,
    _edge,
    _new_graph,
    _pos,
    dot_lines,
    dot_text,
    edge_line,
    item_line,
    label_lines,
    node_line,
    node_name,
    tooltip_text,
)
from rem.maps.graphviz_process import render
from rem.maps.labels import (
    GRAPH_TITLE_LIMIT,
    SHORT_LIMIT,
    shorten,
    wrap_title,
)
from rem.maps.legend import _legend_samples, _place_legend, _timeline_legend
from rem.maps.model import MapNode, RippleMap, SummaryMap
from rem.maps.styles import (
    ACTIVITY_FILL,
    CENTRE_FILL,
    EDGE_COLOUR,
    FONT,
    RING_COLOUR,
    SPINE_COLOUR,
)

# "wall" is the projector's map (not offered on the map page: rem.maps.filters.LAYOUTS).
LAYOUTS = {"timeline": "dot", "radial": "nop2", "wall": "dot"}
# Above this many items the timeline's columns are not chained in date order: dot's handling
# of that many flat edges took 28 s instead of 0.3 s for 1,000 items (benchmarks/run.py).
CHAIN_MAX_ITEMS = 300
TREE_TIMEOUT = 60.0


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


# The projector's map box at 1920 x 1080 during a session (width / height, measured in
# Chromium by tests/browser/test_projector_map.py): the wall's columns give the map this
# shape, unless the page asks for its own box's (rem.maps.model.RippleMap.wall_aspect).
WALL_ASPECT = 1563 / 871
WALL_MAX_COLUMNS = 40
# Above this many items the projector draws the timeline (and zooms in on the newest):
# dot's cost of the columns' chains grows fast past it (see CHAIN_MAX_ITEMS).
WALL_MAX_ITEMS = CHAIN_MAX_ITEMS
WALL_RANKSEP = 0.3
WALL_NODESEP = 0.12
# How wide Graphviz draws text in Helvetica (its usual stand-ins, Noto Sans, Liberation
# Sans and Arial, have about these advance widths, in em): by kind of character, a lowercase
# letter for any other. A count of characters alone was 0.73-1.03 of the width drawn, which
# could give the wall one column too few or too many for its screen.
_WIDTH_EM = {
    **dict.fromkeys(" .,:;'!|ijlIJ", 0.27), **dict.fromkeys("ft()-", 0.35), "r": 0.41,
    **dict.fromkeys("cksvxyz", 0.5), "m": 0.94, "w": 0.79, **dict.fromkeys("MW", 0.92),
    **dict.fromkeys("ABCDEFGHKLNOPQRSTUVXYZ", 0.66), **dict.fromkeys("0123456789+–", 0.57),
    "…": 0.79,
}
_LETTER_EM = 0.59
# A line is about 1.1 em high; Graphviz draws bold text about a fifth wider.
_LINE_EM = 1.1
_BOLD_WIDTH = 1.2
_MARGIN_PT = (0.12 * 72, 0.06 * 72)


def _text_em(line: str) -> float:
    return sum(_WIDTH_EM.get(char, _LETTER_EM) for char in line)


def _estimate(node: MapNode, bold: bool = False) -> tuple[float, float]:
    """Return about how wide and high (points) dot draws ``node`` on the wall."""
    lines = label_lines(node)
    size = FONT_SIZE * node.scale
    em = max(_text_em(line) for line in lines) * (_BOLD_WIDTH if bold else 1.0)
    width = em * size + 2 * _MARGIN_PT[0]
    height = max(36.0, len(lines) * _LINE_EM * size + 2 * _MARGIN_PT[1])
    return width, height


def wall_rows(nodes: list[MapNode], aspect: float = WALL_ASPECT, *, bold: bool = False
              ) -> int:
    """Return how many items a column of the wall holds: the number that gives the map the
    screen's shape, so that it is drawn as large as the screen allows."""
    sizes = [_estimate(node, bold) for node in nodes]
    size = FONT_SIZE * max((node.scale for node in nodes), default=1.0)
    header = 2 * _LINE_EM * size + 2 * _MARGIN_PT[1] + 72 * WALL_NODESEP
    best, best_fit = max(1, len(nodes)), 0.0
    for columns in range(1, min(len(nodes), WALL_MAX_COLUMNS) + 1):
        rows = math.ceil(len(nodes) / columns)  # balanced columns
        chunks = [sizes[i:i + rows] for i in range(0, len(sizes), rows)]
        width = (sum(max(w for w, _h in chunk) for chunk in chunks)
                 + (len(chunks) - 1) * 72 * WALL_RANKSEP)
        height = header + max(sum(h for _w, h in chunk) + (len(chunk) - 1) * 72 * WALL_NODESEP
                              for chunk in chunks)
        fit = min(aspect / width, 1 / height)
        if fit > best_fit:
            best, best_fit = rows, fit
    return best


def _wall(ripple_map: RippleMap) -> graphviz.Digraph:
    """Build the projector's map: the items in date order (causes first) poured into
    columns like a newspaper's, left to right, each headed by the periods it spans; as
    many columns as make the map the shape of the screen's map box (``wall_aspect``), so its
    labels are as large as can be. The links do not move the items (``constraint=false``)."""
    graph = _new_graph(ripple_map, "dot")
    graph.attr("graph", label="", rankdir="LR", ranksep=str(WALL_RANKSEP),
               nodesep=str(WALL_NODESEP), newrank="true", splines="line",
               outputorder="edgesfirst")
    # Links thick enough to see across a room (the map is drawn at about 0.7 px a point).
    graph.attr("edge", penwidth="2", arrowsize="0.8")
    nodes = ripple_map.nodes
    rows = wall_rows(nodes, ripple_map.wall_aspect or WALL_ASPECT, bold=ripple_map.bold)
    columns = [nodes[i:i + rows] for i in range(0, len(nodes), rows)]
    size = FONT_SIZE * max((node.scale for node in nodes), default=1.0)
    for index, column in enumerate(columns):
        first, last = (shorten(node.period, SHORT_LIMIT) for node in (column[0], column[-1]))
        graph.node(f"period{index}", label=dot_lines([first] if first == last
                                                     else [f"{first} –", last]),
                   shape="box", style="filled,rounded", fillcolor="#e6ecf2",
                   color=SPINE_COLOUR, fontsize=f"{size:.1f}", id=f"period-{index}",
                   **{"class": "period"})
        with graph.subgraph() as same:
            same.attr(rank="same")
            same.node(f"period{index}")
            same.body.extend(item_line(node) for node in column)
        chain = [f"period{index}"] + [node_name(node.id) for node in column]
        graph.body.extend(f"\t{a} -> {b} [style=invis weight=100]\n"
                          for a, b in zip(chain, chain[1:], strict=False))
    for index in range(1, len(columns)):
        graph.edge(f"period{index - 1}", f"period{index}", color=SPINE_COLOUR,
                   penwidth="3", arrowhead="none", weight="100")
    # The links leave the columns alone, and are drawn straight: a curve that has to go
    # around the columns took a third of the map's height below them (measured).
    place = {node.id: (index // rows, index % rows) for index, node in enumerate(nodes)}
    graph.body.extend(edge_line(node_name(edge.cause_id), node_name(edge.effect_id),
                                edge.highlight, dimmed=edge.dimmed, free=True,
                                ports=_wall_ports(place, edge.cause_id, edge.effect_id))
                      for edge in ripple_map.edges)
    return graph


def _wall_ports(place: dict[int, tuple[int, int]], cause: int, effect: int
                ) -> tuple[str, str] | None:
    """Return the sides a link on the wall leaves its cause and reaches its effect by
    (``place``: each item's column and row): from one column to another, side to side,
    so that between neighbouring columns it runs in the gap between them, not behind the
    boxes; within a column, from the bottom of the box above to the top of the one below."""
    if cause not in place or effect not in place:
        return None
    (cause_column, cause_row), (effect_column, effect_row) = place[cause], place[effect]
    if cause_column != effect_column:
        return ("e", "w") if cause_column < effect_column else ("w", "e")
    return ("s", "n") if cause_row < effect_row else ("n", "s")


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


def item_lines(ripple_map: RippleMap) -> list[str]:
    """Return the DOT statement of every node of ``ripple_map``, in order: the radial map
    writes them twice (its tree, then the map), so its caller makes them once."""
    return [item_line(node) for node in ripple_map.nodes]


def radial_tree_dot(ripple_map: RippleMap, lines: list[str] | None = None) -> str:
    """Return the DOT of the radial map's tree, for twopi to give each node a direction
    (and Graphviz to measure every node and legend sample); ``lines``: the
    :func:`item_lines` of the map, when the caller has them."""
    graph = _new_graph(ripple_map, "twopi")
    graph.attr("graph", root="centre", ranksep="1.2", splines="false", overlap="true")
    graph.body.append(_centre_line(ripple_map))
    graph.body.extend(lines if lines is not None else item_lines(ripple_map))
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


_PLAIN_NODE_RE = re.compile(r"^node (\S+) (\S+) (\S+) (\S+) (\S+)", re.MULTILINE)


def parse_plain(text: bytes) -> dict[str, tuple[float, float, float, float]]:
    """Read Graphviz's ``-Tplain`` output: each node's centre and size, in points."""
    return {name.strip('"'): (float(x) * 72, float(y) * 72, float(width) * 72,
                              float(height) * 72)
            for name, x, y, width, height in _PLAIN_NODE_RE.findall(
                text.decode("utf-8", "replace"))}


def radial_dot(ripple_map: RippleMap, plain: bytes, lines: list[str] | None = None) -> str:
    """Return the DOT of the radial map: the nodes on the rings of their orders, the
    rings with their labels, every link routed round the centre, all positions given
    (``lines``: as for :func:`radial_tree_dot`)."""
    measured = parse_plain(plain)
    cx, cy, cw, ch = measured.get("centre", (0.0, 0.0, 100.0, 40.0))
    unknown = _unknown_ring(ripple_map)
    boxes = []
    names = [f"item{int(node.id)}" for node in ripple_map.nodes]  # node_name
    for node, name in zip(ripple_map.nodes, names, strict=True):
        x, y, width, height = measured.get(name, (cx + 1, cy, 120.0, 40.0))
        boxes.append(radial.Box(name, ring_of(node, unknown),
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
    boxes = rings.boxes
    for line, name in zip(lines if lines is not None else item_lines(ripple_map), names,
                          strict=True):
        box = boxes[name]
        graph.body.append(line)
        graph.body.append(f'\t{name} [pos="{box.x:.1f},{box.y:.1f}!"]\n')  # _pos
    for index in sorted(ripple_map.ring_labels):
        if index >= len(rings.radii) or index not in rings.label_angles:
            continue
        angle = rings.label_angles[index]
        radius = rings.radii[index]
        graph.body.append(node_line(f"ringlabel{index}", {
            **_ring_label_attrs(ripple_map, index),
            "pos": f"{_pos(radial.ASPECT * radius * math.cos(angle), radius * math.sin(angle))}!"}))
    for node, name in zip(ripple_map.nodes, names, strict=True):
        if node.is_activity:
            box = rings.boxes[name]
            graph.body.append(f'\tcentre -> {box.name} [arrowhead=none color="{SPINE_COLOUR}" '
                              f'pos="{_routed(rings, centre, box, arrow=False)}"]\n')
    for edge in ripple_map.edges:
        start = boxes.get(f"item{int(edge.cause_id)}")  # node_name
        end = boxes.get(f"item{int(edge.effect_id)}")
        if start is None or end is None:
            continue
        # A link's statement always ends in its attributes ("...]\n"): the route joins them.
        graph.body.append(f'{_edge(edge)[:-2]} pos="{_routed(rings, start, end, arrow=True)}"]\n')
    _place_legend(graph, ripple_map, measured, rings)
    return graph.source


# Routed links, kept per process by everything their route is made of: the two boxes and
# the rings around the cause. An edit moves few nodes, so a redrawn map routes few links.
ROUTE_CACHE_SIZE = 8192  # about 1 KB each: key and pos
_ROUTES: cachetools.LRUCache = cachetools.LRUCache(ROUTE_CACHE_SIZE)
_ROUTES_LOCK = threading.Lock()


def _routed(rings: radial.Rings, start: radial.Box, end: radial.Box, *, arrow: bool) -> str:
    """Return the ``pos`` of the link from ``start`` to ``end`` (:func:`radial.route`)."""
    ring = start.ring
    key = (start.ring, start.x, start.y, start.width, start.height, start.ellipse,
           end.ring, end.x, end.y, end.width, end.height, end.ellipse,
           tuple(rings.radii[ring:ring + 2]), arrow)
    with _ROUTES_LOCK:
        pos = _ROUTES.get(key)
    if pos is None:
        points, tip = radial.route(rings, start, end)
        pos = _spline(points, tip if arrow else None)
        with _ROUTES_LOCK:
            _ROUTES[key] = pos
    return pos


def _spline(points: list[tuple[float, float]], tip: tuple[float, float] | None) -> str:
    """Return an edge ``pos`` value: the arrow's end (when there is an arrow), then the
    spline's control points."""
    body = " ".join(_pos(x, y) for x, y in points)
    return f"e,{_pos(*tip)} {body}" if tip is not None else body


def engine_for(layout: str) -> str:
    """Return the Graphviz engine named in the DOT of ``layout``."""
    try:
        return LAYOUTS[layout]
    except KeyError:
        raise ValueError(f"unknown layout: {layout!r}") from None


def to_dot(ripple_map: RippleMap, layout: str, plain: bytes | None = None,
           lines: list[str] | None = None) -> str:
    """Return the DOT source of ``ripple_map`` drawn as ``layout`` (timeline or radial).

    The radial map needs ``plain``: twopi's ``-Tplain`` output of
    :func:`radial_tree_dot`; without it twopi is run here (``rem.maps.drawing`` runs it
    through the render cache instead, and hands over the :func:`item_lines` it made for
    the tree as ``lines``).
    """
    engine_for(layout)
    if layout == "timeline":
        return _timeline(ripple_map).source
    if layout == "wall":
        return _wall(ripple_map).source
    lines = lines if lines is not None else item_lines(ripple_map)
    if plain is None:
        plain = render(radial_tree_dot(ripple_map, lines), "twopi", "plain", TREE_TIMEOUT)
    return radial_dot(ripple_map, plain, lines)


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
