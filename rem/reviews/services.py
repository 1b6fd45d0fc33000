"""Business rules of the annual borging review: plain functions that flush, never commit.

Who may do what (built on :class:`rem.access.Access`):
- everyone who reads all of a collaboration (members, facilitators, the hub's
  coordinators, administrators) reads its reviews;
- those who edit its ripple log (facilitators, the hub's coordinators,
  administrators) open, fill in, adopt and re-version them;
- a hub's coordinators (and administrators) see the hub overview.
Researchers and people elsewhere in the network see no reviews: a review is the
collaboration's own account, and its evidence includes private items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import orm

from rem.access import Access
from rem.audit.services import actor_id, record
from rem.codes.models import Code, Codebook
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.core.dates import FuzzyDate, Precision
from rem.core.forms import too_long
from rem.extensions import db
from rem.hubs.models import Hub
from rem.logbook.models import LogEntry
from rem.reviews.models import (
    CURRENT_PILLARS,
    FIRST_YEAR,
    LAST_YEAR,
    OLDER_PILLARS,
    PARTICIPANTS_MAX,
    PILLAR_SLUGS,
    SCORE_MAX,
    SCORE_MIN,
    STRATEGY_SLUGS,
    TEXT_MAX,
    BorgingReview,
    ReviewScore,
    ReviewStatus,
    ReviewStrategy,
    StrategyStatus,
)
from rem.ripples.models import RippleItem
from rem.threads.models import StoryThread

ENTITY = "borging_review"
BORGING = "borging"


class ReviewError(ValueError):
    """A change that the review refuses; the message is shown to the user."""


class ScoreErrors(ReviewError):
    """One or more scores could not be read: every one is named, not only the first."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors  # pillar slug -> message
        super().__init__(" ".join(errors.values()))


class EditConflict(ReviewError):
    """Someone else saved the review since it was opened."""

    def __init__(self) -> None:
        super().__init__(_("Iemand anders heeft deze review intussen opgeslagen. Uw wijziging "
                           "is niet opgeslagen. Bekijk de review opnieuw en vul het nog eens "
                           "in."))


# --- names -----------------------------------------------------------------------------------


def strategy_names() -> dict[str, str]:
    """Return the six strategies' names as the codebook has them (users may rename), in the
    reader's language while they are the built-in ones (``Code.label``)."""
    codes = db.session.scalars(
        sa.select(Code).join(Codebook, Codebook.id == Code.codebook_id)
        .where(Codebook.slug == BORGING, Code.slug.in_(STRATEGY_SLUGS))).all()
    names = {code.slug: code.label for code in codes}
    return {slug: names.get(slug, slug) for slug in STRATEGY_SLUGS}


def strategy_codes() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Code.slug, Code.id).join(Codebook, Codebook.id == Code.codebook_id)
        .where(Codebook.slug == BORGING, Code.slug.in_(STRATEGY_SLUGS))).all()
    return dict(rows)


def pillars_of(review: BorgingReview) -> dict[str, str]:
    """Return the pillars this review scores: the five, plus the seven older if chosen."""
    pillars = {k: str(v) for k, v in CURRENT_PILLARS.items()}
    if review.use_older_pillars:
        pillars.update({k: str(v) for k, v in OLDER_PILLARS.items()})
    return pillars


# --- finding reviews -------------------------------------------------------------------------


def reviews_of(collaboration: Collaboration) -> list[BorgingReview]:
    """Return every review of ``collaboration``, newest year and version first."""
    return list(db.session.scalars(
        sa.select(BorgingReview).where(BorgingReview.collaboration_id == collaboration.id)
        .order_by(BorgingReview.year.desc(), BorgingReview.version_number.desc())))


def latest_for_year(collaboration_id: int, year: int, *, adopted_only: bool = False
                    ) -> BorgingReview | None:
    """Return the newest version of the review of ``year``, if any."""
    query = (sa.select(BorgingReview)
             .where(BorgingReview.collaboration_id == collaboration_id,
                    BorgingReview.year == year))
    if adopted_only:
        query = query.where(BorgingReview.status == ReviewStatus.ADOPTED.value)
    return db.session.scalar(query.order_by(BorgingReview.version_number.desc()).limit(1))


def previous_review(review: BorgingReview) -> BorgingReview | None:
    """Return the review to compare with: last year's newest adopted version, else its
    newest version of any status."""
    return (latest_for_year(review.collaboration_id, review.year - 1, adopted_only=True)
            or latest_for_year(review.collaboration_id, review.year - 1))


def is_latest_version(review: BorgingReview) -> bool:
    """Tell whether no later version of this year's review exists."""
    latest = latest_for_year(review.collaboration_id, review.year)
    return latest is None or latest.id == review.id


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def year_has_data(collaboration: Collaboration, year: int) -> bool:
    """Tell whether the ripple log or learning log holds anything dated in ``year``."""
    first, last = year_bounds(year)
    item = db.session.scalar(sa.select(RippleItem.id).where(
        RippleItem.collaboration_id == collaboration.id, RippleItem.deleted_at.is_(None),
        RippleItem.date_start.between(first, last)).limit(1))
    if item is not None:
        return True
    return db.session.scalar(sa.select(LogEntry.id).where(
        LogEntry.collaboration_id == collaboration.id, LogEntry.deleted_at.is_(None),
        LogEntry.entry_date.between(first, last)).limit(1)) is not None


def _check_year(year: int | None) -> int:
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ReviewError(_("Kies een jaar tussen %(first)d en %(last)d.",
                            first=FIRST_YEAR, last=LAST_YEAR))
    if year > date.today().year + 1:
        raise ReviewError(_("Een review gaat over een jaar dat al begonnen is; %(year)d is "
                            "nog ver weg.", year=year))
    return year


# --- opening and filling in ------------------------------------------------------------------


def review_state(review: BorgingReview) -> dict:
    """Return what the audit trail keeps of a review."""
    return {
        "year": review.year, "version_number": review.version_number, "status": review.status,
        "meeting_date": review.meeting_date.isoformat() if review.meeting_date else None,
        "participants": review.participants, "risk_key_persons": review.risk_key_persons,
        "risk_project_money": review.risk_project_money,
        "use_older_pillars": review.use_older_pillars,
        "strategies": {s.strategy: [s.status, s.narrative] for s in review.strategies},
        "scores": {s.pillar: s.score for s in review.scores},
    }


def create_review(collaboration: Collaboration, year: int | None) -> BorgingReview:
    """Open the review of ``year``: refused when that year already has one."""
    year = _check_year(year)
    existing = latest_for_year(collaboration.id, year)
    if existing is not None:
        raise ReviewError(_("Er is al een review over %(year)d (versie %(v)d, %(status)s). Open "
                            "die review; wilt u opnieuw beginnen, maak dan vanuit de "
                            "vastgestelde review bewust een nieuwe versie.", year=year,
                            v=existing.version_number, status=existing.status_label.lower()))
    review = BorgingReview(collaboration_id=collaboration.id, year=year, version_number=1,
                           status=ReviewStatus.DRAFT.value, created_by_id=actor_id())
    review.strategies = [ReviewStrategy(strategy=slug) for slug in STRATEGY_SLUGS]
    db.session.add(review)
    db.session.flush()
    record("create", ENTITY, review.id, collaboration_id=collaboration.id,
           summary=f"Borgingsreview {year}", after=review_state(review))
    return review


@dataclass
class ReviewInput:
    """What a facilitator typed in the review form."""

    status: str = ReviewStatus.DRAFT.value
    meeting_date: date | None = None
    participants: str = ""
    risk_key_persons: str = ""
    risk_project_money: str = ""
    use_older_pillars: bool = False
    # strategy slug -> (status or "" / None, narrative)
    strategies: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    # pillar slug -> score as typed (None: not scored)
    scores: dict[str, float | str | None] = field(default_factory=dict)


def _check_text(value: str, limit: int, label: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ReviewError(too_long(label, limit))
    return value


def parse_score(raw: float | str | None, label: str) -> float | None:
    """Return a score 0-5 (one decimal) from what was typed, None when left empty."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        raise ReviewError(_("De score bij “%(pillar)s” is geen getal. Vul een getal van "
                            "%(lo)d tot en met %(hi)d in.", pillar=label, lo=SCORE_MIN,
                            hi=SCORE_MAX)) from None
    if value != value or not SCORE_MIN <= value <= SCORE_MAX:
        raise ReviewError(_("De score bij “%(pillar)s” moet tussen %(lo)d en %(hi)d liggen "
                            "(u vulde %(value)s in).", pillar=label, lo=SCORE_MIN,
                            hi=SCORE_MAX, value=str(raw)[:10]))
    return round(value, 1)


def refuse_if_frozen(review: BorgingReview) -> None:
    """Refuse any change to an adopted review, with a message that says what to do."""
    if review.is_adopted:
        raise ReviewError(_("Deze review is vastgesteld en kan niet meer veranderen. Maak een "
                            "nieuwe versie als u iets wilt aanpassen."))


def update_review(review: BorgingReview, data: ReviewInput, seen_version: int) -> BorgingReview:
    """Save the form: statuses, narratives, scores, meeting, risks. Adoption is separate."""
    refuse_if_frozen(review)
    if review.version != seen_version:
        raise EditConflict()
    if data.status not in (ReviewStatus.DRAFT, ReviewStatus.DISCUSSED):
        raise ReviewError(_("Kies concept of besproken. Vaststellen doet u met de knop "
                            "“Vaststellen”."))
    before = review_state(review)
    review.use_older_pillars = bool(data.use_older_pillars)
    allowed = pillars_of(review)
    scores: dict[str, float] = {}
    errors: dict[str, str] = {}
    for pillar, raw in data.scores.items():
        if pillar not in PILLAR_SLUGS:
            continue
        try:
            value = parse_score(raw, allowed.get(pillar)
                                or str(OLDER_PILLARS.get(pillar, pillar)))
        except ReviewError as exc:  # read every score first: all mistakes at once
            errors[pillar] = str(exc)
            continue
        if value is not None and pillar in allowed:
            scores[pillar] = value
    if errors:
        raise ScoreErrors(errors)
    strategies: dict[str, tuple[str | None, str]] = {}
    names = strategy_names()
    for slug, (status, narrative) in data.strategies.items():
        if slug not in STRATEGY_SLUGS:
            continue
        if status and status not in {s.value for s in StrategyStatus}:
            raise ReviewError(_("Kies een bestaande status bij “%(name)s”.", name=names[slug]))
        strategies[slug] = (status or None,
                            _check_text(narrative, TEXT_MAX, names[slug]))
    review.status = data.status
    review.meeting_date = data.meeting_date
    review.participants = _check_text(data.participants, PARTICIPANTS_MAX, _("Deelnemers"))
    review.risk_key_persons = _check_text(data.risk_key_persons, TEXT_MAX,
                                          _("Afhankelijkheid van sleutelpersonen"))
    review.risk_project_money = _check_text(data.risk_project_money, TEXT_MAX,
                                            _("Afhankelijkheid van projectgeld"))
    rows = {s.strategy: s for s in review.strategies}
    for slug, (status, narrative) in strategies.items():
        row = rows.get(slug)
        if row is None:
            row = ReviewStrategy(strategy=slug)
            review.strategies.append(row)
        row.status, row.narrative = status, narrative
    existing = {s.pillar: s for s in review.scores}
    for pillar, row in existing.items():
        if pillar not in scores:
            review.scores.remove(row)
    for pillar, value in scores.items():
        if pillar in existing:
            existing[pillar].score = value
        else:
            review.scores.append(ReviewScore(pillar=pillar, score=value))
    review.updated_at = utcnow()
    db.session.flush()
    record("update", ENTITY, review.id, collaboration_id=review.collaboration_id,
           summary=f"Borgingsreview {review.year}", before=before,
           after=review_state(review))
    return review


# --- the hub overview ------------------------------------------------------------------------


@dataclass
class HubRow:
    """One collaboration in the hub overview."""

    collaboration: Collaboration
    review: BorgingReview | None
    statuses: dict[str, str | None]


def hub_overview(hub: Hub, year: int) -> list[HubRow]:
    """Return every collaboration of ``hub`` with its newest review of ``year``."""
    collaborations = list(db.session.scalars(
        sa.select(Collaboration).where(Collaboration.hub_id == hub.id)
        .order_by(Collaboration.name)))
    reviews: dict[int, BorgingReview] = {}
    if collaborations:
        for review in db.session.scalars(
                sa.select(BorgingReview)
                .where(BorgingReview.collaboration_id.in_([c.id for c in collaborations]),
                       BorgingReview.year == year)
                .options(orm.selectinload(BorgingReview.strategies))
                .order_by(BorgingReview.version_number)):
            reviews[review.collaboration_id] = review  # the highest version wins
    rows = []
    for collaboration in collaborations:
        review = reviews.get(collaboration.id)
        statuses = {s.strategy: s.status for s in review.strategies} if review else {}
        rows.append(HubRow(collaboration, review,
                           {slug: statuses.get(slug) for slug in STRATEGY_SLUGS}))
    return rows


def hub_review_years(hub: Hub) -> list[int]:
    """Return the years in which a collaboration of ``hub`` has a review, newest first."""
    return list(db.session.scalars(
        sa.select(BorgingReview.year).distinct()
        .join(Collaboration, Collaboration.id == BorgingReview.collaboration_id)
        .where(Collaboration.hub_id == hub.id)
        .order_by(BorgingReview.year.desc())))


def year_of(day: date | None = None) -> int:
    """Return the year a new review is about by default: the current one."""
    return (day or date.today()).year


def year_period(year: int) -> FuzzyDate:
    """Return ``year`` as a fuzzy date (for the map filter)."""
    return FuzzyDate(date(year, 1, 1), Precision.YEAR)


def thread_target_choices(access: Access, thread: StoryThread) -> list[tuple[int, str]]:
    """Return the reviews of the thread's collaboration this person may place it in: for
    those who edit it, every review not yet adopted (an adopted review is frozen)."""
    if not access.edits(thread.collaboration):
        return []
    reviews = db.session.scalars(
        sa.select(BorgingReview)
        .where(BorgingReview.collaboration_id == thread.collaboration_id,
               BorgingReview.status != ReviewStatus.ADOPTED.value)
        .order_by(BorgingReview.year.desc(), BorgingReview.version_number.desc()))
    return [(review.id, _("Borgingsreview %(year)d (versie %(n)d)", year=review.year,
                          n=review.version_number)) for review in reviews]


def is_adopted(review_id: int) -> bool:
    """Tell whether the review is adopted (its report, threads included, is frozen)."""
    review = db.session.get(BorgingReview, review_id)
    return review is not None and review.is_adopted
