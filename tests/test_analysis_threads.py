"""Story threads: picking a path, the generated words, editing, placing in a learning-log
entry and an exchange pack, deleted and unshared items, and the map renderer's highlight."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.maps import renderer
from rem.maps.model import MapEdge, MapNode, RippleMap
from rem.ripples import services as ripples
from rem.ripples.models import RippleItem
from rem.threads.models import StoryThread, ThreadPlacement
from tests import factories
from tests.conftest import csrf_token, login, post
from tests.test_analysis import build_world


@pytest.fixture(autouse=True)
def _map_cache(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "REM_MAP_CACHE_DIR", str(tmp_path / "map-cache"))


@pytest.fixture
def world(app):
    return build_world(app)


def _thread(app) -> StoryThread:
    return db.session.scalars(sa.select(StoryThread)).one()


def test_longest_chain_becomes_a_thread_with_dated_words_and_evidence(app, world):
    client = app.test_client()
    login(client, "member@example.org")
    proposal = client.get(f"/collaborations/dorp/threads/longest?activity={world['a1']}")
    assert proposal.status_code == 302
    path_page = client.get(proposal.headers["Location"]).get_data(as_text=True)
    assert "april 2023" in path_page.lower() or "2023" in path_page
    assert "daaruit groeide “Vrijwilligers melden zich”" in path_page
    response = post(client, "/collaborations/dorp/threads/new",
                    {"title": "Van markt tot burgergroep",
                     "path": [world["a1"], world["e1"], world["e2"], world["e4"]]})
    assert response.status_code == 302
    with app.test_request_context():
        thread = _thread(app)
        assert [s.item_id for s in thread.steps] == [world["a1"], world["e1"], world["e2"],
                                                     world["e4"]]
        assert thread.steps[0].text.startswith("1 april 2023: het begon met de activiteit")
        assert "(onbedoeld, gemengd)" in thread.steps[2].text
        thread_id = thread.id
    page = client.get(f"/collaborations/dorp/threads/{thread_id}").get_data(as_text=True)
    assert "We kennen elkaar nu &lt;echt&gt;." in page  # evidence, escaped


def test_picking_a_path_step_by_step_without_javascript(app, world):
    client = app.test_client()
    login(client, "member@example.org")
    start = client.get("/collaborations/dorp/threads/new").get_data(as_text=True)
    assert "Inspiratiemarkt" in start
    step = client.get(f"/collaborations/dorp/threads/new?path={world['a1']}").get_data(
        as_text=True)
    # The effects that grew from the market are offered; the deleted one is not.
    assert "Sterker netwerk" in step and "Vier medewerkers weg" in step
    assert "Weggegooid effect" not in step
    bad = client.get(f"/collaborations/dorp/threads/new?path={world['a1']}&path={world['e4']}")
    assert bad.status_code == 200
    assert "groeide niet direct uit" in bad.get_data(as_text=True)
    refused = post(client, "/collaborations/dorp/threads/new",
                   {"title": "X", "path": [world["a1"], world["e6"]]})
    assert refused.status_code == 200
    assert "prullenbak" in refused.get_data(as_text=True)
    with app.test_request_context():
        assert db.session.scalar(sa.select(sa.func.count(StoryThread.id))) == 0


def test_edit_the_words_with_a_version_check(app, world):
    client = app.test_client()
    login(client, "member@example.org")
    post(client, "/collaborations/dorp/threads/new",
         {"title": "Kort", "path": [world["a2"], world["e7"]]})
    with app.test_request_context():
        thread = _thread(app)
        thread_id, version = thread.id, thread.version
    edit_url = f"/collaborations/dorp/threads/{thread_id}/edit"
    saved = post(client, edit_url, {"title": "Het verhaal van de ondersteuner",
                                     "step-0": "In januari kwam er een <b>dorpsondersteuner</b>.",
                                     "step-1": "Dat werd gedeeld.", "version": version},
                 token_from=edit_url)
    assert saved.status_code == 302
    stale = post(client, edit_url, {"title": "Oud", "step-0": "a", "step-1": "b",
                                    "version": version}, token_from=edit_url)
    assert stale.status_code == 200
    assert "Iemand anders heeft dit verhaal intussen gewijzigd" in stale.get_data(as_text=True)
    page = client.get(f"/collaborations/dorp/threads/{thread_id}").get_data(as_text=True)
    assert "&lt;b&gt;dorpsondersteuner&lt;/b&gt;" in page and "Oud" not in page


def test_place_in_a_log_entry_and_survive_a_deleted_item(app, world):
    with app.test_request_context():
        collab = db.session.scalar(sa.select(Collaboration).where(Collaboration.slug == "dorp"))
        entry = factories.LogEntryFactory(collaboration=collab, title="Wat we leerden",
                                          author_id=world["member_id"])
        db.session.commit()
        entry_id = entry.id
    client = app.test_client()
    login(client, "member@example.org")
    post(client, "/collaborations/dorp/threads/new",
         {"title": "Markt", "path": [world["a1"], world["e1"], world["e2"]]})
    with app.test_request_context():
        thread_id = _thread(app).id
    show_url = f"/collaborations/dorp/threads/{thread_id}"
    assert f"log_entry:{entry_id}" in client.get(show_url).get_data(as_text=True)
    placed = post(client, f"{show_url}/place", {"target": f"log_entry:{entry_id}"},
                  token_from=show_url)
    assert placed.status_code == 302
    again = post(client, f"{show_url}/place", {"target": f"log_entry:{entry_id}"},
                 token_from=show_url, follow_redirects=True)
    assert "stond daar al" in again.get_data(as_text=True)
    refused = post(client, f"{show_url}/place", {"target": "log_entry:999999"},
                   token_from=show_url, follow_redirects=True)
    assert "Kies waar het verhaal moet komen" in refused.get_data(as_text=True)
    entry_page = client.get(f"/collaborations/dorp/log/{entry_id}").get_data(as_text=True)
    assert "Markt" in entry_page and "daaruit groeide “Sterker netwerk”" in entry_page
    # The facilitator's view aside: a deleted effect is told as deleted, never a crash.
    with app.test_request_context():
        ripples.delete_item(db.session.get(RippleItem, world["e1"]))
        db.session.commit()
    entry_page = client.get(f"/collaborations/dorp/log/{entry_id}")
    assert entry_page.status_code == 200
    body = entry_page.get_data(as_text=True)
    assert "Dit effect is verwijderd." in body and "Sterker netwerk" not in body
    assert client.get(f"{show_url}/edit").status_code == 200
    # Emptied from the bin for good: the step stays, still told as deleted.
    with app.test_request_context():
        db.session.execute(sa.text("update thread_steps set item_id = null where item_id = :i"),
                           {"i": world["e1"]})
        db.session.commit()
    assert "Dit effect is verwijderd." in client.get(show_url).get_data(as_text=True)


def test_exchange_pack_shows_only_steps_shared_with_the_network(app, world):
    from rem.exchanges.models import LearningExchange

    with app.test_request_context():
        collab = db.session.scalar(sa.select(Collaboration).where(Collaboration.slug == "dorp"))
        other = db.session.scalar(sa.select(Collaboration).where(Collaboration.slug == "elders"))
        exchange = LearningExchange(title="Leren over borging", participants=[collab, other])
        db.session.add(exchange)
        db.session.commit()
        exchange_id = exchange.id
    client = app.test_client()
    login(client, "member@example.org")
    # The member (not a facilitator) may not place in an exchange pack.
    post(client, "/collaborations/dorp/threads/new",
         {"title": "Gedeeld verhaal", "path": [world["a2"], world["e3"]]})
    with app.test_request_context():
        thread = _thread(app)
        thread_id = thread.id
        db.session.add(ThreadPlacement(thread_id=thread_id,
                                       exchange_id=exchange_id))
        db.session.commit()
    pack = client.get(f"/exchanges/{exchange_id}/pack").get_data(as_text=True)
    assert "Gedeeld verhaal" in pack and "Dorpsondersteuner" in pack
    assert "Vier medewerkers weg" not in pack  # not shared with the network
    assert "Deze stap is niet met u gedeeld." in pack


def test_outsiders_do_not_see_threads(app, world):
    client = app.test_client()
    login(client, "member@example.org")
    post(client, "/collaborations/dorp/threads/new",
         {"title": "Binnenkant", "path": [world["a1"], world["e3"]]})
    with app.test_request_context():
        thread_id = _thread(app).id
    outsider = app.test_client()
    login(outsider, "outsider@example.org")
    assert outsider.get(f"/collaborations/dorp/threads/{thread_id}").status_code == 403
    assert outsider.get("/collaborations/dorp/threads").status_code == 403
    token = csrf_token(outsider, "/")
    assert outsider.post(f"/collaborations/dorp/threads/{thread_id}/delete",
                         data={"csrf_token": token}).status_code == 403


def test_delete_and_restore_a_thread(app, world):
    client = app.test_client()
    login(client, "member@example.org")
    post(client, "/collaborations/dorp/threads/new",
         {"title": "Weg en terug", "path": [world["a1"]]})
    with app.test_request_context():
        thread_id = _thread(app).id
    show_url = f"/collaborations/dorp/threads/{thread_id}"
    post(client, f"{show_url}/delete", token_from=show_url)
    with app.test_request_context():
        assert _thread(app).deleted_at is not None
    assert "in de prullenbak" in client.get(show_url).get_data(as_text=True)
    post(client, f"{show_url}/restore", token_from=show_url)
    with app.test_request_context():
        assert _thread(app).deleted_at is None


def _node(node_id: int, highlight: bool) -> MapNode:
    return MapNode(id=node_id, kind="effect", title=f"E{node_id}", date_label="2024",
                   period="2024", order=1, intended=True, valence="positive", codes=[],
                   url="", tooltip="", highlight=highlight)


def test_renderer_draws_highlights_with_width_and_a_double_border():
    ripple_map = RippleMap(title="t", centre_label="c", nodes=[_node(1, True), _node(2, False)],
                           edges=[MapEdge(1, 2, highlight=True), MapEdge(2, 1)],
                           periods=["2024"])
    for layout in ("timeline", "radial"):
        dot = renderer.to_dot(ripple_map, layout)
        assert re.search(r"item1 \[[^\]]*peripheries=2", dot)
        assert re.search(r"item1 \[[^\]]*penwidth=4", dot)
        assert not re.search(r"item2 \[[^\]]*peripheries", dot)
        assert "item1 -> item2 [class=highlight" in dot
        # Not highlighted (and, in one column against the date order, not constraining it).
        assert re.search(r'item2 -> item1 \[(constraint=false )?id="link-2-1"'
                         r'( pos="[^"]*")?\]\n', dot)
