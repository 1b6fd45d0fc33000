"""Ripple analysis: counts by code, order, period, intention and valence; downstream reach.

Counts come from grouped SQL over the scope's visible, live items (``Scope.clause``).
Ripple order and reach need the link graph: its id pairs come in one query and the
graph work (``rem.ripples.graph`` style, on ids only) happens in Python, remembered per
scope object (one per request).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import orm

from rem.accounts.permissions import Access
from rem.codes.models import Code, Codebook
from rem.collaborations.models import Collaboration
from rem.core.dates import FuzzyDate, Precision
from rem.extensions import db
from rem.ripples import graph
from rem.ripples.models import Kind, RippleItem, RippleLink, item_codes

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
}


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
    _influence: list | None = field(default=None, repr=False)

    def clause(self, entity=RippleItem, *, dated: bool = True) -> sa.ColumnElement[bool]:
        """Return the SQL condition for the live items of the scope this person sees.

        With ``dated=False`` the date range is left out (the graph: a 2024 effect of a
        2023 activity keeps its ripple order in a 2024 review).
        """
        parts = []
        for collaboration in self.collaborations:
            levels = self.access.visible_levels(collaboration)
            if levels is None:
                parts.append(entity.collaboration_id == collaboration.id)
            elif levels:
                parts.append(sa.and_(entity.collaboration_id == collaboration.id,
                                     entity.visibility.in_(levels)))
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

    # --- the graph (ids only) ----------------------------------------------------------

    def graph(self) -> tuple[list[int], list[tuple[int, int]], dict[int, int]]:
        """Return (activity ids, links, ripple orders) of the scope, loaded once.

        Orders are counted over what the person sees of the scope (as on the map), over
        every date; influence uses this whole graph too.
        """
        if self._graph is None:
            rows = db.session.execute(
                sa.select(RippleItem.id, RippleItem.kind).where(self.clause(dated=False))).all()
            ids = {row[0] for row in rows}
            activities = [row[0] for row in rows if row[1] == Kind.ACTIVITY.value]
            collaboration_ids = [c.id for c in self.collaborations]
            links = [(a, b) for a, b in db.session.execute(
                sa.select(RippleLink.cause_id, RippleLink.effect_id)
                .where(RippleLink.collaboration_id.in_(collaboration_ids),
                       RippleLink.deleted_at.is_(None))
                .order_by(RippleLink.id)) if a in ids and b in ids]
            self._graph = (activities, links, graph.ripple_orders(activities, links))
        return self._graph


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


def _code_counts(scope: Scope, kind: str) -> list[tuple[str, str, str, str, int]]:
    """Return (book slug, book name, code slug, code name, count), grouped in SQL."""
    rows = db.session.execute(
        sa.select(Codebook.slug, Codebook.name, Code.slug, Code.name,
                  sa.func.count(RippleItem.id))
        .select_from(RippleItem)
        .join(item_codes, item_codes.c.item_id == RippleItem.id)
        .join(Code, Code.id == item_codes.c.code_id)
        .join(Codebook, Codebook.id == Code.codebook_id)
        .where(scope.clause(), RippleItem.kind == kind)
        .group_by(Codebook.slug, Codebook.name, Codebook.position, Code.slug, Code.name,
                  Code.position)
        .order_by(Codebook.position, Codebook.slug, Code.position, Code.slug)
    ).all()
    return [tuple(row) for row in rows]


def _uncoded(scope: Scope, kind: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(RippleItem.id))
        .where(scope.clause(), RippleItem.kind == kind,
               ~RippleItem.id.in_(sa.select(item_codes.c.item_id)))
    ) or 0


def _grouped_codes(rows, uncoded: int) -> tuple[list[Count], list[tuple[str, list[Count]]]]:
    flat: list[Count] = []
    books: dict[str, list[Count]] = {}
    for book_slug, book_name, code_slug, code_name, value in rows:
        count = Count(f"{book_slug}:{code_slug}", code_name, value)
        flat.append(count)
        books.setdefault(book_name, []).append(count)
    if uncoded:
        flat.append(Count(NO_CODE, _("Zonder code"), uncoded))
    return flat, list(books.items())


def summarise(scope: Scope, unit: str = "year") -> Summary:
    """Count the scope's activities and effects in every way the summary page shows."""
    if unit not in PERIODS:
        unit = "year"
    clause = scope.clause()
    measures: dict[str, list[Count]] = {}
    kinds = dict(db.session.execute(
        sa.select(RippleItem.kind, sa.func.count(RippleItem.id)).where(clause)
        .group_by(RippleItem.kind)).all())
    kind_labels = _kind_labels()
    measures["items_by_kind"] = [Count(k, kind_labels[k], kinds.get(k, 0))
                                 for k in (Kind.ACTIVITY.value, Kind.EFFECT.value)]
    effect_codes, code_groups = _grouped_codes(_code_counts(scope, Kind.EFFECT.value),
                                               _uncoded(scope, Kind.EFFECT.value))
    activity_codes, activity_groups = _grouped_codes(
        _code_counts(scope, Kind.ACTIVITY.value), _uncoded(scope, Kind.ACTIVITY.value))
    measures["effects_by_code"] = effect_codes
    measures["activities_by_code"] = activity_codes
    is_effect = RippleItem.kind == Kind.EFFECT.value
    intended = dict(db.session.execute(
        sa.select(RippleItem.intended, sa.func.count(RippleItem.id)).where(clause, is_effect)
        .group_by(RippleItem.intended)).all())
    measures["effects_by_intended"] = [
        Count(group, label, intended.get(value, 0)) for group, label, value in (
            ("intended", _("Bedoeld"), True), ("unintended", _("Onbedoeld"), False),
            (UNKNOWN, _("Niet bekend"), None))]
    valence = dict(db.session.execute(
        sa.select(RippleItem.valence, sa.func.count(RippleItem.id)).where(clause, is_effect)
        .group_by(RippleItem.valence)).all())
    valence_labels = _valence_labels()
    measures["effects_by_valence"] = [
        Count(group, valence_labels[group], valence.get(None if group == UNKNOWN else group, 0))
        for group in ("positive", "negative", "mixed", UNKNOWN)]
    measures["effects_by_order"] = _order_counts(scope)
    over_time, valence_over_time, period_measures = _time_counts(scope, unit)
    measures.update(period_measures)
    return Summary(unit=unit, activities=kinds.get(Kind.ACTIVITY.value, 0),
                   effects=kinds.get(Kind.EFFECT.value, 0), measures=measures,
                   code_groups=code_groups, activity_code_groups=activity_groups,
                   over_time=over_time, valence_over_time=valence_over_time)


def _order_counts(scope: Scope) -> list[Count]:
    """Count effects per ripple order (derived from the links, so counted over ids)."""
    activities, _links, orders = scope.graph()
    per_order: dict[int | None, int] = defaultdict(int)
    activity_ids = set(activities)
    effect_ids = db.session.scalars(
        sa.select(RippleItem.id).where(scope.clause(), RippleItem.kind == Kind.EFFECT.value))
    for item_id in effect_ids:
        if item_id not in activity_ids:
            per_order[orders.get(item_id)] += 1
    counts = [Count(str(order), _("%(n)se orde", n=order), per_order[order])
              for order in sorted(o for o in per_order if o is not None)]
    if per_order.get(None):
        counts.append(Count(UNKNOWN, _("Geen oorzaak bekend"), per_order[None]))
    return counts


def _time_counts(scope: Scope, unit: str) -> tuple[Series, Series, dict[str, list[Count]]]:
    """Count items per period and kind, and effects per period and valence (SQL groups
    by year and month; months fold into quarters or years here: a few rows per year)."""
    year = sa.extract("year", RippleItem.date_start)
    month = sa.extract("month", RippleItem.date_start)
    rows = db.session.execute(
        sa.select(year, month, RippleItem.kind, RippleItem.valence,
                  sa.func.count(RippleItem.id))
        .where(scope.clause())
        .group_by(year, month, RippleItem.kind, RippleItem.valence)
    ).all()
    kinds: dict[tuple[tuple[int, int], str], int] = defaultdict(int)
    valences: dict[tuple[tuple[int, int], str], int] = defaultdict(int)
    keys: set[tuple[int, int]] = set()
    for y, m, kind, valence, value in rows:
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
    date_label: str
    reach: int
    direct: int
    max_order: int
    codes: list[str]
    longest: list[int]


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
                codes: dict[int, int]) -> dict[int, tuple[int, int, int, list[int]]]:
    """Return per node (reach, max order reached, code bits reached, longest path).

    Pure graph work on ids: every node's downstream set as one integer bitset, built
    from the effects up (reverse topological order), so a node costs a few big-integer
    ORs instead of its own walk over the graph. ``codes`` holds per node a bitset of its
    codes. The longest path starts at the node and follows effects (ties: lowest id).
    """
    forward: dict[int, list[int]] = defaultdict(list)
    for cause, effect in links:
        forward[cause].append(effect)
    bit = {node: 1 << index for index, node in enumerate(sorted(nodes))}
    down: dict[int, int] = {}
    top: dict[int, int] = {}
    code_bits: dict[int, int] = {}
    length: dict[int, int] = {}
    step: dict[int, int | None] = {}
    result: dict[int, tuple[int, int, int, list[int]]] = {}
    for node in reversed(_topological(nodes, forward)):
        reached = 0
        highest = -1
        reached_codes = 0
        best, best_next = 0, None
        for effect in sorted(forward.get(node, ())):
            reached |= bit[effect] | down[effect]
            highest = max(highest, orders.get(effect, -1), top[effect])
            reached_codes |= codes.get(effect, 0) | code_bits[effect]
            if length[effect] + 1 > best:
                best, best_next = length[effect] + 1, effect
        down[node], top[node], code_bits[node] = reached, highest, reached_codes
        length[node], step[node] = best, best_next
    for node in nodes:
        path = [node]
        while step.get(path[-1]) is not None:
            path.append(step[path[-1]])
        result[node] = (down[node].bit_count(), max(top[node], 0), code_bits[node], path)
    return result


def influence(scope: Scope) -> tuple[list[Reach], list[MeetingPoint]]:
    """Rank the scope's activities by downstream reach; list effects with several causes."""
    if scope._influence is not None:
        return scope._influence
    activities, links, orders = scope.graph()
    rows = db.session.execute(
        sa.select(RippleItem.id, RippleItem.title, RippleItem.collaboration_id,
                  RippleItem.date_start, RippleItem.date_precision, RippleItem.kind)
        .where(scope.clause(dated=False))).all()
    info = {row[0]: row for row in rows}
    code_rows = db.session.execute(
        sa.select(item_codes.c.item_id, item_codes.c.code_id)
        .join(RippleItem, RippleItem.id == item_codes.c.item_id)
        .where(scope.clause(dated=False))).all()
    code_index: dict[int, int] = {}
    item_bits: dict[int, int] = defaultdict(int)
    for item_id, code_id in code_rows:
        index = code_index.setdefault(code_id, len(code_index))
        item_bits[item_id] |= 1 << index
    names = {}
    if code_index:
        names = {code_id: f"{book}:{slug}" for code_id, book, slug in db.session.execute(
            sa.select(Code.id, Codebook.slug, Code.slug).join(Codebook)
            .where(Code.id.in_(list(code_index))))}
    by_index = {index: names.get(code_id, "") for code_id, index in code_index.items()}
    table = reach_table(set(info), links, orders, item_bits)
    collaborations = {c.id: c for c in scope.collaborations}
    direct: dict[int, int] = defaultdict(int)
    causes: dict[int, list[int]] = defaultdict(list)
    for cause, effect in links:
        direct[cause] += 1
        causes[effect].append(cause)
    ranking = []
    for activity in activities:
        reach, top, bits, path = table[activity]
        row = info[activity]
        ranking.append(Reach(
            id=activity, title=row[1], collaboration=collaborations[row[2]],
            date_label=FuzzyDate.of(row[3], Precision(row[4])).label(), reach=reach,
            direct=direct[activity], max_order=top,
            codes=sorted(by_index[i] for i in range(len(by_index)) if bits >> i & 1),
            longest=path))
    ranking.sort(key=lambda r: (-r.reach, -r.max_order, r.id))
    meeting = [MeetingPoint(id=effect, title=info[effect][1],
                            collaboration=collaborations[info[effect][2]],
                            causes=[(c, info[c][1]) for c in sorted(cs)])
               for effect, cs in causes.items() if len(cs) > 1]
    meeting.sort(key=lambda m: (-len(m.causes), m.id))
    scope._influence = (ranking, meeting)
    return scope._influence


def longest_path(scope: Scope, start: int) -> list[int]:
    """Return the longest chain of effects that grew from ``start`` (ids, start first)."""
    _activities, links, orders = scope.graph()
    nodes = {n for link in links for n in link} | {start}
    table = reach_table(nodes, links, orders, {})
    return table[start][3]


def without_cause(scope: Scope) -> int:
    """Count the scope's effects that grew from nothing yet (no live visible cause)."""
    _activities, links, _orders = scope.graph()
    has_cause = {effect for _cause, effect in links}
    ids = db.session.scalars(
        sa.select(RippleItem.id).where(scope.clause(), RippleItem.kind == Kind.EFFECT.value))
    return sum(1 for i in ids if i not in has_cause)
