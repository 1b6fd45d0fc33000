"""Research interchange at scale: every export format and the two big imports.

    .venv/bin/python -m benchmarks.interchange [--effects 10000] [--small 1000]
                                               [--database URL] [--skip-imports]

Builds a collaboration of ``--effects`` linked, coded effects (plus 200 activities
and 300 named accounts, as ``bench_export.py`` does) in a temporary SQLite database
(or the given EMPTY database), then

* exports it in every format, pseudonymised, twice: once for the time, once under
  tracemalloc for the peak of Python memory; the same for a collaboration of
  ``--small`` effects, so that "flat memory" can be read off: the peak should not
  grow with the size of the log (the target: under 5 s at 10,000 effects);
* imports the rem JSON export and the RippleFX pair of the big collaboration into
  an empty collaboration (through ``run_import``: every rule and the audit trail
  apply), timed and with their peak memory; each import is rolled back afterwards.

Prints one line per measurement.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FORMATS = ["json", "csv", "graphml", "xlsx", "ripplefx"]
TARGET_SECONDS = 5.0


def build_collaboration(slug: str, effects: int, seed: int) -> None:
    """Insert one collaboration of ``effects`` effects with links and codes (bulk)."""
    import random
    from datetime import UTC, date, datetime, timedelta

    import sqlalchemy as sa

    from rem.codes.models import Code
    from rem.core.dates import FuzzyDate
    from rem.extensions import db
    from rem.models import Collaboration, Hub, RippleItem, RippleLink, User, item_codes

    rng = random.Random(seed)
    now = datetime.now(UTC)
    hub = db.session.scalar(sa.select(Hub).where(Hub.slug == "bench-hub"))
    if hub is None:
        hub = Hub(name="Benchmark-hub", slug="bench-hub")
        db.session.add(hub)
    collab = Collaboration(name=f"Benchmark {slug}", slug=slug, hub=hub)
    db.session.add(collab)
    db.session.flush()
    people = list(db.session.scalars(sa.select(User.name).where(User.name != "")))
    if not people:
        first = ["Anna", "Bram", "Carla", "Daan", "Eva", "Femke", "Gert", "Hanna", "Ilse",
                 "Joost"]
        last = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
                "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen",
                "Dekker"]
        people = [f"{f} {ln}" for f in first for ln in last] * 2  # 300 accounts
        db.session.execute(sa.insert(User), [
            {"email": f"p{n}@example.org", "name": name, "created_at": now, "updated_at": now}
            for n, name in enumerate(people)])
    base = dict(collaboration_id=collab.id, description="Een beschrijving van het effect, "
                "met wat tekst erbij zoals in een echte sessie. " * 3, visibility="network",
                version=1, created_at=now, updated_at=now, evidence_text="“Een citaat.”",
                evidence_url="")
    activities = 200
    rows = [dict(base, kind="activity", title=f"Activiteit {n}",
                 date_start=date(2020, 1, 1) + timedelta(days=n * 3), date_precision="day")
            for n in range(activities)]
    for n in range(effects):
        when = FuzzyDate.of(date(2021, 1, 1) + timedelta(days=n % 1500),
                            rng.choice(["day", "month", "quarter", "year"]))
        rows.append(dict(base, kind="effect", title=f"Effect {n}",
                         date_start=when.start, date_precision=when.precision.value,
                         intended=rng.choice([True, False, None]),
                         valence=rng.choice(["positive", "negative", "mixed"])))
    for n, row in enumerate(rows):
        if n % 7 == 0:
            row["description"] += f" {people[n % len(people)]} vertelde erover."
    db.session.execute(sa.insert(RippleItem), rows)
    ids = db.session.scalars(sa.select(RippleItem.id).where(
        RippleItem.collaboration_id == collab.id).order_by(RippleItem.id)).all()
    activity_ids, effect_ids = ids[:activities], ids[activities:]
    links = []
    for n, effect in enumerate(effect_ids):
        cause = rng.choice(activity_ids) if n < max(1, effects // 5) \
            else effect_ids[rng.randrange(n)]
        links.append(dict(collaboration_id=collab.id, cause_id=cause, effect_id=effect,
                          created_at=now, updated_at=now))
    db.session.execute(sa.insert(RippleLink), links)
    codes = db.session.scalars(sa.select(Code.id)).all()
    assignments = {(i, rng.choice(codes)) for i in ids for _ in range(2)}
    db.session.execute(sa.insert(item_codes),
                       [{"item_id": i, "code_id": c} for i, c in assignments])
    db.session.commit()


def time_export(slug: str, fmt: str, traced: bool) -> tuple[float, float, int, bytes | None]:
    """Write one export to a temporary file; return wall and CPU seconds, traced peak and
    (when not traced) the bytes, for the import step."""
    from rem.access import Access
    from rem.collaborations.services import by_slug
    from rem.interchange.exports import write_export
    from rem.interchange.scope import build_scope

    scope = build_scope([by_slug(slug)], Access(user_id=None, is_admin=True),
                        pseudonymise=True)
    with tempfile.TemporaryFile() as target:
        if traced:
            tracemalloc.start()
        started, cpu = time.perf_counter(), time.process_time()
        write_export(scope, fmt, target)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
        if traced:
            tracemalloc.stop()
        data = None
        if not traced:
            target.seek(0)
            data = target.read()
    return seconds, cpu, peak, data


def time_import(fmt: str, files, traced: bool) -> tuple[float, float, int, str]:
    """Import into the empty collaboration "bench-import" and roll back."""
    from rem.collaborations.services import by_slug
    from rem.extensions import db
    from rem.interchange.imports import ImportOptions, run_import

    collab = by_slug("bench-import")
    if traced:
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    # commit=True writes (in batches, as the page does); the rollback below undoes it.
    result = run_import(collab, files, ImportOptions(format=fmt), commit=True)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    if traced:
        tracemalloc.stop()
    db.session.rollback()
    if not result.ok:
        raise SystemExit(f"{fmt} import refused: {[p.message for p in result.blocking][:3]}")
    summary = f"{result.created_items} items, {result.created_links} links"
    return seconds, cpu, peak, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--effects", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000,
                        help="a second, smaller collaboration to compare memory with")
    parser.add_argument("--database", help="an EMPTY database URL (default: temporary SQLite)")
    parser.add_argument("--skip-imports", action="store_true")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="rem-bench-interchange-")
    try:
        url = args.database or f"sqlite:///{os.path.join(workdir, 'bench.sqlite3')}"
        run(args, url)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, url: str) -> None:
    import logging

    from flask_migrate import upgrade

    from rem import create_app
    from rem.codes.services import install_default_codebooks
    from rem.extensions import db
    from rem.interchange.imports import UploadedFile
    from rem.models import Collaboration, Hub

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False, "REM_MAX_IMPORT_BYTES": 200 * 2**20})
    with app.test_request_context():
        logging.disable(logging.INFO)
        upgrade()
        install_default_codebooks()
        started = time.perf_counter()
        build_collaboration("bench", args.effects, seed=7)
        build_collaboration("bench-small", args.small, seed=8)
        hub = db.session.scalar(db.select(Hub).filter_by(slug="bench-hub"))
        db.session.add(Collaboration(name="Benchmark import", slug="bench-import", hub=hub))
        db.session.commit()
        print(f"built {args.effects:,} and {args.small:,} effects (+200 activities each), "
              f"links and codes in {time.perf_counter() - started:.1f} s "
              f"({db.engine.url.get_backend_name()})")
        print(f"\nexport, pseudonymised{'':<14}{'seconds':>9}{'CPU s':>8}{'peak MiB':>10}"
              f"{'size MiB':>10}   peak MiB at {args.small:,}")
        kept: dict[str, bytes] = {}
        slow = []
        for fmt in FORMATS:
            seconds, cpu, _peak, data = time_export("bench", fmt, traced=False)
            _s, _c, peak, _d = time_export("bench", fmt, traced=True)
            _s, _c, small_peak, _d = time_export("bench-small", fmt, traced=True)
            db.session.rollback()
            kept[fmt] = data or b""
            flag = "" if seconds < TARGET_SECONDS else "  SLOWER THAN 5 s"
            if flag:
                slow.append(fmt)
            print(f"  {fmt:<33}{seconds:>9.2f}{cpu:>8.2f}{peak / 2**20:>10.1f}"
                  f"{len(data or b'') / 2**20:>10.1f}   {small_peak / 2**20:>10.1f}{flag}")
        if not args.skip_imports:
            print(f"\nimport into an empty collaboration{'':<2}{'seconds':>9}{'CPU s':>8}"
                  f"{'peak MiB':>10}")
            for fmt, files in (("json", [UploadedFile("bench.json", kept["json"])]),
                               ("ripplefx", [UploadedFile("bench.zip", kept["ripplefx"])])):
                seconds, cpu, _peak, summary = time_import(fmt, files, traced=False)
                _s, _c, peak, _summary = time_import(fmt, files, traced=True)
                print(f"  {fmt + ' (' + summary + ')':<33}{seconds:>9.2f}{cpu:>8.2f}"
                      f"{peak / 2**20:>10.1f}")
    print(f"\nload average while measuring: {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores (wall seconds grow with it; CPU seconds less so)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS (everything, including building the data): {rss:.0f} MiB")
    print("peak MiB: Python allocations during the step (tracemalloc). Exports are flat when "
          "the two peak columns are close; imports hold the plan in memory.")
    if slow:
        print(f"over {TARGET_SECONDS:.0f} s: {', '.join(slow)}")


if __name__ == "__main__":
    main()
