"""Loading ripple items with their codes, and the links between them, in a fixed number
of statements."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from rem.codes.models import Code
from rem.extensions import db
from rem.ripples.models import RippleLink


def codes_by_item(pairs: list[tuple[int, int]]) -> dict[int, list[Code]]:
    """Each item's codes from ``(item id, code id)`` pairs sorted by both, in the order
    the relationship would load them (by code id), loading each code and its codebook
    once."""
    wanted = {code_id for _item_id, code_id in pairs}
    code_of = {code.id: code for code in db.session.scalars(
        sa.select(Code).where(Code.id.in_(wanted)).options(orm.joinedload(Code.codebook))
    )} if wanted else {}
    codes: dict[int, list[Code]] = {}
    for item_id, code_id in pairs:
        codes.setdefault(item_id, []).append(code_of[code_id])
    return codes


def links_between(collaboration_id: int, ids: set[int] | dict[int, object]
                  ) -> list[tuple[int, int]]:
    """The (cause, effect) pairs of the collaboration's live links whose both ends are in
    ``ids`` (live, visible items), oldest first: one statement of plain values. ``ids``
    already leaves out deleted items, so the joins of ``services.live_links`` are not
    needed (they cost more than the rows)."""
    return [(a, b) for a, b in db.session.connection().execute(
        sa.select(RippleLink.cause_id, RippleLink.effect_id)
        .where(RippleLink.collaboration_id == collaboration_id,
               RippleLink.deleted_at.is_(None))
        .order_by(RippleLink.id)).all() if a in ids and b in ids]
