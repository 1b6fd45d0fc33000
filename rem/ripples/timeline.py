"""The timeline: the method's time order of items (plain values, so a whole collaboration
can be ordered without loading its items), one page of it loaded on its own, and its
grouping by period."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

import cachetools
import sqlalchemy as sa

from rem.codes.models import Code
from rem.collaborations.models import Collaboration
from rem.core.dates import PRECISION_RANK, FuzzyDate, Precision, stored
from rem.core.periods import Period
from rem.extensions import db
from rem.ripples import graph
from rem.ripples.fingerprints import log_stamp, said
from rem.ripples.loading import codes_by_item, links_between
from rem.ripples.models import Kind, RippleItem, item_codes


def in_time_order(items: Sequence[RippleItem], links: Iterable[tuple[int, int]]
                  ) -> list[RippleItem]:
    """Return ``items`` in timeline order (see :func:`time_ordered_ids`)."""
    by_id = {item.id: item for item in items}
    dated = [(item.id, item.date_start, item.date_precision, item.is_activity) for item in items]
    return [by_id[i] for i in time_ordered_ids(dated, links)]


# Time orders worked out, kept per process by what they are made of: the items' ids,
# dates and kinds and the links. A change of a title, a description or a code (most
# changes during a session) leaves those the same, so the order is not worked out again.
# Bounded by the items and links they hold (about 150 bytes each): at most some 30 MB,
# a few logs of 10,000 items or hundreds of a hundred.
TIME_ORDER_MEMO_ROWS = 200_000
_TIME_ORDERS: cachetools.LRUCache = cachetools.LRUCache(
    TIME_ORDER_MEMO_ROWS, getsizeof=lambda kept: kept[1])
_TIME_ORDERS_LOCK = threading.Lock()


def time_ordered_ids(dated: Iterable[tuple[int, date, str, bool]],
                     links: Iterable[tuple[int, int]]) -> list[int]:
    """Return the ids of ``dated`` (id, first day, precision, is it an activity) in
    timeline order (:func:`_time_ordered_ids`); the same dates and links give the order
    worked out before (compared in full, not by a hash)."""
    dated = sorted(dated)
    links = list(links)
    key = (tuple(dated), tuple(links))
    with _TIME_ORDERS_LOCK:
        kept = _TIME_ORDERS.get(key)
    if kept is None:
        kept = (tuple(_time_ordered_ids(dated, links)), len(dated) + len(links) + 1)
        if kept[1] <= TIME_ORDER_MEMO_ROWS:
            with _TIME_ORDERS_LOCK:
                _TIME_ORDERS[key] = kept
    return list(kept[0])


def _time_ordered_ids(dated: Iterable[tuple[int, date, str, bool]],
                      links: Iterable[tuple[int, int]]) -> list[int]:
    """Work out :func:`time_ordered_ids`: the ids of ``dated`` (id, first day, precision,
    is it an activity) in timeline order: by the
    middle of their period as their links narrow it (``graph.narrowed_middles``; coarse
    before fine, activities first on a tie), and never an effect before its cause when
    their periods overlap.

    An effect whose whole period lies before its cause's stays in date order: the dates
    say so, and the timeline shows it rather than hide a slip in the log. Plain values,
    so that the timeline can order a whole collaboration without loading its items.
    """
    # Per distinct date (many items share one) its first and last day and precision rank,
    # as day numbers: the same order as ``FuzzyDate.sort_key``, without making dates.
    days: dict[tuple, tuple[int, int, int]] = {}
    spans: dict[int, tuple[int, int]] = {}
    fixed: dict[int, tuple[int, int, int, int]] = {}
    for i, start, precision, activity in dated:
        known = days.get((start, precision))
        if known is None:
            when = FuzzyDate(start, Precision(precision))
            known = days[(start, precision)] = (
                start.toordinal(), when.end.toordinal(), PRECISION_RANK[when.precision])
        first, last, rank = known
        spans[i] = (first, last)
        fixed[i] = ((first + last) // 2, rank, first, 0 if activity else 1)
    links = [(c, e) for c, e in links if c in spans and e in spans]
    middles = graph.narrowed_middles(spans, links)
    before = [(c, e) for c, e in links
              if spans[c][0] <= spans[e][1] and spans[e][0] <= spans[c][1]]
    keys = {i: (middles[i], *fixed[i], i) for i in spans}
    return graph.time_order(keys, before)


class PlainItem:
    """What an item read as plain values works out from its columns, as
    :class:`~rem.ripples.models.RippleItem` does: its date and whether it is an
    activity."""

    __slots__ = ()
    date_start: date
    date_precision: str
    kind: str

    @property
    def when(self) -> FuzzyDate:
        """The item's date with its precision."""
        return stored(self.date_start, self.date_precision)

    @property
    def is_activity(self) -> bool:
        """Whether the item is an activity."""
        return self.kind == Kind.ACTIVITY.value


@dataclass(slots=True)
class TimelineItem(PlainItem):
    """An item on a timeline page: the columns the page shows, as plain values (a page of
    ORM objects, every column and its codes set on each, was a fifth of the page's time)."""

    id: int
    kind: str
    title: str
    date_start: date
    date_precision: str
    visibility: str
    intended: bool | None
    valence: str | None
    unanswered: bool
    session_id: int | None
    codes: list[Code] = field(default_factory=list)


_ITEM_COLUMNS = (RippleItem.id, RippleItem.kind, RippleItem.title, RippleItem.date_start,
                 RippleItem.date_precision, RippleItem.visibility, RippleItem.intended,
                 RippleItem.valence, RippleItem.unanswered, RippleItem.session_id)


@dataclass
class TimelinePage:
    """One page of a long timeline: a run of time-sorted items and where it lies."""

    items: list[TimelineItem]
    number: int  # 1-based
    count: int  # how many pages there are
    ranges: list[tuple[int, str]]  # (page number, "first date – last date") for every page


@dataclass
class Timeline:
    """One page of a collaboration's timeline, loaded on its own (see :func:`load_timeline`)."""

    page: TimelinePage
    activities: int  # visible items in the whole timeline, by kind
    effects: int
    orders: dict[int, int]  # ripple order of the items on the page
    causes: dict[int, list[int]]  # causes of the items on the page
    titles: dict[int, str]  # title of every item on the page and of their causes


@dataclass(slots=True)
class _WholeOrder:
    """What a timeline page needs of the whole visible log, worked out from every visible
    item and link: the time order, where each page starts and ends, the ripple orders and
    each item's visible causes."""

    ordered: list[int]
    bounds: list[tuple[tuple[date, str], tuple[date, str]]]  # first and last date per page
    activities: int
    orders: dict[int, int]
    causes: dict[int, list[int]]


# The time order of a few logs as readers see them, kept per process (oldest out first)
# and found again by the log's stamp: a change gives a new key.
ORDER_MEMO_SIZE = 16
_ORDERS: cachetools.LRUCache = cachetools.LRUCache(ORDER_MEMO_SIZE)
_ORDERS_LOCK = threading.Lock()


def _whole_order(collaboration_id: int, visible: tuple, size: int) -> _WholeOrder:
    """Work out the time order of every visible item (:func:`time_ordered_ids`) from plain
    values of every visible item and link, and what the pages need of it."""
    conn = db.session.connection()
    activity = Kind.ACTIVITY.value
    dated = [(i, start, precision, kind == activity)
             for i, start, precision, kind in conn.execute(
                 sa.select(RippleItem.id, RippleItem.date_start, RippleItem.date_precision,
                           RippleItem.kind).where(*visible)).all()]
    whens = {i: (start, precision) for i, start, precision, _activity in dated}
    links = links_between(collaboration_id, whens)
    ordered = time_ordered_ids(dated, links)
    activities = [i for i, _start, _precision, activity in dated if activity]
    bounds = [(whens[run[0]], whens[run[-1]])
              for run in (ordered[first:first + size] for first in range(0, len(ordered), size))]
    causes: dict[int, list[int]] = defaultdict(list)
    for a, b in links:
        causes[b].append(a)
    return _WholeOrder(ordered, bounds, len(activities),
                       graph.ripple_orders(activities, links), dict(causes))


def load_timeline(collaboration: Collaboration, item_clause: sa.ColumnElement[bool],
                  number: int, size: int) -> Timeline:
    """Load page ``number`` (pages of ``size``) of the visible timeline; only that page's
    items become objects.

    The timeline order depends on the whole graph (a cause narrows its effects' periods,
    an effect never stands above its cause: :func:`time_ordered_ids`), so it is worked out
    from plain values of every visible item and link: dates and kinds, and the links.
    Ripple orders come from the same links, as on the whole log. That work is kept in the
    process (``_ORDERS``) under the log's stamp (one row, which the database renews on
    any change of an item or a link: :func:`~rem.ripples.fingerprints.log_stamp`) and
    what ``item_clause`` says (its SQL with its values), so a page of a long log does not
    read and order the whole log again until the log changes. Then a fixed number of
    statements more: the page's items, their codes, and the titles of their causes.
    """
    size = max(1, size)
    visible = (RippleItem.collaboration_id == collaboration.id,
               RippleItem.deleted_at.is_(None), item_clause)
    stamp = log_stamp(collaboration.id)
    key = (collaboration.id, said(item_clause), size, stamp)
    with _ORDERS_LOCK:
        whole = _ORDERS.get(key) if stamp is not None else None
    if whole is None:
        whole = _whole_order(collaboration.id, visible, size)
        if stamp is not None:
            with _ORDERS_LOCK:
                _ORDERS[key] = whole
    ordered = whole.ordered
    total = len(ordered)
    count = max(1, -(-total // size))
    number = min(max(1, number), count)
    page_ranges = []
    for page, (first, last) in enumerate(whole.bounds, start=1):
        first_label, last_label = (stored(*when).label() for when in (first, last))
        page_ranges.append((page, first_label if first_label == last_label
                            else f"{first_label} – {last_label}"))
    on_page = ordered[(number - 1) * size:number * size]
    # Plain rows through the connection: the ORM's row handling cost more than the SQL.
    conn = db.session.connection()
    loaded = {row[0]: TimelineItem(*row) for row in conn.execute(
        sa.select(*_ITEM_COLUMNS).where(RippleItem.id.in_(on_page)))} if on_page else {}
    items = [loaded[i] for i in on_page if i in loaded]
    codes = codes_by_item(conn.execute(
        sa.select(item_codes.c.item_id, item_codes.c.code_id)
        .where(item_codes.c.item_id.in_(on_page))
        .order_by(item_codes.c.item_id, item_codes.c.code_id)).all()) if on_page else {}
    for item in items:
        item.codes = codes.get(item.id, [])
    page_ids = set(on_page)
    causes = {i: whole.causes[i] for i in on_page if i in whole.causes}
    titles = {item.id: item.title for item in items}
    wanted = sorted({a for found in causes.values() for a in found} - page_ids)
    if wanted:
        titles.update(conn.execute(
            sa.select(RippleItem.id, RippleItem.title).where(RippleItem.id.in_(wanted))).all())
    orders = {i: whole.orders[i] for i in on_page if i in whole.orders}
    return Timeline(TimelinePage(items, number, count, page_ranges), whole.activities,
                    total - whole.activities, orders, causes, titles)


class Dated(Protocol):
    """What grouping by period reads of an item: a timeline item or a ripple item."""

    date_start: date
    date_precision: str


Item = TypeVar("Item", bound=Dated)


def group_by_period(items: list[Item], grouping: str) -> list[tuple[str, list[Item]]]:
    """Group time-ordered items into labelled runs of periods (year, quarter or month).

    An item known less precisely than the grouping ("2024" among quarters) stays where the
    timeline order puts it: in the run it stands in when its period holds that run's period
    (its own date label says "2024"), else in a run of its own labelled by its period. A
    label can come back after such a run; the order of the items wins over tidy groups.
    """
    rank = {"year": 0, "quarter": 1, "month": 2}
    groups: list[tuple[str, list[Item]]] = []
    current: Period | None = None
    for item in items:
        period = Period.of(item.date_start, grouping)
        if rank.get(item.date_precision, 3) < rank[grouping]:
            own = Period.of(item.date_start, item.date_precision)
            if current is not None and own.start <= current.start and current.end <= own.end:
                period = current
            else:
                period = own
        if period != current:
            groups.append((period.label(), []))
            current = period
        groups[-1][1].append(item)
    return groups
