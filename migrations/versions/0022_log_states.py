"""The state of each collaboration's log: a stamp the database renews on every change.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06

One row per collaboration in log_states. Triggers on ripple_items and ripple_links give
the collaboration (before and after, for an update) a new random stamp whenever a row
is added, changed or removed, however it is written (the ORM, a bulk import, SQL by
hand). The timeline keeps a log's worked-out time order under this stamp
(rem.ripples.fingerprints.log_stamp): one indexed row instead of aggregates over every
item and link. A random stamp rather than a count: a change that is rolled back can
never give a later change a stamp seen before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

TABLES = ("ripple_items", "ripple_links")

# SQLite: three row triggers per table; random() is a 64-bit integer.
SQLITE_UPSERT = ("INSERT INTO log_states (collaboration_id, stamp) VALUES ({row}.collaboration_id, "
                 "random()) ON CONFLICT (collaboration_id) DO UPDATE SET stamp = excluded.stamp;")
SQLITE_TRIGGERS = {
    "insert": ("INSERT", ["NEW"]),
    "update": ("UPDATE", ["OLD", "NEW"]),
    "delete": ("DELETE", ["OLD"]),
}

# PostgreSQL: one function, one row trigger per table.
PG_FUNCTION = """
CREATE FUNCTION rem_log_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO log_states AS s (collaboration_id, stamp)
        VALUES (OLD.collaboration_id, (random() * 9.2e18)::bigint)
        ON CONFLICT (collaboration_id) DO UPDATE SET stamp = EXCLUDED.stamp;
    END IF;
    IF TG_OP = 'INSERT'
       OR (TG_OP = 'UPDATE' AND NEW.collaboration_id IS DISTINCT FROM OLD.collaboration_id) THEN
        INSERT INTO log_states AS s (collaboration_id, stamp)
        VALUES (NEW.collaboration_id, (random() * 9.2e18)::bigint)
        ON CONFLICT (collaboration_id) DO UPDATE SET stamp = EXCLUDED.stamp;
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade():
    op.create_table(
        "log_states",
        sa.Column("collaboration_id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("collaboration_id", name=op.f("pk_log_states")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_log_state AFTER INSERT OR UPDATE OR DELETE "
                       f"ON {table} FOR EACH ROW EXECUTE FUNCTION rem_log_changed()")
        stamp = "(random() * 9.2e18)::bigint"
    else:
        for table in TABLES:
            for name, (event, rows) in SQLITE_TRIGGERS.items():
                body = " ".join(SQLITE_UPSERT.format(row=row) for row in rows)
                op.execute(f"CREATE TRIGGER {table}_log_state_{name} AFTER {event} ON {table} "
                           f"FOR EACH ROW BEGIN {body} END")
        stamp = "random()"
    op.execute(f"INSERT INTO log_states (collaboration_id, stamp) "
               f"SELECT id, {stamp} FROM collaborations")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_log_state ON {table}")
        op.execute("DROP FUNCTION rem_log_changed()")
    else:
        for table in TABLES:
            for name in SQLITE_TRIGGERS:
                op.execute(f"DROP TRIGGER {table}_log_state_{name}")
    op.drop_table("log_states")
