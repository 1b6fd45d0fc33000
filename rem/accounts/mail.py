"""Optional email: sent only when ``REM_MAIL_SERVER`` is set, with the standard library."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


def mail_enabled() -> bool:
    """Tell whether a mail server is configured."""
    return bool(current_app.config.get("REM_MAIL_SERVER"))


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text email; return False when mail is off or the server refuses it."""
    if not mail_enabled():
        return False
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("REM_MAIL_FROM") or config.get("REM_MAIL_USERNAME") \
        or "rem@localhost"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    server, port = config["REM_MAIL_SERVER"], int(config.get("REM_MAIL_PORT") or 587)
    try:
        if port == 465:
            smtp = smtplib.SMTP_SSL(server, port, timeout=15,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(server, port, timeout=15)
        with smtp:
            if port != 465 and config.get("REM_MAIL_USE_TLS", True):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("REM_MAIL_USERNAME"):
                smtp.login(config["REM_MAIL_USERNAME"], config.get("REM_MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("Could not send mail to the configured server %s:%s", server, port)
        return False
    return True
