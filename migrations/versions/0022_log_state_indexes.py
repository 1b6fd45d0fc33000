"""Indexes that let a collaboration's log state be counted from the index alone.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06

The timeline keeps a log's worked-out time order until the log changes, and finds it by
grouped aggregates of the collaboration's items and links (rem.ripples.fingerprints
order_fingerprint), read on every timeline page. These indexes hold every column those
aggregates read, so that at 10,000 items they are read from the index without visiting
the rows: the live items with their visibility, ids, versions and last change; the live
links with their ends; and each collaboration's links by their last change (the latest
change of any link, removed ones too, is one step down that index).
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_ripple_items_collab_state", "ripple_items",
                    ["collaboration_id", "deleted_at", "visibility", "id", "version",
                     "updated_at"])
    op.create_index("ix_ripple_links_collab_live", "ripple_links",
                    ["collaboration_id", "deleted_at", "id", "cause_id", "effect_id",
                     "updated_at"])
    op.create_index("ix_ripple_links_collab_changed", "ripple_links",
                    ["collaboration_id", "updated_at"])


def downgrade():
    op.drop_index("ix_ripple_links_collab_changed", table_name="ripple_links")
    op.drop_index("ix_ripple_links_collab_live", table_name="ripple_links")
    op.drop_index("ix_ripple_items_collab_state", table_name="ripple_items")
