"""What the map workspace (rem/maps/workspace.py) needs beyond the ripple services: the
date of new items, an item's visible links, the link picker's search, and adding an item
with its causes. Services flush; the workspace's views commit once."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm

from rem.access import Access
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.ripples import services
from rem.ripples.logview import load_log
from rem.ripples.models import Kind, RippleItem, RippleLink
from rem.ripples.services import ItemInput
from rem.workshops.models import Workshop, WorkshopStatus

PICKER_LIMIT = 12


def default_day(collaboration: Collaboration, today: date | None = None) -> date:
    """Return the date new items get when none is typed: the open session's, or today."""
    today = today or date.today()
    held_on = db.session.scalar(
        sa.select(Workshop.held_on)
        .where(Workshop.collaboration_id == collaboration.id,
               Workshop.status == WorkshopStatus.OPEN.value,
               Workshop.held_on <= today)
        .order_by(Workshop.held_on.desc()).limit(1))
    return held_on or today


def links_of(item: RippleItem, access: Access
             ) -> tuple[list[RippleLink], list[RippleLink]]:
    """Return the live links to the item's visible causes and to its visible effects."""
    links = db.session.scalars(
        sa.select(RippleLink).where(
            sa.or_(RippleLink.cause_id == item.id, RippleLink.effect_id == item.id),
            RippleLink.deleted_at.is_(None))
        .options(orm.joinedload(RippleLink.cause), orm.joinedload(RippleLink.effect))
        .order_by(RippleLink.id)
    ).all()

    def shown(other: RippleItem) -> bool:
        return other.deleted_at is None and access.sees_item(other)

    causes = [lk for lk in links if lk.effect_id == item.id and shown(lk.cause)]
    effects = [lk for lk in links if lk.cause_id == item.id and shown(lk.effect)]
    return causes, effects


def order_of(collaboration: Collaboration, item: RippleItem, access: Access) -> int | None:
    """Return the ripple order of a live effect (None for activities and binned items)."""
    if item.is_activity or item.deleted_at is not None:
        return None
    return load_log(collaboration, access.item_clause(collaboration)).orders.get(item.id)


def signature(item: RippleItem, causes: list[RippleLink], effects: list[RippleLink]) -> str:
    """Return what the page compares with the map data to see that someone else changed
    the open item: its version and the ids of its causes and effects."""
    return "|".join([str(item.version), ",".join(sorted(str(lk.cause_id) for lk in causes)),
                     ",".join(sorted(str(lk.effect_id) for lk in effects))])


def input_of(item: RippleItem) -> ItemInput:
    """Return the item's stored values as input, for a change of only some of them."""
    return ItemInput(
        title=item.title, when=item.when, description=item.description or "",
        visibility=item.visibility, participant_count=item.participant_count,
        governance_style=item.governance_style, ladder_step=item.ladder_step,
        intended=item.intended, valence=item.valence, unanswered=item.unanswered,
        noticed_by=item.noticed_by,
        evidence_kind=item.evidence_kind, evidence_text=item.evidence_text or "",
        evidence_url=item.evidence_url or "", code_ids=[code.id for code in item.codes])


def link_candidates(collaboration: Collaboration, item: RippleItem, access: Access, *,
                    direction: str, query: str) -> tuple[list[RippleItem], bool]:
    """Return the items (at most PICKER_LIMIT, newest first) that ``item`` can be linked
    with, whose title holds ``query``, and whether there are more.

    ``direction="effect"``: what the item led to (only effects can grow from something);
    otherwise what the item grew from. Items already linked that way are left out."""
    causes, effects = links_of(item, access)
    linked = {lk.effect_id for lk in effects} if direction == "effect" \
        else {lk.cause_id for lk in causes}
    select = (sa.select(RippleItem)
              .where(RippleItem.collaboration_id == collaboration.id,
                     RippleItem.deleted_at.is_(None), RippleItem.id != item.id,
                     access.item_clause(collaboration)))
    if linked:
        select = select.where(RippleItem.id.not_in(linked))
    if direction == "effect":
        select = select.where(RippleItem.kind == Kind.EFFECT.value)
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        select = select.where(RippleItem.title.ilike(f"%{escaped}%", escape="\\"))
    found = db.session.scalars(
        select.order_by(RippleItem.date_start.desc(), RippleItem.id.desc())
        .limit(PICKER_LIMIT + 1)).all()
    return list(found[:PICKER_LIMIT]), len(found) > PICKER_LIMIT


def create_with_causes(collaboration: Collaboration, kind: Kind, data: ItemInput,
                       causes: list[RippleItem]) -> RippleItem:
    """Add an item and link each cause to it (the cycle check of every link applies);
    raises services.RippleError and leaves the rollback to the caller."""
    item = services.create_item(collaboration, kind, data)
    for cause in causes:
        services.add_link(cause, item)
    return item
