"""Creating accounts, checking sign-ins, and managing roles and accounts."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import orm

from rem.accounts import signins
from rem.accounts.models import EMAIL_MAX, NAME_MAX, Membership, Role, User
from rem.audit.services import record, snapshot
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
    if "@" not in email or len(email) > EMAIL_MAX:
        raise AccountError(f"'{email}' is not a valid email address.")
    if find_user(email) is not None:
        raise AccountError(f"An account for {email} already exists.")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"The password needs at least {MIN_PASSWORD} characters.")
    if len(name) > NAME_MAX:
        raise AccountError(f"The name is longer than {NAME_MAX} characters.")
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


# Memberships: listing, moving and removing people ----------------------------------------


class MembershipError(AccountError):
    """A membership change that is not allowed; the message is shown to the user."""


def members_of(collaboration_id: int) -> list[Membership]:
    """Return the memberships of a collaboration, facilitators first, then by name."""
    rows = db.session.scalars(
        sa.select(Membership).join(User, User.id == Membership.user_id)
        .where(Membership.collaboration_id == collaboration_id)
        .options(orm.contains_eager(Membership.user))
        .order_by(Membership.role, User.name, User.email)
    ).all()
    return list(rows)


def coordinators_of(hub_id: int) -> list[Membership]:
    """Return the coordinator memberships of a hub, by name."""
    return list(db.session.scalars(
        sa.select(Membership).join(User, User.id == Membership.user_id)
        .where(Membership.hub_id == hub_id, Membership.role == Role.COORDINATOR.value)
        .options(orm.contains_eager(Membership.user))
        .order_by(User.name, User.email)
    ).all())


def _count_role(membership: Membership, role: Role) -> int:
    scope = (Membership.collaboration_id == membership.collaboration_id
             if membership.collaboration_id is not None
             else Membership.hub_id == membership.hub_id)
    return db.session.scalar(
        sa.select(sa.func.count(Membership.id)).where(scope, Membership.role == role.value)
    ) or 0


def _membership_state(membership: Membership) -> dict:
    return snapshot(membership, ["user_id", "role", "hub_id", "collaboration_id"])


def _guard_last(membership: Membership, may_overrule: bool) -> None:
    """Refuse to leave a collaboration without facilitator or a hub without coordinator."""
    if may_overrule:
        return
    if (membership.collaboration_id is not None and membership.role == Role.FACILITATOR
            and _count_role(membership, Role.FACILITATOR) <= 1):
        raise MembershipError(_(
            "Dit is de laatste begeleider van dit samenwerkingsverband. Maak eerst iemand "
            "anders begeleider. Of vraag de coördinator van de hub of de beheerder om dit "
            "te doen."))
    if (membership.hub_id is not None and membership.role == Role.COORDINATOR
            and _count_role(membership, Role.COORDINATOR) <= 1):
        raise MembershipError(_(
            "Dit is de laatste coördinator van deze hub. Nodig eerst een andere coördinator "
            "uit, of vraag de beheerder om dit te doen."))


def change_role(membership: Membership, role: Role, *, may_overrule: bool) -> bool:
    """Make a collaboration member facilitator or member; return whether anything changed.

    ``may_overrule`` is True for administrators and hub coordinators: they may move the
    last facilitator.
    """
    if membership.collaboration_id is None or role not in (Role.FACILITATOR, Role.MEMBER):
        raise MembershipError(_("Deze rol kan hier niet gekozen worden."))
    if membership.role == role.value:
        return False
    _guard_last(membership, may_overrule)
    before = _membership_state(membership)
    membership.role = role.value
    db.session.flush()
    record("update", "membership", membership.id, collaboration_id=membership.collaboration_id,
           summary=f"{membership.user.email}: {before['role']} -> {role.value}",
           before=before, after=_membership_state(membership))
    return True


def remove_membership(membership: Membership, *, may_overrule: bool) -> None:
    """End a membership. Everything the person wrote stays, with their name on it."""
    _guard_last(membership, may_overrule)
    before = _membership_state(membership)
    record("delete", "membership", membership.id, collaboration_id=membership.collaboration_id,
           summary=f"{membership.user.email}: {membership.role}", before=before)
    db.session.delete(membership)
    db.session.flush()


def add_membership(user: User, role: Role, *, hub_id: int | None = None,
                   collaboration_id: int | None = None) -> Membership:
    """Give ``user`` a role (as :func:`grant`) and record it in the audit trail."""
    existing = db.session.scalar(sa.select(Membership).where(
        Membership.user_id == user.id,
        Membership.hub_id == hub_id if hub_id is not None else Membership.hub_id.is_(None),
        Membership.collaboration_id == collaboration_id if collaboration_id is not None
        else Membership.collaboration_id.is_(None),
    ))
    before = _membership_state(existing) if existing is not None else None
    membership = grant(user, role, hub_id=hub_id, collaboration_id=collaboration_id)
    record("update" if before else "create", "membership", membership.id,
           collaboration_id=collaboration_id, summary=f"{user.email}: {role.value}",
           before=before, after=_membership_state(membership))
    return membership


# Account administration ------------------------------------------------------------------


def set_active(user: User, active: bool, *, actor_id: int | None) -> None:
    """Switch an account on or off. Switching off ends every sign-in of the person."""
    if not active and user.id == actor_id:
        raise AccountError(_("U kunt uw eigen account niet uitzetten."))
    if user.active == active:
        return
    before = snapshot(user, ["active"])
    user.active = active
    if not active:
        signins.end_all(user)
    record("update", "user", user.id, summary=user.email, before=before,
           after=snapshot(user, ["active"]))


def set_researcher(user: User, researcher: bool) -> None:
    """Mark or unmark an account as researcher."""
    if user.is_researcher == researcher:
        return
    before = snapshot(user, ["is_researcher"])
    user.is_researcher = researcher
    record("update", "user", user.id, summary=user.email, before=before,
           after=snapshot(user, ["is_researcher"]))


def all_users(query: str = "") -> list[User]:
    """Return every account, by email, optionally only those matching ``query``."""
    stmt = sa.select(User).options(orm.selectinload(User.memberships)).order_by(User.email)
    query = query.strip().lower()
    if query:
        stmt = stmt.where(sa.or_(sa.func.lower(User.email).contains(query, autoescape=True),
                                 sa.func.lower(User.name).contains(query, autoescape=True)))
    return list(db.session.scalars(stmt).all())
