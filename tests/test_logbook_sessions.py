"""Learning-log entries cite evaluation sessions as evidence."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from rem.accounts.models import Role
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.logbook import services
from rem.logbook.models import LogCitation, LogEntry
from rem.workshops.models import Workshop
from tests import factories
from tests.conftest import login, post

TODAY = date.today().isoformat()


def _world(app) -> dict:
    """Dorp with a facilitator and a member and a session; elders with its own session."""
    with app.app_context():
        dorp = factories.CollaborationFactory(slug="dorp", name="Dorp")
        elders = factories.CollaborationFactory(slug="elders", name="Elders")
        for email, collab, role in [("fac@example.org", dorp, Role.FACILITATOR),
                                    ("lid@example.org", dorp, Role.MEMBER),
                                    ("ander@example.org", elders, Role.FACILITATOR)]:
            user = factories.UserFactory(email=email, name=email.split("@")[0].title())
            factories.MembershipFactory(user=user, collaboration_id=collab.id, role=role.value)
        ours = Workshop(collaboration_id=dorp.id, title="Voorjaarssessie",
                                 held_on=date(2026, 3, 12), focus_question="Wat veranderde?",
                                 code="ABC234")
        theirs = Workshop(collaboration_id=elders.id, title="Sessie elders",
                                   held_on=date(2026, 3, 1), focus_question="Wat?",
                                   code="XYZ789")
        db.session.add_all([ours, theirs])
        db.session.commit()
        return {"dorp": dorp.id, "ours": ours.id, "theirs": theirs.id}


def _new_entry(client, data: dict):
    payload = {"kind": "lesson", "title": "De sessie leerde ons veel", "entry_date": TODAY,
               "body": "", "owner_id": ""}
    payload.update(data)
    return post(client, "/collaborations/dorp/log/new", payload,
                token_from="/collaborations/dorp/log/new")


def test_a_session_is_cited_through_the_form_and_its_pages_list_the_entry(app, client):
    ids = _world(app)
    login(client, "lid@example.org")
    form = client.get(f"/collaborations/dorp/log/new?session={ids['ours']}")
    assert "Voorjaarssessie" in form.get_data(as_text=True)
    assert "Sessie elders" not in form.get_data(as_text=True)
    r = _new_entry(client, {"workshops": [str(ids["ours"])]})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Voorjaarssessie" in page and "Evaluatiesessie" in page
    with app.app_context():
        entry = db.session.scalar(sa.select(LogEntry).where(
            LogEntry.title == "De sessie leerde ons veel"))
        assert [c.session_id for c in entry.citations] == [ids["ours"]]
        assert [c.target_type for c in entry.citations] == ["session"]
    report = client.get(f"/collaborations/dorp/sessions/{ids['ours']}/report")
    assert report.status_code == 200
    assert "De sessie leerde ons veel" in report.get_data(as_text=True)
    fac = app.test_client()
    login(fac, "fac@example.org")
    show = fac.get(f"/collaborations/dorp/sessions/{ids['ours']}").get_data(as_text=True)
    assert "In het leerlogboek" in show and "De sessie leerde ons veel" in show


def test_a_session_of_another_collaboration_is_refused(app, client):
    ids = _world(app)
    login(client, "lid@example.org")
    r = _new_entry(client, {"workshops": [str(ids["theirs"])]})
    assert r.status_code == 200
    assert "alleen evaluatiesessies van dit samenwerkingsverband" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LogCitation)) == 0
    with app.test_request_context():
        dorp = db.session.get(Collaboration, ids["dorp"])
        with pytest.raises(services.LogError, match="evaluatiesessies"):
            services.create_entry(dorp, services.EntryInput(
                kind="lesson", title="x", entry_date=date.today(),
                workshop_ids=[ids["theirs"]]))
        db.session.rollback()


def test_an_outsider_does_not_see_the_session_citation(app, client):
    ids = _world(app)
    with app.app_context():
        dorp = db.session.get(Collaboration, ids["dorp"])
        entry = factories.LogEntryFactory(collaboration=dorp, title="Gedeelde les",
                                          visibility="network")
        entry.citations.append(LogCitation(session_id=ids["ours"]))
        db.session.commit()
        entry_id = entry.id
    login(client, "ander@example.org")
    page = client.get(f"/collaborations/dorp/log/{entry_id}").get_data(as_text=True)
    assert "Gedeelde les" in page
    assert "Voorjaarssessie" not in page
    assert "1 bron is niet te zien" in page
    assert client.get(f"/collaborations/dorp/sessions/{ids['ours']}/report").status_code == 403
    member = app.test_client()
    login(member, "lid@example.org")
    page = member.get(f"/collaborations/dorp/log/{entry_id}").get_data(as_text=True)
    assert "Voorjaarssessie" in page


def test_editing_keeps_or_drops_session_citations(app, ctx):
    ids = _world(app)
    dorp = db.session.get(Collaboration, ids["dorp"])
    entry = services.create_entry(dorp, services.EntryInput(
        kind="lesson", title="x", entry_date=date.today(), workshop_ids=[ids["ours"]]))
    db.session.commit()
    assert services.entry_state(entry)["cites"] == [f"session:{ids['ours']}"]
    services.update_entry(entry, services.EntryInput(
        kind="lesson", title="x", entry_date=date.today(), workshop_ids=[ids["ours"]]),
        entry.version)
    assert [c.session_id for c in entry.citations] == [ids["ours"]]
    services.update_entry(entry, services.EntryInput(
        kind="lesson", title="x", entry_date=date.today()), entry.version)
    assert entry.citations == []
