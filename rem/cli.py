"""Command-line tasks: ``flask --app rem users create``, ``demo load``, ``codebooks install``,
``mail send``, ``check``."""

from __future__ import annotations

import signal
import time

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from rem.accounts import mail as outbox
from rem.accounts.models import Role
from rem.accounts.services import AccountError, create_user, grant
from rem.codes.services import install_default_codebooks
from rem.collaborations.models import Collaboration
from rem.core.integrity import overlong_values
from rem.demo.loader import load_demo
from rem.extensions import db
from rem.hubs.models import Hub
from rem.interchange.cli import register as register_interchange
from rem.ripples.integrity import CHECKS


def register(app: Flask) -> None:
    """Add the command groups to ``app``."""
    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(codebooks)
    app.cli.add_command(mail)
    app.cli.add_command(check_command)

    register_interchange(app)


@click.group(cls=AppGroup)
def users() -> None:
    """Manage accounts."""


@users.command("create")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="", help="The person's name.")
@click.option("--admin", is_flag=True, help="Make the account an administrator.")
@click.option("--researcher", is_flag=True, help="Let the account read what is shared with "
              "the research network.")
@click.option("--role", type=click.Choice([r.value for r in Role]),
              help="A role in a hub (coordinator) or a collaboration (facilitator, member).")
@click.option("--hub", "hub_slug", help="The hub for --role coordinator.")
@click.option("--collaboration", "collaboration_slug",
              help="The collaboration for --role facilitator or member.")
def create_user_command(email, password, name, admin, researcher, role, hub_slug,
                        collaboration_slug) -> None:
    """Create an account (and optionally a role)."""

    try:
        user = create_user(email, password, name=name, admin=admin, researcher=researcher)
        if role:
            if role == Role.COORDINATOR:
                hub = db.session.scalar(sa.select(Hub).where(Hub.slug == (hub_slug or "")))
                if hub is None:
                    raise AccountError("--role coordinator needs --hub with an existing hub slug.")
                grant(user, Role.COORDINATOR, hub_id=hub.id)
            else:
                collaboration = db.session.scalar(
                    sa.select(Collaboration).where(Collaboration.slug == (collaboration_slug or ""))
                )
                if collaboration is None:
                    raise AccountError(f"--role {role} needs --collaboration with an existing "
                                       "collaboration slug.")
                grant(user, Role(role), collaboration_id=collaboration.id)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created account {user.email}" + (" (administrator)" if admin else ""))


@click.group(cls=AppGroup)
def demo() -> None:
    """Demo data from the real stories in the source reports."""


@demo.command("load")
def load_demo_command() -> None:
    """Load the demo hubs, collaborations, ripple logs and accounts (idempotent)."""
    if not current_app.config.get("REM_DEMO_ALLOWED"):
        raise click.ClickException("Demo data is never loaded in production mode (REM_ENV).")

    counts = load_demo()
    db.session.commit()
    added = ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "nothing new"
    click.echo(f"Demo data: {added}.")


@click.group(cls=AppGroup)
def codebooks() -> None:
    """Manage codebooks."""


@codebooks.command("install")
def install_codebooks_command() -> None:
    """Install the built-in codebooks (idempotent)."""

    added = install_default_codebooks()
    db.session.commit()
    click.echo(f"Built-in codebooks: {added} rows added.")


@click.group(cls=AppGroup)
def mail() -> None:
    """The mail outbox."""


@mail.command("send")
@click.option("--loop", is_flag=True, help="Keep running: look for mail every --interval "
              "seconds (as a service) instead of sending what is due once (from cron).")
@click.option("--interval", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds between looks with --loop.")
def send_mail_command(loop: bool, interval: float) -> None:
    """Send the mail that is due; several of these may run at once."""
    if not outbox.mail_enabled():
        raise click.ClickException("REM_MAIL_SERVER is not set: there is no mail to send.")
    stopping = []
    if loop:
        # systemd and cron stop a service with SIGTERM: finish the message at hand first.
        signal.signal(signal.SIGTERM, lambda *_args: stopping.append(True))
    totals = {"sent": 0, "retry": 0, "failed": 0, "dropped": 0}
    while True:
        try:
            counts = outbox.send_due()
        except sa.exc.OperationalError as exc:  # the database is busy or away: next round
            db.session.rollback()
            if not loop:
                raise click.ClickException(f"The database did not answer: {exc}") from exc
            counts = {}
        for key, value in counts.items():
            totals[key] += value
        if not loop:
            if any(counts.values()):
                continue  # a full batch: there may be more due
            break
        if not any(counts.values()):
            until = time.monotonic() + interval
            while not stopping and time.monotonic() < until:
                time.sleep(min(0.2, interval))  # wakes up soon after SIGTERM
        if stopping:
            break
    click.echo("Mail: {sent} sent, {retry} to try again, {failed} given up, "
               "{dropped} reset requests for unknown addresses.".format(**totals))
@click.command("check")
@click.option("--fix", is_flag=True, help="Mend what can be mended (links are removed the "
              "way a person removes one: recoverably and in the audit trail).")
@with_appcontext
def check_command(fix: bool) -> None:
    """Report integrity problems in the database (and mend them with --fix).

    Checks: items of a collaboration that does not exist, links that point at nothing,
    links across collaborations or filed under the wrong one, links into activities,
    unknown kinds and choice values, links that close a circle, and text longer than
    its column (SQLite stores it; PostgreSQL would refuse it). Exits with 1 while any
    problem remains, so it can run from cron or a deploy script.
    """
    mended = 0
    # One check at a time, mending before the next looks: a link removed for joining two
    # collaborations is no longer part of a circle.
    with current_app.test_request_context():  # audit events need one
        for check in CHECKS:
            for finding in check():
                click.echo(f"PROBLEM {finding.check}: {finding.message}")
                if fix and finding.fixable:
                    click.echo(f"  fixed: {finding.mend()}")
                    mended += 1
                elif not finding.fixable:
                    click.echo("  (--fix cannot mend this; see the message)")
        for table, column, limit, count, keys in overlong_values():
            click.echo(f"PROBLEM overlong_values: {count} value(s) in {table}.{column} are "
                       f"longer than {limit} characters (keys {', '.join(map(str, keys))}); "
                       "PostgreSQL would refuse them. Shorten them by hand.")
        if fix:
            db.session.commit()
        # What is left, counted afresh (after mending, nothing fixable should be).
        remaining = sum(1 for check in CHECKS for _finding in check()) + len(overlong_values())
        db.session.rollback()
    if remaining:
        raise click.ClickException(f"{remaining} problem(s) remain"
                                   + ("" if fix else "; run with --fix to mend what can be"))
    click.echo(f"Mended {mended} problem(s); none remain." if mended else "No problems found.")
