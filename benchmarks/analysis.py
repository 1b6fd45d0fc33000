"""How fast the ripple analysis answers for a hub with 10,000 effects.

    .venv/bin/python -m benchmarks.analysis [--effects 10000] [--collaborations 100]
        [--repeat 15]

Builds one hub (benchmarks/generate.py: realistic DAGs, codes, visibilities) in a new
SQLite file (or REM_BENCH_DATABASE_URL, PostgreSQL), then times, as the administrator
(who sees everything):

- the summary (``analysis.analysis_counts.summarise``: grouped SQL counts plus the ripple
  orders) and the influence ranking (``analysis.analysis_reach.influence``: one query of link
  id pairs, reach as bitsets) through the service, a new Scope per call (as per request);
- the same through the pages with the test client: /hubs/<slug>/analysis (summary,
  charts and the top of the ranking) and /hubs/<slug>/influence.csv (every activity).

"after a change": before every call one item of the next collaboration is edited and
committed (untimed), so that collaboration's part is made again and the others come from
the memo: the first request after a facilitator's edit. "data unchanged": every later
request (the state tag queries, then the remembered parts added up). "memo empty": the
memo emptied before every call, as in a process that just started. It prints the median
and p95 in milliseconds and the machine's load average (other work skews the figures);
the target is under 200 ms, judged on the first two.
``run_section(app, network, report)`` lets benchmarks/run.py add the same figures.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import (  # noqa: E402
    ADMIN_EMAIL,
    PASSWORD,
    Sizes,
    generate,
    make_app,
    prepare_database,
)

TARGET_MS = 200.0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def _figures(values: list[float]) -> tuple[float, float]:
    return statistics.median(values) * 1000, _p95(values) * 1000


def _time(call, repeat: int, prepare=None) -> list[float]:
    """Time ``call`` (after a warm-up call); ``prepare`` runs untimed before each."""
    call()  # warm up (first query plans, imports, template compilation)
    times = []
    for _ in range(repeat):
        if prepare is not None:
            prepare()
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def measure(app, hub_slug: str, repeat: int) -> list[tuple[str, float, float, str]]:
    """Return (what, median ms, p95 ms, note) for the service calls and the pages."""
    import sqlalchemy as sa

    from rem.access import load_access
    from rem.accounts.models import User
    from rem.analysis import counts as analysis_counts
    from rem.analysis import reach as analysis_reach
    from rem.analysis import scope as analysis_scope
    from rem.collaborations.models import Collaboration
    from rem.extensions import db
    from rem.hubs.models import Hub
    from rem.ripples.models import RippleItem

    rows = []
    with app.test_request_context():
        hub = db.session.scalar(sa.select(Hub).where(Hub.slug == hub_slug))
        collaborations = list(db.session.scalars(
            sa.select(Collaboration).where(Collaboration.hub_id == hub.id)))
        ids = [c.id for c in collaborations]
        effects = db.session.scalar(sa.select(sa.func.count(RippleItem.id)).where(
            RippleItem.collaboration_id.in_(ids), RippleItem.kind == "effect",
            RippleItem.deleted_at.is_(None)))
        activities = db.session.scalar(sa.select(sa.func.count(RippleItem.id)).where(
            RippleItem.collaboration_id.in_(ids), RippleItem.kind == "activity",
            RippleItem.deleted_at.is_(None)))
        admin = db.session.scalar(sa.select(User).where(User.email == ADMIN_EMAIL))
        access = load_access(admin)
        note = f"{effects} effects, {activities} activities, {len(ids)} collaborations"

        def scope():
            return analysis_scope.Scope(hub.name, collaborations, access)

        # One real change before each call: an item of the next collaboration gets a new
        # title (and version), committed, as a facilitator's edit would.
        items = dict(db.session.execute(
            sa.select(RippleItem.collaboration_id, sa.func.min(RippleItem.id))
            .where(RippleItem.collaboration_id.in_(ids), RippleItem.deleted_at.is_(None))
            .group_by(RippleItem.collaboration_id)).all())
        turn = iter(range(10**9))

        def change():
            number = next(turn)
            item_id = list(items.values())[number % len(items)]
            with app.app_context():
                db.session.execute(sa.update(RippleItem).where(RippleItem.id == item_id)
                                   .values(title=f"Gewijzigd {number}",
                                           version=RippleItem.version + 1))
                db.session.commit()

        def empty_memo():
            analysis_scope._MEMO.clear()

        for label, call in (("summary", lambda: analysis_counts.summarise(scope())),
                            ("influence ranking", lambda: analysis_reach.influence(scope()))):
            rows.append((f"{label} (service, after a change)",
                         *_figures(_time(call, repeat, change)),
                         f"{note}; one collaboration changed"))
            rows.append((f"{label} (service, data unchanged)",
                         *_figures(_time(call, repeat)), "memo hit: state tag queries only"))
            rows.append((f"{label} (service, memo empty)",
                         *_figures(_time(call, repeat, empty_memo)),
                         "the first request of a new process"))
    client = app.test_client()
    page = client.get("/login").data
    import re
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
    response = client.post("/login", data={"email": ADMIN_EMAIL, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.status_code
    for label, path in (("page /hubs/<slug>/analysis", f"/hubs/{hub_slug}/analysis"),
                        ("/hubs/<slug>/influence.csv", f"/hubs/{hub_slug}/influence.csv")):
        def get(path=path):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        rows.append((f"{label} (after a change)", *_figures(_time(get, repeat, change)),
                     "test client, as administrator"))
        rows.append((f"{label} (data unchanged)", *_figures(_time(get, repeat)),
                     "test client, as administrator"))
        rows.append((f"{label} (memo empty)", *_figures(_time(get, repeat, empty_memo)),
                     "the first request of a new process"))
    return rows


def print_rows(rows: list[tuple[str, float, float, str]]) -> None:
    """Print the figures as a small table, with the verdict against the target."""
    print(f"{'what':48} {'median ms':>10} {'p95 ms':>8}  target {TARGET_MS:.0f} ms")
    for what, med, p95, note in rows:
        verdict = "holds" if p95 < TARGET_MS else ("median holds" if med < TARGET_MS
                                                   else "MISSED")
        if "memo empty" in what:
            verdict = "(no target)"
        print(f"{what:48} {med:10.1f} {p95:8.1f}  {verdict}  ({note})")


def build_and_measure(effects: int = 10_000, collaborations: int = 100, repeat: int = 15,
                      progress=print) -> tuple[list[tuple[str, float, float, str]], dict]:
    """Build one hub of ``effects`` effects in a new database and measure it; return the
    rows of :func:`measure` and what was built."""
    workdir = Path(tempfile.mkdtemp(prefix="rem-bench-analysis-"))
    database = prepare_database(os.environ.get("REM_BENCH_DATABASE_URL"), str(workdir))
    try:
        progress(f"Building one hub with {effects} effects in {database.note} ...")
        with contextlib.redirect_stderr(io.StringIO()):
            app = make_app(database.url, str(workdir))
        logging.disable(logging.WARNING)
        with app.app_context():
            network = generate(Sizes(hubs=1, collaborations=collaborations, effects=effects,
                                     map_sizes=(), log_entries_per_collaboration=0),
                               progress=progress)
        progress(f"  built in {network.seconds:.1f} s: {network.counts}")
        rows = measure(app, "hub-1", repeat)
        from rem.extensions import db
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        database.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return rows, network.counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--effects", type=int, default=10_000)
    parser.add_argument("--collaborations", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    rows, _counts = build_and_measure(args.effects, args.collaborations, args.repeat,
                                      progress=lambda text: print(text, flush=True))
    print_rows(rows)
    print(f"  load average (1, 5, 15 min): {os.getloadavg()}, {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
