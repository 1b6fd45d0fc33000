"""Issue 19, item 1: "bedoeld?" and "waardering" start unanswered everywhere an effect is
made (the form, the map panel, accepting a story); "Weet ik niet" (to both questions)
are real answers (stored empty); an effect added by its title alone on the map outline is
"not asked yet" and the panel and the form ask; an imported effect without a valence stays
editable."""

from __future__ import annotations

import io
import json
import re
import zipfile

import sqlalchemy as sa

from rem.extensions import db
from rem.ripples.models import Effect, RippleItem
from tests.conftest import csrf_token, login, post
from tests.test_import_end_to_end import RIPPLEFX_NODES, RIPPLEFX_RELS, _import, _items
from tests.test_import_end_to_end import _world as _import_world
from tests.test_live_sessions import _accept_data, _send, _stories, running  # noqa: F401
from tests.test_map_workspace import (
    MAP,
    _item,
    _map_cache,  # noqa: F401 - its own render cache
    _post,
    _world,
)
from tests.test_ripple_pages import _effect_form, _facilitator_world


def _checked(html: str, name: str) -> list[str]:
    """The values of the checked radio buttons called ``name``."""
    found = []
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and 'type="radio"' in tag and re.search(r"\bchecked\b", tag):
            found.append(re.search(r'value="([^"]*)"', tag).group(1))
    return found


def _form_values(html: str) -> dict:
    """What a browser would send for the first form with a title: text inputs, selects'
    chosen options, checked radios and check boxes, text areas."""
    form = html.split('name="title"', 1)[0].rsplit("<form", 1)[1] + html.split(
        'name="title"', 1)[1].split("</form>", 1)[0]
    values: dict = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name:
            continue
        kind = (re.search(r'type="([^"]*)"', tag) or [None, "text"])[1]
        if kind in ("radio", "checkbox") and not re.search(r"\bchecked\b", tag):
            continue
        values.setdefault(name.group(1), []).append(value.group(1) if value else "")
    for name, body in re.findall(r'<select[^>]*name="([^"]*)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.findall(r'<option[^>]*value="([^"]*)"[^>]*selected', body) or \
            re.findall(r'<option[^>]*value="([^"]*)"', body)[:1]
        values[name] = chosen[:1]
    for name, body in re.findall(r'<textarea[^>]*name="([^"]*)"[^>]*>(.*?)</textarea>', form,
                                 re.S):
        values[name] = [body.strip()]
    return {k: v if len(v) > 1 else v[0] for k, v in values.items()}


# --- the effect form -----------------------------------------------------------------------


def test_the_new_effect_form_starts_unanswered_and_requires_a_choice(app, client):
    _facilitator_world(app)
    login(client, "fac@example.org")
    page = client.get("/collaborations/dorp/effects/new").get_data(as_text=True)
    assert _checked(page, "intended") == [] and _checked(page, "valence") == []
    # "Weet ik niet" is an answer to both questions (plain words, no "waardering").
    assert page.count("Weet ik niet") == 2 and "aardering" not in page
    data = _effect_form(title="Zonder keuze")
    del data["intended"], data["valence"]
    r = post(client, "/collaborations/dorp/effects/new", data)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Kies of dit bedoeld was" in body
    assert "Kies hoe het was" in body
    with app.app_context():
        assert db.session.scalar(sa.select(Effect).where(Effect.title == "Zonder keuze")) is None
    r = post(client, "/collaborations/dorp/effects/new",
             _effect_form(title="Niet bekend", intended="unknown", valence="unknown"))
    assert r.status_code == 302
    with app.app_context():
        effect = db.session.scalar(sa.select(Effect).where(Effect.title == "Niet bekend"))
        assert (effect.intended, effect.valence, effect.unanswered) == (None, None, False)
    # Editing it shows the answers given, so a title change alone saves.
    page = client.get(f"/collaborations/dorp/items/{effect.id}/edit").get_data(as_text=True)
    assert _checked(page, "intended") == ["unknown"] and _checked(page, "valence") == ["unknown"]


def test_an_imported_effect_without_valence_stays_editable(app):
    _import_world(app)
    client = app.test_client()
    login(client, "rita@example.org")
    _import(client, "ripplefx", [("nodes.csv", RIPPLEFX_NODES.encode()),
                                 ("relationships.csv", RIPPLEFX_RELS.encode())], 3)
    effect_id = _items(app)["Dorpsondersteuner structureel betaald"]
    with app.app_context():
        effect = db.session.get(RippleItem, effect_id)
        assert effect.kind == "effect" and effect.valence is None and effect.intended is None
    url = f"/collaborations/achterveld/items/{effect_id}/edit"
    values = _form_values(client.get(url).get_data(as_text=True))
    assert values["valence"] == "unknown" and values["intended"] == "unknown"
    values["title"] = "Dorpsondersteuner structureel betaald uit SPUK"
    r = client.post(url, data=values)
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    assert "Ongeldige keuze" not in r.get_data(as_text=True)
    with app.app_context():
        effect = db.session.get(RippleItem, effect_id)
        assert effect.title == "Dorpsondersteuner structureel betaald uit SPUK"
        assert (effect.intended, effect.valence) == (None, None)


# --- the map panel and the outline ---------------------------------------------------------


def test_a_title_only_effect_from_the_outline_is_not_yet_answered_and_the_panel_asks(app,
                                                                                    client):
    ids = _world(app)
    login(client, "fac@example.org")
    # What static/js/map-outline.js sends: kind, title, precision, causes; nothing else.
    r = _post(client, f"{MAP}/items", {"kind": "effect", "title": "Buren helpen elkaar",
                                       "date_precision": "month",
                                       "causes": [str(ids["netwerk"])]})
    assert r.status_code == 200
    with app.app_context():
        new = db.session.scalar(sa.select(Effect).where(Effect.title == "Buren helpen elkaar"))
        assert (new.intended, new.valence, new.unanswered) == (None, None, True)
        new_id = new.id
    panel = client.get(f"{MAP}/items/{new_id}", headers={"HX-Request": "true"})
    html = panel.get_data(as_text=True)
    assert "Nog niet beantwoord" in html
    edit = html.split('data-section="edit"', 1)[1].split("</details>", 1)[0]
    assert " open" in html.split('data-section="edit"', 1)[1][:10]  # the edit part is open
    assert _checked(edit, "intended") == [] and _checked(edit, "valence") == []
    # The outline text and the tooltip say so too.
    outline = client.get(MAP).get_data(as_text=True)
    assert "nog niet gevraagd: bedoeld? hoe was het?" in outline
    # Saving the panel without answering is refused; answering clears the mark.
    base = {"title": "Buren helpen elkaar", "version": "1", "date_value": "2024-02-01",
            "date_precision": "month", "description": ""}
    r = _post(client, f"{MAP}/items/{new_id}/edit", base)
    assert r.status_code == 422 and "Kies of dit bedoeld was" in r.get_data(as_text=True)
    assert _item(app, new_id).unanswered is True
    r = _post(client, f"{MAP}/items/{new_id}/edit",
              {**base, "intended": "no", "valence": "unknown"})
    assert r.status_code == 200
    item = _item(app, new_id)
    assert (item.intended, item.valence, item.unanswered) == (False, None, False)


def test_the_panel_add_form_starts_unanswered_and_requires_both(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    html = client.get(f"{MAP}/items/{ids['netwerk']}", headers={"HX-Request": "true"}
                      ).get_data(as_text=True)
    add = html.split('data-section="add"', 1)[1].split("</details>", 1)[0]
    assert 'name="ask_answers"' in add
    assert _checked(add, "intended") == [] and _checked(add, "valence") == []
    assert add.count("Weet ik niet") == 2
    new = client.get(f"{MAP}/new?kind=effect", headers={"HX-Request": "true"}
                     ).get_data(as_text=True)
    assert 'name="ask_answers"' in new and _checked(new, "valence") == []
    asked = {"kind": "effect", "title": "Gevraagd", "ask_answers": "1", "origin": ids["netwerk"],
             "causes": [str(ids["netwerk"])], "intended": "yes"}
    r = _post(client, f"{MAP}/items", asked)
    assert r.status_code == 422 and "Kies hoe het was" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Effect).where(Effect.title == "Gevraagd")) is None
    r = _post(client, f"{MAP}/items", {**asked, "valence": "negative"})
    assert r.status_code == 200
    with app.app_context():
        made = db.session.scalar(sa.select(Effect).where(Effect.title == "Gevraagd"))
        assert (made.intended, made.valence, made.unanswered) == (True, "negative", False)


def test_the_full_form_asks_for_a_not_yet_answered_effect(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    _post(client, f"{MAP}/items", {"kind": "effect", "title": "Snel getypt",
                                   "causes": [str(ids["netwerk"])]})
    with app.app_context():
        new_id = db.session.scalar(sa.select(Effect.id).where(Effect.title == "Snel getypt"))
    page = client.get(f"/collaborations/dorp/items/{new_id}/edit").get_data(as_text=True)
    assert "met alleen een titel toegevoegd" in page
    assert _checked(page, "intended") == [] and _checked(page, "valence") == []


# --- accepting a story -----------------------------------------------------------------------


def test_accepting_a_story_asks_what_the_participant_left_open(app, client, running):  # noqa: F811
    _send(running["participant"], running["code"], "Buren koken nu samen",
          intended="", valence="")
    (story,) = _stories(app)
    url = f"{running['base']}/stories/{story.id}/accept"
    page = client.get(url).get_data(as_text=True)
    assert _checked(page, "intended") == [] and _checked(page, "valence") == []
    data = _accept_data(title="Buren koken samen")
    del data["intended"], data["valence"]
    r = post(client, url, data, token_from=url)
    assert r.status_code == 200 and "Kies of dit bedoeld was" in r.get_data(as_text=True)
    assert _stories(app)[0].status == "new"
    r = post(client, url, _accept_data(title="Buren koken samen", intended="unknown",
                                       valence="unknown"), token_from=url)
    assert r.status_code == 302
    with app.app_context():
        effect = db.session.scalar(sa.select(Effect).where(Effect.title == "Buren koken samen"))
        assert (effect.intended, effect.valence) == (None, None)


def test_what_the_participant_answered_is_filled_in(app, client, running):  # noqa: F811
    _send(running["participant"], running["code"], "Meer contact", intended="no",
          valence="negative")
    (story,) = _stories(app)
    page = client.get(f"{running['base']}/stories/{story.id}/accept").get_data(as_text=True)
    assert _checked(page, "intended") == ["no"] and _checked(page, "valence") == ["negative"]


# --- exports and imports ---------------------------------------------------------------------


def test_not_yet_answered_travels_through_a_rem_json_export_and_import(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    _post(client, f"{MAP}/items", {"kind": "effect", "title": "Onbeantwoord",
                                   "causes": [str(ids["netwerk"])]})
    response = post(client, "/collaborations/dorp/export", {"scope": "collaboration",
                                                             "format": "json"},
                    token_from="/collaborations/dorp/export")
    assert response.status_code == 200
    raw = response.data
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            raw = archive.read(next(n for n in archive.namelist() if n.endswith(".json")))
    document = json.loads(raw)
    items = {item["title"]: item for item in document["items"]}
    assert items["Onbeantwoord"]["unanswered"] is True
    assert items["Sterker netwerk"]["unanswered"] is False
    assert items["Inspiratiemarkt"]["unanswered"] is None
    # Into another collaboration: the mark comes along.
    url = "/collaborations/elders/import"
    client = app.test_client()
    login(client, "other@example.org")
    data = {"csrf_token": csrf_token(client, url), "format": "json",
            "file": (io.BytesIO(json.dumps(document).encode()), "rem.json")}
    preview = client.post(url, data=data, content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html[-600:]
    token = html.split('name="token" value="', 1)[1].split('"', 1)[0]
    done = client.post(url + "/confirm", data={"csrf_token": csrf_token(client, url),
                                               "token": token, "action": "import"})
    assert done.status_code == 200 and "Klaar" in done.get_data(as_text=True), \
        done.get_data(as_text=True)[-1500:]
    with app.app_context():
        imported = db.session.scalars(sa.select(Effect).where(
            Effect.title == "Onbeantwoord")).all()
        assert sorted(e.unanswered for e in imported) == [True, True]
