"""Time the full-text search on 10,000 learning-log entries (and 2,000 activities and effects).

    .venv/bin/python benchmarks/bench_search.py [--entries 10000] [--runs 30]

Builds the data in a temporary SQLite database and, when REM_BENCH_DATABASE_URL is set
(an EMPTY PostgreSQL database: its schema is dropped and rebuilt), in PostgreSQL too.
Then runs a mix of searches (common words, rare words, word starts, several words,
filters, no words) as a member of one collaboration, as a researcher and as an
administrator, each query ``--runs`` times, and prints the median and the 95th
percentile of one search (the page of 25 hits with their totals, as /search does).
The target is under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_MS = 100
COLLABORATIONS = 20
ITEMS = 2_000

VOCABULARY = (
    "inwoners vrijwilligers gemeente zorgverzekeraar subsidie financiering dorpshuis "
    "ontmoeting wijkteam huisarts ouderen jongeren mantelzorg eenzaamheid netwerk "
    "samenwerking vertrouwen eigenaarschap beleid regioplan coöperatie stichting "
    "ervaringsdeskundige bijeenkomst inspiratiemarkt werkgroep sleutelpersoon trekker "
    "kennisdeling training borging structureel project afspraak besluit actie les vraag "
    "reflectie wethouder buurt dorp stad verhaal rimpeling effect activiteit kaart "
    "deelnemers uitnodiging brief persoonlijk gesprek koffie welzijn zorg wachtlijst "
    "herstel gezondheid preventie bewegen voeding digitaal platform website nieuwsbrief"
)
WORDS = VOCABULARY.split()
RARE = ["flitscoöperatie", "noaberschap", "katalysator", "trommeltjes", "buurtverbinders"]

QUERIES = [
    ("common word", {"text": "subsidie"}),
    ("word start", {"text": "vrijwil"}),
    ("two words", {"text": "gemeente financiering"}),
    ("three words", {"text": "ouderen dorpshuis koffie"}),
    ("rare word", {"text": "flitscoöperatie"}),
    ("no hits", {"text": "xylofoonconcert"}),
    ("word + kind", {"text": "vertrouwen", "kinds": ["lesson"]}),
    ("word + code", {"text": "netwerk", "code": "borging:financiele-duurzaamheid"}),
    ("word + dates", {"text": "buurt", "date_from": date(2024, 1, 1),
                      "date_to": date(2024, 12, 31)}),
    ("kind only", {"kinds": ["decision"]}),
]


def _sentence(rng: random.Random, length: int) -> str:
    words = rng.choices(WORDS, k=length)
    if rng.random() < 0.02:
        words.append(rng.choice(RARE))
    return " ".join(words).capitalize() + "."


def build(entries: int) -> dict:
    """Insert hubs, collaborations, people, items and ``entries`` coded log entries."""
    import sqlalchemy as sa

    from rem.accounts.models import Membership, Role, User
    from rem.codes.models import Code
    from rem.codes.services import install_default_codebooks
    from rem.extensions import db
    from rem.logbook.models import LogEntry, log_entry_codes
    from rem.models import Collaboration, Hub, RippleItem, item_codes

    install_default_codebooks()
    rng = random.Random(11)
    now = datetime.now(UTC)
    hubs = [Hub(name=f"Hub {n}", slug=f"hub-{n}") for n in range(4)]
    collabs = [Collaboration(name=f"Samenwerking {n}", slug=f"sw-{n}", hub=hubs[n % 4])
               for n in range(COLLABORATIONS)]
    db.session.add_all(hubs + collabs)
    member = User(email="lid@example.org", name="Lid")
    researcher = User(email="onderzoek@example.org", name="Onderzoek", is_researcher=True)
    admin = User(email="admin@example.org", name="Beheer", is_admin=True)
    db.session.add_all([member, researcher, admin])
    db.session.flush()
    db.session.add(Membership(user_id=member.id, collaboration_id=collabs[0].id,
                              role=Role.MEMBER.value))
    visibilities = ["collaboration"] * 6 + ["hub"] * 2 + ["network"] * 2
    kinds = ["reflection", "lesson", "question", "decision", "action"]
    rows = []
    for n in range(entries):
        rows.append({
            "collaboration_id": collabs[n % COLLABORATIONS].id, "kind": rng.choice(kinds),
            "title": _sentence(rng, rng.randint(3, 8))[:200],
            "body": " ".join(_sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 6))),
            "entry_date": date(2023, 1, 1) + timedelta(days=rng.randrange(1000)),
            "author_id": member.id, "visibility": rng.choice(visibilities), "version": 1,
            "created_at": now, "updated_at": now,
        })
    for start in range(0, len(rows), 2000):
        db.session.execute(sa.insert(LogEntry), rows[start:start + 2000])
    items = []
    for n in range(ITEMS):
        items.append({
            "collaboration_id": collabs[n % COLLABORATIONS].id,
            "kind": "activity" if n % 4 == 0 else "effect",
            "title": _sentence(rng, rng.randint(3, 7))[:200],
            "description": _sentence(rng, rng.randint(10, 30)),
            "evidence_text": _sentence(rng, 8) if n % 3 else "", "evidence_url": "",
            "date_start": date(2023, 1, 1) + timedelta(days=rng.randrange(1000)),
            "date_precision": "day", "visibility": rng.choice(visibilities), "version": 1,
            "created_at": now, "updated_at": now,
        })
    db.session.execute(sa.insert(RippleItem), items)
    codes = db.session.scalars(sa.select(Code.id)).all()
    entry_ids = db.session.scalars(sa.select(LogEntry.id)).all()
    item_ids = db.session.scalars(sa.select(RippleItem.id)).all()
    db.session.execute(sa.insert(log_entry_codes), [
        {"entry_id": i, "code_id": c} for i in entry_ids for c in set(rng.sample(codes, 2))])
    db.session.execute(sa.insert(item_codes), [
        {"item_id": i, "code_id": c} for i in item_ids for c in set(rng.sample(codes, 2))])
    db.session.commit()
    return {"member": member.id, "researcher": researcher.id, "admin": admin.id}


def measure(people: dict, runs: int) -> list[float]:
    """Run every query as every person ``runs`` times; return the times in ms."""
    from rem.access import load_access
    from rem.accounts.models import User
    from rem.extensions import db
    from rem.logbook.search import SearchQuery, search

    times = []
    print(f"{'query':<16}{'as':<12}{'hits':>7}{'median ms':>11}{'p95 ms':>9}")
    for who, user_id in people.items():
        for label, fields in QUERIES:
            access = load_access(db.session.get(User, user_id))
            query = SearchQuery(**fields)
            search(query, access)  # warm the caches once
            spent = []
            for _ in range(runs):
                started = time.perf_counter()
                result = search(query, load_access(db.session.get(User, user_id)))
                spent.append((time.perf_counter() - started) * 1000)
            times.extend(spent)
            print(f"{label:<16}{who:<12}{result.total:>7}{statistics.median(spent):>11.1f}"
                  f"{_p95(spent):>9.1f}")
    return times


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def run(url: str, entries: int, runs: int) -> None:
    import logging

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from rem import create_app
    from rem.extensions import db

    if url.startswith("postgresql"):
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False})
    with app.test_request_context():
        logging.disable(logging.INFO)
        upgrade()
        started = time.perf_counter()
        people = build(entries)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        backend = db.engine.url.get_backend_name()
        print(f"\n== {backend}: built {entries} log entries and {ITEMS} activities/effects in "
              f"{COLLABORATIONS} collaborations in {time.perf_counter() - started:.1f} s")
        times = measure(people, runs)
        median, p95 = statistics.median(times), _p95(times)
        verdict = "OK" if p95 < TARGET_MS else "TOO SLOW"
        print(f"ALL {backend}: median {median:.1f} ms, p95 {p95:.1f} ms over {len(times)} "
              f"searches (target < {TARGET_MS} ms): {verdict}")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="rem-bench-")
    run(f"sqlite:///{os.path.join(workdir, 'bench.sqlite3')}", args.entries, args.runs)
    pg = os.environ.get("REM_BENCH_DATABASE_URL")
    if pg:
        run(pg, args.entries, args.runs)


if __name__ == "__main__":
    main()
