"""Business rules of the ripple log. Functions flush, never commit: the request commits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import orm

from rem.audit.services import actor_id, record, snapshot
from rem.codes.models import Code, Codebook
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.core.dates import FuzzyDate, Precision, check_date
from rem.extensions import db
from rem.ripples import graph
from rem.ripples.models import (
    TEXT_MAX,
    TITLE_MAX,
    Activity,
    Effect,
    Kind,
    RippleItem,
    RippleLink,
    item_codes,
)

ITEM_FIELDS = [
    "title", "description", "date_start", "date_precision", "visibility",
    "participant_count", "governance_style", "ladder_step", "intended", "valence",
    "noticed_by", "evidence_kind", "evidence_text", "evidence_url",
]


class RippleError(ValueError):
    """A change that the ripple log refuses; the message is shown to the user."""


class EditConflict(RippleError):
    """Someone else saved the item since it was opened for editing."""

    def __init__(self, item: RippleItem, attempted: dict):
        super().__init__(
            _("Iemand anders heeft dit item intussen gewijzigd. Uw wijziging is niet opgeslagen. "
              "Vergelijk beide versies hieronder en sla opnieuw op.")
        )
        self.item = item
        self.attempted = attempted


@dataclass
class ItemInput:
    """What a person typed for an activity or effect."""

    title: str
    when: FuzzyDate
    description: str = ""
    visibility: str = "collaboration"
    participant_count: int | None = None
    governance_style: str | None = None
    ladder_step: str | None = None
    intended: bool | None = None
    valence: str | None = None
    noticed_by: str | None = None
    evidence_kind: str | None = None
    evidence_text: str = ""
    evidence_url: str = ""
    code_ids: list[int] = field(default_factory=list)


def _clean(data: ItemInput, kind: Kind) -> ItemInput:
    """Check the input, or raise RippleError with a message in plain language."""
    data.title = (data.title or "").strip()
    if not data.title:
        raise RippleError(_("Geef een titel op."))
    if len(data.title) > TITLE_MAX:
        raise RippleError(_("De titel is te lang: hoogstens %(n)d tekens.", n=TITLE_MAX))
    if len(data.description or "") > TEXT_MAX or len(data.evidence_text or "") > TEXT_MAX:
        raise RippleError(_("De tekst is te lang: hoogstens %(n)d tekens.", n=TEXT_MAX))
    try:
        check_date(data.when, allow_future=(kind == Kind.ACTIVITY))
    except ValueError as exc:
        raise RippleError(str(exc)) from exc
    if data.participant_count is not None and data.participant_count < 0:
        raise RippleError(_("Het aantal deelnemers kan niet negatief zijn."))
    if data.evidence_url and not data.evidence_url.startswith(("http://", "https://")):
        raise RippleError(_("Een link naar een document begint met http:// of https://."))
    return data


def _apply(item: RippleItem, data: ItemInput, codes: dict[int, Code] | None = None) -> None:
    item.title = data.title
    item.description = data.description or ""
    item.date_start = data.when.start
    item.date_precision = data.when.precision.value
    item.visibility = data.visibility
    if item.kind == Kind.ACTIVITY:
        item.participant_count = data.participant_count
        item.governance_style = data.governance_style or None
        item.ladder_step = data.ladder_step or None
    else:
        item.intended = data.intended
        item.valence = data.valence or None
        item.noticed_by = data.noticed_by or None
        item.evidence_kind = data.evidence_kind or None
        item.evidence_text = data.evidence_text or ""
        item.evidence_url = data.evidence_url or ""
    if codes is not None:  # known beforehand (bulk creation)
        item.codes = [codes[c] for c in dict.fromkeys(data.code_ids) if c in codes]
        return
    item.codes = list(
        db.session.scalars(sa.select(Code).where(Code.id.in_(data.code_ids)))
    ) if data.code_ids else []


def _item_state(item: RippleItem) -> dict:
    state = snapshot(item, ITEM_FIELDS)
    state["codes"] = sorted(c.qualified_slug for c in item.codes)
    return state


def create_item(collaboration: Collaboration, kind: Kind, data: ItemInput) -> RippleItem:
    """Add an activity or effect to ``collaboration``."""
    data = _clean(data, kind)
    item: RippleItem = Activity() if kind == Kind.ACTIVITY else Effect()
    item.collaboration = collaboration
    item.collaboration_id = collaboration.id
    item.created_by_id = actor_id()
    _apply(item, data)
    db.session.add(item)
    db.session.flush()
    record("create", kind.value, item.id, collaboration_id=collaboration.id,
           summary=item.title, after=_item_state(item))
    return item


def create_items(collaboration: Collaboration,
                 entries: list[tuple[Kind, ItemInput]]) -> list[RippleItem | RippleError]:
    """Add many items at once (imports): the rules and the audit of ``create_item``, with
    one code query and one flush for all. Returns, in order, each new item or the
    RippleError that refused it; the caller decides whether one refusal stops all.
    """
    wanted = {c for _kind, data in entries for c in data.code_ids}
    codes = {c.id: c for c in db.session.scalars(sa.select(Code).where(Code.id.in_(wanted)))} \
        if wanted else {}
    author = actor_id()
    results: list[RippleItem | RippleError] = []
    made: list[RippleItem] = []
    for kind, data in entries:
        try:
            data = _clean(data, kind)
        except RippleError as exc:
            results.append(exc)
            continue
        item: RippleItem = Activity() if kind == Kind.ACTIVITY else Effect()
        item.collaboration_id = collaboration.id
        item.created_by_id = author
        _apply(item, data, codes)
        results.append(item)
        made.append(item)
    db.session.add_all(made)
    db.session.flush()
    for item in made:
        record("create", item.kind, item.id, collaboration_id=collaboration.id,
               summary=item.title, after=_item_state(item))
    return results


def update_item(item: RippleItem, data: ItemInput, seen_version: int) -> RippleItem:
    """Save changes, refusing them when someone saved the item after ``seen_version``."""
    if item.version != seen_version:
        raise EditConflict(item, {"title": data.title, "description": data.description})
    data = _clean(data, Kind(item.kind))
    before = _item_state(item)
    _apply(item, data)
    if _item_state(item) != before and not db.session.is_modified(item,
                                                                  include_collections=False):
        # Only the codes changed (another table): touch the row so its version moves too,
        # and the next save over the old version is refused as for any other change.
        item.updated_at = utcnow()
    db.session.flush()
    record("update", item.kind, item.id, collaboration_id=item.collaboration_id,
           summary=item.title, before=before, after=_item_state(item))
    return item


def dependents(item: RippleItem) -> list[RippleItem]:
    """Return the live effects that grew directly from ``item``."""
    return list(db.session.scalars(
        sa.select(RippleItem)
        .join(RippleLink, RippleLink.effect_id == RippleItem.id)
        .where(RippleLink.cause_id == item.id, RippleLink.deleted_at.is_(None),
               RippleItem.deleted_at.is_(None))
        .order_by(RippleItem.date_start)
    ))


def delete_item(item: RippleItem) -> None:
    """Move ``item`` to the bin. Its links stay, hidden, and come back on restore."""
    if item.deleted_at is not None:
        return
    item.deleted_at = utcnow()
    item.deleted_by_id = actor_id()
    db.session.flush()
    record("delete", item.kind, item.id, collaboration_id=item.collaboration_id,
           summary=item.title, before=_item_state(item))


def restore_item(item: RippleItem) -> None:
    """Take ``item`` out of the bin, with its links."""
    if item.deleted_at is None:
        return
    item.deleted_at = None
    item.deleted_by_id = None
    db.session.flush()
    record("restore", item.kind, item.id, collaboration_id=item.collaboration_id,
           summary=item.title, after=_item_state(item))


def purge_bin(collaboration: Collaboration) -> int:
    """Delete the collaboration's binned items for good, with their links; return how many.

    The audit trail keeps a last copy of each item, so even this leaves a trace.
    """
    binned = list(db.session.scalars(
        sa.select(RippleItem).where(RippleItem.collaboration_id == collaboration.id,
                                    RippleItem.deleted_at.is_not(None))
    ))
    if not binned:
        return 0
    ids = [item.id for item in binned]
    for item in binned:
        record("purge", item.kind, item.id, collaboration_id=collaboration.id,
               summary=item.title, before=_item_state(item))
    db.session.execute(sa.delete(RippleLink).where(
        sa.or_(RippleLink.cause_id.in_(ids), RippleLink.effect_id.in_(ids))))
    for item in binned:
        item.codes = []
    db.session.flush()
    db.session.execute(sa.delete(RippleItem).where(RippleItem.id.in_(ids)))
    db.session.flush()
    return len(ids)


def live_links(collaboration_id: int) -> list[tuple[int, int]]:
    """Return the (cause, effect) pairs of live links between live items."""
    cause = orm.aliased(RippleItem)
    effect = orm.aliased(RippleItem)
    rows = db.session.execute(
        sa.select(RippleLink.cause_id, RippleLink.effect_id)
        .join(cause, cause.id == RippleLink.cause_id)
        .join(effect, effect.id == RippleLink.effect_id)
        .where(RippleLink.collaboration_id == collaboration_id,
               RippleLink.deleted_at.is_(None),
               cause.deleted_at.is_(None), effect.deleted_at.is_(None))
    ).all()
    return [(a, b) for a, b in rows]


def add_link(cause: RippleItem, effect: RippleItem) -> RippleLink:
    """Record that ``cause`` led to ``effect``, keeping the ripple graph acyclic."""
    if effect.kind != Kind.EFFECT:
        raise RippleError(_("Alleen een effect kan ergens uit voortkomen, een activiteit niet."))
    if cause.collaboration_id != effect.collaboration_id:
        raise RippleError(_("U kunt alleen items van hetzelfde samenwerkingsverband verbinden."))
    if cause.deleted_at is not None or effect.deleted_at is not None:
        raise RippleError(_("Dit item staat in de prullenbak. Zet het eerst terug."))
    if cause.id == effect.id:
        raise RippleError(_("Een effect kan niet uit zichzelf voortkomen."))
    existing = db.session.scalar(
        sa.select(RippleLink).where(RippleLink.cause_id == cause.id,
                                    RippleLink.effect_id == effect.id)
    )
    if existing is not None and existing.deleted_at is None:
        raise RippleError(_("Deze verbinding bestaat al."))
    if graph.would_cycle(live_links(effect.collaboration_id), cause.id, effect.id):
        raise RippleError(
            _("Dit kan niet: “%(cause)s” komt zelf al voort uit “%(effect)s”. "
              "Een rimpeling kan niet in een kring lopen.", cause=cause.title, effect=effect.title)
        )
    if existing is not None:
        existing.deleted_at = None
        link = existing
    else:
        link = RippleLink(cause_id=cause.id, effect_id=effect.id,
                          collaboration_id=effect.collaboration_id, created_by_id=actor_id())
        db.session.add(link)
    db.session.flush()
    record("link", "link", link.id, collaboration_id=effect.collaboration_id,
           summary=f"{cause.title} → {effect.title}",
           after={"cause_id": cause.id, "effect_id": effect.id})
    return link


def add_links(pairs: list[tuple[RippleItem, RippleItem]]) -> list[RippleLink | RippleError]:
    """Add many links at once (imports) under the rules of ``add_link``: effects only,
    one collaboration, nothing binned, no duplicates and no cycles, each audited.

    The whole graph (the links there are plus the new ones) is checked for cycles once
    (``graph.acyclic_additions``); a link that would close a cycle is refused as adding
    the links one by one in this order would refuse it. Returns, in order, each new
    link or the RippleError that refused it.
    """
    results: list[RippleLink | RippleError | None] = [None] * len(pairs)
    candidates: list[int] = []
    seen: set[tuple[int, int]] = set()
    for n, (cause, effect) in enumerate(pairs):
        if effect.kind != Kind.EFFECT:
            results[n] = RippleError(
                _("Alleen een effect kan ergens uit voortkomen, een activiteit niet."))
        elif cause.collaboration_id != effect.collaboration_id:
            results[n] = RippleError(
                _("U kunt alleen items van hetzelfde samenwerkingsverband verbinden."))
        elif cause.deleted_at is not None or effect.deleted_at is not None:
            results[n] = RippleError(_("Dit item staat in de prullenbak. Zet het eerst terug."))
        elif cause.id == effect.id:
            results[n] = RippleError(_("Een effect kan niet uit zichzelf voortkomen."))
        elif (cause.id, effect.id) in seen:
            results[n] = RippleError(_("Deze verbinding bestaat al."))
        else:
            seen.add((cause.id, effect.id))
            candidates.append(n)
    by_collaboration: dict[int, list[int]] = defaultdict(list)
    for n in candidates:
        by_collaboration[pairs[n][1].collaboration_id].append(n)
    author = actor_id()
    made: list[tuple[int, RippleLink]] = []
    for collaboration_id, numbers in by_collaboration.items():
        ids = {i for n in numbers for i in (pairs[n][0].id, pairs[n][1].id)}
        stored = {(link.cause_id, link.effect_id): link for link in db.session.scalars(
            sa.select(RippleLink).where(RippleLink.collaboration_id == collaboration_id,
                                        RippleLink.cause_id.in_(ids),
                                        RippleLink.effect_id.in_(ids)))}
        fresh = []
        for n in numbers:
            key = (pairs[n][0].id, pairs[n][1].id)
            if key in stored and stored[key].deleted_at is None:
                results[n] = RippleError(_("Deze verbinding bestaat al."))
            else:
                fresh.append(n)
        _accepted, refused = graph.acyclic_additions(
            live_links(collaboration_id), [(pairs[n][0].id, pairs[n][1].id) for n in fresh])
        refused_set = set(refused)
        for n in fresh:
            cause, effect = pairs[n]
            key = (cause.id, effect.id)
            if key in refused_set:
                results[n] = RippleError(
                    _("Dit kan niet: “%(cause)s” komt zelf al voort uit “%(effect)s”. "
                      "Een rimpeling kan niet in een kring lopen.", cause=cause.title,
                      effect=effect.title))
                continue
            link = stored.get(key)
            if link is not None:
                link.deleted_at = None
            else:
                link = RippleLink(cause_id=cause.id, effect_id=effect.id,
                                  collaboration_id=collaboration_id, created_by_id=author)
                db.session.add(link)
            made.append((n, link))
    db.session.flush()
    for n, link in made:
        cause, effect = pairs[n]
        record("link", "link", link.id, collaboration_id=effect.collaboration_id,
               summary=f"{cause.title} → {effect.title}",
               after={"cause_id": cause.id, "effect_id": effect.id})
        results[n] = link
    return results  # type: ignore[return-value]


def remove_link(link: RippleLink) -> None:
    """Take a link away (recoverably)."""
    link.deleted_at = utcnow()
    db.session.flush()
    record("unlink", "link", link.id, collaboration_id=link.collaboration_id,
           summary=f"{link.cause.title} → {link.effect.title}",
           before={"cause_id": link.cause_id, "effect_id": link.effect_id})


@dataclass
class LogView:
    """The visible part of one collaboration's ripple log, with its derived graph."""

    items: list[RippleItem]
    links: list[tuple[int, int]]
    orders: dict[int, int]
    causes: dict[int, list[int]]
    grew: dict[int, list[int]]

    def by_id(self) -> dict[int, RippleItem]:
        """Return the items keyed by id."""
        return {item.id: item for item in self.items}


def load_log(collaboration: Collaboration, item_clause: sa.ColumnElement[bool]) -> LogView:
    """Load the live, visible items and links of ``collaboration`` in a few queries.

    Three queries however many items: items, their codes (one join, where
    ``selectinload`` sends one query per 500 items) and links; nothing per item.
    """
    visible = (RippleItem.collaboration_id == collaboration.id,
               RippleItem.deleted_at.is_(None), item_clause)
    items = list(db.session.scalars(sa.select(RippleItem).where(*visible)))
    codes: dict[int, list[Code]] = {item.id: [] for item in items}
    for item_id, code in db.session.execute(
        sa.select(item_codes.c.item_id, Code)
        .join(Code, Code.id == item_codes.c.code_id)
        .join(RippleItem, RippleItem.id == item_codes.c.item_id)
        .where(*visible)
        .options(orm.joinedload(Code.codebook))
        .order_by(item_codes.c.item_id, Code.id)
    ):
        codes[item_id].append(code)
    for item in items:  # as the relationship would load them: ordered by code id
        orm.attributes.set_committed_value(item, "codes", codes[item.id])
    items.sort(key=lambda i: i.sort_key())
    ids = {i.id for i in items}
    # Links between visible live items: ``ids`` already leaves out deleted items, so the
    # joins of live_links() are not needed here (they cost more than the rows).
    links = [(a, b) for a, b in db.session.execute(
        sa.select(RippleLink.cause_id, RippleLink.effect_id)
        .where(RippleLink.collaboration_id == collaboration.id, RippleLink.deleted_at.is_(None))
        .order_by(RippleLink.id)
    ) if a in ids and b in ids]
    orders = graph.ripple_orders([i.id for i in items if i.kind == Kind.ACTIVITY], links)
    causes: dict[int, list[int]] = defaultdict(list)
    grew: dict[int, list[int]] = defaultdict(list)
    for a, b in links:
        causes[b].append(a)
        grew[a].append(b)
    return LogView(items, links, orders, dict(causes), dict(grew))


def data_fingerprints(collaboration_ids: list[int],
                      clause: sa.ColumnElement[bool] | None = None) -> dict[int, tuple]:
    """Return per collaboration aggregates that change whenever anything shown of it changes.

    Four grouped queries (no rows are loaded): the items (how many, their ids, their
    versions: every change of an item bumps its version, and the latest change), the
    codes on them (a change of codes alone does not touch the item row), the links (a
    new link always has a new id; cause and effect are folded in; the latest change
    covers a removed one) and the codebooks (names and legends). ``clause`` narrows the
    items to what one person sees. Used to find results again without computing them:
    rendered maps (``maps.builder.download_alias``) and analyses (``analysis.services``).
    """
    if not collaboration_ids:
        return {}
    tags: dict[int, list] = {cid: [] for cid in collaboration_ids}

    def add(rows, width: int) -> None:
        seen = set()
        for cid, *values in rows.all():
            tags[cid] += [str(v) for v in values]
            seen.add(cid)
        for cid in tags.keys() - seen:
            tags[cid] += ["0"] * width

    live = RippleItem.deleted_at.is_(None)
    if clause is not None:
        live = sa.and_(live, clause)
    add(db.session.execute(
        sa.select(RippleItem.collaboration_id, sa.func.count(RippleItem.id),
                  sa.func.sum(RippleItem.id), sa.func.sum(RippleItem.version),
                  sa.func.max(RippleItem.updated_at))
        .where(RippleItem.collaboration_id.in_(collaboration_ids), live)
        .group_by(RippleItem.collaboration_id)), 4)
    add(db.session.execute(
        sa.select(RippleItem.collaboration_id, sa.func.count(),
                  sa.func.sum(item_codes.c.item_id * 7919 + item_codes.c.code_id))
        .select_from(item_codes).join(RippleItem, RippleItem.id == item_codes.c.item_id)
        .where(RippleItem.collaboration_id.in_(collaboration_ids), live)
        .group_by(RippleItem.collaboration_id)), 2)
    link_live = RippleLink.deleted_at.is_(None)
    add(db.session.execute(
        sa.select(RippleLink.collaboration_id,
                  sa.func.count(RippleLink.id).filter(link_live),
                  sa.func.sum(RippleLink.id).filter(link_live),
                  sa.func.sum(RippleLink.cause_id * 7919 + RippleLink.effect_id)
                  .filter(link_live),
                  # every link, removed ones too: removing one changes this
                  sa.func.max(RippleLink.updated_at))
        .where(RippleLink.collaboration_id.in_(collaboration_ids))
        .group_by(RippleLink.collaboration_id)), 4)
    books = tuple(str(value) for value in db.session.execute(sa.select(
        sa.func.count(Code.id), sa.func.sum(Code.id), sa.func.max(Code.updated_at),
        sa.select(sa.func.max(Codebook.updated_at)).scalar_subquery())).one())
    return {cid: (*values, *books) for cid, values in tags.items()}


def log_fingerprint(collaboration: Collaboration, clause: sa.ColumnElement[bool]) -> tuple:
    """Return :func:`data_fingerprints` of one collaboration as ``clause`` shows it, with the
    collaboration's own name (a map's title)."""
    return (collaboration.id, collaboration.name, str(collaboration.updated_at),
            *data_fingerprints([collaboration.id], clause)[collaboration.id])


@dataclass
class TimelinePage:
    """One page of a long timeline: a run of time-sorted items and where it lies."""

    items: list[RippleItem]
    number: int  # 1-based
    count: int  # how many pages there are
    ranges: list[tuple[int, str]]  # (page number, "first date – last date") for every page


def timeline_page(items: list[RippleItem], number: int, size: int) -> TimelinePage:
    """Return page ``number`` of ``items`` in pages of ``size`` (out-of-range: the nearest)."""
    size = max(1, size)
    count = max(1, -(-len(items) // size))
    number = min(max(1, number), count)
    ranges = []
    for page in range(1, count + 1):
        run = items[(page - 1) * size: page * size]
        if run:
            first, last = run[0].when.label(), run[-1].when.label()
            ranges.append((page, first if first == last else f"{first} – {last}"))
    return TimelinePage(items[(number - 1) * size: number * size], number, count, ranges)


def group_by_period(items: list[RippleItem], grouping: str) -> list[tuple[str, list[RippleItem]]]:
    """Group time-sorted items into labelled periods (year, quarter or month)."""
    groups: list[tuple[str, list[RippleItem]]] = []
    current_key = None
    for item in items:
        key, label = period_label(item.date_start, grouping)
        if key != current_key:
            groups.append((label, []))
            current_key = key
        groups[-1][1].append(item)
    return groups


def period_label(day: date, grouping: str) -> tuple[tuple[int, int], str]:
    """Return the period key and its label for ``day``."""
    if grouping == "year":
        return (day.year, 0), str(day.year)
    if grouping == "quarter":
        q = (day.month - 1) // 3 + 1
        return (day.year, q), FuzzyDate.of(day, Precision.QUARTER).label()
    return (day.year, day.month), FuzzyDate.of(day, Precision.MONTH).label()
