"""Back up every table to one file, and restore it into an empty database.

The file is JSON lines (gzip-compressed when its name ends in ``.gz``): a header
with the schema revision, then for each table a line naming its columns and one
line per row. Tables are read and written in dependency order, in batches, so a
large database does not need much memory.

Left out: rate-limit counters (they expire anyway) and, unless asked for with
``--with-password-hashes``, password hashes and the hashes of invitation,
password-reset and API tokens. A restore without them leaves accounts without a
password (people use "forgot password", or an administrator sets one).

A restore needs a database built by the migrations at the same revision as the
backup, holding nothing but the built-in codebooks (which the backup replaces,
keeping their ids). It runs in one transaction and, on PostgreSQL, moves the id
sequences past the restored ids.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import IO

import sqlalchemy as sa

from rem.extensions import db

FORMAT = "rem-backup/1"
# Counters of this database only; sign-ins and the mail outbox (one-time links) are
# running state, never restored elsewhere; the log stamps are renewed by the database
# itself as the restored items and links are written.
SKIP_TABLES = {"rate_limit_counters", "sign_ins", "mail_outbox", "log_states"}
SECRET_TABLES = {"account_tokens", "api_tokens"}
SECRET_COLUMNS = {("users", "password_hash")}
# A freshly migrated database already holds these (migration 0002).
PRESEEDED_TABLES = ("codes", "codebooks")
BATCH = 1000


class RestoreError(RuntimeError):
    """The backup cannot be restored here; the message says why."""


def _open(path: str, mode: str) -> IO[str]:
    if path.endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8")
    return open(path, mode, encoding="utf-8")  # noqa: SIM115 - the caller closes it


def _revision(connection) -> str | None:
    try:
        return connection.execute(sa.text("select version_num from alembic_version")).scalar()
    except sa.exc.DatabaseError:
        return None


def _encode(value):
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _decoder(column: sa.Column):
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(kind, sa.Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    return lambda v: v


def tables() -> list[sa.Table]:
    """Return the tables a backup holds, parents before children."""
    return [t for t in db.metadata.sorted_tables if t.name not in SKIP_TABLES]


def _rows(connection, table: sa.Table) -> Iterator[sa.Row]:
    order = list(table.primary_key.columns) or list(table.columns)
    stmt = sa.select(table).order_by(*order)
    yield from connection.execution_options(yield_per=BATCH).execute(stmt)


def write_backup(path: str, *, with_secrets: bool = False) -> dict[str, int]:
    """Write every table to ``path``; return the number of rows per table."""
    counts: dict[str, int] = {}
    connection = db.session.connection()
    chosen = [t for t in tables() if with_secrets or t.name not in SECRET_TABLES]
    with _open(path, "w") as out:
        out.write(json.dumps({
            "format": FORMAT, "created_at": datetime.now(UTC).isoformat(),
            "revision": _revision(connection), "with_secrets": with_secrets,
            "tables": [t.name for t in chosen],
        }) + "\n")
        for table in chosen:
            columns = [c.name for c in table.columns
                       if with_secrets or (table.name, c.name) not in SECRET_COLUMNS]
            out.write(json.dumps({"table": table.name, "columns": columns}) + "\n")
            counts[table.name] = 0
            for row in _rows(connection, table):
                mapping = row._mapping
                out.write(json.dumps({"row": [_encode(mapping[c]) for c in columns]},
                                     ensure_ascii=False) + "\n")
                counts[table.name] += 1
    db.session.rollback()
    return counts


def _check_empty(connection) -> None:
    busy = []
    for table in tables():
        if table.name in PRESEEDED_TABLES:
            continue
        if connection.execute(sa.select(sa.func.count()).select_from(table)).scalar():
            busy.append(table.name)
    codebooks = db.metadata.tables["codebooks"]
    if connection.execute(sa.select(sa.func.count()).select_from(codebooks)
                          .where(codebooks.c.builtin.is_(False))).scalar():
        busy.append("codebooks")
    if busy:
        raise RestoreError("The database is not empty (" + ", ".join(sorted(busy)) + "). "
                           "Restore only into a new database: create it, run "
                           "`flask --app rem db upgrade`, then restore.")


def _reset_sequences(connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, sa.Integer) and pk[0].autoincrement:
            sequence = connection.execute(sa.text("select pg_get_serial_sequence(:t, :c)"),
                                          {"t": table.name, "c": pk[0].name}).scalar()
            if sequence:
                connection.execute(sa.text(
                    f"select setval('{sequence}', coalesce((select max({pk[0].name}) "  # noqa: S608
                    f"from {table.name}), 0) + 1, false)"))


def restore_backup(path: str) -> dict[str, int]:
    """Restore ``path`` into this (empty, migrated) database in one transaction."""
    counts: dict[str, int] = {}
    known = {t.name: t for t in tables()}
    connection = db.session.connection()
    try:
        with _open(path, "r") as source:
            try:
                header = json.loads(source.readline())
            except (json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
                raise RestoreError("This is not a rem backup file.") from exc
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise RestoreError("This is not a rem backup file (format rem-backup/1).")
            here = _revision(connection)
            if header.get("revision") != here:
                raise RestoreError(
                    f"The backup has schema revision {header.get('revision')}, this database "
                    f"{here}. Migrate a new database to {header.get('revision')} first.")
            _check_empty(connection)
            for name in PRESEEDED_TABLES:
                connection.execute(known[name].delete())
            table = None
            columns: list[str] = []
            decoders: list = []
            batch: list[dict] = []

            def flush() -> None:
                if batch:
                    connection.execute(table.insert(), batch)
                    counts[table.name] = counts.get(table.name, 0) + len(batch)
                    batch.clear()

            for line in source:
                record = json.loads(line)
                if "table" in record:
                    flush()
                    table = known.get(record["table"])
                    if table is None:
                        raise RestoreError(f"Unknown table {record['table']} in the backup.")
                    columns = record["columns"]
                    decoders = [_decoder(table.c[c]) for c in columns]
                    counts.setdefault(table.name, 0)
                    continue
                values = record["row"]
                batch.append({c: d(v) for c, d, v in zip(columns, decoders, values,
                                                         strict=True)})
                if len(batch) >= BATCH:
                    flush()
            flush()
            _reset_sequences(connection)
    except RestoreError:
        db.session.rollback()
        raise
    except (json.JSONDecodeError, KeyError, ValueError, sa.exc.DBAPIError) as exc:
        db.session.rollback()
        raise RestoreError(f"The backup could not be restored; nothing was written ({exc})."
                           ) from exc
    db.session.commit()
    return counts
