"""The declarative base with a naming convention, and shared column mixins."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import orm

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Slugs (hubs, collaborations, codebooks, codes): ``core.forms.slugify`` cuts at this length.
SLUG_MAX = 80


class Base(orm.DeclarativeBase):
    """Declarative base whose constraints get stable names on every database."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


class TimestampMixin:
    """Adds ``created_at`` and ``updated_at`` columns, set by the database layer."""

    created_at: orm.Mapped[datetime] = orm.mapped_column(
        sa.DateTime(timezone=True), default=utcnow, nullable=False
    )
    updated_at: orm.Mapped[datetime] = orm.mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow, nullable=False
    )


# How long a SQLite connection waits for another one's write before it gives up with
# "database is locked" (milliseconds). Only writers ever wait (readers never do in WAL
# mode); the longest write is a large import (performance.md), well within this.
SQLITE_BUSY_TIMEOUT_MS = 30_000


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    """Make SQLite enforce foreign keys (and their ON DELETE rules), as PostgreSQL does,
    and let readers read while someone writes.

    SQLite leaves foreign keys off unless every connection asks. Migrations turn them off
    while they copy tables (migrations/env.py) and check them afterwards.

    In SQLite's default journal mode a long write (an import of thousands of rows) locks
    the whole file once its changes no longer fit in memory, and every other page then
    fails with "database is locked". Write-ahead logging (WAL, kept in the file once set)
    lets readers go on reading the last committed state while one connection writes;
    other writers wait up to the busy timeout instead of failing at once.

    ``synchronous=NORMAL`` (a setting of each connection): in WAL mode a commit then
    appends to the log without waiting for the disk; the disk is synced at checkpoints.
    The database stays consistent whatever happens; a crash of the app loses nothing;
    only a power cut or a crash of the operating system may lose the last transactions
    (docs/deployment.md). It makes each write (every story, every rate-limit count)
    several milliseconds shorter, and writes wait for each other.
    """
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")  # an in-memory database stays "memory"
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
