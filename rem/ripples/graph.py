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
