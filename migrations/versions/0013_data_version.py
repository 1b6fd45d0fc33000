"""The data version: one row that counts the database's changes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

Every transaction that writes adds one to it (rem/core/pagecache.py), so that a page
remembered under an older count is made afresh.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    """Create the table with its one row."""
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"id": 1, "n": 0}])


def downgrade():
    """Drop the table."""
    op.drop_table("data_version")
