"""The text alternative of a map: activities with what grew from them, then the rest.

The page writes it with ``outline_html``; exchanges and session reports use it too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rem.maps.model import MapNode, RippleMap

OUTLINE_MAX_DEPTH = 10


@dataclass
class OutlineEntry:
    """One item in the text alternative, with what grew from it."""

    node: MapNode
    children: list[OutlineEntry] = field(default_factory=list)
    repeat: bool = False


@dataclass
class Outline:
    """The text alternative of a map: activities with their ripples, then the rest."""

    activities: list[OutlineEntry]
    without_cause: list[OutlineEntry]


def outline(ripple_map: RippleMap) -> Outline:
    """Return the map as nested lists: each effect in full once, later only by name.

    Effects without an activity anywhere upstream come under "Zonder oorzaak".
    Nesting stops at a fixed depth; deeper ripples are listed flat at that depth.
    """
    by_id = {node.id: node for node in ripple_map.nodes}
    position = {node.id: index for index, node in enumerate(ripple_map.nodes)}
    grew: dict[int, list[int]] = defaultdict(list)
    has_cause: set[int] = set()
    for edge in ripple_map.edges:
        if edge.cause_id in by_id and edge.effect_id in by_id:
            grew[edge.cause_id].append(edge.effect_id)
            has_cause.add(edge.effect_id)
    for children in grew.values():
        children.sort(key=position.__getitem__)
    seen: set[int] = set()

    def expand(node_id: int, depth: int) -> OutlineEntry:
        """Return the entry for ``node_id`` with its (not yet shown) descendants."""
        if node_id in seen:
            return OutlineEntry(by_id[node_id], repeat=True)
        seen.add(node_id)
        entry = OutlineEntry(by_id[node_id])
        if depth < OUTLINE_MAX_DEPTH:
            entry.children = [expand(child, depth + 1) for child in grew[node_id]]
            return entry
        queue = list(grew[node_id])
        while queue:  # too deep to nest: list the rest flat, each once
            child = queue.pop(0)
            if child in seen:
                continue
            seen.add(child)
            entry.children.append(OutlineEntry(by_id[child]))
            queue.extend(grew[child])
        return entry

    activities = [expand(node.id, 0) for node in ripple_map.nodes if node.is_activity]
    without = [expand(node.id, 0) for node in ripple_map.nodes
               if not node.is_activity and node.id not in has_cause and node.id not in seen]
    return Outline(activities, without)


