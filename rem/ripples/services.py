"""Business rules of the ripple log. Functions flush, never commit: the request commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import orm

from rem.audit.services import actor_id, record, record_many, snapshot
from rem.codes.models import Code
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.core.dates import FuzzyDate, check_date
from rem.core.forms import too_long
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
)

ITEM_FIELDS = [
    "title", "description", "date_start", "date_precision", "visibility",
    "participant_count", "governance_style", "ladder_step", "intended", "valence",
    "unanswered", "noticed_by", "evidence_kind", "evidence_text", "evidence_url",
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
    # True: intended and valence were not asked yet (an effect made from its title alone).
    unanswered: bool = False
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
        raise RippleError(too_long(_("De titel"), TITLE_MAX))
    if len(data.description or "") > TEXT_MAX or len(data.evidence_text or "") > TEXT_MAX:
        raise RippleError(too_long(_("De tekst"), TEXT_MAX))
    try:
        check_date(data.when, allow_future=(kind == Kind.ACTIVITY))
    except ValueError as exc:
        raise RippleError(str(exc)) from exc
    if data.participant_count is not None and data.participant_count < 0:
        raise RippleError(_("Het aantal deelnemers kan niet negatief zijn."))
    if data.evidence_url and not data.evidence_url.startswith(("http://", "https://")):
        raise RippleError(_("Een link naar een document begint met http:// of https://."))
    if len(data.evidence_url or "") > URL_MAX:
        raise RippleError(too_long(_("De link"), URL_MAX))
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
        item.unanswered = bool(data.unanswered)
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
    """Return the (cause, effect) pairs of live links between live items, oldest first."""
    cause = orm.aliased(RippleItem)
    effect = orm.aliased(RippleItem)
    rows = db.session.execute(
        sa.select(RippleLink.cause_id, RippleLink.effect_id)
        .join(cause, cause.id == RippleLink.cause_id)
        .join(effect, effect.id == RippleLink.effect_id)
        .where(RippleLink.collaboration_id == collaboration_id,
               RippleLink.deleted_at.is_(None),
               cause.deleted_at.is_(None), effect.deleted_at.is_(None))
        .order_by(RippleLink.id)  # in the order they were made, on every database
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
