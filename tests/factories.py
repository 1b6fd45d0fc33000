"""factory_boy factories for test data, flushed into the app's database session."""

from __future__ import annotations

from datetime import date

import factory
from factory.alchemy import SQLAlchemyModelFactory

from rem.accounts.models import Membership, User
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.hubs.models import Hub
from rem.logbook.models import LogEntry
from rem.ripples.models import Activity, Effect, RippleLink

PASSWORD = "correct-horse-battery"


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(_Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    password_hash = factory.LazyFunction(lambda: _hash(PASSWORD))


_HASHES: dict[str, str] = {}


def _hash(password: str) -> str:
    """Hash each test password once: scrypt is slow on purpose."""
    if password not in _HASHES:
        user = User(email="x")
        user.set_password(password)
        _HASHES[password] = user.password_hash
    return _HASHES[password]


class HubFactory(_Base):
    class Meta:
        model = Hub

    name = factory.Sequence(lambda n: f"Hub {n}")
    slug = factory.Sequence(lambda n: f"hub-{n}")
    region = "Regio"


class CollaborationFactory(_Base):
    class Meta:
        model = Collaboration

    name = factory.Sequence(lambda n: f"Samenwerking {n}")
    slug = factory.Sequence(lambda n: f"samenwerking-{n}")
    hub = factory.SubFactory(HubFactory)
    region = "Dorp"
    start_date = date(2023, 1, 1)


class ActivityFactory(_Base):
    class Meta:
        model = Activity

    collaboration = factory.SubFactory(CollaborationFactory)
    title = factory.Sequence(lambda n: f"Activiteit {n}")
    date_start = date(2024, 3, 1)
    date_precision = "day"
    visibility = "collaboration"


class EffectFactory(_Base):
    class Meta:
        model = Effect

    collaboration = factory.SubFactory(CollaborationFactory)
    title = factory.Sequence(lambda n: f"Effect {n}")
    date_start = date(2024, 6, 1)
    date_precision = "month"
    visibility = "collaboration"
    intended = True
    valence = "positive"


class LinkFactory(_Base):
    class Meta:
        model = RippleLink

    cause = None
    effect = None
    cause_id = factory.LazyAttribute(lambda o: o.cause.id)
    effect_id = factory.LazyAttribute(lambda o: o.effect.id)
    collaboration_id = factory.LazyAttribute(lambda o: o.effect.collaboration_id)


class MembershipFactory(_Base):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = "member"


class LogEntryFactory(_Base):
    class Meta:
        model = LogEntry

    collaboration = factory.SubFactory(CollaborationFactory)
    kind = "lesson"
    title = factory.Sequence(lambda n: f"Les {n}")
    body = ""
    entry_date = date(2024, 9, 1)
    visibility = "collaboration"
