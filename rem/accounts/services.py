"""Creating accounts and checking sign-ins."""

from __future__ import annotations

import sqlalchemy as sa

from rem.accounts.models import Membership, Role, User
from rem.core.database import utcnow
from rem.extensions import db

MIN_PASSWORD = 10


class AccountError(ValueError):
    """An account change that cannot be made; the message is shown to the user."""


def find_user(email: str) -> User | None:
    """Return the account with this email address (case-insensitive), if any."""
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))


def create_user(email: str, password: str, *, name: str = "", admin: bool = False,
                researcher: bool = False) -> User:
    """Create an account, refusing duplicates and short passwords."""
    email = email.strip()
    if "@" not in email or len(email) > 254:
        raise AccountError(f"'{email}' is not a valid email address.")
    if find_user(email) is not None:
        raise AccountError(f"An account for {email} already exists.")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"The password needs at least {MIN_PASSWORD} characters.")
    user = User(email=email, name=name, is_admin=admin, is_researcher=researcher)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active account for these credentials, or None."""
    user = find_user(email)
    if user is None:
        # Spend the same time as a real check, so timing does not reveal accounts.
        User(email="x").set_password(password)
        return None
    if not user.active or not user.check_password(password):
        return None
    user.last_seen_at = utcnow()
    return user


def grant(user: User, role: Role, *, hub_id: int | None = None,
          collaboration_id: int | None = None) -> Membership:
    """Give ``user`` a role in a hub or a collaboration (idempotent)."""
    existing = db.session.scalar(sa.select(Membership).where(
        Membership.user_id == user.id, Membership.hub_id.is_(hub_id) if hub_id is None
        else Membership.hub_id == hub_id,
        Membership.collaboration_id.is_(None) if collaboration_id is None
        else Membership.collaboration_id == collaboration_id,
    ))
    if existing is not None:
        existing.role = role.value
        return existing
    membership = Membership(user_id=user.id, hub_id=hub_id, collaboration_id=collaboration_id,
                            role=role.value)
    db.session.add(membership)
    db.session.flush()
    return membership
