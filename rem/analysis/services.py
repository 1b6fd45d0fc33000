"""Ripple analysis: counts by code, order, period, intention and valence; downstream reach.

Counts come from grouped SQL over the scope's visible, live items (``Scope.clause``).
Ripple order and reach need the link graph: its id pairs come in one query and the
graph work (``rem.ripples.graph`` style, on ids only) happens in Python, remembered per
scope object (one per request).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import orm

from rem.accounts.permissions import Access
from rem.codes.labels import text_by_slugs
from rem.codes.models import Code, Codebook
from rem.collaborations.models import Collaboration
from rem.core.dates import FuzzyDate, Precision
from rem.extensions import db
from rem.ripples import graph
from rem.ripples.models import Kind, RippleItem, RippleLink, item_codes
from rem.ripples.services import data_fingerprint

PERIODS = ("year", "quarter", "month")
UNKNOWN = "unknown"
NO_CODE = "none"

# measure -> which kind of item it counts
MEASURES = {
    "items_by_kind": None,
    "activities_by_code": Kind.ACTIVITY.value,
    "effects_by_code": Kind.EFFECT.value,
    "effects_by_order": Kind.EFFECT.value,
    "effects_by_intended": Kind.EFFECT.value,
    "effects_by_valence": Kind.EFFECT.value,
    "items_by_period": None,
    "activities_by_period": Kind.ACTIVITY.value,
    "effects_by_period": Kind.EFFECT.value,
    "effects_by_period_valence": Kind.EFFECT.value,  # group "2024-Q2:positive"
}


# Graph work and grouped counts, remembered by what they are made of: which items the
# person sees (collaborations and visible levels, theme, dates) and a state tag of the data
# (counts, latest changes and checksums of items, links and codes, read in one round of
# small aggregate queries). Any change to the data gives a new tag, so nothing stale is
# ever shown; every process keeps its own small memo, oldest out first.
MEMO_SIZE = 32
_MEMO: dict[tuple, object] = {}


def _remember(key: tuple, make):
    value = _MEMO.get(key)
    if value is None:
        value = make()
        if len(_MEMO) >= MEMO_SIZE:
            with contextlib.suppress(KeyError, StopIteration, RuntimeError):
                del _MEMO[next(iter(_MEMO))]
        _MEMO[key] = value
    return value


class AnalysisError(ValueError):
    """A question the analysis cannot answer; the message is shown to the user."""


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
    _graph: tuple | None = field(default=None, repr=False)
    _kinds: dict[int, str] = field(default_factory=dict, repr=False)
    _owner: dict[int, int] = field(default_factory=dict, repr=False)
    _influence: list | None = field(default=None, repr=False)
    _tag: tuple | None = field(default=None, repr=False)

    def clause(self, entity=RippleItem, *, dated: bool = True) -> sa.ColumnElement[bool]:
        """Return the SQL condition for the live items of the scope this person sees.

        With ``dated=False`` the date range is left out (the graph: a 2024 effect of a
        2023 activity keeps its ripple order in a 2024 review).
        """
        # One IN list per set of visible levels (a hub of 100 collaborations is one or two
        # conditions, not 100 ORs: SQLite plans those badly).
        by_levels: dict[tuple[str, ...] | None, list[int]] = defaultdict(list)
        for collaboration in self.collaborations:
            levels = self.access.visible_levels(collaboration)
            if levels is None or levels:
                by_levels[None if levels is None else tuple(levels)].append(collaboration.id)
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

    # --- remembering -----------------------------------------------------------------

    def key(self, what: str, *, dated: bool = True) -> tuple:
        """Return the memo key of one result over this scope (see ``_remember``)."""
        visible = tuple(sorted(
            (c.id, None if (levels := self.access.visible_levels(c)) is None
             else tuple(sorted(levels))) for c in self.collaborations))
        dates = (self.date_from, self.date_to) if dated else (None, None)
        return (what, visible, self.code_id, dates, self.state_tag())

    def state_tag(self) -> tuple:
        """Return a tag that changes whenever items, links or codes of the scope change."""
        if self._tag is None:
            self._tag = data_fingerprint([c.id for c in self.collaborations])
        return self._tag

    # --- the graph (ids only) ----------------------------------------------------------

    def graph(self) -> tuple[list[int], list[tuple[int, int]], dict[int, int]]:
        """Return (activity ids, links, ripple orders) of the scope, loaded once.

        Orders are counted over what the person sees of the scope (as on the map), over
        every date; influence uses this whole graph too.
        """
        if self._graph is None:
            self._graph, self._kinds, self._owner = _remember(
                self.key("graph", dated=False), self._load_graph)
        return self._graph

    def _load_graph(self) -> tuple:
        # Core statements on the connection: rows of plain ids, no ORM loading.
        conn = db.session.connection()
        rows = conn.execute(
            sa.select(RippleItem.id, RippleItem.kind, RippleItem.collaboration_id)
            .where(self.clause(dated=False))).all()
        self._kinds = {i: kind for i, kind, _c in rows}
        self._owner = {i: c for i, _kind, c in rows}
        activities = [i for i, kind, _c in rows if kind == Kind.ACTIVITY.value]
        kinds = self._kinds
        collaboration_ids = [c.id for c in self.collaborations]
        links = [(a, b) for a, b in conn.execute(
            sa.select(RippleLink.cause_id, RippleLink.effect_id)
            .where(RippleLink.collaboration_id.in_(collaboration_ids),
                   RippleLink.deleted_at.is_(None))
            .order_by(RippleLink.id)).all() if a in kinds and b in kinds]
        return ((activities, links, graph.ripple_orders(activities, links)),
                self._kinds, self._owner)

    @property
    def dated(self) -> bool:
        """Tell whether the scope is narrowed to a date range."""
        return self.date_from is not None or self.date_to is not None

    def effect_ids(self) -> list[int]:
        """Return the ids of the scope's visible, live effects (within the date range)."""
        if not self.dated:
            self.graph()
            return [i for i, kind in self._kinds.items() if kind == Kind.EFFECT.value]
        return list(db.session.connection().execute(
            sa.select(RippleItem.id).where(self.clause(),
                                           RippleItem.kind == Kind.EFFECT.value)).scalars())


# --- periods ------------------------------------------------------------------------------


def period_key(year: int, month: int, unit: str) -> tuple[int, int]:
    """Return the sortable key of the period (year, quarter or month) of ``year-month``."""
    if unit == "year":
        return (year, 0)
    if unit == "quarter":
        return (year, (month - 1) // 3 + 1)
    return (year, month)


def period_label(key: tuple[int, int], unit: str) -> str:
    """Return the label of a period key, as the timeline writes it."""
    year, sub = key
    if unit == "year":
        return str(year)
    if unit == "quarter":
        return FuzzyDate.of(date(year, 3 * sub - 2, 1), Precision.QUARTER).label()
    return FuzzyDate.of(date(year, sub, 1), Precision.MONTH).label()


def period_slug(key: tuple[int, int], unit: str) -> str:
    """Return the period as it is written in URLs and CSV: 2024, 2024-Q2 or 2024-05."""
    year, sub = key
    if unit == "year":
        return str(year)
    if unit == "quarter":
        return f"{year}-Q{sub}"
    return f"{year}-{sub:02d}"


def parse_period(text: str) -> tuple[tuple[int, int], str] | None:
    """Read 2024, 2024-Q2 or 2024-05; return (key, unit) or None."""
    text = (text or "").strip().upper()
    try:
        if len(text) == 4 and text.isdigit():
            return (int(text), 0), "year"
        if len(text) == 7 and text[4:6] == "-Q" and text[:4].isdigit() and text[6] in "1234":
            return (int(text[:4]), int(text[6])), "quarter"
        if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
            month = int(text[5:])
            if 1 <= month <= 12:
                return (int(text[:4]), month), "month"
    except ValueError:
        return None
    return None


def period_range(key: tuple[int, int], unit: str) -> tuple[date, date]:
    """Return the first and last day of a period."""
    year, sub = key
    if unit == "year":
        return date(year, 1, 1), date(year, 12, 31)
    if unit == "quarter":
        start = date(year, 3 * sub - 2, 1)
        return start, FuzzyDate.of(start, Precision.QUARTER).end
    start = date(year, sub, 1)
    return start, FuzzyDate.of(start, Precision.MONTH).end


# --- counting -----------------------------------------------------------------------------


@dataclass
class Count:
    """One number of a measure: its group (as in the CSV), label and value."""

    group: str
    label: str
    value: int


@dataclass
class Series:
    """One stacked series over time: per period, the count of each part."""

    periods: list[tuple[str, str]]  # (slug, label)
    parts: list[tuple[str, str]]  # (group, label)
    values: dict[tuple[str, str], int]  # (period slug, part group) -> count

    def total(self, period: str) -> int:
        """Return the total of one period."""
        return sum(self.values.get((period, part), 0) for part, _label in self.parts)


@dataclass
class Summary:
    """Every count of one scope."""

    unit: str
    activities: int
    effects: int
    measures: dict[str, list[Count]]
    code_groups: list[tuple[str, list[Count]]]  # codebook name -> counts (effects)
    activity_code_groups: list[tuple[str, list[Count]]]
    over_time: Series
    valence_over_time: Series

    @property
    def empty(self) -> bool:
        """Tell whether the scope holds no items at all."""
        return self.activities + self.effects == 0


def _valence_labels() -> dict[str, str]:
    return {"positive": _("Positief"), "negative": _("Negatief"), "mixed": _("Gemengd"),
            UNKNOWN: _("Niet bekend")}


def _kind_labels() -> dict[str, str]:
    return {Kind.ACTIVITY.value: _("Activiteiten"), Kind.EFFECT.value: _("Effecten")}


def _code_counts(scope: Scope) -> dict[str, list[tuple[str, str, str, str, int]]]:
    """Return per kind (book slug, book name, code slug, code name, count): one grouped
    query for both kinds."""
    rows = db.session.connection().execute(
        sa.select(RippleItem.kind, Codebook.slug, Codebook.name, Code.slug, Code.name,
                  sa.func.count(RippleItem.id))
        .select_from(RippleItem)
        .join(item_codes, item_codes.c.item_id == RippleItem.id)
        .join(Code, Code.id == item_codes.c.code_id)
        .join(Codebook, Codebook.id == Code.codebook_id)
        .where(scope.clause())
        .group_by(RippleItem.kind, Codebook.slug, Codebook.name, Codebook.position, Code.slug,
                  Code.name, Code.position)
        .order_by(Codebook.position, Codebook.slug, Code.position, Code.slug)
    ).all()
    by_kind: dict[str, list[tuple[str, str, str, str, int]]] = defaultdict(list)
    for kind, *row in rows:
        by_kind[kind].append(tuple(row))
    return by_kind


def _coded(scope: Scope) -> dict[str, int]:
    """Return per kind how many items have at least one code."""
    coded = sa.select(item_codes.c.item_id).distinct().subquery()
    return dict(db.session.connection().execute(
        sa.select(RippleItem.kind, sa.func.count(RippleItem.id))
        .join(coded, coded.c.item_id == RippleItem.id)
        .where(scope.clause()).group_by(RippleItem.kind)).all())


def _grouped_codes(rows, uncoded: int) -> tuple[list[Count], list[tuple[str, list[Count]]]]:
    flat: list[Count] = []
    books: dict[str, list[Count]] = {}
    for book_slug, book_name, code_slug, code_name, value in rows:
        count = Count(f"{book_slug}:{code_slug}", text_by_slugs(book_slug, code_slug, code_name),
                      value)
        flat.append(count)
        books.setdefault(text_by_slugs(book_slug, None, book_name), []).append(count)
    if uncoded:
        flat.append(Count(NO_CODE, _("Zonder code"), uncoded))
    return flat, list(books.items())


def summarise(scope: Scope, unit: str = "year") -> Summary:
    """Count the scope's activities and effects in every way the summary page shows.

    Three grouped queries (kind x month x intended x valence; kind x code; coded items
    per kind) plus the graph's two id queries for the ripple orders.
    """
    if unit not in PERIODS:
        unit = "year"
    rows, codes, coded, per_order = _remember(scope.key("summary"),
                                              lambda: _summary_rows(scope))
    kinds: dict[str, int] = defaultdict(int)
    intended: dict[bool | None, int] = defaultdict(int)
    valence: dict[str | None, int] = defaultdict(int)
    for _y, _m, kind, is_intended, value, count in rows:
        kinds[kind] += count
        if kind == Kind.EFFECT.value:
            intended[is_intended] += count
            valence[value] += count
    measures: dict[str, list[Count]] = {}
    kind_labels = _kind_labels()
    measures["items_by_kind"] = [Count(k, kind_labels[k], kinds.get(k, 0))
                                 for k in (Kind.ACTIVITY.value, Kind.EFFECT.value)]
    effect_codes, code_groups = _grouped_codes(
        codes[Kind.EFFECT.value], kinds[Kind.EFFECT.value] - coded.get(Kind.EFFECT.value, 0))
    activity_codes, activity_groups = _grouped_codes(
        codes[Kind.ACTIVITY.value],
        kinds[Kind.ACTIVITY.value] - coded.get(Kind.ACTIVITY.value, 0))
    measures["effects_by_code"] = effect_codes
    measures["activities_by_code"] = activity_codes
    measures["effects_by_intended"] = [
        Count(group, label, intended.get(value, 0)) for group, label, value in (
            ("intended", _("Bedoeld"), True), ("unintended", _("Onbedoeld"), False),
            (UNKNOWN, _("Niet bekend"), None))]
    valence_labels = _valence_labels()
    measures["effects_by_valence"] = [
        Count(group, valence_labels[group], valence.get(None if group == UNKNOWN else group, 0))
        for group in ("positive", "negative", "mixed", UNKNOWN)]
    measures["effects_by_order"] = _order_counts(per_order)
    over_time, valence_over_time, period_measures = _time_counts(rows, unit)
    measures.update(period_measures)
    return Summary(unit=unit, activities=kinds.get(Kind.ACTIVITY.value, 0),
                   effects=kinds.get(Kind.EFFECT.value, 0), measures=measures,
                   code_groups=code_groups, activity_code_groups=activity_groups,
                   over_time=over_time, valence_over_time=valence_over_time)


def _summary_rows(scope: Scope) -> tuple:
    """Run the grouped queries of a summary; return their plain rows."""
    year = sa.extract("year", RippleItem.date_start)
    month = sa.extract("month", RippleItem.date_start)
    rows = [tuple(row) for row in db.session.connection().execute(
        sa.select(year, month, RippleItem.kind, RippleItem.intended, RippleItem.valence,
                  sa.func.count(RippleItem.id))
        .where(scope.clause())
        .group_by(year, month, RippleItem.kind, RippleItem.intended, RippleItem.valence))]
    codes = _code_counts(scope)
    coded = _coded(scope) if codes else {}
    # Ripple orders come from the links (graph work on ids), so they are counted here.
    _activities, _links, orders = scope.graph()
    per_order: dict[int | None, int] = defaultdict(int)
    for item_id in scope.effect_ids():
        per_order[orders.get(item_id)] += 1
    return rows, codes, coded, dict(per_order)


def _order_counts(per_order: dict[int | None, int]) -> list[Count]:
    """Return the effects per ripple order as counts ("unknown" last)."""
    counts = [Count(str(order), _("%(n)se orde", n=order), per_order[order])
              for order in sorted(o for o in per_order if o is not None)]
    if per_order.get(None):
        counts.append(Count(UNKNOWN, _("Geen oorzaak bekend"), per_order[None]))
    return counts


def _time_counts(rows, unit: str) -> tuple[Series, Series, dict[str, list[Count]]]:
    """Count items per period and kind, and effects per period and valence, from the rows
    grouped by year and month (months fold into quarters or years here: a few rows per
    year, not one per item)."""
    kinds: dict[tuple[tuple[int, int], str], int] = defaultdict(int)
    valences: dict[tuple[tuple[int, int], str], int] = defaultdict(int)
    keys: set[tuple[int, int]] = set()
    for y, m, kind, _intended, valence, value in rows:
        key = period_key(int(y), int(m), unit)
        keys.add(key)
        kinds[key, kind] += value
        if kind == Kind.EFFECT.value:
            valences[key, valence or UNKNOWN] += value
    periods = [(period_slug(k, unit), period_label(k, unit)) for k in sorted(keys)]
    slug_of = {k: period_slug(k, unit) for k in keys}
    kind_labels = _kind_labels()
    over_time = Series(periods, list(kind_labels.items()),
                       {(slug_of[k], kind): v for (k, kind), v in kinds.items()})
    valence_labels = _valence_labels()
    valence_series = Series(periods, list(valence_labels.items()),
                            {(slug_of[k], g): v for (k, g), v in valences.items()})
    measures = {
        "activities_by_period": [Count(s, label, over_time.values.get((s, "activity"), 0))
                                 for s, label in periods],
        "effects_by_period": [Count(s, label, over_time.values.get((s, "effect"), 0))
                              for s, label in periods],
    }
    return over_time, valence_series, measures


def csv_rows(summary: Summary) -> list[tuple[str, str, int]]:
    """Return the tidy rows (measure, group, value) of a summary."""
    rows = []
    for measure in ("items_by_kind", "activities_by_code", "effects_by_code",
                    "effects_by_order", "effects_by_intended", "effects_by_valence",
                    "activities_by_period", "effects_by_period"):
        for count in summary.measures.get(measure, []):
            rows.append((measure, count.group, count.value))
    for (period, part), value in sorted(summary.valence_over_time.values.items()):
        rows.append(("effects_by_period_valence", f"{period}:{part}", value))
    return rows


# --- the items behind a number ----------------------------------------------------------


def items_behind(scope: Scope, measure: str, group: str, limit: int = 500
                 ) -> tuple[list[RippleItem], int]:
    """Return the items counted in ``measure``/``group`` (at most ``limit``) and how many.

    Raises AnalysisError (a Dutch message) for a measure or group that does not exist.
    """
    if measure not in MEASURES:
        raise AnalysisError(_("Deze telling bestaat niet."))
    conditions = [scope.clause()]
    kind = MEASURES[measure]
    if measure == "items_by_kind":
        if group not in (Kind.ACTIVITY.value, Kind.EFFECT.value):
            raise AnalysisError(_("Deze groep bestaat niet in deze telling."))
        kind = group
    if kind:
        conditions.append(RippleItem.kind == kind)
    if measure.endswith("_by_code"):
        if group == NO_CODE:
            conditions.append(~RippleItem.id.in_(sa.select(item_codes.c.item_id)))
        else:
            book, _sep, code = group.partition(":")
            code_id = db.session.scalar(
                sa.select(Code.id).join(Codebook).where(Codebook.slug == book, Code.slug == code))
            if code_id is None:
                raise AnalysisError(_("Deze code bestaat niet."))
            conditions.append(RippleItem.id.in_(
                sa.select(item_codes.c.item_id).where(item_codes.c.code_id == code_id)))
    elif measure == "effects_by_intended":
        values = {"intended": True, "unintended": False, UNKNOWN: None}
        if group not in values:
            raise AnalysisError(_("Deze groep bestaat niet in deze telling."))
        conditions.append(RippleItem.intended.is_(values[group]))
    elif measure == "effects_by_valence":
        if group not in ("positive", "negative", "mixed", UNKNOWN):
            raise AnalysisError(_("Deze groep bestaat niet in deze telling."))
        conditions.append(RippleItem.valence.is_(None) if group == UNKNOWN
                          else RippleItem.valence == group)
    elif measure == "effects_by_order":
        _activities, _links, orders = scope.graph()
        if group == UNKNOWN:
            ids = db.session.scalars(sa.select(RippleItem.id).where(*conditions))
            wanted = [i for i in ids if i not in orders]
        elif group.isdigit():
            wanted = [i for i, order in orders.items() if order == int(group)]
        else:
            raise AnalysisError(_("Deze groep bestaat niet in deze telling."))
        conditions.append(RippleItem.id.in_(wanted[:5000]))
    elif measure == "effects_by_period_valence":
        period, _sep, valence = group.partition(":")
        parsed = parse_period(period)
        if parsed is None or valence not in ("positive", "negative", "mixed", UNKNOWN):
            raise AnalysisError(_("Deze groep bestaat niet in deze telling."))
        start, end = period_range(*parsed)
        conditions += [RippleItem.date_start >= start, RippleItem.date_start <= end,
                       RippleItem.valence.is_(None) if valence == UNKNOWN
                       else RippleItem.valence == valence]
    elif measure.endswith("_by_period"):
        parsed = parse_period(group)
        if parsed is None:
            raise AnalysisError(_("Deze periode is niet te lezen; schrijf bijvoorbeeld 2024, "
                                  "2024-Q2 of 2024-05."))
        start, end = period_range(*parsed)
        conditions += [RippleItem.date_start >= start, RippleItem.date_start <= end]
    total = db.session.scalar(sa.select(sa.func.count(RippleItem.id)).where(*conditions)) or 0
    items = list(db.session.scalars(
        sa.select(RippleItem).where(*conditions)
        .options(orm.selectinload(RippleItem.codes), orm.joinedload(RippleItem.collaboration))
        .order_by(RippleItem.date_start, RippleItem.id).limit(limit)))
    return items, total


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
    max_order: int
    codes: list[str]
    longest: list[int]

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


def reach_table(nodes: set[int], links: list[tuple[int, int]], orders: dict[int, int],
                codes: dict[int, int], paths_for: set[int] | None = None
                ) -> dict[int, tuple[int, int, int, list[int]]]:
    """Return per node (reach, max order reached, code bits reached, longest path).

    Pure graph work on ids: every node's downstream set as one integer bitset, built
    from the effects up (reverse topological order), so a node costs a few big-integer
    ORs instead of its own walk over the graph. ``codes`` holds per node a bitset of its
    codes. The longest path starts at the node and follows effects (ties: lowest id);
    it is only made for ``paths_for`` (every node when None).
    """
    forward: dict[int, list[int]] = defaultdict(list)
    for cause, effect in links:
        forward[cause].append(effect)
    for effects in forward.values():
        effects.sort()
    bit = {node: 1 << index for index, node in enumerate(sorted(nodes))}
    down: dict[int, int] = {}
    top: dict[int, int] = {}
    code_bits: dict[int, int] = {}
    length: dict[int, int] = {}
    step: dict[int, int | None] = {}
    no_effects: list[int] = []
    for node in reversed(_topological(nodes, forward)):
        effects = forward.get(node, no_effects)
        if not effects:
            down[node] = code_bits[node] = length[node] = 0
            top[node] = -1
            step[node] = None
            continue
        reached = reached_codes = 0
        highest = -1
        best, best_next = 0, None
        for effect in effects:
            reached |= bit[effect] | down[effect]
            order = orders.get(effect, -1)
            highest = max(highest, order, top[effect])
            reached_codes |= codes.get(effect, 0) | code_bits[effect]
            if length[effect] + 1 > best:
                best, best_next = length[effect] + 1, effect
        down[node], top[node], code_bits[node] = reached, highest, reached_codes
        length[node], step[node] = best, best_next
    result: dict[int, tuple[int, int, int, list[int]]] = {}
    for node in (nodes if paths_for is None else paths_for & nodes):
        path = [node]
        while step.get(path[-1]) is not None:
            path.append(step[path[-1]])
        result[node] = (down[node].bit_count(), max(top[node], 0), code_bits[node], path)
    return result


def influence(scope: Scope) -> list[Reach]:
    """Rank the scope's activities by downstream reach (remembered on the scope)."""
    if scope._influence is not None:
        return scope._influence
    collaborations = {c.id: c for c in scope.collaborations}
    scope._influence = [
        Reach(id=i, title=title, collaboration=collaborations[cid], date_start=start,
              date_precision=precision, reach=reach, direct=direct, max_order=top,
              codes=list(codes), longest=list(path))
        for i, title, cid, start, precision, reach, direct, top, codes, path
        in _remember(scope.key("influence", dated=False), lambda: _influence_rows(scope))]
    return scope._influence


def _influence_rows(scope: Scope) -> list[tuple]:
    """Compute the ranking as plain tuples (for the memo)."""
    activities, links, orders = scope.graph()
    conn = db.session.connection()
    info = {row[0]: row for row in conn.execute(
        sa.select(RippleItem.id, RippleItem.title, RippleItem.collaboration_id,
                  RippleItem.date_start, RippleItem.date_precision)
        .where(scope.clause(dated=False), RippleItem.kind == Kind.ACTIVITY.value)).all()}
    code_rows = conn.execute(
        sa.select(item_codes.c.item_id, item_codes.c.code_id)
        .join(RippleItem, RippleItem.id == item_codes.c.item_id)
        .where(scope.clause(dated=False), RippleItem.kind == Kind.EFFECT.value)).all()
    code_index: dict[int, int] = {}
    item_bits: dict[int, int] = defaultdict(int)
    for item_id, code_id in code_rows:
        index = code_index.get(code_id)
        if index is None:
            index = code_index[code_id] = len(code_index)
        item_bits[item_id] |= 1 << index
    names = {}
    if code_index:
        names = {code_id: f"{book}:{slug}" for code_id, book, slug in db.session.execute(
            sa.select(Code.id, Codebook.slug, Code.slug).join(Codebook)
            .where(Code.id.in_(list(code_index))))}
    by_index = [names.get(code_id, "") for code_id in code_index]  # in index order
    # Links never cross collaborations: one small graph each keeps the bitsets short.
    owner = scope._owner
    nodes_of: dict[int, set[int]] = defaultdict(set)
    links_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for node, collaboration_id in owner.items():
        nodes_of[collaboration_id].add(node)
    for link in links:
        links_of[owner[link[0]]].append(link)
    wanted = set(activities)
    table: dict[int, tuple[int, int, int, list[int]]] = {}
    for collaboration_id, nodes in nodes_of.items():
        table.update(reach_table(nodes, links_of[collaboration_id], orders, item_bits,
                                 wanted & nodes))
    direct: dict[int, int] = defaultdict(int)
    for cause, _effect in links:
        direct[cause] += 1
    ranking = []
    for activity in activities:
        reach, top, bits, path = table[activity]
        _id, title, collaboration_id, start, precision = info[activity]
        ranking.append((activity, title, collaboration_id, start, precision, reach,
                        direct[activity], top,
                        tuple(sorted(name for i, name in enumerate(by_index) if bits >> i & 1)),
                        tuple(path)))
    ranking.sort(key=lambda r: (-r[5], -r[7], r[0]))
    return ranking


def meeting_points(scope: Scope, limit: int | None = None) -> tuple[list[MeetingPoint], int]:
    """Return the effects with several causes (most causes first; titles loaded only for
    the first ``limit``) and how many there are."""
    _activities, links, _orders = scope.graph()
    causes: dict[int, list[int]] = defaultdict(list)
    for cause, effect in links:
        causes[effect].append(cause)
    several = sorted(((effect, sorted(cs)) for effect, cs in causes.items() if len(cs) > 1),
                     key=lambda pair: (-len(pair[1]), pair[0]))
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


def longest_path(scope: Scope, start: int) -> list[int]:
    """Return the longest chain of effects that grew from ``start`` (ids, start first)."""
    _activities, links, orders = scope.graph()
    nodes = {n for link in links for n in link} | {start}
    return reach_table(nodes, links, orders, {}, {start})[start][3]


def without_cause(scope: Scope) -> int:
    """Count the scope's effects that grew from nothing yet (no live visible cause)."""
    _activities, links, _orders = scope.graph()
    has_cause = {effect for _cause, effect in links}
    return sum(1 for i in scope.effect_ids() if i not in has_cause)
