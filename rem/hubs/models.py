"""The hub model."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import orm

from rem.core.database import SLUG_MAX, TimestampMixin
from rem.extensions import db

if TYPE_CHECKING:
    from rem.collaborations.models import Collaboration


NAME_MAX = 200
REGION_MAX = 200


class Hub(TimestampMixin, db.Model):
    """A regional participation hub, to which collaborations belong."""

    __tablename__ = "hubs"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(NAME_MAX))
    slug: orm.Mapped[str] = orm.mapped_column(sa.String(SLUG_MAX), unique=True, index=True)
    region: orm.Mapped[str] = orm.mapped_column(sa.String(REGION_MAX), default="")
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")

    collaborations: orm.Mapped[list[Collaboration]] = orm.relationship(
        back_populates="hub", order_by="Collaboration.name"
    )
