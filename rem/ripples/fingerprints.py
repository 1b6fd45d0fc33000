"""Fingerprints of a collaboration's data: grouped aggregates that change whenever anything
shown of it changes, to find rendered maps, analyses and exports again without computing
them."""

from __future__ import annotations

import sqlalchemy as sa

from rem.codes.models import Code, Codebook
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.ripples.models import RippleItem, RippleLink, item_codes, log_states


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


def log_stamp(collaboration_id: int) -> int | None:
    """Return the collaboration's log stamp: a random number the database renews whenever
    any of its items or links is added, changed or removed (triggers, migration 0022),
    also in a transaction not yet committed. None when it has none yet (no item was ever
    written since the table was made, and none was made for it)."""
    return db.session.connection().execute(
        sa.select(log_states.c.stamp)
        .where(log_states.c.collaboration_id == collaboration_id)).scalar_one_or_none()


def log_fingerprint(collaboration: Collaboration, clause: sa.ColumnElement[bool]) -> tuple:
    """Return :func:`data_fingerprints` of one collaboration as ``clause`` shows it, with the
    collaboration's own name (a map's title)."""
    return (collaboration.id, collaboration.name, str(collaboration.updated_at),
            *data_fingerprints([collaboration.id], clause)[collaboration.id])
