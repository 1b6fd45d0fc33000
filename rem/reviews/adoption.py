"""Adopting a review (the evidence, the map and the threads frozen as copies) and making a
deliberate new version of it."""

from __future__ import annotations

from flask_babel import gettext as _

from rem.audit.services import actor_id, record
from rem.core.database import utcnow
from rem.extensions import db
from rem.reviews.comparison import new_effects, open_actions
from rem.reviews.evidence import evidence_of
from rem.reviews.models import (
    SNAP_DATE_MAX,
    SNAP_TITLE_MAX,
    STRATEGY_SLUGS,
    BorgingReview,
    ReviewEvidence,
    ReviewScore,
    ReviewStatus,
    ReviewStrategy,
)
from rem.reviews.services import (
    ENTITY,
    EditConflict,
    ReviewError,
    is_latest_version,
    refuse_if_frozen,
    review_state,
    strategy_names,
)

# --- adopting and new versions ---------------------------------------------------------------


def empty_strategies(review: BorgingReview) -> list[str]:
    """Return the names of the strategies left empty (no status and no narrative)."""
    names = strategy_names()
    filled = {s.strategy for s in review.strategies if not s.is_empty}
    return [names[slug] for slug in STRATEGY_SLUGS if slug not in filled]


def adopt(review: BorgingReview, seen_version: int, *, map_svg: str | None = None,
          map_print_svg: str | None = None, map_summary: str | None = None,
          threads: list[dict] | None = None,
          map_key: list[list[str]] | None = None) -> list[str]:
    """Adopt (vaststellen) the review and freeze what it cites: the map both as the
    screen shows it (``map_svg``) and as the PDF prints it (``map_print_svg``).

    Returns the names of strategies left empty: adopting is allowed, and the report
    says so plainly.
    """
    refuse_if_frozen(review)
    if review.version != seen_version:
        raise EditConflict()
    live = evidence_of(review, include_dropped=False)
    rows = {(r.strategy, r.item_id, r.entry_id): r for r in review.evidence}
    for slug, pieces in live.items():
        for piece in pieces:
            row = rows.get((slug, piece.item_id, piece.entry_id))
            if row is None:
                row = ReviewEvidence(strategy=slug, item_id=piece.item_id,
                                     entry_id=piece.entry_id, kept=True, added=False)
                review.evidence.append(row)
            row.snap_title = piece.title[:SNAP_TITLE_MAX]
            row.snap_date_label = piece.date_label[:SNAP_DATE_MAX]
            row.snap_date = piece.sort_date
            row.snap_kind = piece.kind
            row.snap_excerpt = piece.excerpt
            row.snap_codes = piece.codes
    review.frozen_extra = {"new_effects": new_effects(review.collaboration_id, review.year),
                           "open_actions": open_actions(review.collaboration_id),
                           "threads": list(threads or []),
                           "map_key": list(map_key or []) if map_svg else []}
    review.frozen_map_svg = map_svg
    review.frozen_map_print_svg = map_print_svg if map_svg else None
    review.frozen_map_summary = map_summary
    review.status = ReviewStatus.ADOPTED.value
    review.adopted_at = utcnow()
    review.adopted_by_id = actor_id()
    db.session.flush()
    record("adopt", ENTITY, review.id, collaboration_id=review.collaboration_id,
           summary=f"Borgingsreview {review.year}", after=review_state(review))
    return empty_strategies(review)


def new_version(review: BorgingReview) -> BorgingReview:
    """Copy an adopted review into a new draft of the same year (version + 1)."""
    if not review.is_adopted:
        raise ReviewError(_("Alleen van een vastgestelde review maakt u een nieuwe versie. "
                            "Deze review is nog niet vastgesteld: u kunt hem gewoon "
                            "aanpassen."))
    if not is_latest_version(review):
        raise ReviewError(_("Er is al een nieuwere versie van deze review. Werk daarin "
                            "verder."))
    copy = BorgingReview(
        collaboration_id=review.collaboration_id, year=review.year,
        version_number=review.version_number + 1, status=ReviewStatus.DRAFT.value,
        meeting_date=review.meeting_date, participants=review.participants,
        risk_key_persons=review.risk_key_persons, risk_project_money=review.risk_project_money,
        use_older_pillars=review.use_older_pillars, created_by_id=actor_id())
    copy.strategies = [ReviewStrategy(strategy=s.strategy, status=s.status,
                                      narrative=s.narrative) for s in review.strategies]
    copy.scores = [ReviewScore(pillar=s.pillar, score=s.score) for s in review.scores]
    # The decisions carry over (not the frozen copies): the new draft shows the log as it is.
    copy.evidence = [ReviewEvidence(strategy=r.strategy, item_id=r.item_id, entry_id=r.entry_id,
                                    kept=r.kept, added=r.added) for r in review.evidence
                     if r.item_id is not None or r.entry_id is not None]
    db.session.add(copy)
    db.session.flush()
    record("new_version", ENTITY, copy.id, collaboration_id=review.collaboration_id,
           summary=f"Borgingsreview {review.year}, versie {copy.version_number}",
           after=review_state(copy))
    return copy
