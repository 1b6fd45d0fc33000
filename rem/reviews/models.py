"""Annual borging reviews: one per collaboration per year (a new version only on purpose).

A review holds, per borging strategy, a status and a short narrative; the
participatiescan scores (0-5) of the five current pillars and optionally the
seven older ones; the two risk questions (key persons, project money); and the
evidence the facilitator kept from the proposals (items and log entries of the
year coded with the strategy) or added.

Freezing: when a review is adopted, every kept piece of evidence gets a copy of
what it showed (title, date label, kind, excerpt, codes) in its own row, the map
of the year is stored as SVG, and the year-over-year lists are stored as JSON.
An adopted review shows only those copies, so later edits to the ripple log do
not change it. Editing it is refused; "new version" copies it into a new draft.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm

from rem.core.database import TimestampMixin
from rem.extensions import db

if TYPE_CHECKING:
    from rem.accounts.models import User
    from rem.collaborations.models import Collaboration

TEXT_MAX = 5_000
PARTICIPANTS_MAX = 2_000
EXCERPT_MAX = 600
# Frozen copies of evidence (ReviewEvidence.snap_*).
SNAP_TITLE_MAX = 200
SNAP_DATE_MAX = 60
SNAP_CODES_MAX = 1000
SCORE_MIN, SCORE_MAX = 0, 5
FIRST_YEAR, LAST_YEAR = 2000, 2100


class ReviewStatus(enum.StrEnum):
    """Where a review stands."""

    DRAFT = "draft"
    DISCUSSED = "discussed"
    ADOPTED = "adopted"


REVIEW_STATUS_LABELS = {
    ReviewStatus.DRAFT: _l("Concept"),
    ReviewStatus.DISCUSSED: _l("Besproken"),
    ReviewStatus.ADOPTED: _l("Vastgesteld"),
}


class StrategyStatus(enum.StrEnum):
    """How far a borging strategy has come."""

    NOT_STARTED = "not_started"
    IN_DEVELOPMENT = "in_development"
    REALISED = "realised"
    AT_RISK = "at_risk"


STRATEGY_STATUS_LABELS = {
    StrategyStatus.NOT_STARTED: _l("Nog niet begonnen"),
    StrategyStatus.IN_DEVELOPMENT: _l("In ontwikkeling"),
    StrategyStatus.REALISED: _l("Gerealiseerd"),
    StrategyStatus.AT_RISK: _l("In gevaar"),
}

# The six borging strategies: code slugs of the built-in codebook "borging".
STRATEGY_SLUGS = (
    "sleutelpersonen",
    "infrastructuur",
    "kennisdeling-en-training",
    "beleidsverankering",
    "juridische-borging",
    "financiele-duurzaamheid",
)

# Participatiescan pillars (000, appendix B): the five current ones and the seven older.
CURRENT_PILLARS = {
    "diversiteit": _l("Diversiteit"),
    "invloed": _l("Invloed"),
    "draagvlak": _l("Draagvlak"),
    "verbinding": _l("Verbinding"),
    "vaardigheden-en-werkvormen": _l("Vaardigheden en werkvormen"),
}
OLDER_PILLARS = {
    "oud-diversiteit": _l("Diversiteit in participanten"),
    "oud-invloed": _l("Mate van invloed"),
    "oud-draagvlak": _l("Draagvlak voor participatie"),
    "oud-verbinding": _l("Verbinding tussen organisatie en mensen om wie het draait"),
    "oud-professionaliteit": _l("Professionaliteit"),
    "oud-acteren": _l("Acteren op input"),
    "oud-continuiteit": _l("Continuïteit in participatie"),
}
# National scores of the seven older pillars (000, table 1: 543 questionnaires).
NATIONAL_REFERENCE = {
    "oud-diversiteit": 2.77,
    "oud-invloed": 1.92,
    "oud-draagvlak": 3.16,
    "oud-verbinding": 3.04,
    "oud-professionaliteit": 2.70,
    "oud-acteren": 2.48,
    "oud-continuiteit": 2.28,
}
PILLAR_SLUGS = (*CURRENT_PILLARS, *OLDER_PILLARS)


class BorgingReview(TimestampMixin, db.Model):
    """One year's borging review of one collaboration (a version of it)."""

    __tablename__ = "borging_reviews"
    __table_args__ = (
        sa.UniqueConstraint("collaboration_id", "year", "version_number",
                            name="uq_borging_reviews_collaboration_year_version"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    collaboration_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("collaborations.id"), index=True)
    year: orm.Mapped[int] = orm.mapped_column()
    version_number: orm.Mapped[int] = orm.mapped_column(default=1)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(20), default=ReviewStatus.DRAFT.value)
    meeting_date: orm.Mapped[date | None] = orm.mapped_column(sa.Date)
    participants: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    risk_key_persons: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    risk_project_money: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    use_older_pillars: orm.Mapped[bool] = orm.mapped_column(default=False)
    version: orm.Mapped[int] = orm.mapped_column(default=1)
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))
    adopted_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))
    adopted_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))
    # Frozen at adoption: the map of the year (SVG) and the year-over-year lists.
    frozen_map_svg: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    # The same map as the PDF prints it (Graphviz's cairo SVG: rem.maps.drawing.print_svg);
    # None for a review adopted before it was kept (its PDF prints frozen_map_svg).
    frozen_map_print_svg: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    frozen_map_summary: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    frozen_extra: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON)
    # The saved map view the review shows (rem.maps.models.SavedView), if one was chosen.
    map_view_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("saved_map_views.id", ondelete="SET NULL"))

    collaboration: orm.Mapped[Collaboration] = orm.relationship()
    adopted_by: orm.Mapped[User | None] = orm.relationship(foreign_keys=[adopted_by_id])
    strategies: orm.Mapped[list[ReviewStrategy]] = orm.relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewStrategy.id")
    scores: orm.Mapped[list[ReviewScore]] = orm.relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewScore.id")
    evidence: orm.Mapped[list[ReviewEvidence]] = orm.relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewEvidence.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_adopted(self) -> bool:
        """Tell whether the review is adopted (and so frozen)."""
        return self.status == ReviewStatus.ADOPTED

    @property
    def status_label(self) -> str:
        """Return the status in the current language."""
        return str(REVIEW_STATUS_LABELS.get(self.status, self.status))


class ReviewStrategy(db.Model):
    """The status and narrative of one borging strategy in a review."""

    __tablename__ = "review_strategies"
    __table_args__ = (
        sa.UniqueConstraint("review_id", "strategy", name="uq_review_strategies_review_strategy"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    review_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("borging_reviews.id", ondelete="CASCADE"), index=True)
    strategy: orm.Mapped[str] = orm.mapped_column(sa.String(60))
    status: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))
    narrative: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")

    review: orm.Mapped[BorgingReview] = orm.relationship(back_populates="strategies")

    @property
    def is_empty(self) -> bool:
        """Tell whether nothing was filled in for this strategy."""
        return not self.status and not self.narrative.strip()


class ReviewScore(db.Model):
    """One participatiescan score (0-5) in a review."""

    __tablename__ = "review_scores"
    __table_args__ = (
        sa.UniqueConstraint("review_id", "pillar", name="uq_review_scores_review_pillar"),
        sa.CheckConstraint("score >= 0 AND score <= 5", name="score_range"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    review_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("borging_reviews.id", ondelete="CASCADE"), index=True)
    pillar: orm.Mapped[str] = orm.mapped_column(sa.String(40))
    score: orm.Mapped[float] = orm.mapped_column(sa.Numeric(3, 1, asdecimal=False))

    review: orm.Mapped[BorgingReview] = orm.relationship(back_populates="scores")


class ReviewEvidence(db.Model):
    """A piece of evidence for one strategy: kept, dropped or added by the facilitator.

    Exactly one of ``item_id`` / ``entry_id`` points to the source while it exists
    (``SET NULL`` when it is purged); the ``snap_*`` columns hold the copy made on
    adoption, which is what an adopted review shows.
    """

    __tablename__ = "review_evidence"
    __table_args__ = (
        sa.UniqueConstraint("review_id", "strategy", "item_id",
                            name="uq_review_evidence_review_strategy_item"),
        sa.UniqueConstraint("review_id", "strategy", "entry_id",
                            name="uq_review_evidence_review_strategy_entry"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    review_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("borging_reviews.id", ondelete="CASCADE"), index=True)
    strategy: orm.Mapped[str] = orm.mapped_column(sa.String(60))
    item_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("ripple_items.id", ondelete="SET NULL"), index=True)
    entry_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("log_entries.id", ondelete="SET NULL"), index=True)
    kept: orm.Mapped[bool] = orm.mapped_column(default=True)
    added: orm.Mapped[bool] = orm.mapped_column(default=False)
    snap_title: orm.Mapped[str | None] = orm.mapped_column(sa.String(SNAP_TITLE_MAX))
    snap_date_label: orm.Mapped[str | None] = orm.mapped_column(sa.String(SNAP_DATE_MAX))
    snap_date: orm.Mapped[date | None] = orm.mapped_column(sa.Date)
    snap_kind: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))
    snap_excerpt: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    snap_codes: orm.Mapped[str | None] = orm.mapped_column(sa.String(SNAP_CODES_MAX))

    review: orm.Mapped[BorgingReview] = orm.relationship(back_populates="evidence")
