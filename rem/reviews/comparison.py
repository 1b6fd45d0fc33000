"""Year over year: how each strategy's status and each score changed since the previous review,
and the year's lists (new effects, open actions)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from rem.extensions import db
from rem.logbook.models import EntryKind, LogEntry
from rem.reviews.models import STRATEGY_SLUGS, STRATEGY_STATUS_LABELS, BorgingReview
from rem.reviews.services import pillars_of, strategy_names, year_bounds
from rem.ripples.models import Kind, RippleItem

# --- year over year --------------------------------------------------------------------------


@dataclass
class Change:
    """One row of the year-over-year comparison."""

    key: str
    label: str
    before: str | float | None
    now: str | float | None

    @property
    def changed(self) -> bool:
        """Tell whether the value moved."""
        return self.before != self.now

    @property
    def delta(self) -> float | None:
        """Return the change of a score, None for statuses or missing scores."""
        if isinstance(self.before, int | float) and isinstance(self.now, int | float):
            return round(self.now - self.before, 1)
        return None


def status_label(status: str | None) -> str:
    """Return a strategy status in words; empty means "not filled in"."""
    if not status:
        return _("Niet ingevuld")
    return str(STRATEGY_STATUS_LABELS.get(status, status))


def strategy_changes(review: BorgingReview, previous: BorgingReview | None) -> list[Change]:
    """Return per strategy last year's status and this year's."""
    names = strategy_names()
    now = {s.strategy: s.status for s in review.strategies}
    before = {s.strategy: s.status for s in previous.strategies} if previous else {}
    return [Change(slug, names[slug], status_label(before.get(slug)) if previous else None,
                   status_label(now.get(slug))) for slug in STRATEGY_SLUGS]


def score_changes(review: BorgingReview, previous: BorgingReview | None) -> list[Change]:
    """Return per pillar last year's score and this year's."""
    now = {s.pillar: s.score for s in review.scores}
    before = {s.pillar: s.score for s in previous.scores} if previous else {}
    return [Change(slug, label, before.get(slug), now.get(slug))
            for slug, label in pillars_of(review).items()]


def new_effects(collaboration_id: int, year: int) -> list[dict]:
    first, last = year_bounds(year)
    effects = db.session.scalars(
        sa.select(RippleItem).where(RippleItem.collaboration_id == collaboration_id,
                                    RippleItem.deleted_at.is_(None),
                                    RippleItem.kind == Kind.EFFECT.value,
                                    RippleItem.date_start.between(first, last))
        .order_by(RippleItem.date_start, RippleItem.id))
    return [{"title": e.title, "date": e.when.label(), "valence": e.valence or "",
             "intended": e.intended} for e in effects]


def open_actions(collaboration_id: int) -> list[dict]:
    from flask_babel import format_date

    actions = db.session.scalars(
        sa.select(LogEntry).where(LogEntry.collaboration_id == collaboration_id,
                                  LogEntry.deleted_at.is_(None),
                                  LogEntry.kind == EntryKind.ACTION.value,
                                  LogEntry.done_at.is_(None))
        .order_by(LogEntry.due_date.is_(None), LogEntry.due_date, LogEntry.id))
    return [{"title": a.title,
             "due": format_date(a.due_date, "d MMMM y") if a.due_date else "",
             "owner": a.owner.name if a.owner else ""} for a in actions]


def year_lists(review: BorgingReview) -> dict[str, list[dict]]:
    """Return the effects new in the review's year and the open actions of the learning
    log: frozen copies for an adopted review, live ones for a draft."""
    if review.is_adopted and review.frozen_extra is not None:
        return {"new_effects": list(review.frozen_extra.get("new_effects", [])),
                "open_actions": list(review.frozen_extra.get("open_actions", []))}
    return {"new_effects": new_effects(review.collaboration_id, review.year),
            "open_actions": open_actions(review.collaboration_id)}
