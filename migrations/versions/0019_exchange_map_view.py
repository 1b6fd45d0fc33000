"""The saved map view an exchange (and its pack) shows of each participant.

Revision ID: 0019
Revises: 0018
Create Date: 2027-01-20

One nullable map_view_id column on exchange_participants (a participant's saved view of
its own map; none: the plain map). On SQLite the table is copied (batch mode) to add the
foreign key; it has no full-text triggers, so nothing else has to be put back.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_exchange_participants_map_view_id_saved_map_views"


def upgrade():
    with op.batch_alter_table("exchange_participants") as batch:
        batch.add_column(sa.Column("map_view_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f(FOREIGN_KEY), "saved_map_views", ["map_view_id"],
                                 ["id"], ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("exchange_participants") as batch:
        batch.drop_constraint(op.f(FOREIGN_KEY), type_="foreignkey")
        batch.drop_column("map_view_id")
