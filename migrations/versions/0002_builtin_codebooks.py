"""Install the built-in codebooks (borging strategies and the other schemes).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Lightweight table definitions: this migration must not depend on today's models.
codebooks = sa.table(
    "codebooks",
    sa.column("id", sa.Integer), sa.column("slug", sa.String), sa.column("name", sa.String),
    sa.column("description", sa.Text), sa.column("builtin", sa.Boolean),
    sa.column("position", sa.Integer), sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
codes = sa.table(
    "codes",
    sa.column("codebook_id", sa.Integer), sa.column("slug", sa.String),
    sa.column("name", sa.String), sa.column("description", sa.Text),
    sa.column("position", sa.Integer), sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def upgrade():
    """Insert every built-in codebook and code that is not there yet (matched by slug)."""
    from rem.codes.defaults import DEFAULT_CODEBOOKS

    bind = op.get_bind()
    now = datetime.now(UTC)
    for spec in DEFAULT_CODEBOOKS:
        book_id = bind.scalar(sa.select(codebooks.c.id).where(codebooks.c.slug == spec.slug))
        if book_id is None:
            bind.execute(codebooks.insert().values(
                slug=spec.slug, name=spec.name, description=spec.description, builtin=True,
                position=spec.position, created_at=now, updated_at=now))
            book_id = bind.scalar(sa.select(codebooks.c.id).where(codebooks.c.slug == spec.slug))
        known = set(bind.scalars(sa.select(codes.c.slug).where(codes.c.codebook_id == book_id)))
        for code in spec.codes:
            if code.slug not in known:
                bind.execute(codes.insert().values(
                    codebook_id=book_id, slug=code.slug, name=code.name,
                    description=code.description, position=code.position,
                    created_at=now, updated_at=now))


def downgrade():
    """Leave the codebooks: items may be coded with them."""
