"""An adopted review keeps its map for print too.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05

One nullable frozen_map_print_svg column on borging_reviews: the year's map as the PDF
prints it (Graphviz's cairo SVG, its text shaped by Pango; rem.maps.drawing.print_svg),
kept beside frozen_map_svg (the screen's) when a review is adopted. Reviews adopted
before keep NULL and print their frozen screen SVG, as they did.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("borging_reviews") as batch:
        batch.add_column(sa.Column("frozen_map_print_svg", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("borging_reviews") as batch:
        batch.drop_column("frozen_map_print_svg")
