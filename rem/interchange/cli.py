"""Command line: ``flask --app rem export|import|backup|restore``."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from rem.access import Access, load_access
from rem.access import exchanges as exchange_access
from rem.accounts.models import User
from rem.collaborations.models import Collaboration
from rem.collaborations.services import by_slug
from rem.core.forms import slugify
from rem.exchanges.models import LearningExchange
from rem.extensions import db
from rem.hubs.models import Hub
from rem.interchange.backup import RestoreError, restore_backup, write_backup
from rem.interchange.exports import write_export
from rem.interchange.imports import ImportOptions, UploadedFile, run_import
from rem.interchange.services import prepare_export, split_names


def register(app: Flask) -> None:
    """Add the interchange commands to ``app``."""
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def _access_for(email: str | None):

    if not email:
        return Access(user_id=None, is_admin=True)  # the operator sees everything
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))
    if user is None:
        raise click.ClickException(f"No account with e-mail address {email}.")
    access = load_access(user)
    return access


def find_exchange(reference: str):
    """Return the learning exchange with this number, or whose title gives this slug.

    Exchanges have no slug of their own; a title that several exchanges share is
    refused (use the number then).
    """

    reference = reference.strip()
    if reference.isdigit():
        exchange = db.session.get(LearningExchange, int(reference))
        if exchange is None:
            raise click.ClickException(f"No learning exchange number {reference}.")
        return exchange
    wanted = slugify(reference)
    found = [e for e in db.session.scalars(sa.select(LearningExchange)
                                           .order_by(LearningExchange.id))
             if slugify(e.title) == wanted]
    if not found:
        raise click.ClickException(f"No learning exchange called {reference!r}.")
    if len(found) > 1:
        numbers = ", ".join(str(e.id) for e in found)
        raise click.ClickException(
            f"Several learning exchanges are called {reference!r} ({numbers}); give the number.")
    return found[0]


def _exchange_selection(reference: str, access):
    """Return the participants, the access and the theme code of an exchange export.

    The same rules as the exchange's export page: only people in the learning network
    (and researchers, administrators) may export it, and whoever exports gets exactly
    what the participants shared with the network, on the exchange's theme.
    """

    exchange = find_exchange(reference)
    if not access.is_admin and not exchange_access.may_view(access):
        raise click.ClickException("This account may not see learning exchanges.")
    theme = exchange.theme_code.id if exchange.theme_code else None
    return list(exchange.participants), exchange_access.network_view(), theme


@click.command("export")
@click.option("--format", "fmt", required=True,
              type=click.Choice(["json", "csv", "graphml", "xlsx", "ripplefx"]))
@click.option("--collaboration", "collaboration_slug", help="Export this collaboration.")
@click.option("--hub", "hub_slug", help="Export every collaboration of this hub.")
@click.option("--exchange", "exchange_ref", metavar="SLUG-OR-ID",
              help="Export a learning exchange's selection: what its participants shared "
                   "with the learning network, on its theme. The exchange's number, or its "
                   "title as a slug.")
@click.option("--pseudonymise", is_flag=True, help="Replace person names by pseudonyms.")
@click.option("--names", "names_file", type=click.Path(exists=True, dir_okay=False),
              help="A text file of extra names to replace: one person per line, "
                   "variants separated by ';'.")
@click.option("--as", "as_email", help="Apply this account's access rules (default: all).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The file to write.")
@with_appcontext
def export_command(fmt, collaboration_slug, hub_slug, exchange_ref, pseudonymise, names_file,
                   as_email, output) -> None:
    """Export ripple logs as JSON, CSV tables, GraphML, XLSX or a RippleFX pair.

    Without --collaboration, --hub or --exchange: every collaboration (that --as may see).
    """

    if sum(bool(x) for x in (collaboration_slug, hub_slug, exchange_ref)) > 1:
        raise click.UsageError("Use one of --collaboration, --hub or --exchange.")
    access = _access_for(as_email)
    code_id = None
    if exchange_ref:
        collaborations, access, code_id = _exchange_selection(exchange_ref, access)
    else:
        query = sa.select(Collaboration).order_by(Collaboration.slug)
        if collaboration_slug:
            query = query.where(Collaboration.slug == collaboration_slug)
        elif hub_slug:
            query = query.join(Hub).where(Hub.slug == hub_slug)
        collaborations = list(db.session.scalars(query))
    if not collaborations:
        raise click.ClickException("No collaboration matches.")
    names = split_names(Path(names_file).read_text(encoding="utf-8")) if names_file else []
    scope = prepare_export(collaborations, access, fmt, pseudonymise=pseudonymise,
                           extra_names=names, code_id=code_id)
    db.session.commit()
    with open(output, "wb") as target:
        write_export(scope, fmt, target)
    note = " (pseudonymised)" if scope.pseudonymised else ""
    click.echo(f"Wrote {output}: {len(collaborations)} collaboration(s){note}.")


@click.command("import")
@click.option("--collaboration", "collaboration_slug", required=True)
@click.option("--format", "fmt", required=True,
              type=click.Choice(["json", "ripplefx", "xmind", "table"]))
@click.option("--xmind-mode", type=click.Choice(["rings", "effects"]), default="rings",
              show_default=True, help="rings: first ring activities, the rest effects; "
              "effects: the central topic is the activity, every other topic an effect.")
@click.option("--default-date", default="", help="Date for items without one "
              "(2024, 2024-Q2, 2024-05, 2024-05-13).")
@click.option("--map", "mappings", multiple=True, metavar="FIELD=COLUMN",
              help="Table import: which column holds a field (title, key, kind, date, "
                   "date_precision, description, codes, valence, intended, evidence_text, "
                   "cause, effect).")
@click.option("--dry-run", is_flag=True, help="Show what would be imported, write nothing.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_command(collaboration_slug, fmt, xmind_mode, default_date, mappings, dry_run,
                   files) -> None:
    """Import a map into a collaboration: all or nothing."""

    if len(files) > 2:
        raise click.UsageError("Give one file, or two (nodes and links).")
    collaboration = by_slug(collaboration_slug)
    if collaboration is None:
        raise click.ClickException(f"No collaboration {collaboration_slug}.")
    mapping = {}
    for pair in mappings:
        field, sep, column = pair.partition("=")
        if not sep:
            raise click.UsageError(f"--map needs FIELD=COLUMN, not {pair!r}.")
        mapping[field.strip()] = column.strip()
    uploads = [UploadedFile(Path(f).name, Path(f).read_bytes()) for f in files]
    options = ImportOptions(format=fmt, xmind_mode=xmind_mode, default_date=default_date,
                            mapping=mapping)
    def progress(done: int, total: int) -> None:
        if done:  # after each batch: a large file takes a while
            click.echo(f"Written {done} of {total} items, links and log entries...", err=True)

    # A request context gives the (Dutch) messages a locale, as on the pages.
    with current_app.test_request_context():
        result = run_import(collaboration, uploads, options, commit=not dry_run,
                            progress=progress)
    for note in result.notes:
        click.echo(f"note: {note}")
    for problem in result.problems:
        click.echo(f"{'ERROR' if problem.blocking else 'warning'}: {problem.message}")
    if not result.ok:
        db.session.rollback()
        raise click.ClickException("Nothing was imported.")
    summary = (f"{result.created_items} items ({result.activities} activities, "
               f"{result.effects} effects), {result.created_links} links, "
               f"{len(result.created_codes)} new codes")
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: would import {summary}. Nothing was written.")
    else:
        db.session.commit()
        click.echo(f"Imported {summary}.")


@click.command("backup")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The backup file (.jsonl, or .jsonl.gz to compress).")
@click.option("--with-password-hashes", is_flag=True,
              help="Also write password hashes and access-token hashes.")
@with_appcontext
def backup_command(output, with_password_hashes) -> None:
    """Write every table to one file."""

    counts = write_backup(output, with_secrets=with_password_hashes)
    total = sum(counts.values())
    click.echo(f"Wrote {output}: {total} rows in {len(counts)} tables.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore_command(path) -> None:
    """Restore a backup into an empty, migrated database."""

    try:
        counts = restore_backup(path)
    except RestoreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {sum(counts.values())} rows in {len(counts)} tables.")
    # A backup holds whatever its database held, also what the rules never made.
    from rem.ripples.integrity import find_problems

    problems = find_problems()
    db.session.rollback()
    if problems:
        click.echo(f"The restored data has {len(problems)} kind(s) of integrity problem "
                   f"({', '.join(p.check for p in problems)}): run `flask --app rem check`.")
