"""Sign-ins as records on the server: made at sign-in, checked on every request, ended by
signing out, a new password, switching the account off, or "sign out everywhere".

The signed session cookie holds ``<account>:<password stamp>:<token>``
(:meth:`User.get_id`); the table holds the sha256 of the token. A cookie copied before
its sign-in ended finds no record and is sent to the sign-in page, on every app process,
because the record lives in the database.

"Last seen" is written at most once every :data:`TOUCH_SECONDS`, on a connection of its
own: a request that is rolled back (a refused form) still counts as seen. The session
cookie is sent again then too, so its expiry moves with it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, request, session
from sqlalchemy import orm
from ua_parser import parse as parse_user_agent

from rem.accounts.models import SignIn, User
from rem.core.database import utcnow
from rem.extensions import db

TOUCH_SECONDS = 60
SESSION_KEY = "_user_id"  # where Flask-Login keeps User.get_id()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    """Treat a naive time (SQLite returns those) as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _lifetime() -> timedelta:
    """A sign-in unused for this long has ended (``REM_SESSION_MINUTES``)."""
    return current_app.permanent_session_lifetime


def start(user: User) -> SignIn:
    """Record a new sign-in of ``user`` for this browser and give ``user`` its token.

    Call before ``login_user(user)``, which stores :meth:`User.get_id` in the session.
    Old records of ``user`` that expired are removed on the way.
    """
    now = utcnow()
    db.session.execute(sa.delete(SignIn).where(SignIn.user_id == user.id,
                                               SignIn.last_seen_at < now - _lifetime()))
    token = secrets.token_urlsafe(32)
    agent, address = "", ""
    if has_request_context():
        agent = (request.user_agent.string or "")[:300]
        address = (request.remote_addr or "")[:45]
    record = SignIn(user_id=user.id, token_hash=_hash(token), created_at=now,
                    last_seen_at=now, user_agent=agent, address=address)
    db.session.add(record)
    db.session.flush()
    user.sign_in_token = token
    return record


def load(session_id: str) -> User | None:
    """Return the active account of a live sign-in for ``session_id``, or None.

    One query (the record with its account); at most once a minute one more write.
    """
    user_id, _sep, rest = (session_id or "").partition(":")
    stamp, _sep, token = rest.partition(":")
    if not user_id.isdigit() or not token:
        return None
    record = db.session.scalar(
        sa.select(SignIn).where(SignIn.token_hash == _hash(token))
        .options(orm.joinedload(SignIn.user)))
    if record is None or record.user_id != int(user_id):
        return None
    user = record.user
    if not user.active or not hmac.compare_digest(stamp, user.password_stamp()):
        return None
    now = utcnow()
    last_seen = _aware(record.last_seen_at)
    if last_seen < now - _lifetime():
        return None
    if last_seen < now - timedelta(seconds=TOUCH_SECONDS):
        _touch(record.id, now)
        # The cookie's expiry moves with "last seen": the answer sends it again (Flask no
        # longer does on every answer, SESSION_REFRESH_EACH_REQUEST in rem.config).
        if has_request_context():
            session.modified = True
    user.sign_in_token = token
    return user


def _touch(sign_in_id: int, now: datetime) -> None:
    """Move "last seen" on, in a transaction of its own."""
    table = SignIn.__table__
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(table)
            .where(table.c.id == sign_in_id,
                   table.c.last_seen_at < now - timedelta(seconds=TOUCH_SECONDS))
            .values(last_seen_at=now))


def current_token() -> str:
    """Return the sign-in token of this browser's session ('' when signed out)."""
    return (session.get(SESSION_KEY) or "").rpartition(":")[2]


def end_current() -> None:
    """End this browser's sign-in (the caller commits, then signs out of the session)."""
    token = current_token()
    if token:
        db.session.execute(sa.delete(SignIn).where(SignIn.token_hash == _hash(token)))


def end_all(user: User, *, keep_current: bool = False) -> int:
    """End every sign-in of ``user`` (but this browser's, with ``keep_current``); return
    how many ended."""
    stmt = sa.delete(SignIn).where(SignIn.user_id == user.id)
    if keep_current and current_token():
        stmt = stmt.where(SignIn.token_hash != _hash(current_token()))
    return db.session.execute(stmt).rowcount or 0


def active(user: User) -> list[SignIn]:
    """Return the live sign-ins of ``user``, most recently used first."""
    cutoff = utcnow() - _lifetime()
    return list(db.session.scalars(
        sa.select(SignIn).where(SignIn.user_id == user.id, SignIn.last_seen_at >= cutoff)
        .order_by(SignIn.last_seen_at.desc(), SignIn.id.desc())))


def is_current(record: SignIn) -> bool:
    """Tell whether ``record`` is this browser's sign-in."""
    token = current_token()
    return bool(token) and hmac.compare_digest(record.token_hash, _hash(token))


def browser_label(agent: str) -> str:
    """Return "Firefox on Windows" and the like for a User-Agent text ('' when unknown)."""
    result = parse_user_agent(agent or "")
    browser = result.user_agent.family if result.user_agent else ""
    system = result.os.family if result.os else ""
    if browser == "Other":
        browser = ""
    if system == "Other":
        system = ""
    return " · ".join(part for part in (browser, system) if part)
