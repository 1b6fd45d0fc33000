"""`make bench`: build a national-size network and measure rem on this machine.

    .venv/bin/python benchmarks/run.py [--quick] [--no-write]

Builds the network of benchmarks/generate.py (25 hubs, 300 collaborations, 30,000
effects, plus maps of 100 to 20,000 items) in a temporary SQLite database, or in
PostgreSQL when REM_BENCH_DATABASE_URL is set, then measures:

  A. map rendering (100, 1,000 and 2,000 nodes, every layout) against plain Graphviz;
  B. the render cache: hits, the real download endpoint, and invalidation;
  C. page throughput under gunicorn (2 workers) with 20 concurrent clients;
  D. SQL statements per page at a small and a large collaboration;
  E. maps too large to draw (5,000 and 20,000 items): how fast the page answers.

Every figure is printed and written between the markers in docs/performance.md
(--no-write leaves the file alone; --quick uses smaller sizes, for trying it out).
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

from benchmarks import http_load  # noqa: E402
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

TARGET_MAP_SECONDS = 1.0
TARGET_OVERHEAD = 0.15
TARGET_CACHE_MS = 20.0
TARGET_RATIO = 0.5
TARGET_P95_MS = 200.0
CLIENTS = 20


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


# --- A. map rendering ----------------------------------------------------------------------


def bench_maps(app, network: Network, report: Report, sizes: list[int], admin_id: int) -> None:
    from rem.access import Access
    from rem.collaborations.services import by_slug
    from rem.maps import renderer
    from rem.maps.builder import build_map
    from rem.maps.filters import MapFilters

    report.heading("A. Map rendering: the app's renderer next to plain Graphviz")
    report.text(
        "Each map is built from the database once (build, not part of the comparison), then "
        "drawn as SVG through the app's renderer: `renderer.to_dot` (the DOT text, with "
        "every label escaped) plus `renderer.render` (Graphviz as a subprocess, output "
        "through a pipe). Next to it, plain Graphviz (`dot` or `twopi -Tsvg -o /dev/null` on "
        "the same DOT file) is the physical floor. Medians of 9, 5 and 3 runs, interleaved. "
        f"Targets: a 1,000-node map under {TARGET_MAP_SECONDS:g} s in every layout, and the "
        f"app at most {TARGET_OVERHEAD:.0%} slower than plain Graphviz.")
    rows = []
    workdir = Path(tempfile.mkdtemp(prefix="rem-bench-dot-"))
    access = Access(user_id=admin_id, is_admin=True)
    with app.test_request_context("/"):
        for n in sizes:
            collaboration = by_slug(network.map_slugs[n])
            started = time.perf_counter()
            ripple_map = build_map(collaboration, MapFilters(), access).map
            built = time.perf_counter() - started
            repeats = 9 if n <= 100 else 5 if n <= 1000 else 3
            for layout, engine in renderer.LAYOUTS.items():
                binary = shutil.which(renderer.PROGRAMS[engine])
                source = renderer.to_dot(ripple_map, layout)
                path = workdir / f"{n}-{layout}.dot"
                path.write_text(source, encoding="utf-8")
                # The radial map is two Graphviz runs (twopi on its tree, then drawing the
                # placed nodes): the floor is both runs, bare, on the app's own DOT.
                tree = workdir / f"{n}-{layout}-tree.dot"
                if layout == "radial":
                    tree.write_text(renderer.radial_tree_dot(ripple_map), encoding="utf-8")
                renderer.render(source, engine, "svg", 300)  # warm: fonts, plugins, caches
                dots, renders, plains, again = [], [], [], []
                for _ in range(repeats):
                    renderer._ITEM_LINES.clear()  # a first drawing: nothing remembered
                    t0 = time.perf_counter()
                    source = renderer.to_dot(ripple_map, layout)
                    t1 = time.perf_counter()
                    renderer.to_dot(ripple_map, layout)
                    again.append(time.perf_counter() - t1)
                    t1 = time.perf_counter()
                    renderer.render(source, engine, "svg", 300)
                    t2 = time.perf_counter()
                    if layout == "radial":
                        subprocess.run([shutil.which("twopi"), "-Tplain", "-o", os.devnull,
                                        str(tree)], check=True)
                    subprocess.run([binary, "-Tsvg", "-o", os.devnull, str(path)], check=True)
                    t3 = time.perf_counter()
                    dots.append(t1 - t0)
                    renders.append(t2 - t1)
                    plains.append(t3 - t2)
                total = median([d + r for d, r in zip(dots, renders, strict=True)])
                plain = median(plains)
                overhead = total / plain - 1
                redraw = (median(again) + median(renders)) / plain - 1
                rows.append([f"{len(ripple_map.nodes)}", layout, ms(built), ms(median(dots)),
                             ms(median(again)), ms(median(renders)), ms(total), ms(plain),
                             f"{overhead:+.1%}", f"{redraw:+.1%}"])
                print(f"  {n} nodes {layout}: app {total:.3f} s, plain {plain:.3f} s, "
                      f"overhead {overhead:+.1%}", flush=True)
                if n == 1000:
                    report.verdict(f"1,000-node {layout} map under {TARGET_MAP_SECONDS:g} s",
                                   total < TARGET_MAP_SECONDS, f"{total:.2f} s")
                report.verdict(f"overhead at {n} nodes, {layout}", overhead <= TARGET_OVERHEAD,
                               f"{overhead:+.1%}, to_dot {ms(median(dots))} ms")
    shutil.rmtree(workdir, ignore_errors=True)
    report.table(["nodes", "layout", "build ms", "to_dot ms", "to_dot again ms", "render ms",
                  "app total ms", "plain Graphviz ms", "overhead", "overhead, drawn again"],
                 rows)
    report.text("App total = to_dot (a first drawing: nothing remembered) + render; overhead "
                "= app total / plain Graphviz - 1, and the targets are judged on it. `to_dot "
                "again` is the same map once more: the DOT line of every item is remembered by "
                "its content, so redrawing a map after a few items changed (the usual reason "
                "Graphviz runs at all: unchanged maps come from the cache) costs little to "
                "write; `overhead, drawn again` uses that time. `render` includes starting "
                "Graphviz and reading its SVG back through a pipe (about 1 ms more than plain "
                "Graphviz writing to /dev/null). Build (loading the log and making the map) "
                "is not part of the comparison.")


# --- B. the render cache -------------------------------------------------------------------


def signed_in_client(app):
    client = app.test_client()
    page = client.get("/login").data
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
    response = client.post("/login", data={"email": ADMIN_EMAIL, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client


def timed_get(client, path: str, headers: dict | None = None) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.get(path, headers=headers or {})
    return time.perf_counter() - started, response


def bench_cache(app, network: Network, report: Report, admin_id: int) -> None:
    import sqlalchemy as sa

    from rem.access import Access
    from rem.collaborations.services import by_slug
    from rem.extensions import db
    from rem.maps import renderer
    from rem.maps.builder import build_map
    from rem.maps.cache import cache_dir, cache_key, render_cached
    from rem.maps.filters import MapFilters
    from rem.ripples.models import RippleItem

    report.heading("B. Render cache: unchanged maps from the cache, changed maps redrawn")
    report.text(
        "Rendered maps are files named by the sha256 of (cache version, engine, format, DOT "
        "text) in REM_MAP_CACHE_DIR. A hit is measured two ways: `render_cached` alone "
        "(the DOT text given: key, file read), and the real download "
        "`GET /collaborations/<slug>/map.svg` with the Flask test client, signed in "
        "(sign-in check, access rules, loading the log, building the map and its DOT text "
        f"to find the key, then the file). Medians and 95th percentiles of many calls. "
        f"Target: an unchanged map served from the cache in under {TARGET_CACHE_MS:g} ms.")
    access = Access(user_id=admin_id, is_admin=True)
    client = signed_in_client(app)
    rows = []
    targets = [(f"typical collaboration ({network.typical_items} items)",
                network.typical_slug)]
    if 1000 in network.map_slugs:
        targets.append(("1,000 items", network.map_slugs[1000]))
    for label, slug in targets:
        with app.test_request_context("/"):
            ripple_map = build_map(by_slug(slug), MapFilters(), access).map
            source = renderer.to_dot(ripple_map, "timeline")
            directory = Path(tempfile.mkdtemp(prefix="rem-bench-cache-"))
            started = time.perf_counter()
            render_cached(source, "dot", "svg", 300, directory)
            cold = time.perf_counter() - started
            hits = []
            for _ in range(300):
                started = time.perf_counter()
                render_cached(source, "dot", "svg", 300, directory)
                hits.append(time.perf_counter() - started)
            shutil.rmtree(directory, ignore_errors=True)
        path = f"/collaborations/{slug}/map.svg"
        first, response = timed_get(client, path)
        assert response.status_code == 200, (path, response.status_code)
        etag = response.headers.get("ETag")
        http = [timed_get(client, path)[0] for _ in range(40)]
        not_modified = [timed_get(client, path, {"If-None-Match": etag})[0] for _ in range(20)]
        rows.append([label, ms(cold), ms(median(hits)), ms(p95(hits)), ms(first),
                     ms(median(http)), ms(p95(http)), ms(median(not_modified))])
        report.verdict(f"cache hit via render_cached, {label}",
                       median(hits) * 1000 < TARGET_CACHE_MS, f"median {ms(median(hits))} ms")
        report.verdict(f"cache hit via GET map.svg, {label}",
                       median(http) * 1000 < TARGET_CACHE_MS, f"median {ms(median(http))} ms")
    report.table(["map", "miss (draw) ms", "render_cached hit ms", "hit p95 ms",
                  "first GET ms", "GET map.svg hit ms", "GET p95 ms", "GET 304 ms"], rows)

    # Invalidation: a changed title gives a new key and a new drawing; undoing it, the old.
    slug = network.typical_slug
    with app.test_request_context("/"):
        collaboration = by_slug(slug)
        before = cache_key(renderer.to_dot(build_map(collaboration, MapFilters(), access).map,
                                           "timeline"), "dot", "svg")
        item = db.session.scalar(sa.select(RippleItem).where(
            RippleItem.collaboration_id == collaboration.id).order_by(RippleItem.id.desc()))
        item_id, title = item.id, item.title
        item.title = title + " (bijgewerkt)"
        db.session.commit()
        after = cache_key(renderer.to_dot(build_map(by_slug(slug), MapFilters(), access).map,
                                          "timeline"), "dot", "svg")
        files_before = len(list(cache_dir().glob("*.svg")))
    changed, response = timed_get(client, f"/collaborations/{slug}/map.svg")
    with app.test_request_context("/"):
        files_after = len(list(cache_dir().glob("*.svg")))
        db.session.get(RippleItem, item_id).title = title
        db.session.commit()
        undone = cache_key(renderer.to_dot(build_map(by_slug(slug), MapFilters(), access).map,
                                           "timeline"), "dot", "svg")
    back, _response = timed_get(client, f"/collaborations/{slug}/map.svg")
    report.text(
        f"Invalidation, on the typical collaboration: key before `{before[:12]}…`; after "
        f"changing one item's title `{after[:12]}…` "
        f"({'a new key' if after != before else 'THE SAME KEY'}); "
        f"the next download drew a new map in {ms(changed)} ms and added "
        f"{files_after - files_before} file to the cache; with the old title restored the "
        f"key is `{undone[:12]}…` ({'the old key again' if undone == before else 'different'}) "
        f"and the download is a hit again ({ms(back)} ms). Any change that shows on the map "
        "(title, date, code, link, visibility, filters, language) changes the DOT text and so "
        "the key; nothing ever has to be deleted, old files are pruned by age.")
    report.verdict("a change to the data changes the key", after != before and undone == before,
                   "changed title: new key; restored: old key")


# --- C. page throughput --------------------------------------------------------------------


def find_matrix_page(app, network: Network) -> tuple[str, str] | None:
    """Return (label, path) of the exchange page with the evidence matrix, if there is one."""
    if network.exchange_id is None:
        return None
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    if "exchanges.show" not in endpoints:
        return None
    with app.test_request_context("/"):
        from flask import url_for

        path = url_for("exchanges.show", exchange_id=network.exchange_id)
    return "exchange page with the evidence matrix", path


def bench_throughput(app, network: Network, database_url: str, workdir: Path, report: Report,
                     seconds: float) -> None:
    report.heading(f"C. Page throughput: gunicorn, 2 workers, {CLIENTS} concurrent clients")
    report.text(
        "The real app runs under gunicorn on 127.0.0.1 with 2 workers of the sync class "
        "(see below for why) against the generated database, with REM_ENV=production. A Python "
        f"load generator (threads, keep-alive `http.client`) signs in through the form, then "
        f"runs {CLIENTS} clients in a closed loop (each sends its next request when the "
        f"previous answer is read) for {seconds:g} s per page after a warm-up; it shares "
        "the 2 cores with the server. /health (a minimal Flask endpoint: no sign-in, no "
        "database) is the baseline in the same run. Pages show the collaboration of median "
        f"size ({network.typical_slug}, {network.typical_items} items). Targets: every page "
        f"at least {TARGET_RATIO:.0%} of the minimal endpoint's requests per second, and a "
        f"95th percentile under {TARGET_P95_MS:g} ms.")
    slug = network.typical_slug
    pages = [
        ("minimal endpoint /health", "/health"),
        ("collaboration page (timeline)", f"/collaborations/{slug}"),
        ("map page", f"/collaborations/{slug}/map"),
        ("item page", f"/collaborations/{slug}/items/{network.sample_item_id}"),
        ("hubs overview", "/"),
        ("help page (signed in, no data: the floor of a page)", "/help/"),
    ]
    matrix = find_matrix_page(app, network)
    if matrix:
        pages.append(matrix)
    else:
        report.text("There is no exchange page with an evidence matrix in this app yet, so it "
                    "is not measured.")
    pages.append((f"timeline of the largest collaboration ({network.largest_items} items)",
                  f"/collaborations/{network.largest_slug}"))
    env = {"REM_DATABASE_URL": database_url, "REM_SECRET_KEY": "bench-" + "x" * 40,
           "REM_ENV": "production", "REM_SECURE_COOKIES": "0",
           "REM_BASE_URL": "http://127.0.0.1",
           "REM_MAP_CACHE_DIR": str(workdir / "map-cache-gunicorn"), "PYTHONUNBUFFERED": "1"}
    report.text(
        "Two runs. **As deployed**: unchanged pages come from each worker's page memory "
        "(rem/core/pagecache.py: per person, language and path, under the database's change "
        "count; a fresh CSRF token goes in). All clients here are one person looking at one "
        "page that does not change, so after the first request every answer comes from "
        "memory: the figures of a projector or a page reloaded while nobody writes. "
        "**Made afresh** (`REM_PAGE_CACHE_MB=0`): every request renders the page, as the "
        "first view of each person after any change does, e.g. during a live session "
        "where stories come in all the time. The targets are judged on the first run; the "
        "second shows what a page costs to make.")
    results = _throughput_run(env, workdir / "gunicorn.log", pages, seconds, report)
    baseline = results.get("minimal endpoint /health")
    rows = []
    for label, result in results.items():
        ratio = result.rps / baseline.rps if baseline and baseline.rps else float("nan")
        rows.append(_throughput_row(label, result, ratio))
        if "help page" in label:
            continue
        if result is not baseline and "largest" not in label:
            report.verdict(f"{label}: ≥ {TARGET_RATIO:.0%} of /health's throughput",
                           ratio >= TARGET_RATIO, f"{ratio:.0%}")
        if "largest" not in label:
            report.verdict(f"{label}: p95 under {TARGET_P95_MS:g} ms",
                           result.p95 < TARGET_P95_MS, f"{result.p95:.0f} ms")
    report.text("As deployed (unchanged pages from memory):")
    report.table(_THROUGHPUT_HEADERS, rows)
    fresh_env = {**env, "REM_PAGE_CACHE_MB": "0"}
    fresh = _throughput_run(fresh_env, workdir / "gunicorn-fresh.log",
                            [p for p in pages if "help page" not in p[0]], seconds * 0.75,
                            None)
    fresh_base = fresh.get("minimal endpoint /health")
    report.text("Made afresh (`REM_PAGE_CACHE_MB=0`, every request renders; no verdicts):")
    report.table(_THROUGHPUT_HEADERS, [
        _throughput_row(label, result, result.rps / fresh_base.rps if fresh_base else 0)
        for label, result in fresh.items()])
    report.text(
        "Worker CPU per request is the CPU time gunicorn's workers used during the run "
        "(from /proc) divided by the requests they answered; it hardly depends on other work "
        "on the machine, unlike requests per second. `2 idle cores` = 2,000 ms / that: what "
        "two cores could serve if nothing else ran (the load generator needs some too). "
        f"With {CLIENTS} clients always waiting, the median wait is about {CLIENTS} × CPU "
        "per request / 2 cores, so a p95 under 200 ms needs a page of well under 20 ms CPU.")
    bench_worker_classes(fresh_env, workdir, report, pages[:3], seconds)


_THROUGHPUT_HEADERS = ["page", "req/s", "of /health", "p50 ms", "p95 ms", "p99 ms", "errors",
                       "worker CPU ms/req", "2 idle cores: req/s", "KiB/answer", "load (1 min)"]


def _throughput_row(label: str, result, ratio: float) -> list[str]:
    return [label, f"{result.rps:.0f}", f"{ratio:.0%}", f"{result.p50:.1f}",
            f"{result.p95:.1f}", f"{result.p99:.1f}", str(result.errors),
            f"{result.cpu_ms:.1f}", f"{2000 / result.cpu_ms:.0f}",
            f"{result.bytes / max(1, result.requests) / 1024:.0f}", result.load]


def _throughput_run(env: dict, log: Path, pages, seconds: float, report: Report | None):
    """Drive each page on a new gunicorn server; return the results by label."""
    results = {}
    server = http_load.start_server(env, log)
    try:
        if report is not None:
            report.text("Command: `" + " ".join(
                ["gunicorn", *server.command[3:]]).replace(f":{server.port}", ":<port>") + "` "
                "(the sync class answers each request on a new connection; the load "
                "generator reconnects as a proxy would)")
        cookie = http_load.sign_in(server.port, ADMIN_EMAIL, PASSWORD)
        fresh = env.get("REM_PAGE_CACHE_MB") == "0"
        for label, path in pages:
            status, _headers, _body = http_load.request(server.port, "GET", path,
                                                        headers={"Cookie": cookie})
            if status != 200:
                if report is not None:
                    report.text(f"{label}: {path} answered {status}; not measured.")
                continue
            cpu_before = server.cpu_seconds()
            result = http_load.drive(server.port, path, cookie, CLIENTS, seconds)
            result.cpu_ms = ((server.cpu_seconds() - cpu_before) * 1000
                             / max(1, result.requests + result.warmup_requests))
            result.load = load_average()
            results[label] = result
            print(f"  {'made afresh, ' if fresh else ''}{label}: {result.rps:.0f} req/s, "
                  f"p50 {result.p50:.1f} ms, p95 {result.p95:.1f} ms, errors {result.errors}, "
                  f"load {result.load}", flush=True)
    finally:
        server.stop()
    return results


def bench_worker_classes(env: dict, workdir: Path, report: Report, pages, seconds: float) -> None:
    report.text(
        "Why sync workers: the same pages under the gthread class (2 workers with 4 threads "
        "each, keep-alive), for comparison. rem's pages are CPU work in Python; threads of "
        "one worker share one interpreter lock, so they add no throughput, and while they "
        "take turns every request waits longer: the 95th percentile comes out 30-100 % longer "
        "than with sync workers, whose requests the kernel hands out in order. What "
        "threads would help with, waiting for Graphviz or a remote database, the deployment "
        "covers with more sync workers than cores (docs/deployment.md).")
    rows = []
    server = http_load.start_server(env, workdir / "gunicorn-gthread.log",
                                    worker_class="gthread", threads=4)
    try:
        cookie = http_load.sign_in(server.port, ADMIN_EMAIL, PASSWORD)
        for label, path in pages:
            http_load.request(server.port, "GET", path, headers={"Cookie": cookie})
            result = http_load.drive(server.port, path, cookie, CLIENTS, seconds * 0.6)
            rows.append([label, f"{result.rps:.0f}", f"{result.p50:.1f}", f"{result.p95:.1f}",
                         str(result.errors)])
            print(f"  gthread, {label}: {result.rps:.0f} req/s, p95 {result.p95:.1f} ms",
                  flush=True)
    finally:
        server.stop()
    report.table(["page (gthread: 2 workers × 4 threads)", "req/s", "p50 ms", "p95 ms",
                  "errors"], rows)


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


# --- E. big maps ---------------------------------------------------------------------------


def bench_big_maps(app, network: Network, report: Report) -> None:
    report.heading("E. Maps too large to draw: 5,000 and 20,000 items")
    limit = app.config["REM_MAP_MAX_NODES"]
    report.text(
        f"Maps with more than REM_MAP_MAX_NODES = {limit} items are never sent to Graphviz "
        f"(which would need minutes, far past REM_DOT_TIMEOUT = "
        f"{app.config['REM_DOT_TIMEOUT']:g} s, and gunicorn's 60 s). The map page answers "
        "with a message and a summarised map: the items collapsed into one node per period "
        "and code (activities per period), with the links between groups counted. The "
        "download of a full drawing answers 503 with the same message. Times with the Flask "
        "test client, signed in; medians of 3.")
    client = signed_in_client(app)
    rows = []
    for n in (5000, 20000):
        slug = network.map_slugs.get(n)
        if not slug:
            continue
        for label, path in (("map page", f"/collaborations/{slug}/map"),
                            ("map page, radial", f"/collaborations/{slug}/map?layout=radial"),
                            ("map.svg download", f"/collaborations/{slug}/map.svg"),
                            ("map.dot download", f"/collaborations/{slug}/map.dot")):
            times, response = [], None
            for _ in range(3):
                elapsed, response = timed_get(client, path)
                times.append(elapsed)
            body = response.data
            summary = b'class="summary-table"' in body and b"summary&#45;g" in body
            message = b"te groot" in body
            rows.append([f"{n}", label, str(response.status_code), ms(median(times)),
                         f"{len(body) / 1024:.0f}",
                         "yes" if message else "no", "yes" if summary else "no"])
            print(f"  {n} items, {label}: {response.status_code} in {median(times):.2f} s",
                  flush=True)
            if label == "map page":
                report.verdict(f"{n}-item map page answers within REM_DOT_TIMEOUT",
                               median(times) < app.config["REM_DOT_TIMEOUT"],
                               f"{median(times):.2f} s, message: {message}, "
                               f"summarised map: {summary}")
    report.table(["items", "request", "status", "ms", "KiB", "message", "summarised map"],
                 rows)


# --- the whole run -------------------------------------------------------------------------


# --- F. ripple analysis ----------------------------------------------------------------------


def bench_analysis(app, network: Network, report: Report, repeat: int = 5) -> None:
    """Time the analysis summary and influence ranking of a hub of exactly 10,000 effects
    (the target) and of hub-1, the largest hub (it also holds the big map collaborations);
    benchmarks/analysis.py has the details."""
    from benchmarks.analysis import TARGET_MS, build_and_measure, measure

    report.heading("F. Ripple analysis: a hub of 10,000 effects, and the largest hub")
    report.text(
        "Summary (grouped counts) and influence ranking (reach over the link graph), "
        "through the service and through the page, signed in as administrator. After a "
        "change: before each call one item of the next collaboration is edited and "
        "committed, so that collaboration's part is made again (parts are remembered per "
        "collaboration); data unchanged: every later request; memo empty: the first "
        "request of a process that just started (no target). The target (under 200 ms) is "
        "judged on the first two, for a hub of "
        "exactly 10,000 effects, built for this section in a database of its own "
        "(`python -m benchmarks.analysis`, 9 timed calls each); hub-1 of the network, the "
        "largest hub, is shown below it for scale.")
    rows, counts = build_and_measure(10_000, 100, 9, progress=lambda text: None)
    report.table(["what (hub of 10,000 effects)", "median ms", "p95 ms", "note"],
                 [[what, f"{med:.1f}", f"{p95:.1f}", note] for what, med, p95, note in rows])
    for label, match in (("data unchanged", "unchanged"),
                         ("after a change in one collaboration", "after a change")):
        worst = max(p95 for what, _med, p95, _note in rows if match in what)
        report.verdict(f"analysis of a 10,000-effect hub: p95 under {TARGET_MS:.0f} ms "
                       f"({label})", worst < TARGET_MS, f"worst p95 {worst:.0f} ms")
    rows = measure(app, "hub-1", repeat)
    report.table(["what (hub-1, the largest hub)", "median ms", "p95 ms", "note"],
                 [[what, f"{med:.1f}", f"{p95:.1f}", note] for what, med, p95, note in rows])


def write_doc(report: Report, facts: list[tuple[str, str]], network: Network,
              minutes: float) -> None:
    held = sum(1 for _n, ok, _d in report.verdicts if ok)
    lines = [START, "", f"## Latest run: {facts[0][1]}", "",
             f"`make bench` took {minutes:.1f} minutes. {held} of {len(report.verdicts)} "
             "targets hold; the ones that do not are marked **missed** below.", "",
             "| | |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in facts]
    lines += ["", "The network: " + ", ".join(f"{v:,} {k}" for k, v in network.counts.items())
              + f", built in {network.seconds:.1f} s ({network.logbook}; {network.exchange})."]
    lines += report.markdown
    lines += ["", "### Targets", "", "| target | result | |", "|---|---|---|"]
    lines += [f"| {name} | {detail} | {'holds' if ok else '**missed**'} |"
              for name, ok, detail in report.verdicts]
    lines += ["", END]
    section = "\n".join(lines) + "\n"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        text = head + section.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text, encoding="utf-8")
    print(f"\nWrote the figures into {DOC.relative_to(ROOT)}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, short runs")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    parser.add_argument("--seconds", type=float, default=None,
                        help="load per page in section C (default 8, --quick 3)")
    args = parser.parse_args(argv)
    begun = time.perf_counter()
    sizes = (Sizes(collaborations=40, effects=4000, map_sizes=(100, 1000, 5000))
             if args.quick else Sizes())
    seconds = args.seconds or (3.0 if args.quick else 8.0)
    workdir = Path(tempfile.mkdtemp(prefix="rem-bench-"))
    database = prepare_database(os.environ.get("REM_BENCH_DATABASE_URL"), str(workdir))
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
            admin_id = db.session.scalar(sa.select(User.id).where(User.email == ADMIN_EMAIL))
            with db.engine.connect() as conn:
                dialect_version = (conn.exec_driver_sql("select sqlite_version()").scalar()
                                   if db.engine.dialect.name == "sqlite" else
                                   conn.exec_driver_sql("show server_version").scalar())
                dialect_version = f"{db.engine.dialect.name} {dialect_version}"
        facts = machine_facts(database.note, dialect_version)
        for name, value in facts:
            print(f"  {name}: {value}")
        print(f"  network: {network.counts} in {network.seconds:.1f} s")
        print(f"  {network.logbook}; {network.exchange}")
        map_sizes = [n for n in (100, 1000, 2000) if n in network.map_slugs]
        bench_maps(app, network, report, map_sizes, admin_id)
        bench_cache(app, network, report, admin_id)
        bench_throughput(app, network, database.url, workdir, report, seconds)
        bench_queries(app, network, report)
        bench_big_maps(app, network, report)
        bench_analysis(app, network, report)
        minutes = (time.perf_counter() - begun) / 60
        print(f"\nmake bench: {minutes:.1f} minutes. Targets:")
        for name, ok, detail in report.verdicts:
            print(f"  {'holds ' if ok else 'MISSED'}  {name}: {detail}")
        if not args.no_write:
            write_doc(report, facts, network, minutes)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        database.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
