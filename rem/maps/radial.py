"""Geometry of the radial map: rings of ripple orders around the collaboration.

Twopi lays out a tree of the map (each effect under one cause of the order before it) to
give every node its direction and its size; this module then puts each node exactly on
the ring of its order (activities on ring 1, 1st-order effects on ring 2, ...), makes
each ring wide enough that its nodes do not overlap, and routes every link along the
rings (its radius moves steadily from cause to effect while its direction turns), so a
link never runs through the centre. Pure arithmetic in points; the renderer writes the
result as DOT for Graphviz to draw (``layout=nop2``: positions and splines as given).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

NODE_GAP = 12.0  # points between neighbours on a ring
RING_GAP = 30.0  # points between the outer edge of one ring's nodes and the next ring's
# Rings are ellipses this much wider than high: labels are wide boxes, and so are screens
# and landscape paper. The geometry is worked out on circles and stretched at the end.
ASPECT = 1.6
FULL_TURN = 2 * math.pi
FILL = 0.9  # the share of a ring's circumference its nodes may take
ARROW = 7.0  # points: the arrowhead (arrowsize 0.7) sits between the spline's end and e


@dataclass
class Box:
    """A node: its ring, its direction from the centre, its size, later its place."""

    name: str
    ring: int
    angle: float
    width: float
    height: float
    ellipse: bool = True
    x: float = 0.0
    y: float = 0.0

    def tangential(self, angle: float) -> float:
        """Return the node's extent along the ring at ``angle`` (in circle space)."""
        return abs(self.width / ASPECT * math.sin(angle)) + abs(self.height * math.cos(angle))

    def radial(self, angle: float) -> float:
        """Return the node's extent across the ring at ``angle`` (in circle space)."""
        return abs(self.width / ASPECT * math.cos(angle)) + abs(self.height * math.sin(angle))

    def inside(self, x: float, y: float) -> bool:
        """Tell whether the point lies inside the node's shape."""
        dx, dy = (x - self.x) / (self.width / 2 + 1), (y - self.y) / (self.height / 2 + 1)
        if self.ellipse:
            return dx * dx + dy * dy < 1
        return abs(dx) < 1 and abs(dy) < 1


@dataclass
class Rings:
    """The laid out map: ring radii (index 0 is the centre) and the boxes in place."""

    radii: list[float]
    boxes: dict[str, Box]
    label_angles: dict[int, float] = field(default_factory=dict)


def _wrap(angle: float) -> float:
    """Return ``angle`` in [0, 2π)."""
    return angle % FULL_TURN


def _spread(boxes: list[Box], radius: float) -> None:
    """Move the boxes of one ring apart along it, keeping their order and, as far as the
    room allows, their directions."""
    count = len(boxes)
    if count < 2:
        return
    boxes.sort(key=lambda b: _wrap(b.angle))
    angles = [_wrap(b.angle) for b in boxes]
    need = [((boxes[i].tangential(angles[i]) + boxes[(i + 1) % count].tangential(
        angles[(i + 1) % count])) / 2 + NODE_GAP) / radius for i in range(count)]
    have = [(angles[(i + 1) % count] - angles[i]) % FULL_TURN for i in range(count)]
    if count and have[-1] == 0:
        have[-1] = FULL_TURN - sum(have[:-1])
    slack = FULL_TURN - sum(need)
    spare = [max(0.0, h - n) for h, n in zip(have, need, strict=True)]
    total_spare = sum(spare) or 1.0
    steps = [n + max(0.0, slack) * s / total_spare for n, s in zip(need, spare, strict=True)]
    placed = [angles[0]]
    for step in steps[:-1]:
        placed.append(placed[-1] + step)
    # Turn the whole ring back so that the nodes move as little as possible on average.
    shift = math.atan2(sum(math.sin(a - p) for a, p in zip(angles, placed, strict=True)),
                       sum(math.cos(a - p) for a, p in zip(angles, placed, strict=True)))
    for box, angle in zip(boxes, placed, strict=True):
        box.angle = _wrap(angle + shift)


def lay_out(centre: Box, boxes: list[Box]) -> Rings:
    """Put ``centre`` at (0, 0) and every box on its ring; return the radii and places."""
    by_ring: dict[int, list[Box]] = {}
    for box in boxes:
        by_ring.setdefault(box.ring, []).append(box)
    radii = [0.0]
    previous = max(centre.width, centre.height)
    for ring in range(1, max(by_ring, default=0) + 1):
        members = by_ring.get(ring, [])
        outward = max((b.radial(b.angle) for b in members), default=0.0)
        around = sum(b.tangential(b.angle) + NODE_GAP for b in members)
        radius = max(radii[-1] + (previous + outward) / 2 + RING_GAP,
                     around / (FULL_TURN * FILL) if len(members) > 1 else 0.0)
        _spread(members, radius)
        radii.append(radius)
        previous = outward or previous
    for box in boxes:
        box.x = ASPECT * radii[box.ring] * math.cos(box.angle)
        box.y = radii[box.ring] * math.sin(box.angle)
    rings = Rings(radii, {box.name: box for box in [centre, *boxes]})
    for ring, members in by_ring.items():
        rings.label_angles[ring] = _widest_gap(members)
    return rings


def _widest_gap(members: list[Box]) -> float:
    """Return the direction in the middle of the widest empty stretch of a ring (for its
    label), preferring the top of the picture when the ring is nearly empty."""
    if len(members) < 2:
        only = members[0].angle if members else 0.0
        return _wrap(only + math.pi) if abs(math.sin(only) - 1) < 0.5 else math.pi / 2
    angles = sorted(_wrap(b.angle) for b in members)
    best, where = -1.0, math.pi / 2
    for i, angle in enumerate(angles):
        following = angles[(i + 1) % len(angles)] + (FULL_TURN if i == len(angles) - 1 else 0)
        if following - angle > best:
            best, where = following - angle, angle + (following - angle) / 2
    return _wrap(where)


def _path(start: Box, end: Box, lane: float, samples: int) -> list[tuple[float, float]]:
    """Return ``samples + 1`` points along the link from ``start`` to ``end``, at t = 0,
    1/samples, ..., 1: the radius moves from the cause's ring to the effect's (bowing out
    by ``lane`` in the middle) while the direction turns the short way round."""
    r0, r1 = math.hypot(start.x / ASPECT, start.y), math.hypot(end.x / ASPECT, end.y)
    a0 = math.atan2(start.y, start.x / ASPECT)
    turn = (math.atan2(end.y, end.x / ASPECT) - a0 + math.pi) % FULL_TURN - math.pi
    grown, cos, sin = r1 - r0, math.cos, math.sin
    points = []
    for t, bow in _steps(samples):
        radius = r0 + grown * t + lane * bow
        angle = a0 + turn * t
        points.append((ASPECT * radius * cos(angle), radius * sin(angle)))
    return points


@functools.cache
def _steps(samples: int) -> tuple[tuple[float, float], ...]:
    """Return (t, sin(pi t)) for t = 0, 1/samples, ..., 1: the same for every link."""
    return tuple((i / samples, math.sin(math.pi * (i / samples))) for i in range(samples + 1))


def route(rings: Rings, start: Box, end: Box) -> tuple[list[tuple[float, float]],
                                                        tuple[float, float]]:
    """Return the spline points (3n+1 of them) and the arrow's end point of one link.

    The link follows the rings: its radius moves steadily from the cause's ring to the
    effect's while its direction turns the short way round, so it never crosses the
    centre. Between nodes of one ring it bows outwards, into the gap to the next ring.
    """
    straight = start.ring == 0 or abs(((math.atan2(end.y, end.x / ASPECT)
                                        - math.atan2(start.y, start.x / ASPECT)
                                        + math.pi) % FULL_TURN) - math.pi) < 0.05
    lane = 0.0
    if not straight and start.ring == end.ring:
        outer = rings.radii[start.ring + 1] if start.ring + 1 < len(rings.radii) else None
        lane = ((outer - rings.radii[start.ring]) / 2 if outer else RING_GAP)
    samples = 24
    points = _path(start, end, lane, samples)
    first = next((i for i, p in enumerate(points) if not start.inside(*p)), 0)
    last = next((i for i in range(samples, -1, -1) if not end.inside(*points[i])), samples)
    if last <= first:
        first, last = 0, samples
    tip = points[last]
    # Step back along the path by the arrow's length: the spline ends there.
    back = last
    while back > first and math.dist(points[back], tip) < ARROW:
        back -= 1
    path = points[first:back + 1]
    if len(path) < 2:
        path = [points[first], points[back] if back != first else tip]
    pieces = 1 if straight else max(1, min(8, round(len(path) / 8)))
    through = [path[round(i * (len(path) - 1) / pieces)] for i in range(pieces + 1)]
    return _bezier(through), tip


def _bezier(through: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Return cubic Bézier control points (3n+1) of a smooth curve through the points."""
    if len(through) == 2:
        (x0, y0), (x1, y1) = through
        return [(x0, y0), (x0 + (x1 - x0) / 3, y0 + (y1 - y0) / 3),
                (x0 + 2 * (x1 - x0) / 3, y0 + 2 * (y1 - y0) / 3), (x1, y1)]
    result = [through[0]]
    last = len(through) - 1
    for i in range(last):
        before = through[max(i - 1, 0)]
        here, there = through[i], through[i + 1]
        after = through[min(i + 2, last)]
        result.append((here[0] + (there[0] - before[0]) / 6, here[1] + (there[1] - before[1]) / 6))
        result.append((there[0] - (after[0] - here[0]) / 6, there[1] - (after[1] - here[1]) / 6))
        result.append(there)
    return result
