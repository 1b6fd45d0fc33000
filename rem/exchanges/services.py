"""Business rules of learning exchanges, and the shared evidence they show.

The one rule about evidence: **only what a collaboration shared with the whole
learning network (visibility "network") ever counts or appears**, whoever
looks, administrators included. Every query here filters on it, and the maps
are built with :func:`rem.access.exchanges.network_view`, an ``Access`` that sees exactly that.

Functions flush, never commit: the request commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import orm

from rem.access import Access
from rem.access.exchanges import manages, may_view
from rem.audit.services import actor_id, record, snapshot
from rem.codes.models import Code, Codebook
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.core.dates import EARLIEST
from rem.core.forms import too_long
from rem.exchanges.models import (
    PLACE_MAX,
    TEXT_MAX,
    TITLE_MAX,
    ExchangeAdoption,
    ExchangeOutcome,
    LearningExchange,
    OutcomeKind,
    exchange_participants,
)
from rem.extensions import db
from rem.hubs.models import Hub
from rem.logbook import services as log_services
from rem.logbook.models import EntryKind, LogEntry, log_entry_codes
from rem.ripples.models import Kind, RippleItem, Visibility, item_codes
from rem.threads.models import StoryThread

BORGING = "borging"
NETWORK = Visibility.NETWORK.value
QUESTION_MAX = 2000
ENTITY = "exchange"
# Shading steps of a matrix cell by its total: 0, 1-2, 3-5, 6-9, 10 and more.
LEVELS = (0, 1, 3, 6, 10)
# An adopted outcome becomes this kind of learning-log entry.
ADOPTED_KIND = {
    OutcomeKind.INSIGHT: EntryKind.LESSON,
    OutcomeKind.AGREEMENT: EntryKind.DECISION,
    OutcomeKind.FOLLOW_UP: EntryKind.ACTION,
}
RELEVANT_KINDS = (EntryKind.LESSON.value, EntryKind.DECISION.value)
RELEVANT_PER_COLLABORATION = 20


class ExchangeError(ValueError):
    """A change that is refused; the message is shown to the user."""


class EditConflict(ExchangeError):
    """Someone else saved the exchange since it was opened for editing."""

    def __init__(self):
        super().__init__(_("Iemand anders heeft deze leeruitwisseling intussen gewijzigd. Uw "
                           "wijziging is niet opgeslagen. Open het formulier opnieuw."))


def adoptable_for(access: Access, exchange: LearningExchange) -> list[Collaboration]:
    """Return the participating collaborations whose log this person may adopt into."""
    return [c for c in exchange.participants if access.edits(c)]


# Preparing an exchange


@dataclass
class ExchangeInput:
    """What a coordinator typed for an exchange."""

    title: str
    theme_code_id: int | None = None
    question: str = ""
    description: str = ""
    meeting_date: date | None = None
    place: str = ""
    hub_ids: list[int] = field(default_factory=list)
    collaboration_ids: list[int] = field(default_factory=list)


EXCHANGE_FIELDS = ["title", "theme_code_id", "question", "description", "meeting_date",
                   "place"]


def _state(exchange: LearningExchange) -> dict:
    state = snapshot(exchange, EXCHANGE_FIELDS)
    state["participants"] = sorted(c.slug for c in exchange.participants)
    return state


def _participants(data: ExchangeInput) -> list[Collaboration]:
    ids = set(data.collaboration_ids or [])
    if data.hub_ids:
        ids |= set(db.session.scalars(
            sa.select(Collaboration.id).where(Collaboration.hub_id.in_(data.hub_ids))))
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(Collaboration).where(Collaboration.id.in_(sorted(ids)))
        .order_by(Collaboration.name)))


def _clean(data: ExchangeInput) -> tuple[ExchangeInput, list[Collaboration]]:
    data.title = (data.title or "").strip()
    data.question = (data.question or "").strip()
    data.place = (data.place or "").strip()
    if not data.title:
        raise ExchangeError(_("Geef de leeruitwisseling een titel."))
    if len(data.title) > TITLE_MAX:
        raise ExchangeError(too_long(_("De titel"), TITLE_MAX))
    if data.theme_code_id is None and not data.question:
        raise ExchangeError(_("Kies een thema (een code, bijvoorbeeld een borgingsstrategie) "
                              "of schrijf een vraag waar de uitwisseling over gaat."))
    if data.theme_code_id is not None and db.session.get(Code, data.theme_code_id) is None:
        raise ExchangeError(_("Dit thema bestaat niet (meer). Kies een ander."))
    if len(data.question) > QUESTION_MAX:
        raise ExchangeError(too_long(_("De vraag"), QUESTION_MAX))
    if len(data.description or "") > TEXT_MAX:
        raise ExchangeError(too_long(_("De tekst"), TEXT_MAX))
    if len(data.place) > PLACE_MAX:
        raise ExchangeError(too_long(_("De plaats"), PLACE_MAX))
    if data.meeting_date is not None and not (
            EARLIEST <= data.meeting_date <= date.today() + timedelta(days=366 * 5)):
        raise ExchangeError(_("Deze datum kan niet. Kies een datum in de komende vijf jaar."))
    participants = _participants(data)
    if len(participants) < 2:
        raise ExchangeError(_("Een leeruitwisseling heeft minstens twee deelnemers nodig. Kies "
                              "twee of meer hubs of samenwerkingsverbanden."))
    return data, participants


def _apply(exchange: LearningExchange, data: ExchangeInput,
           participants: list[Collaboration]) -> None:
    exchange.title = data.title
    exchange.theme_code_id = data.theme_code_id
    exchange.question = data.question
    exchange.description = data.description or ""
    exchange.meeting_date = data.meeting_date
    exchange.place = data.place
    exchange.participants = participants


def create_exchange(data: ExchangeInput) -> LearningExchange:
    """Prepare a new exchange."""
    data, participants = _clean(data)
    exchange = LearningExchange(created_by_id=actor_id())
    _apply(exchange, data, participants)
    db.session.add(exchange)
    db.session.flush()
    record("create", ENTITY, exchange.id, summary=exchange.title, after=_state(exchange))
    return exchange


def update_exchange(exchange: LearningExchange, data: ExchangeInput,
                    seen_version: int) -> LearningExchange:
    """Save changes, refusing them when someone saved the exchange after ``seen_version``."""
    if exchange.version != seen_version:
        raise EditConflict()
    data, participants = _clean(data)
    before = _state(exchange)
    _apply(exchange, data, participants)
    exchange.updated_at = utcnow()  # bumps the version when only participants change
    db.session.flush()
    record("update", ENTITY, exchange.id, summary=exchange.title, before=before,
           after=_state(exchange))
    return exchange


# Outcomes


def add_outcome(exchange: LearningExchange, kind: str, title: str, body: str = "",
                due_date: date | None = None) -> ExchangeOutcome:
    """Record an insight, agreement or follow-up action of the meeting."""
    title = (title or "").strip()
    if kind not in {k.value for k in OutcomeKind}:
        raise ExchangeError(_("Kies: inzicht, afspraak of vervolgactie."))
    if not title:
        raise ExchangeError(_("Geef de uitkomst een korte titel."))
    if len(title) > TITLE_MAX:
        raise ExchangeError(too_long(_("De titel"), TITLE_MAX))
    if len(body or "") > TEXT_MAX:
        raise ExchangeError(too_long(_("De tekst"), TEXT_MAX))
    if kind != OutcomeKind.FOLLOW_UP:
        due_date = None
    elif due_date is not None and not (
            EARLIEST <= due_date <= date.today() + timedelta(days=366 * 10)):
        raise ExchangeError(_("Deze einddatum kan niet. Kies een datum in de komende tien "
                              "jaar."))
    outcome = ExchangeOutcome(exchange=exchange, kind=kind, title=title, body=body or "",
                              due_date=due_date, created_by_id=actor_id())
    db.session.add(outcome)
    db.session.flush()
    record("outcome", ENTITY, exchange.id, summary=f"{exchange.title}: {title}",
           after={"outcome_id": outcome.id, "kind": kind, "title": title})
    return outcome


def delete_outcome(outcome: ExchangeOutcome) -> None:
    """Take an outcome away, unless a collaboration already adopted it."""
    if outcome.adoptions:
        raise ExchangeError(_("Deze uitkomst staat al in het leerlogboek van een "
                              "samenwerkingsverband. Daarom kan hij niet weg."))
    exchange = outcome.exchange
    record("outcome_delete", ENTITY, exchange.id, summary=f"{exchange.title}: {outcome.title}",
           before={"outcome_id": outcome.id, "kind": outcome.kind, "title": outcome.title})
    db.session.delete(outcome)
    db.session.flush()


def adopt(outcome: ExchangeOutcome, collaboration: Collaboration) -> tuple[LogEntry, bool]:
    """Put an outcome in the collaboration's learning log, citing the exchange.

    Returns the entry and whether it is new. Adopting twice gives the same entry
    (restored from the bin when it was deleted).
    """
    exchange = outcome.exchange
    if collaboration not in exchange.participants:
        raise ExchangeError(_("Alleen deelnemers van deze leeruitwisseling kunnen een uitkomst "
                              "overnemen."))
    existing = db.session.scalar(sa.select(ExchangeAdoption).where(
        ExchangeAdoption.outcome_id == outcome.id,
        ExchangeAdoption.collaboration_id == collaboration.id))
    if existing is not None:
        if existing.entry.deleted_at is not None:
            log_services.restore_entry(existing.entry)
        return existing.entry, False
    source = _("Uit de leeruitwisseling “%(title)s”", title=exchange.title)
    if exchange.meeting_date:
        source += " (" + exchange.meeting_date.isoformat() + ")"
    body = (outcome.body.strip() + "\n\n" if outcome.body.strip() else "") + f"*{source}.*"
    kind = ADOPTED_KIND[OutcomeKind(outcome.kind)]
    data = log_services.EntryInput(
        kind=kind.value, title=outcome.title, entry_date=date.today(), body=body,
        owner_id=actor_id() if kind == EntryKind.ACTION else None,
        due_date=outcome.due_date if kind == EntryKind.ACTION else None,
        code_ids=[exchange.theme_code_id] if exchange.theme_code_id else [],
    )
    if data.owner_id not in {u.id for u in log_services.owner_choices(collaboration)}:
        data.owner_id = None  # an administrator from elsewhere: the facilitator picks someone
    entry = log_services.create_entry(collaboration, data, exchange_id=exchange.id)
    db.session.add(ExchangeAdoption(outcome=outcome, collaboration_id=collaboration.id,
                                    entry_id=entry.id, adopted_by_id=actor_id()))
    db.session.flush()
    record("adopt", ENTITY, exchange.id, collaboration_id=collaboration.id,
           summary=f"{exchange.title}: {outcome.title}",
           after={"outcome_id": outcome.id, "entry_id": entry.id})
    return entry, True


# Shared evidence


def borging_codes() -> list[Code]:
    """Return the six borging strategies, in their order."""
    return list(db.session.scalars(
        sa.select(Code).join(Codebook).where(Codebook.slug == BORGING)
        .order_by(Code.position, Code.id).options(orm.joinedload(Code.codebook))))


def theme_label(exchange: LearningExchange) -> str:
    """Return the theme as one line: the code's name, the question, or both."""
    parts = []
    if exchange.theme_code is not None:
        parts.append(exchange.theme_code.label)
    if exchange.question:
        parts.append(exchange.question)
    return " · ".join(parts)


@dataclass
class Cell:
    """The shared evidence of one collaboration for one code."""

    code: Code
    activities: int = 0
    effects: int = 0
    entries: int = 0

    @property
    def total(self) -> int:
        """Return activities + effects + entries."""
        return self.activities + self.effects + self.entries

    @property
    def level(self) -> int:
        """Return the shading step, 0 (nothing) to 4 (ten or more)."""
        return max(i for i, lower in enumerate(LEVELS) if self.total >= lower)


@dataclass
class Row:
    """One collaboration in the evidence matrix."""

    collaboration: Collaboration
    shares_nothing: bool
    cells: list[Cell]


@dataclass
class HubRows:
    """The rows of one hub."""

    hub: Hub
    rows: list[Row]


@dataclass
class Evidence:
    """The evidence matrix of an exchange, and what to say about it."""

    columns: list[Code]
    theme_column: int | None
    groups: list[HubRows]
    silent: list[Collaboration]
    theme_total: int | None  # None when the theme is only a question

    @property
    def participants(self) -> int:
        """Return the number of collaborations."""
        return sum(len(g.rows) for g in self.groups)

    @property
    def hubs(self) -> int:
        """Return the number of hubs."""
        return len(self.groups)

    @property
    def everyone_silent(self) -> bool:
        """Tell whether no participant shares anything."""
        return self.participants > 0 and len(self.silent) == self.participants


def _shared_items(ids: list[int]):
    return (RippleItem.collaboration_id.in_(ids), RippleItem.visibility == NETWORK,
            RippleItem.deleted_at.is_(None))


def _shared_entries(ids: list[int]):
    return (LogEntry.collaboration_id.in_(ids), LogEntry.visibility == NETWORK,
            LogEntry.deleted_at.is_(None))


def sharing_ids(collaborations: list[Collaboration]) -> set[int]:
    """Return the ids of the collaborations that share anything at all with the network."""
    ids = [c.id for c in collaborations]
    if not ids:
        return set()
    items = set(db.session.scalars(
        sa.select(RippleItem.collaboration_id).where(*_shared_items(ids)).distinct()))
    entries = set(db.session.scalars(
        sa.select(LogEntry.collaboration_id).where(*_shared_entries(ids)).distinct()))
    return items | entries


def evidence(exchange: LearningExchange) -> Evidence:
    """Count the shared, coded activities, effects and log entries per collaboration and code."""
    columns = borging_codes()
    theme = exchange.theme_code
    theme_column = None
    if theme is not None:
        ids = [c.id for c in columns]
        if theme.id in ids:
            theme_column = ids.index(theme.id)
        else:
            columns = [theme, *columns]
            theme_column = 0
    participants = list(exchange.participants)
    ids = [c.id for c in participants]
    column_ids = [c.id for c in columns]
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(
        lambda: {"activity": 0, "effect": 0, "entry": 0})
    if ids and column_ids:
        for collab_id, kind, code_id, n in db.session.execute(
                sa.select(RippleItem.collaboration_id, RippleItem.kind, item_codes.c.code_id,
                          sa.func.count(sa.distinct(RippleItem.id)))
                .join(item_codes, item_codes.c.item_id == RippleItem.id)
                .where(*_shared_items(ids), item_codes.c.code_id.in_(column_ids))
                .group_by(RippleItem.collaboration_id, RippleItem.kind, item_codes.c.code_id)):
            counts[(collab_id, code_id)][kind] += n
        for collab_id, code_id, n in db.session.execute(
                sa.select(LogEntry.collaboration_id, log_entry_codes.c.code_id,
                          sa.func.count(sa.distinct(LogEntry.id)))
                .join(log_entry_codes, log_entry_codes.c.entry_id == LogEntry.id)
                .where(*_shared_entries(ids), log_entry_codes.c.code_id.in_(column_ids))
                .group_by(LogEntry.collaboration_id, log_entry_codes.c.code_id)):
            counts[(collab_id, code_id)]["entry"] += n
    sharing = sharing_ids(participants)
    by_hub: dict[int, HubRows] = {}
    for collaboration in sorted(participants, key=lambda c: (c.hub.name, c.name)):
        cells = []
        for code in columns:
            n = counts.get((collaboration.id, code.id))
            cells.append(Cell(code, n["activity"], n["effect"], n["entry"]) if n
                         else Cell(code))
        row = Row(collaboration, collaboration.id not in sharing, cells)
        by_hub.setdefault(collaboration.hub_id, HubRows(collaboration.hub, [])).rows.append(row)
    groups = list(by_hub.values())
    theme_total = None
    if theme is not None:
        theme_total = sum(row.cells[theme_column].total for g in groups for row in g.rows)
    silent = [row.collaboration for g in groups for row in g.rows if row.shares_nothing]
    return Evidence(columns, theme_column, groups, silent, theme_total)


def cell_evidence(exchange: LearningExchange, collaboration: Collaboration,
                  code: Code | None) -> tuple[list[RippleItem], list[LogEntry]]:
    """Return the shared items and entries behind one cell (or one collaboration)."""
    ids = [collaboration.id]
    items_query = (sa.select(RippleItem).where(*_shared_items(ids))
                   .options(orm.selectinload(RippleItem.codes).joinedload(Code.codebook)))
    entries_query = (sa.select(LogEntry).where(*_shared_entries(ids))
                     .options(orm.selectinload(LogEntry.codes).joinedload(Code.codebook)))
    if code is not None:
        items_query = items_query.where(RippleItem.id.in_(
            sa.select(item_codes.c.item_id).where(item_codes.c.code_id == code.id)))
        entries_query = entries_query.where(LogEntry.id.in_(
            sa.select(log_entry_codes.c.entry_id).where(log_entry_codes.c.code_id == code.id)))
    items = sorted(db.session.scalars(items_query),
                   key=lambda i: (i.kind != Kind.ACTIVITY, i.sort_key()))
    entries = list(db.session.scalars(entries_query.order_by(LogEntry.entry_date.desc())))
    return items, entries


def relevant_entries(exchange: LearningExchange) -> list[tuple[Collaboration, list[LogEntry]]]:
    """Return each participant's shared lessons and decisions on the theme, newest first."""
    ids = [c.id for c in exchange.participants]
    if not ids:
        return []
    query = (sa.select(LogEntry).where(*_shared_entries(ids),
                                       LogEntry.kind.in_(RELEVANT_KINDS))
             .options(orm.selectinload(LogEntry.codes).joinedload(Code.codebook))
             .order_by(LogEntry.entry_date.desc(), LogEntry.id.desc()))
    if exchange.theme_code_id is not None:
        query = query.where(LogEntry.id.in_(
            sa.select(log_entry_codes.c.entry_id)
            .where(log_entry_codes.c.code_id == exchange.theme_code_id)))
    grouped: dict[int, list[LogEntry]] = defaultdict(list)
    for entry in db.session.scalars(query):
        if len(grouped[entry.collaboration_id]) < RELEVANT_PER_COLLABORATION:
            grouped[entry.collaboration_id].append(entry)
    return [(c, grouped[c.id]) for c in sorted(exchange.participants,
                                               key=lambda c: (c.hub.name, c.name))
            if grouped.get(c.id)]


def visible_exchanges(access: Access) -> list[LearningExchange]:
    """Return the exchanges, newest meeting first (everyone in the network sees them all)."""
    if not may_view(access):
        return []
    return list(db.session.scalars(
        sa.select(LearningExchange)
        .options(orm.selectinload(LearningExchange.participants),
                 orm.joinedload(LearningExchange.theme_code))
        .order_by(LearningExchange.meeting_date.desc().nulls_last(),
                  LearningExchange.id.desc())))


def thread_target_choices(access: Access, thread: StoryThread) -> list[tuple[int, str]]:
    """Return the exchanges the thread's collaboration takes part in whose pack this person
    may place it in: those they manage, or any when they edit that collaboration."""
    exchanges = db.session.scalars(
        sa.select(LearningExchange)
        .join(exchange_participants,
              exchange_participants.c.exchange_id == LearningExchange.id)
        .where(exchange_participants.c.collaboration_id == thread.collaboration_id)
        .order_by(LearningExchange.id.desc()))
    return [(exchange.id, _("Uitwisselingspakket: %(title)s", title=exchange.title))
            for exchange in exchanges
            if manages(access, exchange) or access.edits(thread.collaboration)]
