"""Slugs as long as slugify makes them; stories that are likely typed twice.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-10

- codebooks.slug and codes.slug: 60 -> 80 characters (rem.core.database.SLUG_MAX), the
  length ``slugify`` cuts at. SQLite stored longer slugs anyway; PostgreSQL refused them.
- session_stories.likely_double_of_id: the story the same participant sent just before
  that this one nearly equals (rem.sessions.services.nearly_equal).

The lengths are written out here, as a migration records what it did; the models hold the
constants, and tests/test_migrations.py checks that both agree.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    """Widen the slugs; add the likely-double reference."""
    for table in ("codebooks", "codes"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("slug", existing_type=sa.String(length=60),
                                  type_=sa.String(length=80), existing_nullable=False)
    with op.batch_alter_table("session_stories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("likely_double_of_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_session_stories_likely_double_of_id_session_stories"),
            "session_stories", ["likely_double_of_id"], ["id"], ondelete="SET NULL")


def downgrade():
    """Drop the reference; narrow the slugs again (longer ones are cut)."""
    with op.batch_alter_table("session_stories", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_session_stories_likely_double_of_id_session_stories"),
            type_="foreignkey")
        batch_op.drop_column("likely_double_of_id")
    for table in ("codes", "codebooks"):
        slugs = sa.table(table, sa.column("slug", sa.String()))
        op.execute(slugs.update().where(sa.func.length(slugs.c.slug) > 60)
                   .values(slug=sa.func.substr(slugs.c.slug, 1, 60)))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("slug", existing_type=sa.String(length=80),
                                  type_=sa.String(length=60), existing_nullable=False)
