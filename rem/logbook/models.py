"""Learning-log entries, their codes and what they cite.

An entry belongs to one collaboration, like an activity or effect, and follows
the same rules: a visibility (shared beyond the collaboration only by choice),
a soft delete (``deleted_at``) and a ``version`` column for optimistic locking.

Citations (``log_citations``) are the evidence an entry points to. Each row
names exactly one target, in its own foreign-key column:

- ``item_id``: an activity or effect of the same collaboration;
- ``cited_entry_id``: another entry of the same collaboration;
- ``exchange_id``: a learning exchange (set when an outcome is adopted);
- ``session_id``: an evaluation session of the same collaboration.

Extension point: to cite evaluation sessions later, add a nullable
``session_id`` foreign key here, add it to the check constraint and to
``CITATION_TARGETS``, and teach ``rem.logbook.services`` how to resolve it
(``_resolve_citations``). Nothing else needs to change.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm

from rem.core.database import TimestampMixin, utcnow
from rem.extensions import db
from rem.ripples.models import Visibility

if TYPE_CHECKING:
    from rem.accounts.models import User
    from rem.codes.models import Code
    from rem.collaborations.models import Collaboration
    from rem.ripples.models import RippleItem

TITLE_MAX = 200
BODY_MAX = 20_000


class EntryKind(enum.StrEnum):
    """What a learning-log entry is."""

    REFLECTION = "reflection"
    LESSON = "lesson"
    QUESTION = "question"
    DECISION = "decision"
    ACTION = "action"


KIND_LABELS = {
    EntryKind.REFLECTION: _l("Reflectie"),
    EntryKind.LESSON: _l("Les"),
    EntryKind.QUESTION: _l("Vraag"),
    EntryKind.DECISION: _l("Besluit"),
    EntryKind.ACTION: _l("Actie"),
}

KIND_PLURALS = {
    EntryKind.REFLECTION: _l("Reflecties"),
    EntryKind.LESSON: _l("Lessen"),
    EntryKind.QUESTION: _l("Vragen"),
    EntryKind.DECISION: _l("Besluiten"),
    EntryKind.ACTION: _l("Acties"),
}

KIND_HINTS = {
    EntryKind.REFLECTION: _l("Wat viel op? Wat gaat goed, wat kan beter?"),
    EntryKind.LESSON: _l("Wat hebben we geleerd, dat we (of anderen) een volgende keer "
                         "gebruiken?"),
    EntryKind.QUESTION: _l("Wat weten we nog niet? Wat willen we uitzoeken?"),
    EntryKind.DECISION: _l("Wat hebben we samen besloten, en waarom?"),
    EntryKind.ACTION: _l("Wat gaat iemand doen, en wanneer is het klaar?"),
}

CITATION_TARGETS = ("item_id", "cited_entry_id", "exchange_id", "session_id")

log_entry_codes = sa.Table(
    "log_entry_codes",
    db.Model.metadata,
    sa.Column("entry_id", sa.ForeignKey("log_entries.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("code_id", sa.ForeignKey("codes.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_log_entry_codes_code_id", "code_id"),
)


class LogEntry(TimestampMixin, db.Model):
    """One entry in a collaboration's learning log."""

    __tablename__ = "log_entries"
    __table_args__ = (
        sa.Index("ix_log_entries_collab_date", "collaboration_id", "entry_date"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    collaboration_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("collaborations.id"), index=True
    )
    kind: orm.Mapped[str] = orm.mapped_column(sa.String(20))
    title: orm.Mapped[str] = orm.mapped_column(sa.String(TITLE_MAX))
    body: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    entry_date: orm.Mapped[date] = orm.mapped_column(sa.Date)
    author_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"), index=True)
    visibility: orm.Mapped[str] = orm.mapped_column(
        sa.String(20), default=Visibility.COLLABORATION.value
    )
    version: orm.Mapped[int] = orm.mapped_column(default=1)
    # Actions only: who does it, by when, and whether it is done.
    owner_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"), index=True)
    due_date: orm.Mapped[date | None] = orm.mapped_column(sa.Date)
    done_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))
    done_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))
    deleted_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))
    deleted_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))

    collaboration: orm.Mapped[Collaboration] = orm.relationship()
    author: orm.Mapped[User | None] = orm.relationship(foreign_keys=[author_id])
    owner: orm.Mapped[User | None] = orm.relationship(foreign_keys=[owner_id])
    done_by: orm.Mapped[User | None] = orm.relationship(foreign_keys=[done_by_id])
    codes: orm.Mapped[list[Code]] = orm.relationship(secondary=log_entry_codes,
                                                     order_by="Code.id")
    citations: orm.Mapped[list[LogCitation]] = orm.relationship(
        back_populates="entry", cascade="all, delete-orphan",
        foreign_keys="LogCitation.entry_id", order_by="LogCitation.id",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_deleted(self) -> bool:
        """Tell whether the entry is in the bin."""
        return self.deleted_at is not None

    @property
    def is_action(self) -> bool:
        """Tell whether the entry is an action."""
        return self.kind == EntryKind.ACTION

    @property
    def is_open_action(self) -> bool:
        """Tell whether the entry is an action that is not done yet."""
        return self.is_action and self.done_at is None

    def is_overdue(self, today: date | None = None) -> bool:
        """Tell whether an open action is past its due date."""
        today = today or utcnow().date()
        return self.is_open_action and self.due_date is not None and self.due_date < today

    @property
    def kind_label(self) -> str:
        """Return the kind in the current language."""
        return str(KIND_LABELS.get(self.kind, self.kind))


class LogCitation(db.Model):
    """Evidence an entry points to: exactly one item, entry, exchange or session."""

    __tablename__ = "log_citations"
    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN item_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN cited_entry_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN exchange_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN session_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    entry_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("log_entries.id", ondelete="CASCADE"), index=True
    )
    item_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("ripple_items.id", ondelete="CASCADE"), index=True
    )
    cited_entry_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("log_entries.id", ondelete="CASCADE"), index=True
    )
    exchange_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("learning_exchanges.id", ondelete="CASCADE"), index=True
    )
    session_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("evaluation_sessions.id", ondelete="CASCADE"), index=True
    )
    created_at: orm.Mapped[datetime] = orm.mapped_column(
        sa.DateTime(timezone=True), default=utcnow, nullable=False
    )

    entry: orm.Mapped[LogEntry] = orm.relationship(back_populates="citations",
                                                   foreign_keys=[entry_id])
    item: orm.Mapped[RippleItem | None] = orm.relationship(foreign_keys=[item_id])
    cited_entry: orm.Mapped[LogEntry | None] = orm.relationship(foreign_keys=[cited_entry_id])
    exchange = orm.relationship("LearningExchange", foreign_keys=[exchange_id])
    workshop = orm.relationship("Workshop", foreign_keys=[session_id])

    @property
    def target_type(self) -> str:
        """Return which kind of thing is cited: item, entry, session or exchange."""
        if self.item_id is not None:
            return "item"
        if self.cited_entry_id is not None:
            return "entry"
        if self.session_id is not None:
            return "session"
        return "exchange"
