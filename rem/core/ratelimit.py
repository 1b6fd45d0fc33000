"""A rate-limit store in the app's own database, shared by every app process.

Flask-Limiter does the limiting; this only gives its ``limits`` library a
storage backend that needs nothing but the database, so several gunicorn
workers or machines count sign-in attempts together. Select it with
``REM_RATELIMIT_STORAGE_URI=rem+sql://`` (the default); ``redis://...`` works too.

One request may be under several limits (a story: per address, per participant per
minute and per hour, per session). :class:`Limiter` counts all limits of one request in
one transaction of this store (:meth:`DatabaseStorage.together`): one wait for SQLite's
single writer and one commit instead of one of each per limit. The limits, their order
and the refusals stay exactly those of Flask-Limiter.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Iterator

import flask_limiter
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
        self._local = threading.local()  # the open transaction of :meth:`together`, if any
        self._upsert_stmt = self._upsert()
        by_key = TABLE.c.key == sa.bindparam("key")
        self._get_stmt = sa.select(TABLE.c.count, TABLE.c.expires_at).where(by_key)
        self._expiry_stmt = sa.select(TABLE.c.expires_at).where(by_key)

    @contextlib.contextmanager
    def together(self) -> Iterator[None]:
        """Make every count inside one transaction, committed at the end.

        The transaction starts at the first write, so it never has to turn a read into a
        write (on SQLite that fails at once when someone else wrote in between, instead
        of waiting); reads before it read on their own. It is committed also when a
        limit refused the request (the refused request counts, as it does one by one),
        and rolled back only when the database itself failed. Nested uses join the
        outer one.
        """
        if getattr(self._local, "active", False):
            yield
            return
        self._local.active = True
        self._local.conn = None
        try:
            yield
        except sa.exc.SQLAlchemyError:
            self._finish(commit=False)
            raise
        except BaseException:
            self._finish(commit=True)
            raise
        else:
            self._finish(commit=True)

    def _finish(self, *, commit: bool) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.active = False
        self._local.conn = None
        if conn is None:
            return
        try:
            if commit:
                conn.commit()
            else:
                conn.rollback()
        finally:
            conn.close()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """A connection to write on: the shared transaction inside :meth:`together`,
        else a transaction of its own."""
        if getattr(self._local, "active", False):
            if self._local.conn is None:
                self._local.conn = self.engine.connect()
            yield self._local.conn
        else:
            with self.engine.begin() as conn:
                yield conn

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        """A connection to read on: the shared transaction once it wrote (it sees its
        own counts), else a connection of its own."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            yield conn
        else:
            with self.engine.connect() as own:
                yield own

    @property
    def base_exceptions(self) -> type[Exception]:
        """Errors of the database layer."""
        return sa.exc.SQLAlchemyError

    def _upsert(self):
        """The statement of :meth:`incr`, built once: building and caching a statement
        costs more CPU than running it, and a story runs it four times."""
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(TABLE).values(key=sa.bindparam("key"), count=sa.bindparam("amount"),
                                    expires_at=sa.bindparam("expires_at"))
        expired = TABLE.c.expires_at <= sa.bindparam("now", type_=sa.Float)
        return stmt.on_conflict_do_update(
            index_elements=[TABLE.c.key],
            set_={
                "count": sa.case((expired, stmt.excluded.count),
                                 else_=TABLE.c.count + stmt.excluded.count),
                "expires_at": sa.case((expired, stmt.excluded.expires_at),
                                      else_=TABLE.c.expires_at),
            },
        ).returning(TABLE.c.count)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the window of ``key``, starting a new window when it expired."""
        now = time.time()
        params = {"key": stored_key(key), "amount": amount, "expires_at": now + expiry,
                  "now": now}
        with self._writing() as conn:
            return int(conn.execute(self._upsert_stmt, params).scalar_one())

    def get(self, key: str) -> int:
        """Return the count in the current window of ``key``."""
        with self._reading() as conn:
            row = conn.execute(self._get_stmt, {"key": stored_key(key)}).first()
        if row is None or row.expires_at <= time.time():
            return 0
        return int(row.count)

    def get_expiry(self, key: str) -> float:
        """Return when the current window of ``key`` ends (epoch seconds)."""
        with self._reading() as conn:
            value = conn.scalar(self._expiry_stmt, {"key": stored_key(key)})
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
        with self._writing() as conn:
            conn.execute(sa.delete(TABLE).where(TABLE.c.key == stored_key(key)))


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter, counting all limits of one request in one transaction of the store.

    Flask-Limiter checks a request's limits one by one (stopping at the first that
    refuses); with :class:`DatabaseStorage` each count was a transaction of its own.
    Here the whole check runs inside :meth:`DatabaseStorage.together`. Overrides
    ``_check_request_limit``, which both the ``before_request`` hook and the
    ``@limiter.limit`` decorators call (Flask-Limiter is pinned in pyproject.toml).
    """

    def _check_request_limit(self, callable_name: str | None = None,
                             in_middleware: bool = True) -> None:
        storage = self.storage if self.initialized and self.enabled else None
        together = (storage.together() if isinstance(storage, DatabaseStorage)
                    else contextlib.nullcontext())
        with together:
            super()._check_request_limit(callable_name=callable_name,
                                         in_middleware=in_middleware)
