"""Built-in codebooks and codes speak the reader's language; own wording stays as written;
exports keep the stored Dutch."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask_babel import force_locale

from rem.accounts.models import Role, User
from rem.codes.defaults import DEFAULT_CODEBOOKS
from rem.codes.models import Code, Codebook
from rem.codes.services import code_by_qualified_slug, code_choices
from rem.extensions import db
from tests import factories
from tests.conftest import login, post
from tests.test_translations import _compile_catalogues


def _world(app, locale: str) -> dict:
    _compile_catalogues(app)
    with app.app_context():
        collab = factories.CollaborationFactory(slug="dorp", name="Dorp")
        user = factories.UserFactory(email="fac@example.org", locale=locale)
        db.session.flush()
        factories.MembershipFactory(user=user, collaboration_id=collab.id,
                                    role=Role.FACILITATOR.value)
        effect = factories.EffectFactory(collaboration=collab, title="Buren kennen elkaar",
                                         visibility="network")
        effect.codes = [code_by_qualified_slug("borging:sleutelpersonen"),
                        code_by_qualified_slug("community-capitals:sociaal")]
        db.session.commit()
        return {"effect": effect.id}


def test_every_builtin_text_has_english(app):
    _compile_catalogues(app)
    with app.test_request_context(), force_locale("en"):
        books = db.session.scalars(sa.select(Codebook).where(Codebook.builtin)).all()
        assert len(books) == len(DEFAULT_CODEBOOKS)
        same = []
        for book in books:
            pairs = [(book.name, book.label), (book.description, book.hint)]
            pairs += [(c.name, c.label) for c in book.codes]
            pairs += [(c.description, c.hint) for c in book.codes]
            same += [dutch for dutch, english in pairs if dutch == english]
        # Community Capitals is an English term already; every other text changes.
        assert same == [], same


def test_codebook_pages_in_english_and_dutch(app, client):
    _world(app, "en")
    login(client, "fac@example.org")
    page = client.get("/codebooks/borging").get_data(as_text=True)
    assert "<h1>Borging strategies</h1>" in page
    assert "Key persons" in page and "village supporter" in page
    assert "Sleutelpersonen" not in page
    index = client.get("/codebooks/").get_data(as_text=True)
    assert "Working elements" in index and "Werkzame elementen" not in index
    help_page = client.get("/help/").get_data(as_text=True)
    assert "Anchoring in policy" in help_page

    post(client, "/language", {"locale": "nl", "next": "/"})
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(
            User.email == "fac@example.org"))
        assert user.locale == "nl"
    page = client.get("/codebooks/borging").get_data(as_text=True)
    assert "<h1>Borgingsstrategieën</h1>" in page and "Sleutelpersonen" in page
    assert "Key persons" not in page


def test_tags_choices_filters_and_map_in_english(app, client):
    ids = _world(app, "en")
    login(client, "fac@example.org")
    item = client.get(f"/collaborations/dorp/items/{ids['effect']}").get_data(as_text=True)
    assert ">Key persons</li>" in item and ">Social capital</li>" in item
    assert 'title="Borging strategies: People who connect' in item
    form = client.get(f"/collaborations/dorp/items/{ids['effect']}/edit").get_data(as_text=True)
    assert "<summary>Borging strategies</summary>" in form
    assert "Financial sustainability" in form and "Financiële duurzaamheid" not in form
    map_page = client.get("/collaborations/dorp/map").get_data(as_text=True)
    assert '<optgroup label="Community Capitals">' in map_page
    assert "Codes: Key persons, Social capital" in map_page  # the node's tooltip
    search = client.get("/search").get_data(as_text=True)
    assert "Raising awareness" in search
    with app.test_request_context(), force_locale("en"):
        labels = {str(c.label) for c in code_choices()}
        groups = {str(c.optgroup) for c in code_choices()}
    assert {"Key persons", "Diversity"} <= labels and "Governance styles" in groups


def test_own_wording_is_shown_as_written(app, client):
    ids = _world(app, "en")
    with app.app_context():
        code = code_by_qualified_slug("borging:sleutelpersonen")
        code.name = "Trekkers"
        book = db.session.scalar(sa.select(Codebook).where(Codebook.slug == "borging"))
        book.description = "Onze eigen uitleg."
        own = Codebook(slug="eigen", name="Participatiescan", description="Van ons",
                       builtin=False)
        db.session.add(own)
        db.session.flush()
        db.session.add(Code(codebook=own, slug="draagvlak", name="Draagvlak",
                            description="Eigen tekst"))
        db.session.commit()
    login(client, "fac@example.org")
    item = client.get(f"/collaborations/dorp/items/{ids['effect']}").get_data(as_text=True)
    assert ">Trekkers</li>" in item and "Key persons" not in item
    page = client.get("/codebooks/borging").get_data(as_text=True)
    assert "<h1>Borging strategies</h1>" in page and "Onze eigen uitleg." in page
    # A user's codebook whose words happen to match a built-in text is not translated.
    own_page = client.get("/codebooks/eigen").get_data(as_text=True)
    assert "<h1>Participatiescan</h1>" in own_page and "Draagvlak" in own_page


def test_exports_keep_the_stored_dutch(app, client):
    _world(app, "en")
    login(client, "fac@example.org")
    response = post(client, "/collaborations/dorp/export", {"format": "json",
                                                            "scope": "collaboration"},
                    token_from="/collaborations/dorp/export")
    assert response.status_code == 200, response.data[:300]
    doc = json.loads(response.data)
    books = {b["slug"]: b for b in doc["codebooks"]}
    assert books["borging"]["name"] == "Borgingsstrategieën"
    assert {c["name"] for c in books["borging"]["codes"]} == {"Sleutelpersonen"}


def test_a_code_and_a_button_that_share_a_dutch_word_each_get_their_own_english(app, client):
    """"Verbinden" is a hub service (Connecting) and a button (Connect): the button has its
    own context in the catalogue."""
    ids = _world(app, "en")
    with app.test_request_context(), force_locale("en"):
        assert code_by_qualified_slug("hub-diensten:verbinden").label == "Connecting"
    with app.app_context():
        collaboration = db.session.get(factories.EffectFactory._meta.model, ids["effect"]
                                       ).collaboration
        factories.ActivityFactory(collaboration=collaboration, title="Buurtavond")
        db.session.commit()
    login(client, "fac@example.org")
    page = client.get(f"/collaborations/dorp/items/{ids['effect']}").get_data(as_text=True)
    assert ">Connect</button>" in page
