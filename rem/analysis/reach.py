"""Influence: each activity's downstream reach over the link id pairs, meeting points (effects
with several causes), the longest chain from an activity, effects without a cause."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from rem.analysis.scope import ACTIVITY, EFFECT, Scope
from rem.codes.models import Code, Codebook
from rem.collaborations.models import Collaboration
from rem.core.dates import FuzzyDate, Precision
from rem.extensions import db
from rem.ripples.models import RippleItem, item_codes

# --- influence ------------------------------------------------------------------------


@dataclass
class Reach:
    """How far one activity's ripples went."""

    id: int
    title: str
    collaboration: Collaboration
    date_start: date
    date_precision: str
    reach: int
    direct: int
    longest_chain: int  # links of the longest chain from this activity (see reach_table)
    code_bits: int  # the codes reached, one bit each in the order of ``code_names``
    code_names: tuple[str, ...]  # "book:code" of every code of the scope's effects

    @property
    def codes(self) -> list[str]:
        """Return the codes reached ("book:code"), sorted (made when asked for)."""
        found, bits = [], self.code_bits
        while bits:
            lowest = bits & -bits
            found.append(self.code_names[lowest.bit_length() - 1])
            bits ^= lowest
        return found

    @property
    def code_count(self) -> int:
        """Return how many codes were reached."""
        return self.code_bits.bit_count()

    @property
    def date_label(self) -> str:
        """Return the activity's date as the timeline writes it (made when shown)."""
        return FuzzyDate.of(self.date_start, Precision(self.date_precision)).label()


@dataclass
class MeetingPoint:
    """An effect with several causes: where ripples meet."""

    id: int
    title: str
    collaboration: Collaboration
    causes: list[tuple[int, str]]


def _topological(nodes: set[int], forward: dict[int, list[int]]) -> list[int]:
    """Return ``nodes`` so that every cause comes before its effects (Kahn)."""
    indegree = dict.fromkeys(nodes, 0)
    for cause in nodes:
        for effect in forward.get(cause, ()):
            indegree[effect] += 1
    order = [n for n in nodes if indegree[n] == 0]
    index = 0
    while index < len(order):
        for effect in forward.get(order[index], ()):
            indegree[effect] -= 1
            if indegree[effect] == 0:
                order.append(effect)
        index += 1
    return order


def reach_table(nodes: set[int], links: list[tuple[int, int]], codes: dict[int, int],
                wanted: set[int] | None = None) -> dict[int, tuple[int, int, int]]:
    """Return per node of ``wanted`` (every node when None): how many nodes grew from it
    (reach), the number of links of the longest chain from it and the bits of the codes
    of the nodes that grew from it.

    The longest chain is how far this node's ripples travelled, counted from the node
    itself; it is what ``chain_from`` draws and the influence table shows. It is not the
    ripple order of the furthest effect: that order is the shortest distance from *any*
    activity, so an effect that another activity reaches sooner has a lower order than its
    distance from this one. (The shortest distance from this activity to its furthest
    effect would need a walk per activity; the longest chain falls out of the one pass.)

    Pure graph work on ids: every node's downstream set as one integer bitset, built
    from the effects up (reverse topological order), so a node costs a few big-integer
    ORs instead of its own walk over the graph. ``codes`` holds per node a bitset of its
    codes.
    """
    forward: dict[int, list[int]] = defaultdict(list)
    for cause, effect in links:
        forward[cause].append(effect)
    wanted = nodes if wanted is None else wanted & nodes
    # Per node, what a cause takes over from it (the node itself included): its bit and
    # those below it, the longest chain from it, its codes and those below it.
    below: dict[int, int] = {}
    depth: dict[int, int] = {}
    coded: dict[int, int] = {}
    result: dict[int, tuple[int, int, int]] = {}
    codes_of = codes.get
    bit = 1  # any bit per node will do: only the counts of set bits are read
    for node in reversed(_topological(nodes, forward)):
        reached = reached_codes = 0
        longest = 0
        for effect in forward.get(node, ()):
            reached |= below[effect]
            reached_codes |= coded[effect]
            if depth[effect] + 1 > longest:
                longest = depth[effect] + 1
        if node in wanted:
            result[node] = (reached.bit_count(), longest, reached_codes)
        below[node] = reached | bit
        bit <<= 1
        depth[node] = longest
        coded[node] = reached_codes | codes_of(node, 0)
    return result


def chain_from(start: int, links: list[tuple[int, int]]) -> list[int]:
    """Return the longest chain of links from ``start`` (ids, start first; of equally
    long chains, the one that takes the lowest id at each step)."""
    forward: dict[int, list[int]] = defaultdict(list)
    for cause, effect in links:
        forward[cause].append(effect)
    length: dict[int, int] = {}  # links of the longest chain from a node
    entered: set[int] = set()  # on the way down; a link back to one would be a cycle
    stack = [start]
    while stack:  # depth first, without recursion (chains can be long)
        node = stack[-1]
        if node in length:
            stack.pop()
            continue
        entered.add(node)
        waiting = [e for e in forward.get(node, ()) if e not in length and e not in entered]
        if waiting:
            stack.extend(waiting)
            continue
        stack.pop()
        length[node] = max((length[e] + 1 for e in forward.get(node, ()) if e in length),
                           default=0)
    path = [start]
    while effects := [e for e in forward.get(path[-1], ()) if e in length and e not in path]:
        best = max(length[e] for e in effects)
        path.append(min(e for e in effects if length[e] == best))
    return path


def circle_messages(scope: Scope) -> list[str]:
    """Return a plain message per collaboration whose graph has circles (the rules never
    make one; an old database might hold them), naming the links the analysis leaves out."""
    circular = scope.circular_links()
    if not circular:
        return []
    shown = {cid: pairs[:10] for cid, pairs in circular.items()}
    ids = {i for pairs in shown.values() for pair in pairs for i in pair}
    titles = dict(db.session.execute(
        sa.select(RippleItem.id, RippleItem.title).where(RippleItem.id.in_(ids))).all())
    names = {c.id: c.name for c in scope.collaborations}
    messages = []
    for cid, pairs in sorted(shown.items()):
        # The links are joined first: a _() inside ngettext()'s arguments hides the plural
        # from Babel's extractor.
        links = ", ".join(_("“%(cause)s” → “%(effect)s”", cause=titles.get(a, "?"),
                            effect=titles.get(b, "?")) for a, b in pairs)
        messages.append(ngettext(
            "De rimpelkaart van “%(name)s” loopt in een kring, en dat hoort niet. De analyse "
            "laat %(num)d verbinding weg: %(links)s. Haal een verbinding in de kring weg, of vraag "
            "de beheerder om “flask --app rem check --fix”.",
            "De rimpelkaart van “%(name)s” loopt in een kring, en dat hoort niet. De analyse "
            "laat %(num)d verbindingen weg: %(links)s. Haal een verbinding in de kring "
            "weg, of vraag de beheerder om “flask --app rem check --fix”.", len(pairs),
            name=names.get(cid, "?"), links=links))
    return messages


def influence(scope: Scope) -> list[Reach]:
    """Rank the scope's activities by downstream reach (remembered on the scope)."""
    if scope._influence is not None:
        return scope._influence
    collaborations = {c.id: c for c in scope.collaborations}
    names, bit_of = _code_bits()

    def ranked(parts: dict[int, list[tuple]]) -> list[tuple]:
        return sorted((row for part in parts.values() for row in part),
                      key=lambda r: (-r[5], -r[7], r[0]))

    rows = scope.combined("influence", lambda ids: _influence_parts(scope, ids, bit_of),
                          ranked, dated=False)
    scope._influence = [
        Reach(id=i, title=title, collaboration=collaborations[cid], date_start=start,
              date_precision=precision, reach=reach, direct=direct, longest_chain=top,
              code_bits=bits, code_names=names)
        for i, title, cid, start, precision, reach, direct, top, bits in rows]
    return scope._influence


def _code_bits() -> tuple[tuple[str, ...], dict[int, int]]:
    """Return the names ("book:code") of every code, sorted, and per code id its bit:
    bits numbered in name order, so that reading a set of bits from the lowest up gives
    the names sorted. (Remembered parts stay right: a change of the codes changes every
    collaboration's state tag.)"""
    names = {code_id: f"{book}:{slug}" for code_id, book, slug in db.session.connection()
             .execute(sa.select(Code.id, Codebook.slug, Code.slug).join(Codebook))}
    ordered = tuple(sorted(set(names.values())))
    index_of = {name: index for index, name in enumerate(ordered)}
    return ordered, {code_id: 1 << index_of[name] for code_id, name in names.items()}


def _influence_parts(scope: Scope, ids: list[int], bit_of: dict[int, int]
                     ) -> dict[int, list[tuple]]:
    """Compute the ranking rows of these collaborations as plain tuples (for the memo):
    (id, title, collaboration id, date, precision, reach, direct effects, links of the
    longest chain, code bits)."""
    graphs = scope.graph_parts()
    conn = db.session.connection()
    info = {row[0]: row for row in conn.execute(
        sa.select(RippleItem.id, RippleItem.title, RippleItem.collaboration_id,
                  RippleItem.date_start, RippleItem.date_precision)
        .where(scope.clause(dated=False, only=ids), RippleItem.kind == ACTIVITY)).all()}
    item_bits: dict[int, int] = defaultdict(int)
    for item_id, code_id in conn.execute(
            sa.select(item_codes.c.item_id, item_codes.c.code_id)
            .join(RippleItem, RippleItem.id == item_codes.c.item_id)
            .where(scope.clause(dated=False, only=ids), RippleItem.kind == EFFECT)).all():
        item_bits[item_id] |= bit_of.get(code_id, 0)
    parts: dict[int, list[tuple]] = {}
    for cid in ids:
        part = graphs[cid]
        table = reach_table(set(part.kinds), part.links, item_bits, set(part.activities))
        direct: dict[int, int] = defaultdict(int)
        for cause, _effect in part.links:
            direct[cause] += 1
        rows = []
        for activity in part.activities:
            reach, top, bits = table[activity]
            _id, title, collaboration_id, start, precision = info[activity]
            rows.append((activity, title, collaboration_id, start, precision, reach,
                         direct[activity], top, bits))
        parts[cid] = rows
    return parts


def meeting_points(scope: Scope, limit: int | None = None) -> tuple[list[MeetingPoint], int]:
    """Return the effects with several causes (most causes first; titles loaded only for
    the first ``limit``) and how many there are."""
    several = scope.combined(
        "meeting", lambda ids: {cid: _meeting(scope.graph_parts()[cid].links) for cid in ids},
        lambda parts: sorted((pair for part in parts.values() for pair in part),
                             key=lambda pair: (-len(pair[1]), pair[0])), dated=False)
    shown = several if limit is None else several[:limit]
    ids = {effect for effect, _cs in shown} | {c for _effect, cs in shown for c in cs}
    titles: dict[int, tuple[str, int]] = {}
    for chunk in range(0, len(ids), 900):  # SQLite allows 999 parameters in one IN list
        part = sorted(ids)[chunk:chunk + 900]
        titles.update({i: (t, c) for i, t, c in db.session.connection().execute(
            sa.select(RippleItem.id, RippleItem.title, RippleItem.collaboration_id)
            .where(RippleItem.id.in_(part)))})
    collaborations = {c.id: c for c in scope.collaborations}
    points = [MeetingPoint(id=effect, title=titles[effect][0],
                           collaboration=collaborations[titles[effect][1]],
                           causes=[(c, titles[c][0]) for c in cs])
              for effect, cs in shown]
    return points, len(several)


def _meeting(links: list[tuple[int, int]]) -> list[tuple[int, list[int]]]:
    """Return (effect, sorted causes) of every effect with several causes."""
    several = {effect for effect, count in Counter(e for _c, e in links).items() if count > 1}
    causes: dict[int, list[int]] = defaultdict(list)
    for cause, effect in links:
        if effect in several:
            causes[effect].append(cause)
    return [(effect, sorted(cs)) for effect, cs in causes.items()]


def longest_path(scope: Scope, start: int) -> list[int]:
    """Return the longest chain of effects that grew from ``start`` (ids, start first)."""
    _activities, links, _orders = scope.graph()
    return chain_from(start, links)


def without_cause(scope: Scope) -> int:
    """Count the scope's effects that grew from nothing yet (no live visible cause)."""
    def count(ids: list[int]) -> dict[int, int]:
        graphs = scope.graph_parts()
        counted = {}
        for cid, effects in scope.effect_ids(ids).items():
            has_cause = {effect for _cause, effect in graphs[cid].links}
            counted[cid] = sum(1 for i in effects if i not in has_cause)
        return counted

    return scope.combined("without_cause", count, lambda parts: sum(parts.values()))
