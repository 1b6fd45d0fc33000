"""Plain data for one ripple map, free of the database and of Graphviz.

The builder fills these from the ripple log; the renderer turns them into DOT.
Keeping them plain makes both sides easy to test on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ACTIVITY = "activity"
EFFECT = "effect"

# Keys a legend may carry; the renderer shows the entries it is given, in this order.
LEGEND_KEYS = (
    "title",
    "activity",
    "intended",
    "unintended",
    "intended_unknown",
    "positive",
    "negative",
    "mixed",
    "valence_unknown",
    "link",
    "no_cause",
    "spine",
    "gap",
    "theme_band",
    "dimmed",
    "rings",
    "reach",
)


@dataclass(slots=True)
class MapNode:
    """One activity or effect as it is drawn."""

    id: int
    kind: str
    title: str
    date_label: str
    period: str
    order: int | None
    intended: bool | None
    valence: str | None
    codes: list[str]
    url: str
    tooltip: str
    cluster: str | None = None
    # Drawn with a thick double border (not only colour): one activity's ripples, or
    # what is new in a period on the map through time.
    highlight: bool = False
    # Drawn pale: outside the focus, or an earlier cause shown for context (a year's map).
    dimmed: bool = False
    # The ids of the themes the item is in (RippleMap.themes describes them).
    themes: tuple[int, ...] = ()
    # Intended and valence not asked yet (added by its title alone): the outline says so.
    unanswered: bool = False
    # Filled by encodings.apply for colour_by/size_by: None keeps the valence style.
    fill: str | None = None
    border: str | None = None
    # How many effects grew from an activity (size_by=reach), None when not asked.
    reach: int | None = None
    # Orders the items of one timeline column: the middle day of the item's period, as its
    # links narrow it (ripples.graph.narrowed_middles).
    middle: int = 0
    # Colours of the node's themes, drawn as a band under its label.
    bands: tuple[str, ...] = ()
    # size_by: the label's size as a multiple of the normal size, and a line that says why.
    scale: float = 1.0
    note: str = ""
    # The label's wrap width and most lines (0: the page's defaults), and a box for an
    # effect too: the projector's compact labels (rem.maps.builder.for_projector).
    wrap: int = 0
    max_lines: int = 0
    compact: bool = False

    @property
    def is_activity(self) -> bool:
        """Tell whether the node is an activity."""
        return self.kind == ACTIVITY


@dataclass(frozen=True)
class MapTheme:
    """A theme drawn on the map: a cluster (timeline) and a colour band on its effects."""

    id: int
    name: str
    colour: str


@dataclass(frozen=True)
class Swatch:
    """One entry of the colour legend: what a fill colour stands for."""

    label: str
    fill: str
    border: str


@dataclass(slots=True)
class MapEdge:
    """A ripple link: ``cause_id`` led to ``effect_id``."""

    cause_id: int
    effect_id: int
    highlight: bool = False
    dimmed: bool = False


@dataclass
class RippleMap:
    """Everything needed to draw one map, in drawing order."""

    title: str
    centre_label: str
    nodes: list[MapNode]
    edges: list[MapEdge]
    legend: dict[str, str] = field(default_factory=dict)
    periods: list[str] = field(default_factory=list)
    # Period labels (in ``periods``) that stand for a compressed stretch without items.
    gaps: set[str] = field(default_factory=set)
    granularity: str = "year"
    themes: list[MapTheme] = field(default_factory=list)
    color_by: str = "valence"
    size_by: str | None = None
    # The colour legend of color_by (valence keeps the fixed legend samples).
    swatches: list[Swatch] = field(default_factory=list)
    # Ring labels of the radial map by ring number: 1 activities, 2 the 1st order, ...
    ring_labels: dict[int, str] = field(default_factory=dict)
    # Labels in bold (the projector's high contrast): Graphviz measures them bold too.
    bold: bool = False
    # The shape (width / height) of the screen box the projector's wall is drawn for; None:
    # the box at 1920 x 1080 (rem.maps.layouts.WALL_ASPECT).
    wall_aspect: float | None = None

    def node_ids(self) -> set[int]:
        """Return the ids of the drawn nodes."""
        return {node.id for node in self.nodes}


@dataclass
class SummaryGroup:
    """The items of one period and one kind or code, drawn as one node of a summary map."""

    key: str
    period: str
    kind: str
    label: str
    count_label: str
    count: int = 0


@dataclass
class SummaryMap:
    """A map too large to draw item by item: groups of items, with their links counted.

    ``edges`` are (cause group key, effect group key, number of links); links inside
    one group are only counted (``inner_links``), and past a maximum the weakest
    edges are left out (``hidden_edges`` says how many).
    """

    title: str
    groups: list[SummaryGroup]
    edges: list[tuple[str, str, int]]
    periods: list[str]
    item_count: int
    link_count: int
    grouping: str = "code"
    inner_links: int = 0
    hidden_edges: int = 0
