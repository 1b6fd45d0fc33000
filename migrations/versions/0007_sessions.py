"""Live evaluation sessions: sessions with a join code, participants, stories, and the
session an effect came from (ripple_items.session_id).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24

On SQLite the new column of ripple_items is added with a plain ALTER TABLE (the
foreign key inline), not in batch mode: batch mode copies the table, and dropping
the old copy would also drop the full-text triggers that 0006 put on it. The
downgrade has to copy the table, so it saves those triggers and puts them back.
"""
from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    """Create the session tables and ripple_items.session_id."""
    op.create_table('evaluation_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collaboration_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('focus_question', sa.String(length=500), nullable=False),
    sa.Column('prompts', sa.Text(), nullable=False),
    sa.Column('allow_links', sa.Boolean(), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_evaluation_sessions_closed_by_id_users')),
    sa.ForeignKeyConstraint(['collaboration_id'], ['collaborations.id'], name=op.f('fk_evaluation_sessions_collaboration_id_collaborations')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evaluation_sessions_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_sessions'))
    )
    with op.batch_alter_table('evaluation_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_sessions_code'), ['code'], unique=True)
        batch_op.create_index(batch_op.f('ix_evaluation_sessions_collaboration_id'), ['collaboration_id'], unique=False)

    op.create_table('session_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=60), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['evaluation_sessions.id'], name=op.f('fk_session_participants_session_id_evaluation_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_participants'))
    )
    with op.batch_alter_table('session_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_participants_session_id'), ['session_id'], unique=False)

    op.create_table('evaluation_session_items',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['ripple_items.id'], name=op.f('fk_evaluation_session_items_item_id_ripple_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['evaluation_sessions.id'], name=op.f('fk_evaluation_session_items_session_id_evaluation_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'item_id', name=op.f('pk_evaluation_session_items'))
    )
    with op.batch_alter_table('evaluation_session_items', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_session_items_item_id', ['item_id'], unique=False)

    op.create_table('session_stories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('for_whom', sa.String(length=200), nullable=False),
    sa.Column('date_start', sa.Date(), nullable=True),
    sa.Column('date_precision', sa.String(length=10), nullable=True),
    sa.Column('intended', sa.Boolean(), nullable=True),
    sa.Column('valence', sa.String(length=10), nullable=True),
    sa.Column('grew_from_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('effect_id', sa.Integer(), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['effect_id'], ['ripple_items.id'], name=op.f('fk_session_stories_effect_id_ripple_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['grew_from_id'], ['ripple_items.id'], name=op.f('fk_session_stories_grew_from_id_ripple_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], name=op.f('fk_session_stories_handled_by_id_users')),
    sa.ForeignKeyConstraint(['participant_id'], ['session_participants.id'], name=op.f('fk_session_stories_participant_id_session_participants')),
    sa.ForeignKeyConstraint(['session_id'], ['evaluation_sessions.id'], name=op.f('fk_session_stories_session_id_evaluation_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_stories')),
    sa.UniqueConstraint('session_id', 'idempotency_key', name='uq_session_stories_key')
    )
    with op.batch_alter_table('session_stories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_stories_effect_id'), ['effect_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_stories_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index('ix_session_stories_session_status', ['session_id', 'status'], unique=False)

    if _sqlite():
        op.execute("ALTER TABLE ripple_items ADD COLUMN session_id INTEGER "
                   "CONSTRAINT fk_ripple_items_session_id_evaluation_sessions "
                   "REFERENCES evaluation_sessions (id)")
        op.create_index(op.f('ix_ripple_items_session_id'), 'ripple_items', ['session_id'],
                        unique=False)
    else:
        op.add_column('ripple_items', sa.Column('session_id', sa.Integer(), nullable=True))
        op.create_index(op.f('ix_ripple_items_session_id'), 'ripple_items', ['session_id'],
                        unique=False)
        op.create_foreign_key(op.f('fk_ripple_items_session_id_evaluation_sessions'),
                              'ripple_items', 'evaluation_sessions', ['session_id'], ['id'])



def downgrade():
    """Drop them again."""
    op.drop_index(op.f('ix_ripple_items_session_id'), table_name='ripple_items')
    if _sqlite():
        triggers = [row[0] for row in op.get_bind().execute(sa.text(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ripple_items'"
        ))]
        with op.batch_alter_table('ripple_items', schema=None) as batch_op:
            batch_op.drop_column('session_id')
        for sql in triggers:
            op.execute(sql)
    else:
        op.drop_constraint(op.f('fk_ripple_items_session_id_evaluation_sessions'),
                           'ripple_items', type_='foreignkey')
        op.drop_column('ripple_items', 'session_id')

    with op.batch_alter_table('session_stories', schema=None) as batch_op:
        batch_op.drop_index('ix_session_stories_session_status')
        batch_op.drop_index(batch_op.f('ix_session_stories_participant_id'))
        batch_op.drop_index(batch_op.f('ix_session_stories_effect_id'))

    op.drop_table('session_stories')
    with op.batch_alter_table('evaluation_session_items', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_session_items_item_id')

    op.drop_table('evaluation_session_items')
    with op.batch_alter_table('session_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_participants_session_id'))

    op.drop_table('session_participants')
    with op.batch_alter_table('evaluation_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_sessions_collaboration_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_sessions_code'))

    op.drop_table('evaluation_sessions')
