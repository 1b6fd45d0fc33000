"""Thirty people telling stories at once lose nothing.

The real app runs under gunicorn (several worker processes) on 127.0.0.1 and a free port,
against its own database built by the migrations: SQLite in WAL mode, or a schema of its
own on the PostgreSQL test server when REM_TEST_DATABASE_URL is set. Thirty participants,
each with their own cookies and CSRF token, join and send five stories each at the same
time; some tap "send" twice. Every story must be in the inbox exactly once, and the rate
limits (counted in the database, shared by the workers) must let a full room through.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import suppress
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PARTICIPANTS = 30
STORIES_EACH = 5
WORKERS = 3
DEADLINE = 180  # seconds for the whole room
PASSWORD = "load-test-wachtwoord"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
KEY_RE = re.compile(r'name="key" value="([^"]+)"')
SCHEMA = "rem_load_test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database(tmp_path: Path) -> tuple[str, callable]:
    """Return the URL of an empty database for the server and a function that removes it."""
    url = os.environ.get("REM_TEST_DATABASE_URL")
    if not url:
        path = tmp_path / "load.sqlite3"
        return "sqlite:///" + str(path), lambda: None
    engine_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(engine_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))

    def drop():
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        engine.dispose()

    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{SCHEMA}", drop


def _prepare(url: str) -> str:
    """Build the schema with the migrations and open a session; return its join code."""
    from flask_migrate import upgrade

    from rem import create_app
    from rem.accounts.models import Membership, Role, User
    from rem.collaborations.models import Collaboration
    from rem.extensions import db
    from rem.hubs.models import Hub
    from rem.workshops import services

    # Only builds the schema: the limiter object is shared by every app in this process,
    # so keep it off here (the gunicorn workers below have their own, switched on).
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "load-test",
                      "RATELIMIT_ENABLED": False})
    with app.test_request_context():
        upgrade()
        if url.startswith("sqlite"):
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode=WAL").scalar() == "wal"
        hub = Hub(slug="hub", name="Hub", region="Regio")
        collaboration = Collaboration(hub=hub, slug="dorp", name="Dorp", region="Dorp")
        user = User(email="fac@example.org", name="Begeleider")
        user.set_password(PASSWORD)
        db.session.add_all([hub, collaboration, user])
        db.session.flush()
        db.session.add(Membership(user_id=user.id, collaboration_id=collaboration.id,
                                  role=Role.FACILITATOR.value))
        session = services.create_workshop(collaboration, services.WorkshopInput(
            title="Drukke sessie", held_on=date.today(),
            focus_question="Wat is er veranderd?"))
        code = session.code
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return code


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("load")
    url, drop = _database(tmp)
    code = _prepare(url)
    port = _free_port()
    env = {**os.environ, "REM_DATABASE_URL": url, "REM_SECRET_KEY": "load-test-secret",
           "REM_RATELIMIT_ENABLED": "1", "REM_SECURE_COOKIES": "0",
           "REM_MAP_CACHE_DIR": str(tmp / "map-cache")}
    env.pop("REM_TEST_DATABASE_URL", None)
    log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind",
         f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5",
         "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with suppress(OSError), urllib.request.urlopen(  # noqa: S310 - our own http URL
                    base + "/health", timeout=2) as response:
                if response.status == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start: "
                                   + (tmp / "gunicorn.log").read_text()[-3000:])
            time.sleep(0.2)
        yield {"base": base, "code": code, "url": url, "log": tmp / "gunicorn.log"}
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()
        drop()


class Phone:
    """One participant's browser: its own cookie jar, following redirects."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


def _marker(person: int, story: int) -> str:
    return f"[p{person:02d}-s{story}]"


def _send_into(phone: Phone, code: str, data: dict, answers: list) -> None:
    answers.append(phone.post(f"/join/{code}/story", data))


def _participant(base: str, code: str, person: int, results: dict, barrier) -> None:
    """Join, then send five stories; every fifth person taps twice on each."""
    phone = Phone(base)
    try:
        _status, page = phone.get(f"/join/{code}")
        token = CSRF_RE.search(page).group(1)
        barrier.wait(60)  # everyone starts together
        status, page = phone.post(f"/join/{code}", {"csrf_token": token,
                                                    "first_name": f"Deelnemer {person}",
                                                    "role": "citizen"})
        assert status == 200 and "Vertel wat er veranderd is" in page, (status, page[:300])
        for story in range(STORIES_EACH):
            data = {"csrf_token": CSRF_RE.search(page).group(1),
                    "key": KEY_RE.search(page).group(1),
                    "text": f"Er veranderde iets {_marker(person, story)} in de wijk.",
                    "for_whom": "buren", "year": "2025", "period": "q1",
                    "intended": "yes", "valence": "positive"}
            taps = 2 if person % 5 == 0 else 1
            answers: list[tuple[int, str]] = []
            if taps == 2:  # a double tap: two requests with one key at the same moment
                twin = threading.Thread(target=_send_into, args=(phone, code, data, answers))
                twin.start()
                answers.append(phone.post(f"/join/{code}/story", data))
                twin.join(60)
            else:
                answers.append(phone.post(f"/join/{code}/story", data))
            for status, answer in answers:
                assert status == 200 and "Je verhaal is binnen" in answer, (status, answer[:300])
            page = answers[0][1]
        results[person] = "ok"
    except Exception as exc:  # noqa: BLE001 - reported by the test
        results[person] = f"{type(exc).__name__}: {exc}"


def _facilitator_inbox(base: str, code_session_path: str) -> str:
    phone = Phone(base)
    _status, page = phone.get("/login")
    status, _page = phone.post("/login", {"csrf_token": CSRF_RE.search(page).group(1),
                                          "email": "fac@example.org", "password": PASSWORD})
    assert status == 200
    # The inbox is shown in pages (rem/workshops/inbox_views.py): read every page.
    pages = []
    for number in range(1, 100):
        _status, inbox = phone.get(f"{code_session_path}/inbox?page={number}")
        pages.append(inbox)
        if 'rel="next"' not in inbox:
            break
    return "\n".join(pages)


def test_thirty_participants_send_five_stories_each(server):
    results: dict[int, str] = {}
    barrier = threading.Barrier(PARTICIPANTS)
    threads = [threading.Thread(target=_participant, daemon=True,
                                args=(server["base"], server["code"], n, results, barrier))
               for n in range(PARTICIPANTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(1, DEADLINE - (time.monotonic() - started)))
    elapsed = time.monotonic() - started
    assert not any(thread.is_alive() for thread in threads), "the room did not finish in time"
    problems = {n: r for n, r in results.items() if r != "ok"}
    log_tail = server["log"].read_text(errors="replace")[-3000:]
    assert not problems and len(results) == PARTICIPANTS, (problems, log_tail)

    engine = sa.create_engine(server["url"].replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        texts = [row[0] for row in conn.execute(sa.text("SELECT text FROM session_stories"))]
        session_id = conn.execute(sa.text("SELECT id FROM evaluation_sessions")).scalar_one()
    engine.dispose()
    expected = {_marker(p, s) for p in range(PARTICIPANTS) for s in range(STORIES_EACH)}
    found = [re.search(r"\[p\d\d-s\d\]", text).group(0) for text in texts]
    assert len(found) == PARTICIPANTS * STORIES_EACH == 150
    assert set(found) == expected  # all of them, and (with the count) each exactly once

    inbox = _facilitator_inbox(server["base"], f"/collaborations/dorp/sessions/{session_id}")
    for marker in expected:
        assert inbox.count(marker) == 1, marker
    print(f"\n150 stories from {PARTICIPANTS} participants ({PARTICIPANTS // 5 * STORIES_EACH} "
          f"double taps) through {WORKERS} gunicorn workers in {elapsed:.1f} s")
