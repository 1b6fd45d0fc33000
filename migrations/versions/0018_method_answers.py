"""Effects whose intention and valence were not asked yet.

Revision ID: 0018
Revises: 0017
Create Date: 2027-01-20

One column, ripple_items.unanswered (false for every existing row: what was recorded
stands, and an empty intention or valence keeps meaning "not known"). A plain ADD COLUMN
with a constant default works on SQLite and PostgreSQL alike, so the table is not copied
(batch mode would have to put back the full-text triggers of SQLite).
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    """Add the column; existing effects count as answered."""
    op.add_column("ripple_items", sa.Column("unanswered", sa.Boolean(), nullable=False,
                                            server_default=sa.false()))


def downgrade():
    """Drop the column (SQLite 3.35+ drops a column in place; no trigger names it)."""
    op.drop_column("ripple_items", "unanswered")
