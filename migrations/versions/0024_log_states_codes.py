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

# One statement per row written: the collaborations of the item(s) the row names (an
# update may move a code from one item to another) get a new stamp. DISTINCT: an upsert
# may not touch one row twice; "WHERE true": without it SQLite reads ON CONFLICT as a
# join's ON. An item that is gone has its own trigger, so finding nothing then is right.
UPSERT = ("INSERT INTO log_states (collaboration_id, stamp) SELECT changed.collaboration_id, "
          "{stamp} FROM (SELECT DISTINCT collaboration_id FROM ripple_items "
          "WHERE id IN ({items})) AS changed WHERE true "
          "ON CONFLICT (collaboration_id) DO UPDATE SET stamp = excluded.stamp;")

# SQLite: one row trigger per event (OLD and NEW exist only where the event has them).
SQLITE_TRIGGERS = {
    "insert": ("INSERT", "NEW.item_id"),
    "update": ("UPDATE", "OLD.item_id, NEW.item_id"),
    "delete": ("DELETE", "OLD.item_id"),
}

# PostgreSQL: one function; OLD is NULL on an insert and NEW on a delete.
PG_FUNCTION = f"""
CREATE FUNCTION rem_item_codes_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {UPSERT.format(stamp="(random() * 9.2e18)::bigint", items="OLD.item_id, NEW.item_id")}
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
        for name, (event, items) in SQLITE_TRIGGERS.items():
            body = UPSERT.format(stamp="random()", items=items)
            op.execute(f"CREATE TRIGGER item_codes_log_state_{name} AFTER {event} ON item_codes "
                       f"FOR EACH ROW BEGIN {body} END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER item_codes_log_state ON item_codes")
        op.execute("DROP FUNCTION rem_item_codes_changed()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER item_codes_log_state_{name}")
