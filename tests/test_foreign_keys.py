"""Foreign keys hold on every database: SQLite enforces them as PostgreSQL does."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rem.extensions import db
from rem.ripples.models import RippleLink
from tests import factories


def test_a_link_to_an_item_that_does_not_exist_is_refused(app):
    with app.app_context():
        effect = factories.EffectFactory()
        db.session.commit()
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.insert(RippleLink).values(
                collaboration_id=effect.collaboration_id, cause_id=effect.id + 1000,
                effect_id=effect.id))
            db.session.flush()
        db.session.rollback()


def test_sqlite_connections_enforce_foreign_keys(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only: PostgreSQL always enforces foreign keys, and the "
                        "test above checks that on PostgreSQL too")
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
