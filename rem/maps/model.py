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
)


@dataclass
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

    @property
    def is_activity(self) -> bool:
        """Tell whether the node is an activity."""
        return self.kind == ACTIVITY


@dataclass
class MapEdge:
    """A ripple link: ``cause_id`` led to ``effect_id``."""

    cause_id: int
    effect_id: int


@dataclass
class RippleMap:
    """Everything needed to draw one map, in drawing order."""

    title: str
    centre_label: str
    nodes: list[MapNode]
    edges: list[MapEdge]
    legend: dict[str, str] = field(default_factory=dict)
    periods: list[str] = field(default_factory=list)

    def node_ids(self) -> set[int]:
        """Return the ids of the drawn nodes."""
        return {node.id for node in self.nodes}
