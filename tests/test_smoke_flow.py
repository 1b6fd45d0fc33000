"""A whole first flow through the real pages: sign in, hub, collaboration, items, links."""

import sqlalchemy as sa

from rem.extensions import db
from rem.ripples.models import RippleItem, RippleLink
from tests import factories
from tests.conftest import login, post


def test_admin_builds_a_small_ripple_log(app, client):
    with app.app_context():
        factories.UserFactory(email="admin@example.org", is_admin=True)
        db.session.commit()
    login(client, "admin@example.org")
    r = post(client, "/hubs/new", {"name": "Hub Utrecht", "slug": "", "region": "Utrecht"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/hubs/hub-utrecht")
    with app.app_context():
        hub_id = db.session.scalar(sa.text("select id from hubs"))
    r = post(client, "/collaborations/new", {
        "name": "Achterveld", "slug": "", "hub_id": str(hub_id), "region": "Achterveld",
        "scale": "lokaal", "stage": "pionier", "target_group": "", "goal": "",
    })
    assert r.status_code == 302, r.data[:400]
    r = post(client, "/collaborations/achterveld/activities/new", {
        "title": "Inspiratiemarkt", "date_value": "2024-03-12", "date_precision": "day",
        "visibility": "collaboration", "governance_style": "", "ladder_step": "",
    })
    assert r.status_code == 302, r.data[:2000]
    activity_id = int(r.headers["Location"].rsplit("/", 1)[1])
    r = post(client, "/collaborations/achterveld/effects/new", {
        "title": "Inwoners melden zich als vrijwilliger", "date_value": "2024-05-01",
        "date_precision": "quarter", "visibility": "collaboration", "intended": "no",
        "valence": "positive", "noticed_by": "", "evidence_kind": "", "causes": [activity_id],
    })
    assert r.status_code == 302, r.data[:2000]
    page = client.get("/collaborations/achterveld")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Inspiratiemarkt" in body and "Inwoners melden zich als vrijwilliger" in body
    assert "2e kwartaal 2024" in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RippleLink)) == 1
        effect = db.session.scalar(sa.select(RippleItem).where(RippleItem.kind == "effect"))
        assert effect.date_start.isoformat() == "2024-04-01"
