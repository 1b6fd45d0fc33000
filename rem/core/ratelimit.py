"""A rate-limit store in the app's own database, shared by every app process.

Flask-Limiter does the limiting; this only gives its ``limits`` library a
storage backend that needs nothing but the database, so several gunicorn
workers or machines count sign-in attempts together. Select it with
``REM_RATELIMIT_STORAGE_URI=rem+sql://`` (the default); ``redis://...`` works too.
"""

from __future__ import annotations

import hashlib
import time

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy import orm

from rem.core.database import Base

KEY_MAX = 255


def stored_key(key: str) -> str:
    """Return ``key`` as stored: a key longer than the column (it may hold whatever a
    visitor typed as an email address) keeps its start and ends in its hash."""
    if len(key) <= KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return key[:KEY_MAX - len(digest) - 1] + "#" + digest


class RateLimitCounter(Base):
    """One fixed-window counter."""

    __tablename__ = "rate_limit_counters"

    key: orm.Mapped[str] = orm.mapped_column(sa.String(KEY_MAX), primary_key=True)
    count: orm.Mapped[int] = orm.mapped_column(default=0)
    expires_at: orm.Mapped[float] = orm.mapped_column(sa.Float, index=True)


TABLE = RateLimitCounter.__table__


class DatabaseStorage(Storage):
    """Fixed-window counters in a SQL table (SQLite or PostgreSQL)."""

    STORAGE_SCHEME = ["rem+sql"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, *, database_url: str = "",
                 **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        if not database_url:
            raise ValueError("DatabaseStorage needs database_url in RATELIMIT_STORAGE_OPTIONS")
        self.engine = sa.create_engine(database_url, pool_pre_ping=True)

    @property
    def base_exceptions(self) -> type[Exception]:
        """Errors of the database layer."""
        return sa.exc.SQLAlchemyError

    def _insert(self):
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(TABLE)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the window of ``key``, starting a new window when it expired."""
        key = stored_key(key)
        now = time.time()
        stmt = self._insert().values(key=key, count=amount, expires_at=now + expiry)
        expired = TABLE.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(
            index_elements=[TABLE.c.key],
            set_={
                "count": sa.case((expired, amount), else_=TABLE.c.count + amount),
                "expires_at": sa.case((expired, now + expiry), else_=TABLE.c.expires_at),
            },
        ).returning(TABLE.c.count)
        with self.engine.begin() as conn:
            return int(conn.execute(stmt).scalar_one())

    def get(self, key: str) -> int:
        """Return the count in the current window of ``key``."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(TABLE.c.count, TABLE.c.expires_at)
                               .where(TABLE.c.key == stored_key(key))).first()
        if row is None or row.expires_at <= time.time():
            return 0
        return int(row.count)

    def get_expiry(self, key: str) -> float:
        """Return when the current window of ``key`` ends (epoch seconds)."""
        with self.engine.connect() as conn:
            value = conn.scalar(sa.select(TABLE.c.expires_at)
                                .where(TABLE.c.key == stored_key(key)))
        return float(value) if value and value > time.time() else time.time()

    def check(self) -> bool:
        """Tell whether the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.select(1))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        """Remove every counter."""
        with self.engine.begin() as conn:
            return conn.execute(sa.delete(TABLE)).rowcount

    def clear(self, key: str) -> None:
        """Remove the counter of ``key``."""
        with self.engine.begin() as conn:
            conn.execute(sa.delete(TABLE).where(TABLE.c.key == stored_key(key)))
