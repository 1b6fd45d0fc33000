"""The page of a binned item says so and offers to restore it."""

from rem.accounts.models import Role
from rem.extensions import db
from rem.ripples import services
from tests import factories
from tests.conftest import login


def test_binned_item_page_offers_restore(app, client):
    with app.app_context():
        c = factories.CollaborationFactory(slug="d")
        u = factories.UserFactory(email="f@example.org")
        factories.MembershipFactory(user=u, collaboration_id=c.id, role=Role.FACILITATOR.value)
        a = factories.ActivityFactory(collaboration=c)
        services.delete_item(a)
        db.session.commit()
        aid = a.id
    login(client, "f@example.org")
    body = client.get(f"/collaborations/d/items/{aid}").get_data(as_text=True)
    assert "in de prullenbak" in body and f"/items/{aid}/restore" in body
