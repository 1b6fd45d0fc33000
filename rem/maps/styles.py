"""Colours and shapes of the map, in one place: the renderer draws them, the encodings
choose them, and the page's legend shows the same values.

Fills are light so that black label text keeps a contrast of at least 7:1; borders and
theme bands are the darker partner of each fill.
"""

from __future__ import annotations

FONT = "Helvetica,Arial,sans-serif"
# Graphviz knows this PostScript name: it measures bold text and writes font-weight="bold".
BOLD_FONT = "Helvetica-Bold"
ACTIVITY_FILL = "#1d4e89"
CENTRE_FILL = "#102a4c"
EDGE_COLOUR = "#5a6570"
SPINE_COLOUR = "#8a96a3"
HIGHLIGHT_COLOUR = "#111111"
RING_COLOUR = "#b3bcc6"
DIMMED_FILL = "#f4f5f6"
DIMMED_LINE = "#c3c9cf"
DIMMED_TEXT = "#8a929a"

VALENCE_STYLE = {
    # valence: (fill, border, label prefix)
    "positive": ("#bfe3c8", "#1b6e3a", "+"),
    "negative": ("#f3c0c0", "#a32020", "\u2212"),
    "mixed": ("#f7dc9c", "#8a5a00", "\u00b1"),
    None: ("#f2f2f2", "#4a5560", ""),
}
INTENDED_STYLE = {True: "solid", False: "dashed", None: "dotted"}

# The one palette of solid colours for charts and legends outside the map (rem/analysis):
# valence always in the map's valence colours (the dark partner of each fill: the borders on
# the map, the badges on the pages), activities in the map's activity colour, effects as a
# whole in a teal that no valence uses, so a bar of effects never reads as "negative".
# Each has a contrast of at least 3:1 on white, and the set stays apart under simulated
# deuteranopia and protanopia (tests/test_chart_palette.py).
CHART_COLOURS = {
    "activity": ACTIVITY_FILL,
    "effect": "#00798c",
    "positive": VALENCE_STYLE["positive"][1],
    "negative": VALENCE_STYLE["negative"][1],
    "mixed": VALENCE_STYLE["mixed"][1],
    "unknown": VALENCE_STYLE[None][1],
}
CHART_BACKGROUND = "#ffffff"
INTENDED_CLASS = {True: "intended", False: "unintended", None: "intended-unknown"}

# Ten categories (codes, themes): (light fill, dark border / band colour).
CATEGORY_PALETTE = (
    ("#cfe2f3", "#2b5d8a"),
    ("#fde2c4", "#a15c00"),
    ("#d5ecd4", "#2e6b2a"),
    ("#f6d3d3", "#9b2c2c"),
    ("#e3d7f0", "#5b3f8a"),
    ("#cdeef2", "#17707d"),
    ("#f9d9ec", "#9a3a72"),
    ("#eef0c8", "#6b6e12"),
    ("#f0e0cf", "#7a5230"),
    ("#dcdcf5", "#3c3c9a"),
)
OTHER_CATEGORY = ("#e4e4e4", "#555555")
# Ripple orders 1, 2, 3, 4, 5+ from light to darker blue (black text stays readable).
ORDER_PALETTE = (
    ("#eaf2fb", "#3f6d9c"),
    ("#cfe1f4", "#3f6d9c"),
    ("#b0cdea", "#2f5a86"),
    ("#8fb6de", "#244a70"),
    ("#6f9fd2", "#1b3a5a"),
)
UNKNOWN_ORDER = ("#f2f2f2", "#4a5560")


def category(index: int) -> tuple[str, str]:
    """Return the (fill, border) of category ``index`` (0-based); grey past the palette."""
    return CATEGORY_PALETTE[index] if 0 <= index < len(CATEGORY_PALETTE) else OTHER_CATEGORY


def order_colours(order: int | None) -> tuple[str, str]:
    """Return the (fill, border) of a ripple order (None: unknown)."""
    if order is None or order < 1:
        return UNKNOWN_ORDER
    return ORDER_PALETTE[min(order, len(ORDER_PALETTE)) - 1]
