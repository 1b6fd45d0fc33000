"""A theme groups effects of one collaboration; an effect can be in several themes.

Themes follow the item rules: deleting moves one to the bin (its effects stay in it and
come back with it), two people saving the same theme are told (``version``), and every
change is audited.
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
    from rem.ripples.models import RippleItem

NAME_MAX = 120
DESCRIPTION_MAX = 2000

theme_items = sa.Table(
    "theme_items",
    db.Model.metadata,
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("item_id", sa.ForeignKey("ripple_items.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Index("ix_theme_items_item_id", "item_id"),
)


class Theme(TimestampMixin, db.Model):
    """A named group of effects, e.g. "Netwerk en samenwerking"."""

    __tablename__ = "themes"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    collaboration_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("collaborations.id"), index=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(NAME_MAX))
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    # Orders the themes of a collaboration (and so their colours): the order they were made.
    position: orm.Mapped[int] = orm.mapped_column(default=0)
    version: orm.Mapped[int] = orm.mapped_column(default=1)
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))
    deleted_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))

    collaboration: orm.Mapped[Collaboration] = orm.relationship()
    items: orm.Mapped[list[RippleItem]] = orm.relationship(
        secondary=theme_items, order_by="RippleItem.date_start")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_deleted(self) -> bool:
        """Tell whether the theme is in the bin."""
        return self.deleted_at is not None
