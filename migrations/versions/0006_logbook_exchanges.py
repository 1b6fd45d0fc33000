"""Learning logs, learning exchanges and full-text search.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24

Tables: log_entries, log_entry_codes, log_citations, learning_exchanges,
exchange_participants, exchange_outcomes, exchange_adoptions.

Full-text search (see rem/logbook/schema.py; every object is named fts_*):
- SQLite: FTS5 virtual tables with external content over ripple_items and
  log_entries, kept in sync by triggers, filled once with 'rebuild'.
- PostgreSQL: a stored generated column fts_vector (to_tsvector('dutch', ...), the title
  weighted A) on each of the two tables, with a GIN index.
The expressions are repeated here on purpose: a migration must not change with the code.
"""
from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# table: the columns its FTS5 table indexes (title first: searches weigh it most)
SQLITE_FTS = {
    "ripple_items": ("title", "description", "evidence_text"),
    "log_entries": ("title", "body"),
}

PG_VECTORS = {
    "ripple_items": (
        "(setweight(to_tsvector('dutch'::regconfig, coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('dutch'::regconfig, coalesce(description, '') || ' ' || "
        "coalesce(evidence_text, '')), 'B'))"
    ),
    "log_entries": (
        "(setweight(to_tsvector('dutch'::regconfig, coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('dutch'::regconfig, coalesce(body, '')), 'B'))"
    ),
}


def _sqlite_statements(table, columns):
    fts = f"fts_{table}"
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', "
        f"content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _create_search():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table, columns in SQLITE_FTS.items():
            for statement in _sqlite_statements(table, columns):
                op.execute(statement)
    elif dialect == "postgresql":
        # A stored generated column: ranking and rechecks read it instead of stemming the
        # text again for every matching row (an expression index alone was too slow).
        for table, vector in PG_VECTORS.items():
            op.execute(f"ALTER TABLE {table} ADD COLUMN fts_vector tsvector "
                       f"GENERATED ALWAYS AS {vector} STORED")
            op.execute(f"CREATE INDEX fts_{table}_dutch ON {table} USING gin (fts_vector)")


def _drop_search():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in SQLITE_FTS:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS fts_{table}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS fts_{table}")
    elif dialect == "postgresql":
        for table in PG_VECTORS:
            op.execute(f"DROP INDEX IF EXISTS fts_{table}_dutch")
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS fts_vector")


def upgrade():
    """Create the learning-log and exchange tables, then the full-text search objects."""
    op.create_table('log_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collaboration_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('visibility', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_log_entries_author_id_users')),
    sa.ForeignKeyConstraint(['collaboration_id'], ['collaborations.id'], name=op.f('fk_log_entries_collaboration_id_collaborations')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_log_entries_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_log_entries_done_by_id_users')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_log_entries_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_entries'))
    )
    with op.batch_alter_table('log_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_log_entries_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_log_entries_collab_date', ['collaboration_id', 'entry_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_log_entries_collaboration_id'), ['collaboration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_log_entries_owner_id'), ['owner_id'], unique=False)

    op.create_table('learning_exchanges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('theme_code_id', sa.Integer(), nullable=True),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_learning_exchanges_created_by_id_users')),
    sa.ForeignKeyConstraint(['theme_code_id'], ['codes.id'], name=op.f('fk_learning_exchanges_theme_code_id_codes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_exchanges'))
    )
    with op.batch_alter_table('learning_exchanges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_exchanges_theme_code_id'), ['theme_code_id'], unique=False)

    op.create_table('log_entry_codes',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['codes.id'], name=op.f('fk_log_entry_codes_code_id_codes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['log_entries.id'], name=op.f('fk_log_entry_codes_entry_id_log_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id', 'code_id', name=op.f('pk_log_entry_codes'))
    )
    with op.batch_alter_table('log_entry_codes', schema=None) as batch_op:
        batch_op.create_index('ix_log_entry_codes_code_id', ['code_id'], unique=False)

    op.create_table('exchange_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exchange_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_exchange_outcomes_created_by_id_users')),
    sa.ForeignKeyConstraint(['exchange_id'], ['learning_exchanges.id'], name=op.f('fk_exchange_outcomes_exchange_id_learning_exchanges'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_outcomes'))
    )
    with op.batch_alter_table('exchange_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_outcomes_exchange_id'), ['exchange_id'], unique=False)

    op.create_table('exchange_participants',
    sa.Column('exchange_id', sa.Integer(), nullable=False),
    sa.Column('collaboration_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collaboration_id'], ['collaborations.id'], name=op.f('fk_exchange_participants_collaboration_id_collaborations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['exchange_id'], ['learning_exchanges.id'], name=op.f('fk_exchange_participants_exchange_id_learning_exchanges'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('exchange_id', 'collaboration_id', name=op.f('pk_exchange_participants'))
    )
    with op.batch_alter_table('exchange_participants', schema=None) as batch_op:
        batch_op.create_index('ix_exchange_participants_collaboration_id', ['collaboration_id'], unique=False)

    op.create_table('log_citations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('cited_entry_id', sa.Integer(), nullable=True),
    sa.Column('exchange_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(CASE WHEN item_id IS NULL THEN 0 ELSE 1 END + CASE WHEN cited_entry_id IS NULL THEN 0 ELSE 1 END + CASE WHEN exchange_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_log_citations_one_target')),
    sa.ForeignKeyConstraint(['cited_entry_id'], ['log_entries.id'], name=op.f('fk_log_citations_cited_entry_id_log_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['log_entries.id'], name=op.f('fk_log_citations_entry_id_log_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['exchange_id'], ['learning_exchanges.id'], name=op.f('fk_log_citations_exchange_id_learning_exchanges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['ripple_items.id'], name=op.f('fk_log_citations_item_id_ripple_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_citations'))
    )
    with op.batch_alter_table('log_citations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_log_citations_cited_entry_id'), ['cited_entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_log_citations_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_log_citations_exchange_id'), ['exchange_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_log_citations_item_id'), ['item_id'], unique=False)

    op.create_table('exchange_adoptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('collaboration_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('adopted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['adopted_by_id'], ['users.id'], name=op.f('fk_exchange_adoptions_adopted_by_id_users')),
    sa.ForeignKeyConstraint(['collaboration_id'], ['collaborations.id'], name=op.f('fk_exchange_adoptions_collaboration_id_collaborations')),
    sa.ForeignKeyConstraint(['entry_id'], ['log_entries.id'], name=op.f('fk_exchange_adoptions_entry_id_log_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outcome_id'], ['exchange_outcomes.id'], name=op.f('fk_exchange_adoptions_outcome_id_exchange_outcomes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_adoptions')),
    sa.UniqueConstraint('outcome_id', 'collaboration_id', name='uq_exchange_adoptions_outcome_collaboration')
    )
    with op.batch_alter_table('exchange_adoptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_adoptions_collaboration_id'), ['collaboration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_adoptions_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_adoptions_outcome_id'), ['outcome_id'], unique=False)

    _create_search()

def downgrade():
    """Drop the full-text search objects, then the tables."""
    _drop_search()
    with op.batch_alter_table('exchange_adoptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_adoptions_outcome_id'))
        batch_op.drop_index(batch_op.f('ix_exchange_adoptions_entry_id'))
        batch_op.drop_index(batch_op.f('ix_exchange_adoptions_collaboration_id'))

    op.drop_table('exchange_adoptions')
    with op.batch_alter_table('log_citations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_log_citations_item_id'))
        batch_op.drop_index(batch_op.f('ix_log_citations_exchange_id'))
        batch_op.drop_index(batch_op.f('ix_log_citations_entry_id'))
        batch_op.drop_index(batch_op.f('ix_log_citations_cited_entry_id'))

    op.drop_table('log_citations')
    with op.batch_alter_table('exchange_participants', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_participants_collaboration_id')

    op.drop_table('exchange_participants')
    with op.batch_alter_table('exchange_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_outcomes_exchange_id'))

    op.drop_table('exchange_outcomes')
    with op.batch_alter_table('log_entry_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_log_entry_codes_code_id')

    op.drop_table('log_entry_codes')
    with op.batch_alter_table('learning_exchanges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_exchanges_theme_code_id'))

    op.drop_table('learning_exchanges')
    with op.batch_alter_table('log_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_log_entries_owner_id'))
        batch_op.drop_index(batch_op.f('ix_log_entries_collaboration_id'))
        batch_op.drop_index('ix_log_entries_collab_date')
        batch_op.drop_index(batch_op.f('ix_log_entries_author_id'))

    op.drop_table('log_entries')
