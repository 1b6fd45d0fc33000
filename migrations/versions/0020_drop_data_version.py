"""Drop the data version: pages are no longer remembered per person.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05

The one row that counted the database's changes served only the page memory, which is
gone: pages are made cheaply every time, and downloads answer conditional requests from
the collaboration's data fingerprint (rem/core/http.py, ``conditional``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    """Drop the table."""
    op.drop_table("data_version")


def downgrade():
    """Create the table again with its one row (counting from zero)."""
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"id": 1, "n": 0}])
