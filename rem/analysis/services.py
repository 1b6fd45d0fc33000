"""Ripple analysis: counts by code, order, period, intention and valence; downstream reach.

Counts come from grouped SQL over the scope's visible, live items (``Scope.clause``).
Ripple order and reach need the link graph: its id pairs come in one query and the
graph work (``rem.ripples.graph`` style, on ids only) happens in Python, remembered per
scope object (one per request).
"""

from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import orm
from sqlalchemy.ext.compiler import compiles

from rem.access import Access
from rem.codes.labels import text_by_slugs
from rem.codes.models import Code, Codebook
from rem.collaborations.models import Collaboration
from rem.core.dates import FuzzyDate, Precision
from rem.extensions import db
from rem.ripples import graph
from rem.ripples.models import Kind, RippleItem, RippleLink, item_codes
from rem.ripples.services import data_fingerprints

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
# dates) and a state tag of that collaboration's data (counts, latest changes and checksums
# of its items, links and codes, plus the codebooks), read for all collaborations of a scope
# in one round of grouped aggregate queries. Any change gives that collaboration a new tag,
# so nothing stale is ever shown, and a change in one collaboration of a hub makes only that
# collaboration's part again. Every process keeps its own memo, oldest out first.
MEMO_SIZE = 8192
_MEMO: dict[tuple, object] = {}


def _keep(key: tuple, value) -> None:
    if len(_MEMO) >= MEMO_SIZE:
        with contextlib.suppress(KeyError, StopIteration, RuntimeError):
            del _MEMO[next(iter(_MEMO))]
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
        (or the codebooks) change: one round of grouped aggregate queries per request."""
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
        value = _MEMO.get(whole)
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
            value = _MEMO.get(key)
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
                ).all():
            if owner.get(a) == cid and owner.get(b) == cid:
                parts[cid].links.append((a, b))
        for part in parts.values():
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
    return {ACTIVITY: _("Activiteiten"), EFFECT: _("Effecten")}


def _named_codes(counts: dict[tuple[str, int], int]
                 ) -> dict[str, list[tuple[str, str, str, str, int]]]:
    """Return per kind (book slug, book name, code slug, code name, count) in codebook
    order, from counts by (kind, code id): one small query of every code."""
    by_kind: dict[str, list[tuple[str, str, str, str, int]]] = defaultdict(list)
    if not counts:
        return by_kind
    codes = db.session.connection().execute(
        sa.select(Code.id, Codebook.slug, Codebook.name, Code.slug, Code.name)
        .join(Codebook, Codebook.id == Code.codebook_id)
        .order_by(Codebook.position, Codebook.slug, Code.position, Code.slug)).all()
    place = {row[0]: index for index, row in enumerate(codes)}
    for (kind, code_id), value in sorted(counts.items(),
                                         key=lambda pair: place.get(pair[0][1], -1)):
        if code_id in place:
            _id, *names = codes[place[code_id]]
            by_kind[kind].append((*names, value))
    return by_kind


class year_month(sa.sql.functions.FunctionElement):  # noqa: N801 - used like sa.func.*
    """SQL for "YYYY-MM" of a date column: cheaper to group by than extract() twice
    (on SQLite, where dates are ISO text, a substring; 7 ms less on 10,000 items)."""

    type = sa.String()
    inherit_cache = True


@compiles(year_month)
def _year_month(element, compiler, **kw) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@compiles(year_month, "sqlite")
def _year_month_sqlite(element, compiler, **kw) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 7)"


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

    Per collaboration (remembered, see ``Scope.parts``): two grouped queries (month x
    kind x intended x valence x coded; kind x code) plus the graph for the ripple orders;
    the parts are added up here.
    """
    if unit not in PERIODS:
        unit = "year"
    rows, code_counts, coded, per_order = scope.combined(
        "summary", lambda ids: _summary_parts(scope, ids), _add_up)
    codes = _named_codes(code_counts)
    kinds: dict[str, int] = defaultdict(int)
    intended: dict[bool | None, int] = defaultdict(int)
    valence: dict[str | None, int] = defaultdict(int)
    for _y, _m, kind, is_intended, value, count in rows:
        kinds[kind] += count
        if kind == EFFECT:
            intended[is_intended] += count
            valence[value] += count
    measures: dict[str, list[Count]] = {}
    kind_labels = _kind_labels()
    measures["items_by_kind"] = [Count(k, kind_labels[k], kinds.get(k, 0))
                                 for k in (ACTIVITY, EFFECT)]
    effect_codes, code_groups = _grouped_codes(
        codes[EFFECT], kinds[EFFECT] - coded.get(EFFECT, 0))
    activity_codes, activity_groups = _grouped_codes(
        codes[ACTIVITY],
        kinds[ACTIVITY] - coded.get(ACTIVITY, 0))
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
    return Summary(unit=unit, activities=kinds.get(ACTIVITY, 0),
                   effects=kinds.get(EFFECT, 0), measures=measures,
                   code_groups=code_groups, activity_code_groups=activity_groups,
                   over_time=over_time, valence_over_time=valence_over_time)


def _add_up(parts: dict[int, tuple]) -> tuple:
    """Add up the summary parts of the collaborations: (rows, code counts, coded, orders)."""
    grouped: dict[tuple, int] = defaultdict(int)
    code_counts: dict[tuple[str, int], int] = defaultdict(int)
    coded: dict[str, int] = defaultdict(int)
    per_order: dict[int | None, int] = defaultdict(int)
    for part_rows, part_codes, part_coded, part_orders in parts.values():
        for key, count in part_rows.items():
            grouped[key] += count
        for key, count in part_codes.items():
            code_counts[key] += count
        for key, count in part_coded.items():
            coded[key] += count
        for key, count in part_orders.items():
            per_order[key] += count
    return ([(*key, count) for key, count in grouped.items()], dict(code_counts),
            dict(coded), dict(per_order))


def _summary_parts(scope: Scope, ids: list[int]) -> dict[int, tuple]:
    """Run the grouped queries of a summary for these collaborations at once; return per
    collaboration its counts: by (year, month, kind, intended, valence), by (kind, code
    id), the items with a code per kind (counted in the first query) and the effects per
    ripple order."""
    parts: dict[int, tuple] = {cid: ({}, {}, {}, {}) for cid in ids}
    month = year_month(RippleItem.date_start)
    has_code = sa.exists().where(item_codes.c.item_id == RippleItem.id)
    conn = db.session.connection()
    for cid, ym, kind, intended, valence, with_code, count in conn.execute(
            sa.select(RippleItem.collaboration_id, month, RippleItem.kind,
                      RippleItem.intended, RippleItem.valence, has_code.label("coded"),
                      sa.func.count())
            .where(scope.clause(only=ids))
            .group_by(RippleItem.collaboration_id, month, RippleItem.kind,
                      RippleItem.intended, RippleItem.valence, sa.literal_column("coded"))
            ).all():
        rows, _codes, coded, _orders = parts[cid]
        key = (int(ym[:4]), int(ym[5:7]), kind, intended, valence)
        rows[key] = rows.get(key, 0) + count
        if with_code:
            coded[kind] = coded.get(kind, 0) + count
    for cid, kind, code_id, count in conn.execute(
            sa.select(RippleItem.collaboration_id, RippleItem.kind, item_codes.c.code_id,
                      sa.func.count())
            .select_from(RippleItem)
            .join(item_codes, item_codes.c.item_id == RippleItem.id)
            .where(scope.clause(only=ids))
            .group_by(RippleItem.collaboration_id, RippleItem.kind, item_codes.c.code_id)
            ).all():
        parts[cid][1][kind, code_id] = count
    # Ripple orders come from the links (graph work on ids), so they are counted here.
    graphs = scope.graph_parts()
    for cid, effects in scope.effect_ids(ids).items():
        orders, per_order = graphs[cid].orders, parts[cid][3]
        for item_id in effects:
            order = orders.get(item_id)
            per_order[order] = per_order.get(order, 0) + 1
    return parts


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
        if kind == EFFECT:
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
        if group not in (ACTIVITY, EFFECT):
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


def reach_table(nodes: set[int], links: list[tuple[int, int]], orders: dict[int, int],
                codes: dict[int, int], wanted: set[int] | None = None
                ) -> dict[int, tuple[int, int, int]]:
    """Return per node of ``wanted`` (every node when None): how many nodes grew from it
    (reach), the highest ripple order among them and the bits of their codes.

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
    # those below it, the highest order at or below it, its codes and those below it.
    below: dict[int, int] = {}
    up: dict[int, int] = {}
    coded: dict[int, int] = {}
    result: dict[int, tuple[int, int, int]] = {}
    order_of, codes_of = orders.get, codes.get
    bit = 1  # any bit per node will do: only the counts of set bits are read
    for node in reversed(_topological(nodes, forward)):
        reached = reached_codes = 0
        highest = -1
        for effect in forward.get(node, ()):
            reached |= below[effect]
            reached_codes |= coded[effect]
            if up[effect] > highest:
                highest = up[effect]
        if node in wanted:
            result[node] = (reached.bit_count(), max(highest, 0), reached_codes)
        below[node] = reached | bit
        bit <<= 1
        own = order_of(node, -1)
        up[node] = own if own > highest else highest
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
              date_precision=precision, reach=reach, direct=direct, max_order=top,
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
    (id, title, collaboration id, date, precision, reach, direct effects, highest order,
    code bits)."""
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
        table = reach_table(set(part.kinds), part.links, part.orders, item_bits,
                            set(part.activities))
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
