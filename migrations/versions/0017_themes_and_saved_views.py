"""Themes of effects, saved map views, and the view a review or a session's projector shows.

Revision ID: 0017
Revises: 0016
Create Date: 2027-01-10

Three new tables (themes, theme_items, saved_map_views) and one nullable map_view_id
column on borging_reviews and evaluation_sessions. On SQLite those two tables are copied (batch mode) to add the foreign key; none of them has
full-text triggers, so nothing else has to be put back.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

SHOWN_IN = ("borging_reviews", "evaluation_sessions")


def upgrade():
    """Create the tables, then add map_view_id to the tables that show a view."""
    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["collaboration_id"], ["collaborations.id"],
                                name=op.f("fk_themes_collaboration_id_collaborations")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_themes_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
    )
    op.create_index(op.f("ix_themes_collaboration_id"), "themes", ["collaboration_id"],
                    unique=False)
    op.create_table(
        "theme_items",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["ripple_items.id"],
                                name=op.f("fk_theme_items_item_id_ripple_items"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["theme_id"], ["themes.id"],
                                name=op.f("fk_theme_items_theme_id_themes"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("theme_id", "item_id", name=op.f("pk_theme_items")),
    )
    op.create_index("ix_theme_items_item_id", "theme_items", ["item_id"], unique=False)
    op.create_table(
        "saved_map_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["collaboration_id"], ["collaborations.id"],
                                name=op.f("fk_saved_map_views_collaboration_id_collaborations")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_saved_map_views_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_map_views")),
    )
    op.create_index(op.f("ix_saved_map_views_collaboration_id"), "saved_map_views",
                    ["collaboration_id"], unique=False)
    for table in SHOWN_IN:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("map_view_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(op.f(f"fk_{table}_map_view_id_saved_map_views"),
                                     "saved_map_views", ["map_view_id"], ["id"],
                                     ondelete="SET NULL")


def downgrade():
    """Drop the columns, then the tables."""
    for table in SHOWN_IN:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"fk_{table}_map_view_id_saved_map_views"),
                                  type_="foreignkey")
            batch.drop_column("map_view_id")
    op.drop_index(op.f("ix_saved_map_views_collaboration_id"), table_name="saved_map_views")
    op.drop_table("saved_map_views")
    op.drop_index("ix_theme_items_item_id", table_name="theme_items")
    op.drop_table("theme_items")
    op.drop_index(op.f("ix_themes_collaboration_id"), table_name="themes")
    op.drop_table("themes")
