"""A synthetic but realistic learning network, inserted in bulk.

    .venv/bin/python -m benchmarks.generate [--hubs 25] [--collaborations 300]
        [--effects 30000] [--map-sizes 100,1000,2000,5000,20000] [--database URL]

What it builds (every size is a parameter):

- ``hubs`` participation hubs, each with a coordinator;
- ``collaborations`` collaborations spread over the hubs, each with a facilitator and two
  members. Their sizes vary like real ones (a log-normal spread around the mean): most
  hold 50 to 150 effects, a few several hundred;
- ``effects`` effects over those collaborations, plus about one activity per six effects.
  Effects form a DAG: each grows from one or (a quarter of them) several causes one ripple
  order lower, so ripple orders run up to 4 or 5; a few effects have no cause yet. Dates
  follow the causes, with every precision (day, month, quarter, year);
- codes from the built-in codebooks (0 to 3 per item), visibilities (collaboration, hub,
  network) and one audit "create" event per item, as the app itself would write;
- one extra collaboration per ``map_sizes`` entry with exactly that many items
  (``kaart-100``, ``kaart-1000``, ...), for the map measurements;
- learning-log entries, when the app has a logbook (``rem.logbook``); otherwise none, and
  the summary says so.

Rows go in with SQLAlchemy Core inserts of dict lists (``insertmanyvalues`` with RETURNING
for the ids), into a database built by the Alembic migrations. SQLite in a temporary folder
by default; ``REM_BENCH_DATABASE_URL`` (or ``--database``) selects PostgreSQL, see
:func:`prepare_database`.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ADMIN_EMAIL = "bench-admin@example.org"
PASSWORD = "bench-wachtwoord-2024"  # noqa: S105 - synthetic accounts in a throwaway database
MAP_SIZES = (100, 1000, 2000, 5000, 20000)
TODAY = date(2025, 11, 1)  # fixed, so that every run builds the same network

# Share of effects per ripple order 1..5, and how many causes an effect has.
ORDER_WEIGHTS = [45, 28, 15, 8, 4]
NO_CAUSE_SHARE = 0.04
EXTRA_CAUSE_SHARE = 0.25
EXTRA_CAUSES = [1, 1, 1, 2, 3]  # a second cause is the most common case of several
VISIBILITIES = (["collaboration"] * 7) + (["hub"] * 2) + ["network"]
PRECISIONS = ["day"] * 4 + ["month"] * 3 + ["quarter"] * 2 + ["year"]
VALENCES = ["positive"] * 6 + ["negative"] * 2 + ["mixed"] * 2
CODES_PER_EFFECT = [0, 1, 1, 1, 2, 2, 2, 3]
CODES_PER_ACTIVITY = [0, 0, 1, 1, 2]

PLACES = ["Achterveld", "Oosterwolde", "Groningen-Oost", "Tiel", "Zwolle-Zuid", "Heerlen",
          "Delfzijl", "Lelystad", "Emmen", "Vlissingen", "Almere-Haven", "Kerkrade",
          "Deventer", "Assen", "Winterswijk", "Sneek", "Den Helder", "Venlo", "Gouda",
          "Roosendaal", "Hoogeveen", "Meppel", "Terneuzen", "Harderwijk", "Oss"]
THEMES = ["eenzaamheid", "mantelzorg", "armoede", "wonen", "jongeren", "gezondheid",
          "energie", "groen in de wijk", "veiligheid", "vervoer", "taal", "werk",
          "ouderen", "laaggeletterdheid", "schulden", "buurtkracht"]
ACTORS = ["inwoners", "vrijwilligers", "de gemeente", "de woningcorporatie", "huisartsen",
          "jongeren", "het wijkteam", "ondernemers", "de bibliotheek", "mantelzorgers",
          "de school", "de welzijnsorganisatie", "raadsleden", "buurtbewoners"]
ACTIVITIES = ["Inloopavond over {theme}", "Buurtgesprek in {place}",
              "Werksessie {theme} met {actor}", "Ronde tafel over {theme}",
              "Wijkschouw in {place}", "Inspiratiemarkt {theme}", "Keukentafelgesprekken",
              "Startbijeenkomst {place}", "Training voor {actor}", "Buurtlunch in {place}"]
EFFECTS = ["{Actor} starten een eigen initiatief rond {theme}",
           "Meer contact tussen {actor} en {actor2}",
           "{Actor} passen hun werkwijze aan voor {theme}",
           "Nieuwe afspraken over {theme} met {actor}",
           "{Actor} melden zich als vrijwilliger",
           "Minder drempels voor {actor} om hulp te vragen",
           "{Actor} voelen zich meer gehoord over {theme}",
           "Budget vrijgemaakt voor {theme} in {place}",
           "{Actor} nemen {theme} op in hun plannen",
           "Vertrek van een vaste kracht bij {actor}",
           "Een tweede locatie in {place}",
           "{Actor} delen kennis over {theme} met {actor2}"]
TITLE_TAIL_SHARE = 0.6
TITLE_TAILS = [" na de bijeenkomst in {place}", ", vooral bij {actor}",
               " sinds het gesprek met {actor} over {theme}",
               " (genoemd door {actor} tijdens de evaluatie)",
               ", ook buiten {place}", " en {actor2} doen inmiddels mee",
               " in de wijk rond het dorpshuis van {place}"]
SENTENCES = [
    "Dit kwam naar voren in het gesprek met de deelnemers.",
    "Volgens **{actor}** was dit vooraf niet verwacht.",
    "Het effect werd een paar maanden later ook in {place} gezien.",
    "Er is nog geen vervolgafspraak gemaakt.",
    "- meer bezoekers\n- vaker samen koken\n- nieuwe contacten",
    "In de evaluatie noemden {actor} dit het belangrijkste resultaat.",
    "Zie ook het verslag van de bijeenkomst over {theme}.",
]


@dataclass
class Sizes:
    """How large a network to build."""

    hubs: int = 25
    collaborations: int = 300
    effects: int = 30_000
    map_sizes: tuple[int, ...] = MAP_SIZES
    log_entries_per_collaboration: int = 12
    seed: int = 2024


@dataclass
class Network:
    """What was built: counts, and the collaborations the measurements use."""

    counts: dict[str, int] = field(default_factory=dict)
    typical_slug: str = ""
    typical_items: int = 0
    largest_slug: str = ""
    largest_items: int = 0
    map_slugs: dict[int, str] = field(default_factory=dict)
    logbook: str = ""
    exchange_id: int | None = None
    exchange: str = ""
    seconds: float = 0.0
    sample_item_id: int = 0


# --- the database -------------------------------------------------------------------------


@dataclass
class Database:
    """A database for one benchmark run, and how to clean it up."""

    url: str
    dialect: str
    note: str
    cleanup: list = field(default_factory=list)

    def close(self) -> None:
        """Drop what this run created (a temporary database or folder)."""
        for action in reversed(self.cleanup):
            with contextlib.suppress(Exception):
                action()
        self.cleanup.clear()


def _psycopg(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def prepare_database(url: str | None, workdir: str) -> Database:
    """Return an empty database for the run.

    Without ``url``: a new SQLite file in ``workdir``. With a PostgreSQL ``url``: a new
    database ``rem_bench_<random>`` on the same server when the role may create one
    (dropped again by :meth:`Database.close`); otherwise ``url`` itself, but only when it
    holds no tables, so that a benchmark never overwrites real data.
    """
    if not url:
        path = os.path.join(workdir, "bench.sqlite3")
        return Database("sqlite:///" + path, "sqlite", "SQLite (a new file in a temporary folder)")
    url = _psycopg(url)
    if not url.startswith("postgresql"):
        raise SystemExit("REM_BENCH_DATABASE_URL must be a PostgreSQL URL (postgresql://...).")
    base = sa.engine.make_url(url)
    name = f"rem_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.DBAPIError:
        admin.dispose()
        engine = sa.create_engine(base)
        with engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
        engine.dispose()
        if tables:
            raise SystemExit(
                f"The role may not create a database, and {base.database} is not empty "
                f"({len(tables)} tables). Give an empty database.") from None
        return Database(base.render_as_string(hide_password=False), "postgresql",
                        f"PostgreSQL database {base.database} (given, empty)")

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    db_url = base.set(database=name).render_as_string(hide_password=False)
    return Database(db_url, "postgresql", f"PostgreSQL, temporary database {name} on "
                    f"{base.host}:{base.port}", cleanup=[drop])


def make_app(database_url: str, workdir: str, **config):
    """Create the app on ``database_url`` and build the schema with the migrations."""
    from flask_migrate import upgrade

    from rem import create_app

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "bench-secret-not-for-production",
        "RATELIMIT_ENABLED": False,
        "REM_MAP_CACHE_DIR": os.path.join(workdir, "map-cache"),
        **config,
    })
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    with app.app_context():
        upgrade()
    # As wsgi.py does in production: the objects of loading the app leave the garbage
    # collector's full passes (rem/core/heap.py), so timings are those of a real server.
    from rem.core.heap import freeze_loaded

    freeze_loaded()
    return app


# --- planning one collaboration's log ------------------------------------------------------


@dataclass
class PlannedLog:
    """Rows of one collaboration, with links and codes by index into ``items``."""

    items: list[dict] = field(default_factory=list)
    links: list[tuple[int, int]] = field(default_factory=list)
    codes: list[tuple[int, int]] = field(default_factory=list)


def _fill(template: str, rng: random.Random) -> str:
    actor = rng.choice(ACTORS)
    return template.format(theme=rng.choice(THEMES), place=rng.choice(PLACES), actor=actor,
                           Actor=actor[:1].upper() + actor[1:],
                           actor2=rng.choice([a for a in ACTORS if a != actor]))


def _title(rng: random.Random, templates: list[str]) -> str:
    """Return a title of realistic length: people write 40 to 120 characters, often with
    a clause saying where, since when or by whom (short titles flatter the app: Graphviz
    takes longer over longer labels, and the app's share looks smaller)."""
    title = _fill(rng.choice(templates), rng)
    if rng.random() < TITLE_TAIL_SHARE:
        title += _fill(rng.choice(TITLE_TAILS), rng)
    return title[:200]


def _description(rng: random.Random) -> str:
    return "\n\n".join(_fill(rng.choice(SENTENCES), rng) for _ in range(rng.randint(1, 3)))


def _fuzzy(day: date, precision: str) -> date:
    from rem.core.dates import FuzzyDate

    return FuzzyDate.of(day, precision).start


def plan_log(rng: random.Random, collaboration_id: int, activities: int, effects: int,
             start: date, end: date, code_ids: list[int], now: datetime,
             user_id: int | None = None) -> PlannedLog:
    """Plan ``activities`` activities and ``effects`` effects as a DAG of ripples."""
    log = PlannedLog()
    span = max(1, (end - start).days)
    base = {"collaboration_id": collaboration_id, "version": 1, "created_by_id": user_id,
            "created_at": now, "updated_at": now, "deleted_at": None, "evidence_url": "",
            "participant_count": None, "governance_style": None, "ladder_step": None,
            "intended": None, "valence": None, "noticed_by": None, "evidence_kind": None}
    days: list[date] = []
    levels: dict[int, list[int]] = {0: []}
    for n in range(activities):
        day = start + timedelta(days=int(span * (n + rng.random()) / max(activities, 1)))
        precision = rng.choice(["day", "day", "day", "month"])
        log.items.append(dict(
            base, kind="activity", title=_title(rng, ACTIVITIES),
            description=_description(rng), date_start=_fuzzy(day, precision),
            date_precision=precision, visibility=rng.choice(VISIBILITIES),
            participant_count=rng.randint(5, 120), evidence_text=""))
        days.append(day)
        levels[0].append(n)
    wanted = rng.choices(range(1, len(ORDER_WEIGHTS) + 1), ORDER_WEIGHTS, k=effects)
    for level in sorted(wanted):
        index = len(log.items)
        causes: list[int] = []
        if activities and rng.random() >= NO_CAUSE_SHARE:
            level = min(level, max(levels) + 1)
            pool = levels[level - 1]
            causes = [rng.choice(pool)]
            if rng.random() < EXTRA_CAUSE_SHARE and len(pool) > 1:
                # Mostly one more cause (exactly two), sometimes two or three more.
                more = rng.choice(EXTRA_CAUSES)
                extra = rng.sample(pool, min(len(pool), more + 1))
                causes += [c for c in extra if c != causes[0]][:more]
            causes = list(dict.fromkeys(causes))
            levels.setdefault(level, []).append(index)
            day = max(days[c] for c in causes) + timedelta(days=rng.randint(7, 240))
        else:
            day = start + timedelta(days=rng.randrange(span))
        day = min(day, end)
        precision = rng.choice(PRECISIONS)
        evidence = rng.random() < 0.5
        log.items.append(dict(
            base, kind="effect", title=_title(rng, EFFECTS),
            description=_description(rng), date_start=_fuzzy(day, precision),
            date_precision=precision, visibility=rng.choice(VISIBILITIES),
            intended=rng.choice([True, True, False, None]), valence=rng.choice(VALENCES),
            noticed_by=rng.choice(["citizen", "professional", "policy_maker", None]),
            evidence_kind="quote" if evidence else None,
            evidence_text=f"“{_fill(rng.choice(EFFECTS), rng)}”, zei een deelnemer."
            if evidence else ""))
        days.append(day)
        log.links.extend((cause, index) for cause in causes)
    for index, item in enumerate(log.items):
        spread = CODES_PER_ACTIVITY if item["kind"] == "activity" else CODES_PER_EFFECT
        for code_id in rng.sample(code_ids, min(len(code_ids), rng.choice(spread))):
            log.codes.append((index, code_id))
    return log


def insert_logs(conn: sa.Connection, logs: list[PlannedLog], now: datetime,
                audit: bool = True) -> list[list[int]]:
    """Insert planned logs in bulk; return each log's item ids, in plan order."""
    from rem.audit.models import AuditEvent
    from rem.ripples.models import RippleItem, RippleLink, item_codes

    items = RippleItem.__table__
    rows = [row for log in logs for row in log.items]
    ids: list[int] = []
    for chunk in _chunks(rows, 5000):
        ids += conn.execute(
            items.insert().returning(items.c.id, sort_by_parameter_order=True), chunk
        ).scalars().all()
    per_log: list[list[int]] = []
    position = 0
    link_rows, code_rows, audit_rows = [], [], []
    for log in logs:
        log_ids = ids[position: position + len(log.items)]
        position += len(log.items)
        per_log.append(log_ids)
        for cause, effect in log.links:
            link_rows.append({"collaboration_id": log.items[effect]["collaboration_id"],
                              "cause_id": log_ids[cause], "effect_id": log_ids[effect],
                              "created_by_id": None, "deleted_at": None,
                              "created_at": now, "updated_at": now})
        code_rows += [{"item_id": log_ids[i], "code_id": c} for i, c in log.codes]
        if audit:
            for item_id, item in zip(log_ids, log.items, strict=True):
                audit_rows.append({
                    "at": now, "user_id": item["created_by_id"],
                    "collaboration_id": item["collaboration_id"], "action": "create",
                    "entity_type": item["kind"], "entity_id": item_id,
                    "summary": item["title"][:300], "before": None,
                    "after": {"title": item["title"], "date_start": item["date_start"].isoformat(),
                              "visibility": item["visibility"]}})
    for table, batch in ((RippleLink.__table__, link_rows), (item_codes, code_rows),
                         (AuditEvent.__table__, audit_rows)):
        for chunk in _chunks(batch, 10000):
            conn.execute(table.insert(), chunk)
    return per_log


def _chunks(rows: list, size: int) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start: start + size]


# --- learning-log entries ------------------------------------------------------------------

LOG_KINDS = ["reflection", "lesson", "question", "decision", "action"]
LOG_TITLES = ["Wat ging goed bij {theme}", "Les: betrek {actor} eerder",
              "Vraag: hoe bereiken we {actor}?", "Besluit over {theme} in {place}",
              "Actie: verslag delen met {actor}", "Reflectie op de bijeenkomst in {place}"]


def logbook_tables(conn: sa.Connection) -> tuple[dict[str, sa.Table], str]:
    """Return the logbook's tables when the app registers them and the migrations built them.

    The generator never imports ``rem.logbook`` itself: it uses what ``rem.models`` (the
    app's own model registry) put in the metadata, so a logbook that is not part of the
    app yet is simply absent.
    """
    from rem.extensions import db

    names = ("log_entries", "log_entry_codes", "log_citations")
    registered = {name: db.metadata.tables[name] for name in names if name in db.metadata.tables}
    if "log_entries" not in registered:
        return {}, "no learning-log entries: the app has no logbook (rem.logbook) yet"
    present = set(sa.inspect(conn).get_table_names())
    tables = {name: table for name, table in registered.items() if name in present}
    if "log_entries" not in tables:
        return {}, ("no learning-log entries: the logbook models exist but the migrations "
                    "do not create log_entries yet")
    return tables, "learning-log entries"


def plan_log_entries(rng: random.Random, table: sa.Table, collaboration_id: int,
                     user_id: int, count: int, now: datetime) -> list[dict]:
    """Return ``count`` entries for one collaboration, filling the columns ``table`` has."""
    rows = []
    for n in range(count):
        kind = LOG_KINDS[n % len(LOG_KINDS)]
        known = {
            "collaboration_id": collaboration_id, "kind": kind,
            "title": _fill(rng.choice(LOG_TITLES), rng)[:200], "body": _description(rng),
            "entry_date": TODAY - timedelta(days=9 * n + rng.randrange(9)),
            "author_id": user_id, "visibility": rng.choice(VISIBILITIES), "version": 1,
            "owner_id": user_id if kind == "action" else None,
            "due_date": TODAY + timedelta(days=30) if kind == "action" else None,
            "done_at": None, "done_by_id": None, "deleted_at": None, "deleted_by_id": None,
            "created_at": now, "updated_at": now,
        }
        row = {}
        for column in table.c:
            if column.name in known:
                row[column.name] = known[column.name]
            elif not (column.primary_key or column.nullable or column.default is not None
                      or column.server_default is not None):
                row[column.name] = _value_for(column, rng, now)
        rows.append(row)
    return rows


def insert_log_entries(conn: sa.Connection, tables: dict[str, sa.Table],
                       collaborations: list[tuple[int, int, list[int]]], per_collaboration: int,
                       rng: random.Random, code_ids: list[int], now: datetime) -> int:
    """Insert entries (with codes and citations of items, when those tables exist)."""
    entries = tables["log_entries"]
    plans, cited = [], []
    for collaboration_id, user_id, item_ids in collaborations:
        rows = plan_log_entries(rng, entries, collaboration_id, user_id, per_collaboration, now)
        plans += rows
        cited += [rng.sample(item_ids, min(len(item_ids), rng.randint(0, 2))) for _ in rows]
    ids: list[int] = []
    for chunk in _chunks(plans, 5000):
        ids += conn.execute(entries.insert().returning(entries.c.id,
                                                       sort_by_parameter_order=True),
                            chunk).scalars().all()
    if "log_entry_codes" in tables:
        rows = [{"entry_id": entry_id, "code_id": code_id} for entry_id in ids
                for code_id in rng.sample(code_ids, rng.randint(0, 2))]
        for chunk in _chunks(rows, 10000):
            conn.execute(tables["log_entry_codes"].insert(), chunk)
    citations = tables.get("log_citations")
    if citations is not None and "item_id" in citations.c:
        rows = []
        for entry_id, items in zip(ids, cited, strict=True):
            for item_id in items:
                row = {column.name: None for column in citations.c
                       if column.nullable and column.name not in ("entry_id", "item_id")}
                row.update(entry_id=entry_id, item_id=item_id)
                if "created_at" in citations.c:
                    row["created_at"] = now
                rows.append(row)
        for chunk in _chunks(rows, 10000):
            conn.execute(citations.insert(), chunk)
    return len(ids)


def _value_for(column: sa.Column, rng: random.Random, now: datetime):
    """Return a plausible value for a required column the generator does not know."""
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return now
    if isinstance(kind, sa.Date):
        return TODAY
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 0
    if isinstance(kind, sa.Text):
        return _description(rng)
    if isinstance(kind, sa.String):
        return _fill(rng.choice(LOG_TITLES), rng)[: kind.length or 200]
    if isinstance(kind, sa.JSON):
        return {}
    return None


# --- a learning exchange (its page holds the evidence matrix) -----------------------------


def insert_exchange(conn: sa.Connection, collaborations: list[int], code_id: int,
                    user_id: int, now: datetime) -> tuple[int | None, str]:
    """Insert one learning exchange between ``collaborations`` when the app has them."""
    from rem.extensions import db

    names = ("learning_exchanges", "exchange_participants")
    if not all(name in db.metadata.tables for name in names):
        return None, "no learning exchange: the app has no exchanges (rem.exchanges) yet"
    if not set(names) <= set(sa.inspect(conn).get_table_names()):
        return None, "no learning exchange: the migrations do not create its tables yet"
    table = db.metadata.tables["learning_exchanges"]
    known = {"title": "Leeruitwisseling: sleutelpersonen vasthouden", "theme_code_id": code_id,
             "question": "Hoe houden we sleutelpersonen vast als de subsidie stopt?",
             "description": "Vier hubs vergelijken hun bewijs.", "meeting_date": TODAY,
             "place": "Utrecht", "created_by_id": user_id, "version": 1,
             "created_at": now, "updated_at": now}
    rng = random.Random(1)
    row = {c.name: known[c.name] if c.name in known else _value_for(c, rng, now)
           for c in table.c if c.name in known or not (
               c.primary_key or c.nullable or c.default is not None
               or c.server_default is not None)}
    exchange_id = conn.execute(table.insert().returning(table.c.id), row).scalar_one()
    conn.execute(db.metadata.tables["exchange_participants"].insert(), [
        {"exchange_id": exchange_id, "collaboration_id": c} for c in collaborations])
    return exchange_id, f"a learning exchange between {len(collaborations)} collaborations"


# --- the whole network ---------------------------------------------------------------------


def _sizes_per_collaboration(rng: random.Random, total: int, count: int) -> list[int]:
    """Split ``total`` effects over ``count`` collaborations, log-normally."""
    weights = [math.exp(rng.gauss(0, 0.6)) for _ in range(count)]
    scale = total / sum(weights)
    sizes = [max(5, round(w * scale)) for w in weights]
    sizes[sizes.index(max(sizes))] += total - sum(sizes)
    return sizes


def generate(sizes: Sizes | None = None, progress=print) -> Network:
    """Build the network in the app's database (call inside an app context)."""
    from werkzeug.security import generate_password_hash

    from rem.accounts.models import Membership, User
    from rem.codes.models import Code
    from rem.collaborations.models import Collaboration
    from rem.extensions import db
    from rem.hubs.models import Hub
    from rem.ripples.models import RippleItem

    sizes = sizes or Sizes()
    rng = random.Random(sizes.seed)
    started = time.perf_counter()
    now = datetime.now(UTC)
    network = Network()
    password_hash = generate_password_hash(PASSWORD)
    conn = db.session.connection()
    code_ids = list(conn.execute(sa.select(Code.id).order_by(Code.id)).scalars())
    if not code_ids:
        raise RuntimeError("no codes: the migrations should have installed the codebooks")

    def insert(table, rows) -> list[int]:
        return conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True),
                            rows).scalars().all()

    stamp = {"created_at": now, "updated_at": now}
    hub_ids = insert(Hub.__table__, [
        dict(stamp, name=f"Participatiehub {PLACES[i % len(PLACES)]}"
             + (f" {i // len(PLACES) + 1}" if i >= len(PLACES) else ""),
             slug=f"hub-{i + 1}", region=PLACES[i % len(PLACES)],
             description=_description(rng)) for i in range(sizes.hubs)])
    effect_sizes = _sizes_per_collaboration(rng, sizes.effects, sizes.collaborations)
    collab_rows, plans = [], []
    for i in range(sizes.collaborations):
        start = date(2019, 1, 1) + timedelta(days=rng.randrange(4 * 365))
        collab_rows.append(dict(
            stamp, hub_id=hub_ids[i % len(hub_ids)], name=f"Samen {rng.choice(THEMES)} "
            f"{PLACES[i % len(PLACES)]} {i + 1}", slug=f"samen-{i + 1}",
            region=PLACES[i % len(PLACES)], scale="lokaal", target_group=rng.choice(ACTORS),
            goal=_description(rng), stage=rng.choice(["pionier", "koploper"]),
            start_date=start, pseudonymise_for_research=True))
        plans.append((start, max(3, effect_sizes[i] // 6), effect_sizes[i]))
    for n in sizes.map_sizes:
        start = date(2020, 1, 1)
        collab_rows.append(dict(
            stamp, hub_id=hub_ids[0], name=f"Kaart met {n} items", slug=f"kaart-{n}",
            region="Meta-REM", scale="provinciaal", target_group="", goal="",
            stage="koploper", start_date=start, pseudonymise_for_research=True))
        activities = max(5, n // 12)
        plans.append((start, activities, n - activities))
    collab_ids = insert(Collaboration.__table__, collab_rows)
    # People: an administrator, a coordinator per hub, a facilitator and two members each.
    user_rows = [dict(stamp, email=ADMIN_EMAIL, name="Benchmark-beheerder",
                      password_hash=password_hash, is_admin=True, is_researcher=False,
                      active=True, locale="nl", last_seen_at=None)]
    for i in range(sizes.hubs):
        user_rows.append(dict(user_rows[0], email=f"coordinator{i + 1}@example.org",
                              name=f"Coördinator {i + 1}", is_admin=False))
    for i in range(len(collab_ids)):
        for role in ("facilitator", "member-a", "member-b"):
            user_rows.append(dict(user_rows[0], email=f"{role}{i + 1}@example.org",
                                  name=f"{role.title()} {i + 1}", is_admin=False))
    user_ids = insert(User.__table__, user_rows)
    memberships = [dict(stamp, user_id=user_ids[1 + i], hub_id=hub_id, collaboration_id=None,
                        role="coordinator") for i, hub_id in enumerate(hub_ids)]
    facilitators: list[int] = []
    for i, collaboration_id in enumerate(collab_ids):
        first = 1 + sizes.hubs + 3 * i
        facilitators.append(user_ids[first])
        for offset, role in ((0, "facilitator"), (1, "member"), (2, "member")):
            memberships.append(dict(stamp, user_id=user_ids[first + offset], hub_id=None,
                                    collaboration_id=collaboration_id, role=role))
    conn.execute(Membership.__table__.insert(), memberships)
    progress(f"  {len(hub_ids)} hubs, {len(collab_ids)} collaborations, {len(user_ids)} people")

    item_count = link_count = code_count = 0
    per_collaboration_items: dict[int, int] = {}
    item_ids: dict[int, list[int]] = {}
    batch: list[PlannedLog] = []

    def flush() -> None:
        nonlocal item_count, link_count, code_count
        for log, ids in zip(batch, insert_logs(conn, batch, now), strict=True):
            item_ids[log.items[0]["collaboration_id"] if log.items else 0] = ids
            item_count += len(log.items)
            link_count += len(log.links)
            code_count += len(log.codes)
        batch.clear()

    for collaboration_id, user_id, (start, activities, effects) in zip(
            collab_ids, facilitators, plans, strict=True):
        log = plan_log(rng, collaboration_id, activities, effects, start, TODAY, code_ids, now,
                       user_id)
        per_collaboration_items[collaboration_id] = len(log.items)
        batch.append(log)
        if sum(len(b.items) for b in batch) >= 10_000:
            flush()
    flush()
    progress(f"  {item_count} items, {link_count} links, {code_count} codes")

    tables, network.logbook = logbook_tables(conn)
    entries = 0
    if tables and sizes.log_entries_per_collaboration:
        entries = insert_log_entries(
            conn, tables, [(c, u, item_ids[c]) for c, u in zip(collab_ids, facilitators,
                                                                 strict=True)],
            sizes.log_entries_per_collaboration, rng, code_ids, now)
    db.session.commit()
    progress(f"  {network.logbook}" + (f": {entries}" if tables else ""))

    regular = collab_ids[: sizes.collaborations]
    by_size = sorted(regular, key=lambda c: per_collaboration_items[c])
    # An exchange between typical collaborations of four hubs (two each).
    middle = by_size[len(by_size) // 4: 3 * len(by_size) // 4]
    chosen: list[int] = []
    for hub_id in hub_ids[:4]:
        chosen += [c for c in middle if collab_rows[collab_ids.index(c)]["hub_id"] == hub_id][:2]
    if len(chosen) >= 2:
        network.exchange_id, network.exchange = insert_exchange(
            db.session.connection(), chosen, code_ids[0], user_ids[0], now)
        db.session.commit()
        progress(f"  {network.exchange}")
    if by_size:
        typical = by_size[len(by_size) // 2]
        largest = by_size[-1]
        network.typical_slug = f"samen-{regular.index(typical) + 1}"
        network.typical_items = per_collaboration_items[typical]
        network.largest_slug = f"samen-{regular.index(largest) + 1}"
        network.largest_items = per_collaboration_items[largest]
        network.sample_item_id = db.session.scalar(
            sa.select(sa.func.max(RippleItem.id)).where(RippleItem.collaboration_id == typical))
    network.map_slugs = {n: f"kaart-{n}" for n in sizes.map_sizes}
    network.counts = {"hubs": len(hub_ids), "collaborations": len(collab_ids),
                      "people": len(user_ids), "items": item_count, "links": link_count,
                      "item codes": code_count, "audit events": item_count,
                      "log entries": entries}
    network.seconds = time.perf_counter() - started
    return network


def main(argv: list[str] | None = None) -> None:
    """Build a network into a fresh database and print what was built."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hubs", type=int, default=Sizes.hubs)
    parser.add_argument("--collaborations", type=int, default=Sizes.collaborations)
    parser.add_argument("--effects", type=int, default=Sizes.effects)
    parser.add_argument("--map-sizes", default=",".join(map(str, MAP_SIZES)),
                        help="extra collaborations with exactly this many items ('' for none)")
    parser.add_argument("--database", default=os.environ.get("REM_BENCH_DATABASE_URL"),
                        help="PostgreSQL server URL (default: a temporary SQLite file)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    sizes = Sizes(hubs=args.hubs, collaborations=args.collaborations, effects=args.effects,
                  map_sizes=tuple(int(n) for n in args.map_sizes.split(",") if n.strip()))
    workdir = tempfile.mkdtemp(prefix="rem-bench-")
    database = prepare_database(args.database, workdir)
    try:
        app = make_app(database.url, workdir)
        with app.app_context():
            network = generate(sizes)
        print(f"Built in {network.seconds:.1f} s into {database.note}:")
        for name, count in network.counts.items():
            print(f"  {name}: {count}")
        print(f"  typical collaboration: {network.typical_slug} ({network.typical_items} items)")
        print(f"  largest collaboration: {network.largest_slug} ({network.largest_items} items)")
        if args.keep:
            print(f"Kept: {database.url}")
            database.cleanup.clear()
    finally:
        database.close()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
