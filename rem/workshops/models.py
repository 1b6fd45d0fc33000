"""Live evaluation sessions: a REM workshop, its participants and their stories.

A facilitator opens a session for one collaboration; participants join with a
short code on their phone (no account) and send stories; the facilitator turns
stories into effects in the collaboration's ripple log, merges them into
existing effects, or parks them. Nothing is thrown away: every story stays with
its session whatever happens to it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm

from rem.core.database import TimestampMixin, utcnow
from rem.core.dates import FuzzyDate, Precision
from rem.extensions import db

if TYPE_CHECKING:
    from rem.accounts.models import User
    from rem.collaborations.models import Collaboration
    from rem.ripples.models import RippleItem

# Unambiguous characters for join codes: no 0/O, no 1/I.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 6

TITLE_MAX = 200
PLACE_MAX = 200
FOCUS_MAX = 500
PROMPTS_MAX = 4000
STORY_MAX = 2000
FOR_WHOM_MAX = 200
FIRST_NAME_MAX = 60


class WorkshopStatus(enum.StrEnum):
    """Whether participants can still join."""

    OPEN = "open"
    CLOSED = "closed"


class StoryStatus(enum.StrEnum):
    """What the facilitator did with a story."""

    NEW = "new"
    ACCEPTED = "accepted"
    MERGED = "merged"
    PARKED = "parked"


STORY_STATUS_LABELS = {
    StoryStatus.NEW: _l("Nieuw"),
    StoryStatus.ACCEPTED: _l("Nieuw effect"),
    StoryStatus.MERGED: _l("Samengevoegd"),
    StoryStatus.PARKED: _l("Geparkeerd"),
}


class ParticipantRole(enum.StrEnum):
    """Who a participant is today (the report counts these)."""

    CITIZEN = "citizen"
    PROFESSIONAL = "professional"
    POLICY_MAKER = "policy_maker"
    RESEARCHER = "researcher"


PARTICIPANT_ROLE_LABELS = {
    ParticipantRole.CITIZEN: _l("Inwoner"),
    ParticipantRole.PROFESSIONAL: _l("Professional in zorg of welzijn"),
    ParticipantRole.POLICY_MAKER: _l("Beleidsmaker"),
    ParticipantRole.RESEARCHER: _l("Onderzoeker"),
}

# The appreciative-inquiry prompts shown to participants unless the facilitator changes them.
DEFAULT_PROMPTS = [
    _l("Vertel over een moment waarop je dacht: dit werkt!"),
    _l("Wat is er veranderd sinds we begonnen? Voor jou, of voor anderen?"),
    _l("Waar ben je trots op?"),
    _l("Welke nieuwe contacten of samenwerking zijn er gekomen?"),
    _l("Wat gebeurde er dat niemand had verwacht?"),
    _l("Wat ging er minder goed, of wat is er verloren gegaan?"),
]


def default_prompts_text() -> str:
    """Return the default prompts, one a line, in the current language."""
    return "\n".join(str(prompt) for prompt in DEFAULT_PROMPTS)


workshop_items = sa.Table(
    "evaluation_session_items",
    db.Model.metadata,
    sa.Column("session_id", sa.ForeignKey("evaluation_sessions.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("item_id", sa.ForeignKey("ripple_items.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Index("ix_evaluation_session_items_item_id", "item_id"),
)


class Workshop(TimestampMixin, db.Model):
    """One evaluation session (workshop) of a collaboration."""

    __tablename__ = "evaluation_sessions"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    collaboration_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("collaborations.id"), index=True
    )
    title: orm.Mapped[str] = orm.mapped_column(sa.String(TITLE_MAX))
    held_on: orm.Mapped[date] = orm.mapped_column(sa.Date)
    place: orm.Mapped[str] = orm.mapped_column(sa.String(PLACE_MAX), default="")
    focus_question: orm.Mapped[str] = orm.mapped_column(sa.String(FOCUS_MAX))
    prompts: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    allow_links: orm.Mapped[bool] = orm.mapped_column(default=False)
    code: orm.Mapped[str] = orm.mapped_column(sa.String(CODE_LENGTH), unique=True, index=True)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(10), default=WorkshopStatus.OPEN.value)
    # Goes up with every change the projector must show; pollers compare it.
    version: orm.Mapped[int] = orm.mapped_column(default=1)
    opened_at: orm.Mapped[datetime] = orm.mapped_column(sa.DateTime(timezone=True),
                                                        default=utcnow)
    closed_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))
    closed_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))
    # The saved map view the projector shows (rem.maps.models.SavedView), if one was chosen.
    map_view_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("saved_map_views.id", ondelete="SET NULL"))

    collaboration: orm.Mapped[Collaboration] = orm.relationship()
    link_items: orm.Mapped[list[RippleItem]] = orm.relationship(
        secondary=workshop_items, order_by="RippleItem.date_start"
    )

    @property
    def is_open(self) -> bool:
        """Tell whether participants can still join and send stories."""
        return self.status == WorkshopStatus.OPEN

    @property
    def prompt_list(self) -> list[str]:
        """Return the prompts, one per non-empty line."""
        return [line.strip() for line in (self.prompts or "").splitlines() if line.strip()]

    @property
    def display_code(self) -> str:
        """Return the code as people read it aloud: ABC 234."""
        half = len(self.code) // 2
        return f"{self.code[:half]} {self.code[half:]}"


class WorkshopParticipant(TimestampMixin, db.Model):
    """Someone who joined a session on a phone, without an account."""

    __tablename__ = "session_participants"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    session_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("evaluation_sessions.id"), index=True
    )
    first_name: orm.Mapped[str] = orm.mapped_column(sa.String(FIRST_NAME_MAX), default="")
    role: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))

    @property
    def label(self) -> str:
        """Return the first name, or "anoniem"."""
        return self.first_name or str(_l("anoniem"))


class WorkshopStory(TimestampMixin, db.Model):
    """One story a participant sent: what changed, for whom, when, and how it was."""

    __tablename__ = "session_stories"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "idempotency_key", name="uq_session_stories_key"),
        sa.Index("ix_session_stories_session_status", "session_id", "status"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    session_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("evaluation_sessions.id"))
    participant_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("session_participants.id"), index=True
    )
    idempotency_key: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    text: orm.Mapped[str] = orm.mapped_column(sa.Text)
    for_whom: orm.Mapped[str] = orm.mapped_column(sa.String(FOR_WHOM_MAX), default="")
    date_start: orm.Mapped[date | None] = orm.mapped_column(sa.Date)
    date_precision: orm.Mapped[str | None] = orm.mapped_column(sa.String(10))
    intended: orm.Mapped[bool | None] = orm.mapped_column()
    valence: orm.Mapped[str | None] = orm.mapped_column(sa.String(10))
    grew_from_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("ripple_items.id", ondelete="SET NULL")
    )
    status: orm.Mapped[str] = orm.mapped_column(sa.String(10), default=StoryStatus.NEW.value)
    effect_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("ripple_items.id", ondelete="SET NULL"), index=True
    )
    handled_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))
    handled_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))
    # A story the same participant sent just before that this one nearly equals: most
    # likely typed again after the phone lost the answer (shown in the inbox).
    likely_double_of_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("session_stories.id", ondelete="SET NULL")
    )

    workshop: orm.Mapped[Workshop] = orm.relationship()
    participant: orm.Mapped[WorkshopParticipant | None] = orm.relationship()
    grew_from: orm.Mapped[RippleItem | None] = orm.relationship(foreign_keys=[grew_from_id])
    effect: orm.Mapped[RippleItem | None] = orm.relationship(foreign_keys=[effect_id])
    handled_by: orm.Mapped[User | None] = orm.relationship()
    likely_double_of: orm.Mapped[WorkshopStory | None] = orm.relationship(remote_side=[id])

    @property
    def when(self) -> FuzzyDate | None:
        """Return the rough date, or None when the participant did not know."""
        if self.date_start is None or self.date_precision is None:
            return None
        return FuzzyDate(self.date_start, Precision(self.date_precision))

    @property
    def status_label(self) -> str:
        """Return the status in plain words."""
        return str(STORY_STATUS_LABELS.get(StoryStatus(self.status), self.status))
