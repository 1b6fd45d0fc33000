"""Fingerprints of a collaboration's data: grouped aggregates that change whenever anything
shown of it changes, to find rendered maps, analyses and exports again without computing
them."""

from __future__ import annotations

import sqlalchemy as sa

from rem.codes.models import Code, Codebook
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.ripples.models import RippleItem, RippleLink, item_codes


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

    live = _live_items(clause)
    add(db.session.execute(_item_aggregates(collaboration_ids, live)), 4)
    add(db.session.execute(
        sa.select(RippleItem.collaboration_id, sa.func.count(),
                  sa.func.sum(item_codes.c.item_id * 7919 + item_codes.c.code_id))
        .select_from(item_codes).join(RippleItem, RippleItem.id == item_codes.c.item_id)
        .where(RippleItem.collaboration_id.in_(collaboration_ids), live)
        .group_by(RippleItem.collaboration_id)), 2)
    add(db.session.execute(_link_aggregates(collaboration_ids)), 4)
    books = tuple(str(value) for value in db.session.execute(sa.select(
        sa.func.count(Code.id), sa.func.sum(Code.id), sa.func.max(Code.updated_at),
        sa.select(sa.func.max(Codebook.updated_at)).scalar_subquery())).one())
    return {cid: (*values, *books) for cid, values in tags.items()}


def order_fingerprint(collaboration_id: int, clause: sa.ColumnElement[bool]) -> tuple:
    """Return aggregates of one collaboration's items as ``clause`` shows them and of its
    links: what the timeline order is worked out from (dates, kinds and links; codes and
    codebooks play no part). Two statements of the four of :func:`data_fingerprints`."""
    conn = db.session.connection()
    items = conn.execute(_item_aggregates([collaboration_id], _live_items(clause))).one_or_none()
    # The links of one collaboration: the live ones from their index, and the latest
    # change of any link one step down another (no FILTER over every link).
    of_this = RippleLink.collaboration_id == collaboration_id
    links = conn.execute(
        sa.select(sa.func.count(RippleLink.id), sa.func.sum(RippleLink.id),
                  sa.func.sum(RippleLink.cause_id * 7919 + RippleLink.effect_id),
                  sa.select(sa.func.max(RippleLink.updated_at)).where(of_this)
                  .scalar_subquery())
        .where(of_this, RippleLink.deleted_at.is_(None))).one()
    return (collaboration_id, *(items or ()), *links)


def _live_items(clause: sa.ColumnElement[bool] | None) -> sa.ColumnElement[bool]:
    live = RippleItem.deleted_at.is_(None)
    return live if clause is None else sa.and_(live, clause)


def _item_aggregates(collaboration_ids: list[int], live: sa.ColumnElement[bool]) -> sa.Select:
    """Per collaboration: how many live items, their ids and versions (every change of an
    item bumps its version) and the latest change."""
    return (sa.select(RippleItem.collaboration_id, sa.func.count(RippleItem.id),
                      sa.func.sum(RippleItem.id), sa.func.sum(RippleItem.version),
                      sa.func.max(RippleItem.updated_at))
            .where(RippleItem.collaboration_id.in_(collaboration_ids), live)
            .group_by(RippleItem.collaboration_id))


def _link_aggregates(collaboration_ids: list[int]) -> sa.Select:
    """Per collaboration: its live links (a new link always has a new id; cause and
    effect are folded in) and the latest change of any link, which covers a removed one."""
    link_live = RippleLink.deleted_at.is_(None)
    return (sa.select(RippleLink.collaboration_id,
                      sa.func.count(RippleLink.id).filter(link_live),
                      sa.func.sum(RippleLink.id).filter(link_live),
                      sa.func.sum(RippleLink.cause_id * 7919 + RippleLink.effect_id)
                      .filter(link_live),
                      # every link, removed ones too: removing one changes this
                      sa.func.max(RippleLink.updated_at))
            .where(RippleLink.collaboration_id.in_(collaboration_ids))
            .group_by(RippleLink.collaboration_id))


def log_fingerprint(collaboration: Collaboration, clause: sa.ColumnElement[bool]) -> tuple:
    """Return :func:`data_fingerprints` of one collaboration as ``clause`` shows it, with the
    collaboration's own name (a map's title)."""
    return (collaboration.id, collaboration.name, str(collaboration.updated_at),
            *data_fingerprints([collaboration.id], clause)[collaboration.id])
