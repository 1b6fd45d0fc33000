"""Pure graph logic for ripple maps: cycle checks and ripple orders.

Kept free of the database so that it is easy to test and reuse in exports,
analysis and imports.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable


def reaches(edges: Iterable[tuple[int, int]], start: int, goal: int) -> bool:
    """Tell whether ``goal`` can be reached from ``start`` along cause -> effect edges."""
    forward: dict[int, list[int]] = defaultdict(list)
    for cause, effect in edges:
        forward[cause].append(effect)
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return True
        for nxt in forward[node]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return False


def would_cycle(edges: Iterable[tuple[int, int]], cause: int, effect: int) -> bool:
    """Tell whether adding ``cause -> effect`` would close a cycle."""
    return cause == effect or reaches(edges, effect, cause)


def ripple_orders(
    activities: Iterable[int], edges: Iterable[tuple[int, int]]
) -> dict[int, int]:
    """Return each reachable item's ripple order: its shortest distance from an activity.

    Activities have order 0; an effect that grew directly from an activity has
    order 1, and so on. Effects that no activity reaches are left out: their
    order is unknown, not zero.
    """
    forward: dict[int, list[int]] = defaultdict(list)
    for cause, effect in edges:
        forward[cause].append(effect)
    orders: dict[int, int] = {}
    queue: deque[int] = deque()
    for activity in activities:
        orders[activity] = 0
        queue.append(activity)
    while queue:
        node = queue.popleft()
        for nxt in forward[node]:
            if nxt not in orders:
                orders[nxt] = orders[node] + 1
                queue.append(nxt)
    return orders


def downstream(start: int, edges: Iterable[tuple[int, int]]) -> set[int]:
    """Return every item that grew from ``start``, directly or further on."""
    forward: dict[int, list[int]] = defaultdict(list)
    for cause, effect in edges:
        forward[cause].append(effect)
    seen: set[int] = set()
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in forward[node]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def is_acyclic(edges: Iterable[tuple[int, int]]) -> bool:
    """Tell whether the edges form no cycle (Kahn's algorithm: one pass over the graph)."""
    forward: dict[int, list[int]] = defaultdict(list)
    indegree: dict[int, int] = defaultdict(int)
    for cause, effect in edges:
        forward[cause].append(effect)
        indegree[effect] += 1
        indegree.setdefault(cause, 0)
    queue = deque(node for node, count in indegree.items() if count == 0)
    done = 0
    while queue:
        node = queue.popleft()
        done += 1
        for nxt in forward[node]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                queue.append(nxt)
    return done == len(indegree)


def acyclic_additions(
    existing: Iterable[tuple[int, int]], new: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Split ``new`` edges into those that can be added to ``existing`` and those that
    would close a cycle, deciding in the given order (as adding them one by one would).

    ``existing`` is assumed acyclic. The whole graph is checked once; only when it has
    a cycle are the new edges tried one by one, in memory.
    """
    existing = list(existing)
    if is_acyclic(existing + new):
        return list(new), []
    forward: dict[int, list[int]] = defaultdict(list)
    for cause, effect in existing:
        forward[cause].append(effect)
    accepted: list[tuple[int, int]] = []
    refused: list[tuple[int, int]] = []
    for cause, effect in new:
        if cause == effect or _reaches(forward, effect, cause):
            refused.append((cause, effect))
        else:
            forward[cause].append(effect)
            accepted.append((cause, effect))
    return accepted, refused


def _reaches(forward: dict[int, list[int]], start: int, goal: int) -> bool:
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return True
        for nxt in forward.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return False
