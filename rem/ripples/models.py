"""Activities and effects share one table (single-table inheritance) and one id space.

One id space keeps links, codes, history and exports uniform: a link's cause
can be an activity or an effect, and the ids in every export are the same.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm

from rem.core.database import TimestampMixin
from rem.core.dates import FuzzyDate, Precision, stored
from rem.extensions import db

if TYPE_CHECKING:
    from rem.codes.models import Code
    from rem.collaborations.models import Collaboration

TITLE_MAX = 200
TEXT_MAX = 20_000
URL_MAX = 2000


class Kind(enum.StrEnum):
    """What an item in the ripple log is."""

    ACTIVITY = "activity"
    EFFECT = "effect"


class Visibility(enum.StrEnum):
    """Who beyond the collaboration may see an item."""

    COLLABORATION = "collaboration"
    HUB = "hub"
    NETWORK = "network"


VISIBILITY_LABELS = {
    Visibility.COLLABORATION: _l("Alleen het samenwerkingsverband"),
    Visibility.HUB: _l("Ook de hub"),
    Visibility.NETWORK: _l("Het hele leernetwerk"),
}


class Valence(enum.StrEnum):
    """Whether an effect was good, bad or both."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    MIXED = "mixed"


VALENCE_LABELS = {
    Valence.POSITIVE: _l("Positief"),
    Valence.NEGATIVE: _l("Negatief"),
    Valence.MIXED: _l("Gemengd"),
}


class Observer(enum.StrEnum):
    """Who noticed an effect."""

    CITIZEN = "citizen"
    PROFESSIONAL = "professional"
    POLICY_MAKER = "policy_maker"
    RESEARCHER = "researcher"


OBSERVER_LABELS = {
    Observer.CITIZEN: _l("Inwoner"),
    Observer.PROFESSIONAL: _l("Professional"),
    Observer.POLICY_MAKER: _l("Beleidsmaker"),
    Observer.RESEARCHER: _l("Onderzoeker"),
}


class EvidenceKind(enum.StrEnum):
    """The kind of evidence behind an effect."""

    QUOTE = "quote"
    DOCUMENT = "document"
    OBSERVATION = "observation"
    NUMBER = "number"


EVIDENCE_LABELS = {
    EvidenceKind.QUOTE: _l("Citaat"),
    EvidenceKind.DOCUMENT: _l("Document (link)"),
    EvidenceKind.OBSERVATION: _l("Waarneming"),
    EvidenceKind.NUMBER: _l("Getal"),
}

GOVERNANCE_STYLES = {
    "faciliterend": _l("Faciliterend"),
    "samenwerkend": _l("Samenwerkend"),
    "delegerend": _l("Delegerend"),
    "participerend": _l("Participerend"),
}

LADDER_STEPS = {
    "informeren": _l("Informeren"),
    "consulteren": _l("Consulteren"),
    "adviseren": _l("Adviseren"),
    "coproduceren": _l("Coproduceren"),
    "meebeslissen": _l("Meebeslissen"),
}

item_codes = sa.Table(
    "item_codes",
    db.Model.metadata,
    sa.Column("item_id", sa.ForeignKey("ripple_items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("code_id", sa.ForeignKey("codes.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_item_codes_code_id", "code_id"),
)


# Per collaboration a stamp that triggers in the database renew on every change of its
# items, their codes and its links (migrations 0022, 0024): what kept time orders, maps,
# analyses and exports are found by (rem.ripples.fingerprints). Derived state, never
# written by the app.
log_states = sa.Table(
    "log_states",
    db.metadata,
    sa.Column("collaboration_id", sa.Integer, primary_key=True),
    sa.Column("stamp", sa.BigInteger, nullable=False),
)


class RippleItem(TimestampMixin, db.Model):
    """An activity or an effect in one collaboration's ripple log."""

    __tablename__ = "ripple_items"
    __table_args__ = (
        sa.Index("ix_ripple_items_collab_date", "collaboration_id", "date_start"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    collaboration_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("collaborations.id"), index=True
    )
    kind: orm.Mapped[str] = orm.mapped_column(sa.String(10))
    title: orm.Mapped[str] = orm.mapped_column(sa.String(TITLE_MAX))
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    date_start: orm.Mapped[date] = orm.mapped_column(sa.Date)
    date_precision: orm.Mapped[str] = orm.mapped_column(sa.String(10), default=Precision.DAY.value)
    visibility: orm.Mapped[str] = orm.mapped_column(
        sa.String(20), default=Visibility.COLLABORATION.value
    )
    version: orm.Mapped[int] = orm.mapped_column(default=1)
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"),
                                                             index=True)
    deleted_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))
    deleted_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))

    # Activity attributes
    participant_count: orm.Mapped[int | None] = orm.mapped_column()
    governance_style: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))
    ladder_step: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))

    # Effect attributes
    # NULL intended/valence: "not known" (a real answer: "Weet ik niet"), unless
    # ``unanswered`` says nobody was asked yet (an effect added by its title alone on the map
    # outline); the forms then start blank and ask. REM is about the unintended and the
    # negative, so no form ever fills these in for the person.
    intended: orm.Mapped[bool | None] = orm.mapped_column()
    valence: orm.Mapped[str | None] = orm.mapped_column(sa.String(10))
    unanswered: orm.Mapped[bool] = orm.mapped_column(default=False, server_default=sa.false())
    noticed_by: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))
    evidence_kind: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))
    evidence_text: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    evidence_url: orm.Mapped[str] = orm.mapped_column(sa.String(URL_MAX), default="")
    # The evaluation session a story became this effect in (rem.workshops), if any.
    session_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("evaluation_sessions.id"), index=True
    )

    collaboration: orm.Mapped[Collaboration] = orm.relationship()
    codes: orm.Mapped[list[Code]] = orm.relationship(secondary=item_codes, order_by="Code.id")

    __mapper_args__ = {
        "polymorphic_on": "kind",
        "version_id_col": version,
    }

    @property
    def when(self) -> FuzzyDate:
        """Return the item's date with its precision."""
        return stored(self.date_start, self.date_precision)

    @property
    def is_deleted(self) -> bool:
        """Tell whether the item is in the bin."""
        return self.deleted_at is not None

    @property
    def is_activity(self) -> bool:
        """Tell whether this item is an activity."""
        return self.kind == Kind.ACTIVITY

    def sort_key(self) -> tuple:
        """Sort by period, then by kind (activities first), then by id."""
        return (*self.when.sort_key(), 0 if self.is_activity else 1, self.id or 0)


class Activity(RippleItem):
    """Something the collaboration did: the centre of ripples."""

    __mapper_args__ = {"polymorphic_identity": Kind.ACTIVITY.value}


class Effect(RippleItem):
    """A change that grew from activities or from earlier effects."""

    __mapper_args__ = {"polymorphic_identity": Kind.EFFECT.value}


class RippleLink(TimestampMixin, db.Model):
    """A directed link: ``cause`` led to ``effect``."""

    __tablename__ = "ripple_links"
    __table_args__ = (
        sa.UniqueConstraint("cause_id", "effect_id", name="uq_ripple_links_pair"),
        sa.CheckConstraint("cause_id <> effect_id", name="not_self"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    collaboration_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("collaborations.id"), index=True
    )
    cause_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("ripple_items.id"), index=True)
    effect_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("ripple_items.id"), index=True)
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))
    deleted_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))

    cause: orm.Mapped[RippleItem] = orm.relationship(foreign_keys=[cause_id])
    effect: orm.Mapped[RippleItem] = orm.relationship(foreign_keys=[effect_id])
