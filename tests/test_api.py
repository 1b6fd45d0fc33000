"""The read-only API: personal access tokens, access rules, and the OpenAPI file
validated against real responses."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa
import yaml

from rem.extensions import db
from rem.interchange.models import ApiToken
from rem.interchange.tokens import hash_token
from tests.conftest import csrf_token, login
from tests.test_export_formats import build_log

SPEC = yaml.safe_load((Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml")
                      .read_text(encoding="utf-8"))
SECRET_RE = re.compile(r'class="token-secret">(rem_[A-Za-z0-9_-]+)<')


def make_token(app, email: str, name: str = "R-script", days: str = "90") -> str:
    client = app.test_client()
    login(client, email)
    response = client.post("/profile/tokens", data={
        "csrf_token": csrf_token(client, "/profile/tokens"), "name": name, "days": days})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    match = SECRET_RE.search(response.get_data(as_text=True))
    assert match, "the new token is shown once"
    return match.group(1)


def api(app, path: str, token: str | None = None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return app.test_client().get(f"/api/v1{path}", headers=headers)


def test_tokens_are_stored_as_hashes_shown_once_and_revocable(app):
    build_log(app)
    secret = make_token(app, "member@example.org")
    with app.app_context():
        stored = db.session.scalar(sa.select(ApiToken))
        assert stored.token_hash == hash_token(secret) and secret not in stored.token_hash
        assert stored.prefix == secret[:10]
        token_id = stored.id
    client = app.test_client()
    login(client, "member@example.org")
    page = client.get("/profile/tokens").get_data(as_text=True)
    assert "R-script" in page and secret not in page  # listed, never shown again
    assert api(app, "/collaborations", secret).status_code == 200
    with app.app_context():
        assert db.session.get(ApiToken, token_id).last_used_at is not None
    response = client.post("/profile/tokens", data={
        "csrf_token": csrf_token(client, "/profile/tokens"), "revoke": str(token_id)})
    assert response.status_code == 302
    assert api(app, "/collaborations", secret).status_code == 401


def test_nobody_revokes_someone_elses_token(app):
    build_log(app)
    make_token(app, "member@example.org")
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    client = app.test_client()
    login(client, "researcher@example.org")
    response = client.post("/profile/tokens", data={
        "csrf_token": csrf_token(client, "/profile/tokens"), "revoke": str(token_id)})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None


def test_bad_tokens_get_401_in_json(app):
    build_log(app)
    for token in (None, "rem_wrong", "nonsense"):
        response = api(app, "/collaborations", token)
        assert response.status_code == 401 and response.json["status"] == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    secret = make_token(app, "member@example.org")
    with app.app_context():
        db.session.execute(sa.text("update users set active = false "
                                   "where email = 'member@example.org'"))
        db.session.commit()
    assert api(app, "/collaborations", secret).status_code == 401


def test_a_token_opens_only_the_api_and_sets_no_session(app):
    build_log(app)
    secret = make_token(app, "member@example.org")
    client = app.test_client()
    page = client.get("/collaborations/achterveld",
                      headers={"Authorization": f"Bearer {secret}"})
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    response = app.test_client().get("/api/v1/collaborations",
                                     headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert client.post("/api/v1/collaborations",
                       headers={"Authorization": f"Bearer {secret}"}).status_code == 405


def test_same_access_rules_as_the_pages(app):
    ids = build_log(app)
    member = make_token(app, "member@example.org")
    researcher = make_token(app, "researcher@example.org")
    mine = api(app, "/collaborations/achterveld/items", member).json
    theirs = api(app, "/collaborations/achterveld/items", researcher).json
    assert mine["total"] == 4 and mine["pseudonymised"] is False
    assert theirs["total"] == 3 and theirs["pseudonymised"] is True
    assert {i["id"] for i in theirs["items"]} == {ids["market"], ids["effect"], ids["twin"]}
    assert "Anna" not in str(theirs) and "Anna" in str(mine)
    assert api(app, f"/collaborations/achterveld/items/{ids['private']}",
               researcher).status_code == 404
    assert api(app, f"/collaborations/achterveld/items/{ids['deleted']}",
               member).status_code == 404
    assert api(app, f"/collaborations/achterveld/items/{ids['private']}",
               member).status_code == 200
    links = api(app, "/collaborations/achterveld/links", researcher).json["links"]
    assert len(links) == 2
    detail = api(app, "/collaborations/achterveld", researcher).json
    assert detail["counts"] == {"activities": 1, "effects": 2, "links": 2}
    assert detail["reads_all"] is False and detail["pseudonymised"] is True


def test_pseudonyms_agree_between_requests(app):
    ids = build_log(app)
    researcher = make_token(app, "researcher@example.org")
    whole = api(app, "/collaborations/achterveld/map", researcher).json
    one = api(app, f"/collaborations/achterveld/items/{ids['market']}", researcher).json
    title = next(n["title"] for n in whole["nodes"] if n["id"] == ids["market"])
    assert one["title"] == title and "Persoon" in title


def test_pages_and_bad_parameters(app):
    build_log(app)
    secret = make_token(app, "member@example.org")
    first = api(app, "/collaborations/achterveld/items?per_page=3", secret).json
    second = api(app, "/collaborations/achterveld/items?per_page=3&page=2", secret).json
    assert len(first["items"]) == 3 and len(second["items"]) == 1
    effects = api(app, "/collaborations/achterveld/items?kind=effect", secret).json
    assert {i["kind"] for i in effects["items"]} == {"effect"}
    for query in ("per_page=0", "per_page=5000", "page=x", "kind=iets"):
        assert api(app, f"/collaborations/achterveld/items?{query}", secret).status_code == 400
    assert api(app, "/collaborations/bestaat-niet", secret).status_code == 404


# --- the OpenAPI file ----------------------------------------------------------------


def _validate(body, schema: dict) -> None:
    document = {**schema, "components": SPEC["components"]}
    jsonschema.Draft202012Validator(
        document, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(body)


def test_openapi_file_lists_exactly_the_api_routes(app):
    assert SPEC["openapi"].startswith("3.1")
    routes = {re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule.rule).removeprefix("/api/v1")
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")}
    assert routes == set(SPEC["paths"])
    for path, operations in SPEC["paths"].items():
        responses = operations["get"]["responses"]
        assert responses["401"] == {"$ref": "#/components/responses/Unauthorized"}, path
        assert responses["429"] == {"$ref": "#/components/responses/TooManyRequests"}, path
    assert "Retry-After" in SPEC["components"]["responses"]["TooManyRequests"]["headers"]
    jsonschema.Draft202012Validator.check_schema({"$defs": SPEC["components"]["schemas"]})


@pytest.mark.parametrize("role", ["member@example.org", "researcher@example.org"])
def test_real_responses_match_the_openapi_file(app, role):
    ids = build_log(app)
    secret = make_token(app, role)
    values = {"slug": "achterveld", "item_id": str(ids["market"])}
    checked = 0
    for path, operations in SPEC["paths"].items():
        url = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)
        response = api(app, url, secret)
        assert response.status_code == 200, (url, response.json)
        schema = operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        _validate(response.json, schema)
        checked += 1
    error = api(app, "/collaborations/bestaat-niet", secret)
    _validate(error.json, {"$ref": "#/components/schemas/Error"})
    assert checked == len(SPEC["paths"])


# --- expiry -------------------------------------------------------------------------------


def test_a_token_works_for_the_chosen_time_and_the_page_shows_it(app):
    from datetime import timedelta

    from rem.core.database import utcnow

    build_log(app)
    make_token(app, "member@example.org", "kort", days="30")
    make_token(app, "member@example.org", "jaar", days="365")
    make_token(app, "member@example.org", "gewoon")  # the default: 90 days
    with app.app_context():
        tokens = {t.name: t for t in db.session.scalars(sa.select(ApiToken))}
        now = utcnow()
        for name, days in (("kort", 30), ("jaar", 365), ("gewoon", 90)):
            expires = tokens[name].expires_at
            expires = expires if expires.tzinfo else expires.replace(tzinfo=now.tzinfo)
            assert abs(expires - (now + timedelta(days=days))) < timedelta(minutes=5), name
    client = app.test_client()
    login(client, "member@example.org")
    page = client.get("/profile/tokens").get_data(as_text=True)
    assert "Werkt tot" in page and "Laatst gebruikt" in page
    assert re.search(r'<input checked id="days-\d" name="days"[^>]*value="90">', page)
    # Another lifetime than 30, 90 or 365 days is refused, and no token is made.
    response = client.post("/profile/tokens", data={
        "csrf_token": csrf_token(client, "/profile/tokens"), "name": "eeuwig", "days": "9999"})
    assert response.status_code == 200 and "token-secret" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 3


def test_an_expired_token_gets_a_clear_401(app):
    from datetime import timedelta

    from rem.core.database import utcnow

    build_log(app)
    secret = make_token(app, "member@example.org", days="30")
    assert api(app, "/collaborations", secret).status_code == 200
    with app.app_context():
        token = db.session.scalar(sa.select(ApiToken))
        token.expires_at = utcnow() - timedelta(days=1)
        used = token.last_used_at
        db.session.commit()
    response = api(app, "/collaborations", secret, **{"Accept-Language": "nl"})
    assert response.status_code == 401 and response.json["status"] == 401
    assert "verlopen" in response.json["message"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    english = api(app, "/collaborations", secret, **{"Accept-Language": "en"})
    assert english.status_code == 401 and "expired" in english.json["message"]
    _validate(english.json, {"$ref": "#/components/schemas/Error"})
    # A wrong token gets the general message, not the expired one.
    wrong = api(app, "/collaborations", "rem_wrong", **{"Accept-Language": "nl"})
    assert wrong.status_code == 401 and "verlopen" not in wrong.json["message"]
    with app.app_context():
        assert db.session.scalar(sa.select(ApiToken)).last_used_at == used  # not touched
    client = app.test_client()
    login(client, "member@example.org")
    assert "verlopen" in client.get("/profile/tokens").get_data(as_text=True)


def test_migration_gives_existing_tokens_90_days(tmp_path):
    """Migration 0012 on a database with a token made before it: the token keeps working
    for 90 more days, and the column is required from then on."""
    from datetime import UTC, datetime, timedelta

    from flask_migrate import upgrade

    from rem import create_app
    from tests.test_migration_upgrade import _insert

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    try:
        with app.app_context():
            upgrade(revision="0009")
            stamp = {"created_at": datetime(2026, 1, 1, tzinfo=UTC),
                     "updated_at": datetime(2026, 1, 1, tzinfo=UTC)}
            with db.engine.begin() as conn:
                user = _insert(conn, "users", dict(
                    stamp, email="oud@example.org", name="Oud", password_hash="x",
                    is_admin=False, is_researcher=True, active=True, locale=None,
                    last_seen_at=None))
                _insert(conn, "api_tokens", dict(stamp, user_id=user, name="oud script",
                                                 token_hash="a" * 64, prefix="rem_abcdef",
                                                 last_used_at=None, revoked_at=None))
            upgrade()
            token = db.session.scalar(sa.select(ApiToken))
            expires = token.expires_at.replace(tzinfo=token.expires_at.tzinfo or UTC)
            assert abs(expires - (datetime.now(UTC) + timedelta(days=90))) < timedelta(hours=1)
            column = next(c for c in sa.inspect(db.engine).get_columns("api_tokens")
                          if c["name"] == "expires_at")
            assert column["nullable"] is False
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- rate limits ----------------------------------------------------------------------------


@pytest.fixture
def limited_app(app):
    """A second app on the same database with rate limits on and small API limits."""
    from rem import create_app
    from rem.extensions import limiter

    config = {k: app.config[k] for k in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI")}
    limited = create_app({**config, "TESTING": True, "RATELIMIT_ENABLED": True,
                          "RATELIMIT_STORAGE_URI": "rem+sql://",
                          "RATELIMIT_STORAGE_OPTIONS": {
                              "database_url": config["SQLALCHEMY_DATABASE_URI"]},
                          "REM_API_LIMIT_TOKEN": "3 per minute",
                          "REM_API_LIMIT_ADDRESS": "5 per minute"})
    limiter.reset()
    yield limited
    limiter.reset()
    limiter.storage.engine.dispose()
    limiter.enabled = False  # the limiter object is shared: leave it as the other tests expect
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def _limited_get(app, token, address, language="nl"):
    return app.test_client().get("/api/v1/codebooks", environ_base={"REMOTE_ADDR": address},
                                 headers={"Authorization": f"Bearer {token}",
                                          "Accept-Language": language})


@pytest.mark.commits  # a second app (rate limits on) on the same database
def test_too_many_requests_per_token_get_429_in_json(app, limited_app):
    build_log(app)
    first = make_token(app, "member@example.org", "een")
    second = make_token(app, "member@example.org", "twee")
    statuses = [_limited_get(limited_app, first, "10.9.0.1").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = _limited_get(limited_app, first, "10.9.0.2")  # another address: same token
    assert refused.status_code == 429 and refused.json["status"] == 429
    assert "Te veel verzoeken" in refused.json["message"]
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.headers["Cache-Control"] == "no-store"
    _validate(refused.json, {"$ref": "#/components/schemas/Error"})
    english = _limited_get(limited_app, first, "10.9.0.3", "en")
    assert english.status_code == 429 and "Too many requests" in english.json["message"]
    # The other token has its own count.
    assert _limited_get(limited_app, second, "10.9.0.4").status_code == 200


@pytest.mark.commits  # a second app (rate limits on) on the same database
def test_too_many_requests_from_one_address_get_429(app, limited_app):
    build_log(app)
    tokens = [make_token(app, "member@example.org", f"t{n}") for n in range(3)]
    statuses = [_limited_get(limited_app, tokens[n % 3], "10.9.1.1").status_code
                for n in range(6)]
    assert statuses == [200] * 5 + [429]
    # Guessing tokens from one address is limited too: wrong tokens count as well.
    guesses = [_limited_get(limited_app, f"rem_guess{n}", "10.9.1.2").status_code
               for n in range(6)]
    assert guesses == [401] * 5 + [429]
    assert _limited_get(limited_app, tokens[0], "10.9.1.3").status_code == 200
