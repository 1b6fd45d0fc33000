"""Business rules of story threads. Functions flush, never commit: the request commits.

Who may do what:
- a thread is seen by everyone who reads all of its collaboration; placed in a log
  entry it is seen by whoever sees that entry, placed in an exchange pack by everyone
  who sees the exchange, but always only the steps whose item that person may see;
- everyone who writes in the collaboration's learning log makes threads; the author,
  the facilitators and coordinators change and delete them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import orm

from rem.access import Access
from rem.audit.services import actor_id, record
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.core.forms import too_long
from rem.extensions import db
from rem.ripples.models import Kind, RippleItem, RippleLink
from rem.threads.models import (
    MAX_STEPS,
    STEP_TEXT_MAX,
    TARGET_COLUMNS,
    THREAD_TITLE_MAX,
    PlacementKind,
    StoryThread,
    ThreadPlacement,
    ThreadStep,
)

ENTITY = "story_thread"


class ThreadError(ValueError):
    """A change to a thread that is refused; the message is shown to the user."""


class ThreadConflict(ThreadError):
    """Someone else saved the thread since it was opened for editing."""

    def __init__(self):
        super().__init__(_("Iemand anders heeft dit verhaal intussen gewijzigd. Uw wijziging is "
                           "niet opgeslagen. Open het formulier opnieuw."))


# --- the words ---------------------------------------------------------------------------


def narrative(item: RippleItem, first: bool) -> str:
    """Return the default Dutch sentence of one step, with the item's date label."""
    when = item.when.label()
    if item.kind == Kind.ACTIVITY.value:
        return _("%(when)s: het begon met de activiteit “%(title)s”.", when=when,
                 title=item.title)
    facts = []
    if item.intended is True:
        facts.append(_("bedoeld"))
    elif item.intended is False:
        facts.append(_("onbedoeld"))
    valence = {"positive": _("positief"), "negative": _("negatief"),
               "mixed": _("gemengd")}.get(item.valence or "")
    if valence:
        facts.append(valence)
    extra = f" ({', '.join(facts)})" if facts else ""
    if first:
        return _("%(when)s: “%(title)s”%(extra)s.", when=when, title=item.title, extra=extra)
    return _("%(when)s: daaruit groeide “%(title)s”%(extra)s.", when=when, title=item.title,
             extra=extra)


# --- paths -----------------------------------------------------------------------------


def start_options(collaboration: Collaboration, access: Access) -> list[RippleItem]:
    """Return the visible, live activities a thread can start from, in date order."""
    return list(db.session.scalars(
        sa.select(RippleItem).where(RippleItem.collaboration_id == collaboration.id,
                                    RippleItem.kind == Kind.ACTIVITY.value,
                                    RippleItem.deleted_at.is_(None),
                                    access.item_clause(collaboration))
        .order_by(RippleItem.date_start, RippleItem.id)))


def next_options(collaboration: Collaboration, item_id: int, access: Access
                 ) -> list[RippleItem]:
    """Return the visible, live effects that grew directly from ``item_id``."""
    return list(db.session.scalars(
        sa.select(RippleItem)
        .join(RippleLink, RippleLink.effect_id == RippleItem.id)
        .where(RippleLink.cause_id == item_id, RippleLink.deleted_at.is_(None),
               RippleItem.deleted_at.is_(None),
               RippleItem.collaboration_id == collaboration.id,
               access.item_clause(collaboration))
        .order_by(RippleItem.date_start, RippleItem.id)))


def check_path(collaboration: Collaboration, ids: list[int], access: Access
               ) -> list[RippleItem]:
    """Return the items of a path, or raise ThreadError: every step must be a live item
    of the collaboration this person sees, and grow directly from the step before."""
    if not ids:
        raise ThreadError(_("Kies eerst een activiteit om mee te beginnen."))
    if len(ids) > MAX_STEPS:
        raise ThreadError(_("Een verhaal heeft hoogstens %(n)d stappen.", n=MAX_STEPS))
    if len(set(ids)) != len(ids):
        raise ThreadError(_("Een item kan maar één keer in een verhaal staan."))
    found = {item.id: item for item in db.session.scalars(
        sa.select(RippleItem).where(RippleItem.id.in_(ids),
                                    RippleItem.collaboration_id == collaboration.id,
                                    RippleItem.deleted_at.is_(None),
                                    access.item_clause(collaboration)))}
    if len(found) != len(ids):
        raise ThreadError(_("Een van de gekozen items bestaat niet (meer) of staat in de "
                            "prullenbak. Begin opnieuw."))
    pairs = {(cause, effect) for cause, effect in db.session.execute(
        sa.select(RippleLink.cause_id, RippleLink.effect_id)
        .where(RippleLink.cause_id.in_(ids), RippleLink.effect_id.in_(ids),
               RippleLink.deleted_at.is_(None)))}
    for cause, effect in zip(ids, ids[1:], strict=False):
        if (cause, effect) not in pairs:
            raise ThreadError(_("“%(effect)s” groeide niet direct uit “%(cause)s”. Kies een "
                                "effect dat eruit voortkwam.", effect=found[effect].title,
                                cause=found[cause].title))
    return [found[i] for i in ids]


# --- changes -----------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ThreadError(_("Geef het verhaal een titel."))
    if len(title) > THREAD_TITLE_MAX:
        raise ThreadError(too_long(_("De titel"), THREAD_TITLE_MAX))
    return title


def _state(thread: StoryThread) -> dict:
    return {"title": thread.title,
            "steps": [{"item_id": s.item_id, "text": s.text} for s in thread.steps]}


def create_thread(collaboration: Collaboration, title: str, ids: list[int], access: Access
                  ) -> StoryThread:
    """Make a thread along the path ``ids``, each step told in the default words."""
    title = _clean_title(title)
    items = check_path(collaboration, ids, access)
    thread = StoryThread(collaboration=collaboration, collaboration_id=collaboration.id,
                         title=title, author_id=actor_id())
    thread.steps = [ThreadStep(position=index, item_id=item.id,
                               text=narrative(item, first=index == 0))
                    for index, item in enumerate(items)]
    db.session.add(thread)
    db.session.flush()
    record("create", ENTITY, thread.id, collaboration_id=collaboration.id, summary=title,
           after=_state(thread))
    return thread


def update_thread(thread: StoryThread, title: str, texts: list[str], seen_version: int
                  ) -> StoryThread:
    """Save a new title and step texts; refuse when someone saved after ``seen_version``."""
    if thread.version != seen_version:
        raise ThreadConflict()
    title = _clean_title(title)
    if len(texts) != len(thread.steps):
        raise ThreadError(_("Het aantal stappen klopt niet meer. Open het formulier opnieuw."))
    for text in texts:
        if len(text or "") > STEP_TEXT_MAX:
            raise ThreadError(too_long(_("Een stap"), STEP_TEXT_MAX))
    before = _state(thread)
    thread.title = title
    for step, text in zip(thread.steps, texts, strict=True):
        step.text = (text or "").strip()
    thread.updated_at = utcnow()  # a change of the steps alone still moves the version
    db.session.flush()
    record("update", ENTITY, thread.id, collaboration_id=thread.collaboration_id,
           summary=thread.title, before=before, after=_state(thread))
    return thread


def delete_thread(thread: StoryThread) -> None:
    """Move the thread to the bin; its placements stop showing it."""
    if thread.deleted_at is not None:
        return
    thread.deleted_at = utcnow()
    db.session.flush()
    record("delete", ENTITY, thread.id, collaboration_id=thread.collaboration_id,
           summary=thread.title, before=_state(thread))


def restore_thread(thread: StoryThread) -> None:
    """Take the thread out of the bin."""
    if thread.deleted_at is None:
        return
    thread.deleted_at = None
    db.session.flush()
    record("restore", ENTITY, thread.id, collaboration_id=thread.collaboration_id,
           summary=thread.title, after=_state(thread))


def place(thread: StoryThread, kind: PlacementKind, target_id: int) -> bool:
    """Place the thread in a target; return False when it was there already."""
    column = TARGET_COLUMNS[kind.value]
    existing = db.session.scalar(sa.select(ThreadPlacement).where(
        ThreadPlacement.thread_id == thread.id,
        getattr(ThreadPlacement, column) == target_id))
    if existing is not None:
        return False
    db.session.add(ThreadPlacement(thread_id=thread.id, created_by_id=actor_id(),
                                   **{column: target_id}))
    db.session.flush()
    record("place", ENTITY, thread.id, collaboration_id=thread.collaboration_id,
           summary=thread.title, after={"target_kind": kind.value, "target_id": target_id})
    return True


def unplace(placement: ThreadPlacement) -> None:
    """Take a thread out of a target."""
    thread = placement.thread
    before = {"target_kind": placement.target_kind, "target_id": placement.target_id}
    db.session.delete(placement)
    db.session.flush()
    record("unplace", ENTITY, thread.id, collaboration_id=thread.collaboration_id,
           summary=thread.title, before=before)


# --- reading -----------------------------------------------------------------------------


def threads_of(collaboration: Collaboration, *, deleted: bool = False) -> list[StoryThread]:
    """Return the collaboration's live (or binned) threads, newest first."""
    return list(db.session.scalars(
        sa.select(StoryThread)
        .where(StoryThread.collaboration_id == collaboration.id,
               StoryThread.deleted_at.is_not(None) if deleted
               else StoryThread.deleted_at.is_(None))
        .options(orm.selectinload(StoryThread.steps))
        .order_by(StoryThread.updated_at.desc(), StoryThread.id.desc())))


def placed_in(kind: PlacementKind, target_id: int) -> list[tuple[ThreadPlacement, StoryThread]]:
    """Return the live threads placed in one target, in the order they were placed."""
    rows = db.session.execute(
        sa.select(ThreadPlacement, StoryThread)
        .join(StoryThread, StoryThread.id == ThreadPlacement.thread_id)
        .where(getattr(ThreadPlacement, TARGET_COLUMNS[kind.value]) == target_id,
               StoryThread.deleted_at.is_(None))
        .options(orm.selectinload(StoryThread.steps).joinedload(ThreadStep.item))
        .order_by(ThreadPlacement.id)).all()
    return [(placement, thread) for placement, thread in rows]


def placements_of(thread: StoryThread) -> list[ThreadPlacement]:
    """Return where the thread is placed."""
    return list(db.session.scalars(
        sa.select(ThreadPlacement).where(ThreadPlacement.thread_id == thread.id)
        .order_by(ThreadPlacement.id)))


@dataclass
class StepView:
    """One step as a person sees it."""

    number: int
    text: str
    state: str  # "ok", "deleted" (in the bin or gone) or "hidden" (not shared with them)
    item: RippleItem | None


def resolve(thread: StoryThread, access: Access) -> list[StepView]:
    """Return the thread's steps for this person: deleted and unshared items never crash,
    they are told as such (and their step's own words, which may name them, are not
    shown; the edit form still has them)."""
    views = []
    for index, step in enumerate(thread.steps, start=1):
        item = step.item
        if item is None or item.deleted_at is not None:
            views.append(StepView(index, "", "deleted", None))
        elif not access.sees_item(item):
            views.append(StepView(index, "", "hidden", None))
        else:
            views.append(StepView(index, step.text, "ok", item))
    return views


def placed_threads(kind: str, target_id: int, access: Access
                   ) -> list[tuple[StoryThread, list[StepView]]]:
    """Return the live threads placed in a target, each with its steps for this person
    (for the templates of entries, packs and reviews: ``threads/_thread.html``)."""
    return [(thread, resolve(thread, access))
            for _placement, thread in placed_in(PlacementKind(kind), target_id)]


def thread_snapshots(kind: str, target_id: int, access: Access) -> list[dict]:
    """Return the threads placed in a target as plain data: what a reader sees now.

    An adopted review keeps these copies, so a later edit of a thread or of the items it
    tells about does not change a report that was sent to funders.
    """
    snapshots = []
    for thread, steps in placed_threads(kind, target_id, access):
        snapshots.append({"title": thread.title, "steps": [
            {"state": step.state, "text": step.text,
             "date_label": step.item.when.label() if step.item else "",
             "title": step.item.title if step.item else "",
             "evidence_kind": (step.item.evidence_kind or "") if step.item else "",
             "evidence_text": step.item.evidence_text if step.item else "",
             "evidence_url": step.item.evidence_url if step.item else ""}
            for step in steps]})
    return snapshots
