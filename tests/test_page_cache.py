"""Unchanged pages answered from memory (rem/core/pagecache.py): never stale, never
someone else's, with a fresh CSRF token."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from rem import create_app
from rem.accounts.models import Role, User
from rem.collaborations.models import Collaboration
from rem.core import pagecache
from rem.extensions import db
from rem.ripples import services
from rem.ripples.models import RippleItem
from tests import factories
from tests.conftest import CSRF_RE, login, post

REMEMBERED = "remembered"


def _world(app):
    with app.app_context():
        collab = factories.CollaborationFactory(slug="dorp", name="Dorp")
        for email, role in (("fac@example.org", Role.FACILITATOR.value),
                            ("lid@example.org", Role.MEMBER.value)):
            user = factories.UserFactory(email=email)
            factories.MembershipFactory(user=user, collaboration_id=collab.id, role=role)
        factories.UserFactory(email="buiten@example.org")  # no membership at all
        activity = factories.ActivityFactory(collaboration=collab, title="Inloopavond")
        db.session.commit()
        return {"collaboration": collab.id, "activity": activity.id}


def _version(app) -> int:
    with app.app_context():
        value = pagecache.current_version()
        db.session.rollback()
        return value


def _strip_tokens(html: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+"', r'\1"', html)


def test_a_second_view_comes_from_memory_with_its_own_working_csrf_token(app, client):
    _world(app)
    login(client, "fac@example.org")
    first = client.get("/collaborations/dorp")
    second = client.get("/collaborations/dorp")
    assert first.status_code == second.status_code == 200
    assert first.headers.get("X-Rem-Page") is None
    assert second.headers.get("X-Rem-Page") == REMEMBERED
    assert _strip_tokens(first.get_data(as_text=True)) == _strip_tokens(
        second.get_data(as_text=True))
    assert pagecache.TOKEN_PLACEHOLDER not in second.get_data(as_text=True)
    token = CSRF_RE.search(second.data).group(1).decode()
    # The security headers are set on remembered pages too.
    assert "default-src 'self'" in second.headers["Content-Security-Policy"]
    # The token of the remembered page is accepted by a real form.
    response = client.post("/collaborations/dorp/effects/new", data={
        "csrf_token": token, "title": "Na de herinnering", "date_value": "2024-05-01",
        "date_precision": "day", "visibility": "collaboration", "intended": "yes",
        "valence": "positive", "noticed_by": "", "evidence_kind": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:400]


def test_any_change_makes_the_page_afresh(app, client):
    _world(app)
    login(client, "fac@example.org")
    client.get("/collaborations/dorp")
    assert client.get("/collaborations/dorp").headers.get("X-Rem-Page") == REMEMBERED
    before = _version(app)
    response = post(client, "/collaborations/dorp/effects/new", {
        "title": "Buren kennen elkaar", "date_value": "2024-05-01", "date_precision": "day",
        "visibility": "collaboration", "intended": "yes", "valence": "positive",
        "noticed_by": "", "evidence_kind": ""})
    assert response.status_code == 302
    assert _version(app) > before
    page = client.get("/collaborations/dorp")
    assert page.headers.get("X-Rem-Page") is None
    assert "Buren kennen elkaar" in page.get_data(as_text=True)


def test_writes_outside_the_orm_count_and_a_rollback_does_not(app, client):
    world = _world(app)
    login(client, "fac@example.org")
    client.get(f"/collaborations/dorp/items/{world['activity']}")
    before = _version(app)
    with app.app_context():
        db.session.execute(sa.update(RippleItem).where(RippleItem.id == world["activity"])
                           .values(title="Inloopavond (Core)"))
        db.session.rollback()
    assert _version(app) == before
    assert "Inloopavond (Core)" not in client.get(
        f"/collaborations/dorp/items/{world['activity']}").get_data(as_text=True)
    with app.app_context():
        db.session.execute(sa.update(RippleItem).where(RippleItem.id == world["activity"])
                           .values(title="Inloopavond (Core)"))
        db.session.commit()
    assert _version(app) == before + 1
    page = client.get(f"/collaborations/dorp/items/{world['activity']}")
    assert page.headers.get("X-Rem-Page") is None
    assert "Inloopavond (Core)" in page.get_data(as_text=True)


def test_one_persons_page_is_never_shown_to_another(app):
    _world(app)
    facilitator, outsider, member = app.test_client(), app.test_client(), app.test_client()
    login(facilitator, "fac@example.org")
    login(outsider, "buiten@example.org")
    login(member, "lid@example.org")
    for _ in range(2):
        assert facilitator.get("/collaborations/dorp").status_code == 200
    # Someone outside the collaboration gets a page of their own, right after the
    # facilitator's was remembered: without what only members may see.
    page = outsider.get("/collaborations/dorp")
    assert page.headers.get("X-Rem-Page") is None
    assert "Inloopavond" not in page.get_data(as_text=True)
    assert "Inloopavond" in facilitator.get("/collaborations/dorp").get_data(as_text=True)
    # A member gets a page of their own (no facilitator buttons), made for them.
    page = member.get("/collaborations/dorp")
    assert page.status_code == 200 and page.headers.get("X-Rem-Page") is None
    assert "/effects/new" in facilitator.get("/collaborations/dorp").get_data(as_text=True)
    # Signed out: the sign-in page, not the remembered one.
    assert post(facilitator, "/logout").status_code == 302
    response = facilitator.get("/collaborations/dorp")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_messages_waiting_and_the_language_give_their_own_page(app, client):
    _world(app)
    with app.app_context():  # no language of their own: the session's counts
        db.session.execute(sa.update(User).values(locale=None))
        db.session.commit()
    login(client, "fac@example.org")
    client.get("/collaborations/dorp")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Een bericht voor u")]
    page = client.get("/collaborations/dorp")
    assert page.headers.get("X-Rem-Page") is None
    assert "Een bericht voor u" in page.get_data(as_text=True)
    again = client.get("/collaborations/dorp")
    assert "Een bericht voor u" not in again.get_data(as_text=True)
    assert again.headers.get("X-Rem-Page") == REMEMBERED
    with client.session_transaction() as session:  # no write: only the session changes
        session["locale"] = "en"
    english = client.get("/collaborations/dorp")
    assert english.headers.get("X-Rem-Page") is None
    assert english.get_data(as_text=True) != again.get_data(as_text=True)
    assert '<html lang="en"' in english.get_data(as_text=True)


def test_a_page_that_showed_a_message_of_its_own_request_is_not_remembered(app):
    # A view that flashes and then renders shows the message at once; such a page must
    # not come back with the message from memory.
    from flask import flash, render_template_string

    _world(app)
    other = create_app({k: app.config[k] for k in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "RATELIMIT_ENABLED",
        "REM_MAP_CACHE_DIR")})

    @other.get("/_test/flash-and-show")
    @pagecache.cached_page
    def flash_and_show():
        flash("Alleen nu te zien")
        return render_template_string(
            "{% for m in get_flashed_messages() %}<p>{{ m }}</p>{% endfor %}ok")

    client = other.test_client()
    login(client, "fac@example.org")
    first = client.get("/_test/flash-and-show")
    assert "Alleen nu te zien" in first.get_data(as_text=True)
    again = client.get("/_test/flash-and-show")
    assert again.headers.get("X-Rem-Page") is None
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_pages_that_are_not_marked_are_always_made_afresh(app, client):
    _world(app)
    login(client, "fac@example.org")
    for _ in range(2):
        response = client.get("/collaborations/dorp/effects/new")
        assert response.status_code == 200 and response.headers.get("X-Rem-Page") is None


def test_another_process_sees_a_change_made_by_the_first(app, tmp_path):
    # Two apps on one database, as two gunicorn workers: each has its own memory; the
    # version in the database tells the second that the first changed something.
    world = _world(app)
    other = create_app({**{k: app.config[k] for k in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "RATELIMIT_ENABLED",
        "REM_MAP_CACHE_DIR")}})
    reader = other.test_client()
    login(reader, "lid@example.org")
    reader.get("/collaborations/dorp")
    assert reader.get("/collaborations/dorp").headers.get("X-Rem-Page") == REMEMBERED
    with app.test_request_context():
        effect = factories.EffectFactory(
            collaboration=db.session.get(Collaboration, world["collaboration"]),
            title="Gezien door de ander")
        services.add_link(db.session.get(RippleItem, world["activity"]), effect)
        db.session.commit()
    page = reader.get("/collaborations/dorp")
    assert page.headers.get("X-Rem-Page") is None
    assert "Gezien door de ander" in page.get_data(as_text=True)
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_with_no_megabytes_nothing_is_remembered(app):
    _world(app)
    other = create_app({**{k: app.config[k] for k in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "RATELIMIT_ENABLED",
        "REM_MAP_CACHE_DIR")}, "REM_PAGE_CACHE_MB": 0})
    client = other.test_client()
    login(client, "fac@example.org")
    for _ in range(2):
        assert client.get("/collaborations/dorp").headers.get("X-Rem-Page") is None
    assert "rem_page_memory" not in other.extensions
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_memory_keeps_to_its_budget_oldest_out_first():
    memory = pagecache.PageMemory(budget=100)
    memory.put(("a",), b"x" * 40, "text/html")
    memory.put(("b",), b"y" * 40, "text/html")
    assert memory.get(("a",)) is not None  # a is now the most recently used
    memory.put(("c",), b"z" * 40, "text/html")
    assert memory.get(("b",)) is None and memory.get(("a",)) and memory.get(("c",))
    assert memory.size == 80
    memory.put(("huge",), b"h" * 101, "text/html")  # larger than the budget: not kept
    assert memory.get(("huge",)) is None and memory.size == 80


@pytest.mark.parametrize("statement, counts", [
    ("INSERT INTO ripple_items (title) VALUES (?)", True),
    ('UPDATE "users" SET name = ?', True),
    ("DELETE FROM item_codes WHERE item_id = ?", True),
    ("INSERT OR REPLACE INTO codes (id) VALUES (?)", True),
    ("UPDATE rate_limit_counters SET hits = hits + 1", False),
    ("UPDATE alembic_version SET version_num = ?", False),
    ("SELECT * FROM ripple_items", False),
    ("  update data_version set n = n + 1", False),
])
def test_which_statements_count_as_a_change(statement, counts):
    class Conn:
        info: dict = {}
    conn = Conn()
    conn.info = {}
    pagecache._note_write(conn, None, statement, (), None, False)
    assert conn.info.get("rem_wrote", False) is counts


def test_an_account_switched_off_gets_no_remembered_page(app, client):
    # A remembered page is served without loading the account (rem/core/pagecache.py):
    # switching the account off is a change, so the next request checks it again.
    _world(app)
    login(client, "fac@example.org")
    client.get("/collaborations/dorp")
    assert client.get("/collaborations/dorp").headers.get("X-Rem-Page") == REMEMBERED
    with app.app_context():
        db.session.execute(sa.update(User).where(User.email == "fac@example.org")
                           .values(active=False))
        db.session.commit()
    response = client.get("/collaborations/dorp")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
