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
