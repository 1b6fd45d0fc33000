"""Actions in the learning log: owner, due date, open until done, and the overviews."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rem.access import load_access
from rem.accounts.models import Role, User
from rem.audit.models import AuditEvent
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.extensions import db
from rem.logbook import services
from rem.logbook.models import LogEntry
from tests import factories
from tests.conftest import login, post

TODAY = date.today()


def _world(app) -> dict:
    with app.app_context():
        hub_a = factories.HubFactory(slug="hub-a")
        hub_b = factories.HubFactory(slug="hub-b")
        dorp = factories.CollaborationFactory(slug="dorp", name="Dorp", hub=hub_a)
        stad = factories.CollaborationFactory(slug="stad", name="Stad", hub=hub_a)
        elders = factories.CollaborationFactory(slug="elders", name="Elders", hub=hub_b)
        users = {}
        for email, collab, role in [("fac@example.org", dorp, Role.FACILITATOR),
                                    ("lid@example.org", dorp, Role.MEMBER),
                                    ("stad@example.org", stad, Role.MEMBER),
                                    ("ander@example.org", elders, Role.FACILITATOR)]:
            users[email] = factories.UserFactory(email=email, name=email[:3].title())
            factories.MembershipFactory(user=users[email], collaboration_id=collab.id,
                                        role=role.value)
        coordinator = factories.UserFactory(email="coord@example.org")
        factories.MembershipFactory(user=coordinator, hub_id=hub_a.id,
                                    role=Role.COORDINATOR.value)
        lid = users["lid@example.org"]
        factories.LogEntryFactory(collaboration=dorp, kind="action", title="Te laat",
                                  owner_id=lid.id, due_date=TODAY - timedelta(days=3))
        factories.LogEntryFactory(collaboration=dorp, kind="action", title="Later",
                                  owner_id=users["fac@example.org"].id,
                                  due_date=TODAY + timedelta(days=30))
        factories.LogEntryFactory(collaboration=dorp, kind="action", title="Zonder datum")
        factories.LogEntryFactory(collaboration=dorp, kind="action", title="Al klaar",
                                  done_at=utcnow())
        factories.LogEntryFactory(collaboration=stad, kind="action", title="Actie in stad")
        factories.LogEntryFactory(collaboration=elders, kind="action", title="Gedeelde actie",
                                  visibility="network")
        factories.LogEntryFactory(collaboration=elders, kind="action", title="Geheime actie")
        db.session.commit()
        return {"dorp": dorp.id, "lid": lid.id, "coordinator": coordinator.id}


def _id(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(LogEntry.id).where(LogEntry.title == title))


def test_open_actions_of_a_collaboration_earliest_due_first(app, client):
    _world(app)
    login(client, "lid@example.org")
    page = client.get("/collaborations/dorp/log/actions").get_data(as_text=True)
    assert page.index("Te laat") < page.index("Later") < page.index("Zonder datum")
    assert "Al klaar" not in page and "Actie in stad" not in page
    assert "te laat" in page  # overdue is said in words, not only shown in colour
    log = client.get("/collaborations/dorp/log").get_data(as_text=True)
    assert "Er staan 3 acties open." in log


def test_overview_across_collaborations_follows_the_access_rules(app, client):
    _world(app)
    login(client, "coord@example.org")
    page = client.get("/actions").get_data(as_text=True)
    for title in ("Te laat", "Later", "Zonder datum", "Actie in stad", "Gedeelde actie"):
        assert title in page, title
    assert "Geheime actie" not in page and "Al klaar" not in page
    member = app.test_client()
    login(member, "lid@example.org")
    page = member.get("/actions").get_data(as_text=True)
    assert "Te laat" in page and "Gedeelde actie" in page
    assert "Actie in stad" not in page and "Geheime actie" not in page
    mine = member.get("/actions?mine=1").get_data(as_text=True)
    assert "Te laat" in mine and "Later" not in mine


def test_the_owner_marks_an_action_done_and_it_leaves_the_overview(app, client):
    _world(app)
    action_id = _id(app, "Te laat")
    login(client, "lid@example.org")
    r = post(client, f"/collaborations/dorp/log/{action_id}/done",
             {"done": "1", "back": "/collaborations/dorp/log/actions"},
             token_from="/collaborations/dorp/log/actions")
    assert r.status_code == 302 and r.headers["Location"].endswith("/log/actions")
    assert ">Te laat</a>" not in client.get("/collaborations/dorp/log/actions").get_data(
        as_text=True)
    page = client.get(f"/collaborations/dorp/log/{action_id}").get_data(as_text=True)
    assert "Klaar sinds" in page
    r = post(client, f"/collaborations/dorp/log/{action_id}/done", {"done": "0"},
             token_from=f"/collaborations/dorp/log/{action_id}")
    assert ">Te laat</a>" in client.get("/collaborations/dorp/log/actions").get_data(
        as_text=True)
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.entity_id == action_id, AuditEvent.entity_type == "log_entry")
            .order_by(AuditEvent.id)).all()
    assert actions == ["done", "reopen"]


def test_an_offsite_back_link_is_not_followed(app, client):
    _world(app)
    action_id = _id(app, "Te laat")
    login(client, "lid@example.org")
    r = post(client, f"/collaborations/dorp/log/{action_id}/done",
             {"done": "1", "back": "//evil.example/"}, token_from="/actions")
    assert r.headers["Location"].endswith(f"/collaborations/dorp/log/{action_id}")


def test_only_owner_author_or_editors_mark_done(app, client):
    _world(app)
    other_id = _id(app, "Later")  # owned by the facilitator, written by nobody
    login(client, "lid@example.org")
    r = post(client, f"/collaborations/dorp/log/{other_id}/done", {"done": "1"},
             token_from="/actions")
    assert r.status_code == 403
    outsider = app.test_client()
    login(outsider, "ander@example.org")
    assert post(outsider, f"/collaborations/dorp/log/{other_id}/done", {"done": "1"},
                token_from="/actions").status_code == 404


def test_a_lesson_cannot_be_done(app, ctx):
    ids = _world(app)
    dorp = db.session.get(Collaboration, ids["dorp"])
    lesson = services.create_entry(dorp, services.EntryInput(kind="lesson", title="Les",
                                                             entry_date=TODAY))
    with pytest.raises(services.LogError, match="Alleen een actie"):
        services.set_done(lesson, True)


def test_owner_must_belong_to_the_collaboration_and_due_date_must_be_sane(app, ctx):
    ids = _world(app)
    dorp = db.session.get(Collaboration, ids["dorp"])
    stranger = factories.UserFactory(email="vreemd@example.org")
    with pytest.raises(services.LogError, match="eigenaar"):
        services.create_entry(dorp, services.EntryInput(
            kind="action", title="x", entry_date=TODAY, owner_id=stranger.id))
    with pytest.raises(services.LogError, match="einddatum"):
        services.create_entry(dorp, services.EntryInput(
            kind="action", title="x", entry_date=TODAY, due_date=date(3000, 1, 1)))
    # The hub's coordinator may own an action; a non-action drops owner and due date.
    entry = services.create_entry(dorp, services.EntryInput(
        kind="action", title="Coördinator", entry_date=TODAY, owner_id=ids["coordinator"],
        due_date=TODAY + timedelta(days=7)))
    assert entry.owner_id == ids["coordinator"]
    lesson = services.create_entry(dorp, services.EntryInput(
        kind="lesson", title="Les", entry_date=TODAY, owner_id=ids["lid"], due_date=TODAY))
    assert lesson.owner_id is None and lesson.due_date is None


def test_open_actions_service_and_access(app, ctx):
    ids = _world(app)
    coordinator = load_access(db.session.get(User, ids["coordinator"]))
    titles = [e.title for e in services.open_actions(coordinator)]
    assert titles[:2] == ["Te laat", "Later"]
    assert "Geheime actie" not in titles and "Al klaar" not in titles
    dorp_only = [e.title for e in services.open_actions(coordinator, [ids["dorp"]])]
    assert set(dorp_only) == {"Te laat", "Later", "Zonder datum"}


def test_new_action_through_the_form(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    due = (TODAY + timedelta(days=14)).isoformat()
    r = post(client, "/collaborations/dorp/log/new",
             {"kind": "action", "title": "Wethouder bellen", "entry_date": TODAY.isoformat(),
              "owner_id": str(ids["lid"]), "due_date": due, "visibility": "collaboration"},
             token_from="/collaborations/dorp/log/new")
    assert r.status_code == 302
    with app.app_context():
        entry = db.session.scalar(sa.select(LogEntry).where(LogEntry.title == "Wethouder bellen"))
        assert entry.owner_id == ids["lid"] and entry.due_date.isoformat() == due
    assert "Wethouder bellen" in client.get("/collaborations/dorp/log/actions").get_data(
        as_text=True)
