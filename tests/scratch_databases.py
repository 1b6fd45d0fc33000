"""A PostgreSQL database of a test's own, next to the shared test database.

Used by the tests that need an empty database (the migration upgrade, the backup round
trip, the browser tests' demo server) and must not share the one that the other tests
empty after every test.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


def psycopg_url(url: str) -> str:
    """``url`` with SQLAlchemy's psycopg 3 driver named (the test server's URL has none)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@contextmanager
def scratch_postgres_database(server_url: str, prefix: str) -> Iterator[str]:
    """Create an empty database on the server of ``server_url``, yield its URL, drop it.

    Raises ``sqlalchemy.exc.DBAPIError`` when the role may not create a database.
    """
    base = sa.engine.make_url(psycopg_url(server_url))
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            drop_database(admin, name)
    finally:
        admin.dispose()


def drop_database(admin: sa.Engine, name: str, *, tries: int = 5) -> None:
    """Drop database ``name`` once the test's connections to it are closed.

    A plain DROP DATABASE stops an autovacuum worker busy in that database and waits for
    it; ``WITH (FORCE)`` instead tries to terminate that worker, which a role without
    pg_signal_backend may not do (that failed in CI, for the round trip after the
    upgrade test had learned it). So the plain DROP is tried a few times first, for a
    connection of the test's own that is still closing; FORCE is the last resort, and
    may only end connections of the test's own role.
    """
    for attempt in range(tries):
        with admin.connect() as conn:
            try:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
                return
            except sa.exc.OperationalError:
                if attempt == tries - 1:
                    break
        time.sleep(0.2 * (attempt + 1))
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
