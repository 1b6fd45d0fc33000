"""Every route × every role: the status each person gets.

A new route fails this test until it is added to MATRIX, so nobody can add a
page without deciding who may use it.

The test world is built once for the module (:func:`world`) and every test runs in a
savepoint that is rolled back afterwards, so a POST that deletes or changes something
leaves the next case the same world.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from rem.accounts import signins
from rem.accounts.invitations import create_invitation
from rem.accounts.models import Role, SignIn, User
from rem.codes.services import install_default_codebooks
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.core.pdf import available as pdf_available
from rem.extensions import db, limiter
from rem.ripples import services
from rem.ripples.models import RippleItem
from tests import factories
from tests.conftest import CSRF_RE, login, one_transaction

ROLES = ["anonymous", "admin", "coordinator", "facilitator", "member", "researcher", "outsider"]


def _row(anonymous, admin, coordinator, facilitator, member, researcher, outsider):
    return dict(zip(ROLES, (anonymous, admin, coordinator, facilitator, member, researcher,
                            outsider), strict=True))


EVERYONE = _row(302, 200, 200, 200, 200, 200, 200)
EDITORS = _row(302, 200, 200, 200, 403, 403, 403)
EDITORS_POST = _row(302, 302, 302, 302, 403, 403, 403)
EDITORS_SAVE = EDITORS_POST  # a POST with only the token keeps the stored values and saves
ADMIN_ONLY = _row(302, 200, 403, 403, 403, 403, 403)
PRIVATE_ITEM = _row(302, 200, 200, 200, 200, 404, 404)
HUB_MANAGERS = _row(302, 200, 200, 403, 403, 403, 403)
ADMIN_POST = _row(302, 302, 403, 403, 403, 403, 403)
NOT_FOUND = _row(404, 404, 404, 404, 404, 404, 404)
NOT_FOUND_SIGNED_IN = _row(302, 404, 404, 404, 404, 404, 404)
API_EVERYONE = _row(401, 200, 200, 200, 200, 200, 200)
SESSION_READERS = _row(302, 200, 200, 200, 200, 403, 403)
# The report PDF needs WeasyPrint (and Pango); without it the answer is a plain 503.
SESSION_PDF = SESSION_READERS if pdf_available() else _row(302, 503, 503, 503, 503,
                                                                   403, 403)
# Learning log: everyone who reads all of a collaboration writes in its log; the entry in
# _world is private to a1 and written by the member (who may change it).
LOG_WRITERS = _row(302, 200, 200, 200, 200, 403, 403)
PRIVATE_ENTRY_POST = _row(302, 302, 302, 302, 302, 404, 404)
# Learning exchanges: the creator and the coordinators of participating hubs manage them.
EXCHANGE_MANAGERS_POST = _row(302, 302, 302, 403, 403, 403, 403)
# The exchange pack as PDF needs WeasyPrint (and Pango) too; without it a plain 503.
EXCHANGE_PDF = EVERYONE if pdf_available() else _row(302, 503, 503, 503, 503, 503,
                                                               503)
# Borging reviews: everyone who reads all of a collaboration reads its reviews; editors
# open, fill in and adopt them. Researchers and outsiders see none (private evidence).
REVIEW_READERS = SESSION_READERS
REVIEW_PDF = REVIEW_READERS if pdf_available() else _row(302, 503, 503, 503, 503,
                                                                 403, 403)
# Story threads (rem/analysis): the thread in _world is written by the member of a1.
THREAD_EDITORS = _row(302, 200, 200, 200, 200, 403, 403)
THREAD_EDITORS_POST = _row(302, 302, 302, 302, 302, 403, 403)
THREAD_WRITERS_REDIRECT = THREAD_EDITORS_POST  # no activity chosen: a message, a redirect

# (rule, method) -> expected status per role. POSTs carry a valid CSRF token and no data.
MATRIX: dict[tuple[str, str], dict[str, int]] = {
    ("/", "GET"): EVERYONE,
    ("/health", "GET"): _row(200, 200, 200, 200, 200, 200, 200),
    # The API's description (no data): with this site's address as its server.
    ("/api/openapi.yaml", "GET"): _row(200, 200, 200, 200, 200, 200, 200),
    ("/login", "GET"): _row(200, 302, 302, 302, 302, 302, 302),
    ("/login", "POST"): _row(200, 302, 302, 302, 302, 302, 302),
    ("/logout", "POST"): _row(302, 302, 302, 302, 302, 302, 302),
    ("/language", "POST"): _row(302, 302, 302, 302, 302, 302, 302),
    ("/profile", "GET"): EVERYONE,
    ("/profile", "POST"): EVERYONE,  # an empty form re-renders with its message
    # No choice (others or all): a message and back to the profile.
    ("/profile/sign-ins/end", "POST"): _row(302, 302, 302, 302, 302, 302, 302),
    ("/hubs/new", "GET"): ADMIN_ONLY,
    ("/hubs/new", "POST"): ADMIN_ONLY,
    ("/hubs/<slug>", "GET"): EVERYONE,
    ("/hubs/<slug>/edit", "GET"): _row(302, 200, 200, 403, 403, 403, 403),
    ("/hubs/<slug>/edit", "POST"): _row(302, 302, 302, 403, 403, 403, 403),
    ("/collaborations/new", "GET"): _row(302, 200, 200, 403, 403, 403, 403),
    ("/collaborations/new", "POST"): _row(302, 200, 200, 403, 403, 403, 403),
    ("/collaborations/<slug>", "GET"): EVERYONE,
    ("/collaborations/<slug>/edit", "GET"): EDITORS,
    ("/collaborations/<slug>/edit", "POST"): EDITORS_SAVE,
    ("/collaborations/<slug>/activities/new", "GET"): EDITORS,
    ("/collaborations/<slug>/activities/new", "POST"): EDITORS,
    ("/collaborations/<slug>/effects/new", "GET"): EDITORS,
    ("/collaborations/<slug>/effects/new", "POST"): EDITORS,
    ("/collaborations/<slug>/items/<int:item_id>", "GET"): PRIVATE_ITEM,
    ("/collaborations/<slug>/items/<int:item_id>/edit", "GET"): EDITORS,
    ("/collaborations/<slug>/items/<int:item_id>/edit", "POST"): EDITORS,
    ("/collaborations/<slug>/items/<int:item_id>/delete", "GET"): EDITORS,
    ("/collaborations/<slug>/items/<int:item_id>/delete", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/items/<int:item_id>/restore", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/items/<int:item_id>/links", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/items/<int:item_id>/effects", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/links/<int:link_id>/delete", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/bin", "GET"): EDITORS,
    ("/collaborations/<slug>/bin/empty", "POST"): _row(302, 302, 403, 403, 403, 403, 403),
    ("/admin/audit/", "GET"): ADMIN_ONLY,
    ("/help/", "GET"): EVERYONE,
    ("/codebooks/", "GET"): EVERYONE,
    # Anyone who facilitates or coordinates somewhere may make a codebook of their own.
    ("/codebooks/new", "GET"): _row(302, 200, 200, 200, 403, 403, 200),
    ("/codebooks/new", "POST"): _row(302, 200, 200, 200, 403, 403, 200),
    ("/codebooks/<slug>", "GET"): EVERYONE,
    ("/codebooks/<slug>", "POST"): ADMIN_ONLY,
    ("/collaborations/<slug>/map", "GET"): EVERYONE,
    ("/collaborations/<slug>/map.<fmt>", "GET"): EVERYONE,
    ("/collaborations/<slug>/map/outline", "GET"): EVERYONE,
    # The drawing alone (a large map's page loads it after itself): 404 where the map has
    # no item to draw, as for the researcher and the outsider here (their map page says so).
    ("/collaborations/<slug>/map/drawing", "GET"): _row(302, 200, 200, 200, 200, 404, 404),
    # Saved map views are the collaboration's own: read by who reads all of it, made and
    # changed by its editors (the view in _world is a1's; a POST with only the token has
    # no name: a message and a redirect).
    ("/collaborations/<slug>/map/views", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/map/views/<int:view_id>", "GET"): PRIVATE_ITEM,
    ("/collaborations/<slug>/map/views/<int:view_id>/edit", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/map/views/<int:view_id>/delete", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/map/views/<int:view_id>/restore", "POST"): EDITORS_POST,
    # Themes follow the items: listed to who reads all of a1, changed by its editors. The
    # item fragment (themes.item_themes) shows the private activity to who may see it; a
    # POST with only the token changes nothing and answers with the fragment.
    ("/collaborations/<slug>/themes", "GET"): SESSION_READERS,
    ("/collaborations/<slug>/themes", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/themes/<int:theme_id>/edit", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/themes/<int:theme_id>/delete", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/themes/<int:theme_id>/restore", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/items/<int:item_id>/themes", "GET"): PRIVATE_ITEM,
    ("/collaborations/<slug>/items/<int:item_id>/themes", "POST"):
        _row(302, 200, 200, 200, 403, 404, 404),
    # The map as a workspace (rem/maps/workspace.py): the panel of an item for whoever sees
    # the item, the rest for editors. POSTs with only the token (not from htmx) answer with a
    # message and a redirect to the map; the item of _world is an activity (moved to the bin
    # by the delete case), the link is live (removed by its case).
    ("/collaborations/<slug>/map/items/<int:item_id>", "GET"): PRIVATE_ITEM,
    ("/collaborations/<slug>/map/new", "GET"): EDITORS,
    ("/collaborations/<slug>/map/items/<int:item_id>/candidates", "GET"): EDITORS,
    ("/collaborations/<slug>/map/items", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/map/items/<int:item_id>/edit", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/map/items/<int:item_id>/codes", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/map/items/<int:item_id>/delete", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/map/items/<int:item_id>/restore", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/map/links", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/map/links/<int:link_id>/delete", "POST"): EDITORS_POST,
    # People: members read the list of their own collaboration; those who manage it change it.
    ("/collaborations/<slug>/members", "GET"): _row(302, 200, 200, 200, 200, 403, 403),
    ("/collaborations/<slug>/invite", "GET"): EDITORS,
    ("/collaborations/<slug>/invite", "POST"): EDITORS,  # an empty form re-renders
    ("/collaborations/<slug>/members/<int:membership_id>/role", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/members/<int:membership_id>/remove", "POST"): EDITORS_POST,
    ("/invitations/<int:invitation_id>/withdraw", "POST"): EDITORS_POST,
    ("/hubs/<slug>/members", "GET"): HUB_MANAGERS,
    ("/hubs/<slug>/invite", "GET"): HUB_MANAGERS,
    ("/hubs/<slug>/invite", "POST"): HUB_MANAGERS,  # an empty form re-renders
    # The only coordinator cannot remove themselves: a message and a redirect.
    ("/hubs/<slug>/members/<int:membership_id>/remove", "POST"):
        _row(302, 302, 302, 403, 403, 403, 403),
    ("/admin/users", "GET"): ADMIN_ONLY,
    ("/admin/users/<int:user_id>/deactivate", "POST"): ADMIN_POST,
    ("/admin/users/<int:user_id>/activate", "POST"): ADMIN_POST,
    ("/admin/users/<int:user_id>/researcher", "POST"): ADMIN_POST,
    ("/admin/users/<int:user_id>/reset-link", "POST"): ADMIN_ONLY,  # shows the link once
    ("/admin/mail", "GET"): ADMIN_ONLY,  # the outbox: states and errors, never the texts
    # Public one-time links: an unknown token is "not found" for everyone.
    ("/invite/<token>", "GET"): NOT_FOUND,
    ("/invite/<token>", "POST"): NOT_FOUND,
    ("/reset/<token>", "GET"): NOT_FOUND,
    ("/reset/<token>", "POST"): NOT_FOUND,
    # "Forgot password" exists only when mail is configured (not in the tests).
    ("/reset", "GET"): NOT_FOUND,
    ("/reset", "POST"): NOT_FOUND,
    # Exports: everyone gets what they may see (a POST with only the token downloads JSON).
    ("/collaborations/<slug>/export", "GET"): EVERYONE,
    ("/collaborations/<slug>/export", "POST"): EVERYONE,
    ("/collaborations/<slug>/import", "GET"): EDITORS,
    ("/collaborations/<slug>/import", "POST"): EDITORS,  # no file: the form again
    ("/collaborations/<slug>/import/confirm", "POST"): EDITORS_POST,  # no upload: back
    ("/profile/tokens", "GET"): EVERYONE,
    ("/profile/tokens", "POST"): EVERYONE,  # no name: the form again
    # The read-only API answers 401 (JSON) to a request without session or token.
    ("/api/v1/collaborations", "GET"): API_EVERYONE,
    ("/api/v1/collaborations/<slug>", "GET"): API_EVERYONE,
    ("/api/v1/collaborations/<slug>/items", "GET"): API_EVERYONE,
    ("/api/v1/collaborations/<slug>/items/<int:item_id>", "GET"):
        _row(401, 200, 200, 200, 200, 404, 404),
    ("/api/v1/collaborations/<slug>/links", "GET"): API_EVERYONE,
    ("/api/v1/collaborations/<slug>/map", "GET"): API_EVERYONE,
    ("/api/v1/codebooks", "GET"): API_EVERYONE,
    # Learning log (rem/logbook): readers see what is shared with them, writers add entries.
    ("/collaborations/<slug>/log", "GET"): EVERYONE,
    ("/collaborations/<slug>/log/new", "GET"): LOG_WRITERS,
    ("/collaborations/<slug>/log/new", "POST"): LOG_WRITERS,  # an empty form re-renders
    ("/collaborations/<slug>/log/<int:entry_id>", "GET"): PRIVATE_ITEM,
    ("/collaborations/<slug>/log/<int:entry_id>/edit", "GET"): PRIVATE_ITEM,
    ("/collaborations/<slug>/log/<int:entry_id>/edit", "POST"): PRIVATE_ITEM,  # re-renders
    ("/collaborations/<slug>/log/<int:entry_id>/delete", "GET"): PRIVATE_ITEM,
    ("/collaborations/<slug>/log/<int:entry_id>/delete", "POST"): PRIVATE_ENTRY_POST,
    ("/collaborations/<slug>/log/<int:entry_id>/restore", "POST"): PRIVATE_ENTRY_POST,
    # The entry is a lesson, not an action: a message and a redirect.
    ("/collaborations/<slug>/log/<int:entry_id>/done", "POST"): PRIVATE_ENTRY_POST,
    ("/collaborations/<slug>/log/bin", "GET"): LOG_WRITERS,
    ("/collaborations/<slug>/log/actions", "GET"): EVERYONE,
    ("/actions", "GET"): EVERYONE,
    ("/search", "GET"): EVERYONE,
    # Learning exchanges (rem/exchanges): everyone in the learning network looks; coordinators
    # prepare them; facilitators of participants adopt outcomes (the outsider facilitates b1).
    ("/exchanges", "GET"): EVERYONE,
    ("/exchanges/new", "GET"): HUB_MANAGERS,
    ("/exchanges/new", "POST"): HUB_MANAGERS,  # an empty form re-renders
    ("/exchanges/<int:exchange_id>", "GET"): EVERYONE,
    ("/exchanges/<int:exchange_id>/edit", "GET"): HUB_MANAGERS,
    ("/exchanges/<int:exchange_id>/edit", "POST"): HUB_MANAGERS,  # an empty form re-renders
    # Without ?collaboration= there is no cell to show.
    ("/exchanges/<int:exchange_id>/evidence", "GET"): _row(302, 404, 404, 404, 404, 404, 404),
    ("/exchanges/<int:exchange_id>/pack", "GET"): EVERYONE,
    # Which saved view of a participant the exchange shows: its editors choose; without a
    # participant in the form there is nothing to change.
    ("/exchanges/<int:exchange_id>/map-view", "POST"): NOT_FOUND_SIGNED_IN,
    ("/exchanges/<int:exchange_id>/pack.pdf", "GET"): EXCHANGE_PDF,
    ("/exchanges/<int:exchange_id>/search", "GET"): EVERYONE,
    # The export page lists the formats; the download holds only what is shared with the
    # network on the exchange's theme, so everyone who sees the exchange may have it.
    ("/exchanges/<int:exchange_id>/export", "GET"): EVERYONE,
    ("/exchanges/<int:exchange_id>/outcomes", "POST"): EXCHANGE_MANAGERS_POST,
    ("/exchanges/<int:exchange_id>/outcomes/<int:outcome_id>/delete", "POST"):
        EXCHANGE_MANAGERS_POST,
    ("/exchanges/<int:exchange_id>/outcomes/<int:outcome_id>/adopt", "POST"):
        _row(302, 302, 302, 302, 403, 403, 302),
    # Evaluation sessions (rem/workshops): editors run them; everyone who reads all of the
    # collaboration (members too) sees the list, the projector and the report. Stories come
    # from people without an account, so researchers and outsiders see none of it.
    ("/collaborations/<slug>/sessions", "GET"): SESSION_READERS,
    ("/collaborations/<slug>/sessions/new", "GET"): EDITORS,
    ("/collaborations/<slug>/sessions/new", "POST"): EDITORS,  # an empty form re-renders
    ("/collaborations/<slug>/sessions/<int:session_id>", "GET"): EDITORS,
    ("/collaborations/<slug>/sessions/<int:session_id>/edit", "GET"): EDITORS,
    ("/collaborations/<slug>/sessions/<int:session_id>/edit", "POST"): EDITORS_SAVE,
    ("/collaborations/<slug>/sessions/<int:session_id>/qr.svg", "GET"): SESSION_READERS,
    ("/collaborations/<slug>/sessions/<int:session_id>/close", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/sessions/<int:session_id>/map-view", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/sessions/<int:session_id>/inbox", "GET"): EDITORS,
    ("/collaborations/<slug>/sessions/<int:session_id>/inbox/list", "GET"): EDITORS,
    ("/collaborations/<slug>/sessions/<int:session_id>/stories/<int:story_id>/accept", "GET"):
        EDITORS,
    # An empty form re-renders; the other story actions answer with a message and a redirect.
    ("/collaborations/<slug>/sessions/<int:session_id>/stories/<int:story_id>/accept", "POST"):
        EDITORS,
    ("/collaborations/<slug>/sessions/<int:session_id>/stories/<int:story_id>/merge", "POST"):
        EDITORS_POST,
    ("/collaborations/<slug>/sessions/<int:session_id>/stories/<int:story_id>/park", "POST"):
        EDITORS_POST,
    ("/collaborations/<slug>/sessions/<int:session_id>/stories/<int:story_id>/reopen",
     "POST"): EDITORS_POST,
    ("/collaborations/<slug>/sessions/<int:session_id>/stories/<int:story_id>/link", "POST"):
        EDITORS_POST,
    ("/collaborations/<slug>/sessions/<int:session_id>/stories/<int:story_id>/codes", "POST"):
        EDITORS_POST,
    ("/collaborations/<slug>/sessions/<int:session_id>/projector", "GET"): SESSION_READERS,
    ("/collaborations/<slug>/sessions/<int:session_id>/projector/map", "GET"): SESSION_READERS,
    ("/collaborations/<slug>/sessions/<int:session_id>/report", "GET"): SESSION_READERS,
    ("/collaborations/<slug>/sessions/<int:session_id>/report.pdf", "GET"): SESSION_PDF,
    # Borging reviews (rem/reviews): the review in _world is a draft of a1 for 2025. POSTs
    # with only the token answer with a message and a redirect (no year, no version, not
    # adopted yet); the edit form re-renders.
    ("/collaborations/<slug>/reviews", "GET"): REVIEW_READERS,
    ("/collaborations/<slug>/reviews", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/reviews/<int:review_id>", "GET"): REVIEW_READERS,
    ("/collaborations/<slug>/reviews/<int:review_id>/edit", "GET"): EDITORS,
    ("/collaborations/<slug>/reviews/<int:review_id>/edit", "POST"): EDITORS,
    ("/collaborations/<slug>/reviews/<int:review_id>/evidence", "GET"): EDITORS,
    ("/collaborations/<slug>/reviews/<int:review_id>/evidence", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/reviews/<int:review_id>/adopt", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/reviews/<int:review_id>/new-version", "POST"): EDITORS_POST,
    ("/collaborations/<slug>/reviews/<int:review_id>/report.pdf", "GET"): REVIEW_PDF,
    ("/collaborations/<slug>/reviews/<int:review_id>/map-view", "POST"): EDITORS_POST,
    ("/hubs/<slug>/reviews", "GET"): HUB_MANAGERS,
    # Participants join from a phone without an account (an open session's code).
    ("/join", "GET"): _row(200, 200, 200, 200, 200, 200, 200),
    ("/join", "POST"): _row(200, 200, 200, 200, 200, 200, 200),  # no code: the form again
    ("/join/<code>", "GET"): _row(200, 200, 200, 200, 200, 200, 200),
    ("/join/<code>", "POST"): _row(302, 302, 302, 302, 302, 302, 302),  # joined: on to the story
    # Not joined yet: back to the welcome page.
    ("/join/<code>/story", "GET"): _row(302, 302, 302, 302, 302, 302, 302),
    ("/join/<code>/story", "POST"): _row(302, 302, 302, 302, 302, 302, 302),
    # Ripple analysis (rem/analysis): everyone counts what they may see of a collaboration,
    # a hub or an exchange's selection (an empty answer is still a page).
    ("/collaborations/<slug>/analysis", "GET"): EVERYONE,
    ("/collaborations/<slug>/analysis.csv", "GET"): EVERYONE,
    ("/collaborations/<slug>/analysis/items", "GET"): EVERYONE,  # no measure: a message
    ("/collaborations/<slug>/analysis/growth", "GET"): EVERYONE,
    ("/collaborations/<slug>/analysis/new", "GET"): EVERYONE,
    ("/collaborations/<slug>/influence", "GET"): EVERYONE,
    ("/collaborations/<slug>/influence.csv", "GET"): EVERYONE,
    ("/hubs/<slug>/analysis", "GET"): EVERYONE,
    ("/hubs/<slug>/analysis.csv", "GET"): EVERYONE,
    ("/hubs/<slug>/analysis/items", "GET"): EVERYONE,
    ("/hubs/<slug>/influence.csv", "GET"): EVERYONE,
    ("/exchanges/<int:exchange_id>/analysis", "GET"): EVERYONE,
    ("/exchanges/<int:exchange_id>/analysis/items", "GET"): EVERYONE,
    # Story threads: read by everyone who reads all of a1, made by its log writers; the
    # thread in _world is the member's, so the member changes it too.
    ("/collaborations/<slug>/threads", "GET"): SESSION_READERS,
    ("/collaborations/<slug>/threads/new", "GET"): LOG_WRITERS,
    ("/collaborations/<slug>/threads/new", "POST"): LOG_WRITERS,  # no path: a message
    ("/collaborations/<slug>/threads/longest", "GET"): THREAD_WRITERS_REDIRECT,
    ("/collaborations/<slug>/threads/<int:thread_id>", "GET"): SESSION_READERS,
    ("/collaborations/<slug>/threads/<int:thread_id>/edit", "GET"): THREAD_EDITORS,
    ("/collaborations/<slug>/threads/<int:thread_id>/edit", "POST"): THREAD_EDITORS_POST,
    ("/collaborations/<slug>/threads/<int:thread_id>/delete", "POST"): THREAD_EDITORS_POST,
    ("/collaborations/<slug>/threads/<int:thread_id>/restore", "POST"): THREAD_EDITORS_POST,
    ("/collaborations/<slug>/threads/<int:thread_id>/place", "POST"): THREAD_EDITORS_POST,
    ("/collaborations/<slug>/threads/<int:thread_id>/placements/<int:placement_id>/remove",
     "POST"): THREAD_EDITORS_POST,
}


def _routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.rule, method))
    return sorted(routes)


def test_every_route_is_in_the_matrix(app):
    missing = [r for r in _routes(app) if r not in MATRIX]
    assert not missing, f"add these routes to MATRIX with the status per role: {missing}"
    stale = [r for r in MATRIX if r not in _routes(app)]
    assert not stale, f"these routes no longer exist: {stale}"


@pytest.fixture(scope="module")
def world(app):
    """The module's world, built once in a transaction rolled back after the module."""
    with one_transaction(app) as connection:
        with app.app_context():
            install_default_codebooks()
            db.session.commit()
        ids = _world(app)
        yield connection, ids, _browsers(app)


@pytest.fixture(autouse=True)
def _clean_database(app, world):
    """Run each test in a savepoint of the module's transaction, rolled back after it
    (instead of conftest's emptying of every table)."""
    connection = world[0]
    case = connection.begin_nested()
    # The module's sign-ins are seen now: one older than a minute would have its "last
    # seen" moved on in a transaction of its own, which this connection cannot open.
    connection.execute(sa.update(SignIn).values(last_seen_at=utcnow()))
    yield
    limiter.enabled = False
    with app.app_context():
        db.session.remove()
    case.rollback()


@pytest.fixture
def ids(world) -> dict:
    return world[1]


def _world(app) -> dict:
    """Two hubs, each with a collaboration, and one person per role."""
    with app.app_context():
        hub_a = factories.HubFactory(slug="hub-a")
        hub_b = factories.HubFactory(slug="hub-b")
        a1 = factories.CollaborationFactory(slug="a1", hub=hub_a)
        b1 = factories.CollaborationFactory(slug="b1", hub=hub_b)
        users = {
            "admin": factories.UserFactory(email="admin@example.org", is_admin=True),
            "coordinator": factories.UserFactory(email="coordinator@example.org"),
            "facilitator": factories.UserFactory(email="facilitator@example.org"),
            "member": factories.UserFactory(email="member@example.org"),
            "researcher": factories.UserFactory(email="researcher@example.org",
                                                is_researcher=True),
            "outsider": factories.UserFactory(email="outsider@example.org"),
        }
        db.session.flush()
        coordinator = factories.MembershipFactory(user=users["coordinator"], hub_id=hub_a.id,
                                                  role=Role.COORDINATOR.value)
        factories.MembershipFactory(user=users["facilitator"], collaboration_id=a1.id,
                                    role=Role.FACILITATOR.value)
        member = factories.MembershipFactory(user=users["member"], collaboration_id=a1.id,
                                             role=Role.MEMBER.value)
        factories.MembershipFactory(user=users["outsider"], collaboration_id=b1.id,
                                    role=Role.FACILITATOR.value)
        activity = factories.ActivityFactory(collaboration=a1, title="Privé activiteit")
        effect = factories.EffectFactory(collaboration=a1, title="Privé effect")
        link = services.add_link(activity, effect)
        invitation, _token = create_invitation("invitee@example.org", Role.MEMBER,
                                               collaboration=a1)
        learning = _learning_world(a1, b1, users)
        evaluation = _session_world(a1)
        review = _review_world(a1)
        story = _thread_world(a1, activity, effect, users["member"], learning["entry_id"])
        maps = _map_world(a1, effect)
        db.session.commit()
        return {**story, "item_id": activity.id, "link_id": link.id, "membership_id": member.id,
                "hub_membership_id": coordinator.id, "invitation_id": invitation.id,
                "user_id": users["member"].id, **{k: v.id for k, v in learning.items()},
                **evaluation, "review_id": review, **maps}


def _map_world(a1, effect) -> dict:
    """A theme of a1 with its private effect, and a saved map view of a1."""
    from rem.maps.models import SavedView
    from rem.themes import services as themes

    theme = themes.create_theme(a1, "Privé thema")
    themes.add_items(theme, [effect])
    view = SavedView(collaboration_id=a1.id, name="Privé weergave", params={"layout": "radial"})
    db.session.add(view)
    db.session.flush()
    return {"theme_id": theme.id, "view_id": view.id}


def _thread_world(a1, activity, effect, author, entry) -> dict:
    """A story thread of a1 by the member, placed in the member's log entry."""
    from rem.threads.models import StoryThread, ThreadPlacement, ThreadStep

    thread = StoryThread(collaboration=a1, title="Privé verhaal", author_id=author.id,
                         steps=[ThreadStep(position=0, item_id=activity.id, text="Begin"),
                                ThreadStep(position=1, item_id=effect.id, text="Daarna")])
    db.session.add(thread)
    db.session.flush()
    placement = ThreadPlacement(thread_id=thread.id,
                                entry_id=entry.id)
    db.session.add(placement)
    db.session.flush()
    return {"thread_id": thread.id, "placement_id": placement.id}


def _session_world(a1) -> dict:
    """An open evaluation session of a1 with one new story (rem.workshops)."""
    from rem.workshops import services as sessions

    session = sessions.create_workshop(a1, sessions.WorkshopInput(
        title="Sessie", held_on=date(2026, 3, 1), focus_question="Wat veranderde er?"))
    person = sessions.join_workshop(session, "Anna")
    story, _created = sessions.submit_story(session, person, sessions.StoryInput(
        text="Privé verhaal"), "matrix-story-key-0001")
    return {"session_id": session.id, "story_id": story.id, "code": session.code}


def _review_world(a1) -> int:
    """A draft borging review of a1 for 2025 (rem.reviews)."""
    from rem.reviews import services as reviews

    return reviews.create_review(a1, 2025).id


def _learning_world(a1, b1, users) -> dict:
    """A private learning-log entry by the member of a1, and an exchange of a1 and b1
    (made by the coordinator of hub-a) with one outcome."""
    from rem.exchanges.models import ExchangeOutcome, LearningExchange

    entry = factories.LogEntryFactory(collaboration=a1, title="Privé les",
                                      author_id=users["member"].id)
    exchange = LearningExchange(title="Uitwisseling", question="Hoe houden we het vol?",
                                participants=[a1, b1], created_by_id=users["coordinator"].id)
    outcome = ExchangeOutcome(exchange=exchange, kind="insight", title="Een inzicht")
    db.session.add_all([exchange, outcome])
    db.session.flush()
    return {"entry_id": entry, "exchange_id": exchange, "outcome_id": outcome}


def _url(rule: str, ids: dict) -> str:
    membership_id = ids["hub_membership_id"] if rule.startswith("/hubs/") else ids["membership_id"]
    return (rule.replace("/hubs/<slug>", "/hubs/hub-a")
            .replace("/codebooks/<slug>", "/codebooks/borging")
            .replace("<slug>", "a1")
            .replace("<int:item_id>", str(ids["item_id"]))
            .replace("<int:link_id>", str(ids["link_id"]))
            .replace("<fmt>", "dot")
            .replace("<int:membership_id>", str(membership_id))
            .replace("<int:invitation_id>", str(ids["invitation_id"]))
            .replace("<int:user_id>", str(ids["user_id"]))
            .replace("<int:entry_id>", str(ids.get("entry_id")))
            .replace("<int:exchange_id>", str(ids.get("exchange_id")))
            .replace("<int:outcome_id>", str(ids.get("outcome_id")))
            .replace("<int:session_id>", str(ids.get("session_id")))
            .replace("<int:story_id>", str(ids.get("story_id")))
            .replace("<int:review_id>", str(ids.get("review_id")))
            .replace("<int:thread_id>", str(ids.get("thread_id")))
            .replace("<int:placement_id>", str(ids.get("placement_id")))
            .replace("<int:theme_id>", str(ids.get("theme_id")))
            .replace("<int:view_id>", str(ids.get("view_id")))
            .replace("<code>", str(ids.get("code")))
            .replace("<token>", "no-such-token-0123456789abcdef"))


PUBLIC = {("/health", "GET"), ("/api/openapi.yaml", "GET"), ("/login", "GET"),
          ("/login", "POST"), ("/logout", "POST"),
          ("/language", "POST"), ("/invite/<token>", "GET"), ("/invite/<token>", "POST"),
          ("/reset/<token>", "GET"), ("/reset/<token>", "POST"), ("/reset", "GET"),
          ("/reset", "POST"),
          ("/join", "GET"), ("/join", "POST"), ("/join/<code>", "GET"), ("/join/<code>", "POST"),
          ("/join/<code>/story", "GET"), ("/join/<code>/story", "POST")}


def _sign_in(app, client, email: str) -> None:
    """Record a sign-in and put its id in the session, as a real sign-in does (the form is
    tested elsewhere; scrypt on every one of these cases would only slow the suite down)."""
    with app.test_request_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        signins.start(user)
        session_id = user.get_id()
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True


def _browsers(app) -> dict[str, tuple[str, str]]:
    """Per role, the session cookie of a browser signed in as that role (none for the
    anonymous one) and the CSRF token of its forms: made once for the module, so that a
    case starts a fresh client with that cookie instead of signing in again. A case that
    signs out or changes the sign-in is rolled back with its savepoint."""
    browsers = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            _sign_in(app, client, f"{role}@example.org")
        page = client.get("/" if role != "anonymous" else "/login")
        token = CSRF_RE.search(page.data).group(1).decode()
        browsers[role] = (client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value, token)
    return browsers


CASES = [(route, role) for route in sorted(MATRIX) for role in ROLES]


@pytest.mark.parametrize("route,role", CASES, ids=[f"{r[1]} {r[0]} as {role}"
                                                   for r, role in CASES])
def test_route_status_for_role(app, world, ids, route, role):
    rule, method = route
    url = _url(rule, ids)
    cookie, token = world[2][role]
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    response = (client.get(url) if method == "GET"
                else client.post(url, data={"csrf_token": token}))
    assert response.status_code == MATRIX[route][role]
    if role == "anonymous" and route not in PUBLIC and MATRIX[route][role] == 302:
        assert "/login" in response.headers["Location"]


def test_every_post_route_refuses_a_missing_csrf_token(app, ids):
    client = app.test_client()
    login(client, "admin@example.org")
    for rule, method in _routes(app):
        if method != "POST":
            continue
        response = client.post(_url(rule, ids), data={})
        assert response.status_code == 400, (rule, response.status_code)


def test_outsider_cannot_see_private_items_anywhere(app, ids):
    client = app.test_client()
    login(client, "outsider@example.org")
    for path in ["/collaborations/a1", "/collaborations/a1/map.dot",
                 f"/collaborations/a1/items/{ids['item_id']}"]:
        body = client.get(path).get_data(as_text=True)
        assert "Privé activiteit" not in body and "Privé effect" not in body, path


def test_shared_items_reach_exactly_the_people_they_are_shared_with(app, ids):
    with app.app_context():
        a1_id = db.session.scalar(sa.text("select id from collaborations where slug='a1'"))
        a1 = db.session.get(Collaboration, a1_id)
        hub_item = factories.EffectFactory(collaboration=a1, title="Gedeeld met hub",
                                           visibility="hub")
        net_item = factories.EffectFactory(collaboration=a1, title="Gedeeld met netwerk",
                                           visibility="network")
        hub_item_id, net_item_id = hub_item.id, net_item.id
        db.session.commit()
        assert db.session.get(RippleItem, ids["item_id"]).visibility == "collaboration"
    expectations = {
        # role: (sees hub item, sees network item)
        "researcher": (False, True),
        "outsider": (False, True),   # active in another hub: part of the learning network
        "member": (True, True),
        "coordinator": (True, True),
    }
    for role, (sees_hub, sees_net) in expectations.items():
        client = app.test_client()
        login(client, f"{role}@example.org")
        assert (client.get(f"/collaborations/a1/items/{hub_item_id}").status_code == 200) \
            is sees_hub, role
        assert (client.get(f"/collaborations/a1/items/{net_item_id}").status_code == 200) \
            is sees_net, role
        timeline = client.get("/collaborations/a1").get_data(as_text=True)
        assert ("Gedeeld met hub" in timeline) is sees_hub, role
        assert ("Gedeeld met netwerk" in timeline) is sees_net, role
