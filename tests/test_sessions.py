"""Sign-in sessions: they expire after inactivity and survive nothing they should not."""

import time
from datetime import timedelta

from rem.extensions import db
from tests import factories
from tests.conftest import login


def test_session_expires_after_inactivity(app, client):
    with app.app_context():
        factories.UserFactory(email="p@example.org")
        db.session.commit()
    login(client, "p@example.org")
    assert client.get("/").status_code == 200
    old = app.config["PERMANENT_SESSION_LIFETIME"]
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=1)
    try:
        client.get("/")  # activity renews the session ...
        time.sleep(2.2)  # ... and inactivity ends it
        response = client.get("/")
    finally:
        app.config["PERMANENT_SESSION_LIFETIME"] = old
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_out_needs_a_post_with_token(app, client):
    with app.app_context():
        factories.UserFactory(email="p@example.org")
        db.session.commit()
    login(client, "p@example.org")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert client.get("/").status_code == 200


def test_a_new_password_signs_out_other_sessions(app):
    with app.app_context():
        factories.UserFactory(email="p@example.org")
        db.session.commit()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "p@example.org")
    login(phone, "p@example.org")
    with app.app_context():
        from rem.accounts.models import User

        user = db.session.scalar(db.select(User).where(User.email == "p@example.org"))
        user.set_password("een-heel-nieuw-wachtwoord")
        db.session.commit()
    for client in (laptop, phone):
        response = client.get("/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(phone, "p@example.org", "een-heel-nieuw-wachtwoord")
    assert phone.get("/").status_code == 200


def test_a_forged_session_id_is_refused(app, client):
    with app.app_context():
        user = factories.UserFactory(email="p@example.org")
        db.session.commit()
        user_id = user.id
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:0000000000000000"
    assert client.get("/").status_code == 302
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
    assert client.get("/").status_code == 302
