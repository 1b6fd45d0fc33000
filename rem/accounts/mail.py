"""Mail through an outbox: requests write messages into ``mail_outbox`` in their own
transaction; ``flask --app rem mail send`` (from cron, or ``--loop`` as a service) sends
them after the commit. No request ever waits for a mail server.

Mail is optional: without ``REM_MAIL_SERVER`` nothing is queued, and invitation and
reset links are shown on screen for copying.

Several workers may run at once. A worker claims a batch in one ``UPDATE ... RETURNING``
whose rows are chosen with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (a second worker
skips rows the first is claiming instead of waiting for them); SQLite runs one writing
statement at a time, so the same conditional ``UPDATE`` (only rows still due) claims each
row once there too. A claimed row that was never finished (the worker died) is due again
after :data:`CLAIM_TIMEOUT`: mail goes out at least once, and normally exactly once.

A failed attempt is tried again later (1, 2, 4, ... minutes, at most an hour apart) up to
:data:`MAX_ATTEMPTS` times; a refusal for good (an SMTP 5xx answer) ends it at once. The
body holds one-time links, so it is emptied once the message is sent or given up;
administrators see the state, attempts and last error under Beheer (``/admin/mail``).

A password-reset request is queued without a body (kind ``reset``): the worker looks the
address up, and writes the mail with a fresh link or drops the request. So ``/reset``
does exactly the same work, in the same time, for known and unknown addresses.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from rem.accounts import invitations
from rem.accounts.models import MailState, OutboxMessage
from rem.accounts.services import find_user
from rem.core.database import utcnow
from rem.core.urls import external_url
from rem.extensions import db

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # about two hours of trying: 1 + 2 + 4 + ... + 60 minutes
CLAIM_TIMEOUT = timedelta(minutes=15)
SMTP_TIMEOUT = 30
BATCH = 20


class MailKind:
    """What a message is, for the administrators' list."""

    RESET = "reset"
    INVITATION = "invitation"


def mail_enabled() -> bool:
    """Tell whether a mail server is configured."""
    return bool(current_app.config.get("REM_MAIL_SERVER"))


def queue(to: str, subject: str, body: str | None, *, kind: str,
          locale: str | None = None) -> OutboxMessage:
    """Put a message in the outbox (the caller's transaction commits it)."""
    message = OutboxMessage(kind=kind, to_address=to.strip()[:254], subject=subject[:200],
                            body=body, locale=locale, state=MailState.WAITING.value,
                            attempts=0, next_attempt_at=utcnow())
    db.session.add(message)
    db.session.flush()
    return message


def queue_reset_request(email: str, locale: str) -> OutboxMessage:
    """Queue a password-reset request for whatever address was typed (see the module)."""
    return queue(email, "", None, kind=MailKind.RESET, locale=locale)


# --- the worker ------------------------------------------------------------------------


def _due(now: datetime):
    table = OutboxMessage.__table__
    return sa.or_(
        sa.and_(table.c.state == MailState.WAITING.value, table.c.next_attempt_at <= now),
        sa.and_(table.c.state == MailState.SENDING.value,
                table.c.claimed_at <= now - CLAIM_TIMEOUT),
    )


def claim(limit: int = BATCH) -> list[int]:
    """Claim up to ``limit`` due messages for this worker and commit; return their ids."""
    table = OutboxMessage.__table__
    now = utcnow()
    # A common table expression, chosen once: PostgreSQL may run a plain IN (subquery)
    # again per row, claiming more than ``limit``. FOR UPDATE SKIP LOCKED is rendered on
    # PostgreSQL only.
    chosen = (sa.select(table.c.id).where(_due(now)).order_by(table.c.id).limit(limit)
              .with_for_update(skip_locked=True).cte("chosen"))
    stmt = (sa.update(table).where(table.c.id.in_(sa.select(chosen.c.id)), _due(now))
            .values(state=MailState.SENDING.value, claimed_at=now,
                    attempts=table.c.attempts + 1)
            .returning(table.c.id))
    ids = sorted(db.session.execute(stmt).scalars())
    db.session.commit()
    return ids


def _connect() -> smtplib.SMTP:
    config = current_app.config
    server, port = config["REM_MAIL_SERVER"], int(config.get("REM_MAIL_PORT") or 587)
    if port == 465:
        smtp = smtplib.SMTP_SSL(server, port, timeout=SMTP_TIMEOUT,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(server, port, timeout=SMTP_TIMEOUT)
        if config.get("REM_MAIL_USE_TLS", True):
            smtp.starttls(context=ssl.create_default_context())
    if config.get("REM_MAIL_USERNAME"):
        smtp.login(config["REM_MAIL_USERNAME"], config.get("REM_MAIL_PASSWORD") or "")
    return smtp


def _sender() -> str:
    config = current_app.config
    return config.get("REM_MAIL_FROM") or config.get("REM_MAIL_USERNAME") or "rem@localhost"


def _write_reset(message: OutboxMessage) -> bool:
    """Write the mail of a reset request; return False when no mail goes out for it."""
    user = find_user(message.to_address)
    if user is None or not user.active:
        return False
    _reset, token = invitations.create_reset(user)
    with force_locale(message.locale or "nl"):
        link = external_url("accounts.reset_password", token=token)
        message.subject = _("Nieuw wachtwoord voor rem")
        message.body = _(
            "Hallo,\n\nIemand (hopelijk u) vroeg om een nieuw wachtwoord voor rem.\n"
            "Open deze link om een nieuw wachtwoord te kiezen:\n%(link)s\n\n"
            "De link werkt één keer en is %(hours)s uur geldig.\n"
            "Vroeg u niet om een nieuw wachtwoord? Dan kunt u deze e-mail negeren; "
            "uw wachtwoord blijft hetzelfde.\n", link=link, hours=invitations.RESET_HOURS)
    message.to_address = user.email
    return True


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def _fail(message: OutboxMessage, error: str, *, for_good: bool) -> None:
    message.last_error = error[:500]
    if for_good or message.attempts >= MAX_ATTEMPTS:
        message.state = MailState.FAILED.value
        message.body = None
    else:
        message.state = MailState.WAITING.value
        message.next_attempt_at = utcnow() + backoff(message.attempts)


def _send_one(smtp: smtplib.SMTP, message: OutboxMessage) -> None:
    email = EmailMessage()
    email["From"] = _sender()
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email.set_content(message.body or "")
    smtp.send_message(email)


def send_due(limit: int = BATCH) -> dict[str, int]:
    """Claim and send one batch of due messages; return counts by outcome.

    Each message is finished in a commit of its own, so a crash loses at most the one
    being sent (it is claimed again after :data:`CLAIM_TIMEOUT`).
    """
    counts = {"sent": 0, "retry": 0, "failed": 0, "dropped": 0}
    ids = claim(limit)
    if not ids:
        return counts
    smtp: smtplib.SMTP | None = None
    try:
        for message_id in ids:
            message = db.session.get(OutboxMessage, message_id)
            if message is None or message.state != MailState.SENDING.value:
                continue
            if message.kind == MailKind.RESET and message.body is None \
                    and not _write_reset(message):
                db.session.delete(message)  # an unknown or switched-off address: no mail
                db.session.commit()
                counts["dropped"] += 1
                continue
            try:
                if smtp is None:
                    smtp = _connect()
                _send_one(smtp, message)
            except (OSError, smtplib.SMTPException) as exc:
                # A 5xx answer (such as an unknown recipient) will not change by trying again.
                code = getattr(exc, "smtp_code", 0) or 0
                if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
                    code = next(iter(exc.recipients.values()))[0]
                _fail(message, _describe(exc), for_good=500 <= code < 600)
                counts["failed" if message.state == MailState.FAILED else "retry"] += 1
                _close(smtp)  # start afresh with the next message
                smtp = None
            else:
                message.state = MailState.SENT.value
                message.sent_at = utcnow()
                message.body = None
                message.last_error = None
                counts["sent"] += 1
            db.session.commit()
    finally:
        _close(smtp)
        db.session.rollback()
    return counts


def _describe(exc: Exception) -> str:
    """Return the error as text for the administrators, without the message itself."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, error = next(iter(exc.recipients.values()))
        return f"{code} {error.decode(errors='replace') if isinstance(error, bytes) else error}"
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return f"{exc.smtp_code} {error}"
    return f"{type(exc).__name__}: {exc}"


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def waiting_since() -> datetime | None:
    """Return when the oldest message still waiting was queued (None: nothing waits)."""
    value = db.session.scalar(sa.select(sa.func.min(OutboxMessage.created_at))
                              .where(OutboxMessage.state.in_([MailState.WAITING.value,
                                                              MailState.SENDING.value])))
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def recent(limit: int = 200) -> list[OutboxMessage]:
    """Return the latest messages, newest first (for the administrators' page)."""
    return list(db.session.scalars(sa.select(OutboxMessage)
                                   .order_by(OutboxMessage.id.desc()).limit(limit)))
