"""One role per person per hub and per collaboration, enforced by the database.

The first schema had a unique constraint over (user, hub, collaboration); one of the
last two is always NULL, and NULLs never clash, so it enforced nothing. Duplicates
that slipped in are removed (the oldest row stays), then partial unique indexes
take its place.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    """Remove duplicate memberships, then add the partial unique indexes."""
    for column in ("hub_id", "collaboration_id"):
        op.execute(sa.text(
            f"DELETE FROM memberships WHERE {column} IS NOT NULL AND id NOT IN ("  # noqa: S608
            f"SELECT MIN(id) FROM memberships WHERE {column} IS NOT NULL "
            f"GROUP BY user_id, {column})"
        ))
    with op.batch_alter_table("memberships") as batch:
        batch.drop_constraint("uq_membership_scope", type_="unique")
    op.create_index("uq_memberships_user_hub", "memberships", ["user_id", "hub_id"],
                    unique=True, sqlite_where=sa.text("hub_id IS NOT NULL"),
                    postgresql_where=sa.text("hub_id IS NOT NULL"))
    op.create_index("uq_memberships_user_collaboration", "memberships",
                    ["user_id", "collaboration_id"], unique=True,
                    sqlite_where=sa.text("collaboration_id IS NOT NULL"),
                    postgresql_where=sa.text("collaboration_id IS NOT NULL"))


def downgrade():
    """Go back to the old (ineffective) constraint."""
    op.drop_index("uq_memberships_user_collaboration", table_name="memberships")
    op.drop_index("uq_memberships_user_hub", table_name="memberships")
    with op.batch_alter_table("memberships") as batch:
        batch.create_unique_constraint("uq_membership_scope",
                                       ["user_id", "hub_id", "collaboration_id"])
