"""Learning-log entries can cite evaluation sessions.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24

Adds log_citations.session_id and widens the one_target check to four targets.
On SQLite the table is recreated (batch mode) to change the check constraint;
log_citations has no full-text triggers.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD_CHECK = ("(CASE WHEN item_id IS NULL THEN 0 ELSE 1 END"
             " + CASE WHEN cited_entry_id IS NULL THEN 0 ELSE 1 END"
             " + CASE WHEN exchange_id IS NULL THEN 0 ELSE 1 END) = 1")
NEW_CHECK = ("(CASE WHEN item_id IS NULL THEN 0 ELSE 1 END"
             " + CASE WHEN cited_entry_id IS NULL THEN 0 ELSE 1 END"
             " + CASE WHEN exchange_id IS NULL THEN 0 ELSE 1 END"
             " + CASE WHEN session_id IS NULL THEN 0 ELSE 1 END) = 1")


def upgrade():
    """Add session_id and the four-target check."""
    with op.batch_alter_table("log_citations", recreate="always") as batch:
        batch.add_column(sa.Column("session_id", sa.Integer(), nullable=True))
        batch.drop_constraint(op.f("ck_log_citations_one_target"), type_="check")
        batch.create_check_constraint(op.f("ck_log_citations_one_target"), sa.text(NEW_CHECK))
        batch.create_foreign_key(op.f("fk_log_citations_session_id_evaluation_sessions"),
                                 "evaluation_sessions", ["session_id"], ["id"],
                                 ondelete="CASCADE")
        batch.create_index(op.f("ix_log_citations_session_id"), ["session_id"], unique=False)


def downgrade():
    """Remove session citations, then the column, and restore the three-target check."""
    op.execute(sa.text("DELETE FROM log_citations WHERE session_id IS NOT NULL"))
    with op.batch_alter_table("log_citations", recreate="always") as batch:
        batch.drop_index(op.f("ix_log_citations_session_id"))
        batch.drop_constraint(op.f("ck_log_citations_one_target"), type_="check")
        batch.drop_constraint(op.f("fk_log_citations_session_id_evaluation_sessions"),
                              type_="foreignkey")
        batch.drop_column("session_id")
        batch.create_check_constraint(op.f("ck_log_citations_one_target"), sa.text(OLD_CHECK))
