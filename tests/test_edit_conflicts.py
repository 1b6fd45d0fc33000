"""Two people edit the same item: the conflict screen shows every field that differs
(valence, intended, codes, dates, causes, not only title and description), marks them, and
a second "Opslaan" never silently puts back what the other person changed. The item's own
form and the map's side panel share the comparison (ripples.conflicts)."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

from rem.accounts.models import Role
from rem.codes.services import code_by_qualified_slug
from rem.extensions import db
from rem.ripples import conflicts, services
from rem.ripples.models import Kind, RippleItem
from tests import factories
from tests.conftest import csrf_token, login

HTMX = {"HX-Request": "true"}


class _FormValues(HTMLParser):
    """The values a browser would send for the first form that holds ``base``."""

    def __init__(self):
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._first: str | None = None  # a select without a selected option sends its first
        self._chosen = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.pairs.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.pairs.append((self._textarea, ""))
        elif tag == "select":
            self._select, self._first, self._chosen = a.get("name"), None, False
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value") or ""
            if "selected" in a:
                self._chosen = True
                self.pairs.append((self._select, a.get("value") or ""))

    def handle_data(self, data):
        if self._textarea is not None:
            name, text = self.pairs[-1]
            self.pairs[-1] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            name, text = self.pairs[-1]  # a browser drops the newline right after <textarea>
            self.pairs[-1] = (name, text[2:] if text.startswith("\r\n") else
                              text[1:] if text.startswith("\n") else text)
            self._textarea = None
        elif tag == "select":
            if not self._chosen and self._first is not None:
                self.pairs.append((self._select, self._first))
            self._select = None


def form_values(html: str) -> dict[str, list[str]]:
    form = next(f for f in re.findall(r"<form\b.*?</form>", html, re.S) if 'name="base"' in f)
    parser = _FormValues()
    parser.feed(form)
    values: dict[str, list[str]] = {}
    for name, value in parser.pairs:
        values.setdefault(name, []).append(value)
    return values


def _world(app) -> dict:
    with app.app_context():
        collab = factories.CollaborationFactory(slug="dorp")
        for email in ("anna@example.org", "bram@example.org"):
            user = factories.UserFactory(email=email)
            factories.MembershipFactory(user=user, collaboration_id=collab.id,
                                        role=Role.FACILITATOR.value)
        markt = factories.ActivityFactory(collaboration=collab, title="Inspiratiemarkt",
                                          date_start=date(2024, 4, 1))
        avond = factories.ActivityFactory(collaboration=collab, title="Buurtavond",
                                          date_start=date(2024, 5, 1))
        effect = factories.EffectFactory(collaboration=collab, title="Buren kennen elkaar",
                                         date_start=date(2024, 6, 1), intended=True,
                                         valence="positive", description="Eerste tekst")
        services.add_link(markt, effect)
        db.session.commit()
        return {"markt": markt.id, "avond": avond.id, "effect": effect.id,
                "sleutel": code_by_qualified_slug("borging:sleutelpersonen").id}


def _submit(client, url, values: dict[str, list[str]], **changes):
    data = {**values, **{k: v if isinstance(v, list) else [v] for k, v in changes.items()}}
    data["csrf_token"] = [csrf_token(client, url)]
    return client.post(url, data=data)


def _rows(html: str) -> dict[str, tuple[str, str, str]]:
    """Field label -> (saved, yours, kept) of the conflict table."""
    found = {}
    for kept, label, saved, yours in re.findall(
            r'<tr class="conflict-(\w+)">\s*<th scope="row">([^<]+)</th>\s*'
            r'<td[^>]*><mark class="conflict-value">([^<]*)</mark></td>\s*'
            r'<td[^>]*><mark class="conflict-value">([^<]*)</mark></td>', html):
        found[label] = (saved, yours, kept)
    return found


def test_every_differing_field_is_shown_and_a_second_save_keeps_their_changes(app):
    ids = _world(app)
    anna, bram = app.test_client(), app.test_client()
    login(anna, "anna@example.org")
    login(bram, "bram@example.org")
    url = f"/collaborations/dorp/items/{ids['effect']}/edit"
    annas_form = form_values(anna.get(url).get_data(as_text=True))
    brams_form = form_values(bram.get(url).get_data(as_text=True))
    assert annas_form["base"][0] and annas_form["causes_shown"] == ["1"]
    # Bram changes the valence, intention, date, codes and causes; not the title.
    saved = _submit(bram, url, brams_form, valence="negative", intended="no",
                    date_value="2024-07-15", codes=[str(ids["sleutel"])],
                    causes=[str(ids["markt"]), str(ids["avond"])])
    assert saved.status_code == 302
    # Anna, on the old version, changes the title and the description.
    refused = _submit(anna, url, annas_form, title="Buren helpen elkaar",
                      description="Annas tekst")
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    rows = _rows(html)
    assert set(rows) == {"Titel", "Beschrijving", "Datum", "Bedoeld?", "Hoe was het?", "Codes",
                         "Kwam voort uit"}
    assert rows["Titel"] == ("Buren kennen elkaar", "Buren helpen elkaar", "yours")
    assert rows["Hoe was het?"] == ("Negatief", "Positief", "theirs")
    assert rows["Bedoeld?"] == ("Nee, onbedoeld", "Ja, bedoeld", "theirs")
    assert rows["Datum"] == ("juli 2024", "juni 2024", "theirs")  # month precision
    assert rows["Codes"][0] == "Sleutelpersonen" and rows["Codes"][2] == "theirs"
    assert rows["Kwam voort uit"] == ("Buurtavond; Inspiratiemarkt", "Inspiratiemarkt",
                                      "theirs")
    assert "7 velden verschillen" in html
    # The form now holds Anna's title and text and Bram's other changes, and the newer
    # version: pressing "Opslaan" again saves both, and puts nothing of Bram's back.
    again = form_values(html)
    assert again["title"] == ["Buren helpen elkaar"] and again["valence"] == ["negative"]
    assert again["intended"] == ["no"] and again["date_value"] == ["2024-07-01"]
    assert sorted(again["causes"]) == sorted([str(ids["markt"]), str(ids["avond"])])
    assert again["codes"] == [str(ids["sleutel"])]
    assert _submit(anna, url, again).status_code == 302
    with app.app_context():
        item = db.session.get(RippleItem, ids["effect"])
        assert (item.title, item.description, item.valence, item.intended) == (
            "Buren helpen elkaar", "Annas tekst", "negative", False)
        assert item.date_start == date(2024, 7, 1)
        assert [c.id for c in item.codes] == [ids["sleutel"]]
        assert conflicts.live_cause_ids(item) == sorted([ids["markt"], ids["avond"]])


def test_a_field_both_changed_is_marked_and_the_typed_value_kept(app):
    ids = _world(app)
    anna, bram = app.test_client(), app.test_client()
    login(anna, "anna@example.org")
    login(bram, "bram@example.org")
    url = f"/collaborations/dorp/items/{ids['effect']}/edit"
    annas_form = form_values(anna.get(url).get_data(as_text=True))
    assert _submit(bram, url, form_values(bram.get(url).get_data(as_text=True)),
                   valence="negative").status_code == 302
    html = _submit(anna, url, annas_form, valence="mixed").get_data(as_text=True)
    assert _rows(html) == {"Hoe was het?": ("Negatief", "Gemengd", "both")}
    assert form_values(html)["valence"] == ["mixed"]
    # A form without a fingerprint (an older page): every difference, the typed values kept.
    annas_form.pop("base")
    stale = {**annas_form, "version": ["1"]}
    html = _submit(anna, url, stale, title="Zonder basis").get_data(as_text=True)
    rows = _rows(html)
    assert rows["Titel"][2] == "yours" and rows["Hoe was het?"] == ("Negatief", "Positief",
                                                                  "yours")


def test_the_map_panel_uses_the_same_comparison(app):
    ids = _world(app)
    anna, bram = app.test_client(), app.test_client()
    login(anna, "anna@example.org")
    login(bram, "bram@example.org")
    panel_url = f"/collaborations/dorp/map/items/{ids['effect']}"
    panel = anna.get(panel_url, headers=HTMX).get_data(as_text=True)
    values = form_values(panel)
    assert set(values) >= {"base", "version", "title", "valence"}
    url = f"/collaborations/dorp/items/{ids['effect']}/edit"
    assert _submit(bram, url, form_values(bram.get(url).get_data(as_text=True)),
                   valence="negative", evidence_text="Tien nieuwe contacten").status_code == 302
    data = {**values, "title": ["Buren helpen elkaar"],
            "csrf_token": [csrf_token(anna, "/collaborations/dorp/map")]}
    refused = anna.post(f"/collaborations/dorp/map/items/{ids['effect']}/edit", data=data,
                        headers=HTMX)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert _rows(html) == {"Titel": ("Buren kennen elkaar", "Buren helpen elkaar", "yours"),
                           "Hoe was het?": ("Negatief", "Positief", "theirs")}
    again = form_values(html)
    assert again["valence"] == ["negative"] and again["title"] == ["Buren helpen elkaar"]
    again["csrf_token"] = data["csrf_token"]
    saved = anna.post(f"/collaborations/dorp/map/items/{ids['effect']}/edit", data=again,
                      headers=HTMX)
    assert saved.status_code == 200
    with app.app_context():
        item = db.session.get(RippleItem, ids["effect"])
        assert (item.title, item.valence, item.evidence_text) == (
            "Buren helpen elkaar", "negative", "Tien nieuwe contacten")


def test_compare_without_a_change_lists_nothing(ctx):
    collab = factories.CollaborationFactory()
    item = factories.EffectFactory(collaboration=collab, title="Zelfde", valence=None)
    values = conflicts.item_values(item)
    base = conflicts.fingerprint(values)
    data = services.ItemInput(title="Zelfde", when=item.when, description=item.description,
                              visibility=item.visibility, intended=item.intended,
                              noticed_by=item.noticed_by, evidence_kind=item.evidence_kind,
                              evidence_text=item.evidence_text or "",
                              evidence_url=item.evidence_url or "")
    assert conflicts.compare(values, conflicts.input_values(Kind.EFFECT, data, []), base) == (
        [], {})
