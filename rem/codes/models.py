"""Codebooks and their codes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from rem.codes.labels import code_description, code_name, codebook_description, codebook_name
from rem.core.database import SLUG_MAX, TimestampMixin
from rem.extensions import db

NAME_MAX = 120  # codebooks and codes


class Codebook(TimestampMixin, db.Model):
    """A coding scheme, such as the six borging strategies."""

    __tablename__ = "codebooks"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    slug: orm.Mapped[str] = orm.mapped_column(sa.String(SLUG_MAX), unique=True, index=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(NAME_MAX))
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    builtin: orm.Mapped[bool] = orm.mapped_column(default=False)
    position: orm.Mapped[int] = orm.mapped_column(default=100)
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))

    codes: orm.Mapped[list[Code]] = orm.relationship(
        back_populates="codebook", order_by="Code.position, Code.id"
    )

    @property
    def label(self) -> str:
        """The name to show: a built-in codebook's in the reader's language."""
        return codebook_name(self)

    @property
    def hint(self) -> str:
        """The explanation to show: a built-in codebook's in the reader's language."""
        return codebook_description(self)


class Code(TimestampMixin, db.Model):
    """One code in a codebook, such as ``borging:sleutelpersonen``."""

    __tablename__ = "codes"
    __table_args__ = (sa.UniqueConstraint("codebook_id", "slug", name="uq_codes_codebook_slug"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    codebook_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("codebooks.id"), index=True)
    slug: orm.Mapped[str] = orm.mapped_column(sa.String(SLUG_MAX))
    name: orm.Mapped[str] = orm.mapped_column(sa.String(NAME_MAX))
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    position: orm.Mapped[int] = orm.mapped_column(default=100)

    codebook: orm.Mapped[Codebook] = orm.relationship(back_populates="codes")

    @property
    def label(self) -> str:
        """The name to show: a built-in code's in the reader's language."""
        return code_name(self)

    @property
    def hint(self) -> str:
        """The explanation to show: a built-in code's in the reader's language."""
        return code_description(self)

    @property
    def qualified_slug(self) -> str:
        """Return ``codebook:code``, the identifier used in exports and filters."""
        return f"{self.codebook.slug}:{self.slug}"
