"""Map downloads are found again by what the map is made of (no build on a hit), and any
change to that data, the language, the filters or the person's access gives a new map."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rem.accounts.models import Role, User
from rem.codes.services import code_by_qualified_slug
from rem.extensions import db
from rem.ripples import services
from rem.ripples.models import RippleLink
from tests import factories
from tests.conftest import login
from tests.test_map_views import _world
from tests.test_query_counts import counting

URL = "/collaborations/dorp/map.svg"


@pytest.fixture(autouse=True)
def _map_cache(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "REM_MAP_CACHE_DIR", str(tmp_path / "map-cache"))


def test_a_second_download_is_served_without_loading_the_items(app, client):
    _world(app)
    login(client, "member@example.org")
    first = client.get(URL)
    assert first.status_code == 200
    with counting(app) as seen:
        again = client.get(URL)
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    # Only grouped counts: no statement reads the items' titles.
    assert seen and not [s for s in seen if "ripple_items.title" in s]


def _change(app, ids, what: str) -> None:
    with app.app_context():
        item = db.session.get(services.RippleItem, ids["los"])
        netwerk = db.session.get(services.RippleItem, ids["netwerk"])
        if what == "title":
            item.title = "Los effect, anders"
        elif what == "code on an item":
            item.codes = [code_by_qualified_slug("borging:sleutelpersonen")]
        elif what == "code renamed":
            code = code_by_qualified_slug("borging:sleutelpersonen")
            code.name = "Sleutelfiguren"
        elif what == "link added":
            services.add_link(netwerk, item)
        elif what == "link removed":
            link = db.session.scalar(sa.select(RippleLink).where(
                RippleLink.effect_id == ids["vrijwilligers"]))
            services.remove_link(link)
        elif what == "item binned":
            services.delete_item(item)
        elif what == "item added":
            factories.EffectFactory(collaboration=item.collaboration, title="Nieuw effect",
                                    visibility="network")
        elif what == "collaboration renamed":
            item.collaboration.name = "Achterveld-Zuid"
        db.session.commit()


# Every kind of change _change makes: each must show in a download and on the map page.
CHANGES = ["title", "code on an item", "code renamed", "link added", "link removed",
           "item binned", "item added", "collaboration renamed"]


@pytest.mark.parametrize("what", CHANGES)
def test_every_change_to_the_data_gives_a_new_download(app, client, what):
    ids = _world(app)
    login(client, "member@example.org")
    before = client.get(URL)
    _change(app, ids, what)
    after = client.get(URL, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200, what
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.data != before.data


def test_a_restored_item_returns_to_the_map(app, client):
    ids = _world(app)
    login(client, "member@example.org")
    _change(app, ids, "item binned")
    assert "Los effect" not in client.get(URL).get_data(as_text=True)
    with app.app_context():
        services.restore_item(db.session.get(services.RippleItem, ids["los"]))
        db.session.commit()
    assert "Los effect" in client.get(URL).get_data(as_text=True)


def _facilitator_and_researcher(app) -> None:
    """The world with two more people: a facilitator of the collaboration, who sees its
    own items, and a researcher, who sees only what was shared with the network."""
    ids = _world(app)
    with app.app_context():
        collab = db.session.get(services.RippleItem, ids["los"]).collaboration
        facilitator = factories.UserFactory(email="fac@example.org")
        factories.MembershipFactory(user=facilitator, collaboration_id=collab.id,
                                    role=Role.FACILITATOR.value)
        factories.UserFactory(email="res@example.org", is_researcher=True)
        db.session.commit()


def test_language_filters_and_access_each_have_their_own_download(app, client):
    _facilitator_and_researcher(app)
    login(client, "fac@example.org")
    full = client.get(URL)
    assert "Privé vertrek" in full.get_data(as_text=True)
    filtered = client.get(URL + "?code=borging:sleutelpersonen")
    assert filtered.headers["ETag"] != full.headers["ETag"]
    assert "Los effect" not in filtered.get_data(as_text=True)
    client = app.test_client()
    login(client, "res@example.org")
    shared = client.get(URL)
    assert shared.status_code == 200
    assert "Privé vertrek" not in shared.get_data(as_text=True)
    assert shared.headers["ETag"] != full.headers["ETag"]
    with app.app_context():
        db.session.scalar(sa.select(User).where(User.email == "res@example.org")).locale = "en"
        db.session.commit()
    english = client.get(URL)
    assert english.headers["ETag"] != shared.headers["ETag"]
    assert "Ripple map" in english.get_data(as_text=True)


PAGE = "/collaborations/dorp/map"


def test_an_unchanged_map_page_is_not_built_again(app, client):
    """The map page keeps the map it built (per process) while nothing it is made of
    changes: opening it again reads no item's title."""
    _world(app)
    login(client, "member@example.org")
    first = client.get(PAGE)
    assert first.status_code == 200 and "Los effect" in first.get_data(as_text=True)
    with counting(app) as seen:
        again = client.get(PAGE)
    assert again.status_code == 200 and "Los effect" in again.get_data(as_text=True)
    assert seen and not [s for s in seen if "ripple_items.title" in s]


@pytest.mark.parametrize("what", CHANGES)
def test_every_change_to_the_data_shows_on_the_map_page(app, client, what):
    ids = _world(app)
    login(client, "member@example.org")
    before = client.get(PAGE).get_data(as_text=True)
    _change(app, ids, what)
    after = client.get(PAGE).get_data(as_text=True)
    assert after != before, what
    expected = {"title": "Los effect, anders", "code renamed": "Sleutelfiguren",
                "item added": "Nieuw effect", "collaboration renamed": "Achterveld-Zuid"}
    if what in expected:
        assert expected[what] in after and expected[what] not in before
    if what == "item binned":
        assert "Los effect" in before and "Los effect" not in after


def test_each_person_and_language_gets_their_own_map_page(app, client):
    """A map kept for one person is never shown to a person who sees less, nor in
    another language."""
    _facilitator_and_researcher(app)
    login(client, "fac@example.org")
    assert "Privé vertrek" in client.get(PAGE).get_data(as_text=True)
    client = app.test_client()
    login(client, "res@example.org")
    shared = client.get(PAGE).get_data(as_text=True)
    assert "Los effect" in shared and "Privé vertrek" not in shared
    with app.app_context():
        db.session.scalar(sa.select(User).where(User.email == "res@example.org")).locale = "en"
        db.session.commit()
    english = client.get(PAGE).get_data(as_text=True)
    assert ">Ripple map Achterveld</title>" in english  # the map's own title, in its drawing
    assert "Rimpelkaart" not in english
