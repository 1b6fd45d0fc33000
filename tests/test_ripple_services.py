"""Business rules of the ripple log, on the real database."""

from datetime import date

import pytest
import sqlalchemy as sa

from rem.audit.models import AuditEvent
from rem.core.dates import FuzzyDate
from rem.extensions import db
from rem.ripples import services
from rem.ripples.logview import load_log
from rem.ripples.models import Kind, RippleItem
from tests import factories


def _input(title="Iets", when=(2024, 3, 1), precision="day", **kw):
    return services.ItemInput(title=title, when=FuzzyDate.of(date(*when), precision), **kw)


def test_create_records_history_and_normalises_the_date(ctx):
    collab = factories.CollaborationFactory()
    item = services.create_item(collab, Kind.EFFECT, _input("  Nieuw netwerk  ", (2024, 5, 20),
                                                            "quarter", intended=False))
    assert item.title == "Nieuw netwerk"
    assert item.date_start == date(2024, 4, 1) and item.date_precision == "quarter"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_id == item.id))
    assert event.action == "create" and event.after["title"] == "Nieuw netwerk"


@pytest.mark.parametrize("title,message", [
    ("", "titel"), ("   ", "titel"), ("x" * 201, "te lang"),
])
def test_bad_titles_are_refused(ctx, title, message):
    collab = factories.CollaborationFactory()
    with pytest.raises(services.RippleError, match=message):
        services.create_item(collab, Kind.ACTIVITY, _input(title))


def test_future_effect_and_dates_before_1900_are_refused(ctx):
    collab = factories.CollaborationFactory()
    next_year = date.today().year + 1
    with pytest.raises(services.RippleError, match="toekomst"):
        services.create_item(collab, Kind.EFFECT, _input(when=(next_year, 1, 1)))
    with pytest.raises(services.RippleError, match="1900"):
        services.create_item(collab, Kind.ACTIVITY, _input(when=(1899, 1, 1)))
    # A planned activity may lie in the near future.
    services.create_item(collab, Kind.ACTIVITY, _input(when=(next_year, 1, 1)))


def test_links_refuse_cycles_other_collaborations_and_activities_as_effects(ctx):
    collab = factories.CollaborationFactory()
    activity = factories.ActivityFactory(collaboration=collab)
    first = factories.EffectFactory(collaboration=collab, title="Eerste")
    second = factories.EffectFactory(collaboration=collab, title="Tweede")
    services.add_link(activity, first)
    services.add_link(first, second)
    with pytest.raises(services.RippleError, match="kring"):
        services.add_link(second, first)
    with pytest.raises(services.RippleError, match="zichzelf"):
        services.add_link(first, first)
    with pytest.raises(services.RippleError, match="activiteit niet"):
        services.add_link(first, activity)
    with pytest.raises(services.RippleError, match="bestaat al"):
        services.add_link(activity, first)
    stranger = factories.EffectFactory()  # another collaboration
    with pytest.raises(services.RippleError, match="hetzelfde samenwerkingsverband"):
        services.add_link(activity, stranger)


def test_orders_are_derived_from_links(ctx):
    collab = factories.CollaborationFactory()
    activity = factories.ActivityFactory(collaboration=collab)
    chain = [factories.EffectFactory(collaboration=collab) for _ in range(3)]
    services.add_link(activity, chain[0])
    services.add_link(chain[0], chain[1])
    services.add_link(chain[1], chain[2])
    loose = factories.EffectFactory(collaboration=collab)
    log = load_log(collab, sa.true())
    assert [log.orders[e.id] for e in chain] == [1, 2, 3]
    assert loose.id not in log.orders
    # A shortcut makes the third effect a first-order ripple too.
    services.add_link(activity, chain[2])
    assert load_log(collab, sa.true()).orders[chain[2].id] == 1


def test_delete_hides_item_and_links_and_restore_brings_both_back(ctx):
    collab = factories.CollaborationFactory()
    activity = factories.ActivityFactory(collaboration=collab)
    effect = factories.EffectFactory(collaboration=collab)
    services.add_link(activity, effect)
    assert [e.id for e in services.dependents(activity)] == [effect.id]
    services.delete_item(activity)
    log = load_log(collab, sa.true())
    assert [i.id for i in log.items] == [effect.id] and log.links == []
    assert db.session.get(RippleItem, activity.id) is not None  # nothing is lost
    services.restore_item(activity)
    log = load_log(collab, sa.true())
    assert {i.id for i in log.items} == {activity.id, effect.id}
    assert log.links == [(activity.id, effect.id)]
    actions = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.entity_id == activity.id, AuditEvent.entity_type == "activity"
    ).order_by(AuditEvent.id)).all()
    assert actions == ["delete", "restore"]


def test_second_save_from_a_stale_form_is_refused(ctx):
    collab = factories.CollaborationFactory()
    item = services.create_item(collab, Kind.ACTIVITY, _input("Origineel"))
    seen = item.version
    services.update_item(item, _input("Eerste wijziging"), seen)
    assert item.version == seen + 1
    with pytest.raises(services.EditConflict) as info:
        services.update_item(item, _input("Tweede wijziging"), seen)
    assert info.value.attempted["title"] == "Tweede wijziging"
    assert db.session.get(RippleItem, item.id).title == "Eerste wijziging"


def test_update_history_keeps_only_what_changed(ctx):
    collab = factories.CollaborationFactory()
    item = services.create_item(collab, Kind.ACTIVITY, _input("Voor"))
    services.update_item(item, _input("Na"), item.version)
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.entity_id == item.id, AuditEvent.action == "update")).one()
    assert event.before == {"title": "Voor"} and event.after == {"title": "Na"}
