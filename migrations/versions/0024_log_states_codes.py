"""The log stamp also changes when an item's codes change.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07

Triggers on item_codes renew the stamp of the item's collaboration (log_states, 0022)
whenever a code is put on an item or taken off, however it is written. With items,
links and codes covered, the stamp is the whole log's fingerprint
(rem.ripples.fingerprints.data_fingerprints): one indexed row per collaboration instead
of grouped aggregates over every item, code and link, read by every map download, map
poll, analysis and export. Like 0022's, these triggers are dropped by a batch operation
on item_codes under SQLite (it rebuilds the table): a later migration must use plain
statements there, or make the triggers again.
"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

# SQLite: one row trigger per event; the item's collaboration is looked up (an item that
# is gone has its own trigger, so finding nothing then is right).
SQLITE_UPSERT = ("INSERT INTO log_states (collaboration_id, stamp) SELECT collaboration_id, "
                 "random() FROM ripple_items WHERE id = {row}.item_id "
                 "ON CONFLICT (collaboration_id) DO UPDATE SET stamp = excluded.stamp;")
SQLITE_TRIGGERS = {
    "insert": ("INSERT", ["NEW"]),
    "update": ("UPDATE", ["OLD", "NEW"]),
    "delete": ("DELETE", ["OLD"]),
}

PG_FUNCTION = """
CREATE FUNCTION rem_item_codes_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO log_states AS s (collaboration_id, stamp)
        SELECT collaboration_id, (random() * 9.2e18)::bigint FROM ripple_items
        WHERE id = OLD.item_id
        ON CONFLICT (collaboration_id) DO UPDATE SET stamp = EXCLUDED.stamp;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO log_states AS s (collaboration_id, stamp)
        SELECT collaboration_id, (random() * 9.2e18)::bigint FROM ripple_items
        WHERE id = NEW.item_id
        ON CONFLICT (collaboration_id) DO UPDATE SET stamp = EXCLUDED.stamp;
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute("CREATE TRIGGER item_codes_log_state AFTER INSERT OR UPDATE OR DELETE "
                   "ON item_codes FOR EACH ROW EXECUTE FUNCTION rem_item_codes_changed()")
    else:
        for name, (event, rows) in SQLITE_TRIGGERS.items():
            body = " ".join(SQLITE_UPSERT.format(row=row) for row in rows)
            op.execute(f"CREATE TRIGGER item_codes_log_state_{name} AFTER {event} ON item_codes "
                       f"FOR EACH ROW BEGIN {body} END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER item_codes_log_state ON item_codes")
        op.execute("DROP FUNCTION rem_item_codes_changed()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER item_codes_log_state_{name}")
