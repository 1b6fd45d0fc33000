"""The audit trail page and emptying the bin."""

import sqlalchemy as sa

from rem.audit.models import AuditEvent
from rem.extensions import db
from rem.ripples import services
from rem.ripples.models import RippleItem, RippleLink
from tests import factories
from tests.conftest import login, post


def test_admin_empties_the_bin_and_the_audit_keeps_a_copy(app, client):
    with app.app_context():
        factories.UserFactory(email="admin@example.org", is_admin=True)
        collab = factories.CollaborationFactory(slug="dorp")
        kept = factories.ActivityFactory(collaboration=collab, title="Blijft")
        gone = factories.EffectFactory(collaboration=collab, title="Weg ermee")
        services.add_link(kept, gone)
        services.delete_item(gone)
        db.session.commit()
        gone_id = gone.id
    login(client, "admin@example.org")
    r = post(client, "/collaborations/dorp/bin/empty", follow_redirects=True)
    assert "definitief verwijderd" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(RippleItem, gone_id) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RippleLink)) == 0
        purge = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "purge"))
        assert purge.before["title"] == "Weg ermee"
        assert db.session.scalar(sa.select(RippleItem).where(RippleItem.title == "Blijft"))


def test_audit_trail_filters(app, client):
    with app.app_context():
        admin = factories.UserFactory(email="admin@example.org", is_admin=True)
        collab = factories.CollaborationFactory(slug="dorp")
        db.session.commit()
        admin_id, collab_id = admin.id, collab.id
    login(client, "admin@example.org")
    for title in ("Eerste", "Tweede"):
        post(client, "/collaborations/dorp/activities/new", {
            "title": title, "date_value": "2024-01-01", "date_precision": "day",
            "visibility": "collaboration", "governance_style": "", "ladder_step": ""})
    with app.app_context():
        item = db.session.scalar(sa.select(RippleItem).where(RippleItem.title == "Eerste"))
        services.delete_item(item)
        db.session.commit()
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "Eerste" in page and "Tweede" in page
    page = client.get("/admin/audit/?action=delete").get_data(as_text=True)
    assert "Eerste" in page and "Tweede" not in page
    page = client.get(f"/admin/audit/?user={admin_id}&collaboration={collab_id}&type=activity"
                      ).get_data(as_text=True)
    assert "2 wijzigingen gevonden" in page
    page = client.get("/admin/audit/?from=2999-01-01").get_data(as_text=True)
    assert "Geen wijzigingen gevonden" in page
    # Nonsense filters are ignored, not an error page.
    assert client.get("/admin/audit/?from=gisteren&user=abc&page=x").status_code == 200
