"""A large table import: the preview, the import itself, and a reader meanwhile.

    .venv/bin/python -m benchmarks.bench_import [--rows 50000] [--database URL]

Makes a CSV of ``--rows`` items (about 9 MB at 50,000 rows: the documented limits are
10 MB and 50,000 rows) with a links column, in a temporary SQLite database (or the
given EMPTY database), then measures, through ``run_import`` as the pages use it:

* the preview (reads the file once, vets every row and link, writes nothing), three
  times; the target is under 5 s;
* the import (batches of ``writing.BATCH`` items and ``writing.LINK_BATCH`` links, one
  transaction, committed at the end), with the number of progress steps;
* meanwhile a second connection in another thread reads (a count, as a page would)
  every 50 ms: its slowest answer and how many failed ("database is locked").

Prints one line per measurement.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_PREVIEW = 5.0
WORDS = ["buurt", "wijk", "inwoners", "vrijwilligers", "gemeente", "zorg", "netwerk",
         "ontmoeting", "markt", "sleutelpersoon", "beleid", "geld", "training", "dorpshuis",
         "mantelzorg", "jongeren", "ouderen"]


def make_csv(rows: int, seed: int = 3) -> tuple[bytes, bytes]:
    """A table as people make them (id, title, kind, dd/mm/yyyy date, description, two
    codes, valence, intended, a quote) and a table of links (each effect grew from one of
    the 19 rows before it)."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "titel", "soort", "datum", "beschrijving", "codes", "waardering",
                     "bedoeld", "bewijs"])
    links = io.StringIO()
    links.write("van,naar\n")
    for n in range(rows):
        activity = n % 20 == 0
        day = date(2021, 1, 1) + timedelta(days=n % 1400)
        cause = "" if activity else f"r{n - 1 - rng.randrange(min(n, 19))}"
        writer.writerow([
            f"r{n}", f"Item {n}: " + " ".join(rng.choice(WORDS) for _ in range(3)),
            "activiteit" if activity else "effect", day.strftime("%d/%m/%Y"),
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))),
            f"borging:sleutelpersonen;Eigen code {n % 30}",
            rng.choice(["positief", "negatief", "gemengd"]), rng.choice(["ja", "nee"]),
            "“Een citaat van een inwoner.”"])
        if cause:
            links.write(f"{cause},r{n}\n")
    return out.getvalue().encode(), links.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--database", help="an EMPTY database URL (default: temporary SQLite)")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="rem-bench-import-")
    try:
        run(args, args.database or f"sqlite:///{os.path.join(workdir, 'bench.sqlite3')}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, url: str) -> None:
    import logging

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from rem import create_app
    from rem.codes.services import install_default_codebooks
    from rem.extensions import db
    from rem.interchange.imports import ImportOptions, UploadedFile, run_import, writing
    from rem.models import Collaboration, Hub, RippleItem

    data, links = make_csv(args.rows)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False, "REM_MAX_IMPORT_BYTES": 10 * 2**20})
    logging.disable(logging.INFO)
    with app.test_request_context():
        upgrade()
        install_default_codebooks()
        hub = Hub(name="Benchmark-hub", slug="bench-hub")
        collaboration = Collaboration(name="Benchmark import", slug="bench-import", hub=hub)
        db.session.add_all([hub, collaboration])
        db.session.commit()
        files = [UploadedFile("items.csv", data), UploadedFile("links.csv", links)]
        options = ImportOptions(format="table")
        print(f"files: {args.rows:,} rows of items, {len(data) / 2**20:.1f} MiB; links "
              f"{len(links) / 2**20:.1f} MiB ({db.engine.url.get_backend_name()})")

        seconds, cpu = [], []
        for _ in range(3):
            started, cpu_started = time.perf_counter(), time.process_time()
            result = run_import(collaboration, files, options, commit=False)
            seconds.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            db.session.rollback()
        if not result.ok:
            raise SystemExit([p.message for p in result.blocking][:3])
        flag = "" if max(seconds) < TARGET_PREVIEW else "  SLOWER THAN 5 s"
        print(f"preview (writes nothing){'':<9}median {statistics.median(seconds):6.2f} s, "
              f"slowest {max(seconds):.2f} s (CPU {statistics.median(cpu):.2f} s): "
              f"{result.created_items:,} items, {result.created_links:,} links, "
              f"{len(result.warnings)} warnings{flag}")

        latencies: list[float] = []
        failures: list[str] = []
        stop = threading.Event()

        def reader() -> None:
            with app.app_context():
                while not stop.is_set():
                    started = time.perf_counter()
                    try:
                        db.session.scalar(sa.select(sa.func.count(RippleItem.id)))
                        db.session.rollback()
                    except sa.exc.OperationalError as exc:
                        failures.append(str(exc.orig))
                        db.session.rollback()
                    latencies.append(time.perf_counter() - started)
                    stop.wait(0.05)
                db.session.remove()

        thread = threading.Thread(target=reader)
        steps = []
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        thread.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        result = run_import(collaboration, files, options, commit=True,
                            progress=lambda done, total: steps.append(time.perf_counter()))
        db.session.commit()
        elapsed, cpu_used = time.perf_counter() - started, time.process_time() - cpu_started
        stop.set()
        thread.join()
        gaps = [b - a for a, b in zip([started, *steps], steps, strict=False)]
        print(f"import (batches of {writing.BATCH} items){'':<4}{elapsed:6.2f} s "
              f"(CPU {cpu_used:.2f} s, the reader's included): "
              f"{result.created_items:,} items, {result.created_links:,} links, "
              f"{len(steps)} progress steps, longest step {max(gaps):.2f} s")
        print(f"reader meanwhile (every 50 ms){'':<3}{len(latencies)} reads, slowest "
              f"{max(latencies) * 1000:.0f} ms, {len(failures)} failed"
              + (f" ({failures[0]})" if failures else ""))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process peak RSS: {rss_before:.0f} MiB before the import, {rss:.0f} MiB after")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
