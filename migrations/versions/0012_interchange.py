"""API tokens get an expiry date.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

Adds api_tokens.expires_at (required). Tokens made before this migration get 90 days
from the day it runs, so that no script stops without warning.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

GRACE_DAYS = 90


def upgrade():
    """Add expires_at, fill it for existing tokens, then make it required."""
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table("api_tokens", sa.column("expires_at", sa.DateTime(timezone=True)))
    op.execute(tokens.update().where(tokens.c.expires_at.is_(None))
               .values(expires_at=datetime.now(UTC) + timedelta(days=GRACE_DAYS)))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(timezone=True),
                              nullable=False)
        batch_op.create_index(batch_op.f("ix_api_tokens_expires_at"), ["expires_at"],
                              unique=False)


def downgrade():
    """Drop expires_at."""
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_expires_at"))
        batch_op.drop_column("expires_at")
