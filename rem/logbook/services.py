"""Business rules of the learning log. Functions flush, never commit: the request commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import orm

from rem.access import Access
from rem.access.entries import may_edit, sees_entry, visible_clause
from rem.access.exchanges import may_view as may_view_exchange
from rem.accounts.models import Membership, Role, User
from rem.audit.services import actor_id, record, snapshot
from rem.codes.models import Code
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.core.dates import EARLIEST
from rem.core.forms import too_long
from rem.extensions import db
from rem.logbook.models import (
    BODY_MAX,
    TITLE_MAX,
    EntryKind,
    LogCitation,
    LogEntry,
)
from rem.ripples.models import RippleItem, Visibility
from rem.threads.models import StoryThread
from rem.workshops.models import Workshop

if TYPE_CHECKING:
    from rem.workshops.models import Workshop

ENTRY_FIELDS = ["kind", "title", "body", "entry_date", "visibility", "owner_id", "due_date",
                "done_at"]
ENTITY = "log_entry"
MAX_DUE_YEARS = 10


class LogError(ValueError):
    """A change that the learning log refuses; the message is shown to the user."""


class EditConflict(LogError):
    """Someone else saved the entry since it was opened for editing."""

    def __init__(self, entry: LogEntry, attempted: dict):
        super().__init__(
            _("Iemand anders heeft deze regel intussen gewijzigd. Uw wijziging is niet "
              "opgeslagen. Vergelijk beide versies hieronder en sla opnieuw op.")
        )
        self.entry = entry
        self.attempted = attempted


@dataclass
class EntryInput:
    """What a person typed for a learning-log entry.

    ``visibility`` None keeps the stored value (new entries: the collaboration
    only); views pass None for people who may not share.
    """

    kind: str
    title: str
    entry_date: date
    body: str = ""
    visibility: str | None = None
    owner_id: int | None = None
    due_date: date | None = None
    code_ids: list[int] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)
    entry_ids: list[int] = field(default_factory=list)
    workshop_ids: list[int] = field(default_factory=list)


def owner_choices(collaboration: Collaboration) -> list[User]:
    """Return the people who can own an action: the collaboration's people and coordinators."""
    return list(db.session.scalars(
        sa.select(User).join(Membership, Membership.user_id == User.id)
        .where(User.active.is_(True), sa.or_(
            Membership.collaboration_id == collaboration.id,
            sa.and_(Membership.hub_id == collaboration.hub_id,
                    Membership.role == Role.COORDINATOR.value)))
        .distinct().order_by(User.name, User.email)
    ))


def _clean(collaboration: Collaboration, data: EntryInput,
           entry: LogEntry | None = None) -> EntryInput:
    """Check the input, or raise LogError with a message in plain language."""
    if data.kind not in {k.value for k in EntryKind}:
        raise LogError(_("Kies wat voor regel dit is: reflectie, les, vraag, besluit of actie."))
    data.title = (data.title or "").strip()
    if not data.title:
        raise LogError(_("Geef een titel op."))
    if len(data.title) > TITLE_MAX:
        raise LogError(too_long(_("De titel"), TITLE_MAX))
    if len(data.body or "") > BODY_MAX:
        raise LogError(too_long(_("De tekst"), BODY_MAX))
    today = date.today()
    if data.entry_date is None:
        raise LogError(_("Kies een datum."))
    if data.entry_date < EARLIEST:
        raise LogError(_("Een datum vóór 1900 kan niet. Kijk het jaartal na."))
    if data.entry_date > today + timedelta(days=1):
        raise LogError(_("Een regel in het logboek kan niet in de toekomst liggen. Kies een "
                         "datum tot en met vandaag. Voor een actie zet u de einddatum bij "
                         "“Klaar op”."))
    if data.visibility is not None and data.visibility not in {v.value for v in Visibility}:
        raise LogError(_("Kies wie dit mag zien."))
    if data.kind == EntryKind.ACTION:
        latest = today + timedelta(days=366 * MAX_DUE_YEARS)
        if data.due_date is not None and not EARLIEST <= data.due_date <= latest:
            raise LogError(_("Deze einddatum kan niet. Kies een datum in de komende tien jaar."))
        if data.owner_id is not None and data.owner_id not in {
                u.id for u in owner_choices(collaboration)}:
            keep = entry is not None and entry.owner_id == data.owner_id
            if not keep:
                raise LogError(_("Kies als eigenaar iemand van dit samenwerkingsverband."))
    else:
        data.owner_id = None
        data.due_date = None
    data.code_ids = sorted(set(data.code_ids or []))
    data.item_ids = sorted(set(data.item_ids or []))
    data.entry_ids = sorted(set(data.entry_ids or []))
    data.workshop_ids = sorted(set(data.workshop_ids or []))
    if data.code_ids:
        known = set(db.session.scalars(sa.select(Code.id).where(Code.id.in_(data.code_ids))))
        if known != set(data.code_ids):
            raise LogError(_("Een van de gekozen codes bestaat niet (meer)."))
    if data.item_ids:
        found = set(db.session.scalars(sa.select(RippleItem.id).where(
            RippleItem.id.in_(data.item_ids), RippleItem.collaboration_id == collaboration.id,
            RippleItem.deleted_at.is_(None))))
        if found != set(data.item_ids):
            raise LogError(_("U kunt alleen activiteiten en effecten van dit "
                             "samenwerkingsverband aanhalen."))
    if data.entry_ids:
        if entry is not None and entry.id in data.entry_ids:
            raise LogError(_("Een regel kan niet naar zichzelf verwijzen."))
        found = set(db.session.scalars(sa.select(LogEntry.id).where(
            LogEntry.id.in_(data.entry_ids), LogEntry.collaboration_id == collaboration.id,
            LogEntry.deleted_at.is_(None))))
        if found != set(data.entry_ids):
            raise LogError(_("U kunt alleen regels uit het logboek van dit "
                             "samenwerkingsverband aanhalen."))
    if data.workshop_ids:

        found = set(db.session.scalars(sa.select(Workshop.id).where(
            Workshop.id.in_(data.workshop_ids),
            Workshop.collaboration_id == collaboration.id)))
        if found != set(data.workshop_ids):
            raise LogError(_("U kunt alleen evaluatiesessies van dit samenwerkingsverband "
                             "aanhalen."))
    return data


def _citation_refs(entry: LogEntry) -> list[str]:
    refs = []
    for citation in entry.citations:
        if citation.item_id is not None:
            refs.append(f"item:{citation.item_id}")
        elif citation.cited_entry_id is not None:
            refs.append(f"entry:{citation.cited_entry_id}")
        elif citation.exchange_id is not None:
            refs.append(f"exchange:{citation.exchange_id}")
        elif citation.session_id is not None:
            refs.append(f"session:{citation.session_id}")
    return sorted(refs)


def entry_state(entry: LogEntry) -> dict:
    """Return the entry as a JSON-ready dict for the audit trail."""
    state = snapshot(entry, ENTRY_FIELDS)
    state["codes"] = sorted(c.qualified_slug for c in entry.codes)
    state["cites"] = _citation_refs(entry)
    return state


def _apply(entry: LogEntry, data: EntryInput) -> None:
    entry.kind = data.kind
    entry.title = data.title
    entry.body = data.body or ""
    entry.entry_date = data.entry_date
    if data.visibility is not None:
        entry.visibility = data.visibility
    entry.owner_id = data.owner_id
    entry.due_date = data.due_date
    if data.kind != EntryKind.ACTION:
        entry.done_at = None
        entry.done_by_id = None
    entry.codes = list(db.session.scalars(
        sa.select(Code).where(Code.id.in_(data.code_ids)))) if data.code_ids else []
    wanted = ({("item", i) for i in data.item_ids} | {("entry", i) for i in data.entry_ids}
              | {("session", i) for i in data.workshop_ids})
    kept = []
    for citation in entry.citations:
        if citation.session_id is not None:
            key = ("session", citation.session_id)
            in_bin = False
        else:
            key = (citation.target_type,
                   citation.item_id if citation.item_id is not None
                   else citation.cited_entry_id)
            target = citation.item if citation.item_id is not None else citation.cited_entry
            in_bin = target is not None and target.deleted_at is not None
        # Exchanges are cited by adopting; binned targets are not in the form: keep both.
        if citation.target_type == "exchange" or in_bin or key in wanted:
            kept.append(citation)
            wanted.discard(key)
    for target_type, target_id in sorted(wanted):
        if target_type == "item":
            kept.append(LogCitation(item_id=target_id))
        elif target_type == "session":
            kept.append(LogCitation(session_id=target_id))
        else:
            kept.append(LogCitation(cited_entry_id=target_id))
    entry.citations = kept


def check_entry(collaboration: Collaboration, data: EntryInput) -> EntryInput:
    """Check a new entry without saving it (an import's preview), or raise LogError."""
    return _clean(collaboration, data)


def create_entry(collaboration: Collaboration, data: EntryInput, *,
                 exchange_id: int | None = None) -> LogEntry:
    """Add an entry to the collaboration's learning log (optionally citing an exchange)."""
    data = _clean(collaboration, data)
    entry = LogEntry(collaboration=collaboration, collaboration_id=collaboration.id,
                     author_id=actor_id(), visibility=Visibility.COLLABORATION.value)
    _apply(entry, data)
    if exchange_id is not None:
        entry.citations.append(LogCitation(exchange_id=exchange_id))
    db.session.add(entry)
    db.session.flush()
    record("create", ENTITY, entry.id, collaboration_id=collaboration.id,
           summary=entry.title, after=entry_state(entry))
    return entry


def update_entry(entry: LogEntry, data: EntryInput, seen_version: int) -> LogEntry:
    """Save changes, refusing them when someone saved the entry after ``seen_version``."""
    if entry.version != seen_version:
        raise EditConflict(entry, {"title": data.title, "body": data.body})
    if entry.deleted_at is not None:
        raise LogError(_("Deze regel staat in de prullenbak. Zet hem eerst terug."))
    data = _clean(entry.collaboration, data, entry)
    before = entry_state(entry)
    _apply(entry, data)
    entry.updated_at = utcnow()  # also bumps the version when only codes or citations change
    db.session.flush()
    record("update", ENTITY, entry.id, collaboration_id=entry.collaboration_id,
           summary=entry.title, before=before, after=entry_state(entry))
    return entry


def delete_entry(entry: LogEntry) -> None:
    """Move ``entry`` to the bin; its citations stay and come back on restore."""
    if entry.deleted_at is not None:
        return
    entry.deleted_at = utcnow()
    entry.deleted_by_id = actor_id()
    db.session.flush()
    record("delete", ENTITY, entry.id, collaboration_id=entry.collaboration_id,
           summary=entry.title, before=entry_state(entry))


def restore_entry(entry: LogEntry) -> None:
    """Take ``entry`` out of the bin."""
    if entry.deleted_at is None:
        return
    entry.deleted_at = None
    entry.deleted_by_id = None
    db.session.flush()
    record("restore", ENTITY, entry.id, collaboration_id=entry.collaboration_id,
           summary=entry.title, after=entry_state(entry))


def set_done(entry: LogEntry, done: bool) -> bool:
    """Mark an action done (or open again); return whether anything changed."""
    if entry.kind != EntryKind.ACTION:
        raise LogError(_("Alleen een actie kan klaar zijn."))
    if entry.deleted_at is not None:
        raise LogError(_("Deze regel staat in de prullenbak. Zet hem eerst terug."))
    if done == (entry.done_at is not None):
        return False
    entry.done_at = utcnow() if done else None
    entry.done_by_id = actor_id() if done else None
    db.session.flush()
    record("done" if done else "reopen", ENTITY, entry.id,
           collaboration_id=entry.collaboration_id, summary=entry.title,
           after={"done_at": entry.done_at.isoformat() if entry.done_at else None})
    return True


# Reading


def _entry_options():
    return (orm.selectinload(LogEntry.codes).joinedload(Code.codebook),
            orm.joinedload(LogEntry.author), orm.joinedload(LogEntry.owner))


def load_entries(collaboration: Collaboration, access: Access, *, kind: str | None = None,
                 deleted: bool = False) -> list[LogEntry]:
    """Return the collaboration's visible entries, newest first (or its binned ones)."""
    query = (sa.select(LogEntry)
             .where(LogEntry.collaboration_id == collaboration.id,
                    visible_clause(access, LogEntry.visibility, LogEntry.collaboration_id,
                                   [collaboration.id]))
             .options(*_entry_options()))
    query = query.where(LogEntry.deleted_at.is_not(None) if deleted
                        else LogEntry.deleted_at.is_(None))
    if kind:
        query = query.where(LogEntry.kind == kind)
    order = (LogEntry.deleted_at.desc(),) if deleted else (LogEntry.entry_date.desc(),
                                                          LogEntry.id.desc())
    return list(db.session.scalars(query.order_by(*order)).unique())


def kind_counts(collaboration: Collaboration, access: Access) -> dict[str, int]:
    """Return how many visible, live entries of each kind the collaboration has."""
    rows = db.session.execute(
        sa.select(LogEntry.kind, sa.func.count())
        .where(LogEntry.collaboration_id == collaboration.id, LogEntry.deleted_at.is_(None),
               visible_clause(access, LogEntry.visibility, LogEntry.collaboration_id,
                              [collaboration.id]))
        .group_by(LogEntry.kind)
    ).all()
    return {kind: count for kind, count in rows}


def open_actions(access: Access, collaboration_ids: list[int] | None = None,
                 owner_id: int | None = None) -> list[LogEntry]:
    """Return the visible open actions, those with the earliest due date first."""
    query = (sa.select(LogEntry)
             .where(LogEntry.kind == EntryKind.ACTION.value, LogEntry.done_at.is_(None),
                    LogEntry.deleted_at.is_(None),
                    visible_clause(access, LogEntry.visibility, LogEntry.collaboration_id,
                                   collaboration_ids))
             .options(*_entry_options(), orm.joinedload(LogEntry.collaboration))
             .order_by(LogEntry.due_date.is_(None), LogEntry.due_date, LogEntry.entry_date,
                       LogEntry.id))
    if owner_id is not None:
        query = query.where(LogEntry.owner_id == owner_id)
    return list(db.session.scalars(query).unique())


def entries_citing(access: Access, *, item: RippleItem | None = None,
                   entry: LogEntry | None = None,
                   exchange_id: int | None = None,
                   workshop: Workshop | None = None) -> list[LogEntry]:
    """Return the visible, live entries that cite ``item``, ``entry``, a workshop or an exchange."""
    if workshop is not None:
        target = LogCitation.session_id == workshop.id
        collaboration_ids = [workshop.collaboration_id]
    elif item is not None:
        target = LogCitation.item_id == item.id
        collaboration_ids = [item.collaboration_id]
    elif entry is not None:
        target = LogCitation.cited_entry_id == entry.id
        collaboration_ids = [entry.collaboration_id]
    else:
        target = LogCitation.exchange_id == exchange_id
        collaboration_ids = None
    query = (sa.select(LogEntry).join(LogCitation, LogCitation.entry_id == LogEntry.id)
             .where(target, LogEntry.deleted_at.is_(None),
                    visible_clause(access, LogEntry.visibility, LogEntry.collaboration_id,
                                   collaboration_ids))
             .options(*_entry_options())
             .order_by(LogEntry.entry_date.desc(), LogEntry.id.desc()))
    return list(db.session.scalars(query).unique())


@dataclass
class ResolvedCitation:
    """A citation as a person sees it: visible targets only."""

    citation: LogCitation
    kind: str  # activity, effect, entry, session or exchange
    title: str
    url_args: dict


def visible_citations(entry: LogEntry, access: Access) -> tuple[list[ResolvedCitation], int]:
    """Return the citations of ``entry`` this person may see, and how many are hidden.

    A session is shown to those who may read its report: the people who read all
    of its collaboration (members, facilitators, coordinators, admins).
    """

    shown: list[ResolvedCitation] = []
    hidden = 0
    for citation in entry.citations:
        if citation.item_id is not None:
            item = citation.item
            if item is None or item.deleted_at is not None or not access.sees_item(item):
                hidden += 1
                continue
            shown.append(ResolvedCitation(citation, item.kind, item.title, {
                "endpoint": "ripples.show", "slug": item.collaboration.slug,
                "item_id": item.id}))
        elif citation.cited_entry_id is not None:
            cited = citation.cited_entry
            if cited is None or cited.deleted_at is not None or not sees_entry(access, cited):
                hidden += 1
                continue
            shown.append(ResolvedCitation(citation, "entry", cited.title, {
                "endpoint": "logbook.show", "slug": cited.collaboration.slug,
                "entry_id": cited.id}))
        elif citation.exchange_id is not None:
            exchange = citation.exchange
            if exchange is None or not may_view_exchange(access):
                hidden += 1
                continue
            shown.append(ResolvedCitation(citation, "exchange", exchange.title, {
                "endpoint": "exchanges.show", "exchange_id": exchange.id}))
        elif citation.session_id is not None:
            workshop = citation.workshop
            if workshop is None or not access.reads_all_of(workshop.collaboration):
                hidden += 1
                continue
            shown.append(ResolvedCitation(citation, "session", workshop.title, {
                "endpoint": "workshops.report", "slug": workshop.collaboration.slug,
                "session_id": workshop.id}))
    return shown, hidden


def thread_target_choices(access: Access, thread: StoryThread) -> list[tuple[int, str]]:
    """Return the live entries of the thread's collaboration this person may place it in
    (those they may change; newest first, at most 200)."""
    entries = db.session.scalars(
        sa.select(LogEntry).where(LogEntry.collaboration_id == thread.collaboration_id,
                                  LogEntry.deleted_at.is_(None))
        .order_by(LogEntry.entry_date.desc(), LogEntry.id.desc()).limit(200))
    return [(entry.id, _("Leerlogboek: %(title)s (%(date)s)", title=entry.title,
                         date=entry.entry_date.isoformat()))
            for entry in entries if may_edit(access, entry)]
