"""Accounts and memberships."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import orm
from werkzeug.security import check_password_hash, generate_password_hash

from rem.core.database import TimestampMixin
from rem.extensions import db

EMAIL_MAX = 254  # the longest address the mail standards allow
NAME_MAX = 120


class Role(enum.StrEnum):
    """A role a person holds in one hub or one collaboration."""

    COORDINATOR = "coordinator"  # of a hub
    FACILITATOR = "facilitator"  # of a collaboration
    MEMBER = "member"  # of a collaboration


ROLE_LABELS = {
    Role.COORDINATOR: _l("Coördinator"),
    Role.FACILITATOR: _l("Begeleider"),
    Role.MEMBER: _l("Lid"),
}

# What a person in each role does, said in an invitation (the mail and its page). A
# facilitator's main job is the collaboration's timeline and ripple map.
ROLE_TASKS = {
    Role.COORDINATOR: _l("Als coördinator ziet u alles van de samenwerkingsverbanden in deze "
                         "hub, en kunt u hun tijdlijn en rimpelkaart bijwerken."),
    Role.FACILITATOR: _l("Als begeleider houdt u de tijdlijn en de rimpelkaart van dit "
                         "samenwerkingsverband bij: u zet activiteiten en effecten erin, "
                         "bijvoorbeeld na een evaluatiesessie. U nodigt ook de leden uit."),
    Role.MEMBER: _l("Als lid leest u alles van dit samenwerkingsverband: de tijdlijn, de "
                    "rimpelkaart, verhalen en citaten."),
}


class User(UserMixin, TimestampMixin, db.Model):
    """A person who can sign in."""

    __tablename__ = "users"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    email: orm.Mapped[str] = orm.mapped_column(sa.String(EMAIL_MAX), unique=True, index=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(NAME_MAX), default="")
    password_hash: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    is_admin: orm.Mapped[bool] = orm.mapped_column(default=False)
    is_researcher: orm.Mapped[bool] = orm.mapped_column(default=False)
    active: orm.Mapped[bool] = orm.mapped_column(default=True)
    locale: orm.Mapped[str | None] = orm.mapped_column(sa.String(8))
    last_seen_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))

    memberships: orm.Mapped[list[Membership]] = orm.relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password``: scrypt at werkzeug's default cost, unless
        the app was made with a lower ``REM_PASSWORD_HASH`` (the test suite only: the
        setting is not read from the environment). A check reads the cost from the hash."""
        method = "scrypt"
        if has_app_context():
            method = current_app.config.get("REM_PASSWORD_HASH") or method
        self.password_hash = generate_password_hash(password, method=method)

    # The token of the sign-in this object was loaded for (rem/accounts/signins.py).
    sign_in_token = ""

    def get_id(self) -> str:
        """Return what Flask-Login keeps in the signed session cookie: the account, a
        password stamp and the token of this browser's sign-in record.

        The record is checked on every request (ending it signs this browser out
        everywhere at once); the stamp changes with the password, so a new password ends
        every sign-in even before their records are removed.
        """
        return f"{self.id}:{self.password_stamp()}:{self.sign_in_token}"

    def password_stamp(self) -> str:
        """Return a short fingerprint of the password hash."""
        return hashlib.sha256((self.password_hash or "").encode()).hexdigest()[:16]

    def check_password(self, password: str) -> bool:
        """Tell whether ``password`` matches the stored hash."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        """Deactivated accounts cannot sign in."""
        return self.active

    @property
    def display_name(self) -> str:
        """Return the name, or the email address when no name is set."""
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(TimestampMixin, db.Model):
    """A role of one person in one hub (coordinator) or one collaboration."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.CheckConstraint(
            "(hub_id IS NULL) <> (collaboration_id IS NULL)", name="one_scope"
        ),
        # One role per person per hub and per collaboration. Partial indexes, because a
        # unique constraint over a NULL column never fires on SQLite or PostgreSQL.
        sa.Index("uq_memberships_user_hub", "user_id", "hub_id", unique=True,
                 sqlite_where=sa.text("hub_id IS NOT NULL"),
                 postgresql_where=sa.text("hub_id IS NOT NULL")),
        sa.Index("uq_memberships_user_collaboration", "user_id", "collaboration_id", unique=True,
                 sqlite_where=sa.text("collaboration_id IS NOT NULL"),
                 postgresql_where=sa.text("collaboration_id IS NOT NULL")),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    user_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("users.id"), index=True)
    hub_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("hubs.id"), index=True)
    collaboration_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("collaborations.id"), index=True
    )
    role: orm.Mapped[str] = orm.mapped_column(sa.String(20))

    user: orm.Mapped[User] = orm.relationship(back_populates="memberships")


class TokenPurpose(enum.StrEnum):
    """What a one-time link is for."""

    INVITE = "invite"
    RESET = "reset"


class AccountToken(TimestampMixin, db.Model):
    """A one-time link: an invitation to a hub or collaboration, or a password reset.

    Only the sha256 hash of the token is stored; the token itself is shown once.
    """

    __tablename__ = "account_tokens"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    purpose: orm.Mapped[str] = orm.mapped_column(sa.String(10))
    token_hash: orm.Mapped[str] = orm.mapped_column(sa.String(64), unique=True, index=True)
    # Invitations: the invited address. Resets: the account's address at the time.
    email: orm.Mapped[str] = orm.mapped_column(sa.String(EMAIL_MAX), default="")
    # Resets: the account. Invitations: the account that accepted.
    user_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"), index=True)
    role: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))
    hub_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("hubs.id"), index=True)
    collaboration_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("collaborations.id"), index=True
    )
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"))
    expires_at: orm.Mapped[datetime] = orm.mapped_column(sa.DateTime(timezone=True))
    used_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))
    revoked_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))

    user: orm.Mapped[User | None] = orm.relationship(foreign_keys=[user_id])
    created_by: orm.Mapped[User | None] = orm.relationship(foreign_keys=[created_by_id])
    hub = orm.relationship("Hub")
    collaboration = orm.relationship("Collaboration")

    @property
    def role_label(self) -> str:
        """Return the Dutch (or English) name of the offered role."""
        return str(ROLE_LABELS.get(self.role, self.role or ""))

    @property
    def role_task(self) -> str:
        """Return what a person in the offered role does, in one or two sentences."""
        return str(ROLE_TASKS.get(self.role, ""))


class SignIn(db.Model):
    """One signed-in browser of a person, checked on every request.

    The signed session cookie holds a random token; only its sha256 hash is stored. Ending
    a sign-in deletes its row, so the cookie stops working at once on every app process.
    """

    __tablename__ = "sign_ins"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    user_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: orm.Mapped[str] = orm.mapped_column(sa.String(64), unique=True, index=True)
    created_at: orm.Mapped[datetime] = orm.mapped_column(sa.DateTime(timezone=True))
    # Updated at most once a minute, without counting as a change (rem/accounts/signins.py).
    last_seen_at: orm.Mapped[datetime] = orm.mapped_column(sa.DateTime(timezone=True))
    user_agent: orm.Mapped[str] = orm.mapped_column(sa.String(300), default="")
    address: orm.Mapped[str] = orm.mapped_column(sa.String(45), default="")

    user: orm.Mapped[User] = orm.relationship()


class MailState(enum.StrEnum):
    """Where a message in the outbox is."""

    WAITING = "waiting"  # to be sent (again) from next_attempt_at on
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"
    FAILED = "failed"  # given up after the last attempt, or refused for good


class OutboxMessage(TimestampMixin, db.Model):
    """A mail to send: written in the request's transaction, sent after the commit by
    ``flask --app rem mail send`` (rem/accounts/mail.py).

    The body holds one-time links, so it is emptied once the message is sent or given up.
    A password-reset request is stored without a body: the worker looks the address up
    and writes the mail (or drops the request), so the page does the same work for known
    and unknown addresses.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (
        sa.Index("ix_mail_outbox_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    kind: orm.Mapped[str] = orm.mapped_column(sa.String(20))
    to_address: orm.Mapped[str] = orm.mapped_column(sa.String(254))
    subject: orm.Mapped[str] = orm.mapped_column(sa.String(200), default="")
    body: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    locale: orm.Mapped[str | None] = orm.mapped_column(sa.String(8))
    state: orm.Mapped[str] = orm.mapped_column(sa.String(10), default=MailState.WAITING.value)
    attempts: orm.Mapped[int] = orm.mapped_column(default=0)
    next_attempt_at: orm.Mapped[datetime] = orm.mapped_column(sa.DateTime(timezone=True))
    claimed_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))
    sent_at: orm.Mapped[datetime | None] = orm.mapped_column(sa.DateTime(timezone=True))
    last_error: orm.Mapped[str | None] = orm.mapped_column(sa.String(500))
