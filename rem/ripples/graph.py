"""Pure graph logic for ripple maps: cycle checks and ripple orders.

Kept free of the database so that it is easy to test and reuse in exports,
analysis and imports.
"""

from __future__ import annotations

import heapq
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


def narrowed_middles(spans: dict[int, tuple[int, int]],
                     edges: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Return per id of ``spans`` (first and last day, as day numbers) the middle of its
    period after narrowing it by its links: an effect did not happen before its cause
    began, and a cause did not happen after its effect ended.

    "2024" that caused something on 12 March 2024 lies between 1 January and 12 March, so
    it stands in February, not in July after its own effect; an effect "2024" of something
    on 5 October lies after 5 October. A narrowing that would leave nothing (the dates
    contradict the link) is skipped: the item keeps the period it was given.
    """
    forward: dict[int, list[int]] = defaultdict(list)
    for cause, effect in edges:
        if cause in spans and effect in spans and cause != effect:
            forward[cause].append(effect)
    low = {node: span[0] for node, span in spans.items()}
    high = {node: span[1] for node, span in spans.items()}
    order = time_order(dict.fromkeys(spans, ()),
                       [(c, e) for c, es in forward.items() for e in es])
    for cause in order:  # causes first: a start moves down the chain
        for effect in forward.get(cause, ()):
            if low[effect] < low[cause] <= high[effect]:
                low[effect] = low[cause]
    for cause in reversed(order):  # effects first: an end moves up the chain
        for effect in forward.get(cause, ()):
            if high[cause] > high[effect] >= low[cause]:
                high[cause] = high[effect]
    return {node: (low[node] + high[node]) // 2 for node in spans}


def time_order(keys: dict[int, tuple], before: Iterable[tuple[int, int]]) -> list[int]:
    """Return the ids of ``keys`` sorted by their key, except that for every pair
    ``(cause, effect)`` of ``before`` (both in ``keys``) the cause comes first.

    Kahn's algorithm with the keys as priority: of the items whose causes are all placed,
    the one with the lowest key goes next. An effect whose cause sorts later waits for it
    and comes after it as soon as it may (nothing else moves for it). The pairs must form no
    circle (ripple links never do); an item caught in one would be left out, so such items
    are put at the end in key order rather than lost. Equal keys go by id.

    The ids are sorted by key once, and the queue holds their places in that order (plain
    integers compare much faster than the keys). When every cause already sorts before
    its effects, as in most logs, that sorted order is the answer.
    """
    ranked = [node for _key, node in sorted((key, node) for node, key in keys.items())]
    rank = {node: place for place, node in enumerate(ranked)}
    waiting = [0] * len(ranked)
    forward: dict[int, list[int]] = defaultdict(list)
    upwards = False
    for cause, effect in before:
        first, then = rank.get(cause), rank.get(effect)
        if first is None or then is None or first == then:
            continue
        forward[first].append(then)
        waiting[then] += 1
        upwards = upwards or first > then
    if not upwards:  # no pair to put right, and so no circle either
        return ranked
    ready = [place for place, count in enumerate(waiting) if count == 0]  # sorted: a heap
    ordered: list[int] = []
    while ready:
        place = heapq.heappop(ready)
        ordered.append(place)
        for effect in forward.get(place, ()):
            waiting[effect] -= 1
            if waiting[effect] == 0:
                heapq.heappush(ready, effect)
    if len(ordered) < len(ranked):
        placed = set(ordered)
        ordered += [place for place in range(len(ranked)) if place not in placed]
    return [ranked[place] for place in ordered]
