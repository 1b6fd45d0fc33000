"""Upgrading a database of the first release, with data in it, to the newest schema.

The first release's schema is revision 0002 (the tables of 0001 and the built-in
codebooks). The test builds a database at 0002, fills it with a small network
written as plain SQL for THAT schema (never through today's models, which describe
the newest schema), upgrades to head, and checks that every row is still there and
that the app's pages work on it.

It never touches the shared test database: on SQLite it uses a file of its own; on
PostgreSQL (REM_TEST_DATABASE_URL) a database of its own, created on the same server
and dropped afterwards. The role needs CREATEDB for that (scripts/pg-test-server.sh
grants it); without it the PostgreSQL variant is skipped and says why.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from werkzeug.security import generate_password_hash

from rem import create_app
from rem.extensions import db, migrate
from tests.scratch_databases import scratch_postgres_database

PASSWORD = "oud-wachtwoord-2024"
FIRST_RELEASE = "0002"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
CSRF_RE = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def database_url(tmp_path):
    """A database of its own: a SQLite file, or a new PostgreSQL database."""
    server = os.environ.get("REM_TEST_DATABASE_URL")
    if not server:
        yield "sqlite:///" + str(tmp_path / "first-release.sqlite3")
        return
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(scratch_postgres_database(server, "rem_upgrade"))
        except sa.exc.DBAPIError as exc:
            # scripts/pg-test-server.sh grants CREATEDB, so CI runs this; another server
            # may not.
            pytest.skip(f"the role may not create a database ({exc.orig}); the upgrade "
                        "test needs a database of its own and does not touch the shared one")
        yield url


@pytest.fixture
def old_app(database_url, tmp_path):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "upgrade-test", "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": True,
        "REM_MAP_CACHE_DIR": str(tmp_path / "map-cache"),
    })
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- a network in the first release's schema, as plain SQL --------------------------------


def _insert(conn, table: str, row: dict) -> int:
    """INSERT one row (table and column names are this file's own constants)."""
    columns = ", ".join(row)
    values = ", ".join(f":{name}" for name in row)
    statement = f"INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING id"  # noqa: S608
    return conn.execute(sa.text(statement), row).scalar_one()


def _fill_first_release(conn) -> dict:
    """Insert hubs, collaborations, people, items, links, codes and history (0002 schema)."""
    stamp = {"created_at": NOW, "updated_at": NOW}
    codes = dict(conn.execute(sa.text(
        "SELECT codebooks.slug || ':' || codes.slug, codes.id FROM codes "
        "JOIN codebooks ON codebooks.id = codes.codebook_id")).all())
    assert len(codes) > 20, "migration 0002 installs the built-in codebooks"
    hubs = [_insert(conn, "hubs", dict(stamp, name=name, slug=slug, region=region,
                                       description="Een **hub**."))
            for name, slug, region in [("Participatiehub Noord", "noord", "Groningen"),
                                       ("Participatiehub Oost", "oost", "Gelderland")]]
    collaborations = {}
    for hub, slug, name in [(hubs[0], "achterveld", "Achterveld <samen> & ‘anders’"),
                            (hubs[0], "delfzijl", "Delfzijl"), (hubs[1], "tiel", "Tiel")]:
        collaborations[slug] = _insert(conn, "collaborations", dict(
            stamp, hub_id=hub, name=name, slug=slug, region="Dorp", scale="lokaal",
            target_group="ouderen", goal="Samen *meer*.", stage="pionier",
            start_date=date(2021, 3, 1), pseudonymise_for_research=True))
    password_hash = generate_password_hash(PASSWORD)
    users = {}
    for email, admin in [("beheer@example.org", True), ("begeleider@example.org", False),
                         ("lid@example.org", False)]:
        users[email] = _insert(conn, "users", dict(
            stamp, email=email, name=email.split("@")[0].title(), password_hash=password_hash,
            is_admin=admin, is_researcher=False, active=True, locale=None, last_seen_at=None))
    for email, role in [("begeleider@example.org", "facilitator"), ("lid@example.org", "member")]:
        _insert(conn, "memberships", dict(stamp, user_id=users[email], hub_id=None,
                                          collaboration_id=collaborations["achterveld"],
                                          role=role))
    _insert(conn, "memberships", dict(stamp, user_id=users["beheer@example.org"],
                                      hub_id=hubs[1], collaboration_id=None, role="coordinator"))
    items = {}
    item_base = dict(stamp, version=1, created_by_id=users["begeleider@example.org"],
                     deleted_at=None, deleted_by_id=None, participant_count=None,
                     governance_style=None, ladder_step=None, intended=None, valence=None,
                     noticed_by=None, evidence_kind=None, evidence_text="", evidence_url="")
    rows = [
        ("achterveld", "markt", "activity", "Inspiratiemarkt met 100 deelnemers",
         date(2021, 4, 10), "day", "network",
         dict(participant_count=100, governance_style="faciliterend")),
        ("achterveld", "netwerk", "effect", "Meer contact tussen zorg & welzijn <b>",
         date(2021, 7, 1), "month", "hub", dict(intended=True, valence="positive",
                                                 evidence_kind="quote",
                                                 evidence_text="“Nu bellen we elkaar.”")),
        ("achterveld", "vrijwilligers", "effect", "Inwoners melden zich als vrijwilliger",
         date(2021, 10, 1), "quarter", "collaboration", dict(intended=False, valence="mixed")),
        ("achterveld", "vertrek", "effect", "Twee medewerkers vertrokken",
         date(2022, 1, 1), "year", "collaboration", dict(intended=False, valence="negative")),
        ("achterveld", "weg", "effect", "In de prullenbak", date(2022, 2, 1), "month",
         "collaboration", dict(deleted_at=NOW, deleted_by_id=users["begeleider@example.org"])),
        ("delfzijl", "buurtlunch", "activity", "Buurtlunch", date(2023, 5, 5), "day",
         "collaboration", {}),
        ("tiel", "ronde", "activity", "Ronde tafel", date(2023, 9, 1), "month", "network", {}),
        ("tiel", "budget", "effect", "Budget voor de wijk", date(2024, 1, 1), "quarter",
         "network", dict(intended=True, valence="positive")),
    ]
    for collaboration, key, kind, title, day, precision, visibility, extra in rows:
        items[key] = _insert(conn, "ripple_items", dict(
            item_base, collaboration_id=collaborations[collaboration], kind=kind, title=title,
            description=f"Over *{key}*.\n\n- een\n- twee", date_start=day,
            date_precision=precision, visibility=visibility, **extra))
    links = {}
    for cause, effect, deleted in [("markt", "netwerk", None), ("netwerk", "vrijwilligers", None),
                                   ("markt", "vertrek", None), ("markt", "weg", None),
                                   ("vertrek", "vrijwilligers", NOW), ("ronde", "budget", None)]:
        collaboration = next(r[0] for r in rows if r[1] == effect)
        links[cause, effect] = _insert(conn, "ripple_links", dict(
            stamp, collaboration_id=collaborations[collaboration], cause_id=items[cause],
            effect_id=items[effect], created_by_id=None, deleted_at=deleted))
    for key, code in [("netwerk", "borging:sleutelpersonen"),
                      ("netwerk", "bestuursstijlen:faciliterend"),
                      ("markt", "participatieladder:coproduceren"),
                      ("budget", "borging:beleidsverankering")]:
        conn.execute(sa.text("INSERT INTO item_codes (item_id, code_id) VALUES (:i, :c)"),
                     {"i": items[key], "c": codes[code]})
    for key, item_id in items.items():
        _insert(conn, "audit_events", dict(
            at=NOW, user_id=users["begeleider@example.org"], collaboration_id=None,
            action="create", entity_type="item", entity_id=item_id, summary=key,
            before=None, after=json.dumps({"title": key})))
    return {"hubs": hubs, "collaborations": collaborations, "users": users, "items": items,
            "links": links}


SNAPSHOT = {
    "hubs": "SELECT id, name, slug, region, description FROM hubs",
    "collaborations": "SELECT id, hub_id, name, slug, scale, stage, start_date, goal "
                      "FROM collaborations",
    "users": "SELECT id, email, name, password_hash, is_admin, active FROM users",
    "memberships": "SELECT id, user_id, hub_id, collaboration_id, role FROM memberships",
    "ripple_items": "SELECT id, collaboration_id, kind, title, description, date_start, "
                    "date_precision, visibility, version, deleted_at IS NULL, intended, "
                    "valence, participant_count, evidence_text FROM ripple_items",
    "ripple_links": "SELECT id, cause_id, effect_id, collaboration_id, deleted_at IS NULL "
                    "FROM ripple_links",
    "item_codes": "SELECT item_id, code_id FROM item_codes",
    "codes": "SELECT id, codebook_id, slug, name FROM codes",
    "audit_events": "SELECT id, entity_type, entity_id, action, summary FROM audit_events",
}


def _snapshot(conn) -> dict[str, list[tuple]]:
    return {table: sorted(tuple(row) for row in conn.execute(sa.text(query)))
            for table, query in SNAPSHOT.items()}


# --- the test ------------------------------------------------------------------------------


def _sign_in(client, email: str) -> None:
    token = CSRF_RE.search(client.get("/login").data).group(1).decode()
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.data[:300]


def test_a_first_release_database_with_data_upgrades_to_head(old_app):
    with old_app.app_context():
        upgrade(revision=FIRST_RELEASE)
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")
                                ).scalar_one() == FIRST_RELEASE
            ids = _fill_first_release(conn)
        with db.engine.connect() as conn:
            before = _snapshot(conn)

        upgrade()

        head = ScriptDirectory.from_config(migrate.get_config()).get_current_head()
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")
                                ).scalar_one() == head
            after = _snapshot(conn)
            tables = set(sa.inspect(conn).get_table_names())
    assert after == before, "the upgrade changed or lost rows"
    assert set(db.metadata.tables) <= tables, "the upgraded schema lacks tables of the models"

    # The app works on the upgraded data, for a facilitator and for a member.
    client = old_app.test_client()
    _sign_in(client, "begeleider@example.org")
    body = client.get("/").get_data(as_text=True)
    assert "Participatiehub Noord" in body and "Achterveld &lt;samen&gt; &amp;" in body
    body = client.get("/collaborations/achterveld").get_data(as_text=True)
    for title in ("Inspiratiemarkt met 100 deelnemers", "Meer contact tussen zorg &amp; welzijn",
                  "Inwoners melden zich als vrijwilliger", "Twee medewerkers vertrokken"):
        assert title in body
    assert "In de prullenbak" not in body and "Sleutelpersonen" in body
    assert "2e rimpeling" in body  # markt -> netwerk -> vrijwilligers; the deleted link is gone
    item = client.get(f"/collaborations/achterveld/items/{ids['items']['netwerk']}")
    assert item.status_code == 200 and "Nu bellen we elkaar" in item.get_data(as_text=True)
    assert "In de prullenbak" in client.get("/collaborations/achterveld/bin").get_data(
        as_text=True)
    dot = client.get("/collaborations/achterveld/map.dot")
    assert dot.status_code == 200
    assert {f"item{ids['items'][k]}".encode() in dot.data
            for k in ("markt", "netwerk", "vrijwilligers", "vertrek")} == {True}
    assert client.get("/collaborations/achterveld/map").status_code == 200
    assert client.get("/collaborations/achterveld/activities/new").status_code == 200
    # The memberships came through: the member reads but may not add.
    member = old_app.test_client()
    _sign_in(member, "lid@example.org")
    assert member.get("/collaborations/achterveld").status_code == 200
    assert member.get("/collaborations/achterveld/activities/new").status_code == 403


# --- 0016: story-thread placements get a foreign key per target -------------------------


def _insert_filled(conn, table: str, row: dict) -> int:
    """INSERT a row, giving every other required column of the table at hand a plain value
    (the test writes for the schema of 0013, whatever today's models say)."""
    filler = {sa.Integer: 1, sa.Boolean: False, sa.Date: date(2024, 1, 1),
              sa.DateTime: NOW, sa.Float: 1.0, sa.Numeric: 1}
    for column in sa.inspect(conn).get_columns(table):
        name = column["name"]
        if name in row or name == "id" or column["nullable"] or column.get("default"):
            continue
        text = name[:getattr(column["type"], "length", None) or len(name)]
        row[name] = next((value for kind, value in filler.items()
                          if isinstance(column["type"], kind)), text)
    return _insert(conn, table, row)


def test_thread_placements_move_to_one_foreign_key_per_target(old_app):
    with old_app.app_context():
        upgrade(revision="0013")
        with db.engine.begin() as conn:
            stamp = {"created_at": NOW, "updated_at": NOW}
            user = _insert_filled(conn, "users", dict(stamp, email="a@example.org"))
            hub = _insert_filled(conn, "hubs", dict(stamp, slug="noord"))
            collaboration = _insert_filled(conn, "collaborations", dict(
                stamp, hub_id=hub, slug="dorp"))
            entry = _insert_filled(conn, "log_entries", dict(
                stamp, collaboration_id=collaboration, author_id=user, deleted_at=None))
            exchange = _insert_filled(conn, "learning_exchanges", dict(
                stamp, created_by_id=user))
            review = _insert_filled(conn, "borging_reviews", dict(
                stamp, collaboration_id=collaboration, year=2024, version_number=1))
            threads = [_insert_filled(conn, "story_threads", dict(
                stamp, collaboration_id=collaboration, author_id=user, deleted_at=None,
                title=f"Verhaal {n}")) for n in range(2)]
            placed = {}
            for thread, kind, target in [(threads[0], "log_entry", entry),
                                         (threads[0], "exchange", exchange),
                                         (threads[0], "review", review),
                                         (threads[1], "log_entry", entry),
                                         (threads[1], "review", 99999)]:  # target is gone
                placed[(thread, kind, target)] = _insert(conn, "thread_placements", dict(
                    thread_id=thread, target_kind=kind, target_id=target,
                    created_by_id=user, created_at=NOW))

        upgrade(revision="0016")

        with db.engine.connect() as conn:
            rows = {row.id: row for row in conn.execute(sa.text(
                "SELECT id, thread_id, entry_id, exchange_id, review_id "
                "FROM thread_placements"))}
        column = {"log_entry": "entry_id", "exchange": "exchange_id", "review": "review_id"}
        gone = placed.pop((threads[1], "review", 99999))
        assert gone not in rows, "a placement whose target no longer exists is removed"
        assert set(rows) == set(placed.values()), "every other placement is kept, same id"
        for (thread, kind, target), placement_id in placed.items():
            row = rows[placement_id]._mapping
            assert row["thread_id"] == thread and row[column[kind]] == target
            assert [name for name in column.values() if row[name] is not None] \
                == [column[kind]], "exactly one target column is set"
        # The database now keeps the rule: no placement without, or with two, targets.
        for targets in ((None, None, None), (entry, exchange, None)):
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
                conn.execute(sa.text(
                    "INSERT INTO thread_placements (thread_id, entry_id, exchange_id, "
                    "review_id, created_at) VALUES (:thread, :entry, :exchange, :review, :now)"),
                    dict(zip(("entry", "exchange", "review"), targets, strict=True),
                         thread=threads[1], now=NOW))
        # Deleting a target takes its placements with it.
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM borging_reviews WHERE id = :id"), {"id": review})
            left = conn.execute(sa.text("SELECT count(*) FROM thread_placements "
                                        "WHERE review_id IS NOT NULL")).scalar_one()
        assert left == 0

        downgrade(revision="0013")
        with db.engine.connect() as conn:
            back = set(conn.execute(sa.text(
                "SELECT thread_id, target_kind, target_id FROM thread_placements")).all())
    assert back == {(threads[0], "log_entry", entry), (threads[0], "exchange", exchange),
                    (threads[1], "log_entry", entry)}
