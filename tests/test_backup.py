"""Backup and restore: from the test database (SQLite, or PostgreSQL in CI) into a
second, fresh SQLite database, compared table by table."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from rem import create_app
from rem.extensions import db
from rem.interchange.backup import SECRET_TABLES, SKIP_TABLES
from tests.test_export_formats import build_log


def _normal(value):
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _dump(app) -> dict[str, list[tuple]]:
    with app.app_context():
        out = {}
        for table in db.metadata.sorted_tables:
            if table.name in SKIP_TABLES | SECRET_TABLES:
                continue
            order = list(table.primary_key.columns)
            rows = db.session.execute(sa.select(table).order_by(*order)).all()
            out[table.name] = [
                tuple(_normal(v) for k, v in row._mapping.items() if k != "password_hash")
                for row in rows]
        return out


@pytest.fixture
def second_app(tmp_path):
    """A second app on its own, freshly migrated SQLite database."""
    app2 = create_app({"TESTING": True, "SECRET_KEY": "second",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'second.sqlite3'}",
                       "RATELIMIT_ENABLED": False})
    with app2.app_context():
        upgrade()
    yield app2
    with app2.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.commits  # a backup reads with a server-side cursor, not in a savepoint
def test_backup_and_restore_into_a_fresh_database(app, second_app, tmp_path):
    build_log(app)  # users, memberships, items, links, codes, audit events, a binned item
    path = tmp_path / "backup.jsonl.gz"
    result = app.test_cli_runner().invoke(args=["backup", "-o", str(path)])
    assert result.exit_code == 0, result.output

    result = second_app.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code == 0, result.output
    before, after = _dump(app), _dump(second_app)
    assert before["ripple_items"] and before["audit_events"] and before["memberships"]
    assert after == before

    with second_app.app_context():
        # No password hashes unless asked for; new rows get ids after the restored ones.
        assert db.session.scalar(sa.text("select count(*) from users "
                                         "where password_hash is not null")) == 0
        from tests import factories

        hub = factories.HubFactory()
        db.session.commit()
        assert hub.id > max(r[0] for r in before["hubs"])


@pytest.mark.commits  # a backup reads with a server-side cursor, not in a savepoint
def test_password_hashes_only_when_asked(app, second_app, tmp_path):
    build_log(app)
    plain, full = tmp_path / "plain.jsonl", tmp_path / "full.jsonl"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", "-o", str(plain)]).exit_code == 0
    assert runner.invoke(args=["backup", "-o", str(full), "--with-password-hashes"]
                         ).exit_code == 0
    assert "scrypt" not in plain.read_text() and "scrypt" in full.read_text()
    header = json.loads(plain.read_text().splitlines()[0])
    assert header["format"] == "rem-backup/1" and header["with_secrets"] is False
    result = second_app.test_cli_runner().invoke(args=["restore", str(full)])
    assert result.exit_code == 0, result.output
    with second_app.app_context():
        from rem.accounts.models import User
        from tests.factories import PASSWORD

        user = db.session.scalar(sa.select(User).where(User.email == "fac@example.org"))
        assert user.check_password(PASSWORD)


@pytest.mark.commits  # a backup reads with a server-side cursor, not in a savepoint
def test_restore_refuses_a_database_that_is_not_empty(app, tmp_path):
    build_log(app)
    path = tmp_path / "backup.jsonl"
    assert app.test_cli_runner().invoke(args=["backup", "-o", str(path)]).exit_code == 0
    result = app.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code != 0 and "not empty" in result.output
    with app.app_context():
        assert db.session.scalar(sa.text("select count(*) from hubs")) == 1


def test_restore_refuses_other_files(second_app, tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"format": "iets"}\n')
    result = second_app.test_cli_runner().invoke(args=["restore", str(path)])
    assert result.exit_code != 0 and "not a rem backup" in result.output
