"""Saved map views: a named set of map arguments (layout, filters, focus, colouring,
granularity) of one collaboration, with a stable URL.

A view stores the canonical query arguments (``MapFilters.to_args`` and
``MapOptions.to_args``), not a picture: whoever opens it sees what they may see of the
collaboration today, drawn that way. A review and a session's projector can show one
(their own ``map_view_id``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import orm

from rem.core.database import TimestampMixin
from rem.extensions import db

if TYPE_CHECKING:
    from rem.collaborations.models import Collaboration

NAME_MAX = 120


class SavedView(TimestampMixin, db.Model):
    """A named way of showing one collaboration's map."""

    __tablename__ = "saved_map_views"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    collaboration_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("collaborations.id"), index=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(NAME_MAX))
    # {"layout": "radial", "code": ["borging:sleutelpersonen"], ...}: lists for repeats.
    params: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)
    version: orm.Mapped[int] = orm.mapped_column(default=1)
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))
    deleted_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))

    collaboration: orm.Mapped[Collaboration] = orm.relationship()

    __mapper_args__ = {"version_id_col": version}
