"""The targets of `make bench`: what a person waits for, each against its floor in one run.

Every row is a whole HTTP request to rem under gunicorn (4 sync workers, as
docs/deployment.md recommends, REM_ENV=production); rem remembers no pages, so every
page is made afresh. Floors,
measured in the same run on the same machine:

- maps: bare Graphviz (`dot`, or for the radial map `twopi` on its tree plus `neato -n2`)
  on the app's own DOT, downloaded from the app (map.dot) in the same state;
- throughput: a one-route Flask app (benchmarks/bare_app.py) under the same gunicorn
  settings, not a route of rem.

Worker CPU per request (from /proc, Graphviz included where the workers ran it) is reported
beside wall time: the machine is shared, and wall time moves with the load average.
"""

from __future__ import annotations

import http.client
import os
import re
import resource
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from benchmarks import http_load
from benchmarks.generate import ADMIN_EMAIL, PASSWORD

WORKERS = 4
CLIENTS = 20
PARTICIPANTS = 30
STORIES_EACH = 5
INBOX_STORIES = 500

CSRF_RE = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')
KEY_RE = re.compile(rb'name="key" value="([^"]+)"')
TAG_RE = re.compile(rb'inbox/list\?[^"]*?v=([0-9a-f]+)')


def load_average() -> str:
    """Return the 1-minute load average (other work on the machine moves wall times)."""
    return f"{os.getloadavg()[0]:.2f}"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


# --- a client with cookies (one person's browser or phone) ---------------------------------


class Browser:
    """Cookies and one request per connection (sync workers close it, as a proxy would)."""

    def __init__(self, port: int):
        self.port = port
        self.jar: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None,
                headers: dict | None = None) -> tuple[int, dict, bytes, float]:
        body = urlencode(data, doseq=True).encode() if data is not None else None
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.jar.items()),
                "Accept-Encoding": "identity", **(headers or {})}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            answer = response.read()
        finally:
            conn.close()
        elapsed = time.perf_counter() - started
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = value.partition("=")
            self.jar[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, answer, elapsed

    def get(self, path: str, headers: dict | None = None):
        return self.request("GET", path, headers=headers)

    def sign_in(self, email: str, password: str) -> None:
        _s, _h, page, _t = self.get("/login")
        status, _h, _b, _t = self.request("POST", "/login", {
            "email": email, "password": password,
            "csrf_token": CSRF_RE.search(page).group(1).decode()})
        if status != 302:
            raise RuntimeError(f"sign-in refused ({status})")


# --- the report rows -----------------------------------------------------------------------


@dataclass
class Target:
    """One row of the issue's target table, for one database."""

    what: str
    target: str
    result: str
    held: bool
    detail: list[str] = field(default_factory=list)


# --- setup ---------------------------------------------------------------------------------


def server_env(database_url: str, workdir: Path) -> dict[str, str]:
    return {"REM_DATABASE_URL": database_url, "REM_SECRET_KEY": "bench-" + "x" * 40,
            "REM_ENV": "production", "REM_SECURE_COOKIES": "0",
            "REM_BASE_URL": "http://127.0.0.1",
            "REM_MAP_CACHE_DIR": str(workdir / "map-cache-targets"), "PYTHONUNBUFFERED": "1"}


def touch_item(app, slug: str, round_: int) -> None:
    """Change one item's title in the collaboration ``slug`` (as an edit would): every
    drawing and remembered result of it is then out of date."""
    import sqlalchemy as sa

    from rem.collaborations.models import Collaboration
    from rem.core.database import utcnow
    from rem.extensions import db
    from rem.ripples.models import RippleItem

    with app.app_context():
        collaboration_id = db.session.scalar(
            sa.select(Collaboration.id).where(Collaboration.slug == slug))
        item = db.session.scalar(sa.select(RippleItem).where(
            RippleItem.collaboration_id == collaboration_id, RippleItem.kind == "effect")
            .order_by(RippleItem.id.desc()))
        item.title = re.sub(r" \(ronde \d+\)$", "", item.title) + f" (ronde {round_})"
        item.version += 1
        item.updated_at = utcnow()
        db.session.commit()
        db.session.remove()


def import_ripplefx(app, nodes: int = 1000, seed: int = 7) -> str:
    """Write a RippleFX nodes/relationships pair in that tool's own shape (Graphviz shapes
    and colours, dd/mm/yyyy dates, free attributes) and import it with rem's importer
    into a new collaboration; return its slug. A second source of a 1,000-node map, so
    that the generator is not the only one: a wider tree, other words, longer names."""
    import csv
    import io
    import random

    import sqlalchemy as sa

    from rem.collaborations.models import Collaboration
    from rem.extensions import db
    from rem.hubs.models import Hub
    from rem.interchange.imports import ImportOptions, run_import
    from rem.interchange.imports.base import UploadedFile

    rng = random.Random(seed)
    verbs = ["Bewoners van", "Het jongerenwerk in", "De huisartsenpraktijk van",
             "Vrijwilligers uit", "De bibliotheek van", "Ondernemers rond het plein in"]
    deeds = ["organiseren zelf een maandelijkse ontmoeting", "vragen eerder om hulp bij geldzorgen",
             "houden een moestuin bij met de basisschool", "nemen contact op met het wijkteam",
             "zetten een belcirkel op voor ouderen die alleen wonen",
             "delen ervaringen in een appgroep van de straat"]
    places = ["Kampen", "Dokkum", "Borne", "Schagen", "Ede-Noord", "Vaals", "Urk", "Goes"]
    rows, links = [], []
    activities = max(8, nodes // 15)
    for n in range(nodes):
        if n < activities:
            name = f"Bijeenkomst {n + 1}: {rng.choice(deeds)} ({rng.choice(places)})"
            shape, fill = "box", "#8fbc8f"
        else:
            name = f"{rng.choice(verbs)} {rng.choice(places)} {rng.choice(deeds)} [{n}]"
            shape, fill = "ellipse", "#ffd966"
            for cause in rng.sample(range(max(0, n - 120), n), k=min(n, rng.choice(
                    [1, 1, 1, 2, 2, 3]))):
                links.append((rows[cause][2], name))
        day = date(2021, 1, 1).toordinal() + (n * 1400) // nodes + rng.randrange(30)
        rows.append([shape, "name", name, "date", date.fromordinal(day).strftime("%d/%m/%Y"),
                     "fillcolor", fill, "bron", rng.choice(["interview", "groepsgesprek"])])
    nodes_csv, links_csv = io.StringIO(), io.StringIO()
    writer = csv.writer(nodes_csv)
    writer.writerow(["type", "attribute_label_1", "value_1", "attribute_label_2", "value_2",
                     "attribute_label_3", "value_3", "attribute_label_4", "value_4"])
    writer.writerows(rows)
    writer = csv.writer(links_csv)
    writer.writerow(["match id 1", "match id 2"])
    writer.writerows(links)
    with app.test_request_context("/"):
        hub = db.session.scalar(sa.select(Hub).order_by(Hub.id))
        collaboration = Collaboration(hub_id=hub.id, slug="ripplefx-import",
                                      name="Geïmporteerd uit RippleFX", region="Meta-REM")
        db.session.add(collaboration)
        db.session.commit()
        result = run_import(collaboration, [
            UploadedFile("nodes.csv", nodes_csv.getvalue().encode()),
            UploadedFile("relationships.csv", links_csv.getvalue().encode())],
            ImportOptions(format="ripplefx"), commit=True)
        if not result.ok:
            raise RuntimeError(f"RippleFX import refused: {result.blocking[:3]}")
        db.session.commit()
        db.session.remove()
    return "ripplefx-import"


# --- rows ----------------------------------------------------------------------------------


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bare_graphviz(app, browser: Browser, slug: str, layout: str, workdir: Path
                  ) -> tuple[float, float]:
    """Run bare Graphviz on the app's own DOT of this map as it is now; return wall and
    CPU seconds (for the radial map: twopi on its tree plus neato on the placed nodes)."""
    from rem.access import Access
    from rem.collaborations.services import by_slug
    from rem.maps import renderer
    from rem.maps.builder import build_map
    from rem.maps.filters import MapFilters

    status, _h, source, _t = browser.get(f"/collaborations/{slug}/map.dot?layout={layout}")
    assert status == 200, status
    path = workdir / f"{slug}-{layout}.dot"
    path.write_bytes(source)
    runs = []
    if layout == "radial":
        with app.test_request_context("/"):
            ripple_map = build_map(by_slug(slug), MapFilters(),
                                   Access(user_id=None, is_admin=True)).map
            tree = workdir / f"{slug}-tree.dot"
            tree.write_text(renderer.radial_tree_dot(ripple_map), encoding="utf-8")
        runs.append([shutil.which("twopi"), "-Tplain", "-o", os.devnull, str(tree)])
        runs.append([shutil.which("neato"), "-Tsvg", "-o", os.devnull, str(path)])
    else:
        runs.append([shutil.which("dot"), "-Tsvg", "-o", os.devnull, str(path)])
    cpu, started = _children_cpu(), time.perf_counter()
    for command in runs:
        subprocess.run(command, check=True)
    return time.perf_counter() - started, _children_cpu() - cpu


def maps_first_view(app, server, browser: Browser, slugs: dict[str, str], workdir: Path,
                    quick: bool) -> tuple[list[Target], list[list[str]]]:
    """First view of map.svg after an edit, whole request, against bare Graphviz."""
    rows, targets = [], []
    round_ = 0
    cookie = "; ".join(f"{k}={v}" for k, v in browser.jar.items())
    for label, slug in slugs.items():
        nodes = int(re.search(r"(\d[\d,]*)", label).group(1).replace(",", ""))
        repeats = (3 if quick else 5) if nodes >= 1000 else (5 if quick else 9)
        for layout in ("timeline", "radial"):
            path = f"/collaborations/{slug}/map.svg?layout={layout}"
            # A worker's first drawing of this map: new workers (as after a deploy), an
            # edit, one request. Shown beside the target, which is the map in use.
            server.fresh_workers(WORKERS)
            round_ += 1
            touch_item(app, slug, round_)
            before = server.cpu_seconds(children=True)
            status, _h, _body, fresh_wall = browser.get(path)
            time.sleep(0.05)
            fresh_cpu = server.cpu_seconds(children=True) - before
            assert status == 200, (path, status)
            # Every worker draws the map once before the edits, as when a map is in use
            # (a projector, a group at the wall): after an edit, clients at once, so that
            # each worker misses the render cache and draws it. What a worker keeps of a
            # drawing (tooltips, DOT lines, time orders, routes) serves the next one.
            round_ += 1
            touch_item(app, slug, round_)
            http_load.drive(server.port, path, cookie, 2 * WORKERS, 2.0, warmup=0.0)
            walls, cpus, floors, floor_cpus = [], [], [], []
            for _ in range(repeats):
                round_ += 1
                touch_item(app, slug, round_)
                before = server.cpu_seconds(children=True)
                status, _h, body, elapsed = browser.get(path)
                # /proc counts whole clock ticks: read again after the worker settled.
                time.sleep(0.05)
                cpus.append(server.cpu_seconds(children=True) - before)
                assert status == 200 and b"<svg" in body, (path, status)
                walls.append(elapsed)
                wall, cpu = bare_graphviz(app, browser, slug, layout, workdir)
                floors.append(wall)
                floor_cpus.append(cpu)
            ratio = median(walls) / median(floors)
            cpu_ratio = median(cpus) / median(floor_cpus) if median(floor_cpus) else float("nan")
            rows.append([label, layout, ms(median(walls)), ms(median(floors)), f"{ratio:.2f}×",
                         ms(median(cpus)), ms(median(floor_cpus)), f"{cpu_ratio:.2f}×",
                         f"{ms(fresh_wall)} ({ms(fresh_cpu)})", load_average()])
            print(f"  {label} {layout}: request {ms(median(walls))} ms, bare Graphviz "
                  f"{ms(median(floors))} ms, {ratio:.2f}×", flush=True)
            if nodes >= 1000:
                targets.append(Target(f"first view of {label} map.svg ({layout})",
                                      "≤ 1.15× bare Graphviz", f"{ratio:.2f}× "
                                      f"({ms(median(walls))} / {ms(median(floors))} ms; CPU "
                                      f"{cpu_ratio:.2f}×)", ratio <= 1.15))
            else:
                targets.append(Target(f"first view of {label} map.svg ({layout})",
                                      "≤ 1.2× bare Graphviz and < 150 ms",
                                      f"{ratio:.2f}×, {ms(median(walls))} ms (bare "
                                      f"{ms(median(floors))} ms; CPU {cpu_ratio:.2f}×)",
                                      ratio <= 1.2 and median(walls) < 0.150))
    return targets, rows


MAP_HEADERS = ["map", "layout", "request ms", "bare Graphviz ms", "ratio",
               "request CPU ms", "bare CPU ms", "CPU ratio",
               "a new worker's first drawing: ms (CPU ms)", "load"]


def _closed_loop(port: int, path: str, cookie: str, seconds: float, server) -> tuple:
    before = server.cpu_seconds()
    result = http_load.drive(port, path, cookie, CLIENTS, seconds, warmup=1.0)
    cpu_ms = (server.cpu_seconds() - before) * 1000 / max(1, result.requests
                                                          + result.warmup_requests)
    return result, cpu_ms


def typical_pages(app, server, bare, browser: Browser, pages: dict[str, str], slug: str,
                  seconds: float) -> tuple[list[Target], list[list[str]]]:
    """Worker CPU of a page made afresh (each request after an edit), and the p95 of 20
    clients that never pause, next to a one-route Flask app under the same settings."""
    rows, targets = [], []
    cookie = "; ".join(f"{k}={v}" for k, v in browser.jar.items())
    base, base_cpu = _closed_loop(bare.port, "/health", "", seconds, bare)
    rows.append(["bare one-route Flask app", "—", "—", f"{base.rps:.0f}", f"{base.p50:.1f}",
                 f"{base.p95:.1f}", f"{base_cpu:.2f}", str(base.errors), load_average()])
    for n, (label, path) in enumerate(pages.items()):
        # The clients first: their warm-up second gives every worker the page once, so
        # that the figures below leave out a worker's first page (compiling its templates
        # and statements: 25-70 ms once per worker and page), which no edit brings back.
        result, cpu = _closed_loop(server.port, path, cookie, seconds, server)
        browser.get(path)
        cpu_before, walls, count = server.cpu_seconds(children=True), [], 12
        for k in range(count):
            touch_item(app, slug, 1000 + n * 100 + k)
            status, _h, _b, elapsed = browser.get(path)
            assert status == 200, (path, status)
            walls.append(elapsed)
        time.sleep(0.05)
        fresh_cpu = (server.cpu_seconds(children=True) - cpu_before) * 1000 / count
        rows.append([label, f"{fresh_cpu:.1f}", ms(median(walls)), f"{result.rps:.0f}",
                     f"{result.p50:.1f}", f"{result.p95:.1f}", f"{cpu:.1f}",
                     str(result.errors), load_average()])
        print(f"  {label}: afresh {fresh_cpu:.1f} ms CPU; {CLIENTS} clients: {result.rps:.0f} "
              f"req/s, p95 {result.p95:.0f} ms", flush=True)
        targets.append(Target(f"{label}, made afresh", "≤ 8 ms worker CPU",
                              f"{fresh_cpu:.1f} ms CPU", fresh_cpu <= 8.0))
        targets.append(Target(f"{label}, {CLIENTS} clients that never pause",
                              "p95 < 200 ms", f"{result.p95:.0f} ms ({result.rps:.0f} req/s; "
                              f"bare Flask {base.rps:.0f})", result.p95 < 200 and not
                              result.errors))
    return targets, rows


PAGE_HEADERS = ["page", "afresh CPU ms/req", "afresh wall ms", f"{CLIENTS} clients req/s",
                "p50 ms", "p95 ms", "CPU ms/req under load", "errors", "load"]


def timeline_ratio(app, server, browser: Browser, small: str, large: str,
                   sizes: tuple[int, int]) -> tuple[Target, list[list[str]]]:
    """Worker CPU of the timeline page of a large and a 1,000-item collaboration: while the
    log stays the same, and the first view after a change."""
    rows, cpu = [], {}
    cookie = "; ".join(f"{k}={v}" for k, v in browser.jar.items())
    for slug, size in ((small, sizes[0]), (large, sizes[1])):
        path = f"/collaborations/{slug}"
        # A worker works the log's time order out once per state of the log and keeps it
        # (in the process): a second of clients gives every worker the page, as an open
        # timeline in use does; the first view after a change is measured below.
        http_load.drive(server.port, path, cookie, CLIENTS, 1.0, warmup=0.5)
        before, walls, count = server.cpu_seconds(), [], 15
        for _ in range(count):
            status, _h, _b, elapsed = browser.get(path)
            assert status == 200
            walls.append(elapsed)
        time.sleep(0.05)
        cpu[size] = (server.cpu_seconds() - before) * 1000 / count
        before, changed_walls, changes = server.cpu_seconds(), [], 6
        for k in range(changes):
            touch_item(app, slug, 3000 + k)
            status, _h, _b, elapsed = browser.get(path)
            assert status == 200
            changed_walls.append(elapsed)
        time.sleep(0.05)
        changed_cpu = (server.cpu_seconds() - before) * 1000 / changes
        rows.append([f"timeline, {size:,} items", f"{cpu[size]:.1f}", ms(median(walls)),
                     ms(p95(walls)), f"{changed_cpu:.1f}", ms(median(changed_walls)),
                     load_average()])
    ratio = cpu[sizes[1]] / cpu[sizes[0]]
    return Target(f"timeline of {sizes[1]:,} items against {sizes[0]:,}", "≤ 1.5×",
                  f"{ratio:.2f}× CPU ({cpu[sizes[1]]:.1f} / {cpu[sizes[0]]:.1f} ms)",
                  ratio <= 1.5), rows


TIMELINE_HEADERS = ["page", "worker CPU ms/req", "p50 ms", "p95 ms",
                    "after a change: CPU ms", "after a change: ms", "load"]


def searches(server, browser: Browser, collaboration: str, size: int
             ) -> tuple[list[Target], list[list[str]]]:
    """The search box: inside one large collaboration, and over the whole network."""
    rows, targets = [], []
    words = ["vrijwilligers", "gemeente financiering", "buurtbewoners initiatief", "mantelzorg",
             "jongeren", "dorpshuis"]
    for label, extra in ((f"inside one collaboration of {size:,} items",
                          f"&collaboration={collaboration}"), ("over the whole network", "")):
        walls = []
        before = server.cpu_seconds()
        for _ in range(3):
            for word in words:
                status, _h, _b, elapsed = browser.get(f"/search?q={word.replace(' ', '+')}"
                                                      + extra)
                assert status == 200, status
                walls.append(elapsed)
        time.sleep(0.05)
        cpu = (server.cpu_seconds() - before) * 1000 / len(walls)
        rows.append([f"search {label}", ms(median(walls)), ms(p95(walls)), f"{cpu:.1f}",
                     load_average()])
        targets.append(Target(f"search {label}", "< 100 ms",
                              f"p50 {ms(median(walls))} ms, p95 {ms(p95(walls))} ms, "
                              f"{cpu:.1f} ms CPU", p95(walls) < 0.100))
    return targets, rows


def _new_workshop(app, slug: str, title: str) -> tuple[int, str]:
    import sqlalchemy as sa

    from rem.collaborations.models import Collaboration
    from rem.extensions import db
    from rem.workshops import services

    with app.test_request_context("/"):
        collaboration = db.session.scalar(
            sa.select(Collaboration).where(Collaboration.slug == slug))
        workshop = services.create_workshop(collaboration, services.WorkshopInput(
            title=title, held_on=date.today(), focus_question="Wat is er veranderd?"))
        db.session.commit()
        result = workshop.id, workshop.code
        db.session.remove()
    return result


class Phone(Browser):
    """A participant: joins with the code, then sends stories."""

    def join(self, code: str, name: str) -> bytes:
        _s, _h, page, _t = self.get(f"/join/{code}")
        status, headers, _b, _t = self.request("POST", f"/join/{code}", {
            "csrf_token": CSRF_RE.search(page).group(1).decode(), "first_name": name,
            "role": "citizen"})
        assert status == 302, status
        _s, _h, page, _t = self.get(headers["Location"])
        return page

    def send(self, code: str, page: bytes, text: str) -> tuple[float, bytes]:
        data = {"csrf_token": CSRF_RE.search(page).group(1).decode(),
                "key": KEY_RE.search(page).group(1).decode(), "text": text,
                "for_whom": "buren", "year": "2025", "period": "q1", "intended": "yes",
                "valence": "positive", "grew_from": ""}
        status, headers, _b, elapsed = self.request("POST", f"/join/{code}/story", data)
        assert status == 302, status
        _s, _h, page, _t = self.get(headers["Location"])
        return elapsed, page


def stories(app, server, browser: Browser, slug: str) -> tuple[list[Target], list[list[str]]]:
    """A story sent from a phone: alone, then 30 participants × 5 stories at once while
    the projector and the inbox poll; then every story counted in the database."""
    import sqlalchemy as sa

    rows, targets = [], []
    session_id, code = _new_workshop(app, slug, "Verhalen meten")
    base = f"/collaborations/{slug}/sessions/{session_id}"
    phone = Phone(server.port)
    page = phone.join(code, "Alleen")
    alone = []
    before = server.cpu_seconds()
    for n in range(10):
        elapsed, page = phone.send(code, page, f"Alleen verteld verhaal {n}: er kwam een "
                                               "buurvrouw langs die anders thuis was gebleven.")
        alone.append(elapsed)
    time.sleep(0.05)
    cpu_alone = (server.cpu_seconds() - before) * 1000 / (2 * len(alone))
    rows.append(["one participant alone (10 stories)", ms(median(alone)), ms(p95(alone)),
                 f"{cpu_alone:.1f}", "—", load_average()])
    targets.append(Target("a story sent from a phone, alone", "p50 < 50 ms",
                          f"p50 {ms(median(alone))} ms", median(alone) < 0.050))

    stop = threading.Event()
    polls: list[float] = []

    def watch(path: str) -> None:
        viewer = Browser(server.port)
        viewer.jar = dict(browser.jar)
        while not stop.is_set():
            _s, _h, _b, elapsed = viewer.get(path)
            polls.append(elapsed)
            stop.wait(1.0)

    watchers = [threading.Thread(target=watch, args=(base + "/projector",), daemon=True),
                threading.Thread(target=watch, args=(base + "/inbox/list?show=new",),
                                 daemon=True)]
    for thread in watchers:
        thread.start()
    posts: list[float] = []
    problems: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(PARTICIPANTS)

    def participant(n: int) -> None:
        try:
            phone = Phone(server.port)
            page = phone.join(code, f"Deelnemer {n}")
            barrier.wait(120)
            for s in range(STORIES_EACH):
                elapsed, page = phone.send(code, page, f"Verhaal [p{n:02d}-s{s}]: in de straat "
                                                       "helpen buren elkaar nu vaker.")
                with lock:
                    posts.append(elapsed)
        except Exception as exc:  # noqa: BLE001 - counted and reported
            with lock:
                problems.append(f"{type(exc).__name__}: {exc}")

    before = server.cpu_seconds()
    started = time.perf_counter()
    threads = [threading.Thread(target=participant, args=(n,), daemon=True)
               for n in range(PARTICIPANTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    room = time.perf_counter() - started
    stop.set()
    for thread in watchers:
        thread.join(10)
    from rem.extensions import db
    from rem.workshops.models import WorkshopStory

    with app.app_context():
        texts = list(db.session.scalars(sa.select(WorkshopStory.text)
                                        .where(WorkshopStory.session_id == session_id)))
        db.session.remove()
    found = [m.group(0) for t in texts if (m := re.search(r"\[p\d\d-s\d\]", t))]
    expected = {f"[p{n:02d}-s{s}]" for n in range(PARTICIPANTS) for s in range(STORIES_EACH)}
    lost = len(expected - set(found))
    doubled = len(found) - len(set(found))
    rows.append([f"{PARTICIPANTS} participants × {STORIES_EACH} stories, projector and inbox "
                 f"open ({room:.1f} s)", ms(median(posts)), ms(p95(posts)),
                 f"{(server.cpu_seconds() - before) * 1000 / max(1, 2 * len(posts)):.1f}",
                 f"lost {lost}, doubled {doubled}, errors {len(problems)}", load_average()])
    targets.append(Target(f"a story from a phone, {PARTICIPANTS} × {STORIES_EACH} at once",
                          "p95 < 500 ms; 0 lost, 0 doubled",
                          f"p95 {ms(p95(posts))} ms, lost {lost}, doubled {doubled}"
                          + (f", {len(problems)} errors: {problems[0][:80]}" if problems else ""),
                          p95(posts) < 0.5 and lost == 0 and doubled == 0 and not problems))
    return targets, rows


STORY_HEADERS = ["story POST", "p50 ms", "p95 ms", "worker CPU ms per request (POST and "
                 "the page after it)", "counted", "load"]


def inbox(app, server, browser: Browser, slug: str) -> tuple[Target, list[list[str]]]:
    """The facilitator's inbox of 500 stories: the poll after one new story."""
    import sqlalchemy as sa

    from rem.core.database import utcnow
    from rem.extensions import db
    from rem.workshops.models import WorkshopStory

    session_id, code = _new_workshop(app, slug, "Volle inbox")
    with app.app_context():
        now = utcnow()
        db.session.execute(sa.insert(WorkshopStory), [
            {"session_id": session_id, "idempotency_key": f"bench-{n:05d}-" + "x" * 16,
             "text": f"Verhaal {n}: sinds de bijeenkomst in het dorpshuis komen er meer "
                     "mensen naar de inloop, en de buurvrouw van nummer twaalf doet nu ook mee.",
             "for_whom": "ouderen in de wijk", "status": "new", "created_at": now,
             "updated_at": now} for n in range(INBOX_STORIES - 1)])
        db.session.commit()
        db.session.remove()
    base = f"/collaborations/{slug}/sessions/{session_id}"
    rows, sizes, walls = [], [], []
    _s, _h, page, full = browser.get(base + "/inbox")
    phone = Phone(server.port)
    story_page = phone.join(code, "Laatste")
    for n in range(5):
        tag = TAG_RE.search(page).group(1).decode()
        _elapsed, story_page = phone.send(code, story_page, f"Nog een verhaal {n}")
        status, _h, body, elapsed = browser.get(
            f"{base}/inbox/list?show=new&page=1&v={tag}")
        assert status == 200, status
        sizes.append(len(body))
        walls.append(elapsed)
        page = body
    rows.append([f"inbox page ({INBOX_STORIES} stories)", f"{len(page) / 1024:.0f}",
                 ms(full), "—", load_average()])
    rows.append(["poll after one new story", f"{median(sizes) / 1024:.1f}", ms(median(walls)),
                 ms(max(walls)), load_average()])
    return Target(f"inbox of {INBOX_STORIES} stories, update after one new story",
                  "< 20 KB and < 50 ms", f"{median(sizes) / 1024:.1f} KiB in "
                  f"{ms(median(walls))} ms", median(sizes) < 20 * 1024
                  and median(walls) < 0.050), rows


INBOX_HEADERS = ["inbox", "KiB", "ms (median)", "ms (max)", "load"]


def map_page_size(browser: Browser, slugs: dict[str, str]) -> tuple[list[Target], list]:
    rows, targets = [], []
    for label, slug in slugs.items():
        for layout in ("timeline", "radial"):
            status, _h, body, elapsed = browser.get(f"/collaborations/{slug}/map?layout={layout}")
            assert status == 200, status
            svg = re.search(rb"<svg.*?</svg>", body, re.S)
            outline = body.find(b'id="map-outline-body"')
            rows.append([label, layout, f"{len(body) / 1024:.0f}",
                         f"{len(svg.group(0)) / 1024:.0f}" if svg else "—",
                         f"{(len(body) - outline) / 1024:.0f}" if outline > 0 else "—",
                         ms(elapsed)])
            targets.append(Target(f"map page of {label} ({layout})", "< 700 KB of HTML",
                                  f"{len(body) / 1000:.0f} KB (SVG "
                                  f"{len(svg.group(0)) / 1000 if svg else 0:.0f} KB)",
                                  len(body) < 700_000))
    return targets, rows


SIZE_HEADERS = ["map", "layout", "page KiB", "inline SVG KiB", "outline and after KiB",
                "ms"]


def repeated_download(browser: Browser, slug: str) -> tuple[Target, list]:
    path = f"/collaborations/{slug}/map.svg"
    status, headers, _b, first = browser.get(path)
    assert status == 200
    etag = headers.get("ETag")
    again = [browser.get(path)[3] for _ in range(15)]
    conditional = ([browser.get(path, {"If-None-Match": etag}) for _ in range(15)]
                   if etag else [])
    statuses = sorted({c[0] for c in conditional})
    cond = [c[3] for c in conditional]
    best = min(median(again), median(cond) if cond else float("inf"))
    row = [ms(first), ms(median(again)), ms(median(cond)) if cond else "no ETag",
           ",".join(map(str, statuses)) or "—", load_average()]
    return Target("a repeated, unchanged map.svg download (1,000 nodes)",
                  "304 or from the render cache in < 20 ms",
                  f"{ms(best)} ms ({'304' if 304 in statuses else 'render cache'})",
                  best < 0.020), [row]


DOWNLOAD_HEADERS = ["first ms", "again ms", "conditional ms", "conditional status", "load"]


# --- the whole section ---------------------------------------------------------------------


def run(app, network, database_url: str, workdir: Path, report, quick: bool) -> list[Target]:
    """Measure every target row; print and add tables to ``report``; return the verdicts."""
    targets: list[Target] = []
    env = server_env(database_url, workdir)
    seconds = 3.0 if quick else 6.0
    print("Importing a RippleFX pair ...", flush=True)
    imported = import_ripplefx(app, 1000)
    server = http_load.start_server(env, workdir / "gunicorn-targets.log", workers=WORKERS)
    bare = http_load.start_server(env, workdir / "gunicorn-bare.log", workers=WORKERS,
                                  app="benchmarks.bare_app:app")
    scratch = Path(tempfile.mkdtemp(prefix="rem-bench-dot-", dir=workdir))
    try:
        report.text(f"Command: `{' '.join(['gunicorn', *server.command[3:]])}` (port "
                    "varies); the floor: the same command with `benchmarks.bare_app:app`. "
                    "Every page is made afresh (rem remembers no pages).")
        browser = Browser(server.port)
        browser.sign_in(ADMIN_EMAIL, PASSWORD)

        report.heading("1. First view of a map after an edit (map.svg, whole request)")
        report.text(
            "First the workers are replaced by new ones (as after a deploy) and one "
            "request after an edit gives a new worker's first drawing of the map (one "
            "sample, shown beside the target). Then every worker draws the map once (an "
            "edit, then 8 clients for 2 s), as when a map is in use. Then before each "
            "request one effect of the map's "
            "collaboration gets a new title, so the drawing is new (the render cache "
            "misses) and the map is built again. "
            "Request = the whole HTTP request to rem (sign-in check, loading the log, "
            "building the map, DOT, Graphviz, answer). Bare Graphviz = `dot -Tsvg` on the "
            "DOT downloaded from the app (map.dot) in the same state; for the radial map "
            "`twopi -Tplain` on its tree plus `neato -Tsvg` on the placed nodes, the two "
            "runs the app makes. CPU = the workers' CPU with their Graphviz children, "
            "against bare Graphviz's CPU. Medians.")
        map_slugs = {"1,000 nodes (generated)": network.map_slugs[1000],
                     "1,000 nodes (RippleFX import)": imported,
                     "100 nodes (generated)": network.map_slugs[100]}
        found, rows = maps_first_view(app, server, browser, map_slugs, scratch, quick)
        targets += found
        report.table(MAP_HEADERS, rows)

        slug = network.typical_slug
        report.heading(f"2. A typical page made afresh ({network.typical_items} items)")
        report.text(
            "Per page first 20 clients that never pause for "
            f"{seconds:g} s (a closed loop, new connection per request as the sync workers "
            "close it; its first second, left out, gives every worker the page once). Then "
            "afresh: before each request one item of the collaboration changes (as during "
            "a live session, when every story is a change), 12 requests one after another; "
            "worker CPU per request. The first row is the floor: a one-route Flask app "
            "under the same gunicorn settings.")
        pages = {"timeline": f"/collaborations/{slug}",
                 "map page": f"/collaborations/{slug}/map",
                 "item page": f"/collaborations/{slug}/items/{network.sample_item_id}",
                 "analysis": f"/collaborations/{slug}/analysis"}
        found, rows = typical_pages(app, server, bare, browser, pages, slug, seconds)
        targets += found
        report.table(PAGE_HEADERS, rows)

        report.heading("3. Timeline of a large collaboration")
        report.text("The first page (250 items) of a 1,000-item and a 10,000-item "
                    "collaboration. Each worker keeps the log's time order until the log "
                    "changes (in the process): first a second of 20 clients gives every "
                    "worker the page, then 15 requests one after another (the target's "
                    "figure). After a change: before each of 6 requests one item's title "
                    "changes, so the worker that answers works the order out again from "
                    "the whole log.")
        large = max(n for n in network.map_slugs)
        found, rows = timeline_ratio(app, server, browser, network.map_slugs[1000],
                                     network.map_slugs[large], (1000, large))
        targets.append(found)
        report.table(TIMELINE_HEADERS, rows)

        report.heading("4. Search")
        found, rows = searches(server, browser, network.map_slugs[large], large)
        targets += found
        report.table(["search", "p50 ms", "p95 ms", "worker CPU ms/req", "load"], rows)

        report.heading("5. Stories from phones")
        found, rows = stories(app, server, browser, slug)
        targets += found
        report.table(STORY_HEADERS, rows)

        report.heading(f"6. The inbox with {INBOX_STORIES} stories")
        found, rows = inbox(app, server, browser, slug)
        targets.append(found)
        report.table(INBOX_HEADERS, rows)

        report.heading("7. Map page of 1,000 nodes")
        found, rows = map_page_size(browser, {"1,000 nodes": network.map_slugs[1000]})
        targets += found
        report.table(SIZE_HEADERS, rows)

        report.heading("8. A repeated, unchanged download")
        found, rows = repeated_download(browser, network.map_slugs[1000])
        targets.append(found)
        report.table(DOWNLOAD_HEADERS, rows)
    finally:
        server.stop()
        bare.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return targets
