"""Story-thread placements get one foreign key per target.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05

thread_placements pointed to its target with a generic (target_kind, target_id) pair that
no foreign key could keep true. It now has entry_id, exchange_id and review_id (each with
ON DELETE CASCADE) and a check that exactly one is set, like log_citations. Existing
rows are moved to the column of their kind; a row whose target no longer exists (the old
pair allowed it; the page showed it as "niet meer te vinden") cannot be kept under the
new foreign keys and is removed. Nothing else changes, and no full-text table is
involved. On SQLite the table is rebuilt in batch mode; on PostgreSQL it is altered.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TARGETS = (  # kind, new column, target table
    ("log_entry", "entry_id", "log_entries"),
    ("exchange", "exchange_id", "learning_exchanges"),
    ("review", "review_id", "borging_reviews"),
)
ONE_TARGET = ("(CASE WHEN entry_id IS NULL THEN 0 ELSE 1 END"
              " + CASE WHEN exchange_id IS NULL THEN 0 ELSE 1 END"
              " + CASE WHEN review_id IS NULL THEN 0 ELSE 1 END) = 1")


def upgrade():
    """Add the three columns, move the rows, then drop the generic pair."""
    with op.batch_alter_table("thread_placements", recreate="always") as batch:
        for _kind, column, _table in TARGETS:
            batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
    placements = sa.table("thread_placements", sa.column("target_kind", sa.String),
                          sa.column("target_id", sa.Integer),
                          *(sa.column(column, sa.Integer) for _k, column, _t in TARGETS))
    for kind, column, table in TARGETS:
        target = sa.table(table, sa.column("id", sa.Integer))
        op.execute(placements.update()
                   .where(placements.c.target_kind == kind,
                          placements.c.target_id.in_(sa.select(target.c.id)))
                   .values({column: placements.c.target_id}))
    op.execute(placements.delete().where(
        sa.and_(*(placements.c[column].is_(None) for _k, column, _t in TARGETS))))
    with op.batch_alter_table("thread_placements", recreate="always") as batch:
        batch.drop_index("ix_thread_placements_target")
        batch.drop_constraint(op.f("uq_thread_placements_thread_id"), type_="unique")
        batch.drop_column("target_kind")
        batch.drop_column("target_id")
        for _kind, column, table in TARGETS:
            batch.create_foreign_key(op.f(f"fk_thread_placements_{column}_{table}"), table,
                                     [column], ["id"], ondelete="CASCADE")
            batch.create_unique_constraint(op.f(f"uq_thread_placements_{column}"),
                                           [column, "thread_id"])
        batch.create_check_constraint(op.f("ck_thread_placements_one_target"),
                                      sa.text(ONE_TARGET))


def downgrade():
    """Put the generic pair back from the three columns."""
    with op.batch_alter_table("thread_placements", recreate="always") as batch:
        batch.add_column(sa.Column("target_kind", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("target_id", sa.Integer(), nullable=True))
    placements = sa.table("thread_placements", sa.column("target_kind", sa.String),
                          sa.column("target_id", sa.Integer),
                          *(sa.column(column, sa.Integer) for _k, column, _t in TARGETS))
    for kind, column, _table in TARGETS:
        op.execute(placements.update().where(placements.c[column].is_not(None))
                   .values(target_kind=kind, target_id=placements.c[column]))
    with op.batch_alter_table("thread_placements", recreate="always") as batch:
        batch.drop_constraint(op.f("ck_thread_placements_one_target"), type_="check")
        for _kind, column, table in TARGETS:
            batch.drop_constraint(op.f(f"uq_thread_placements_{column}"), type_="unique")
            batch.drop_constraint(op.f(f"fk_thread_placements_{column}_{table}"),
                                  type_="foreignkey")
            batch.drop_column(column)
        batch.alter_column("target_kind", existing_type=sa.String(length=20), nullable=False)
        batch.alter_column("target_id", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(op.f("uq_thread_placements_thread_id"),
                                       ["thread_id", "target_kind", "target_id"])
        batch.create_index("ix_thread_placements_target", ["target_kind", "target_id"],
                           unique=False)
