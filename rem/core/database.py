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


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    """Make SQLite enforce foreign keys (and their ON DELETE rules), as PostgreSQL does.

    SQLite leaves them off unless every connection asks. Migrations turn them off while
    they copy tables (migrations/env.py) and check them afterwards.
    """
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
