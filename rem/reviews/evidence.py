"""The evidence of a review: what the year's items and log entries coded borging:* propose per
strategy, what was kept, dropped or added, and the frozen copies of an adopted review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import orm

from rem.audit.services import record
from rem.core.database import utcnow
from rem.core.markdown import plain_text
from rem.extensions import db
from rem.logbook.models import KIND_LABELS, LogEntry
from rem.reviews.models import (
    EXCERPT_MAX,
    SNAP_CODES_MAX,
    STRATEGY_SLUGS,
    BorgingReview,
    ReviewEvidence,
)
from rem.reviews.services import ENTITY, ReviewError, refuse_if_frozen, strategy_codes, year_bounds
from rem.ripples.models import Kind, RippleItem

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
    return ", ".join(code.label for code in codes)[:SNAP_CODES_MAX]


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
    codes = strategy_codes()
    first, last = year_bounds(year)
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
