"""The members page: who is in a collaboration, changing roles and removing people."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rem.accounts.models import Membership, Role, User
from rem.audit.models import AuditEvent
from rem.extensions import db
from rem.ripples.models import RippleItem
from tests import factories
from tests.conftest import login, post


def _world(app) -> dict:
    """A hub with the collaboration "dorp" (two facilitators unless ``lone``) and people."""
    with app.app_context():
        hub = factories.HubFactory(slug="hub-m")
        dorp = factories.CollaborationFactory(slug="dorp", hub=hub, name="Dorp")
        elders = factories.CollaborationFactory(slug="elders", hub=hub)
        people = {name: factories.UserFactory(email=f"{name}@example.org", name=name.title())
                  for name in ("admin", "coord", "fac", "fac2", "mem", "outsider", "onderzoeker")}
        people["admin"].is_admin = True
        people["onderzoeker"].is_researcher = True
        db.session.flush()
        ids = {}
        for name, role, scope in [
            ("coord", Role.COORDINATOR, {"hub_id": hub.id}),
            ("fac", Role.FACILITATOR, {"collaboration_id": dorp.id}),
            ("fac2", Role.FACILITATOR, {"collaboration_id": dorp.id}),
            ("mem", Role.MEMBER, {"collaboration_id": dorp.id}),
            ("outsider", Role.MEMBER, {"collaboration_id": elders.id}),
        ]:
            ids[name] = factories.MembershipFactory(user=people[name], role=role.value,
                                                    **scope).id
        written = factories.ActivityFactory(collaboration=dorp, title="Verhaal van fac2",
                                            created_by_id=people["fac2"].id)
        ids["item"] = written.id
        ids["fac2_user"] = people["fac2"].id
        db.session.commit()
        return ids


def _membership(app, membership_id: int) -> Membership | None:
    with app.app_context():
        membership = db.session.get(Membership, membership_id)
        if membership is not None:
            db.session.expunge(membership)
        return membership


def _audit(app, action: str, entity_type: str = "membership") -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == action, AuditEvent.entity_type == entity_type)))


def test_a_member_sees_people_and_roles_but_cannot_change_them(app, client):
    _world(app)
    login(client, "mem@example.org")
    r = client.get("/collaborations/dorp/members")
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Fac2" in body and "Mem" in body and "Begeleider" in body
    assert "Coord" in body  # who else can read everything, through the hub
    assert "Verwijderen" not in body and "Iemand uitnodigen" not in body
    assert "fac2@example.org" not in body  # addresses only for those who manage
    assert 'href="/collaborations/dorp/members"' in client.get("/collaborations/dorp").get_data(
        as_text=True)


def test_outsiders_and_researchers_may_not_see_the_members(app, client):
    _world(app)
    for email in ("outsider@example.org", "onderzoeker@example.org"):
        client = app.test_client()
        login(client, email)
        assert client.get("/collaborations/dorp/members").status_code == 403
        assert "/members" not in client.get("/collaborations/dorp").get_data(as_text=True)


def test_a_facilitator_changes_a_role_and_it_is_in_the_audit_trail(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    page = client.get("/collaborations/dorp/members").get_data(as_text=True)
    assert "mem@example.org" in page and "Verwijderen" in page
    r = post(client, f"/collaborations/dorp/members/{ids['mem']}/role", {"role": "facilitator"})
    assert r.status_code == 302
    assert _membership(app, ids["mem"]).role == "facilitator"
    [event] = _audit(app, "update")
    assert event.before == {"role": "member"} and event.after == {"role": "facilitator"}
    assert "is gewijzigd" in client.get("/collaborations/dorp/members").get_data(as_text=True)


def test_an_unknown_role_is_refused(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    post(client, f"/collaborations/dorp/members/{ids['mem']}/role", {"role": "coordinator"})
    assert _membership(app, ids["mem"]).role == "member"
    assert "Kies een rol." in client.get("/collaborations/dorp/members").get_data(as_text=True)


def test_removing_a_member_keeps_everything_they_wrote(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    r = post(client, f"/collaborations/dorp/members/{ids['fac2']}/remove")
    assert r.status_code == 302
    assert _membership(app, ids["fac2"]) is None
    with app.app_context():
        item = db.session.get(RippleItem, ids["item"])
        assert item is not None and item.deleted_at is None
        assert item.created_by_id == ids["fac2_user"]
        assert db.session.get(User, ids["fac2_user"]) is not None
    [event] = _audit(app, "delete")
    assert event.before["role"] == "facilitator" and event.entity_id == ids["fac2"]
    assert "blijft bewaard" in client.get("/collaborations/dorp/members").get_data(as_text=True)
    # The removed person no longer reads the collaboration.
    other = app.test_client()
    login(other, "fac2@example.org")
    assert other.get("/collaborations/dorp/members").status_code == 403


def test_a_facilitator_cannot_remove_or_demote_the_last_facilitator(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    post(client, f"/collaborations/dorp/members/{ids['fac2']}/remove")
    r = post(client, f"/collaborations/dorp/members/{ids['fac']}/remove")
    assert r.status_code == 302
    assert _membership(app, ids["fac"]) is not None
    body = client.get("/collaborations/dorp/members").get_data(as_text=True)
    assert "laatste begeleider" in body
    post(client, f"/collaborations/dorp/members/{ids['fac']}/role", {"role": "member"})
    assert _membership(app, ids["fac"]).role == "facilitator"
    assert "laatste begeleider" in client.get("/collaborations/dorp/members").get_data(
        as_text=True)


def test_a_coordinator_or_admin_may_remove_the_last_facilitator(app, client):
    ids = _world(app)
    login(client, "coord@example.org")
    post(client, f"/collaborations/dorp/members/{ids['fac2']}/remove")
    post(client, f"/collaborations/dorp/members/{ids['fac']}/role", {"role": "member"})
    assert _membership(app, ids["fac"]).role == "member"
    admin = app.test_client()
    login(admin, "admin@example.org")
    post(admin, f"/collaborations/dorp/members/{ids['mem']}/remove")
    assert _membership(app, ids["mem"]) is None


def test_a_member_cannot_change_remove_or_invite(app, client):
    ids = _world(app)
    login(client, "mem@example.org")
    assert post(client, f"/collaborations/dorp/members/{ids['fac']}/remove").status_code == 403
    assert post(client, f"/collaborations/dorp/members/{ids['fac']}/role",
                {"role": "member"}).status_code == 403
    assert client.get("/collaborations/dorp/invite").status_code == 403
    assert _membership(app, ids["fac"]).role == "facilitator"


def test_a_membership_of_another_collaboration_is_not_found_here(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    assert post(client, f"/collaborations/dorp/members/{ids['outsider']}/remove"
                ).status_code == 404
    assert post(client, f"/collaborations/dorp/members/{ids['coord']}/role",
                {"role": "member"}).status_code == 404
    assert _membership(app, ids["outsider"]) is not None


def test_changes_need_a_csrf_token(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    assert client.post(f"/collaborations/dorp/members/{ids['mem']}/remove").status_code == 400
    assert client.post(f"/collaborations/dorp/members/{ids['mem']}/role",
                       data={"role": "facilitator"}).status_code == 400
    assert _membership(app, ids["mem"]).role == "member"


def test_the_hub_page_lists_coordinators_and_guards_the_last_one(app, client):
    ids = _world(app)
    login(client, "coord@example.org")
    body = client.get("/hubs/hub-m/members").get_data(as_text=True)
    assert "coord@example.org" in body and "Fac2" in body and "Dorp" in body
    post(client, f"/hubs/hub-m/members/{ids['coord']}/remove")
    assert _membership(app, ids["coord"]) is not None
    assert "laatste coördinator" in client.get("/hubs/hub-m/members").get_data(as_text=True)
    fac = app.test_client()
    login(fac, "fac@example.org")
    assert fac.get("/hubs/hub-m/members").status_code == 403
    admin = app.test_client()
    login(admin, "admin@example.org")
    post(admin, f"/hubs/hub-m/members/{ids['coord']}/remove")
    assert _membership(app, ids["coord"]) is None
    assert [e.entity_id for e in _audit(app, "delete")] == [ids["coord"]]


def test_the_database_refuses_a_second_role_in_the_same_place(app):
    """One role per person per collaboration and per hub, also without the service layer."""
    with app.app_context():
        user = factories.UserFactory()
        collaboration = factories.CollaborationFactory()
        db.session.add(Membership(user_id=user.id, collaboration_id=collaboration.id,
                                  role="member"))
        db.session.commit()
        db.session.add(Membership(user_id=user.id, collaboration_id=collaboration.id,
                                  role="facilitator"))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.add(Membership(user_id=user.id, hub_id=collaboration.hub_id,
                                  role="coordinator"))
        db.session.commit()
        db.session.add(Membership(user_id=user.id, hub_id=collaboration.hub_id,
                                  role="coordinator"))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
