"""Links that leave the app are built from REM_BASE_URL, never from the request's Host
header, and in production a request for another host is refused (400)."""

from __future__ import annotations

import io
import re
import zlib
from datetime import date

import pytest
import segno
import sqlalchemy as sa
import yaml
from flask import url_for
from hypothesis import given, settings
from hypothesis import strategies as st

from rem import create_app
from rem.accounts.models import OutboxMessage, Role
from rem.config import ConfigError, from_environment
from rem.core.pdf import available as pdf_available
from rem.core.urls import external_url, with_query
from rem.extensions import db
from tests import factories, smtp_sink
from tests.conftest import CSRF_RE, login

BASE = "https://rem.example.org"
EVIL = {"Host": "evil.example"}


@pytest.fixture
def based(app, monkeypatch):
    """The shared test app with REM_BASE_URL set, as in production."""
    monkeypatch.setitem(app.config, "REM_BASE_URL", BASE)
    return app


def _world(app) -> dict:
    with app.app_context():
        hub = factories.HubFactory(slug="hub")
        collab = factories.CollaborationFactory(slug="dorp", name="Dorp", hub=hub)
        fac = factories.UserFactory(email="fac@example.org")
        factories.UserFactory(email="admin@example.org", is_admin=True)
        person = factories.UserFactory(email="inwoner@example.org")
        db.session.flush()
        factories.MembershipFactory(user=fac, collaboration_id=collab.id,
                                    role=Role.FACILITATOR.value)
        db.session.commit()
        return {"person": person.id, "collaboration": collab.id}


def _also_for_evil(client):
    """Let the test browser send its cookies to evil.example too, as a proxy that passes
    any Host header on would let an attacker's request arrive."""
    session = client.get_cookie("session")
    if session is not None:
        client.set_cookie("session", session.value, domain="evil.example")


def _post(client, path, data, headers=None):
    page = client.get("/login" if path in ("/reset", "/login") else path, headers=headers)
    token = CSRF_RE.search(page.data).group(1).decode()
    return client.post(path, data={**data, "csrf_token": token}, headers=headers)


def test_a_reset_requested_with_another_host_mails_a_link_to_the_real_site(based, monkeypatch):
    _world(based)
    with smtp_sink.SmtpSink() as sink:
        smtp_sink.configure(based, monkeypatch, sink)
        client = based.test_client()
        response = _post(client, "/reset", {"email": "inwoner@example.org"}, EVIL)
        assert response.status_code == 302
        smtp_sink.deliver(based)
    [message] = sink.messages
    body = smtp_sink.body_of(message)
    assert re.search(r"https://rem\.example\.org/reset/[A-Za-z0-9_-]{20,}", body), body
    assert "evil.example" not in body


def test_invitations_mailed_and_shown_point_at_the_real_site(based, monkeypatch):
    _world(based)
    with smtp_sink.SmtpSink() as sink:
        smtp_sink.configure(based, monkeypatch, sink)
        client = based.test_client()
        login(client, "fac@example.org")
        _also_for_evil(client)
        page = _post(client, "/collaborations/dorp/invite",
                     {"email": "nieuw@example.org", "role": "member", "locale": "nl"}, EVIL)
        text = page.get_data(as_text=True)
        assert re.search(r"https://rem\.example\.org/invite/[A-Za-z0-9_-]+\?lang=nl", text)
        assert "evil.example" not in text
        smtp_sink.deliver(based)
    [message] = sink.messages
    body = smtp_sink.body_of(message)
    assert "https://rem.example.org/invite/" in body and "evil.example" not in body


def test_the_administrators_reset_link_points_at_the_real_site(based):
    ids = _world(based)
    client = based.test_client()
    login(client, "admin@example.org")
    _also_for_evil(client)
    page = _post(client, f"/admin/users/{ids['person']}/reset-link", {}, EVIL)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r"https://rem\.example\.org/reset/[A-Za-z0-9_-]+", text)
    assert "evil.example" not in text


def _open_session(app, ids) -> tuple[int, str]:
    from rem.collaborations.models import Collaboration
    from rem.workshops import services as sessions

    with app.test_request_context():
        collaboration = db.session.get(Collaboration, ids["collaboration"])
        session = sessions.create_workshop(collaboration, sessions.WorkshopInput(
            title="Sessie", held_on=date(2026, 3, 1), focus_question="Wat veranderde er?"))
        db.session.commit()
        return session.id, session.code


def test_the_qr_code_and_join_link_of_a_live_session_point_at_the_real_site(based):
    ids = _world(based)
    session_id, code = _open_session(based, ids)
    client = based.test_client()
    login(client, "fac@example.org")
    _also_for_evil(client)
    path = f"/collaborations/dorp/sessions/{session_id}"
    page = client.get(path, headers=EVIL).get_data(as_text=True)
    assert f"https://rem.example.org/join/{code}" in page and "evil.example" not in page
    svg = client.get(path + "/qr.svg", headers=EVIL).data

    def drawn(url: str) -> bytes:
        buffer = io.BytesIO()
        segno.make(url, error="m").save(
            buffer, kind="svg", scale=8, border=2, dark="#000000", light="#ffffff",
            title="QR-code om mee te doen", svgclass="qr-code", xmldecl=False)
        return buffer.getvalue()

    assert svg == drawn(f"https://rem.example.org/join/{code}")
    assert svg != drawn(f"http://evil.example/join/{code}")


@pytest.mark.skipif(not pdf_available(), reason="WeasyPrint (with Pango) is not installed")
def test_links_in_a_downloaded_pack_point_at_the_real_site(based):
    from rem.collaborations.models import Collaboration
    from rem.exchanges.models import LearningExchange

    ids = _world(based)
    with based.app_context():
        # A relative link written in the description becomes absolute in the PDF.
        exchange = LearningExchange(
            title="Uitwisseling", question="Hoe houden we het vol?",
            description="Zie [de tijdlijn](/collaborations/dorp) van het dorp.",
            participants=[db.session.get(Collaboration, ids["collaboration"])])
        db.session.add(exchange)
        db.session.commit()
        exchange_id = exchange.id
    client = based.test_client()
    login(client, "admin@example.org")
    _also_for_evil(client)
    response = client.get(f"/exchanges/{exchange_id}/pack.pdf", headers=EVIL)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert _pdf_links(response.data) == [b"https://rem.example.org/collaborations/dorp"]


def test_links_in_a_downloaded_map_point_at_the_real_site(based):
    ids = _world(based)
    with based.app_context():
        from rem.collaborations.models import Collaboration

        item = factories.ActivityFactory(
            collaboration=db.session.get(Collaboration, ids["collaboration"]),
            title="Inloopochtend")
        db.session.commit()
        item_id = item.id
    client = based.test_client()
    login(client, "fac@example.org")
    _also_for_evil(client)
    svg = client.get("/collaborations/dorp/map.svg", headers=EVIL)
    assert svg.status_code == 200
    links = set(re.findall(rb'href="([^"]+/items/\d+)"', svg.data))
    assert links == {f"https://rem.example.org/collaborations/dorp/items/{item_id}".encode()}
    assert b"evil.example" not in svg.data


def _pdf_links(data: bytes) -> list[bytes]:
    """Return the targets of the links in a PDF (its streams are compressed)."""
    parts = [data]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    return [m.group(1) for part in parts for m in re.finditer(rb"/URI\s*\(([^)]*)\)", part)]


def test_the_api_description_names_the_real_site_as_its_server(based):
    response = based.test_client().get("/api/openapi.yaml", headers=EVIL)
    assert response.status_code == 200 and response.mimetype == "application/yaml"
    served = yaml.safe_load(response.get_data(as_text=True))
    assert served["servers"] == [{"url": "https://rem.example.org/api/v1"}]
    with open("docs/openapi.yaml", encoding="utf-8") as fileobj:
        written = yaml.safe_load(fileobj)
    assert served["paths"] == written["paths"]


def test_links_are_built_outside_a_request_and_under_a_path(app, monkeypatch):
    monkeypatch.setitem(app.config, "REM_BASE_URL", "https://example.org/rem")
    with app.app_context():
        assert external_url("accounts.reset_password", token="abc") == \
            "https://example.org/rem/reset/abc"
        assert external_url("accounts.accept_invitation", token="t", lang="en",
                            _anchor="x") == "https://example.org/rem/invite/t?lang=en#x"
    monkeypatch.setitem(app.config, "REM_BASE_URL", None)
    with app.test_request_context("/", base_url="http://127.0.0.1:5000"):
        # Development without a base URL: the request's own address.
        assert external_url("hubs.index") == "http://127.0.0.1:5000/"


# --- configuration and the host check in production ------------------------------------


def test_production_without_a_base_url_is_a_clear_configuration_error(monkeypatch, tmp_path):
    monkeypatch.setenv("REM_ENV", "production")
    monkeypatch.setenv("REM_SECRET_KEY", "x" * 64)
    monkeypatch.delenv("REM_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="REM_BASE_URL is not set.*https://rem.example.org"):
        from_environment(str(tmp_path))
    for wrong in ("rem.example.org", "ftp://rem.example.org", "https://rem.example.org/?a=1",
                  "https://user:pw@rem.example.org"):
        monkeypatch.setenv("REM_BASE_URL", wrong)
        with pytest.raises(ConfigError, match="REM_BASE_URL must be"):
            from_environment(str(tmp_path))
    monkeypatch.setenv("REM_BASE_URL", "https://rem.example.org/")
    monkeypatch.setenv("REM_TRUSTED_HOSTS", "Intern.example.org, 10.0.0.5")
    config = from_environment(str(tmp_path))
    assert config["REM_BASE_URL"] == "https://rem.example.org"
    assert config["TRUSTED_HOSTS"] == ["rem.example.org", "intern.example.org", "10.0.0.5"]


def test_development_answers_any_host_unless_trusted_hosts_are_set(monkeypatch, tmp_path):
    monkeypatch.delenv("REM_ENV", raising=False)
    monkeypatch.delenv("REM_BASE_URL", raising=False)
    monkeypatch.delenv("REM_TRUSTED_HOSTS", raising=False)
    assert from_environment(str(tmp_path))["TRUSTED_HOSTS"] is None
    monkeypatch.setenv("REM_TRUSTED_HOSTS", "localhost")
    assert from_environment(str(tmp_path))["TRUSTED_HOSTS"] == ["localhost"]


@pytest.fixture
def production(monkeypatch, tmp_path):
    """An app made from a production environment (its own SQLite database, migrated)."""
    from flask_migrate import upgrade

    monkeypatch.setenv("REM_ENV", "production")
    monkeypatch.setenv("REM_SECRET_KEY", "x" * 64)
    monkeypatch.setenv("REM_BASE_URL", BASE)
    monkeypatch.setenv("REM_TRUSTED_HOSTS", "rem-intern.example.org")
    monkeypatch.setenv("REM_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    monkeypatch.setenv("REM_MAIL_SERVER", "127.0.0.1")
    # The limiter object is shared by every app in this process: keep it off for the others.
    monkeypatch.setenv("REM_RATELIMIT_ENABLED", "0")
    made = create_app()
    with made.app_context():
        upgrade()
    yield made
    with made.app_context():
        db.session.remove()
        db.engine.dispose()


def test_in_production_a_request_for_another_host_gets_400(production):
    client = production.test_client()
    for host in ("evil.example", "rem.example.org.evil.example", "127.0.0.1"):
        for path in ("/login", "/health", "/reset", "/no-such-page"):
            response = client.get(path, headers={"Host": host})
            assert response.status_code == 400, (host, path)
            assert response.mimetype == "text/plain"
    response = client.post("/reset", data={"email": "x@example.org"}, headers=EVIL)
    assert response.status_code == 400
    with production.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
    # Host names are not case-sensitive: a client that sends capitals is the same site.
    for host in ("rem.example.org", "rem-intern.example.org:8443", "REM.Example.ORG"):
        assert client.get("/login", headers={"Host": host}).status_code == 200, host
    assert client.get("/health", headers={"Host": "rem.example.org"}).json == {"status": "ok"}


@settings(max_examples=300, deadline=None)
@given(measure=st.text(max_size=20), group=st.text(max_size=30),
       year=st.one_of(st.none(), st.integers(min_value=1900, max_value=2100)))
def test_with_query_writes_what_url_for_writes(app, measure, group, year):
    """A page that links one endpoint hundreds of times builds the path once and adds
    the query itself (``with_query``): the same address as ``url_for``, for any text."""
    with app.test_request_context("/"):
        for endpoint, path in (("analysis.collaboration_items", {"slug": "dorp-oost"}),
                               ("analysis.exchange_items", {"exchange_id": 7})):
            expected = url_for(endpoint, **path, measure=measure, group=group, year=year)
            assert with_query(url_for(endpoint, **path), measure=measure, group=group,
                              year=year) == expected
