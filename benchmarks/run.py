"""`make bench`: build a network and measure what a person waits for, against its floor.

    .venv/bin/python benchmarks/run.py [--quick] [--no-write]

Builds the network of benchmarks/generate.py (10 hubs, 120 collaborations of about 100
items, 12,000 effects; maps of 100, 1,000 and 10,000 items; effects with one, two or more
causes and titles of realistic length) in a temporary SQLite database, or in PostgreSQL
when REM_BENCH_DATABASE_URL is set, imports a 1,000-node RippleFX pair with rem's own
importer, then measures every row of the target table (benchmarks/targets.py) through
real HTTP requests to gunicorn with 4 sync workers and the page memory off, each against
its floor in the same run (bare Graphviz on the app's own DOT; a one-route Flask app under
the same gunicorn settings), and counts SQL statements per page at two sizes.

Every figure is printed and written between the markers in docs/performance.md with the
load average (--no-write leaves the file alone; --quick: shorter runs, for trying it out).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import targets as target_rows  # noqa: E402
from benchmarks.generate import (  # noqa: E402
    ADMIN_EMAIL,
    PASSWORD,
    Network,
    Sizes,
    generate,
    make_app,
    prepare_database,
)

DOC = ROOT / "docs" / "performance.md"
START = "<!-- bench:start: written by `make bench`, edits between these markers are lost -->"
END = "<!-- bench:end -->"



# --- the report ----------------------------------------------------------------------------


@dataclass
class Report:
    """Prints as it goes and collects the same text as Markdown."""

    markdown: list[str] = field(default_factory=list)
    verdicts: list[tuple[str, bool, str]] = field(default_factory=list)

    def heading(self, text: str) -> None:
        print(f"\n=== {text} ===", flush=True)
        self.markdown.append(f"\n### {text}\n")

    def text(self, text: str) -> None:
        print(textwrap.fill(" ".join(text.split()), 100), flush=True)
        self.markdown.append(" ".join(text.split()) + "\n")

    def table(self, headers: list[str], rows: list[list[str]]) -> None:
        widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=False)]
        line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
        print(line)
        print("  ".join("-" * w for w in widths))
        for row in rows:
            print("  ".join(str(c).rjust(w) if i else str(c).ljust(w)
                            for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        self.markdown.append("| " + " | ".join(headers) + " |")
        self.markdown.append("|" + "|".join("---" if i == 0 else "---:"
                                            for i in range(len(headers))) + "|")
        for row in rows:
            self.markdown.append("| " + " | ".join(str(c) for c in row) + " |")
        self.markdown.append("")
        sys.stdout.flush()

    def verdict(self, name: str, ok: bool, detail: str) -> None:
        word = "holds" if ok else "MISSED"
        print(f"  target {word}: {name} ({detail})", flush=True)
        self.verdicts.append((name, ok, detail))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


# --- facts about the machine ---------------------------------------------------------------


def load_average() -> str:
    """Return the 1-minute load average: other work on the machine skews the figures."""
    with contextlib.suppress(OSError):
        return Path("/proc/loadavg").read_text().split()[0]
    return "?"


def machine_facts(database_note: str, dialect_version: str) -> list[tuple[str, str]]:
    """Return what the figures depend on."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    nproc = shutil.which("nproc")
    cores = (subprocess.run([nproc], capture_output=True, text=True).stdout.strip()
             if nproc else str(os.cpu_count()))
    dot = shutil.which("dot")
    graphviz = (subprocess.run([dot, "-V"], capture_output=True, text=True).stderr.strip()
                if dot else "not installed")
    load = "unknown"
    with contextlib.suppress(OSError):
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    from importlib.metadata import version

    return [
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", f"{cpu}, nproc = {cores}"),
        ("memory", memory),
        ("system", platform.platform()),
        ("Python", platform.python_version()),
        ("Graphviz", graphviz),
        ("database", f"{database_note} ({dialect_version})"),
        ("gunicorn / Flask / SQLAlchemy",
         f"{version('gunicorn')} / {version('flask')} / {version('sqlalchemy')}"),
        ("load average before the run", load),
    ]


def signed_in_client(app):
    client = app.test_client()
    page = client.get("/login").data
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
    response = client.post("/login", data={"email": ADMIN_EMAIL, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client


# --- D. statements per page ----------------------------------------------------------------


def bench_queries(app, network: Network, report: Report) -> None:
    import sqlalchemy as sa

    from rem.extensions import db
    from rem.ripples.models import RippleItem

    report.heading("D. SQL statements per page: small and large collaborations")
    report.text(
        "Statements counted with SQLAlchemy's before_cursor_execute event for one request "
        "(after a warm-up request), signed in as administrator. tests/test_query_counts.py "
        "asserts the same at 10 and 1,000 items on every `make test`.")
    client = signed_in_client(app)
    with app.app_context():
        engine = db.engine
        smallest = db.session.execute(
            sa.select(RippleItem.collaboration_id, sa.func.count())
            .group_by(RippleItem.collaboration_id).order_by(sa.func.count())).first()
        slugs = {}
        for collaboration_id, count in [smallest] + [
                (None, n) for n in network.map_slugs if n in (1000, 5000, 20000)]:
            if collaboration_id is not None:
                from rem.collaborations.models import Collaboration

                slugs[count] = db.session.get(Collaboration, collaboration_id).slug
            else:
                slugs[count] = network.map_slugs[count]
        items = {count: db.session.scalar(
            sa.select(sa.func.max(RippleItem.id)).join(RippleItem.collaboration)
            .where(sa.text("collaborations.slug = :slug")).params(slug=slug))
            for count, slug in slugs.items()}
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    pages = [("timeline", "/collaborations/{slug}"), ("map page", "/collaborations/{slug}/map"),
             ("map.svg", "/collaborations/{slug}/map.svg"),
             ("item page", "/collaborations/{slug}/items/{item}"), ("hubs overview", "/")]
    rows = []
    for label, template in pages:
        row = [label]
        for size, slug in slugs.items():
            path = template.format(slug=slug, item=items[size])
            client.get(path)
            sa.event.listen(engine, "before_cursor_execute", count)
            statements.clear()
            response = client.get(path)
            sa.event.remove(engine, "before_cursor_execute", count)
            row.append(f"{len(statements)}" + ("" if response.status_code == 200
                                               else f" ({response.status_code})"))
        rows.append(row)
    report.table(["page"] + [f"{size} items" for size in slugs], rows)
    report.text("(503: the full drawing of a map over REM_MAP_MAX_NODES is refused, see E; "
                "that answer is never stored, so it always loads the log to learn the size, "
                "and is compared with itself only.)")
    constant = all(len({cell.split()[0] for cell in row[1:] if "(" not in cell}) <= 1
                   and len({cell for cell in row[1:] if "(" in cell}) <= 1 for row in rows)
    report.verdict("statements per page do not grow with the items", constant,
                   "equal at every size" if constant else "see the table")


# --- the whole run -------------------------------------------------------------------------


def write_doc(report: Report, facts: list[tuple[str, str]], network: Network,
              minutes: float, targets) -> None:
    held = sum(1 for t in targets if t.held)
    lines = [START, "", f"## Latest run: {facts[0][1]}, {facts[6][1]}", "",
             f"`make bench` took {minutes:.1f} minutes. {held} of {len(targets)} "
             "targets hold; the ones that do not are marked **missed**.", "",
             "| target | wanted | result | |", "|---|---|---|---|"]
    lines += [f"| {t.what} | {t.target} | {t.result} | {'holds' if t.held else '**missed**'} |"
              for t in targets]
    lines += ["", "| | |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in facts]
    lines += ["", "The network: " + ", ".join(f"{v:,} {k}" for k, v in network.counts.items())
              + f", built in {network.seconds:.1f} s; typical collaboration "
              f"{network.typical_slug} ({network.typical_items} items)."]
    lines += report.markdown
    lines += ["", END]
    section = "\n".join(lines) + "\n"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n\n"
    dialect = "postgresql" if "postgresql" in facts[6][1] else "sqlite"
    start, end = START.replace("bench:start", f"bench:{dialect}:start"), \
        END.replace("bench:end", f"bench:{dialect}:end")
    section = section.replace(START, start).replace(END, end)
    if start in text and end in text:
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1]
        text = head + section.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text, encoding="utf-8")
    print(f"\nWrote the figures into {DOC.relative_to(ROOT)}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller network, short runs")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    args = parser.parse_args(argv)
    begun = time.perf_counter()
    sizes = (Sizes(hubs=4, collaborations=30, effects=3000, map_sizes=(100, 1000, 10000))
             if args.quick else
             Sizes(hubs=10, collaborations=120, effects=12000, map_sizes=(100, 1000, 10000)))
    workdir = Path(tempfile.mkdtemp(prefix="rem-bench-"))
    database = prepare_database(os.environ.get("REM_BENCH_DATABASE_URL"), str(workdir))
    # The app in this process (building, importing, editing between requests) and the
    # gunicorn workers count story limits in the same database.
    os.environ["REM_DATABASE_URL"] = database.url
    report = Report()
    try:
        print(f"Building the network in {database.note} ...", flush=True)
        with contextlib.redirect_stderr(io.StringIO()):  # Alembic's INFO lines
            app = make_app(database.url, str(workdir))
        import logging

        logging.disable(logging.WARNING)
        import sqlalchemy as sa

        from rem.accounts.models import User
        from rem.extensions import db

        with app.app_context():
            network = generate(sizes)
            db.session.scalar(sa.select(User.id).where(User.email == ADMIN_EMAIL))
            with db.engine.connect() as conn:
                dialect_version = (conn.exec_driver_sql("select sqlite_version()").scalar()
                                   if db.engine.dialect.name == "sqlite" else
                                   conn.exec_driver_sql("show server_version").scalar())
                dialect_version = f"{db.engine.dialect.name} {dialect_version}"
        facts = machine_facts(database.note, dialect_version)
        for name, value in facts:
            print(f"  {name}: {value}")
        print(f"  network: {network.counts} in {network.seconds:.1f} s")

        found = target_rows.run(app, network, database.url, workdir, report, args.quick)
        bench_queries(app, network, report)
        facts.append(("load average after the run",
                      " ".join(Path("/proc/loadavg").read_text().split()[:3])))
        minutes = (time.perf_counter() - begun) / 60
        print(f"\nmake bench ({dialect_version}): {minutes:.1f} minutes. Targets:")
        for target in found:
            print(f"  {'holds ' if target.held else 'MISSED'}  {target.what} "
                  f"[{target.target}]: {target.result}")
        if not args.no_write:
            write_doc(report, facts, network, minutes, found)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        database.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
