"""Business rules of the ripple log. Functions flush, never commit: the request commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import orm

from rem.audit.services import actor_id, record, record_many, snapshot
from rem.codes.models import Code, Codebook
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.core.dates import FuzzyDate, check_date
from rem.core.periods import Period
from rem.extensions import db
from rem.ripples import graph
from rem.ripples.models import (
    GOVERNANCE_STYLES,
    LADDER_STEPS,
    TEXT_MAX,
    TITLE_MAX,
    URL_MAX,
    Activity,
    Effect,
    EvidenceKind,
    Kind,
    Observer,
    RippleItem,
    RippleLink,
    Valence,
    Visibility,
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
    if len(data.evidence_url or "") > URL_MAX:
        raise RippleError(_("De link is te lang: hoogstens %(n)d tekens.", n=URL_MAX))
    for name, allowed in CHOICES.items():
        if getattr(data, name) not in allowed:
            raise RippleError(_("Onbekende keuze voor “%(field)s”: “%(value)s”.", field=name,
                                value=str(getattr(data, name))[:40]))
    return data


# The values a choice field may hold (None: not filled in), checked for every item saved.
CHOICES = {
    "visibility": {v.value for v in Visibility},
    "governance_style": {None, *GOVERNANCE_STYLES},
    "ladder_step": {None, *LADDER_STEPS},
    "valence": {None, *(v.value for v in Valence)},
    "noticed_by": {None, *(v.value for v in Observer)},
    "evidence_kind": {None, *(v.value for v in EvidenceKind)},
}


def check_item(kind: Kind, data: ItemInput) -> ItemInput:
    """Check an item without the database (an import's preview), or raise RippleError:
    the rules ``create_item`` applies."""
    return _clean(data, kind)


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
    record_many("create", [(item.kind, item.id, collaboration.id, item.title,
                            _item_state(item)) for item in made])
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


def restore_item(item: RippleItem) -> list[tuple[RippleItem, RippleItem, RippleError]]:
    """Take ``item`` out of the bin, with its links, except those the link rules now refuse.

    While the item was in the bin its links were hidden, and the rest of the graph may
    have changed: with B of A → B → C binned, C → A is allowed, and bringing back both
    links of B would close the circle A → B → C → A. So the item's links go through the
    same rules as new ones (:func:`check_links`); a refused link is removed (recoverably,
    audited) and returned with its reason, for the page to name.
    """
    if item.deleted_at is None:
        return []
    other = orm.aliased(RippleItem)
    rows = db.session.execute(
        sa.select(RippleLink, other)
        .join(other, sa.or_(
            sa.and_(RippleLink.cause_id == item.id, other.id == RippleLink.effect_id),
            sa.and_(RippleLink.effect_id == item.id, other.id == RippleLink.cause_id)))
        .where(RippleLink.deleted_at.is_(None), other.deleted_at.is_(None))
        .order_by(RippleLink.id)
    ).all()
    here = LinkEnd.of(item, binned=False)
    pairs = [(here, LinkEnd.of(o)) if link.cause_id == item.id else (LinkEnd.of(o), here)
             for link, o in rows]
    # The graph without the item (it is still in the bin): its links are the candidates.
    verdicts = check_links(pairs, lambda cid: live_links(cid))
    item.deleted_at = None
    item.deleted_by_id = None
    dropped = []
    for (link, o), verdict in zip(rows, verdicts, strict=True):
        if verdict is not None:
            cause, effect = (item, o) if link.cause_id == item.id else (o, item)
            dropped.append((cause, effect, verdict))
            link.deleted_at = utcnow()
    db.session.flush()
    record("restore", item.kind, item.id, collaboration_id=item.collaboration_id,
           summary=item.title, after=_item_state(item))
    for cause, effect, verdict in dropped:
        link = next(lk for lk, _o in rows
                    if (lk.cause_id, lk.effect_id) == (cause.id, effect.id))
        record("unlink", "link", link.id, collaboration_id=item.collaboration_id,
               summary=f"{cause.title} → {effect.title}",
               before={"cause_id": cause.id, "effect_id": effect.id, "reason": str(verdict)})
    return dropped


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


@dataclass(frozen=True)
class LinkEnd:
    """What the link rules need to know of one end of a link: a stored item, or an item
    an import is about to make (then ``key`` is the file's key, not an id)."""

    key: Hashable
    kind: str
    collaboration_id: int | None
    binned: bool
    title: str

    @classmethod
    def of(cls, item: RippleItem, *, binned: bool | None = None) -> LinkEnd:
        """Describe a stored item (``binned`` overrides its bin state: a restore)."""
        return cls(item.id, item.kind, item.collaboration_id,
                   item.deleted_at is not None if binned is None else binned, item.title)


def _cycle_error(cause: LinkEnd, effect: LinkEnd) -> RippleError:
    return RippleError(
        _("Dit kan niet: “%(cause)s” komt zelf al voort uit “%(effect)s”. "
          "Een rimpeling kan niet in een kring lopen.", cause=cause.title, effect=effect.title))


def check_links(pairs: Sequence[tuple[LinkEnd, LinkEnd]],
                existing: Callable[[int | None], Iterable[tuple[Hashable, Hashable]]],
                present: Collection[tuple[Hashable, Hashable]] = ()
                ) -> list[RippleError | None]:
    """Judge new links (cause, effect): THE rule book for every link that is added.

    Pure: no database. ``existing(collaboration_id)`` gives the live links there are
    (pairs of keys), ``present`` the pairs that exist already. Returns, in order, None
    for a link that may be added or the RippleError that refuses it. The rules: only an
    effect grows from something; both ends in one collaboration; nothing in the bin; not
    from itself; no link twice; and no circle, decided over the whole graph at once
    (``graph.acyclic_additions``) as adding the links one by one in this order would.

    Used by :func:`add_links` (and so by every page, import, live session and the map),
    by :func:`restore_item` and by import previews; don't write a second one.
    """
    verdicts: list[RippleError | None] = [None] * len(pairs)
    seen: set[tuple[Hashable, Hashable]] = set(present)
    by_collaboration: dict[int | None, list[int]] = defaultdict(list)
    for n, (cause, effect) in enumerate(pairs):
        if effect.kind != Kind.EFFECT:
            verdicts[n] = RippleError(
                _("Alleen een effect kan ergens uit voortkomen, een activiteit niet."))
        elif cause.collaboration_id != effect.collaboration_id:
            verdicts[n] = RippleError(
                _("U kunt alleen items van hetzelfde samenwerkingsverband verbinden."))
        elif cause.binned or effect.binned:
            verdicts[n] = RippleError(_("Dit item staat in de prullenbak. Zet het eerst terug."))
        elif cause.key == effect.key:
            verdicts[n] = RippleError(_("Een effect kan niet uit zichzelf voortkomen."))
        elif (cause.key, effect.key) in seen:
            verdicts[n] = RippleError(_("Deze verbinding bestaat al."))
        else:
            seen.add((cause.key, effect.key))
            by_collaboration[effect.collaboration_id].append(n)
    for collaboration_id, numbers in by_collaboration.items():
        _accepted, refused = graph.acyclic_additions(
            existing(collaboration_id), [(pairs[n][0].key, pairs[n][1].key) for n in numbers])
        refused_set = set(refused)
        for n in numbers:
            cause, effect = pairs[n]
            if (cause.key, effect.key) in refused_set:
                verdicts[n] = _cycle_error(cause, effect)
    return verdicts


def add_link(cause: RippleItem, effect: RippleItem) -> RippleLink:
    """Record that ``cause`` led to ``effect`` (one link: :func:`add_links`), or raise the
    RippleError that refuses it."""
    [made] = add_links([(cause, effect)])
    if isinstance(made, RippleError):
        raise made
    return made


def add_links(pairs: list[tuple[RippleItem, RippleItem]]) -> list[RippleLink | RippleError]:
    """Add links (cause, effect): the ONE way a link comes into the ripple log.

    Every write path goes through here (item forms, the link form, imports, live
    sessions, the map editor), so every link meets the rules of :func:`check_links`:
    effects only, one collaboration, nothing binned, no duplicates, and no cycles
    (the whole graph, the links there are plus the new ones, is checked once). A link
    removed earlier comes back instead of a second row. Each new link is audited.
    Returns, in order, each new link or the RippleError that refused it; the caller
    decides whether one refusal stops all (and rolls back).
    """
    ends = [(LinkEnd.of(cause), LinkEnd.of(effect)) for cause, effect in pairs]
    collaborations = {effect.collaboration_id for _cause, effect in pairs}
    stored: dict[tuple[int, int], int] = {}  # (cause, effect) -> link id, removed ones too
    present: set[tuple[int, int]] = set()
    live: dict[int, list[tuple[int, int]]] = {}
    for collaboration_id in collaborations:
        live[collaboration_id] = live_links(collaboration_id)
        for link_id, a, b, deleted_at in db.session.execute(
                sa.select(RippleLink.id, RippleLink.cause_id, RippleLink.effect_id,
                          RippleLink.deleted_at)
                .where(RippleLink.collaboration_id == collaboration_id)):
            stored[(a, b)] = link_id
            if deleted_at is None:
                present.add((a, b))
    verdicts = check_links(ends, lambda cid: live.get(cid, []), present)
    author = actor_id()
    results: list[RippleLink | RippleError | None] = list(verdicts)
    made: list[tuple[int, RippleLink]] = []
    for n, ((cause, effect), verdict) in enumerate(zip(pairs, verdicts, strict=True)):
        if verdict is not None:
            continue
        link_id = stored.get((cause.id, effect.id))
        link = db.session.get(RippleLink, link_id) if link_id is not None else None
        if link is not None:
            link.deleted_at = None
        else:
            link = RippleLink(cause_id=cause.id, effect_id=effect.id,
                              collaboration_id=effect.collaboration_id, created_by_id=author)
            db.session.add(link)
        made.append((n, link))
    db.session.flush()
    record_many("link", [("link", link.id, pairs[n][1].collaboration_id,
                          f"{pairs[n][0].title} → {pairs[n][1].title}",
                          {"cause_id": pairs[n][0].id, "effect_id": pairs[n][1].id})
                         for n, link in made])
    for n, link in made:
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
    rendered maps (``maps.builder.download_alias``) and analyses (``analysis.scope``).
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
        period = Period.of(item.date_start, grouping)
        if period != current_key:
            groups.append((period.label(), []))
            current_key = period
        groups[-1][1].append(item)
    return groups
