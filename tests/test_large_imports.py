"""Large imports: the preview writes nothing, the import writes in bounded batches with
progress (on the page and on the command line), and on SQLite another person can read
while an import writes. Speed is measured by benchmarks/bench_import.py, not here."""

from __future__ import annotations

import csv
import io
import threading

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from rem import create_app
from rem.collaborations.services import by_slug
from rem.extensions import db
from rem.interchange.imports import ImportOptions, UploadedFile, run_import, vetting, writing
from rem.ripples.models import RippleItem, RippleLink
from tests import factories
from tests.conftest import csrf_token, login
from tests.test_query_counts import counting


def table_csv(rows: int, *, description: int = 40, links: bool = True) -> bytes:
    """A table of ``rows`` items (every 20th an activity), each effect grown from the row
    before it, with a description of ``description`` characters."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "titel", "soort", "datum", "beschrijving", "oorzaak"])
    text = ("Inwoners en professionals spraken af om samen verder te gaan. " * 40)[:description]
    for n in range(rows):
        kind = "activiteit" if n % 20 == 0 else "effect"
        cause = f"r{n - 1}" if kind == "effect" and links else ""
        writer.writerow([f"r{n}", f"Item {n}", kind, f"{1 + n % 28:02d}/03/2024", text, cause])
    return out.getvalue().encode()


def links_csv(rows: int) -> bytes:
    return ("van,naar\n" + "".join(f"r{n - 1},r{n}\n" for n in range(1, rows)
                                   if n % 20)).encode()


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_preview_writes_nothing_and_reads_the_file_once(app):
    factories.CollaborationFactory  # noqa: B018 - (the world below)
    with app.app_context():
        factories.CollaborationFactory(slug="doel")
        db.session.commit()
    files = [UploadedFile("items.csv", table_csv(300)), UploadedFile("links.csv", links_csv(300))]
    with app.test_request_context(), counting(app) as statements:
        result = run_import(by_slug("doel"), files, ImportOptions(format="table"), commit=False)
        assert result.ok, [p.message for p in result.problems]
        assert (result.created_items, result.activities, result.created_links) == (300, 15, 285)
        assert len(result.first_items) == vetting.PREVIEW_ITEMS
    writes = [s for s in statements if s.lstrip().upper().startswith(
        ("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    # A handful of reads (the collaboration, codes, sessions), whatever the size.
    assert len(statements) < 10, statements
    with app.app_context():
        assert _count(RippleItem) == 0


def test_the_import_writes_in_batches_and_reports_progress(app, monkeypatch):
    monkeypatch.setattr(writing, "BATCH", 100)
    monkeypatch.setattr(writing, "LINK_BATCH", 150)
    with app.app_context():
        factories.CollaborationFactory(slug="doel")
        db.session.commit()
    files = [UploadedFile("items.csv", table_csv(450)), UploadedFile("links.csv", links_csv(450))]
    seen = []
    with app.test_request_context():
        result = run_import(by_slug("doel"), files, ImportOptions(format="table"), commit=True,
                            progress=lambda done, total: seen.append((done, total)))
        assert result.ok
        db.session.commit()
    total = 450 + 427
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    # 5 batches of items, then 3 of links: every step a bounded piece of work.
    assert [d for d, _t in seen[1:6]] == [100, 200, 300, 400, 450]
    assert [d for d, _t in seen[6:9]] == [600, 750, 877]
    with app.app_context():
        assert _count(RippleItem) == 450 and _count(RippleLink) == 427


def test_the_import_page_shows_its_progress_and_commits_once(app, client, monkeypatch):
    monkeypatch.setattr(writing, "BATCH", 50)
    with app.app_context():
        user = factories.UserFactory(email="f@example.org")
        collab = factories.CollaborationFactory(slug="doel")
        db.session.flush()
        factories.MembershipFactory(user=user, collaboration_id=collab.id, role="facilitator")
        db.session.commit()
    login(client, "f@example.org")
    token = csrf_token(client, "/collaborations/doel/import")
    page = client.post("/collaborations/doel/import", data={
        "csrf_token": token, "format": "table", "xmind_mode": "rings",
        "file": (io.BytesIO(table_csv(120, links=False)), "items.csv")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "120 items" in page
    upload = page.split('name="token" value="')[1].split('"')[0]
    with app.app_context():
        assert _count(RippleItem) == 0
    response = client.post("/collaborations/doel/import/confirm", data={
        "csrf_token": csrf_token(client, "/collaborations/doel/import"), "token": upload,
        "action": "import", "map_title": "titel", "map_key": "id", "map_kind": "soort",
        "map_date": "datum", "map_description": "beschrijving"})
    assert response.status_code == 200
    assert response.headers["X-Accel-Buffering"] == "no"  # proxies pass each step on
    assert response.is_streamed
    chunks = list(response.response)
    text = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks).decode()
    assert text.count('<progress class="import-bar"') >= 3  # 0, 50, 100, 120 of 120
    assert "50 van 120" in text and "Klaar: 120 items en 0 verbindingen ingelezen." in text
    with app.app_context():
        assert _count(RippleItem) == 120


def test_a_refused_import_shows_why_and_writes_nothing(app, client):
    with app.app_context():
        user = factories.UserFactory(email="f@example.org")
        collab = factories.CollaborationFactory(slug="doel")
        db.session.flush()
        factories.MembershipFactory(user=user, collaboration_id=collab.id, role="facilitator")
        db.session.commit()
    login(client, "f@example.org")
    token = csrf_token(client, "/collaborations/doel/import")
    data = b"titel,datum\nMarkt,2024-03-01\n,\nLater,2999-01-01\n"
    page = client.post("/collaborations/doel/import", data={
        "csrf_token": token, "format": "table", "xmind_mode": "rings",
        "file": (io.BytesIO(data), "items.csv")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "kan zo niet worden ingelezen" in page  # an effect in the future, row 4
    assert "regel 4" in page


def test_the_command_line_import_says_how_far_it_is(app, tmp_path, monkeypatch):
    monkeypatch.setattr(writing, "BATCH", 100)
    with app.app_context():
        factories.CollaborationFactory(slug="doel")
        db.session.commit()
    path = tmp_path / "items.csv"
    path.write_bytes(table_csv(250, links=False))
    result = app.test_cli_runner().invoke(args=[
        "import", "--collaboration", "doel", "--format", "table", str(path)])
    assert result.exit_code == 0, result.output
    assert "100 of 250" in result.output and "250 of 250" in result.output


# --- SQLite: readers go on while an import writes ----------------------------------------------


@pytest.fixture
def sqlite_app(tmp_path):
    """The app on a SQLite file of its own (the journal mode belongs to the file)."""
    app2 = create_app({"TESTING": True, "SECRET_KEY": "wal", "RATELIMIT_ENABLED": False,
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'wal.sqlite3'}"})
    with app2.app_context():
        upgrade()
    yield app2
    with app2.app_context():
        db.session.remove()
        db.engine.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_app):
    with sqlite_app.app_context():
        connection = db.session.connection()
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000
        # NORMAL (1): a commit does not wait for the disk; safe against app crashes in WAL
        # mode (docs/deployment.md). FULL (2) is SQLite's default.
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1


def test_a_reader_in_another_thread_never_meets_a_locked_database(sqlite_app, monkeypatch):
    """While an import holds its write transaction, past the point where SQLite's memory
    for it overflowed (so that, without WAL, the whole file would be locked), another
    connection reads: it gets the last committed state at once, never an error."""
    monkeypatch.setattr(writing, "BATCH", 500)
    with sqlite_app.app_context():
        factories.CollaborationFactory(slug="doel")
        db.session.commit()
    files = [UploadedFile("items.csv", table_csv(3000, description=1500))]  # ~5 MB of text
    ask, answered = threading.Event(), threading.Event()
    seen: list = []

    def reader() -> None:
        ask.wait(60)
        with sqlite_app.app_context():
            try:
                connection = db.session.connection()
                # Fail within a second rather than wait out the app's busy timeout.
                connection.exec_driver_sql("PRAGMA busy_timeout=1000")
                seen.append(db.session.scalar(sa.select(sa.func.count(RippleItem.id))))
            except sa.exc.OperationalError as exc:
                seen.append(exc)
            finally:
                db.session.remove()
                answered.set()

    thread = threading.Thread(target=reader)
    thread.start()

    def progress(done: int, total: int) -> None:
        if done >= 2500 and not ask.is_set():  # well into the write
            ask.set()
            answered.wait(30)

    with sqlite_app.test_request_context():
        result = run_import(by_slug("doel"), files, ImportOptions(format="table"),
                            commit=True, progress=progress)
        assert result.ok
        db.session.commit()
    thread.join(30)
    assert seen == [0], seen  # the last committed state, not an error
    with sqlite_app.app_context():
        assert _count(RippleItem) == 3000
