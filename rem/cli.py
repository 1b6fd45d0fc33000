"""Command-line tasks: ``flask --app rem users create``, ``demo load``, ``codebooks install``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from rem.accounts.models import Role
from rem.accounts.services import AccountError, create_user, grant
from rem.codes.services import install_default_codebooks
from rem.collaborations.models import Collaboration
from rem.demo.loader import load_demo
from rem.extensions import db
from rem.hubs.models import Hub
from rem.interchange.cli import register as register_interchange


def register(app: Flask) -> None:
    """Add the command groups to ``app``."""
    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(codebooks)

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
