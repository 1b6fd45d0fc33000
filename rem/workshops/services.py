"""Business rules of evaluation sessions. Functions flush, never commit: the request commits.

Stories come from people without an account, so everything they send is checked
here (sizes, choices, dates) and stored as plain text. Two facilitators may work
one inbox at the same time: every step that handles a story first moves its
status with a conditional UPDATE (``... WHERE status = <what the facilitator
saw>``) and goes on only when exactly one row changed, so a story is never
handled twice.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from rapidfuzz import fuzz, utils

from rem.audit.services import actor_id, record
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.core.dates import DateError, FuzzyDate, check_date
from rem.core.forms import too_long
from rem.extensions import db
from rem.ripples.models import RippleItem, RippleLink, Valence
from rem.workshops.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    FIRST_NAME_MAX,
    FOCUS_MAX,
    FOR_WHOM_MAX,
    PLACE_MAX,
    PROMPTS_MAX,
    STORY_MAX,
    TITLE_MAX,
    ParticipantRole,
    StoryStatus,
    Workshop,
    WorkshopParticipant,
    WorkshopStatus,
    WorkshopStory,
)

KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SUGGEST_LIMIT = 5

class WorkshopError(ValueError):
    """A change that a session refuses; the message is shown as it is."""


class AlreadyHandled(WorkshopError):
    """Someone else handled the story first."""

    def __init__(self, story: WorkshopStory):
        super().__init__(_("Iemand anders heeft dit verhaal net verwerkt. "
                           "Kijk in de inbox wat ermee is gebeurd."))
        self.story = story


# --- sessions -------------------------------------------------------------------------------


@dataclass
class WorkshopInput:
    """What a facilitator typed for a session."""

    title: str
    held_on: date | None
    focus_question: str
    place: str = ""
    prompts: str = ""
    allow_links: bool = False
    link_item_ids: list[int] = field(default_factory=list)


def normalise_code(text: str | None) -> str:
    """Return a typed code in its stored form: capitals, no spaces or dashes."""
    return re.sub(r"[^A-Z0-9]", "", (text or "").upper())[:20]


def new_code() -> str:
    """Return a join code that no session has yet."""
    for _attempt in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        taken = db.session.scalar(sa.select(Workshop.id)
                                  .where(Workshop.code == code))
        if taken is None:
            return code
    raise RuntimeError("could not find a free join code")  # 1 in 10^9 per attempt


def _clean_workshop(collaboration: Collaboration, data: WorkshopInput) -> WorkshopInput:
    data.title = (data.title or "").strip()
    data.focus_question = (data.focus_question or "").strip()
    data.place = (data.place or "").strip()
    data.prompts = "\n".join(
        line.strip() for line in (data.prompts or "").splitlines() if line.strip()
    )
    if not data.title:
        raise WorkshopError(_("Geef de sessie een naam."))
    if not data.focus_question:
        raise WorkshopError(_("Schrijf de vraag op waar de sessie over gaat."))
    if data.held_on is None:
        raise WorkshopError(_("Kies de datum van de sessie."))
    for text, limit, what in ((data.title, TITLE_MAX, _("De naam")),
                              (data.place, PLACE_MAX, _("De plaats")),
                              (data.focus_question, FOCUS_MAX, _("De vraag")),
                              (data.prompts, PROMPTS_MAX, _("De vragen voor de gesprekken"))):
        if len(text) > limit:
            raise WorkshopError(too_long(what, limit))
    if data.link_item_ids:
        found = set(db.session.scalars(
            sa.select(RippleItem.id).where(RippleItem.id.in_(data.link_item_ids),
                                           RippleItem.collaboration_id == collaboration.id,
                                           RippleItem.deleted_at.is_(None))))
        data.link_item_ids = [i for i in data.link_item_ids if i in found]
    return data


def create_workshop(collaboration: Collaboration, data: WorkshopInput) -> Workshop:
    """Open a new evaluation session with a fresh join code."""
    data = _clean_workshop(collaboration, data)
    workshop = Workshop(
        collaboration=collaboration, collaboration_id=collaboration.id, code=new_code(),
        created_by_id=actor_id(), opened_at=utcnow(), status=WorkshopStatus.OPEN.value,
    )
    _apply_workshop(workshop, data)
    db.session.add(workshop)
    db.session.flush()
    record("create", "session", workshop.id, collaboration_id=collaboration.id,
           summary=workshop.title, after={"code": workshop.code, "held_on": str(workshop.held_on)})
    return workshop


def update_workshop(workshop: Workshop, data: WorkshopInput) -> Workshop:
    """Change a session's details."""
    data = _clean_workshop(workshop.collaboration, data)
    _apply_workshop(workshop, data)
    db.session.flush()
    bump(workshop)
    record("update", "session", workshop.id, collaboration_id=workshop.collaboration_id,
           summary=workshop.title)
    return workshop


def _apply_workshop(workshop: Workshop, data: WorkshopInput) -> None:
    workshop.title = data.title
    workshop.held_on = data.held_on
    workshop.place = data.place
    workshop.focus_question = data.focus_question
    workshop.prompts = data.prompts
    workshop.allow_links = bool(data.allow_links)
    workshop.link_items = list(db.session.scalars(
        sa.select(RippleItem).where(RippleItem.id.in_(data.link_item_ids))
    )) if data.link_item_ids else []


def close_workshop(workshop: Workshop) -> bool:
    """Close the session: its code stops working. Return False when it was closed already."""
    result = db.session.execute(
        sa.update(Workshop)
        .where(Workshop.id == workshop.id,
               Workshop.status == WorkshopStatus.OPEN.value)
        .values(status=WorkshopStatus.CLOSED.value, closed_at=utcnow(), closed_by_id=actor_id(),
                version=Workshop.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire(workshop)
    if result.rowcount != 1:
        return False
    record("close", "session", workshop.id, collaboration_id=workshop.collaboration_id,
           summary=workshop.title)
    return True


def bump(workshop: Workshop) -> None:
    """Tell every open screen that something changed (one UPDATE, safe for many processes)."""
    db.session.execute(
        sa.update(Workshop).where(Workshop.id == workshop.id)
        .values(version=Workshop.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(workshop, ["version"])


def workshop_by_code(code: str) -> Workshop | None:
    """Return the session with this join code, open or closed."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return db.session.scalar(sa.select(Workshop).where(Workshop.code == code))


def workshops_of(collaboration: Collaboration) -> list[Workshop]:
    """Return the sessions of a collaboration, newest first."""
    return list(db.session.scalars(
        sa.select(Workshop).where(Workshop.collaboration_id == collaboration.id)
        .order_by(Workshop.held_on.desc(), Workshop.id.desc())
    ))


def link_options(workshop: Workshop) -> list[RippleItem]:
    """Return the items participants may say their story grew from (titles only are shown)."""
    if not workshop.allow_links:
        return []
    return [item for item in workshop.link_items
            if item.deleted_at is None and item.collaboration_id == workshop.collaboration_id]


def state_tag(workshop: Workshop) -> str:
    """Return a short tag that changes whenever the map or the inbox of ``session`` changes.

    Read from the database in one query, so every app process gives the same tag.
    """
    items = sa.select(sa.func.count(), sa.func.max(RippleItem.updated_at)).where(
        RippleItem.collaboration_id == workshop.collaboration_id)
    links = sa.select(sa.func.count(), sa.func.max(RippleLink.updated_at)).where(
        RippleLink.collaboration_id == workshop.collaboration_id)
    stories = sa.select(sa.func.count(), sa.func.max(WorkshopStory.updated_at)).where(
        WorkshopStory.session_id == workshop.id)
    own = sa.select(Workshop.version, Workshop.status).where(
        Workshop.id == workshop.id)
    parts = []
    for query in (items, links, stories, own):
        parts.extend(str(value) for value in db.session.execute(query).one())
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


# --- participants and stories -----------------------------------------------------------------


@dataclass
class StoryInput:
    """What a participant sent."""

    text: str
    for_whom: str = ""
    when: FuzzyDate | None = None
    intended: bool | None = None
    valence: str | None = None
    grew_from_id: int | None = None


def join_workshop(workshop: Workshop, first_name: str = "",
                 role: str | None = None) -> WorkshopParticipant:
    """Add a participant (a first name or nobody, and a role or none)."""
    if not workshop.is_open:
        raise WorkshopError(_("Deze sessie is gesloten."))
    first_name = " ".join((first_name or "").split())
    if len(first_name) > FIRST_NAME_MAX:
        raise WorkshopError(_("Je naam is te lang. Alleen je voornaam is genoeg."))
    if role not in {r.value for r in ParticipantRole}:
        role = None
    participant = WorkshopParticipant(session_id=workshop.id, first_name=first_name, role=role)
    db.session.add(participant)
    db.session.flush()
    return participant


def _clean_story(workshop: Workshop, data: StoryInput) -> StoryInput:
    data.text = (data.text or "").strip()
    data.for_whom = " ".join((data.for_whom or "").split())
    if not data.text:
        raise WorkshopError(_("Schrijf eerst op wat er veranderd is."))
    if len(data.text) > STORY_MAX:
        raise WorkshopError(too_long(_("Je verhaal"), STORY_MAX) + " "
                            + _("Maak het wat korter, of vertel het in twee delen."))
    if len(data.for_whom) > FOR_WHOM_MAX:
        raise WorkshopError(too_long(_("Het antwoord op ‘voor wie’"), FOR_WHOM_MAX))
    if data.when is not None:
        try:
            check_date(data.when, allow_future=False)
        except DateError:
            raise WorkshopError(_("Die tijd ligt in de toekomst. Kies een moment tot nu, "
                                 "of kies ‘weet ik niet’.")) from None
    if data.valence not in {None, *(v.value for v in Valence)}:
        data.valence = None
    if data.grew_from_id is not None and data.grew_from_id not in {
            item.id for item in link_options(workshop)}:
        data.grew_from_id = None
    return data


def valid_key(key: str | None) -> bool:
    """Tell whether ``key`` looks like an idempotency key from our own form."""
    return bool(key and KEY_RE.match(key))


def submit_story(workshop: Workshop, participant: WorkshopParticipant, data: StoryInput,
                 key: str) -> tuple[WorkshopStory, bool]:
    """Store a story once per ``key``; return it and whether it is new.

    A second request with the same key (a double tap, or "send again" after a
    lost connection) returns the story that is already there.
    """
    if not workshop.is_open:
        raise WorkshopError(_("Deze sessie is gesloten. Je verhaal is niet verstuurd."))
    if participant.session_id != workshop.id:
        raise WorkshopError(_("Meld je eerst aan bij deze sessie."))
    if not valid_key(key):
        raise WorkshopError(_("Het formulier was niet compleet. Laad de pagina opnieuw."))
    data = _clean_story(workshop, data)
    now = utcnow()
    values = {
        "session_id": workshop.id, "participant_id": participant.id, "idempotency_key": key,
        "text": data.text, "for_whom": data.for_whom,
        "date_start": data.when.start if data.when else None,
        "date_precision": data.when.precision.value if data.when else None,
        "intended": data.intended, "valence": data.valence, "grew_from_id": data.grew_from_id,
        "status": StoryStatus.NEW.value, "created_at": now, "updated_at": now,
        "likely_double_of_id": _likely_double(participant, data.text, now),
    }
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = WorkshopStory.__table__
    # ON CONFLICT DO NOTHING: a key sent before (a double tap, or "send again"), also by
    # two requests at the same moment, stores one story. Two statements for a new story:
    # the look for a likely double above and this insert, which returns the story.
    story = db.session.scalar(
        insert(WorkshopStory).values(**values)
        .on_conflict_do_nothing(index_elements=[table.c.session_id, table.c.idempotency_key])
        .returning(WorkshopStory)
    )
    if story is None:
        existing = _story_by_key(workshop, key)
        return _same_sender(existing, participant), False
    return story, True


# A story typed again after the phone lost the answer comes from the same participant
# within minutes; the facilitator sees it flagged in the inbox (and decides).
JUST_SENT_MINUTES = 30
NEARLY_EQUAL_SCORE = 85


def nearly_equal(first: str, second: str) -> bool:
    """Tell whether two stories are nearly the same text: the same words, give or take a
    few typing differences, a word more or less, or another order (0-100 similarity of
    the normalised texts, character by character and with the words sorted). The one
    measure of "the same story typed twice"; keep it here. It differs from the inbox's
    measure of "the same change told by two people" (workshops.likeness) on purpose: a
    retyped text has the same small words too, and a character measure catches typos."""
    a, b = utils.default_process(first), utils.default_process(second)
    if not a or not b:
        return False
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) >= NEARLY_EQUAL_SCORE


def _likely_double(participant: WorkshopParticipant, text: str, now) -> int | None:
    """Return the id of a story ``participant`` sent in the last minutes that ``text``
    nearly equals (the most recent one), or None."""
    since = now - timedelta(minutes=JUST_SENT_MINUTES)
    earlier = db.session.execute(
        sa.select(WorkshopStory.id, WorkshopStory.text)
        .where(WorkshopStory.session_id == participant.session_id,
               WorkshopStory.participant_id == participant.id,
               WorkshopStory.created_at >= since)
        .order_by(WorkshopStory.id.desc())).all()
    return next((story_id for story_id, earlier_text in earlier
                 if nearly_equal(text, earlier_text)), None)


def stories_by(participant: WorkshopParticipant, limit: int = 50) -> list[WorkshopStory]:
    """Return the stories one participant sent in their session, newest first."""
    return list(db.session.scalars(
        sa.select(WorkshopStory).where(WorkshopStory.participant_id == participant.id)
        .order_by(WorkshopStory.id.desc()).limit(limit)))


def _story_by_key(workshop: Workshop, key: str) -> WorkshopStory | None:
    return db.session.scalar(sa.select(WorkshopStory).where(
        WorkshopStory.session_id == workshop.id, WorkshopStory.idempotency_key == key))


def _same_sender(story: WorkshopStory, participant: WorkshopParticipant) -> WorkshopStory:
    if story.participant_id != participant.id:
        raise WorkshopError(_("Het formulier was niet compleet. Laad de pagina opnieuw."))
    return story


def stories_of(workshop: Workshop, statuses: list[str] | None = None
               ) -> list[WorkshopStory]:
    """Return the session's stories (oldest first), optionally only some statuses."""
    query = sa.select(WorkshopStory).where(WorkshopStory.session_id == workshop.id)
    if statuses:
        query = query.where(WorkshopStory.status.in_(statuses))
    return list(db.session.scalars(query.order_by(WorkshopStory.id)))


def story_page(workshop: Workshop, statuses: list[str], number: int, size: int, *,
               newest_first: bool = False) -> tuple[list[WorkshopStory], int, int]:
    """Return one page of the session's stories with ``statuses`` (cut in SQL), the page
    number shown (out of range: the nearest) and how many pages there are.

    The inbox shows a page, not every story: with hundreds of stories the whole list
    was hundreds of kilobytes, sent again to every poller on every new story."""
    where = (WorkshopStory.session_id == workshop.id, WorkshopStory.status.in_(statuses))
    total = db.session.scalar(sa.select(sa.func.count()).where(*where)) or 0
    size = max(1, size)
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    order = WorkshopStory.id.desc() if newest_first else WorkshopStory.id
    stories = list(db.session.scalars(
        sa.select(WorkshopStory).where(*where).order_by(order)
        .offset((number - 1) * size).limit(size)))
    return stories, number, pages


def status_counts(workshop: Workshop) -> dict[str, int]:
    """Return how many stories have each status (every status present, zero or more)."""
    counts = dict.fromkeys((s.value for s in StoryStatus), 0)
    rows = db.session.execute(
        sa.select(WorkshopStory.status, sa.func.count()).where(
            WorkshopStory.session_id == workshop.id).group_by(WorkshopStory.status))
    for status, count in rows:
        counts[status] = count
    return counts
