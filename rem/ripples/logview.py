"""The visible ripple log of one collaboration, loaded in a few queries, with its derived
graph (ripple orders, causes, what grew from what): the item pages, maps, reviews,
exchanges, analyses and workshops read it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from rem.codes.models import Code
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.ripples import graph
from rem.ripples.loading import codes_by_item, links_between
from rem.ripples.models import Kind, RippleItem, item_codes
from rem.ripples.timeline import PlainItem, in_time_order


@dataclass(slots=True, eq=False)
class LogItem(PlainItem):
    """A live, visible item of a loaded log as plain values: every column of
    :class:`~rem.ripples.models.RippleItem` and its codes. Maps, projectors, reviews and
    analyses read a whole log at once; as ORM objects, reading their attributes cost a
    1,000-item map more than building it (each attribute read goes through the ORM's
    instrumentation). Never written back: a change goes through the services, which load
    the item itself."""

    id: int
    collaboration_id: int
    kind: str
    title: str
    description: str
    date_start: date
    date_precision: str
    visibility: str
    version: int
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime
    participant_count: int | None
    governance_style: str | None
    ladder_step: str | None
    intended: bool | None
    valence: str | None
    unanswered: bool
    noticed_by: str | None
    evidence_kind: str | None
    evidence_text: str
    evidence_url: str
    session_id: int | None
    codes: list[Code] = field(default_factory=list)

    deleted_at = None  # only live items are loaded
    is_deleted = False

    def sort_key(self) -> tuple:
        """Sort by period, then by kind (activities first), then by id (as RippleItem)."""
        return (*self.when.sort_key(), 0 if self.is_activity else 1, self.id)


_LOG_COLUMNS = tuple(getattr(RippleItem, name) for name in LogItem.__dataclass_fields__
                     if name != "codes")


@dataclass
class LogView:
    """The visible part of one collaboration's ripple log, with its derived graph."""

    items: list[LogItem]
    links: list[tuple[int, int]]
    orders: dict[int, int]
    causes: dict[int, list[int]]
    grew: dict[int, list[int]]

    def by_id(self) -> dict[int, LogItem]:
        """Return the items keyed by id."""
        return {item.id: item for item in self.items}


def load_log(collaboration: Collaboration, item_clause: sa.ColumnElement[bool]) -> LogView:
    """Load the live, visible items and links of ``collaboration`` in a few queries.

    Four queries however many items: items as plain values (:class:`LogItem`), which item
    has which code (plain pairs), those codes once each (``selectinload`` sent one query
    per 500 items; one join made a row of objects per item and code), and links; nothing
    per item.
    """
    visible = (RippleItem.collaboration_id == collaboration.id,
               RippleItem.deleted_at.is_(None), item_clause)
    conn = db.session.connection()
    items = [LogItem(*row) for row in conn.execute(sa.select(*_LOG_COLUMNS).where(*visible)).all()]
    # Which item has which code as plain pairs, then each code (a few dozen) once: as
    # ORM rows, every item's codes made a row of objects (1,400 rows for 1,000 items).
    pairs = conn.execute(
        sa.select(item_codes.c.item_id, item_codes.c.code_id)
        .join(RippleItem, RippleItem.id == item_codes.c.item_id)
        .where(*visible)
        .order_by(item_codes.c.item_id, item_codes.c.code_id)).all()
    codes = codes_by_item(pairs)
    for item in items:
        item.codes = codes.get(item.id, [])
    links = links_between(collaboration.id, {i.id for i in items})
    items = in_time_order(items, links)
    orders = graph.ripple_orders([i.id for i in items if i.kind == Kind.ACTIVITY], links)
    causes: dict[int, list[int]] = defaultdict(list)
    grew: dict[int, list[int]] = defaultdict(list)
    for a, b in links:
        causes[b].append(a)
        grew[a].append(b)
    return LogView(items, links, orders, dict(causes), dict(grew))


@dataclass
class LogGraph:
    """The visible log of one collaboration as plain values: each item's kind, title and
    date, the links between them and the ripple orders (what a page needs that shows one
    item and lists the others, without loading them as objects)."""

    rows: list[tuple[int, str, str, date, str]]  # id, kind, title, first day, precision
    links: list[tuple[int, int]]
    orders: dict[int, int]

    def ids(self) -> set[int]:
        """Return the ids of the visible items."""
        return {row[0] for row in self.rows}


def load_graph(collaboration: Collaboration, item_clause: sa.ColumnElement[bool]) -> LogGraph:
    """Load the live, visible items of ``collaboration`` as plain rows, with their links
    and ripple orders (the same orders as :func:`load_log`): two statements."""
    rows = [tuple(row) for row in db.session.connection().execute(
        sa.select(RippleItem.id, RippleItem.kind, RippleItem.title, RippleItem.date_start,
                  RippleItem.date_precision)
        .where(RippleItem.collaboration_id == collaboration.id,
               RippleItem.deleted_at.is_(None), item_clause)).all()]
    links = links_between(collaboration.id, {row[0] for row in rows})
    activity = Kind.ACTIVITY.value
    orders = graph.ripple_orders([row[0] for row in rows if row[1] == activity], links)
    return LogGraph(rows, links, orders)
