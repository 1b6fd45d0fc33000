"""Personal access tokens for the read-only API. Only a hash of each token is kept."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from rem.accounts.models import User
from rem.core.database import TimestampMixin
from rem.extensions import db

NAME_MAX = 100


class ApiToken(TimestampMixin, db.Model):
    """A named token that lets one person's scripts read what that person may see."""

    __tablename__ = "api_tokens"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    user_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("users.id"), index=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(NAME_MAX))
    token_hash: orm.Mapped[str] = orm.mapped_column(sa.String(64), unique=True, index=True)
    prefix: orm.Mapped[str] = orm.mapped_column(sa.String(12))
    last_used_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))
    revoked_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))
    # Chosen when the token is made (30, 90 or 365 days); an expired token opens nothing.
    expires_at: orm.Mapped[datetime] = orm.mapped_column(sa.DateTime(timezone=True), index=True)

    user: orm.Mapped[User] = orm.relationship()

    def expired(self, now: datetime) -> bool:
        """Tell whether the token has passed its expiry date (naive times are UTC)."""
        expires = self.expires_at
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=now.tzinfo)
        return expires <= now
