"""Learning exchanges: a meeting of collaborations from two or more hubs on one theme.

The theme is a code (usually a borging strategy or a working element) or a free
question, or both. Participants are collaborations; choosing a hub in the form
adds all of its collaborations. Outcomes are recorded after the meeting, and
each participating collaboration can adopt an outcome into its learning log
(``ExchangeAdoption`` remembers which entry that made).
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

if TYPE_CHECKING:
    from rem.accounts.models import User
    from rem.codes.models import Code
    from rem.collaborations.models import Collaboration
    from rem.logbook.models import LogEntry

TITLE_MAX = 200
TEXT_MAX = 20_000
PLACE_MAX = 200


class OutcomeKind(enum.StrEnum):
    """What came out of an exchange."""

    INSIGHT = "insight"
    AGREEMENT = "agreement"
    FOLLOW_UP = "follow_up"


OUTCOME_LABELS = {
    OutcomeKind.INSIGHT: _l("Inzicht"),
    OutcomeKind.AGREEMENT: _l("Afspraak"),
    OutcomeKind.FOLLOW_UP: _l("Vervolgactie"),
}

exchange_participants = sa.Table(
    "exchange_participants",
    db.Model.metadata,
    sa.Column("exchange_id", sa.ForeignKey("learning_exchanges.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("collaboration_id", sa.ForeignKey("collaborations.id", ondelete="CASCADE"),
              primary_key=True),
    # The saved map view (rem.maps.models.SavedView) of this collaboration that the
    # exchange and its pack show; none: the plain map.
    sa.Column("map_view_id", sa.ForeignKey("saved_map_views.id", ondelete="SET NULL"),
              nullable=True),
    sa.Index("ix_exchange_participants_collaboration_id", "collaboration_id"),
)


class LearningExchange(TimestampMixin, db.Model):
    """A leeruitwisseling between collaborations of two or more hubs."""

    __tablename__ = "learning_exchanges"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    title: orm.Mapped[str] = orm.mapped_column(sa.String(TITLE_MAX))
    theme_code_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("codes.id"), index=True
    )
    question: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    meeting_date: orm.Mapped[date | None] = orm.mapped_column(sa.Date)
    place: orm.Mapped[str] = orm.mapped_column(sa.String(PLACE_MAX), default="")
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))
    version: orm.Mapped[int] = orm.mapped_column(default=1)

    theme_code: orm.Mapped[Code | None] = orm.relationship()
    created_by: orm.Mapped[User | None] = orm.relationship()
    participants: orm.Mapped[list[Collaboration]] = orm.relationship(
        secondary=exchange_participants, order_by="Collaboration.name"
    )
    outcomes: orm.Mapped[list[ExchangeOutcome]] = orm.relationship(
        back_populates="exchange", cascade="all, delete-orphan",
        order_by="ExchangeOutcome.id",
    )

    __mapper_args__ = {"version_id_col": version}


class ExchangeOutcome(TimestampMixin, db.Model):
    """An insight, agreement or follow-up action recorded after the meeting."""

    __tablename__ = "exchange_outcomes"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    exchange_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("learning_exchanges.id", ondelete="CASCADE"), index=True
    )
    kind: orm.Mapped[str] = orm.mapped_column(sa.String(20))
    title: orm.Mapped[str] = orm.mapped_column(sa.String(TITLE_MAX))
    body: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    due_date: orm.Mapped[date | None] = orm.mapped_column(sa.Date)
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))

    exchange: orm.Mapped[LearningExchange] = orm.relationship(back_populates="outcomes")
    adoptions: orm.Mapped[list[ExchangeAdoption]] = orm.relationship(
        back_populates="outcome", cascade="all, delete-orphan",
        order_by="ExchangeAdoption.id",
    )

    @property
    def kind_label(self) -> str:
        """Return the kind in the current language."""
        return str(OUTCOME_LABELS.get(self.kind, self.kind))


class ExchangeAdoption(db.Model):
    """One collaboration took an outcome into its learning log, as ``entry``."""

    __tablename__ = "exchange_adoptions"
    __table_args__ = (
        sa.UniqueConstraint("outcome_id", "collaboration_id",
                            name="uq_exchange_adoptions_outcome_collaboration"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    outcome_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("exchange_outcomes.id", ondelete="CASCADE"), index=True
    )
    collaboration_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("collaborations.id"), index=True
    )
    entry_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("log_entries.id", ondelete="CASCADE"), index=True
    )
    adopted_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))
    created_at: orm.Mapped[datetime] = orm.mapped_column(
        sa.DateTime(timezone=True), default=utcnow, nullable=False
    )

    outcome: orm.Mapped[ExchangeOutcome] = orm.relationship(back_populates="adoptions")
    collaboration: orm.Mapped[Collaboration] = orm.relationship()
    entry: orm.Mapped[LogEntry] = orm.relationship()
