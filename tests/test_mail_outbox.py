"""Mail goes through an outbox: requests only write a row; `flask --app rem mail send`
sends after the commit, retries with backoff, is safe with several workers at once, and
administrators see the state. /reset does the same work for known and unknown addresses."""

from __future__ import annotations

import os
import select
import socket
import socketserver
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from rem.accounts import mail as outbox
from rem.accounts.models import AccountToken, MailState, OutboxMessage
from rem.core.database import utcnow
from rem.extensions import db
from tests import factories, smtp_sink
from tests.conftest import CSRF_RE, login

ROOT = Path(__file__).resolve().parent.parent
RESET_LINK = "/reset/"


def _world(app) -> None:
    with app.app_context():
        factories.UserFactory(email="admin@example.org", is_admin=True)
        factories.UserFactory(email="inwoner@example.org")
        db.session.commit()


def _request_reset(app, email: str):
    client = app.test_client()
    token = CSRF_RE.search(client.get("/reset").data).group(1).decode()
    return client.post("/reset", data={"email": email, "csrf_token": token})


def _messages(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def _queue(app, count: int, to: str = "iemand@example.org") -> None:
    with app.app_context():
        for number in range(count):
            outbox.queue(to, f"Bericht {number}", f"Tekst {number}", kind="invitation")
        db.session.commit()


def _configure_unreachable(app, monkeypatch) -> None:
    with smtp_sink.SmtpSink() as sink:
        port = sink.port
    monkeypatch.setitem(app.config, "REM_MAIL_SERVER", "127.0.0.1")  # nothing listens now
    monkeypatch.setitem(app.config, "REM_MAIL_PORT", port)
    monkeypatch.setitem(app.config, "REM_MAIL_USE_TLS", False)


def test_the_reset_page_contacts_no_mail_server(app, monkeypatch):
    _world(app)
    # A server that takes connections but never answers: a mail sent inline would hang.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        monkeypatch.setitem(app.config, "REM_MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "REM_MAIL_PORT", silent.getsockname()[1])
        response = _request_reset(app, "inwoner@example.org")
        assert response.status_code == 302 and response.headers["Location"] == "/reset?sent=1"
        waiting, _w, _x = select.select([silent], [], [], 0.2)
        assert waiting == [], "the page opened a connection to the mail server"
    [message] = _messages(app)
    assert (message.kind, message.state, message.body) == ("reset", "waiting", None)


@pytest.mark.commits  # compares the statements sent, as in production (no savepoints)
def test_known_and_unknown_addresses_cost_the_reset_page_the_same_statements(app, monkeypatch):
    _world(app)
    monkeypatch.setitem(app.config, "REM_MAIL_SERVER", "127.0.0.1")
    statements: list[str] = []

    def note(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    runs = {}
    with app.app_context():
        engine = db.engine
    for email in ("inwoner@example.org", "niemand@example.org", "INWONER@example.org"):
        client = app.test_client()
        token = CSRF_RE.search(client.get("/reset").data).group(1).decode()
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", note)
        try:
            response = client.post("/reset", data={"email": email, "csrf_token": token})
        finally:
            sa.event.remove(engine, "before_cursor_execute", note)
        assert response.status_code == 302
        runs[email] = list(statements)
    assert runs["inwoner@example.org"] == runs["niemand@example.org"] \
        == runs["INWONER@example.org"]
    assert any("mail_outbox" in statement for statement in runs["niemand@example.org"])
    assert not any("users" in statement for statement in runs["niemand@example.org"])


def test_the_worker_writes_and_sends_reset_mail_and_drops_unknown_addresses(app, monkeypatch):
    _world(app)
    with smtp_sink.SmtpSink() as sink:
        smtp_sink.configure(app, monkeypatch, sink)
        _request_reset(app, "inwoner@example.org")
        _request_reset(app, "niemand@example.org")
        output = smtp_sink.deliver(app)
        assert "1 sent" in output and "1 reset requests for unknown addresses" in output
    [message] = sink.messages
    assert message["To"] == "inwoner@example.org"
    assert message["Subject"] == "Nieuw wachtwoord voor rem"
    assert RESET_LINK in smtp_sink.body_of(message)
    [row] = _messages(app)
    assert (row.state, row.attempts, row.body) == ("sent", 1, None)  # the link is not kept
    assert row.sent_at is not None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AccountToken.id))) == 1
    # Nothing is sent twice.
    assert "0 sent" in smtp_sink.deliver(app)


def test_a_failed_attempt_is_tried_again_later_and_given_up_after_the_last(app, monkeypatch):
    _world(app)
    _configure_unreachable(app, monkeypatch)
    _queue(app, 1)
    assert "1 to try again" in smtp_sink.deliver(app)
    [row] = _messages(app)
    assert (row.state, row.attempts) == ("waiting", 1)
    assert "ConnectionRefusedError" in row.last_error and row.body == "Tekst 0"
    wait = row.next_attempt_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert timedelta(seconds=30) < wait <= timedelta(minutes=1)
    assert "0 sent, 0 to try again" in smtp_sink.deliver(app)  # not due yet
    assert [outbox.backoff(n).total_seconds() / 60 for n in range(1, 9)] == \
        [1, 2, 4, 8, 16, 32, 60, 60]
    for _attempt in range(outbox.MAX_ATTEMPTS - 1):
        with app.app_context():
            db.session.execute(sa.update(OutboxMessage).values(
                next_attempt_at=utcnow() - timedelta(seconds=1)))
            db.session.commit()
        smtp_sink.deliver(app)
    [row] = _messages(app)
    assert (row.state, row.attempts, row.body) == ("failed", outbox.MAX_ATTEMPTS, None)
    # Once the server answers again, a waiting message goes out on the next run.
    _queue(app, 1)
    with smtp_sink.SmtpSink() as sink:
        smtp_sink.configure(app, monkeypatch, sink)
        assert "1 sent" in smtp_sink.deliver(app)
    assert [m["Subject"] for m in sink.messages] == ["Bericht 0"]


class _Refusing(socketserver.StreamRequestHandler):
    """An SMTP server that refuses every recipient for good (550)."""

    def handle(self) -> None:
        self.wfile.write(b"220 refusing\r\n")
        for raw in self.rfile:
            command = raw[:4].upper()
            if command == b"RCPT":
                self.wfile.write(b"550 5.1.1 no such mailbox\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def test_a_refusal_for_good_is_not_tried_again(app, monkeypatch):
    _world(app)
    _queue(app, 1, to="weg@example.org")
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Refusing)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setitem(app.config, "REM_MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "REM_MAIL_PORT", server.server_address[1])
        monkeypatch.setitem(app.config, "REM_MAIL_USE_TLS", False)
        assert "1 given up" in smtp_sink.deliver(app)
    finally:
        server.shutdown()
        server.server_close()
    [row] = _messages(app)
    assert (row.state, row.attempts, row.body) == ("failed", 1, None)
    assert row.last_error.startswith("550") and "no such mailbox" in row.last_error


def test_a_claimed_message_is_not_claimed_again_until_its_worker_is_presumed_dead(app):
    _queue(app, 3)
    with app.app_context():
        first = outbox.claim(2)
        second = outbox.claim(10)
        assert len(first) == 2 and len(second) == 1 and not set(first) & set(second)
        assert outbox.claim(10) == []
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == first[0])
                           .values(claimed_at=utcnow() - outbox.CLAIM_TIMEOUT
                                   - timedelta(seconds=1)))
        db.session.commit()
        assert outbox.claim(10) == [first[0]]


@pytest.mark.commits  # two workers, each on a connection of its own
def test_postgresql_workers_skip_the_rows_another_worker_is_claiming(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's; on SQLite one writing statement "
                    "runs at a time (the two-worker test covers both)")
    _queue(app, 3)
    with app.app_context():
        ids = [m.id for m in db.session.scalars(sa.select(OutboxMessage).order_by(
            OutboxMessage.id))]
        db.session.commit()
        other = sa.create_engine(db.engine.url)
        with other.connect() as holder:
            holder.execute(sa.text("SELECT id FROM mail_outbox WHERE id = :id FOR UPDATE"),
                           {"id": ids[0]})
            db.session.execute(sa.text("SET LOCAL lock_timeout = '3s'"))
            claimed = outbox.claim(10)  # would wait for the held row without SKIP LOCKED
            holder.rollback()
        other.dispose()
        assert claimed == ids[1:]
        assert outbox.claim(10) == [ids[0]]


def _worker_environment(app, sink_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REM_")}
    env.update(REM_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               REM_SECRET_KEY=app.config["SECRET_KEY"], REM_MAIL_SERVER="127.0.0.1",
               REM_MAIL_PORT=str(sink_port), REM_MAIL_USE_TLS="0",
               REM_MAIL_FROM="rem@example.org", REM_RATELIMIT_ENABLED="0",
               REM_MAP_CACHE_DIR=app.config["REM_MAP_CACHE_DIR"])
    return env


def _flask() -> list[str]:
    return [str(Path(sys.executable).parent / "flask"), "--app", "rem"]


@pytest.mark.commits  # two workers, each on a connection of its own
def test_two_workers_at_once_send_every_message_exactly_once(app):
    _queue(app, 40)
    with smtp_sink.SmtpSink() as sink:
        env = _worker_environment(app, sink.port)
        workers = [subprocess.Popen([*_flask(), "mail", "send"], cwd=ROOT, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for _ in range(2)]
        outputs = [worker.communicate(timeout=120) for worker in workers]
    for worker, (_out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err[-2000:]
    subjects = sorted(m["Subject"] for m in sink.messages)
    assert subjects == sorted(f"Bericht {n}" for n in range(40))
    assert {m.state for m in _messages(app)} == {"sent"}
    print("worker outputs:", [out.strip() for out, _err in outputs])


@pytest.mark.commits  # the worker runs in another process
def test_the_worker_keeps_running_with_loop_and_stops_on_sigterm(app):
    with smtp_sink.SmtpSink() as sink:
        env = _worker_environment(app, sink.port)
        worker = subprocess.Popen([*_flask(), "mail", "send", "--loop", "--interval", "0.2"],
                                  cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(1.0)
            _queue(app, 2)
            deadline = time.monotonic() + 30
            while len(sink.messages) < 2 and time.monotonic() < deadline:
                assert worker.poll() is None, worker.stderr.read()[-2000:]
                time.sleep(0.1)
            assert len(sink.messages) == 2
        finally:
            worker.terminate()
            out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err[-2000:]
    assert "2 sent" in out


def test_without_a_mail_server_the_worker_says_so(app, monkeypatch):
    monkeypatch.setitem(app.config, "REM_MAIL_SERVER", None)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code != 0 and "REM_MAIL_SERVER" in result.output


def test_administrators_see_the_state_but_never_the_text(app, monkeypatch):
    _world(app)
    _configure_unreachable(app, monkeypatch)
    with app.app_context():
        outbox.queue("a@example.org", "Uitnodiging voor Dorp",
                     "Open https://rem.example.org/invite/geheim-token-123", kind="invitation")
        old = outbox.queue("b@example.org", "Oud", "Tekst", kind="invitation")
        old.created_at = utcnow() - timedelta(hours=1)
        old.next_attempt_at = utcnow() + timedelta(hours=1)
        db.session.commit()
    smtp_sink.deliver(app)
    client = app.test_client()
    login(client, "admin@example.org")
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "Uitnodiging voor Dorp" in page and "a@example.org" in page
    assert "wacht" in page and "ConnectionRefusedError" in page
    assert "geheim-token-123" not in page
    assert "Er wachten berichten sinds" in page  # the oldest has waited an hour
    assert MailState.WAITING.value == "waiting"
