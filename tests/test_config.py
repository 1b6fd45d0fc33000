"""Configuration comes from the environment; production refuses unsafe defaults."""

import pytest

from rem import create_app
from rem.config import ConfigError, from_environment


def test_production_without_a_secret_key_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("REM_ENV", "production")
    monkeypatch.delenv("REM_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="REM_SECRET_KEY"):
        from_environment(str(tmp_path))


def test_production_settings_are_safe(monkeypatch, tmp_path):
    monkeypatch.setenv("REM_ENV", "production")
    monkeypatch.setenv("REM_SECRET_KEY", "x" * 64)
    monkeypatch.setenv("REM_BASE_URL", "https://rem.example.org")
    monkeypatch.setenv("REM_DATABASE_URL", "postgresql://u:p@db/rem")
    config = from_environment(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/rem"
    assert config["REM_DEMO_ALLOWED"] is False


def test_development_defaults_to_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("REM_ENV", raising=False)
    monkeypatch.delenv("REM_DATABASE_URL", raising=False)
    config = from_environment(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/rem.sqlite3"


def test_demo_data_is_refused_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("REM_ENV", "production")
    monkeypatch.setenv("REM_SECRET_KEY", "x" * 64)
    monkeypatch.setenv("REM_BASE_URL", "https://rem.example.org")
    monkeypatch.setenv("REM_DATABASE_URL", f"sqlite:///{tmp_path}/p.sqlite3")
    # The limiter object is shared by every app in this process: keep it off for the others.
    monkeypatch.setenv("REM_RATELIMIT_ENABLED", "0")
    app = create_app()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "production" in result.output


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_in_only_redirects_to_this_site(app, client):
    from tests import factories
    from tests.conftest import CSRF_RE

    with app.app_context():
        factories.UserFactory(email="p@example.org")
        from rem.extensions import db

        db.session.commit()
    for target, expected in [("https://evil.example/", "/"), ("//evil.example", "/"),
                             ("/codebooks/", "/codebooks/"), ("/\\evil.example", "/")]:
        c = app.test_client()
        token = CSRF_RE.search(c.get("/login").data).group(1).decode()
        r = c.post("/login", data={"email": "p@example.org", "password": factories.PASSWORD,
                                   "next": target, "csrf_token": token})
        assert r.status_code == 302 and r.headers["Location"] == expected, target


def test_wrong_password_gets_a_plain_message(app, client):
    from tests.conftest import post

    r = post(client, "/login", {"email": "nobody@example.org", "password": "nope"},
             token_from="/login")
    assert r.status_code == 200
    assert "horen niet bij elkaar" in r.get_data(as_text=True)


def test_passwords_are_hashed_at_full_cost_outside_the_tests(tmp_path, monkeypatch):
    """The suite lowers scrypt's cost (tests/conftest.py); an app made as in production
    hashes at werkzeug's full cost, and no environment variable can lower it."""
    from rem.accounts.models import User

    monkeypatch.setenv("REM_PASSWORD_HASH", "scrypt:2:1:1")
    monkeypatch.setenv("REM_DATABASE_URL", f"sqlite:///{tmp_path}/p.sqlite3")
    monkeypatch.setenv("REM_RATELIMIT_ENABLED", "0")
    made = create_app()
    with made.app_context():
        user = User(email="a@example.org")
        user.set_password("een-lang-wachtwoord")
    assert user.password_hash.startswith("scrypt:32768:8:1$")
    assert user.check_password("een-lang-wachtwoord")


def test_the_suite_hashes_cheaply_but_checks_for_real(ctx):
    from rem.accounts.models import User

    user = User(email="b@example.org")
    user.set_password("een-lang-wachtwoord")
    assert user.password_hash.startswith("scrypt:1024:8:1$")
    assert user.check_password("een-lang-wachtwoord")
    assert not user.check_password("een-ander-wachtwoord")
