"""Invitations: a one-time link, stored only as a hash, that makes an account and a role."""

from __future__ import annotations

import hashlib
import re
import smtplib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from rem.accounts import invitations
from rem.accounts.models import (
    AccountToken,
    Membership,
    OutboxMessage,
    Role,
    TokenPurpose,
    User,
)
from rem.audit.models import AuditEvent
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.extensions import db
from tests import factories, smtp_sink
from tests.conftest import CSRF_RE, login, post

NEW_PASSWORD = "een lang wachtwoord"
LINK_RE = re.compile(r"http://localhost/invite/([A-Za-z0-9_-]+)")


def _world(app) -> None:
    with app.app_context():
        hub = factories.HubFactory(slug="hub-i", name="Hub Inwoners")
        dorp = factories.CollaborationFactory(slug="dorp", hub=hub, name="Dorp Achterveld")
        fac = factories.UserFactory(email="fac@example.org", name="Fatima Begeleider")
        mem = factories.UserFactory(email="mem@example.org")
        coord = factories.UserFactory(email="coord@example.org")
        factories.UserFactory(email="bestaand@example.org", name="Bestaand")
        db.session.flush()
        factories.MembershipFactory(user=fac, collaboration_id=dorp.id,
                                    role=Role.FACILITATOR.value)
        factories.MembershipFactory(user=mem, collaboration_id=dorp.id, role=Role.MEMBER.value)
        factories.MembershipFactory(user=coord, hub_id=hub.id, role=Role.COORDINATOR.value)
        db.session.commit()


@pytest.fixture
def no_mail(app, monkeypatch):
    """Mail is off, and any attempt to talk SMTP fails the test."""
    monkeypatch.setitem(app.config, "REM_MAIL_SERVER", None)

    def refuse(*args, **kwargs):
        raise AssertionError("no mail may be sent when REM_MAIL_SERVER is not set")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    monkeypatch.setattr(smtplib, "SMTP_SSL", refuse)


def _invite(client, email="nieuw@example.org", role="member", path="/collaborations/dorp/invite"):
    r = post(client, path, {"email": email, "role": role})
    assert r.status_code == 200, r.data[:500]
    match = LINK_RE.search(r.get_data(as_text=True))
    assert match, "the link is shown on the page"
    return match.group(1), r.get_data(as_text=True)


def _csrf(client) -> str:
    """Return a CSRF token for a visitor (from the sign-in page)."""
    return CSRF_RE.search(client.get("/login").data).group(1).decode()


def _accept_as_new(client, token, name="Nieuwe Inwoner", password=NEW_PASSWORD):
    return client.post(f"/invite/{token}", data={
        "csrf_token": _csrf(client), "name": name, "password": password,
        "password_repeat": password})


def test_invite_then_accept_as_a_new_person(app, client, no_mail):
    _world(app)
    login(client, "fac@example.org")
    token, page = _invite(client)
    assert 'readonly' in page and 'data-copy="one-time-link"' in page
    assert "Stuur deze link zelf" in page

    newcomer = app.test_client()
    invitation_page = newcomer.get(f"/invite/{token}").get_data(as_text=True)
    assert "Fatima Begeleider" in invitation_page and "Dorp Achterveld" in invitation_page
    assert "lid" in invitation_page
    r = _accept_as_new(newcomer, token)
    assert r.status_code == 302 and r.headers["Location"].endswith("/collaborations/dorp")
    assert newcomer.get("/collaborations/dorp/members").status_code == 200  # signed in
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "nieuw@example.org"))
        assert user.name == "Nieuwe Inwoner" and user.check_password("een lang wachtwoord")
        membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == user.id))
        assert membership.role == "member" and membership.collaboration_id is not None
        invitation = db.session.scalar(sa.select(AccountToken))
        assert invitation.used_at is not None and invitation.user_id == user.id
        actions = {(e.action, e.entity_type) for e in db.session.scalars(sa.select(AuditEvent))}
        assert {("create", "invitation"), ("create", "user"), ("create", "membership"),
                ("update", "invitation")} <= actions

    # The link is used up: a second use is refused with a friendly page.
    again = app.test_client()
    r = again.get(f"/invite/{token}")
    assert r.status_code == 410 and "al gebruikt" in r.get_data(as_text=True)
    r = again.post(f"/invite/{token}", data={
        "csrf_token": _csrf(again), "name": "Indringer", "password": "x" * 12,
        "password_repeat": "x" * 12})
    assert r.status_code == 410
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Membership.id))) == 4


def test_the_token_is_stored_only_as_a_hash(app, client, no_mail):
    _world(app)
    login(client, "fac@example.org")
    token, _page = _invite(client)
    with app.app_context():
        row = db.session.scalar(sa.select(AccountToken))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        # The plain token appears nowhere in the table.
        values = db.session.execute(sa.text("select * from account_tokens")).one()
        assert all(token not in str(value) for value in values)
        assert all(token not in str(e.before) + str(e.after) + e.summary
                   for e in db.session.scalars(sa.select(AuditEvent)))


def test_an_expired_link_is_refused(app, client, no_mail):
    _world(app)
    login(client, "fac@example.org")
    token, _page = _invite(client)
    with app.app_context():
        row = db.session.scalar(sa.select(AccountToken))
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    newcomer = app.test_client()
    r = newcomer.get(f"/invite/{token}")
    assert r.status_code == 410 and "verlopen" in r.get_data(as_text=True)
    r = newcomer.post(f"/invite/{token}", data={"csrf_token": _csrf(newcomer)})
    assert r.status_code == 410
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "nieuw@example.org")) is None


def test_unknown_and_malformed_links_get_a_friendly_page(app, client):
    for token in ("bestaat-niet-0123456789abcdef", "x", "%3Cscript%3E"):
        r = client.get(f"/invite/{token}")
        body = r.get_data(as_text=True)
        assert r.status_code == 404 and "Deze link kennen we niet" in body
        assert "Traceback" not in body


def test_the_invite_days_are_configurable(app, client, no_mail, monkeypatch):
    monkeypatch.setitem(app.config, "REM_INVITE_DAYS", 3)
    _world(app)
    login(client, "fac@example.org")
    _invite(client)
    with app.app_context():
        row = db.session.scalar(sa.select(AccountToken))
        expires = row.expires_at.replace(tzinfo=None)
        created = row.created_at.replace(tzinfo=None)
        assert timedelta(days=3) - timedelta(minutes=1) < expires - created \
            < timedelta(days=3) + timedelta(minutes=1)


def test_a_short_password_or_missing_name_makes_no_account(app, client, no_mail):
    _world(app)
    login(client, "fac@example.org")
    token, _page = _invite(client)
    newcomer = app.test_client()
    r = _accept_as_new(newcomer, token, password="kort")
    assert r.status_code == 200 and "minstens 10 tekens" in r.get_data(as_text=True)
    r = _accept_as_new(newcomer, token, name="")
    assert r.status_code == 200 and "Vul uw naam in." in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "nieuw@example.org")) is None
        assert db.session.scalar(sa.select(AccountToken)).used_at is None


def test_a_member_cannot_invite(app, client):
    _world(app)
    login(client, "mem@example.org")
    assert client.get("/collaborations/dorp/invite").status_code == 403
    r = post(client, "/collaborations/dorp/invite", {"email": "x@example.org", "role": "member"})
    assert r.status_code == 403
    assert client.get("/hubs/hub-i/invite").status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AccountToken.id))) == 0


def test_an_existing_account_signs_in_and_accepts(app, client, no_mail):
    _world(app)
    login(client, "fac@example.org")
    token, _page = _invite(client, email="Bestaand@Example.org", role="facilitator")
    person = app.test_client()
    page = person.get(f"/invite/{token}").get_data(as_text=True)
    assert "Er is al een account" in page and "Wachtwoord" not in page.split("<h1>")[1]
    r = person.post(f"/invite/{token}", data={"csrf_token": _csrf(person)})
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    login(person, "bestaand@example.org")
    r = post(person, f"/invite/{token}", token_from=f"/invite/{token}")
    assert r.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "bestaand@example.org"))
        [membership] = user.memberships
        assert membership.role == "facilitator"
    assert person.get(f"/invite/{token}").status_code == 410


def test_someone_signed_in_with_another_account_cannot_accept(app, client, no_mail):
    _world(app)
    login(client, "fac@example.org")
    token, _page = _invite(client)
    page = client.get(f"/invite/{token}").get_data(as_text=True)
    assert "U bent ingelogd als fac@example.org" in page
    assert post(client, f"/invite/{token}").status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(AccountToken)).used_at is None


def test_a_withdrawn_invitation_no_longer_works(app, client, no_mail):
    _world(app)
    login(client, "fac@example.org")
    token, _page = _invite(client)
    members_page = client.get("/collaborations/dorp/members").get_data(as_text=True)
    assert "nieuw@example.org" in members_page
    with app.app_context():
        invitation_id = db.session.scalar(sa.select(AccountToken.id))
    assert post(client, f"/invitations/{invitation_id}/withdraw").status_code == 302
    r = app.test_client().get(f"/invite/{token}")
    assert r.status_code == 410 and "ingetrokken" in r.get_data(as_text=True)
    page = client.get("/collaborations/dorp/members").get_data(as_text=True)
    assert "is ingetrokken" in page  # the message, once
    assert "nieuw@example.org" not in client.get("/collaborations/dorp/members").get_data(
        as_text=True)


def test_someone_with_a_role_already_is_not_invited_again(app, client, no_mail):
    _world(app)
    login(client, "fac@example.org")
    r = post(client, "/collaborations/dorp/invite", {"email": "mem@example.org",
                                                     "role": "facilitator"})
    assert r.status_code == 200 and "heeft hier al een rol" in r.get_data(as_text=True)


def test_a_coordinator_invites_a_coordinator_for_the_hub(app, client, no_mail):
    _world(app)
    login(client, "coord@example.org")
    token, _page = _invite(client, email="coord2@example.org", path="/hubs/hub-i/invite")
    newcomer = app.test_client()
    assert "als coördinator van Hub Inwoners" in newcomer.get(f"/invite/{token}").get_data(
        as_text=True)
    r = _accept_as_new(newcomer, token)
    assert r.status_code == 302 and r.headers["Location"].endswith("/hubs/hub-i")
    assert newcomer.get("/hubs/hub-i/members").status_code == 200


def test_accepting_needs_a_csrf_token(app, client, no_mail):
    _world(app)
    login(client, "fac@example.org")
    token, _page = _invite(client)
    r = app.test_client().post(f"/invite/{token}", data={
        "name": "X", "password": "een lang wachtwoord", "password_repeat": "een lang wachtwoord"})
    assert r.status_code == 400
    assert client.post("/collaborations/dorp/invite",
                       data={"email": "y@example.org", "role": "member"}).status_code == 400


def test_with_mail_configured_the_invitation_is_mailed(app, client, monkeypatch):
    _world(app)
    with smtp_sink.SmtpSink() as sink:
        smtp_sink.configure(app, monkeypatch, sink)
        login(client, "fac@example.org")
        token, page = _invite(client)
        assert "We sturen de link binnen een paar minuten per e-mail" in page
        assert sink.messages == []  # the page did not wait for the mail server
        smtp_sink.deliver(app)
    [message] = sink.messages
    assert message["To"] == "nieuw@example.org"
    assert message["From"] == "rem@example.org"
    assert "Dorp Achterveld" in message["Subject"]
    body = smtp_sink.body_of(message)
    assert f"http://localhost/invite/{token}" in body and "Fatima Begeleider" in body


def test_a_failing_mail_server_still_shows_the_link_and_the_mail_waits(app, client,
                                                                         monkeypatch):
    _world(app)
    with smtp_sink.SmtpSink() as sink:
        port = sink.port
    # The sink is closed now: nothing listens on this port.
    monkeypatch.setitem(app.config, "REM_MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "REM_MAIL_PORT", port)
    monkeypatch.setitem(app.config, "REM_MAIL_USE_TLS", False)
    login(client, "fac@example.org")
    token, page = _invite(client)
    assert token in page
    assert "1 to try again" in smtp_sink.deliver(app)
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage))
        assert (message.state, message.attempts) == ("waiting", 1)
        assert "ConnectionRefusedError" in message.last_error


def test_two_acceptances_at_once_use_the_link_only_once(app, ctx):
    """Both requests found the link open; only the first UPDATE may claim it."""
    _world(app)
    dorp = db.session.scalar(sa.select(Collaboration).where(Collaboration.slug == "dorp"))
    _invitation, token = invitations.create_invitation("nieuw@example.org", Role.MEMBER,
                                                       collaboration=dorp)
    first = invitations.find_token(token, TokenPurpose.INVITE)
    invitations.accept_as_new(first, "Eerste", NEW_PASSWORD)
    db.session.execute(sa.update(AccountToken).values(used_at=None))  # as seen by request two
    second = invitations.find_token(token, TokenPurpose.INVITE)
    db.session.execute(sa.update(AccountToken).values(used_at=utcnow()))  # request one commits
    with pytest.raises(invitations.TokenProblem):
        invitations.accept_as_existing(second, db.session.scalar(
            sa.select(User).where(User.email == "nieuw@example.org")))


def test_the_invitation_goes_out_in_the_language_the_inviter_chose(app, client, monkeypatch):
    from tests.test_translations import _compile_catalogues

    _compile_catalogues(app)
    _world(app)
    with smtp_sink.SmtpSink() as sink:
        smtp_sink.configure(app, monkeypatch, sink)
        login(client, "fac@example.org")
        form = client.get("/collaborations/dorp/invite").get_data(as_text=True)
        # The inviter reads Dutch, so Dutch is chosen already.
        assert re.search(r'<option selected value="nl">|<option value="nl" selected', form)
        r = post(client, "/collaborations/dorp/invite",
                 {"email": "new@example.org", "role": "member", "locale": "en"})
        assert r.status_code == 200
        page = r.get_data(as_text=True)
        assert "We sturen de link" in page  # the inviter's page stays Dutch
        token = LINK_RE.search(page).group(1)
        assert f"/invite/{token}?lang=en" in page
        smtp_sink.deliver(app)
    [message] = sink.messages
    assert message["Subject"] == "Invitation to Dorp Achterveld"
    body = smtp_sink.body_of(message)
    assert "Fatima Begeleider invites you" in body and "as member" in body
    assert "nodigt" not in body
    assert f"http://localhost/invite/{token}?lang=en" in body

    # The newcomer's browser asks for Dutch, but the link opens the page in English.
    newcomer = app.test_client()
    invitation_page = newcomer.get(f"/invite/{token}?lang=en",
                                   headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert '<html lang="en"' in invitation_page
    assert "Dorp Achterveld" in invitation_page
    # And it stays English for the rest of the visit.
    assert '<html lang="en"' in newcomer.get("/login", headers={"Accept-Language": "nl"}
                                             ).get_data(as_text=True)


def test_an_unknown_language_is_refused_and_a_dutch_invitation_stays_dutch(app, client,
                                                                          monkeypatch):
    _world(app)
    with smtp_sink.SmtpSink() as sink:
        smtp_sink.configure(app, monkeypatch, sink)
        login(client, "fac@example.org")
        r = post(client, "/collaborations/dorp/invite",
                 {"email": "new@example.org", "role": "member", "locale": "fr"})
        assert r.status_code == 200 and "Not a valid choice" not in r.get_data(as_text=True)
        assert not LINK_RE.search(r.get_data(as_text=True)), "nothing was made"
        token, _page = _invite(client)  # no language given: the inviter's (Dutch)
        smtp_sink.deliver(app)
    [message] = sink.messages
    assert message["Subject"] == "Uitnodiging voor Dorp Achterveld"
    assert f"/invite/{token}?lang=nl" in smtp_sink.body_of(message)
