"""Story threads: paths through a ripple map told as a narrative, and where they are placed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

Three new tables (story_threads, thread_steps, thread_placements); nothing existing
changes, so no batch copy of a table (and no full-text triggers) is involved.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    """Create the thread tables."""
    op.create_table(
        "story_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"],
                                name=op.f("fk_story_threads_author_id_users")),
        sa.ForeignKeyConstraint(["collaboration_id"], ["collaborations.id"],
                                name=op.f("fk_story_threads_collaboration_id_collaborations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_threads")),
    )
    op.create_index(op.f("ix_story_threads_collaboration_id"), "story_threads",
                    ["collaboration_id"], unique=False)
    op.create_table(
        "thread_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["ripple_items.id"],
                                name=op.f("fk_thread_steps_item_id_ripple_items"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["thread_id"], ["story_threads.id"],
                                name=op.f("fk_thread_steps_thread_id_story_threads"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_steps")),
    )
    op.create_index(op.f("ix_thread_steps_item_id"), "thread_steps", ["item_id"], unique=False)
    op.create_index(op.f("ix_thread_steps_thread_id"), "thread_steps", ["thread_id"],
                    unique=False)
    op.create_table(
        "thread_placements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_thread_placements_created_by_id_users")),
        sa.ForeignKeyConstraint(["thread_id"], ["story_threads.id"],
                                name=op.f("fk_thread_placements_thread_id_story_threads"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_placements")),
        sa.UniqueConstraint("thread_id", "target_kind", "target_id",
                            name=op.f("uq_thread_placements_thread_id")),
    )
    op.create_index("ix_thread_placements_target", "thread_placements",
                    ["target_kind", "target_id"], unique=False)
    op.create_index(op.f("ix_thread_placements_thread_id"), "thread_placements",
                    ["thread_id"], unique=False)


def downgrade():
    """Drop the thread tables."""
    op.drop_table("thread_placements")
    op.drop_table("thread_steps")
    op.drop_table("story_threads")
