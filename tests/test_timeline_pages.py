"""A long timeline is shown in pages of REM_TIMELINE_PAGE_SIZE items, in time order."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from rem.extensions import db
from rem.ripples.models import RippleItem
from rem.ripples.services import add_link
from tests import factories
from tests.conftest import login


@pytest.fixture
def long_log(app):
    with app.app_context():
        factories.UserFactory(email="admin@example.org", is_admin=True)
        collaboration = factories.CollaborationFactory(slug="lang")
        for n in range(7):
            factories.EffectFactory(collaboration=collaboration, title=f"Effect nummer {n}",
                                    date_start=date(2020 + n, 5, 1))
        db.session.commit()
    app.config["REM_TIMELINE_PAGE_SIZE"] = 3
    yield "/collaborations/lang"
    app.config["REM_TIMELINE_PAGE_SIZE"] = 250


def _titles(html: str) -> list[int]:
    return [n for n in range(7) if f"Effect nummer {n}<" in html]


def test_pages_split_the_items_in_time_order(client, long_log):
    login(client, "admin@example.org")
    first = client.get(long_log).get_data(as_text=True)
    assert _titles(first) == [0, 1, 2]
    assert "Pagina 1 van 3" in first
    assert "U ziet 3 van de 7 items" in first
    # The jump list names the dates each page covers.
    assert ">2: mei 2023 – mei 2025<" in first
    assert _titles(client.get(f"{long_log}?page=2").get_data(as_text=True)) == [3, 4, 5]
    last = client.get(f"{long_log}?page=3&group=month").get_data(as_text=True)
    assert _titles(last) == [6]
    assert 'rel="prev"' in last and 'rel="next"' not in last


@pytest.mark.parametrize("page, expected", [("99", [6]), ("0", [0, 1, 2]), ("x", [0, 1, 2]),
                                            ("-4", [0, 1, 2])])
def test_a_page_out_of_range_shows_the_nearest(client, long_log, page, expected):
    login(client, "admin@example.org")
    response = client.get(f"{long_log}?page={page}")
    assert response.status_code == 200
    assert _titles(response.get_data(as_text=True)) == expected


def test_a_short_timeline_has_no_pages(client, long_log, app):
    app.config["REM_TIMELINE_PAGE_SIZE"] = 7
    login(client, "admin@example.org")
    html = client.get(long_log).get_data(as_text=True)
    assert _titles(html) == list(range(7))
    assert "Pagina 1" not in html and 'class="pager"' not in html


def test_the_timeline_loads_only_the_page_it_shows(app, client, long_log):
    """No item of the log becomes an object: the page's own items are read as plain rows,
    a cause off the page by its title alone, so a long timeline costs what one page
    costs. (The item page, which does load objects, shows that the count works.)"""
    with app.app_context():
        items = db.session.scalars(sa.select(RippleItem).order_by(RippleItem.date_start)).all()
        add_link(items[0], items[4])  # page 2 shows effect 4, caused by effect 0 on page 1
        db.session.commit()
        fourth = items[4].id
    login(client, "admin@example.org")
    loaded: list[int] = []

    def on_load(target, _context):
        loaded.append(target.id)

    sa.event.listen(RippleItem, "load", on_load, propagate=True)
    try:
        html = client.get(f"{long_log}?page=2").get_data(as_text=True)
        on_timeline = list(loaded)
        assert client.get(f"{long_log}/items/{fourth}").status_code == 200
    finally:
        sa.event.remove(RippleItem, "load", on_load)
    assert _titles(html) == [0, 3, 4, 5]  # 0 only as the cause of 4
    assert on_timeline == [], on_timeline
    assert fourth in loaded, "the item page loads its item as an object"
    assert "U ziet 3 van de 7 items" in html


def test_each_page_gives_the_orders_and_causes_of_the_whole_log(app):
    """Loading one page (with the ancestors of its items only) gives the same ripple
    orders and causes as loading the whole log."""
    import random  # noqa: PLC0415 - the generated log is only needed here
    from datetime import UTC, datetime  # noqa: PLC0415

    from benchmarks.generate import insert_logs, plan_log  # noqa: PLC0415
    from rem.ripples.logview import load_log  # noqa: PLC0415
    from rem.ripples.timeline import load_timeline  # noqa: PLC0415

    with app.test_request_context("/"):
        collaboration = factories.CollaborationFactory(slug="dag")
        plan = plan_log(random.Random(3), collaboration.id, 20, 280, date(2021, 1, 1),
                        date(2025, 6, 1), [], datetime.now(UTC))
        insert_logs(db.session.connection(), [plan], datetime.now(UTC))
        db.session.commit()
        whole = load_log(collaboration, sa.true())
        seen = 0
        for number in range(1, 7):
            timeline = load_timeline(collaboration, sa.true(), number, 50)
            for item in timeline.page.items:
                seen += 1
                assert timeline.orders.get(item.id) == whole.orders.get(item.id), item.id
                assert sorted(timeline.causes.get(item.id, [])) == \
                    sorted(whole.causes.get(item.id, [])), item.id
                assert all(timeline.titles[c] for c in timeline.causes.get(item.id, []))
        assert seen == len(whole.items) == 300
        assert [i.id for i in whole.items[50:100]] == \
            [i.id for i in load_timeline(collaboration, sa.true(), 2, 50).page.items]


def test_a_kept_timeline_order_follows_every_change(app):
    """The timeline order of a log is worked out once and kept in the app process until the
    log changes: after each kind of change (a date, a new or removed link, a deleted and a
    restored item, another item's visibility) a page equals the order worked out from the
    whole log, and a reader who sees less gets an order of what they see."""
    from rem.ripples import timeline  # noqa: PLC0415
    from rem.ripples.logview import load_log  # noqa: PLC0415
    from rem.ripples.models import Visibility  # noqa: PLC0415
    from rem.ripples.services import delete_item, remove_link, restore_item  # noqa: PLC0415
    from rem.ripples.timeline import load_timeline  # noqa: PLC0415

    with app.test_request_context("/"):
        collaboration = factories.CollaborationFactory(slug="blijft")
        activity = factories.ActivityFactory(collaboration=collaboration,
                                             date_start=date(2023, 1, 1))
        effects = [factories.EffectFactory(collaboration=collaboration, title=f"E{n}",
                                           date_start=date(2023, 3 + n, 1)) for n in range(5)]
        db.session.commit()
        hub_only = RippleItem.visibility.in_([Visibility.HUB.value])
        everything = sa.true()

        def shown(clause=everything) -> list[int]:
            count = load_timeline(collaboration, clause, 1, 2).page.count
            return [item.id for n in range(1, count + 1)
                    for item in load_timeline(collaboration, clause, n, 2).page.items]

        def check(clause=everything) -> None:
            assert shown(clause) == [i.id for i in load_log(collaboration, clause).items]

        check()
        kept = {id(order) for order in timeline._ORDERS.values()}
        check()
        assert {id(order) for order in timeline._ORDERS.values()} == kept, \
            "an unchanged log is not ordered again"
        effects[0].date_start = date(2023, 12, 1)  # from first effect to last
        db.session.commit()
        check()
        assert shown()[-1] == effects[0].id
        effects[1].date_precision = "year"  # "2023": its period holds E4's July
        db.session.commit()
        check()
        link = add_link(effects[4], effects[1])  # E1 now grows from E4: never above it
        db.session.commit()
        check()
        assert shown().index(effects[4].id) < shown().index(effects[1].id)
        remove_link(link)
        db.session.commit()
        check()
        delete_item(effects[2])
        db.session.commit()
        check()
        assert effects[2].id not in shown()
        restore_item(effects[2])
        db.session.commit()
        check()
        assert effects[2].id in shown()
        for item in (activity, effects[3]):
            item.visibility = Visibility.HUB.value
        db.session.commit()
        check(hub_only)
        assert shown(hub_only) == [activity.id, effects[3].id]
        check()


def test_the_database_renews_a_log_stamp_on_every_write(app):
    """Triggers give the collaboration a new stamp whenever one of its items, an item's
    codes or one of its links is added, changed or removed, through the ORM or by plain
    SQL; another collaboration's stamp stays; a change that is rolled back gives no later
    change an old stamp."""
    from rem.codes.models import Code  # noqa: PLC0415
    from rem.ripples.fingerprints import log_stamp  # noqa: PLC0415
    from rem.ripples.models import RippleLink, item_codes  # noqa: PLC0415
    from rem.ripples.services import delete_item, remove_link  # noqa: PLC0415

    with app.test_request_context("/"):
        here = factories.CollaborationFactory(slug="hier")
        there = factories.CollaborationFactory(slug="daar")
        activity = factories.ActivityFactory(collaboration=here)
        effect = factories.EffectFactory(collaboration=here)
        yonder = factories.EffectFactory(collaboration=there)
        db.session.commit()
        seen = {log_stamp(here.id)}
        elsewhere = log_stamp(there.id)
        assert None not in seen and elsewhere is not None

        def renewed() -> None:
            db.session.commit()
            stamp = log_stamp(here.id)
            assert stamp not in seen
            seen.add(stamp)
            assert log_stamp(there.id) == elsewhere

        link = add_link(activity, effect)
        renewed()
        effect.title = "Nieuwe titel"
        renewed()
        remove_link(link)
        renewed()
        delete_item(effect)
        renewed()
        db.session.execute(sa.update(RippleItem).where(RippleItem.id == activity.id)
                           .values(date_start=date(2020, 1, 1)))
        renewed()
        db.session.execute(sa.delete(RippleLink).where(RippleLink.id == link.id))
        renewed()
        code, other = db.session.scalars(sa.select(Code).order_by(Code.id).limit(2)).all()
        activity.codes.append(code)
        renewed()
        activity.codes.remove(code)
        renewed()
        db.session.execute(sa.insert(item_codes).values(item_id=activity.id, code_id=code.id))
        renewed()
        db.session.execute(sa.update(item_codes).where(item_codes.c.item_id == activity.id)
                           .values(code_id=other.id))
        renewed()
        db.session.execute(sa.delete(item_codes).where(item_codes.c.item_id == activity.id))
        renewed()
        factories.EffectFactory(collaboration=here)
        db.session.flush()
        rolled_back = log_stamp(here.id)  # as a page in the same transaction would see it
        db.session.rollback()
        assert log_stamp(here.id) in seen
        factories.EffectFactory(collaboration=here)
        renewed()
        assert log_stamp(here.id) != rolled_back
        # A code moved from an item of one collaboration to another's: both are stamped.
        db.session.execute(sa.insert(item_codes).values(item_id=activity.id, code_id=code.id))
        renewed()
        db.session.execute(sa.update(item_codes).where(item_codes.c.item_id == activity.id)
                           .values(item_id=yonder.id))
        db.session.commit()
        assert log_stamp(here.id) not in seen and log_stamp(there.id) != elsewhere
