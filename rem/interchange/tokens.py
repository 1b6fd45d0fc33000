"""Personal access tokens: created and revoked by their owner, shown once, stored hashed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from rem.accounts.models import User
from rem.audit.services import record
from rem.core.database import utcnow
from rem.extensions import db
from rem.interchange.models import NAME_MAX, ApiToken

PREFIX = "rem_"
TOUCH_EVERY = timedelta(minutes=5)
MAX_TOKENS = 20
LIFETIMES = (30, 90, 365)  # days a token can live, chosen when it is made
DEFAULT_LIFETIME = 90


class TokenError(ValueError):
    """A token that cannot be made; the message is shown to the user."""


def hash_token(token: str) -> str:
    """Return the SHA-256 of a token (tokens are long and random: no salt needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_of(user: User) -> list[ApiToken]:
    """Return the person's tokens, newest first."""
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def create_token(user: User, name: str, days: int = DEFAULT_LIFETIME) -> tuple[ApiToken, str]:
    """Make a token that works for ``days`` days; return it with its secret, which is
    shown once and never stored."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenError(_("Geef de sleutel een naam."))
    if days not in LIFETIMES:
        raise TokenError(_("Kies hoe lang de sleutel werkt: 30, 90 of 365 dagen."))
    active = [t for t in tokens_of(user) if t.revoked_at is None]
    if len(active) >= MAX_TOKENS:
        raise TokenError(_("U hebt al %(n)d sleutels. Trek er eerst een in.", n=MAX_TOKENS))
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:NAME_MAX], token_hash=hash_token(secret),
                     prefix=secret[:10], expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    record("create", "api_token", token.id, summary=token.name, user_id=user.id,
           after={"days": days, "expires_at": token.expires_at.isoformat()})
    return token, secret


def revoke_token(user: User, token_id: int) -> ApiToken | None:
    """Revoke one of the person's own tokens; None when it is not theirs."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        record("revoke", "api_token", token.id, summary=token.name, user_id=user.id)
    return token


class TokenExpired(Exception):
    """A real token whose expiry date has passed."""


def user_for_token(secret: str) -> User | None:
    """Return the active account a valid, unrevoked, unexpired token belongs to.

    Raises TokenExpired for a token that exists but has expired, so that the API can
    say so instead of a bare "unauthorised".
    """
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(
        ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None)))
    if token is None or not token.user.active:
        return None
    now = utcnow()
    if token.expired(now):
        raise TokenExpired(token.expires_at)
    last = token.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)
    if last is None or now - last > TOUCH_EVERY:
        token.last_used_at = now
        db.session.commit()
    return token.user
