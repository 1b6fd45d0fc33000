"""Hubs and collaborations: creating, editing and their messages."""

import sqlalchemy as sa

from rem.accounts.models import Role
from rem.collaborations.models import Collaboration
from rem.extensions import db
from tests import factories
from tests.conftest import login, post


def _admin(app):
    with app.app_context():
        factories.UserFactory(email="admin@example.org", is_admin=True)
        hub = factories.HubFactory(slug="twente", name="Hub Twente")
        factories.CollaborationFactory(slug="enschede", hub=hub)
        db.session.commit()
        return hub.id


def _collab_form(hub_id, **overrides):
    data = {"name": "Nieuw verband", "slug": "", "hub_id": str(hub_id), "region": "",
            "scale": "regionaal", "stage": "koploper", "target_group": "Ouderen",
            "goal": "Meer **eigenaarschap**", "start_date": "2023-05-01"}
    data.update(overrides)
    return data


def test_slug_is_made_from_the_name_and_must_be_unique(app, client):
    hub_id = _admin(app)
    login(client, "admin@example.org")
    r = post(client, "/collaborations/new", _collab_form(hub_id, name="Zorg in Één Dorp"))
    assert r.status_code == 302 and r.headers["Location"].endswith("/zorg-in-een-dorp")
    r = post(client, "/collaborations/new", _collab_form(hub_id, slug="enschede"))
    assert r.status_code == 200 and "al een samenwerkingsverband" in r.get_data(as_text=True)
    r = post(client, "/collaborations/new", _collab_form(hub_id, slug="Met Spaties!"))
    assert "kleine letters" in r.get_data(as_text=True)
    r = post(client, "/collaborations/new", _collab_form(hub_id, name=""))
    assert "Geef een naam op." in r.get_data(as_text=True)
    r = post(client, "/collaborations/new", _collab_form(hub_id, name="x" * 201))
    assert r.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Collaboration)) == 2


def test_collaboration_fields_are_saved_and_shown(app, client):
    hub_id = _admin(app)
    login(client, "admin@example.org")
    post(client, "/collaborations/new", _collab_form(hub_id))
    page = client.get("/collaborations/nieuw-verband").get_data(as_text=True)
    assert "Nieuw verband" in page and "<strong>eigenaarschap</strong>" in page
    with app.app_context():
        c = db.session.scalar(sa.select(Collaboration).where(Collaboration.slug == "nieuw-verband"))
        assert (c.scale, c.stage, c.target_group) == ("regionaal", "koploper", "Ouderen")
        assert c.start_date.isoformat() == "2023-05-01"


def test_start_date_in_the_future_is_refused(app, client):
    hub_id = _admin(app)
    login(client, "admin@example.org")
    r = post(client, "/collaborations/new", _collab_form(hub_id, start_date="2999-01-01"))
    assert r.status_code == 200 and "tussen 1900 en vandaag" in r.get_data(as_text=True)


def test_hub_edit_and_duplicate_slug(app, client):
    _admin(app)
    login(client, "admin@example.org")
    r = post(client, "/hubs/new", {"name": "Hub Drenthe", "slug": "", "region": "Drenthe"})
    assert r.status_code == 302
    r = post(client, "/hubs/hub-drenthe/edit", {"name": "Hub Drenthe", "slug": "twente"})
    assert r.status_code == 200 and "al een hub" in r.get_data(as_text=True)
    r = post(client, "/hubs/hub-drenthe/edit", {"name": "Participatiehub Drenthe",
                                                "slug": "drenthe", "region": "Assen"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/hubs/drenthe")
    assert "Participatiehub Drenthe" in client.get("/").get_data(as_text=True)


def test_facilitator_edits_but_cannot_move_to_another_hub(app, client):
    with app.app_context():
        hub = factories.HubFactory(slug="a")
        other = factories.HubFactory(slug="b")
        collab = factories.CollaborationFactory(slug="dorp", hub=hub)
        user = factories.UserFactory(email="f@example.org")
        factories.MembershipFactory(user=user, collaboration_id=collab.id,
                                    role=Role.FACILITATOR.value)
        db.session.commit()
        hub_id, other_id = hub.id, other.id
    login(client, "f@example.org")
    r = post(client, "/collaborations/dorp/edit", _collab_form(hub_id, name="Dorp", slug="dorp"))
    assert r.status_code == 302
    r = post(client, "/collaborations/dorp/edit", _collab_form(other_id, name="Dorp",
                                                               slug="dorp"))
    assert r.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(Collaboration.hub_id)) == hub_id


def test_start_page_shows_my_collaborations_first(app, client):
    with app.app_context():
        hub = factories.HubFactory(slug="noord", name="Hub Noord")
        mine = factories.CollaborationFactory(slug="dorp", name="Zorg in het dorp", hub=hub)
        led = factories.CollaborationFactory(slug="stad", name="Aan de slag in de stad", hub=hub)
        factories.CollaborationFactory(slug="elders", name="Niet van mij", hub=hub)
        user = factories.UserFactory(email="lid@example.org")
        factories.MembershipFactory(user=user, collaboration_id=mine.id, role=Role.MEMBER.value)
        factories.MembershipFactory(user=user, collaboration_id=led.id,
                                    role=Role.FACILITATOR.value)
        factories.UserFactory(email="los@example.org")
        db.session.commit()
    login(client, "lid@example.org")
    page = client.get("/").get_data(as_text=True)
    main = page[page.index('<main'):]
    # The section is the first thing in the page's content: its heading is the page's h1.
    first_heading = main[main.index("<h1"):main.index("</h1>")]
    assert "Mijn samenwerkingsverbanden" in first_heading
    section = main[main.index("my-collaborations"):main.index("</section>")]
    assert main.index("my-collaborations") < main.index("Hubs en samenwerkingsverbanden")
    # Both of mine, by name, each linked and with my role; not the third one.
    assert section.index("Aan de slag in de stad") < section.index("Zorg in het dorp")
    assert 'href="/collaborations/stad"' in section and 'href="/collaborations/dorp"' in section
    assert "Begeleider" in section and "Lid" in section and "Niet van mij" not in section
    other = app.test_client()
    login(other, "los@example.org")
    page = other.get("/").get_data(as_text=True)
    assert "Mijn samenwerkingsverbanden" not in page and "my-collaborations" not in page
    assert "<h1>Hubs en samenwerkingsverbanden</h1>" in page
