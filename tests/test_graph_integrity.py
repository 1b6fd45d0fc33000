"""The ripple graph stays whole: restoring from the bin re-checks circles, every link goes
through one rule book, the analysis survives a graph the rules did not guard, and
`flask --app rem check [--fix]` finds and mends what an old database holds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from rem import create_app
from rem.audit.models import AuditEvent
from rem.extensions import db
from rem.ripples import graph, services
from rem.ripples.models import RippleItem, RippleLink
from tests import factories
from tests.conftest import login, post

ROOT = Path(__file__).resolve().parent.parent


def _chain(app) -> dict[str, int]:
    """X (activity) -> A -> B -> C; B binned; then C -> A, which the rules allow."""
    with app.test_request_context():
        factories.UserFactory(email="admin@example.org", is_admin=True)
        collab = factories.CollaborationFactory(slug="dorp")
        x = factories.ActivityFactory(collaboration=collab, title="Markt")
        a, b, c = (factories.EffectFactory(collaboration=collab, title=t)
                   for t in ("Aanmelding", "Buurtteam", "Contact"))
        services.add_link(x, a)
        services.add_link(a, b)
        services.add_link(b, c)
        services.delete_item(b)
        services.add_link(c, a)
        db.session.commit()
        return {"x": x.id, "a": a.id, "b": b.id, "c": c.id, "collab": collab.id,
                "hub": collab.hub.slug}


def test_restore_leaves_out_the_links_that_would_close_a_circle(app):
    ids = _chain(app)
    with app.test_request_context():
        b = db.session.get(RippleItem, ids["b"])
        dropped = services.restore_item(b)
        db.session.commit()
        assert [(c.id, e.id) for c, e, _reason in dropped] == [(ids["b"], ids["c"])]
        assert "kring" in str(dropped[0][2])
        live = services.live_links(ids["collab"])
        assert graph.is_acyclic(live)
        assert sorted(live) == sorted([(ids["x"], ids["a"]), (ids["a"], ids["b"]),
                                       (ids["c"], ids["a"])])
        assert db.session.get(RippleItem, ids["b"]).deleted_at is None
        # The link is removed as a person would remove it: kept, hidden, audited.
        link = db.session.scalar(sa.select(RippleLink).where(
            RippleLink.cause_id == ids["b"], RippleLink.effect_id == ids["c"]))
        assert link.deleted_at is not None
        event = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "unlink", AuditEvent.entity_id == link.id))
        assert event is not None and "kring" in event.before["reason"]


def test_the_restore_page_names_what_did_not_come_back(app, client):
    ids = _chain(app)
    login(client, "admin@example.org")
    page = post(client, f"/collaborations/dorp/items/{ids['b']}/restore",
                follow_redirects=True).get_data(as_text=True)
    assert "is teruggezet, maar zonder deze verbindingen" in page
    assert "“Buurtteam” → “Contact”" in page
    # The analysis pages work on the restored graph.
    assert client.get("/collaborations/dorp/analysis").status_code == 200
    assert client.get("/collaborations/dorp/influence").status_code == 200


def _circle(app) -> dict:
    """A circle made behind the rules' back (as an old database could hold one)."""
    with app.test_request_context():
        factories.UserFactory(email="admin@example.org", is_admin=True)
        collab = factories.CollaborationFactory(slug="dorp")
        x = factories.ActivityFactory(collaboration=collab, title="Markt")
        a, b, c = (factories.EffectFactory(collaboration=collab, title=t)
                   for t in ("Aanmelding", "Buurtteam", "Contact"))
        for cause, effect in ((x, a), (a, b), (b, c), (c, a)):
            factories.LinkFactory(cause=cause, effect=effect)
        db.session.commit()
        return {"hub": collab.hub.slug, "x": x.id, "a": a.id, "c": c.id}


def test_analysis_pages_survive_a_circle_with_a_clear_message(app, client):
    ids = _circle(app)
    login(client, "admin@example.org")
    for path in ("/collaborations/dorp/analysis", f"/hubs/{ids['hub']}/analysis",
                 "/collaborations/dorp/influence"):
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert "loopt in een kring" in page, path
        assert "“Contact” → “Aanmelding”" in page, path  # the newest link of the circle
    for path in ("/collaborations/dorp/influence.csv", f"/hubs/{ids['hub']}/influence.csv",
                 "/collaborations/dorp/analysis.csv", f"/hubs/{ids['hub']}/analysis.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
    rows = client.get("/collaborations/dorp/influence.csv").get_data(as_text=True).splitlines()
    # The activity reaches the three effects over the links that make no circle.
    assert rows[1].startswith(f"{ids['x']},Markt,3,")


def test_check_reports_and_fixes_the_ripple_graph(app):
    with app.test_request_context():
        collab = factories.CollaborationFactory(slug="dorp")
        other = factories.CollaborationFactory(slug="elders")
        x = factories.ActivityFactory(collaboration=collab, title="Markt")
        a, b = (factories.EffectFactory(collaboration=collab, title=t) for t in ("A", "B"))
        far = factories.EffectFactory(collaboration=other, title="Ver weg")
        for cause, effect in ((x, a), (a, b), (b, a)):  # a circle
            factories.LinkFactory(cause=cause, effect=effect)
        factories.LinkFactory(cause=a, effect=far)  # across collaborations
        factories.LinkFactory(cause=b, effect=x)  # into an activity
        misfiled = factories.LinkFactory(cause=x, effect=b, collaboration_id=other.id)
        db.session.flush()
        db.session.execute(sa.update(RippleItem).where(RippleItem.id == a.id)
                           .values(valence="heel goed", date_precision="eeuw"))
        weird = factories.EffectFactory(collaboration=collab, title="Raar")
        db.session.flush()
        ids = {"x": x.id, "a": a.id, "b": b.id, "far": far.id, "misfiled": misfiled.id,
               "weird": weird.id, "collab": collab.id}
        db.session.execute(sa.text("update ripple_items set kind = 'bogus' where id = :i"),
                           {"i": weird.id})
        db.session.commit()
    runner = app.test_cli_runner()
    report = runner.invoke(args=["check"])
    assert report.exit_code == 1, report.output
    for check in ("circles", "links_across_collaborations", "links_into_activities",
                  "misfiled_links", "unknown_valence", "unknown_date_precision",
                  "unknown_kind"):
        assert f"PROBLEM {check}:" in report.output, check
    with app.app_context():  # a report changes nothing
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RippleLink)
                                 .where(RippleLink.deleted_at.is_not(None))) == 0

    fixed = runner.invoke(args=["check", "--fix"])
    assert fixed.exit_code == 0, fixed.output
    assert "fixed: removed 1 link(s) that closed a circle" in fixed.output
    assert "Mended 7 problem(s); none remain." in fixed.output
    assert runner.invoke(args=["check"]).output.strip() == "No problems found."
    with app.test_request_context():
        live = services.live_links(ids["collab"])
        assert graph.is_acyclic(live)
        assert (ids["b"], ids["a"]) not in live and (ids["x"], ids["a"]) in live
        assert db.session.get(RippleLink, ids["misfiled"]).collaboration_id == ids["collab"]
        a = db.session.get(RippleItem, ids["a"])
        assert (a.valence, a.date_precision) == (None, "day")
        assert db.session.get(RippleItem, ids["weird"]).kind == "activity"
        reasons = sorted(e.before["reason"] for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "unlink")))
        assert reasons == ["closes a circle", "ends in an activity", "joins two collaborations"]


@pytest.fixture
def sqlite_app(tmp_path):
    """An app on a fresh SQLite file: the only database that lets a test switch foreign
    keys off (and that stores over-long text), to make what an old database may hold."""
    app2 = create_app({"TESTING": True, "SECRET_KEY": "second", "RATELIMIT_ENABLED": False,
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app2.app_context():
        upgrade()
    yield app2
    with app2.app_context():
        db.session.remove()
        db.engine.dispose()


def test_check_finds_orphans_dangling_links_and_overlong_text(sqlite_app):
    with sqlite_app.test_request_context():
        collab = factories.CollaborationFactory(slug="dorp")
        x = factories.ActivityFactory(collaboration=collab, title="Markt")
        e = factories.EffectFactory(collaboration=collab, title="E" * 250)  # column: 200
        factories.LinkFactory(cause=x, effect=e)
        db.session.commit()
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql(
                "insert into ripple_items (collaboration_id, kind, title, description, "
                "date_start, date_precision, visibility, version, created_at, updated_at, "
                "evidence_text, evidence_url) values (999, 'effect', 'Wees', '', '2024-01-01', "
                "'day', 'collaboration', 1, '2024-01-01', '2024-01-01', '', '')")
            connection.exec_driver_sql(
                "insert into ripple_links (collaboration_id, cause_id, effect_id, created_at, "
                "updated_at) values (?, ?, 12345, '2024-01-01', '2024-01-01')",
                (collab.id, x.id))
            connection.commit()
    runner = sqlite_app.test_cli_runner()
    report = runner.invoke(args=["check"])
    assert report.exit_code == 1
    assert "PROBLEM orphan_items: 1 item(s)" in report.output
    assert "PROBLEM dangling_links: 1 link(s)" in report.output
    assert "ripple_items.title are longer than 200 characters" in report.output
    fixed = runner.invoke(args=["check", "--fix"])
    assert "deleted 1 link(s) that pointed at nothing" in fixed.output
    # What cannot be mended is said, and the exit code says it remains.
    assert fixed.exit_code == 1 and "2 problem(s) remain" in fixed.output
    with sqlite_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RippleLink)) == 1


def test_every_link_is_made_by_the_ripple_services():
    """No module but ripples/services.py makes RippleLink rows, so every link meets
    check_links. Two exceptions: the demo loader (a cause is always an earlier item of the
    same list, so its links cannot close a circle) and the backup restore (a whole
    database, checked afterwards by `flask --app rem check`)."""
    allowed = {"rem/ripples/services.py", "rem/demo/loader.py"}
    makers = set()
    for path in (ROOT / "rem").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            name = None
            if isinstance(node, ast.Call):
                func = node.func
                name = getattr(func, "id", None) or getattr(func, "attr", None)
                if name in ("insert",) and node.args:
                    name = getattr(node.args[0], "id", None) or getattr(node.args[0], "attr",
                                                                         None)
            if name == "RippleLink":
                makers.add(str(path.relative_to(ROOT)))
    assert makers == allowed
