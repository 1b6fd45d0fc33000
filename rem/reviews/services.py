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

from rem.audit.services import actor_id, record
from rem.codes.models import Code, Codebook
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.core.dates import FuzzyDate, Precision
from rem.core.markdown import plain_text
from rem.extensions import db
from rem.hubs.models import Hub
from rem.logbook.models import KIND_LABELS, EntryKind, LogEntry
from rem.reviews.models import (
    CURRENT_PILLARS,
    EXCERPT_MAX,
    FIRST_YEAR,
    LAST_YEAR,
    OLDER_PILLARS,
    PARTICIPANTS_MAX,
    PILLAR_SLUGS,
    SCORE_MAX,
    SCORE_MIN,
    STRATEGY_SLUGS,
    STRATEGY_STATUS_LABELS,
    TEXT_MAX,
    BorgingReview,
    ReviewEvidence,
    ReviewScore,
    ReviewStatus,
    ReviewStrategy,
    StrategyStatus,
)
from rem.ripples.models import Kind, RippleItem

ENTITY = "borging_review"
BORGING = "borging"


class ReviewError(ValueError):
    """A change that the review refuses; the message is shown to the user."""


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


def _strategy_codes() -> dict[str, int]:
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


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def year_has_data(collaboration: Collaboration, year: int) -> bool:
    """Tell whether the ripple log or learning log holds anything dated in ``year``."""
    first, last = _year_bounds(year)
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
        raise ReviewError(_("%(label)s is te lang: hooguit %(n)d tekens.", label=label, n=limit))
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
    for pillar, raw in data.scores.items():
        if pillar not in PILLAR_SLUGS:
            continue
        value = parse_score(raw, allowed.get(pillar) or str(OLDER_PILLARS.get(pillar, pillar)))
        if value is not None and pillar in allowed:
            scores[pillar] = value
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


# --- evidence --------------------------------------------------------------------------------


@dataclass
class Evidence:
    """One piece of evidence as the pages show it (live or frozen)."""

    strategy: str
    kind: str
    kind_label: str
    title: str
    date_label: str
    excerpt: str
    codes: str
    kept: bool
    added: bool
    item_id: int | None = None
    entry_id: int | None = None
    sort_date: date | None = None

    @property
    def ref(self) -> str:
        """Return ``item:<id>`` or ``entry:<id>``, the form value for this evidence."""
        return f"item:{self.item_id}" if self.item_id else f"entry:{self.entry_id}"


def _kind_label(kind: str) -> str:
    if kind == Kind.ACTIVITY:
        return _("Activiteit")
    if kind == Kind.EFFECT:
        return _("Effect")
    return str(KIND_LABELS.get(kind, kind))


def _item_excerpt(item: RippleItem) -> str:
    text = plain_text(item.description, EXCERPT_MAX)
    if item.evidence_text:
        quote = plain_text(item.evidence_text, EXCERPT_MAX // 2)
        if quote and quote[0] not in "“\"'‘":
            quote = f"“{quote}”"
        text = f"{text} {quote}".strip()
    return text[:EXCERPT_MAX]


def _codes_text(codes) -> str:
    return ", ".join(code.label for code in codes)[:1000]


def _from_item(strategy: str, item: RippleItem, kept: bool, added: bool) -> Evidence:
    return Evidence(strategy, item.kind, _kind_label(item.kind), item.title, item.when.label(),
                    _item_excerpt(item), _codes_text(item.codes), kept, added,
                    item_id=item.id, sort_date=item.date_start)


def _from_entry(strategy: str, entry: LogEntry, kept: bool, added: bool) -> Evidence:
    from flask_babel import format_date

    return Evidence(strategy, entry.kind, _kind_label(entry.kind), entry.title,
                    format_date(entry.entry_date, "d MMMM y"),
                    plain_text(entry.body, EXCERPT_MAX), _codes_text(entry.codes), kept, added,
                    entry_id=entry.id, sort_date=entry.entry_date)


def _from_snapshot(row: ReviewEvidence) -> Evidence:
    return Evidence(row.strategy, row.snap_kind or "", _kind_label(row.snap_kind or ""),
                    row.snap_title or "", row.snap_date_label or "", row.snap_excerpt or "",
                    row.snap_codes or "", True, row.added, item_id=row.item_id,
                    entry_id=row.entry_id, sort_date=row.snap_date)


def _proposed(collaboration_id: int, year: int) -> dict[str, tuple[list[RippleItem],
                                                                   list[LogEntry]]]:
    """Return, per strategy, the live items and entries of ``year`` coded with it."""
    codes = _strategy_codes()
    first, last = _year_bounds(year)
    result: dict[str, tuple[list[RippleItem], list[LogEntry]]] = {
        slug: ([], []) for slug in STRATEGY_SLUGS}
    items = db.session.scalars(
        sa.select(RippleItem).where(RippleItem.collaboration_id == collaboration_id,
                                    RippleItem.deleted_at.is_(None),
                                    RippleItem.date_start.between(first, last))
        .options(orm.selectinload(RippleItem.codes))
        .order_by(RippleItem.date_start, RippleItem.id))
    by_code = {code_id: slug for slug, code_id in codes.items()}
    for item in items:
        for code in item.codes:
            if code.id in by_code:
                result[by_code[code.id]][0].append(item)
    entries = db.session.scalars(
        sa.select(LogEntry).where(LogEntry.collaboration_id == collaboration_id,
                                  LogEntry.deleted_at.is_(None),
                                  LogEntry.entry_date.between(first, last))
        .options(orm.selectinload(LogEntry.codes))
        .order_by(LogEntry.entry_date, LogEntry.id))
    for entry in entries:
        for code in entry.codes:
            if code.id in by_code:
                result[by_code[code.id]][1].append(entry)
    return result


def evidence_of(review: BorgingReview, *, include_dropped: bool = True
                ) -> dict[str, list[Evidence]]:
    """Return the evidence per strategy.

    An adopted review answers with its frozen copies only. A draft answers with the
    proposals of the year (kept unless dropped) plus what the facilitator added.
    """
    result: dict[str, list[Evidence]] = {slug: [] for slug in STRATEGY_SLUGS}
    if review.is_adopted:
        for row in review.evidence:
            if row.kept and row.snap_title is not None and row.strategy in result:
                result[row.strategy].append(_from_snapshot(row))
        for rows in result.values():
            rows.sort(key=lambda e: (e.sort_date or date.min, e.title))
        return result
    decisions = {(r.strategy, r.item_id, r.entry_id): r for r in review.evidence}
    seen: set[tuple[str, int | None, int | None]] = set()
    for slug, (items, entries) in _proposed(review.collaboration_id, review.year).items():
        for item in items:
            row = decisions.get((slug, item.id, None))
            seen.add((slug, item.id, None))
            result[slug].append(_from_item(slug, item, row.kept if row else True, False))
        for entry in entries:
            row = decisions.get((slug, None, entry.id))
            seen.add((slug, None, entry.id))
            result[slug].append(_from_entry(slug, entry, row.kept if row else True, False))
    for key, row in decisions.items():
        if key in seen or row.strategy not in result:
            continue
        # A purged source is skipped (SET NULL on PostgreSQL; on SQLite the id may dangle).
        if row.item_id is not None:
            item = db.session.get(RippleItem, row.item_id)
            if item is not None and item.deleted_at is None \
                    and item.collaboration_id == review.collaboration_id:
                result[row.strategy].append(_from_item(row.strategy, item, row.kept, True))
        elif row.entry_id is not None:
            entry = db.session.get(LogEntry, row.entry_id)
            if entry is not None and entry.deleted_at is None \
                    and entry.collaboration_id == review.collaboration_id:
                result[row.strategy].append(_from_entry(row.strategy, entry, row.kept, True))
    for slug in result:
        rows = result[slug]
        if not include_dropped:
            rows = [e for e in rows if e.kept]
        rows.sort(key=lambda e: (e.sort_date or date.min, e.title))
        result[slug] = rows
    return result


def _resolve_ref(review: BorgingReview, ref: str) -> tuple[int | None, int | None]:
    kind, _sep, raw = (ref or "").partition(":")
    if not raw.isdigit() or kind not in ("item", "entry"):
        raise ReviewError(_("Kies een activiteit, effect of logboekregel uit de lijst."))
    target_id = int(raw)
    if kind == "item":
        item = db.session.get(RippleItem, target_id)
        if item is None or item.collaboration_id != review.collaboration_id \
                or item.deleted_at is not None:
            raise ReviewError(_("Dat item hoort niet bij dit samenwerkingsverband of staat in "
                                "de prullenbak."))
        return item.id, None
    entry = db.session.get(LogEntry, target_id)
    if entry is None or entry.collaboration_id != review.collaboration_id \
            or entry.deleted_at is not None:
        raise ReviewError(_("Die logboekregel hoort niet bij dit samenwerkingsverband of staat "
                            "in de prullenbak."))
    return None, entry.id


def decide_evidence(review: BorgingReview, strategy: str, ref: str, action: str) -> None:
    """Keep, drop or add one piece of evidence for ``strategy``."""
    refuse_if_frozen(review)
    if strategy not in STRATEGY_SLUGS:
        raise ReviewError(_("Kies een van de zes borgingsstrategieën."))
    if action not in ("keep", "drop", "add"):
        raise ReviewError(_("Kies bewaren, weglaten of toevoegen."))
    item_id, entry_id = _resolve_ref(review, ref)
    row = next((r for r in review.evidence if r.strategy == strategy
                and r.item_id == item_id and r.entry_id == entry_id), None)
    if row is None:
        row = ReviewEvidence(strategy=strategy, item_id=item_id, entry_id=entry_id,
                             added=action == "add")
        review.evidence.append(row)
    elif action == "add" and not row.kept:
        pass  # adding what was dropped keeps it again
    row.kept = action in ("keep", "add")
    review.updated_at = utcnow()
    db.session.flush()
    record("evidence", ENTITY, review.id, collaboration_id=review.collaboration_id,
           summary=f"Borgingsreview {review.year}",
           after={"strategy": strategy, "ref": ref, "action": action})


def candidates(review: BorgingReview) -> list[tuple[str, str, str]]:
    """Return ``(ref, label, group)`` for every live item and entry of the collaboration,
    for the "add evidence" choice."""
    rows: list[tuple[str, str, str]] = []
    for item in db.session.scalars(
            sa.select(RippleItem).where(RippleItem.collaboration_id == review.collaboration_id,
                                        RippleItem.deleted_at.is_(None))
            .order_by(RippleItem.date_start.desc(), RippleItem.id)):
        group = _("Activiteiten") if item.kind == Kind.ACTIVITY else _("Effecten")
        rows.append((f"item:{item.id}", f"{item.title} ({item.when.label()})", group))
    for entry in db.session.scalars(
            sa.select(LogEntry).where(LogEntry.collaboration_id == review.collaboration_id,
                                      LogEntry.deleted_at.is_(None))
            .order_by(LogEntry.entry_date.desc(), LogEntry.id)):
        rows.append((f"entry:{entry.id}", f"{entry.title} ({entry.entry_date.isoformat()})",
                     _("Leerlogboek")))
    return rows


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


def _new_effects(collaboration_id: int, year: int) -> list[dict]:
    first, last = _year_bounds(year)
    effects = db.session.scalars(
        sa.select(RippleItem).where(RippleItem.collaboration_id == collaboration_id,
                                    RippleItem.deleted_at.is_(None),
                                    RippleItem.kind == Kind.EFFECT.value,
                                    RippleItem.date_start.between(first, last))
        .order_by(RippleItem.date_start, RippleItem.id))
    return [{"title": e.title, "date": e.when.label(), "valence": e.valence or "",
             "intended": e.intended} for e in effects]


def _open_actions(collaboration_id: int) -> list[dict]:
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
    return {"new_effects": _new_effects(review.collaboration_id, review.year),
            "open_actions": _open_actions(review.collaboration_id)}


# --- adopting and new versions ---------------------------------------------------------------


def empty_strategies(review: BorgingReview) -> list[str]:
    """Return the names of the strategies left empty (no status and no narrative)."""
    names = strategy_names()
    filled = {s.strategy for s in review.strategies if not s.is_empty}
    return [names[slug] for slug in STRATEGY_SLUGS if slug not in filled]


def adopt(review: BorgingReview, seen_version: int, *, map_svg: str | None = None,
          map_summary: str | None = None, threads: list[dict] | None = None) -> list[str]:
    """Adopt (vaststellen) the review and freeze what it cites.

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
            row.snap_title = piece.title[:200]
            row.snap_date_label = piece.date_label[:60]
            row.snap_date = piece.sort_date
            row.snap_kind = piece.kind
            row.snap_excerpt = piece.excerpt
            row.snap_codes = piece.codes
    review.frozen_extra = {"new_effects": _new_effects(review.collaboration_id, review.year),
                           "open_actions": _open_actions(review.collaboration_id),
                           "threads": list(threads or [])}
    review.frozen_map_svg = map_svg
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


def year_of(day: date | None = None) -> int:
    """Return the year a new review is about by default: the current one."""
    return (day or date.today()).year


def year_period(year: int) -> FuzzyDate:
    """Return ``year`` as a fuzzy date (for the map filter)."""
    return FuzzyDate(date(year, 1, 1), Precision.YEAR)
