"""The map's legend: the samples it shows, as a box beside the timeline or as nodes beside
the radial map (remembered per legend, it is the same on every redraw)."""


from __future__ import annotations

import math
import threading

import cachetools
import graphviz

from rem.maps import radial
from rem.maps.dotwriter import _pos, dot_lines, dot_text, node_line
from rem.maps.labels import (
    TITLE_LIMIT,
    wrap_title,
)
from rem.maps.model import RippleMap
from rem.maps.styles import (
    ACTIVITY_FILL,
    FONT,
    SPINE_COLOUR,
    VALENCE_STYLE,
)


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
_LEGENDS: cachetools.LRUCache = cachetools.LRUCache(64)
_LEGENDS_LOCK = threading.Lock()


def _timeline_legend(graph: graphviz.Digraph, ripple_map: RippleMap
                     ) -> tuple[list[str], list[str]]:
    """Add the timeline's legend box to ``graph``; return its sample names in two columns."""
    key = ("timeline", tuple(sorted(ripple_map.legend.items())), tuple(ripple_map.swatches),
           tuple(ripple_map.themes))
    with _LEGENDS_LOCK:
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
        with _LEGENDS_LOCK:
            _LEGENDS[key] = (graph.body[start:], columns)
        return columns
    lines, columns = known
    graph.body.extend(lines)
    return columns


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


# What the map's legend box says, in this order, for a map printed without it.
_PAPER_KEYS = ("activity", "intended", "unintended", "intended_unknown", "positive",
               "negative", "mixed", "valence_unknown", "link", "dimmed")


def _drawn(ripple_map: RippleMap) -> set[str]:
    """The legend keys of what ``ripple_map`` draws (a key on paper names only those: a
    reader of the printed year looks for every sign it explains)."""
    nodes = ripple_map.nodes
    effects = [node for node in nodes if not node.is_activity]
    drawn = {"link"} if ripple_map.edges else set()
    if len(effects) < len(nodes):
        drawn.add("activity")
    for node in effects:
        drawn.add({True: "intended", False: "unintended"}.get(node.intended,
                                                              "intended_unknown"))
        drawn.add(node.valence if node.valence in ("positive", "negative", "mixed")
                  else "valence_unknown")
    if any(node.dimmed for node in nodes):
        drawn.add("dimmed")
    return drawn


def paper_key(ripple_map: RippleMap) -> list[list[str]]:
    """Return the legend of a map printed without its legend box (on paper a timeline is
    drawn in the wall's columns, which have none: rem.maps.drawing.paper_layout), for
    the signs the map draws, as ``[text, colour]`` pairs (colour "" when the text needs
    no swatch), JSON-ready so an adopted review can keep it with its frozen map."""
    legend = ripple_map.legend
    drawn = _drawn(ripple_map)
    lines = [[legend[key], ""] for key in _PAPER_KEYS if legend.get(key) and key in drawn]
    lines += [[swatch.label, swatch.fill] for swatch in ripple_map.swatches]
    if ripple_map.themes and legend.get("theme_band"):
        lines.append([legend["theme_band"], ""])
        lines += [[theme.name, theme.colour] for theme in ripple_map.themes]
    return lines
