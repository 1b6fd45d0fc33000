"""The story rows of `make bench` alone: a participant alone, then 30 × 5 stories at once.

Builds a small network (the story path does not depend on its size), starts rem under
gunicorn exactly as `make bench` does (4 sync workers, REM_ENV=production, rate limits
on) and runs ``benchmarks.targets.stories``, the same code as the full run. Prints the
rows with the load average; CPU is the workers' CPU per request (POST and the page
after it). On PostgreSQL: ``REM_BENCH_DATABASE_URL=postgresql://...``.

    .venv/bin/python benchmarks/bench_stories.py [--rounds N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import http_load  # noqa: E402
from benchmarks import targets as target_rows  # noqa: E402
from benchmarks.generate import (  # noqa: E402
    ADMIN_EMAIL,
    PASSWORD,
    Sizes,
    generate,
    make_app,
    prepare_database,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1,
                        help="how many times to run the story rows (a new session each)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="rem-bench-stories-"))
    database = prepare_database(os.environ.get("REM_BENCH_DATABASE_URL"), str(workdir))
    os.environ["REM_DATABASE_URL"] = database.url
    server = None
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            app = make_app(database.url, str(workdir))
        import logging

        logging.disable(logging.WARNING)
        with app.app_context():
            network = generate(Sizes(hubs=1, collaborations=2, effects=200, map_sizes=(100,)),
                               progress=lambda *_a, **_k: None)
        env = target_rows.server_env(database.url, workdir)
        server = http_load.start_server(env, workdir / "gunicorn-stories.log",
                                        workers=target_rows.WORKERS)
        browser = target_rows.Browser(server.port)
        browser.sign_in(ADMIN_EMAIL, PASSWORD)
        print(f"{database.note}; load average before: {target_rows.load_average()}")
        print(" | ".join(target_rows.STORY_HEADERS))
        for round_ in range(args.rounds):
            if round_:
                # 30 × 5 stories from one address use half of its per-minute limit:
                # start each further round with no counts, as if a minute had passed.
                from rem.core.ratelimit import TABLE
                from rem.extensions import db

                with app.app_context(), db.engine.begin() as conn:
                    conn.execute(TABLE.delete())
            found, rows = target_rows.stories(app, server, browser, network.typical_slug)
            for row in rows:
                print(" | ".join(row), flush=True)
            for target in found:
                print(f"  {'holds ' if target.held else 'MISSED'}  {target.what} "
                      f"[{target.target}]: {target.result}", flush=True)
    finally:
        if server is not None:
            server.stop()
        database.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
