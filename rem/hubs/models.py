"""The hub model."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import orm

from rem.core.database import TimestampMixin
from rem.extensions import db

if TYPE_CHECKING:
    from rem.collaborations.models import Collaboration


class Hub(TimestampMixin, db.Model):
    """A regional participation hub, to which collaborations belong."""

    __tablename__ = "hubs"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200))
    slug: orm.Mapped[str] = orm.mapped_column(sa.String(80), unique=True, index=True)
    region: orm.Mapped[str] = orm.mapped_column(sa.String(200), default="")
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")

    collaborations: orm.Mapped[list[Collaboration]] = orm.relationship(
        back_populates="hub", order_by="Collaboration.name"
    )
