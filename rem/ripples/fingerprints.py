"""Fingerprints of a collaboration's data: tags that change whenever anything shown of it
changes, to find rendered maps, analyses, exports and time orders again without computing
them."""

from __future__ import annotations

import sqlalchemy as sa

from rem.codes.models import Code, Codebook
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.ripples.models import log_states


def data_fingerprints(collaboration_ids: list[int],
                      clause: sa.ColumnElement[bool] | None = None) -> dict[int, tuple]:
    """Return per collaboration a tag that changes whenever anything shown of it changes.

    Two statements however large the logs: each collaboration's log stamp (one row,
    renewed by the database on every change of its items, their codes and its links:
    :func:`log_stamp`) and one row of aggregates over the codebooks (names and legends).
    ``clause`` narrows the items to what one person sees: it is part of the tag as SQL
    with its values. Used to find results again without computing them: rendered maps
    (``maps.cache.download_alias``), the map page's state, analyses (``analysis.scope``)
    and exports.
    """
    if not collaboration_ids:
        return {}
    stamps = dict(db.session.connection().execute(
        sa.select(log_states.c.collaboration_id, log_states.c.stamp)
        .where(log_states.c.collaboration_id.in_(collaboration_ids))).all())
    shown = said(clause) if clause is not None else ""
    books = tuple(str(value) for value in db.session.execute(sa.select(
        sa.func.count(Code.id), sa.func.sum(Code.id), sa.func.max(Code.updated_at),
        sa.select(sa.func.max(Codebook.updated_at)).scalar_subquery())).one())
    # No stamp yet: nothing was ever written to that log since the stamps began.
    return {cid: (str(stamps.get(cid)), shown, *books) for cid in collaboration_ids}


def said(clause: sa.ColumnElement[bool]) -> str:
    """Return what ``clause`` selects, as SQL text with its values written in."""
    return str(clause.compile(dialect=db.engine.dialect,
                              compile_kwargs={"literal_binds": True}))


def log_stamp(collaboration_id: int) -> int | None:
    """Return the collaboration's log stamp: a random number the database renews whenever
    any of its items, their codes or its links is added, changed or removed (triggers,
    migrations 0022 and 0024), also in a transaction not yet committed. None when it has
    none yet (no item was ever written since the table was made, and none was made for
    it)."""
    return db.session.connection().execute(
        sa.select(log_states.c.stamp)
        .where(log_states.c.collaboration_id == collaboration_id)).scalar_one_or_none()


def log_fingerprint(collaboration: Collaboration, clause: sa.ColumnElement[bool]) -> tuple:
    """Return :func:`data_fingerprints` of one collaboration as ``clause`` shows it, with the
    collaboration's own name (a map's title)."""
    return (collaboration.id, collaboration.name, str(collaboration.updated_at),
            *data_fingerprints([collaboration.id], clause)[collaboration.id])
