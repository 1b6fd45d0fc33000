"""How long `POST /reset` takes for a known and an unknown address (prints the figures).

The page must not tell an attacker which addresses have accounts, so both answers should
take the same time. Runs the real app in process on a fresh SQLite database (or the
database in REM_BENCH_DATABASE_URL, which it empties), with a local SMTP sink as the mail
server, alternating known and unknown addresses.

    .venv/bin/python benchmarks/reset_timing.py [rounds]
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from rem import create_app  # noqa: E402
from rem.accounts.services import create_user  # noqa: E402
from rem.extensions import db  # noqa: E402
from tests.smtp_sink import SmtpSink  # noqa: E402

CSRF_RE = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')


def main(rounds: int = 100) -> None:
    """Time ``rounds`` requests for each kind of address and print median and spread."""
    url = os.environ.get("REM_BENCH_DATABASE_URL")
    folder = tempfile.mkdtemp(prefix="rem-reset-")
    if url:
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{folder}/reset.sqlite3"
    with SmtpSink() as sink:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                          "RATELIMIT_ENABLED": False, "REM_MAIL_SERVER": "127.0.0.1",
                          "REM_MAIL_PORT": sink.port, "REM_MAIL_USE_TLS": False,
                          "REM_MAP_CACHE_DIR": folder})
        with app.app_context():
            upgrade()
            create_user("bekend@example.org", "een lang wachtwoord")
            db.session.commit()
        client = app.test_client()
        token = CSRF_RE.search(client.get("/reset").data).group(1).decode()
        timings: dict[str, list[float]] = {"known": [], "unknown": []}
        for number in range(rounds * 2 + 10):
            kind = "known" if number % 2 == 0 else "unknown"
            email = "bekend@example.org" if kind == "known" else f"niemand{number}@example.org"
            start = time.perf_counter()
            response = client.post("/reset", data={"email": email, "csrf_token": token})
            elapsed = time.perf_counter() - start
            assert response.status_code == 302
            if number >= 10:  # the first few warm up
                timings[kind].append(elapsed * 1000)
        mails = len(sink.messages)
    print(f"POST /reset on {url.split(':', 1)[0]}, {rounds} requests each "
          f"(mails sent during the requests: {mails})")
    for kind, values in timings.items():
        quartiles = statistics.quantiles(values, n=4)
        print(f"  {kind:8s} median {statistics.median(values):6.2f} ms, "
              f"quartiles {quartiles[0]:6.2f}-{quartiles[2]:6.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
