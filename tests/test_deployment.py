"""Deployment: the proxy headers, settings from the environment, and the Procfile and
systemd unit in docs/ actually start gunicorn and answer /health."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.http_load import free_port
from rem import create_app
from rem.config import from_environment

pytestmark = pytest.mark.one_database  # the same on every database

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def _app(tmp_path, **config):
    return create_app({"TESTING": True, "SECRET_KEY": "test",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                       "RATELIMIT_ENABLED": False, **config})


def _seen(app) -> list[tuple[str, str, str]]:
    seen: list[tuple[str, str, str]] = []

    @app.before_request
    def remember():
        from flask import request

        seen.append((request.remote_addr, request.scheme, request.host))

    return seen


FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "rem.example.org"}


def test_behind_a_proxy_the_forwarded_headers_are_trusted(tmp_path):
    app = _app(tmp_path, REM_PROXY_FIX=1)
    seen = _seen(app)
    assert app.test_client().get("/health", headers=FORWARDED).status_code == 200
    assert seen == [("203.0.113.7", "https", "rem.example.org")]


def test_without_a_proxy_setting_forwarded_headers_are_ignored(tmp_path):
    app = _app(tmp_path)
    seen = _seen(app)
    app.test_client().get("/health", headers=FORWARDED)
    assert seen == [("127.0.0.1", "http", "localhost")]


def test_only_as_many_proxies_as_configured_are_trusted(tmp_path):
    app = _app(tmp_path, REM_PROXY_FIX=1)
    seen = _seen(app)
    app.test_client().get("/health", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"})
    assert seen[0][0] == "203.0.113.7"  # the address the one proxy saw, not the client's claim


def test_deployment_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("REM_PROXY_FIX", "2")
    monkeypatch.setenv("REM_MAP_CACHE_DIR", str(tmp_path / "shared"))
    config = from_environment(str(tmp_path))
    assert config["REM_PROXY_FIX"] == 2
    assert config["REM_MAP_CACHE_DIR"] == str(tmp_path / "shared")
    monkeypatch.delenv("REM_PROXY_FIX")
    monkeypatch.delenv("REM_MAP_CACHE_DIR")
    config = from_environment(str(tmp_path))
    assert config["REM_PROXY_FIX"] == 0 and config["REM_MAP_CACHE_DIR"] is None


def test_every_setting_in_the_example_environment_file_is_read_by_the_app():
    config_source = (ROOT / "rem" / "config.py").read_text(encoding="utf-8")
    example = (ROOT / "docs" / "deploy" / "rem.env.example").read_text(encoding="utf-8")
    names = re.findall(r"^(REM_\w+)=", example, flags=re.MULTILINE)
    assert "REM_SECRET_KEY" in names and "REM_DATABASE_URL" in names
    assert [n for n in names if f'"{n}"' not in config_source] == []


# --- the Procfile and the systemd unit, tried for real ------------------------------------


def _environment(tmp_path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REM_")}
    # WEB_CONCURRENCY is the Procfile's worker count: two (not production's four) show
    # that several workers start, with half the imports.
    env.update(PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}", PORT=str(port),
               WEB_CONCURRENCY="2",
               REM_ENV="production", REM_SECRET_KEY="deployment-test-" + "x" * 32,
               REM_BASE_URL=f"http://127.0.0.1:{port}",
               REM_DATABASE_URL=f"sqlite:///{tmp_path / 'rem.sqlite3'}",
               REM_MAP_CACHE_DIR=str(tmp_path / "map-cache"))
    return env


def _health(port: int, process: subprocess.Popen, seconds: float = 40) -> tuple[int, dict]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn stopped"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
                return r.status, json.loads(r.read())
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"no answer on port {port} within {seconds} s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


@pytest.mark.slow
def test_the_procfile_release_and_web_commands_work(tmp_path):
    port = free_port()
    env = _environment(tmp_path, port)
    commands = _procfile()
    release = subprocess.run(["bash", "-c", commands["release"]], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert release.returncode == 0, release.stderr[-2000:]
    web = subprocess.Popen(["bash", "-c", "exec " + commands["web"]], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _health(port, web) == (200, {"status": "ok"})
    finally:
        _stop(web)


@pytest.mark.slow
def test_the_systemd_unit_execstart_serves_the_app(tmp_path):
    unit = (ROOT / "docs" / "deploy" / "rem.service").read_text(encoding="utf-8")
    (exec_start,) = re.findall(r"^ExecStart=(.+)$", unit, flags=re.MULTILINE)
    port = free_port()
    args = [arg.replace("/srv/rem", str(ROOT)).replace("127.0.0.1:8000", f"127.0.0.1:{port}")
            for arg in shlex.split(exec_start)]
    # Two workers, not the unit's four: several start all the same, with half the imports.
    assert args[args.index("--workers") + 1] == "4"
    args[args.index("--workers") + 1] = "2"
    assert args[0] == str(ROOT / ".venv" / "bin" / "gunicorn")
    if not Path(args[0]).exists():
        args[0] = str(VENV_BIN / "gunicorn")
    env = _environment(tmp_path, port)
    subprocess.run([str(VENV_BIN / "flask"), "--app", "rem", "db", "upgrade"], cwd=ROOT,
                   env=env, check=True, capture_output=True, timeout=120)
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        assert _health(port, process) == (200, {"status": "ok"})
    finally:
        _stop(process)


def test_wsgi_makes_the_app_from_the_environment_and_freezes_what_loading_made(tmp_path):
    # A fresh interpreter, as a gunicorn worker: import wsgi.py, then ask the collector.
    env = _environment(tmp_path, free_port())
    script = ("import gc, wsgi; print(type(wsgi.app).__name__, wsgi.app.config['SECRET_KEY'][:16],"
              " gc.get_freeze_count())")
    result = subprocess.run([str(VENV_BIN / "python"), "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    kind, secret, frozen = result.stdout.split()
    assert (kind, secret) == ("Flask", "deployment-test-")
    # Loading Flask, SQLAlchemy and the app's models leaves well over 50,000 objects.
    assert int(frozen) > 50_000


@pytest.mark.slow
def test_the_mail_worker_unit_sends_the_outbox_and_stops_on_sigterm(tmp_path):
    from tests.smtp_sink import SmtpSink

    unit = (ROOT / "docs" / "deploy" / "rem-mail.service").read_text(encoding="utf-8")
    (exec_start,) = re.findall(r"^ExecStart=(.+)$", unit, flags=re.MULTILINE)
    args = [arg.replace("/srv/rem", str(ROOT)) for arg in shlex.split(exec_start)]
    assert args[0] == str(ROOT / ".venv" / "bin" / "flask") and "--loop" in args
    if not Path(args[0]).exists():
        args[0] = str(VENV_BIN / "flask")
    with SmtpSink() as sink:
        env = _environment(tmp_path, free_port())
        env.update(REM_MAIL_SERVER="127.0.0.1", REM_MAIL_PORT=str(sink.port),
                   REM_MAIL_USE_TLS="0", REM_MAIL_FROM="rem@example.org")
        flask = [str(VENV_BIN / "flask"), "--app", "rem"]
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=120)
        script = ("from rem import create_app; from rem.accounts import mail; "
                  "from rem.extensions import db; app = create_app()\n"
                  "with app.app_context():\n"
                  "    mail.queue('a@example.org', 'Hallo', 'Tekst', kind='invitation')\n"
                  "    db.session.commit()\n")
        subprocess.run([str(VENV_BIN / "python"), "-c", script], cwd=ROOT, env=env,
                       check=True, capture_output=True, timeout=120)
        worker = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 40
            while not sink.messages and time.monotonic() < deadline:
                assert worker.poll() is None, worker.stderr.read()[-2000:]
                time.sleep(0.2)
            assert [m["Subject"] for m in sink.messages] == ["Hallo"]
        finally:
            worker.send_signal(signal.SIGTERM)
            out, err = worker.communicate(timeout=20)
    assert worker.returncode == 0, err[-2000:]
    assert "1 sent" in out
