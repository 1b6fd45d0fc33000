"""The number of SQL statements per page does not grow with what the page lists (no N+1).

Each page is requested for a collaboration with 10 items and for one with 1,000 items
(the hubs overview: 10 and 1,000 collaborations), and the statements are counted with
SQLAlchemy's ``before_cursor_execute`` event. The counts must be equal. The data comes
from the benchmark generator (benchmarks/generate.py): a DAG of ripples with several
causes per effect, codes and audit history, like a real log.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from benchmarks.generate import insert_logs, plan_log
from rem.codes.models import Code
from rem.collaborations.models import Collaboration
from rem.extensions import db
from tests import factories
from tests.conftest import login

SMALL, LARGE = 10, 1000


@contextmanager
def counting(app):
    """Collect the SQL statements sent while the block runs."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _collaboration_with(items: int, slug: str) -> tuple[str, int]:
    """Insert a collaboration with ``items`` items; return its slug and a linked effect."""
    hub = factories.HubFactory()
    collaboration = factories.CollaborationFactory(hub=hub, slug=slug)
    code_ids = list(db.session.scalars(sa.select(Code.id).order_by(Code.id)))
    activities = max(2, items // 10)
    plan = plan_log(random.Random(5), collaboration.id, activities, items - activities,
                    date(2021, 1, 1), date(2025, 6, 1), code_ids, datetime.now(UTC))
    (ids,) = insert_logs(db.session.connection(), [plan], datetime.now(UTC))
    caused = {effect for _cause, effect in plan.links}
    coded = {index for index, _code in plan.codes}
    effect = next(i for i in reversed(range(len(plan.items))) if i in caused and i in coded)
    db.session.commit()
    return slug, ids[effect]


@pytest.fixture
def logs(app):
    """Two collaborations, of 10 and of 1,000 items, and a signed-in administrator."""
    with app.app_context():
        factories.UserFactory(email="admin@example.org", is_admin=True)
        small = _collaboration_with(SMALL, "klein")
        large = _collaboration_with(LARGE, "groot")
        db.session.commit()
    return {SMALL: small, LARGE: large}


PAGES = {
    "timeline": "/collaborations/{slug}",
    "map": "/collaborations/{slug}/map",
    "map-radial": "/collaborations/{slug}/map?layout=radial",
    "map-svg": "/collaborations/{slug}/map.svg",
    "item": "/collaborations/{slug}/items/{item}",
}


def _count(app, client, path: str) -> int:
    assert client.get(path).status_code == 200  # warm: first map render, caches
    with counting(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


@pytest.mark.slow
@pytest.mark.parametrize("page", list(PAGES))
def test_statements_per_page_do_not_grow_with_items(app, client, logs, page):
    login(client, "admin@example.org")
    counts = {}
    for size, (slug, item) in logs.items():
        counts[size] = _count(app, client, PAGES[page].format(slug=slug, item=item))
    assert counts[LARGE] == counts[SMALL], f"{page}: {counts}"


def _add_collaborations(first: int, count: int) -> None:
    hubs = [factories.HubFactory() for _ in range(max(1, count // 20))]
    now = datetime.now(UTC)
    db.session.execute(sa.insert(Collaboration), [
        {"hub_id": hubs[n % len(hubs)].id, "name": f"Samenwerking {n}", "slug": f"sv-{n}",
         "region": "Dorp", "created_at": now, "updated_at": now}
        for n in range(first, first + count)])
    db.session.commit()


def test_hubs_overview_statements_do_not_grow_with_collaborations(app, client):
    with app.app_context():
        factories.UserFactory(email="admin@example.org", is_admin=True)
        _add_collaborations(0, SMALL)
        db.session.commit()
    login(client, "admin@example.org")
    small = _count(app, client, "/")
    with app.app_context():
        _add_collaborations(SMALL, LARGE - SMALL)
    assert client.get("/").data.count(b"/collaborations/sv-") == LARGE
    assert _count(app, client, "/") == small


def _exchange_with(participants: int) -> int:
    """An exchange between ``participants`` collaborations, each in a hub of its own, each
    sharing a small coded log with the network; return its id."""
    from rem.exchanges.models import LearningExchange

    members = []
    for n in range(participants):
        hub = factories.HubFactory(name=f"Hub {participants}-{n}")
        collaboration = factories.CollaborationFactory(hub=hub, slug=f"ex{participants}-{n}")
        cause = factories.ActivityFactory(collaboration=collaboration, visibility="network",
                                          title=f"Start {n}", date_start=date(2024, 1, 1))
        for m in range(3):
            effect = factories.EffectFactory(collaboration=collaboration,
                                             visibility="network", title=f"Effect {n}.{m}",
                                             date_start=date(2024, 3 + m, 1))
            factories.LinkFactory(cause=cause, effect=effect)
        members.append(collaboration)
    exchange = LearningExchange(title=f"Uitwisseling van {participants}",
                                participants=members)
    db.session.add(exchange)
    db.session.commit()
    return exchange.id


def test_exchange_page_statements_do_not_grow_with_participants(app, client, tmp_path):
    app.config["REM_MAP_CACHE_DIR"] = str(tmp_path / "map-cache")
    with app.app_context():
        factories.UserFactory(email="admin@example.org", is_admin=True)
        small, large = _exchange_with(2), _exchange_with(8)
    login(client, "admin@example.org")
    page = client.get(f"/exchanges/{large}").get_data(as_text=True)
    assert page.count("Effect 7.2") >= 1  # the last participant's map is on the page
    counts = {n: _count(app, client, f"/exchanges/{exchange}")
              for n, exchange in ((2, small), (8, large))}
    # Each participant's log is loaded once (3 statements) and its hub with it.
    assert counts[8] - counts[2] <= 6 * 3, counts
