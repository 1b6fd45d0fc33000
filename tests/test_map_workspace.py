"""The map as a workspace (rem/maps/workspace.py): the side panel and the changes made there,
the page polling itself, and the cause changes on the form pages. On SQLite and PostgreSQL.

Every change goes through ripples.services, so the cycle check, optimistic locking and the
bin work as on the form pages; these tests hold that from the workspace's side.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa

from rem.accounts.models import Role
from rem.audit.models import AuditEvent
from rem.codes.services import code_by_qualified_slug
from rem.extensions import db
from rem.ripples import services
from rem.ripples.models import RippleItem, RippleLink
from tests import factories
from tests.conftest import csrf_token, login

HTMX = {"HX-Request": "true"}
MAP = "/collaborations/dorp/map"


@pytest.fixture(autouse=True)
def _map_cache(app, tmp_path, monkeypatch):
    """Give every test its own render cache, away from the instance folder."""
    monkeypatch.setitem(app.config, "REM_MAP_CACHE_DIR", str(tmp_path / "map-cache"))


def _world(app) -> dict:
    """A small map (activity -> netwerk -> vrijwilligers), a facilitator and a member."""
    with app.app_context():
        collab = factories.CollaborationFactory(slug="dorp", name="Achterveld")
        other = factories.CollaborationFactory(slug="elders")
        for email, role, where in [("fac@example.org", Role.FACILITATOR, collab),
                                   ("member@example.org", Role.MEMBER, collab),
                                   ("other@example.org", Role.FACILITATOR, other)]:
            user = factories.UserFactory(email=email)
            factories.MembershipFactory(user=user, collaboration_id=where.id, role=role.value)
        markt = factories.ActivityFactory(collaboration=collab, title="Inspiratiemarkt",
                                          date_start=date(2023, 4, 1))
        netwerk = factories.EffectFactory(collaboration=collab, title="Sterker netwerk",
                                          date_start=date(2023, 6, 1),
                                          evidence_text="Tien nieuwe contacten")
        vrijwilligers = factories.EffectFactory(collaboration=collab,
                                                title="Vrijwilligers melden zich",
                                                date_start=date(2024, 2, 1))
        elders = factories.EffectFactory(collaboration=other, title="Elders gebeurd")
        services.add_link(markt, netwerk)
        link = services.add_link(netwerk, vrijwilligers)
        db.session.commit()
        return {"markt": markt.id, "netwerk": netwerk.id, "vrijwilligers": vrijwilligers.id,
                "elders": elders.id, "link": link.id}


def _post(client, path: str, data: dict | None = None, *, htmx: bool = True):
    payload = {"csrf_token": csrf_token(client, MAP), **(data or {})}
    return client.post(path, data=payload, headers=HTMX if htmx else {})


def _trigger(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger", "{}"))


def _links(app) -> set[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(RippleLink.cause_id, RippleLink.effect_id)
            .where(RippleLink.deleted_at.is_(None))).all()
        titles = dict(db.session.execute(sa.select(RippleItem.id, RippleItem.title)).all())
        return {(titles[a], titles[b]) for a, b in rows}


def _item(app, item_id: int) -> RippleItem:
    with app.app_context():
        item = db.session.get(RippleItem, item_id)
        db.session.expunge(item)
        return item


# --- reading -------------------------------------------------------------------------------------


def test_panel_shows_details_to_readers_and_actions_to_editors(app, client):
    ids = _world(app)
    login(client, "member@example.org")
    body = client.get(f"{MAP}/items/{ids['netwerk']}", headers=HTMX).get_data(as_text=True)
    assert "Sterker netwerk" in body and "Inspiratiemarkt" in body  # its cause
    assert "Vrijwilligers melden zich" in body  # what grew from it
    assert "1e rimpeling" in body
    assert "Naar de prullenbak" not in body and "Bewerken" not in body
    client.get("/logout")
    other = app.test_client()
    login(other, "fac@example.org")
    body = other.get(f"{MAP}/items/{ids['netwerk']}", headers=HTMX).get_data(as_text=True)
    for action in ("Effect toevoegen dat hieruit voortkwam", "Verbinden met een bestaand item",
                   "Bewerken", "Coderen", "Naar de prullenbak", "Pijl tekenen op de kaart"):
        assert action in body, action
    # The signature the page compares after every redraw: version, causes, effects.
    assert f'data-signature="1|{ids["markt"]}|{ids["vrijwilligers"]}"' in body


def test_panel_of_another_collaborations_item_is_not_found(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    assert client.get(f"{MAP}/items/{ids['elders']}").status_code == 404
    assert client.get(f"{MAP}/items/999999").status_code == 404


def test_map_page_carries_the_data_for_its_scripts_safely(app, client):
    ids = _world(app)
    with app.app_context():
        db.session.get(RippleItem, ids["vrijwilligers"]).title = "</script><b>x</b> & co"
        db.session.commit()
    login(client, "fac@example.org")
    body = client.get(MAP).get_data(as_text=True)
    raw = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', body,
                    re.DOTALL).group(1)
    assert "</script>" not in raw and "<b>" not in raw
    data = json.loads(raw)
    assert {node["id"] for node in data["nodes"]} == {ids["markt"], ids["netwerk"],
                                                       ids["vrijwilligers"]}
    assert [ids["markt"], ids["netwerk"]] in data["links"]
    assert all(node["version"] >= 1 for node in data["nodes"])


def test_the_map_polls_itself_and_gets_204_while_nothing_changed(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    page = client.get(MAP).get_data(as_text=True)
    tag = re.search(r'id="map-live"[^>]*data-tag="([0-9a-f]+)"', page).group(1)
    assert f"v={tag}" in page  # the poll URL
    assert client.get(f"{MAP}?v={tag}", headers=HTMX).status_code == 204
    # Without htmx the same URL is the page (a bookmark never gives an empty answer).
    assert client.get(f"{MAP}?v={tag}").status_code == 200
    _post(client, f"{MAP}/items", {"kind": "effect", "title": "Nieuw", "causes": ids["markt"]})
    fresh = client.get(f"{MAP}?v={tag}", headers=HTMX)
    assert fresh.status_code == 200
    assert "Nieuw" in fresh.get_data(as_text=True)
    new_tag = re.search(r'id="map-live"[^>]*data-tag="([0-9a-f]+)"',
                        fresh.get_data(as_text=True)).group(1)
    assert new_tag != tag


def test_state_tag_changes_with_codes_links_and_the_bin(app, client):
    ids = _world(app)
    login(client, "fac@example.org")

    def tag() -> str:
        page = client.get(MAP).get_data(as_text=True)
        return re.search(r'id="map-live"[^>]*data-tag="([0-9a-f]+)"', page).group(1)

    seen = [tag()]
    with app.app_context():
        item = db.session.get(RippleItem, ids["netwerk"])
        item.codes = [code_by_qualified_slug("borging:sleutelpersonen")]
        db.session.commit()
    seen.append(tag())
    _post(client, f"{MAP}/links/{ids['link']}/delete", {"origin": ids["netwerk"]})
    seen.append(tag())
    _post(client, f"{MAP}/items/{ids['vrijwilligers']}/delete")
    seen.append(tag())
    assert len(set(seen)) == len(seen)


def test_candidates_find_by_title_and_leave_out_what_cannot_be_linked(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    url = f"{MAP}/items/{ids['netwerk']}/candidates"
    # What it led to: only effects, not itself, not what it already led to.
    body = client.get(url, query_string={"direction": "effect"}).get_data(as_text=True)
    assert "Inspiratiemarkt" not in body and "Vrijwilligers melden zich" not in body
    # What it grew from: anything but its own causes and itself.
    body = client.get(url, query_string={"direction": "cause", "q": "melden"}).get_data(
        as_text=True)
    assert "Vrijwilligers melden zich" in body and "Inspiratiemarkt" not in body
    # A % is a character to look for, not a wildcard; other collaborations never show.
    body = client.get(url, query_string={"q": "%"}).get_data(as_text=True)
    assert "Geen item gevonden" in body
    body = client.get(url, query_string={"q": "Elders"}).get_data(as_text=True)
    assert "Elders gebeurd" not in body


# --- changing ------------------------------------------------------------------------------------


def test_add_an_effect_with_two_causes_from_the_panel(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    response = _post(client, f"{MAP}/items", {
        "kind": "effect", "title": "Dorpshuis blijft open", "date_value": "2024-05-10",
        "date_precision": "month", "intended": "no", "valence": "mixed",
        "causes": [ids["netwerk"], ids["vrijwilligers"]], "origin": ids["netwerk"]})
    assert response.status_code == 200
    event = _trigger(response)["rem-map-changed"]
    assert "Dorpshuis blijft open" in event["message"]
    new = _item(app, event["id"])
    assert (new.title, new.date_start, new.date_precision) == (
        "Dorpshuis blijft open", date(2024, 5, 1), "month")
    assert (new.intended, new.valence) == (False, "mixed")
    assert {("Sterker netwerk", "Dorpshuis blijft open"),
            ("Vrijwilligers melden zich", "Dorpshuis blijft open")} <= _links(app)
    assert "Dorpshuis blijft open" in response.get_data(as_text=True)  # its panel
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.entity_id.in_([event["id"]]) | (AuditEvent.entity_type == "link"))).all()
    assert "create" in actions and actions.count("link") >= 2


def test_a_title_is_enough_and_the_date_is_the_open_sessions(app, client):
    ids = _world(app)
    with app.app_context():
        from rem.collaborations.models import Collaboration
        from rem.workshops import services as sessions

        collab = db.session.scalar(sa.select(Collaboration).where(Collaboration.slug == "dorp"))
        sessions.create_workshop(collab, sessions.WorkshopInput(
            title="Sessie", held_on=date(2025, 3, 12), focus_question="Wat veranderde?"))
        db.session.commit()
    login(client, "fac@example.org")
    response = _post(client, f"{MAP}/items", {"title": "Alleen een titel",
                                              "causes": ids["markt"], "date_precision": "day"})
    new = _item(app, _trigger(response)["rem-map-changed"]["id"])
    assert (new.date_start, new.date_precision) == (date(2025, 3, 12), "day")
    assert (new.intended, new.valence) == (None, None)  # not known yet: said later


def test_a_new_activity_without_a_date_gets_today(app, client):
    _world(app)
    login(client, "fac@example.org")
    response = _post(client, f"{MAP}/items", {"kind": "activity", "title": "Buurtcafé",
                                              "date_precision": "month"})
    new = _item(app, _trigger(response)["rem-map-changed"]["id"])
    assert new.kind == "activity"
    assert new.date_start == date.today().replace(day=1)


def test_an_empty_or_too_long_title_is_refused_and_nothing_is_saved(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count(RippleItem.id)))
    for title in ("", "   ", "x" * 201):
        response = _post(client, f"{MAP}/items", {"title": title, "causes": ids["markt"],
                                                  "origin": ids["markt"]})
        assert response.status_code == 422
        assert "rem-map-refused" in _trigger(response)
        assert 'role="alert"' in response.get_data(as_text=True)
    # Without htmx: a message and back to the map, as the form pages do.
    response = _post(client, f"{MAP}/items", {"title": ""}, htmx=False)
    assert response.status_code == 302 and response.headers["Location"].endswith(MAP)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(RippleItem.id))) == before


def test_an_effect_cannot_be_in_the_future(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    response = _post(client, f"{MAP}/items", {"title": "Later", "causes": ids["markt"],
                                              "date_value": "2999-01-01",
                                              "date_precision": "day"})
    assert response.status_code == 422
    assert "toekomst" in response.get_data(as_text=True)


def test_a_link_that_would_make_a_circle_is_refused(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    response = _post(client, f"{MAP}/links", {"cause_id": ids["vrijwilligers"],
                                              "effect_id": ids["netwerk"],
                                              "origin": ids["vrijwilligers"]})
    assert response.status_code == 422
    assert "kring" in _trigger(response)["rem-map-refused"]["message"]
    assert ("Vrijwilligers melden zich", "Sterker netwerk") not in _links(app)
    # An activity never grows from something; a link twice is refused too.
    for cause, effect in [(ids["netwerk"], ids["markt"]), (ids["markt"], ids["netwerk"])]:
        response = _post(client, f"{MAP}/links", {"cause_id": cause, "effect_id": effect})
        assert response.status_code == 422


def test_a_link_is_made_on_the_map_and_taken_away_again(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    response = _post(client, f"{MAP}/links", {"cause_id": ids["markt"],
                                              "effect_id": ids["vrijwilligers"],
                                              "origin": ids["markt"]})
    assert response.status_code == 200
    assert _trigger(response)["rem-map-changed"]["id"] == ids["vrijwilligers"]
    assert ("Inspiratiemarkt", "Vrijwilligers melden zich") in _links(app)
    with app.app_context():
        link_id = db.session.scalar(sa.select(RippleLink.id).where(
            RippleLink.cause_id == ids["markt"], RippleLink.effect_id == ids["vrijwilligers"]))
    response = _post(client, f"{MAP}/links/{link_id}/delete", {"origin": ids["markt"]})
    assert response.status_code == 200
    assert ("Inspiratiemarkt", "Vrijwilligers melden zich") not in _links(app)
    assert _post(client, f"{MAP}/links/{link_id}/delete").status_code == 404


def test_items_of_another_collaboration_cannot_be_linked(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    response = _post(client, f"{MAP}/links", {"cause_id": ids["netwerk"],
                                              "effect_id": ids["elders"]})
    assert response.status_code == 404
    assert ("Sterker netwerk", "Elders gebeurd") not in _links(app)


def test_an_edit_on_a_stale_version_is_refused_and_both_versions_are_shown(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    first = _post(client, f"{MAP}/items/{ids['netwerk']}/edit", {
        "title": "Sterker netwerk in het dorp", "version": "1", "date_value": "2023-06-01",
        "date_precision": "month", "description": "", "intended": "yes",
        "valence": "positive"})
    assert first.status_code == 200
    late = _post(client, f"{MAP}/items/{ids['netwerk']}/edit", {
        "title": "Netwerk (mijn versie)", "version": "1", "date_value": "2023-06-01",
        "date_precision": "month", "description": "Mijn tekst"})
    assert late.status_code == 409
    body = late.get_data(as_text=True)
    assert "Sterker netwerk in het dorp" in body and "Netwerk (mijn versie)" in body
    assert 'name="version" value="2"' in body  # saving again replaces theirs, knowingly
    item = _item(app, ids["netwerk"])
    assert (item.title, item.version) == ("Sterker netwerk in het dorp", 2)
    # The quick edit changed only its own fields: the evidence is still there.
    assert item.evidence_text == "Tien nieuwe contacten"


def test_codes_are_set_with_the_version_check(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    with app.app_context():
        code = code_by_qualified_slug("borging:sleutelpersonen").id
    response = _post(client, f"{MAP}/items/{ids['markt']}/codes",
                     {"codes": [code], "version": "1"})
    assert response.status_code == 200
    with app.app_context():
        item = db.session.get(RippleItem, ids["markt"])
        assert [c.id for c in item.codes] == [code]
    assert _post(client, f"{MAP}/items/{ids['markt']}/codes",
                 {"codes": [], "version": "1"}).status_code == 409


def test_the_bin_from_the_panel_and_back(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    response = _post(client, f"{MAP}/items/{ids['netwerk']}/delete")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "prullenbak" in body and "Terugzetten" in body
    assert _item(app, ids["netwerk"]).deleted_at is not None
    page = client.get(MAP).get_data(as_text=True)
    assert f'id="item-{ids["netwerk"]}"' not in page.replace("&#45;", "-")
    # Links stay, hidden, and come back with the item.
    assert _post(client, f"{MAP}/items/{ids['netwerk']}/restore").status_code == 200
    assert _item(app, ids["netwerk"]).deleted_at is None
    assert {("Inspiratiemarkt", "Sterker netwerk"),
            ("Sterker netwerk", "Vrijwilligers melden zich")} <= _links(app)
    # A binned item cannot be changed from the panel.
    _post(client, f"{MAP}/items/{ids['netwerk']}/delete")
    assert _post(client, f"{MAP}/items/{ids['netwerk']}/edit",
                 {"title": "x", "version": "3"}).status_code == 404


def test_members_and_other_facilitators_change_nothing(app, client):
    ids = _world(app)
    for email in ("member@example.org", "other@example.org"):
        person = app.test_client()
        login(person, email)
        token = csrf_token(person, "/")
        for path, data in [(f"{MAP}/items", {"title": "x"}),
                           (f"{MAP}/links", {"cause_id": ids["markt"],
                                             "effect_id": ids["vrijwilligers"]}),
                           (f"{MAP}/items/{ids['netwerk']}/delete", {})]:
            response = person.post(path, data={"csrf_token": token, **data}, headers=HTMX)
            assert response.status_code == 403, (email, path)
    assert _item(app, ids["netwerk"]).deleted_at is None


def test_a_change_without_its_csrf_token_is_refused(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    response = client.post(f"{MAP}/items/{ids['netwerk']}/delete", headers=HTMX)
    assert response.status_code == 400
    assert _item(app, ids["netwerk"]).deleted_at is None


# --- causes on the form pages ------------------------------------------------------------------


def _edit_form(client, item_id: int) -> dict:
    body = client.get(f"/collaborations/dorp/items/{item_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', body)
    version = version or re.search(r'value="(\d+)"[^>]*name="version"', body)
    checked = re.findall(r'name="causes" value="(\d+)" checked', body)
    return {"body": body, "version": version.group(1), "causes": [int(c) for c in checked]}


def test_causes_change_on_the_edit_form(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    form = _edit_form(client, ids["vrijwilligers"])
    assert form["causes"] == [ids["netwerk"]]
    base = {"title": "Vrijwilligers melden zich", "date_value": "2024-02-01",
            "date_precision": "month", "visibility": "collaboration", "intended": "yes",
            "valence": "positive", "noticed_by": "", "evidence_kind": "",
            "causes_shown": "1", "version": form["version"]}
    response = _post(client, f"/collaborations/dorp/items/{ids['vrijwilligers']}/edit",
                     {**base, "causes": [ids["markt"]]}, htmx=False)
    assert response.status_code == 302
    assert ("Inspiratiemarkt", "Vrijwilligers melden zich") in _links(app)
    assert ("Sterker netwerk", "Vrijwilligers melden zich") not in _links(app)
    # A cause that would make a circle: refused, and nothing of the save is kept.
    form = _edit_form(client, ids["netwerk"])
    base.update(title="Netwerk met kring", version=form["version"])
    with app.app_context():
        services.add_link(db.session.get(RippleItem, ids["netwerk"]),
                          db.session.get(RippleItem, ids["vrijwilligers"]))
        db.session.commit()
    response = _post(client, f"/collaborations/dorp/items/{ids['netwerk']}/edit",
                     {**base, "causes": [ids["markt"], ids["vrijwilligers"]]}, htmx=False)
    assert response.status_code == 200 and "kring" in response.get_data(as_text=True)
    assert _item(app, ids["netwerk"]).title == "Sterker netwerk"
    # A form without the causes (a script, an older page) keeps them as they are.
    form = _edit_form(client, ids["vrijwilligers"])
    base.pop("causes_shown")
    base.update(title="Vrijwilligers melden zich", version=form["version"])
    response = _post(client, f"/collaborations/dorp/items/{ids['vrijwilligers']}/edit",
                     base, htmx=False)
    assert response.status_code == 302
    assert ("Inspiratiemarkt", "Vrijwilligers melden zich") in _links(app)


def test_an_item_page_adds_an_existing_effect_it_led_to(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    page = client.get(f"/collaborations/dorp/items/{ids['markt']}").get_data(as_text=True)
    assert "Leidde (ook) tot" in page
    response = _post(client, f"/collaborations/dorp/items/{ids['markt']}/effects",
                     {"effect_id": ids["vrijwilligers"]}, htmx=False)
    assert response.status_code == 302
    assert ("Inspiratiemarkt", "Vrijwilligers melden zich") in _links(app)
    # The other way round would be a circle.
    response = _post(client, f"/collaborations/dorp/items/{ids['vrijwilligers']}/effects",
                     {"effect_id": ids["netwerk"]}, htmx=False)
    assert response.status_code == 302
    assert ("Vrijwilligers melden zich", "Sterker netwerk") not in _links(app)
