"""What an analysis counts: the scope (collaborations as one person sees them, narrowed by theme
and dates), its visible live items as one SQL clause, and the per-collaboration memo of
the graph work and grouped counts (remembered by each collaboration's state tag)."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import cachetools
import sqlalchemy as sa

from rem.access import Access
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.ripples import graph
from rem.ripples.fingerprints import data_fingerprints
from rem.ripples.models import Kind, RippleItem, RippleLink, item_codes

# The kinds as stored (plain strings: enum attribute lookups cost in loops over items).
ACTIVITY = Kind.ACTIVITY.value
EFFECT = Kind.EFFECT.value

PERIODS = ("year", "quarter", "month")
UNKNOWN = "unknown"
NO_CODE = "none"

# measure -> which kind of item it counts
MEASURES = {
    "items_by_kind": None,
    "activities_by_code": ACTIVITY,
    "effects_by_code": EFFECT,
    "effects_by_order": EFFECT,
    "effects_by_intended": EFFECT,
    "effects_by_valence": EFFECT,
    "items_by_period": None,
    "activities_by_period": ACTIVITY,
    "effects_by_period": EFFECT,
    "effects_by_period_valence": EFFECT,  # group "2024-Q2:positive"
}


# Graph work and grouped counts are made per collaboration and remembered by what they are
# made of: the collaboration, which of its items the person sees (visible levels, theme,
# dates) and a state tag of that collaboration's data (its log stamp, which the database
# renews on any change of its items, their codes and its links, plus the codebooks), read
# for all collaborations of a scope in two statements. Any change gives that collaboration
# a new tag, so nothing stale is ever shown, and a change in one collaboration of a hub
# makes only that collaboration's part again. Every process keeps its own memo, oldest out first.
MEMO_SIZE = 8192
_MEMO: cachetools.LRUCache = cachetools.LRUCache(MEMO_SIZE)
_MEMO_LOCK = threading.Lock()


def _recall(key: tuple):
    with _MEMO_LOCK:
        return _MEMO.get(key)


def _keep(key: tuple, value) -> None:
    with _MEMO_LOCK:
        _MEMO[key] = value


class AnalysisError(ValueError):
    """A question the analysis cannot answer; the message is shown to the user."""


@dataclass
class GraphPart:
    """One collaboration's visible live items as ids: the link graph and ripple orders."""

    activities: list[int]
    links: list[tuple[int, int]]
    orders: dict[int, int]
    kinds: dict[int, str]
    # Links left out because they close a circle (a database the rules did not guard:
    # `flask --app rem check` finds and mends them); the analysis works on the rest.
    circular: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Scope:
    """What one analysis looks at: some collaborations, as one person sees them.

    ``code_id`` keeps only items with that code (a learning exchange's theme);
    ``date_from``/``date_to`` keep items whose date starts in that range (a review year).
    """

    title: str
    collaborations: list[Collaboration]
    access: Access
    code_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    _levels: dict[int, tuple[str, ...] | None] | None = field(default=None, repr=False)
    _tags: dict[int, tuple] | None = field(default=None, repr=False)
    _parts: dict[int, GraphPart] | None = field(default=None, repr=False)
    _graph: tuple | None = field(default=None, repr=False)
    _influence: list | None = field(default=None, repr=False)

    def levels(self) -> dict[int, tuple[str, ...] | None]:
        """Return per collaboration the person sees (by id) the visibility levels they see
        of it (None: every level); collaborations they see nothing of are left out."""
        if self._levels is None:
            self._levels = {}
            for collaboration in self.collaborations:
                levels = self.access.visible_levels(collaboration)
                if levels is None or levels:
                    self._levels[collaboration.id] = (
                        None if levels is None else tuple(sorted(levels)))
        return self._levels

    def clause(self, entity=RippleItem, *, dated: bool = True,
               only: Iterable[int] | None = None) -> sa.ColumnElement[bool]:
        """Return the SQL condition for the live items of the scope this person sees
        (of the collaborations in ``only``, when given).

        With ``dated=False`` the date range is left out (the graph: a 2024 effect of a
        2023 activity keeps its ripple order in a 2024 review).
        """
        # One IN list per set of visible levels (a hub of 100 collaborations is one or two
        # conditions, not 100 ORs: SQLite plans those badly).
        levels_of = self.levels()
        chosen = levels_of if only is None else {i: levels_of[i] for i in only
                                                 if i in levels_of}
        by_levels: dict[tuple[str, ...] | None, list[int]] = defaultdict(list)
        for collaboration_id, levels in chosen.items():
            by_levels[levels].append(collaboration_id)
        parts = []
        for levels, ids in by_levels.items():
            condition = (entity.collaboration_id == ids[0] if len(ids) == 1
                         else entity.collaboration_id.in_(ids))
            parts.append(condition if levels is None
                         else sa.and_(condition, entity.visibility.in_(levels)))
        if not parts:
            return sa.false()
        clause = sa.and_(entity.deleted_at.is_(None), sa.or_(*parts))
        if self.code_id is not None:
            clause = sa.and_(clause, entity.id.in_(
                sa.select(item_codes.c.item_id).where(item_codes.c.code_id == self.code_id)))
        if dated and self.date_from is not None:
            clause = sa.and_(clause, entity.date_start >= self.date_from)
        if dated and self.date_to is not None:
            clause = sa.and_(clause, entity.date_start <= self.date_to)
        return clause

    # --- remembering, per collaboration ------------------------------------------------

    def state_tags(self) -> dict[int, tuple]:
        """Return per collaboration a tag that changes whenever its items, links or codes
        (or the codebooks) change: two statements per request."""
        if self._tags is None:
            self._tags = data_fingerprints(list(self.levels()))
        return self._tags

    def _keys(self, what: str, dated: bool) -> dict[int, tuple]:
        tags = self.state_tags()
        dates = (self.date_from, self.date_to) if dated else (None, None)
        return {cid: (what, cid, levels, self.code_id, dates, tags.get(cid))
                for cid, levels in self.levels().items()}

    def combined(self, what: str, make, merge, *, dated: bool = True):
        """Return ``merge(parts)`` of the parts (see :meth:`parts`), itself remembered
        while no part changes (a hub's counts are not added up again on every request)."""
        keys = self._keys(what, dated)
        whole = ("whole", what, tuple(keys.values()))
        value = _recall(whole)
        if value is None:
            value = merge(self.parts(what, make, dated=dated, keys=keys))
            _keep(whole, value)
        return value

    def parts(self, what: str, make, *, dated: bool = True,
              keys: dict[int, tuple] | None = None) -> dict[int, object]:
        """Return per collaboration one remembered result; ``make(ids)`` computes the
        missing ones all at once and returns them by collaboration id."""
        keys = keys if keys is not None else self._keys(what, dated)
        found: dict[int, object] = {}
        missing = []
        for cid, key in keys.items():
            value = _recall(key)
            if value is None:
                missing.append(cid)
            else:
                found[cid] = value
        if missing:
            made = make(missing)
            for cid in missing:
                found[cid] = made[cid]
                _keep(keys[cid], made[cid])
        return found

    # --- the graph (ids only) ----------------------------------------------------------

    def graph_parts(self) -> dict[int, GraphPart]:
        """Return each collaboration's graph (over every date: orders are counted over what
        the person sees, as on the map)."""
        if self._parts is None:
            self._parts = self.parts("graph", self._load_graphs, dated=False)
        return self._parts

    def _load_graphs(self, ids: list[int]) -> dict[int, GraphPart]:
        # Core statements on the connection: rows of plain ids, no ORM loading. Links
        # never cross collaborations, so each collaboration is a graph of its own.
        conn = db.session.connection()
        parts = {cid: GraphPart([], [], {}, {}) for cid in ids}
        owner: dict[int, int] = {}
        for i, kind, cid in conn.execute(
                sa.select(RippleItem.id, RippleItem.kind, RippleItem.collaboration_id)
                .where(self.clause(dated=False, only=ids))).all():
            part = parts[cid]
            part.kinds[i] = kind
            owner[i] = cid
            if kind == ACTIVITY:
                part.activities.append(i)
        for cid, a, b in conn.execute(
                sa.select(RippleLink.collaboration_id, RippleLink.cause_id, RippleLink.effect_id)
                .where(RippleLink.collaboration_id.in_(ids), RippleLink.deleted_at.is_(None))
                .order_by(RippleLink.id)).all():
            if owner.get(a) == cid and owner.get(b) == cid:
                parts[cid].links.append((a, b))
        for part in parts.values():
            if not graph.is_acyclic(part.links):
                # Reach and chains assume no circles; leave out the newest link of each.
                part.links, part.circular = graph.acyclic_additions([], part.links)
            part.orders = graph.ripple_orders(part.activities, part.links)
        return parts

    def graph(self) -> tuple[list[int], list[tuple[int, int]], dict[int, int]]:
        """Return (activity ids, links, ripple orders) of the whole scope."""
        if self._graph is None:
            activities: list[int] = []
            links: list[tuple[int, int]] = []
            orders: dict[int, int] = {}
            for part in self.graph_parts().values():
                activities += part.activities
                links += part.links
                orders.update(part.orders)
            self._graph = (activities, links, orders)
        return self._graph

    def circular_links(self) -> dict[int, list[tuple[int, int]]]:
        """Return per collaboration the links the analysis leaves out (they close a circle)."""
        return {cid: part.circular for cid, part in self.graph_parts().items() if part.circular}

    @property
    def dated(self) -> bool:
        """Tell whether the scope is narrowed to a date range."""
        return self.date_from is not None or self.date_to is not None

    def effect_ids(self, ids: list[int] | None = None) -> dict[int, list[int]]:
        """Return per collaboration (of ``ids``, or all) the ids of its visible, live
        effects within the date range."""
        ids = list(self.levels()) if ids is None else ids
        found: dict[int, list[int]] = {cid: [] for cid in ids}
        if not self.dated:
            parts = self.graph_parts()
            for cid in ids:
                found[cid] = [i for i, kind in parts[cid].kinds.items() if kind == EFFECT]
            return found
        for i, cid in db.session.connection().execute(
                sa.select(RippleItem.id, RippleItem.collaboration_id)
                .where(self.clause(only=ids), RippleItem.kind == EFFECT)).all():
            found[cid].append(i)
        return found
