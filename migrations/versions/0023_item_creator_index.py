"""An index on who made each item.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07

The search page lists the people whose work a reader may filter on: everyone who wrote a
log entry or made an item. Without this index every search read every item to find
them (25,000 items: about 6 ms a search). A plain CREATE INDEX, not a batch operation:
on SQLite a batch rebuilds the table and would drop the log-state triggers of 0022.
"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_ripple_items_created_by_id", "ripple_items", ["created_by_id"],
                    unique=False)


def downgrade():
    op.drop_index("ix_ripple_items_created_by_id", table_name="ripple_items")
