"""Sign-ins are records on the server: signing out, a new password, switching the account
off and "sign out everywhere" end them at once, on every app process."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from rem import create_app
from rem.accounts.models import Role, SignIn, User
from rem.core.database import utcnow
from rem.extensions import db
from tests import factories
from tests.conftest import CSRF_RE, login, post

FIREFOX = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 "
           "Firefox/128.0")
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1")


def _world(app) -> dict:
    with app.app_context():
        collab = factories.CollaborationFactory(slug="dorp", name="Dorp")
        person = factories.UserFactory(email="fac@example.org")
        factories.MembershipFactory(user=person, collaboration_id=collab.id,
                                    role=Role.FACILITATOR.value)
        admin = factories.UserFactory(email="admin@example.org", is_admin=True)
        factories.ActivityFactory(collaboration=collab, title="Inloopavond")
        db.session.commit()
        return {"person": person.id, "admin": admin.id}


def _copy(app, client):
    """Return a new browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def _sign_ins(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(SignIn.id))
                                 .where(SignIn.user_id == user_id))


def test_a_copied_cookie_stops_working_after_sign_out(app, client):
    _world(app)
    login(client, "fac@example.org")
    assert client.get("/collaborations/dorp").status_code == 200
    copy = _copy(app, client)
    assert copy.get("/collaborations/dorp").status_code == 200  # the copy works, for now
    assert post(client, "/logout").status_code == 302
    assert _sent_to_sign_in(copy.get("/collaborations/dorp"))
    assert _sent_to_sign_in(copy.get("/"))
    assert _sent_to_sign_in(copy.get("/profile"))


@pytest.mark.commits  # a second app on the same database
def test_signing_out_in_one_process_ends_the_sign_in_in_another(app):
    # Two apps on one database, as two gunicorn workers.
    _world(app)
    other = create_app({k: app.config[k] for k in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "RATELIMIT_ENABLED",
        "REM_MAP_CACHE_DIR")})
    try:
        laptop = app.test_client()
        login(laptop, "fac@example.org")
        elsewhere = other.test_client()
        elsewhere.set_cookie("session", laptop.get_cookie("session").value)
        assert elsewhere.get("/collaborations/dorp").status_code == 200
        assert post(laptop, "/logout").status_code == 302
        assert _sent_to_sign_in(elsewhere.get("/collaborations/dorp"))
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_profile_lists_sign_ins_and_ends_the_others_or_all(app):
    ids = _world(app)
    laptop, phone = app.test_client(), app.test_client()
    laptop.environ_base["HTTP_USER_AGENT"] = FIREFOX
    phone.environ_base["HTTP_USER_AGENT"] = IPHONE
    login(laptop, "fac@example.org")
    login(phone, "fac@example.org")
    page = laptop.get("/profile").get_data(as_text=True)
    assert "Firefox · Windows" in page and "Mobile Safari · iOS" in page
    assert "Dit apparaat" in page and "127.0.0.1" in page
    assert _sign_ins(app, ids["person"]) == 2
    response = post(laptop, "/profile/sign-ins/end", {"scope": "others"}, token_from="/profile")
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    assert "uitgelogd op 1 ander apparaat" in laptop.get("/profile").get_data(as_text=True)
    assert _sent_to_sign_in(phone.get("/"))
    assert laptop.get("/").status_code == 200
    login(phone, "fac@example.org")
    copy = _copy(app, laptop)
    response = post(laptop, "/profile/sign-ins/end", {"scope": "all"}, token_from="/profile")
    assert _sent_to_sign_in(response)
    for browser in (laptop, phone, copy):
        assert _sent_to_sign_in(browser.get("/profile"))
    assert _sign_ins(app, ids["person"]) == 0


def test_switching_an_account_off_ends_its_sign_ins_at_once(app):
    ids = _world(app)
    person, admin = app.test_client(), app.test_client()
    login(person, "fac@example.org")
    person.get("/collaborations/dorp")
    copy = _copy(app, person)
    login(admin, "admin@example.org")
    assert post(admin, f"/admin/users/{ids['person']}/deactivate").status_code == 302
    assert _sign_ins(app, ids["person"]) == 0
    for browser in (person, copy):
        assert _sent_to_sign_in(browser.get("/collaborations/dorp"))
    # Switched on again, the old cookie stays dead: a new sign-in is needed.
    assert post(admin, f"/admin/users/{ids['person']}/activate").status_code == 302
    assert _sent_to_sign_in(copy.get("/"))


def test_a_new_password_ends_every_sign_in(app):
    from rem.accounts import invitations

    ids = _world(app)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "fac@example.org")
    login(phone, "fac@example.org")
    with app.test_request_context():
        user = db.session.get(User, ids["person"])
        reset, _token = invitations.create_reset(user)
        invitations.use_reset(reset, "een heel nieuw wachtwoord")
        db.session.commit()
    assert _sign_ins(app, ids["person"]) == 0
    assert _sent_to_sign_in(laptop.get("/")) and _sent_to_sign_in(phone.get("/"))


@pytest.mark.commits  # the app writes "last seen" in a transaction of its own
def test_last_seen_moves_at_most_once_a_minute(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    client.get("/collaborations/dorp")

    def last_seen():
        with app.app_context():
            value = db.session.scalar(sa.select(SignIn.last_seen_at)
                                      .where(SignIn.user_id == ids["person"]))
            return value.replace(tzinfo=None)

    first = last_seen()
    response = client.get("/collaborations/dorp")
    assert response.status_code == 200
    assert last_seen() == first  # within the minute: nothing written
    assert "Set-Cookie" not in response.headers  # nor the cookie sent again
    five_minutes_ago = (utcnow() - timedelta(minutes=5)).replace(tzinfo=None)
    with app.app_context():
        db.session.execute(sa.update(SignIn).values(last_seen_at=five_minutes_ago))
        db.session.commit()
    assert last_seen() == five_minutes_ago
    response = client.get("/collaborations/dorp")
    assert response.status_code == 200
    assert last_seen() > five_minutes_ago + timedelta(minutes=4)  # moved on to now
    # ... and the cookie with it: sent again, to expire a session time from now.
    cookie = response.headers.get("Set-Cookie", "")
    assert cookie.startswith("session=") and "Expires=" in cookie, cookie


def test_a_sign_in_unused_for_longer_than_the_session_time_has_ended(app, client):
    _world(app)
    login(client, "fac@example.org")
    with app.app_context():
        db.session.execute(sa.update(SignIn).values(
            last_seen_at=utcnow() - app.permanent_session_lifetime - timedelta(minutes=2)))
        db.session.commit()
    assert _sent_to_sign_in(client.get("/"))


def test_a_session_id_without_a_sign_in_record_is_refused(app, client):
    ids = _world(app)
    with app.app_context():
        stamp = db.session.get(User, ids["person"]).password_stamp()
    for forged in (f"{ids['person']}:{stamp}:", f"{ids['person']}:{stamp}:made-up-token",
                   f"{ids['person']}:{stamp}"):
        with client.session_transaction() as session:
            session["_user_id"] = forged
        assert _sent_to_sign_in(client.get("/")), forged


def test_ending_sign_ins_needs_a_choice_and_a_token(app, client):
    _world(app)
    login(client, "fac@example.org")
    assert client.post("/profile/sign-ins/end", data={"scope": "all"}).status_code == 400
    response = post(client, "/profile/sign-ins/end", {"scope": "nergens"},
                    token_from="/profile")
    assert response.status_code == 302
    assert "Kies waar u wilt uitloggen" in client.get("/profile").get_data(as_text=True)
    assert client.get("/").status_code == 200
    token = CSRF_RE.search(client.get("/profile").data)
    assert token is not None
