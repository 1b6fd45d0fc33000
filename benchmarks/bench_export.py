"""Time every export format on a collaboration with 10,000 effects.

    .venv/bin/python benchmarks/bench_export.py [--effects 10000] [--database URL]

Builds the data in a temporary SQLite database (or the given empty database),
then writes each format to a temporary file twice: once for the time, once
under tracemalloc for the peak of Python memory. Prints one line per format.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FORMATS = ["json", "csv", "graphml", "xlsx", "ripplefx"]


def build(effects: int) -> None:
    """Insert one hub, one collaboration, 200 activities, ``effects`` linked effects with
    two codes each, and 300 accounts whose names the pseudonymiser looks for."""
    import sqlalchemy as sa

    from rem.codes.models import Code
    from rem.codes.services import install_default_codebooks
    from rem.core.dates import FuzzyDate
    from rem.extensions import db
    from rem.models import Collaboration, Hub, RippleItem, RippleLink, User, item_codes

    install_default_codebooks()
    rng = random.Random(7)
    now = datetime.now(UTC)
    hub = Hub(name="Benchmark-hub", slug="bench-hub")
    collab = Collaboration(name="Benchmark", slug="bench", hub=hub)
    db.session.add_all([hub, collab])
    db.session.flush()
    base = dict(collaboration_id=collab.id, description="Een beschrijving van het effect, "
                "met wat tekst erbij zoals in een echte sessie. " * 3, visibility="network",
                version=1, created_at=now, updated_at=now, evidence_text="“Een citaat.”",
                evidence_url="")
    activities = 200
    rows = []
    for n in range(activities):
        rows.append(dict(base, kind="activity", title=f"Activiteit {n}",
                         date_start=date(2020, 1, 1) + timedelta(days=n * 3),
                         date_precision="day"))
    for n in range(effects):
        when = FuzzyDate.of(date(2021, 1, 1) + timedelta(days=n % 1500),
                            rng.choice(["day", "month", "quarter", "year"]))
        rows.append(dict(base, kind="effect", title=f"Effect {n}",
                         date_start=when.start, date_precision=when.precision.value,
                         intended=rng.choice([True, False, None]),
                         valence=rng.choice(["positive", "negative", "mixed"])))
    first = ["Anna", "Bram", "Carla", "Daan", "Eva", "Femke", "Gert", "Hanna", "Ilse", "Joost"]
    last = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
            "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker"]
    people = [f"{f} {ln}" for f in first for ln in last] * 2  # 300 accounts to look for
    db.session.execute(sa.insert(User), [
        {"email": f"p{n}@example.org", "name": name, "created_at": now, "updated_at": now}
        for n, name in enumerate(people)])
    for n, row in enumerate(rows):
        if n % 7 == 0:
            row["description"] += f" {people[n % len(people)]} vertelde erover."
    db.session.execute(sa.insert(RippleItem), rows)
    ids = db.session.scalars(sa.select(RippleItem.id).order_by(RippleItem.id)).all()
    activity_ids, effect_ids = ids[:activities], ids[activities:]
    links = []
    for n, effect in enumerate(effect_ids):
        cause = rng.choice(activity_ids) if n < 2000 else effect_ids[rng.randrange(n)]
        links.append(dict(collaboration_id=collab.id, cause_id=cause, effect_id=effect,
                          created_at=now, updated_at=now))
    db.session.execute(sa.insert(RippleLink), links)
    codes = db.session.scalars(sa.select(Code.id)).all()
    assignments = {(i, rng.choice(codes)) for i in ids for _ in range(2)}
    db.session.execute(sa.insert(item_codes),
                       [{"item_id": i, "code_id": c} for i, c in assignments])
    db.session.commit()


def run(fmt: str, traced: bool) -> tuple[float, int, int]:
    from rem.access import Access
    from rem.collaborations.services import by_slug
    from rem.interchange.exports import write_export
    from rem.interchange.scope import build_scope

    collab = by_slug("bench")
    scope = build_scope([collab], Access(user_id=None, is_admin=True), pseudonymise=True)
    with tempfile.TemporaryFile() as target:
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        write_export(scope, fmt, target)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
        if traced:
            tracemalloc.stop()
        size = target.tell()
    return seconds, peak, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--effects", type=int, default=10_000)
    parser.add_argument("--database", help="an EMPTY database URL (default: temporary SQLite)")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="rem-bench-")
    url = args.database or f"sqlite:///{os.path.join(workdir, 'bench.sqlite3')}"

    from flask_migrate import upgrade

    from rem import create_app
    from rem.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.test_request_context():
        import logging

        logging.disable(logging.INFO)
        upgrade()
        started = time.perf_counter()
        build(args.effects)
        print(f"built {args.effects} effects + 200 activities, links and codes in "
              f"{time.perf_counter() - started:.1f} s ({db.engine.url.get_backend_name()})")
        print(f"{'format':<10}{'seconds':>9}{'peak MiB':>10}{'size MiB':>10}")
        for fmt in FORMATS:
            seconds, _peak, size = run(fmt, traced=False)
            _s, peak, _size = run(fmt, traced=True)
            db.session.rollback()
            print(f"{fmt:<10}{seconds:>9.2f}{peak / 2**20:>10.1f}{size / 2**20:>10.1f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS (everything, including building the data): {rss:.0f} MiB")
    print("peak MiB: Python allocations during the export (tracemalloc); pseudonymised.")


if __name__ == "__main__":
    main()
