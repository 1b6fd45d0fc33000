"""Story threads: a path through a ripple map, written as a short dated narrative.

A thread belongs to one collaboration; its steps point to items (an activity, then
effects that grew from it). A step keeps its own text, so the wording can be edited;
an item that is deleted later leaves the step in place (shown as deleted). Placements
put a thread into a learning-log entry, an exchange pack or a review report: one foreign
key per target and a check that exactly one is set, so the database keeps them true (a
target that is deleted takes its placements with it).
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
        sa.CheckConstraint(
            "(CASE WHEN entry_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN exchange_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN review_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
        # A thread is placed in a target once (NULLs never clash); each also indexes the
        # target's placements, which is how they are read.
        sa.UniqueConstraint("entry_id", "thread_id"),
        sa.UniqueConstraint("exchange_id", "thread_id"),
        sa.UniqueConstraint("review_id", "thread_id"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    thread_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("story_threads.id", ondelete="CASCADE"), index=True
    )
    entry_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("log_entries.id", ondelete="CASCADE"))
    exchange_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("learning_exchanges.id", ondelete="CASCADE"))
    review_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("borging_reviews.id", ondelete="CASCADE"))
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))
    created_at: orm.Mapped[datetime] = orm.mapped_column(
        sa.DateTime(timezone=True), default=utcnow, nullable=False
    )

    thread: orm.Mapped[StoryThread] = orm.relationship()

    @property
    def target_kind(self) -> str:
        """Return the kind of place the thread is in (a PlacementKind value)."""
        for kind, column in TARGET_COLUMNS.items():
            if getattr(self, column) is not None:
                return kind
        raise ValueError("a placement without a target")  # the check constraint forbids it

    @property
    def target_id(self) -> int:
        """Return the id of the entry, exchange or review the thread is placed in."""
        return getattr(self, TARGET_COLUMNS[self.target_kind])


# The column of ThreadPlacement that points to each kind of target.
TARGET_COLUMNS = {
    PlacementKind.LOG_ENTRY.value: "entry_id",
    PlacementKind.EXCHANGE.value: "exchange_id",
    PlacementKind.REVIEW.value: "review_id",
}
