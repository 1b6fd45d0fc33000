"""The ripple-log pages with bad input: a clear Dutch message, and nothing lost."""

from datetime import date

import sqlalchemy as sa

from rem.accounts.models import Role
from rem.extensions import db
from rem.ripples import services
from rem.ripples.logview import load_log
from rem.ripples.models import RippleItem
from tests import factories
from tests.conftest import login, post


def _facilitator_world(app):
    with app.app_context():
        collab = factories.CollaborationFactory(slug="dorp")
        other = factories.CollaborationFactory(slug="elders")
        user = factories.UserFactory(email="fac@example.org")
        factories.MembershipFactory(user=user, collaboration_id=collab.id,
                                    role=Role.FACILITATOR.value)
        activity = factories.ActivityFactory(collaboration=collab, title="Inloopavond")
        effect = factories.EffectFactory(collaboration=collab, title="Buren kennen elkaar")
        later = factories.EffectFactory(collaboration=collab, title="Samen koken")
        services.add_link(activity, effect)
        services.add_link(effect, later)
        foreign = factories.ActivityFactory(collaboration=other, title="Elders")
        db.session.commit()
        return {"activity": activity.id, "effect": effect.id, "later": later.id,
                "foreign": foreign.id}


def _effect_form(**overrides):
    data = {"title": "Nieuw effect", "date_value": "2024-05-01", "date_precision": "day",
            "visibility": "collaboration", "intended": "yes", "valence": "positive",
            "noticed_by": "", "evidence_kind": "", "evidence_text": "", "evidence_url": ""}
    data.update(overrides)
    return data


def test_empty_and_overlong_titles_get_a_message(app, client):
    _facilitator_world(app)
    login(client, "fac@example.org")
    r = post(client, "/collaborations/dorp/effects/new", _effect_form(title=""))
    assert r.status_code == 200 and "Geef een titel op." in r.get_data(as_text=True)
    r = post(client, "/collaborations/dorp/effects/new", _effect_form(title="x" * 250))
    assert r.status_code == 200 and "Te lang: hoogstens 200 tekens." in r.get_data(as_text=True)
    # What was typed is still in the form.
    assert "x" * 250 in r.get_data(as_text=True)


def test_future_effect_and_old_dates_get_a_message(app, client):
    _facilitator_world(app)
    login(client, "fac@example.org")
    future = date(date.today().year + 2, 1, 1).isoformat()
    r = post(client, "/collaborations/dorp/effects/new",
             _effect_form(date_value=future, description="Mijn verhaal"))
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "toekomst" in body and "Mijn verhaal" in body
    r = post(client, "/collaborations/dorp/effects/new", _effect_form(date_value="1850-01-01"))
    assert "1900" in r.get_data(as_text=True)


def test_cycle_and_foreign_links_are_refused_with_a_message(app, client):
    ids = _facilitator_world(app)
    login(client, "fac@example.org")
    r = post(client, f"/collaborations/dorp/items/{ids['effect']}/links",
             {"cause_id": ids["later"]}, follow_redirects=True)
    assert "kring" in r.get_data(as_text=True)
    r = post(client, f"/collaborations/dorp/items/{ids['effect']}/links",
             {"cause_id": ids["foreign"]}, follow_redirects=True)
    assert r.status_code == 200
    with app.app_context():
        assert services.live_links(
            db.session.get(RippleItem, ids["effect"]).collaboration_id
        ) == [(ids["activity"], ids["effect"]), (ids["effect"], ids["later"])]


def test_delete_warns_about_dependents_and_the_bin_restores(app, client):
    ids = _facilitator_world(app)
    login(client, "fac@example.org")
    page = client.get(f"/collaborations/dorp/items/{ids['effect']}/delete").get_data(as_text=True)
    assert "Samen koken" in page and "prullenbak" in page
    r = post(client, f"/collaborations/dorp/items/{ids['effect']}/delete")
    assert r.status_code == 302
    client.get("/collaborations/dorp")  # shows (and so clears) the confirmation message
    timeline = client.get("/collaborations/dorp").get_data(as_text=True)
    assert "Buren kennen elkaar" not in timeline and "Samen koken" in timeline
    assert "Buren kennen elkaar" in client.get("/collaborations/dorp/bin").get_data(as_text=True)
    r = post(client, f"/collaborations/dorp/items/{ids['effect']}/restore")
    assert r.status_code == 302
    timeline = client.get("/collaborations/dorp").get_data(as_text=True)
    assert "Buren kennen elkaar" in timeline
    with app.app_context():
        collab_id = db.session.get(RippleItem, ids["effect"]).collaboration_id
        assert len(services.live_links(collab_id)) == 2


def test_two_people_editing_the_same_item(app):
    ids = _facilitator_world(app)
    first, second = app.test_client(), app.test_client()
    login(first, "fac@example.org")
    login(second, "fac@example.org")
    url = f"/collaborations/dorp/items/{ids['activity']}/edit"
    form_a = first.get(url).get_data(as_text=True)
    form_b = second.get(url).get_data(as_text=True)
    assert 'name="version"' in form_a and 'name="version"' in form_b
    base = {"date_value": "2024-03-01", "date_precision": "day", "visibility": "collaboration",
            "governance_style": "", "ladder_step": "", "version": "1"}
    r = post(first, url, {**base, "title": "Versie van Anna"})
    assert r.status_code == 302
    r = post(second, url, {**base, "title": "Versie van Bram", "description": "Bram schreef"})
    body = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "Versie van Anna" in body and "Versie van Bram" in body and "Bram schreef" in body
    with app.app_context():
        assert db.session.get(RippleItem, ids["activity"]).title == "Versie van Anna"


def test_labels_with_html_are_escaped_on_the_timeline(app, client):
    _facilitator_world(app)
    login(client, "fac@example.org")
    title = '<script>alert("x")</script> {braces} "quotes" & ampersand'
    r = post(client, "/collaborations/dorp/effects/new", _effect_form(title=title))
    assert r.status_code == 302
    body = client.get("/collaborations/dorp").get_data(as_text=True)
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; {braces}" in body


def test_effect_created_with_several_causes(app, client):
    ids = _facilitator_world(app)
    login(client, "fac@example.org")
    r = post(client, "/collaborations/dorp/effects/new",
             _effect_form(title="Nieuw", causes=[ids["activity"], ids["later"]]))
    assert r.status_code == 302
    with app.app_context():
        new = db.session.scalar(sa.select(RippleItem).where(RippleItem.title == "Nieuw"))
        log = load_log(new.collaboration, sa.true())
        assert sorted(log.causes[new.id]) == sorted([ids["activity"], ids["later"]])
        assert log.orders[new.id] == 1
