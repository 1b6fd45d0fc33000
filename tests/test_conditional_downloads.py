"""Downloads (maps, analysis CSVs, exports) carry an ETag made from what they hold: a
repeated, unchanged download is answered 304, a change gives 200 with a new tag, and one
person's tag never matches another person's file."""

from __future__ import annotations

import pytest

from rem.accounts.models import Role
from rem.collaborations.models import Collaboration
from rem.exchanges.models import LearningExchange
from rem.extensions import db
from rem.ripples import services
from tests import factories
from tests.conftest import login, post
from tests.test_map_views import _world

DOWNLOADS = [
    "/collaborations/dorp/map.svg",
    "/collaborations/dorp/map.dot?layout=radial",
    "/collaborations/dorp/analysis.csv",
    "/collaborations/dorp/influence.csv",
    "/hubs/{hub}/analysis.csv",
    "/hubs/{hub}/influence.csv",
    "/exchanges/{exchange}/export?format=json",
    "/exchanges/{exchange}/export?format=csv",
]


@pytest.fixture(autouse=True)
def _map_cache(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "REM_MAP_CACHE_DIR", str(tmp_path / "map-cache"))


@pytest.fixture
def world(app) -> dict:
    ids = _world(app)
    with app.app_context():
        item = db.session.get(services.RippleItem, ids["los"])
        collab = item.collaboration
        facilitator = factories.UserFactory(email="fac@example.org")
        factories.MembershipFactory(user=facilitator, collaboration_id=collab.id,
                                    role=Role.FACILITATOR.value)
        factories.UserFactory(email="res@example.org", is_researcher=True)
        exchange = LearningExchange(title="Uitwisseling", participants=[collab])
        db.session.add(exchange)
        db.session.commit()
        return {**ids, "hub": collab.hub.slug, "exchange": exchange.id,
                "collaboration": collab.id, "facilitator": facilitator.id}


def _tag(response) -> str:
    assert response.status_code == 200 and response.data  # read to the end (streamed exports)
    return response.headers["ETag"]


def _urls(world) -> list[str]:
    return [url.format(**world) for url in DOWNLOADS]


def test_a_repeated_unchanged_download_gets_304(app, world):
    client = app.test_client()
    login(client, "fac@example.org")
    for url in _urls(world):
        first = client.get(url)
        assert first.status_code == 200 and first.data, url  # (a streamed export is read)
        tag = first.headers["ETag"]
        assert first.headers["Cache-Control"] == "private, no-cache", url
        again = client.get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304 and not again.data, url
        assert again.headers["ETag"] == tag, url
        other_tag = client.get(url, headers={"If-None-Match": '"something-else"'})
        assert other_tag.status_code == 200 and other_tag.data, url


def _edit(app, world, what: str) -> None:
    with app.app_context():
        if what == "item":
            db.session.get(services.RippleItem, world["los"]).title = "Los effect, anders"
        elif what == "log entry":
            factories.LogEntryFactory(collaboration=db.session.get(Collaboration,
                                                                   world["collaboration"]),
                                      title="Nieuwe les", body="Wat we leerden.",
                                      author_id=world["facilitator"], visibility="network")
        db.session.commit()


@pytest.mark.parametrize("what", ["item", "log entry"])
def test_after_an_edit_the_download_is_sent_again_with_a_new_tag(app, world, what):
    client = app.test_client()
    login(client, "fac@example.org")
    urls = _urls(world)
    if what == "log entry":  # only exports hold the learning log
        urls = [url for url in urls if "/export" in url]
    tags = {url: _tag(client.get(url)) for url in urls}
    _edit(app, world, what)
    for url in urls:
        after = client.get(url, headers={"If-None-Match": tags[url]})
        assert after.status_code == 200 and after.data, (what, url)
        assert after.headers["ETag"] != tags[url], (what, url)
        assert client.get(url, headers={"If-None-Match": after.headers["ETag"]}
                          ).status_code == 304


def test_another_person_never_matches_someone_elses_tag(app, world):
    facilitator = app.test_client()
    login(facilitator, "fac@example.org")
    tags = {url: _tag(facilitator.get(url)) for url in _urls(world)}
    for email in ("res@example.org", "member@example.org"):  # other rights; the same rights
        other = app.test_client()
        login(other, email)
        for url, tag in tags.items():
            answer = other.get(url, headers={"If-None-Match": tag})
            assert answer.status_code == 200 and answer.data, (email, url)
            assert answer.headers["ETag"] != tag, (email, url)


def test_the_language_is_part_of_the_tag(app, world):
    client = app.test_client()
    login(client, "fac@example.org")
    url = "/collaborations/dorp/map.svg"
    tag = _tag(client.get(url))
    assert post(client, "/language", {"locale": "en"}).status_code == 302
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 200
