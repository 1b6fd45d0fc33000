"""Account administration: switching accounts off and on, researchers, password resets."""

from __future__ import annotations

import hashlib
import re
import smtplib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from rem.accounts.models import AccountToken, User
from rem.audit.models import AuditEvent
from rem.core.database import utcnow
from rem.extensions import db
from tests import factories, smtp_sink
from tests.conftest import CSRF_RE, login, post

RESET_RE = re.compile(r"http://localhost/reset/([A-Za-z0-9_-]+)")
NEW_PASSWORD = "nieuw geheim wachtwoord"


def _world(app) -> dict:
    with app.app_context():
        admin = factories.UserFactory(email="admin@example.org", is_admin=True, name="Beheer")
        person = factories.UserFactory(email="inwoner@example.org", name="Ina Inwoner")
        collab = factories.CollaborationFactory(slug="dorp", name="Dorp")
        db.session.flush()
        factories.MembershipFactory(user=person, collaboration_id=collab.id, role="member")
        db.session.commit()
        return {"admin": admin.id, "person": person.id}


def _user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def _csrf(client) -> str:
    return CSRF_RE.search(client.get("/login").data).group(1).decode()


def _sign_in_fails(app, email: str, password: str) -> bool:
    client = app.test_client()
    r = client.post("/login", data={"email": email, "password": password,
                                    "csrf_token": _csrf(client)})
    return r.status_code == 200 and "horen niet bij elkaar" in r.get_data(as_text=True)


@pytest.fixture
def admin(app, client):
    ids = _world(app)
    login(client, "admin@example.org")
    return ids


def test_the_list_shows_accounts_roles_and_last_sign_in(app, client, admin):
    body = client.get("/admin/users").get_data(as_text=True)
    assert "inwoner@example.org" in body and "Ina Inwoner" in body
    assert "Lid: Dorp" in body and "beheerder" in body and "nooit" in body
    assert 'href="/admin/users"' in client.get("/").get_data(as_text=True)  # "Beheer"
    assert "inwoner@example.org" not in client.get("/admin/users?q=beheer").get_data(
        as_text=True)
    other = app.test_client()
    login(other, "inwoner@example.org")
    assert other.get("/admin/users").status_code == 403
    assert 'href="/admin/users"' not in other.get("/").get_data(as_text=True)


def test_a_switched_off_account_cannot_sign_in_and_is_signed_out(app, client, admin):
    person = app.test_client()
    login(person, "inwoner@example.org")
    assert person.get("/collaborations/dorp").status_code == 200
    r = post(client, f"/admin/users/{admin['person']}/deactivate")
    assert r.status_code == 302
    assert _user(app, admin["person"]).active is False
    # The open session stops working at the next request.
    r = person.get("/collaborations/dorp")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert _sign_in_fails(app, "inwoner@example.org", factories.PASSWORD)
    with app.app_context():
        [event] = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.entity_type == "user"))
        assert event.before == {"active": True} and event.after == {"active": False}
    # Switched on again, the person signs in as before.
    post(client, f"/admin/users/{admin['person']}/activate")
    assert _user(app, admin["person"]).active is True
    login(app.test_client(), "inwoner@example.org")


def test_an_admin_cannot_switch_off_their_own_account(app, client, admin):
    post(client, f"/admin/users/{admin['admin']}/deactivate")
    assert _user(app, admin["admin"]).active is True
    assert "eigen account" in client.get("/admin/users").get_data(as_text=True)


def test_marking_a_researcher(app, client, admin):
    post(client, f"/admin/users/{admin['person']}/researcher", {"value": "on"})
    assert _user(app, admin["person"]).is_researcher is True
    post(client, f"/admin/users/{admin['person']}/researcher", {"value": "off"})
    assert _user(app, admin["person"]).is_researcher is False
    post(client, f"/admin/users/{admin['person']}/researcher", {"value": "maybe"})
    assert _user(app, admin["person"]).is_researcher is False
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.entity_type == "user")) == 2


def _reset_link(client, user_id: int) -> str:
    r = post(client, f"/admin/users/{user_id}/reset-link")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert "readonly" in body and "data-copy" in body
    return RESET_RE.search(body).group(1)


def _set_password(client, token: str, password: str = NEW_PASSWORD):
    return client.post(f"/reset/{token}", data={
        "csrf_token": _csrf(client), "password": password, "password_repeat": password})


def test_a_reset_link_works_once(app, client, admin):
    token = _reset_link(client, admin["person"])
    with app.app_context():
        row = db.session.scalar(sa.select(AccountToken))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert all(token not in str(v) for v in
                   db.session.execute(sa.text("select * from account_tokens")).one())
        assert timedelta(hours=23) < row.expires_at.replace(tzinfo=None) \
            - row.created_at.replace(tzinfo=None) <= timedelta(hours=24)
    person = app.test_client()
    page = person.get(f"/reset/{token}")
    assert page.status_code == 200 and "inwoner@example.org" in page.get_data(as_text=True)
    r = _set_password(person, token, "kort")
    assert r.status_code == 200 and "minstens 10 tekens" in r.get_data(as_text=True)
    r = _set_password(person, token)
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    login(app.test_client(), "inwoner@example.org", NEW_PASSWORD)
    assert _sign_in_fails(app, "inwoner@example.org", factories.PASSWORD)
    again = app.test_client()
    assert again.get(f"/reset/{token}").status_code == 410
    assert _set_password(again, token, "nog een ander wachtwoord").status_code == 410
    login(app.test_client(), "inwoner@example.org", NEW_PASSWORD)


def test_a_new_reset_link_replaces_the_old_one_and_links_expire(app, client, admin):
    first = _reset_link(client, admin["person"])
    second = _reset_link(client, admin["person"])
    visitor = app.test_client()
    assert visitor.get(f"/reset/{first}").status_code == 410
    assert visitor.get(f"/reset/{second}").status_code == 200
    with app.app_context():
        for row in db.session.scalars(sa.select(AccountToken)):
            row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    r = visitor.get(f"/reset/{second}")
    assert r.status_code == 410 and "verlopen" in r.get_data(as_text=True)
    assert visitor.get("/reset/bestaat-niet-0123456789abcdef").status_code == 404


def test_a_reset_link_stops_working_when_the_account_is_switched_off(app, client, admin):
    token = _reset_link(client, admin["person"])
    post(client, f"/admin/users/{admin['person']}/deactivate")
    assert app.test_client().get(f"/reset/{token}").status_code == 404


def test_without_mail_there_is_no_forgot_password_page(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REM_MAIL_SERVER", None)
    body = client.get("/login").get_data(as_text=True)
    assert "Wachtwoord vergeten? Vraag de beheerder om een nieuwe link." in body
    assert client.get("/reset").status_code == 404


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(app, client,
                                                                          monkeypatch):
    _world(app)
    with smtp_sink.SmtpSink() as sink:
        smtp_sink.configure(app, monkeypatch, sink)
        assert 'href="/reset"' in client.get("/login").get_data(as_text=True)
        answers = []
        for email in ("inwoner@example.org", "niemand@example.org"):
            visitor = app.test_client()
            r = visitor.post("/reset", data={"email": email, "csrf_token": _csrf(visitor)})
            follow = visitor.get(r.headers["Location"])
            answers.append((r.status_code, r.headers["Location"], follow.status_code,
                            "Als dit e-mailadres bij ons bekend is" in follow.get_data(
                                as_text=True)))
        assert answers[0] == answers[1] == (302, "/reset?sent=1", 200, True)
        assert sink.messages == []  # no mail server contacted while the page answered
        assert "1 sent" in smtp_sink.deliver(app)
    [message] = sink.messages
    assert message["To"] == "inwoner@example.org"
    token = RESET_RE.search(smtp_sink.body_of(message)).group(1)
    person = app.test_client()
    assert _set_password(person, token).status_code == 302
    login(person, "inwoner@example.org", NEW_PASSWORD)


def test_forgot_password_sends_nothing_to_a_switched_off_account(app, client, monkeypatch):
    ids = _world(app)
    with app.app_context():
        db.session.get(User, ids["person"]).active = False
        db.session.commit()
    monkeypatch.setitem(app.config, "REM_MAIL_SERVER", "127.0.0.1")

    def refuse(*args, **kwargs):
        raise AssertionError("no mail for a switched-off account")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    r = client.post("/reset", data={"email": "inwoner@example.org", "csrf_token": _csrf(client)})
    assert r.status_code == 302 and r.headers["Location"] == "/reset?sent=1"
    assert "1 reset requests for unknown addresses" in smtp_sink.deliver(app)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AccountToken.id))) == 0


def test_admin_changes_need_a_csrf_token(app, client, admin):
    assert client.post(f"/admin/users/{admin['person']}/deactivate").status_code == 400
    assert client.post(f"/admin/users/{admin['person']}/reset-link").status_code == 400
    assert client.post("/reset/bestaat-niet-0123456789abcdef",
                       data={"password": NEW_PASSWORD}).status_code == 400
    assert _user(app, admin["person"]).active is True
