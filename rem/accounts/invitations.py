"""One-time links: invitations to a hub or collaboration, and password resets.

A token is shown once (on screen, or in an email) and only its sha256 hash is stored,
so a copy of the database cannot be used to accept an invitation or take over an account.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from rem.accounts import signins
from rem.accounts.models import AccountToken, Membership, Role, TokenPurpose, User
from rem.accounts.services import (
    MIN_PASSWORD,
    AccountError,
    add_membership,
    create_user,
    find_user,
)
from rem.audit.services import actor_id, record
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.extensions import db
from rem.hubs.models import Hub

RESET_HOURS = 24
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


class TokenProblem(Exception):
    """A link that cannot be used: unknown (404), or expired, used or withdrawn (410)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
        self.status = 404 if reason == "unknown" else 410


class InvitationError(AccountError):
    """An invitation that cannot be made or accepted; the message is shown to the user."""


def hash_token(token: str) -> str:
    """Return the sha256 hex digest under which ``token`` is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    """Treat a naive time (SQLite returns those) as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _issue(purpose: TokenPurpose, lifetime: timedelta, **fields) -> tuple[AccountToken, str]:
    token = secrets.token_urlsafe(32)
    row = AccountToken(purpose=purpose.value, token_hash=hash_token(token),
                       expires_at=utcnow() + lifetime, created_by_id=actor_id(), **fields)
    db.session.add(row)
    db.session.flush()
    return row, token


def find_token(token: str, purpose: TokenPurpose) -> AccountToken:
    """Return the usable link for ``token``, or raise :class:`TokenProblem`."""
    if not TOKEN_RE.match(token or ""):
        raise TokenProblem("unknown")
    row = db.session.scalar(sa.select(AccountToken).where(
        AccountToken.token_hash == hash_token(token), AccountToken.purpose == purpose.value))
    if row is None:
        raise TokenProblem("unknown")
    if row.revoked_at is not None:
        raise TokenProblem("revoked")
    if row.used_at is not None:
        raise TokenProblem("used")
    if _aware(row.expires_at) <= utcnow():
        raise TokenProblem("expired")
    return row


def _claim(row: AccountToken) -> None:
    """Mark ``row`` used in one UPDATE, so two requests at once cannot both use it."""
    result = db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.id == row.id, AccountToken.used_at.is_(None),
               AccountToken.revoked_at.is_(None))
        .values(used_at=utcnow())
    )
    if result.rowcount != 1:
        raise TokenProblem("used")
    db.session.refresh(row)


# Invitations ---------------------------------------------------------------------------


def _existing_role(email: str, *, hub_id: int | None, collaboration_id: int | None
                   ) -> Membership | None:
    user = find_user(email)
    if user is None:
        return None
    scope = (Membership.hub_id == hub_id if hub_id is not None
             else Membership.collaboration_id == collaboration_id)
    return db.session.scalar(sa.select(Membership).where(Membership.user_id == user.id, scope))


def create_invitation(email: str, role: Role, *, collaboration: Collaboration | None = None,
                      hub: Hub | None = None, days: int | None = None
                      ) -> tuple[AccountToken, str]:
    """Invite ``email`` to a collaboration (facilitator or member) or a hub (coordinator).

    Return the stored invitation and the token, which is not stored and must be shown now.
    """
    email = email.strip()
    if (collaboration is None) == (hub is None):
        raise InvitationError(_("Kies een samenwerkingsverband of een hub."))
    if hub is not None and role != Role.COORDINATOR:
        raise InvitationError(_("Voor een hub kunt u alleen coördinatoren uitnodigen."))
    if collaboration is not None and role not in (Role.FACILITATOR, Role.MEMBER):
        raise InvitationError(_("Kies begeleider of lid."))
    user = find_user(email)
    if user is not None and not user.active:
        raise InvitationError(_("Het account van %(email)s staat uit. Vraag de beheerder om "
                                "het weer aan te zetten.", email=email))
    hub_id = hub.id if hub is not None else None
    collaboration_id = collaboration.id if collaboration is not None else None
    if _existing_role(email, hub_id=hub_id, collaboration_id=collaboration_id) is not None:
        raise InvitationError(_("%(email)s heeft hier al een rol. U kunt die rol wijzigen in "
                                "de ledenlijst.", email=email))
    days = days or int(current_app.config.get("REM_INVITE_DAYS", 14))
    invitation, token = _issue(TokenPurpose.INVITE, timedelta(days=days), email=email,
                               role=role.value, hub_id=hub_id,
                               collaboration_id=collaboration_id)
    record("create", "invitation", invitation.id, collaboration_id=collaboration_id,
           summary=f"{email}: {role.value}",
           after={"email": email, "role": role.value, "hub_id": hub_id,
                  "expires_at": invitation.expires_at.isoformat()})
    return invitation, token


def open_invitations(*, collaboration_id: int | None = None, hub_id: int | None = None
                     ) -> list[AccountToken]:
    """Return the invitations of a collaboration or hub that can still be accepted."""
    scope = (AccountToken.collaboration_id == collaboration_id if collaboration_id is not None
             else AccountToken.hub_id == hub_id)
    rows = db.session.scalars(sa.select(AccountToken).where(
        scope, AccountToken.purpose == TokenPurpose.INVITE.value,
        AccountToken.used_at.is_(None), AccountToken.revoked_at.is_(None),
    ).order_by(AccountToken.created_at.desc())).all()
    now = utcnow()
    return [row for row in rows if _aware(row.expires_at) > now]


def withdraw_invitation(invitation: AccountToken) -> None:
    """Make an invitation unusable."""
    if invitation.revoked_at is not None or invitation.used_at is not None:
        return
    invitation.revoked_at = utcnow()
    record("delete", "invitation", invitation.id, collaboration_id=invitation.collaboration_id,
           summary=f"{invitation.email}: {invitation.role}")


def invited_account(invitation: AccountToken) -> User | None:
    """Return the existing account for the invited address, if there is one."""
    return find_user(invitation.email)


def _use(invitation: AccountToken, user: User) -> Membership:
    _claim(invitation)
    invitation.user_id = user.id
    membership = add_membership(user, Role(invitation.role), hub_id=invitation.hub_id,
                                collaboration_id=invitation.collaboration_id)
    record("update", "invitation", invitation.id, collaboration_id=invitation.collaboration_id,
           summary=f"{invitation.email}: {invitation.role}", user_id=user.id,
           before={"used": False}, after={"used": True})
    return membership


def accept_as_existing(invitation: AccountToken, user: User) -> Membership:
    """Accept an invitation for the signed-in account it was sent to."""
    if user.email.lower() != invitation.email.lower():
        raise InvitationError(_("Deze uitnodiging is voor een ander e-mailadres."))
    return _use(invitation, user)


def accept_as_new(invitation: AccountToken, name: str, password: str) -> User:
    """Create an account for the invited address and accept the invitation with it."""
    if invited_account(invitation) is not None:
        raise InvitationError(_("Er is al een account voor dit e-mailadres. Log in om de "
                                "uitnodiging aan te nemen."))
    if len(password) < MIN_PASSWORD:
        raise InvitationError(_("Kies een wachtwoord van minstens %(n)s tekens.",
                                n=MIN_PASSWORD))
    user = create_user(invitation.email, password, name=name.strip())
    record("create", "user", user.id, summary=user.email, user_id=user.id)
    _use(invitation, user)
    return user


# Password resets -----------------------------------------------------------------------


def _close_resets(user: User) -> None:
    """Make every open reset link of ``user`` unusable."""
    db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.user_id == user.id,
               AccountToken.purpose == TokenPurpose.RESET.value,
               AccountToken.used_at.is_(None), AccountToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def create_reset(user: User) -> tuple[AccountToken, str]:
    """Make a password-reset link for ``user`` (older open ones stop working)."""
    if not user.active:
        raise AccountError(_("Dit account staat uit. Zet het eerst weer aan."))
    _close_resets(user)
    reset, token = _issue(TokenPurpose.RESET, timedelta(hours=RESET_HOURS), email=user.email,
                          user_id=user.id)
    record("create", "password_reset", reset.id, summary=user.email)
    return reset, token


def use_reset(reset: AccountToken, password: str) -> User:
    """Set a new password with a reset link, which is then used up."""
    user = reset.user
    if user is None or not user.active:
        raise TokenProblem("unknown")
    if len(password) < MIN_PASSWORD:
        raise AccountError(_("Kies een wachtwoord van minstens %(n)s tekens.", n=MIN_PASSWORD))
    _claim(reset)
    user.set_password(password)
    _close_resets(user)
    signins.end_all(user)  # whoever knew the old password is signed out everywhere
    record("update", "user", user.id, summary=f"{user.email}: password reset", user_id=user.id)
    return user
