"""Annual borging reviews: reviews, their strategies, participatiescan scores and evidence.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

New tables only (no existing table changes, so no full-text triggers are touched).
Evidence rows point to an item or a log entry (SET NULL when purged) and keep, once
the review is adopted, their own copy of what they showed.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    """Create the review tables."""
    op.create_table('borging_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collaboration_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=True),
    sa.Column('participants', sa.Text(), nullable=False),
    sa.Column('risk_key_persons', sa.Text(), nullable=False),
    sa.Column('risk_project_money', sa.Text(), nullable=False),
    sa.Column('use_older_pillars', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('adopted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('adopted_by_id', sa.Integer(), nullable=True),
    sa.Column('frozen_map_svg', sa.Text(), nullable=True),
    sa.Column('frozen_map_summary', sa.Text(), nullable=True),
    sa.Column('frozen_extra', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['adopted_by_id'], ['users.id'], name=op.f('fk_borging_reviews_adopted_by_id_users')),
    sa.ForeignKeyConstraint(['collaboration_id'], ['collaborations.id'], name=op.f('fk_borging_reviews_collaboration_id_collaborations')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_borging_reviews_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_borging_reviews')),
    sa.UniqueConstraint('collaboration_id', 'year', 'version_number', name='uq_borging_reviews_collaboration_year_version')
    )
    with op.batch_alter_table('borging_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_borging_reviews_collaboration_id'), ['collaboration_id'], unique=False)

    op.create_table('review_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('pillar', sa.String(length=40), nullable=False),
    sa.Column('score', sa.Numeric(precision=3, scale=1, asdecimal=False), nullable=False),
    sa.CheckConstraint('score >= 0 AND score <= 5', name=op.f('ck_review_scores_score_range')),
    sa.ForeignKeyConstraint(['review_id'], ['borging_reviews.id'], name=op.f('fk_review_scores_review_id_borging_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_scores')),
    sa.UniqueConstraint('review_id', 'pillar', name='uq_review_scores_review_pillar')
    )
    with op.batch_alter_table('review_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_scores_review_id'), ['review_id'], unique=False)

    op.create_table('review_strategies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('strategy', sa.String(length=60), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['borging_reviews.id'], name=op.f('fk_review_strategies_review_id_borging_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_strategies')),
    sa.UniqueConstraint('review_id', 'strategy', name='uq_review_strategies_review_strategy')
    )
    with op.batch_alter_table('review_strategies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_strategies_review_id'), ['review_id'], unique=False)

    op.create_table('review_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('strategy', sa.String(length=60), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('kept', sa.Boolean(), nullable=False),
    sa.Column('added', sa.Boolean(), nullable=False),
    sa.Column('snap_title', sa.String(length=200), nullable=True),
    sa.Column('snap_date_label', sa.String(length=60), nullable=True),
    sa.Column('snap_date', sa.Date(), nullable=True),
    sa.Column('snap_kind', sa.String(length=20), nullable=True),
    sa.Column('snap_excerpt', sa.Text(), nullable=True),
    sa.Column('snap_codes', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['log_entries.id'], name=op.f('fk_review_evidence_entry_id_log_entries'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['ripple_items.id'], name=op.f('fk_review_evidence_item_id_ripple_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['borging_reviews.id'], name=op.f('fk_review_evidence_review_id_borging_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_evidence')),
    sa.UniqueConstraint('review_id', 'strategy', 'entry_id', name='uq_review_evidence_review_strategy_entry'),
    sa.UniqueConstraint('review_id', 'strategy', 'item_id', name='uq_review_evidence_review_strategy_item')
    )
    with op.batch_alter_table('review_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_evidence_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_evidence_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_evidence_review_id'), ['review_id'], unique=False)



def downgrade():
    """Drop the review tables."""
    with op.batch_alter_table('review_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_evidence_review_id'))
        batch_op.drop_index(batch_op.f('ix_review_evidence_item_id'))
        batch_op.drop_index(batch_op.f('ix_review_evidence_entry_id'))

    op.drop_table('review_evidence')
    with op.batch_alter_table('review_strategies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_strategies_review_id'))

    op.drop_table('review_strategies')
    with op.batch_alter_table('review_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_scores_review_id'))

    op.drop_table('review_scores')
    with op.batch_alter_table('borging_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_borging_reviews_collaboration_id'))

    op.drop_table('borging_reviews')
