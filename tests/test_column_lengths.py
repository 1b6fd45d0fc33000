"""Every length limit is one constant, and what fits one database fits the other.

- Every text column holds its longest value, of the strangest characters, on this test
  database (SQLite or PostgreSQL); the columns are found by walking the metadata, so a
  new column is covered without touching this file.
- A backup goes SQLite -> PostgreSQL -> SQLite with the longest and strangest values, and
  the backup and the rem JSON export are the same at every step.
- The paths that cut or refuse text (slugify, imports, forms, services) use the constants
  of the columns they write.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from rem import create_app
from rem.access import Access
from rem.codes.models import Code, Codebook
from rem.core.database import SLUG_MAX
from rem.core.forms import slugify
from rem.extensions import db
from rem.interchange.backup import SECRET_TABLES, SKIP_TABLES
from tests import factories
from tests.conftest import login, post
from tests.scratch_databases import scratch_postgres_database
from tests.test_import_formats import cli_import, make_world

# Quotes, braces, HTML, Markdown, a percent sign for format strings, backslashes, emoji
# outside the BMP (4 bytes in UTF-8), right-to-left text, combining marks, a zero-width
# joiner and a line break. Never NUL: PostgreSQL cannot store it, so rem refuses it.
STRANGE = ("'\"`{}{{x}}<b>&amp;</b><script>alert(1)</script>*_[a](b)% %(n)s \\n\\ "
           "😀👩‍👩‍👧 שלום مرحبا e\u0301 ﷽ \u200d\u202e\n")


def xmind(root: dict) -> bytes:
    """A current-format XMind map of one sheet with this root topic."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.json", json.dumps([
            {"id": "sheet1", "class": "sheet", "title": "Blad", "rootTopic": root}]))
    return buffer.getvalue()


def strange(length: int, unique: object = "") -> str:
    """Return a string of exactly ``length`` characters, starting with ``unique``."""
    start = f"{unique}|"
    body = (start + STRANGE * (length // len(STRANGE) + 1))[:length]
    return body


def _generic_value(column: sa.Column, parents: dict[str, object]):
    """A plain value for a column of a table no builder filled (a new table, say)."""
    if column.foreign_keys:
        target = next(iter(column.foreign_keys)).column
        return parents.get(target.table.name)
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.DateTime):
        return datetime(2024, 5, 1, 12, tzinfo=UTC)
    if isinstance(kind, sa.Date):
        return date(2024, 5, 1)
    if isinstance(kind, sa.Integer | sa.Float | sa.Numeric):
        return 1
    if isinstance(kind, sa.JSON):
        return {}
    if isinstance(kind, sa.String):
        return "x"
    raise AssertionError(f"no generic value for {column.table.name}.{column.name} ({kind})")


def populate() -> None:
    """Fill every table with at least one row: the demo data, then one plain row in each
    table still empty (so that a new table is filled without a change here)."""
    from rem.demo.loader import load_demo

    load_demo()
    db.session.flush()
    connection = db.session.connection()
    parents: dict[str, object] = {}
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        first = connection.execute(sa.select(*key).limit(1)).first()
        if first is None:
            row = {c.name: _generic_value(c, parents) for c in table.columns
                   if not (c.primary_key and c.autoincrement is not False
                           and isinstance(c.type, sa.Integer))}
            # Of the optional foreign keys only the first gets a value: a row such as a
            # thread's placement points at exactly one of its possible targets.
            optional = [c.name for c in table.columns if c.foreign_keys and c.nullable]
            for name in optional[1:]:
                row[name] = None
            connection.execute(table.insert().values(row))
            first = connection.execute(sa.select(*key).limit(1)).first()
        parents[table.name] = first[0]


def fill_to_the_brim(columns=None) -> dict[tuple[str, str], dict]:
    """Set every text column (or those ``columns`` allows) of every row to its longest
    strange value; return what was written, per (table, column), by primary key."""
    connection = db.session.connection()
    written: dict[tuple[str, str], dict] = {}
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        for column in table.columns:
            length = getattr(column.type, "length", None)
            if not isinstance(column.type, sa.String) or not length:
                continue
            if columns is not None and not columns(column):
                continue
            values = {}
            for row in connection.execute(sa.select(*key)).all():
                value = strange(length, "-".join(map(str, row)))
                connection.execute(table.update().where(
                    sa.and_(*(k == v for k, v in zip(key, row, strict=True))))
                    .values({column.name: value}))
                # A primary key column changes the row's own key.
                new_key = tuple(value if k is column else v for k, v in zip(key, row,
                                                                             strict=True))
                values[new_key] = value
            written[(table.name, column.name)] = values
    return written


def test_every_text_column_holds_its_longest_strangest_value(app):
    with app.test_request_context():
        populate()
        written = fill_to_the_brim()
        db.session.commit()
        assert ("ripple_items", "title") in written and ("codes", "slug") in written
        for (table_name, column_name), values in written.items():
            table = db.metadata.tables[table_name]
            key = list(table.primary_key.columns)
            stored = {tuple(row[:-1]): row[-1] for row in db.session.execute(
                sa.select(*key, table.c[column_name]))}
            assert stored == values, f"{table_name}.{column_name}"
            length = table.c[column_name].type.length
            assert all(len(v) == length for v in stored.values())


# --- the round trip SQLite -> PostgreSQL -> SQLite --------------------------------------------


@pytest.fixture
def postgres_database():
    """A database of its own on the PostgreSQL test server, dropped afterwards."""
    server = os.environ.get("REM_TEST_DATABASE_URL", "")
    if not server.startswith("postgres"):
        pytest.skip("the round trip needs the PostgreSQL test server (REM_TEST_DATABASE_URL); "
                    "`make test` runs it in its PostgreSQL pass")
    with scratch_postgres_database(server, "rem_roundtrip") as url:
        yield url


def _app(url: str):
    app = create_app({"TESTING": True, "SECRET_KEY": "round-trip", "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
    return app


def _backup_rows(path) -> list:
    """The backup's lines without its header (which says when it was made)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[1:]]


def _json_export(app) -> dict:
    from rem.collaborations.models import Collaboration
    from rem.interchange.exports import WRITERS
    from rem.interchange.scope import build_scope

    with app.test_request_context():
        collaborations = list(db.session.scalars(sa.select(Collaboration)
                                                 .order_by(Collaboration.id)))
        scope = build_scope(collaborations, Access(user_id=None, is_admin=True),
                            pseudonymise=False)
        scope.attach()
        document = json.loads(b"".join(WRITERS["json"](scope)))
        db.session.rollback()
    document.pop("exported_at")
    return document


def _free_text(column: sa.Column) -> bool:
    """Text people type (the app reads no meaning into it); shorter columns hold codes
    such as a kind or a status that the pages look up."""
    return column.type.length > 60 and (column.table.name, column.name) not in {
        ("users", "password_hash"), ("rate_limit_counters", "key")}


def test_backup_round_trip_sqlite_postgresql_sqlite(postgres_database, tmp_path):
    first = _app(f"sqlite:///{tmp_path / 'first.sqlite3'}")
    with first.test_request_context():
        populate()
        fill_to_the_brim(_free_text)
        # As a person makes it: a code named by a 74-character label (slug of 74).
        from rem.codes.services import add_code, create_codebook

        add_code(create_codebook("Eigen labels"), "Samenwerking tussen formele en informele "
                 "zorg in het hele dorp en de regio")
        db.session.commit()
    apps = [first, _app(postgres_database), _app(f"sqlite:///{tmp_path / 'last.sqlite3'}")]
    backups, exports = [], []
    for n, app in enumerate(apps):
        if n:
            result = app.test_cli_runner().invoke(args=["restore", str(backups[-1])])
            assert result.exit_code == 0, result.output
        path = tmp_path / f"backup-{n}.jsonl"
        result = app.test_cli_runner().invoke(args=["backup", "-o", str(path)])
        assert result.exit_code == 0, result.output
        backups.append(path)
        exports.append(_json_export(app))
    rows = [_backup_rows(p) for p in backups]
    assert rows[0] == rows[1] == rows[2]
    assert exports[0] == exports[1] == exports[2]
    assert any("😀" in json.dumps(r, ensure_ascii=False) for r in rows[0])
    titles = [i["title"] for i in exports[0]["items"]]
    assert titles and all(len(t) == 200 for t in titles)
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    assert set(SKIP_TABLES | SECRET_TABLES)  # (left out of every backup by design)


# --- the paths that write text use the columns' own limits ------------------------------------


def test_slugify_cuts_at_the_slug_columns_length():
    long = "Een heel lange naam voor een code " * 5
    assert len(slugify(long)) <= SLUG_MAX
    assert not slugify(long).endswith("-")
    for table in ("codes", "codebooks", "hubs", "collaborations"):
        assert db.metadata.tables[table].c.slug.type.length == SLUG_MAX


def test_an_xmind_label_of_74_characters_becomes_a_code(app, tmp_path):
    label = "Samenwerking tussen formele en informele zorg in het hele dorp en de regio"
    assert len(label) == 74
    make_world(app)
    result = cli_import(app, tmp_path, "xmind", {"kaart.xmind": xmind({
        "id": "r", "title": "Kaart", "children": {"attached": [
            {"id": "a", "title": "Markt", "labels": [label]}]}})})
    assert result.exit_code == 0, result.output
    with app.app_context():
        code = db.session.scalar(sa.select(Code).where(Code.name == label))
        assert code is not None and code.slug == slugify(label) and len(code.slug) == 74


def test_long_code_and_codebook_names_are_cut_with_a_warning(app, tmp_path):
    name = "Lang " * 40  # 200 characters: longer than a code's name may be
    make_world(app)
    document = {"format": "rem/1", "items": [
        {"id": 1, "kind": "activity", "title": "Markt", "date": "2024-03-01",
         "codes": ["eigen:" + slugify(name)]}],
        "codebooks": [{"slug": "eigen", "name": name, "codes": [
            {"slug": slugify(name), "name": name}]}], "links": []}
    result = cli_import(app, tmp_path, "json",
                        {"lang.json": json.dumps(document).encode()})
    assert result.exit_code == 0, result.output
    assert "ingekort" in result.output
    with app.app_context():
        book = db.session.scalar(sa.select(Codebook).where(Codebook.builtin.is_(False)))
        assert len(book.name) <= 120 and book.codes and len(book.codes[0].name) <= 120


def test_forms_refuse_what_the_columns_cannot_hold(app, client):
    with app.app_context():
        factories.UserFactory(email="admin@example.org", is_admin=True)
        hub = factories.HubFactory(slug="noord")
        db.session.commit()
        hub_id = hub.id
    login(client, "admin@example.org")
    response = post(client, "/codebooks/new", {"name": "x" * 121}, token_from="/codebooks/new")
    assert response.status_code == 200 and "120" in response.get_data(as_text=True)
    response = post(client, "/collaborations/new", {
        "name": "Dorp", "slug": "a" * (SLUG_MAX + 1), "hub_id": hub_id, "scale": "lokaal",
        "stage": "pionier"}, token_from="/collaborations/new")
    assert response.status_code == 200
    with app.app_context():
        from rem.collaborations.models import Collaboration

        assert db.session.scalar(sa.select(Collaboration)) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Codebook)
                                 .where(Codebook.builtin.is_(False))) == 0


def test_a_rate_limit_key_longer_than_its_column_is_stored_hashed(app):
    from rem.core.ratelimit import KEY_MAX, DatabaseStorage

    storage = DatabaseStorage("rem+sql://", database_url=app.config["SQLALCHEMY_DATABASE_URI"]
                              .replace("postgresql://", "postgresql+psycopg://", 1))
    key = "login:" + "a" * 500 + "@example.org"
    assert storage.incr(key, 60) == 1
    assert storage.incr(key, 60) == 2
    assert storage.get(key) == 2
    assert storage.incr(key[:-1] + "x", 60) == 1  # another key, however alike
    storage.clear(key)
    assert storage.get(key) == 0
    with app.app_context():
        lengths = db.session.scalars(sa.text("select length(key) from rate_limit_counters"))
        assert all(n <= KEY_MAX for n in lengths)
    storage.engine.dispose()


def test_a_nul_character_is_refused_at_the_door(app, client):
    """PostgreSQL cannot store U+0000, and SQLite would keep it for a later move to fail:
    no form field or query parameter may carry one (imports: tests/test_import_warnings)."""
    with app.app_context():
        user = factories.UserFactory(email="f@example.org")
        collab = factories.CollaborationFactory(slug="dorp")
        db.session.flush()
        factories.MembershipFactory(user=user, collaboration_id=collab.id, role="facilitator")
        db.session.commit()
    login(client, "f@example.org")
    response = post(client, "/collaborations/dorp/activities/new", {
        "title": "Mar\x00kt", "date_value": "2024-03-01", "date_precision": "day",
        "visibility": "collaboration", "governance_style": "", "ladder_step": ""},
        token_from="/collaborations/dorp/activities/new")
    assert response.status_code == 422
    assert "NUL-teken" in response.get_data(as_text=True)
    assert client.get("/search?q=a%00b").status_code == 422
    with app.app_context():
        from rem.ripples.models import RippleItem

        assert db.session.scalar(sa.select(RippleItem)) is None
