"""Story threads: a path through a ripple map, written as a short dated narrative.

A thread belongs to one collaboration; its steps point to items (an activity, then
effects that grew from it). A step keeps its own text, so the wording can be edited;
an item that is deleted later leaves the step in place (shown as deleted). Placements
put a thread into a learning-log entry, an exchange pack or (later) a review report.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import orm

from rem.core.database import TimestampMixin, utcnow
from rem.extensions import db

if TYPE_CHECKING:
    from rem.accounts.models import User
    from rem.collaborations.models import Collaboration
    from rem.ripples.models import RippleItem

THREAD_TITLE_MAX = 200
STEP_TEXT_MAX = 2000
MAX_STEPS = 30


class PlacementKind(enum.StrEnum):
    """Where a thread can be placed."""

    LOG_ENTRY = "log_entry"
    EXCHANGE = "exchange"
    REVIEW = "review"


class StoryThread(TimestampMixin, db.Model):
    """A chain of ripples told as a story (for funders, reports and learning meetings)."""

    __tablename__ = "story_threads"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    collaboration_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("collaborations.id"), index=True
    )
    title: orm.Mapped[str] = orm.mapped_column(sa.String(THREAD_TITLE_MAX))
    author_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))
    version: orm.Mapped[int] = orm.mapped_column(default=1)
    deleted_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))

    collaboration: orm.Mapped[Collaboration] = orm.relationship()
    author: orm.Mapped[User | None] = orm.relationship()
    steps: orm.Mapped[list[ThreadStep]] = orm.relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="ThreadStep.position"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_deleted(self) -> bool:
        """Tell whether the thread is in the bin."""
        return self.deleted_at is not None


class ThreadStep(db.Model):
    """One step of a thread: an item and the words that tell it."""

    __tablename__ = "thread_steps"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    thread_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("story_threads.id", ondelete="CASCADE"), index=True
    )
    position: orm.Mapped[int] = orm.mapped_column()
    # SET NULL: an item emptied from the bin leaves the step, told as deleted.
    item_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("ripple_items.id", ondelete="SET NULL"), index=True
    )
    text: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")

    thread: orm.Mapped[StoryThread] = orm.relationship(back_populates="steps")
    item: orm.Mapped[RippleItem | None] = orm.relationship()


class ThreadPlacement(db.Model):
    """A thread shown in a log entry, an exchange pack or a review report."""

    __tablename__ = "thread_placements"
    __table_args__ = (
        sa.UniqueConstraint("thread_id", "target_kind", "target_id"),
        sa.Index("ix_thread_placements_target", "target_kind", "target_id"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    thread_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("story_threads.id", ondelete="CASCADE"), index=True
    )
    target_kind: orm.Mapped[str] = orm.mapped_column(sa.String(20))
    target_id: orm.Mapped[int] = orm.mapped_column()
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))
    created_at: orm.Mapped[datetime] = orm.mapped_column(
        sa.DateTime(timezone=True), default=utcnow, nullable=False
    )

    thread: orm.Mapped[StoryThread] = orm.relationship()
