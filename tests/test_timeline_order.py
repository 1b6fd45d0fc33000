"""Timeline order: by the middle of an item's period as its links narrow it, never an
effect before its cause when their periods overlap, on the timeline, the session report
and within a column of the map; year, quarter, month and day precision mixed."""

from __future__ import annotations

import heapq
import random
import re
from datetime import date

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from rem.accounts.models import Role
from rem.core.dates import FuzzyDate
from rem.extensions import db
from rem.maps import builder
from rem.maps.filters import MapFilters, MapOptions
from rem.ripples import graph, services
from rem.ripples.logview import load_log
from rem.ripples.models import Kind
from rem.ripples.timeline import group_by_period
from tests import factories
from tests.conftest import login


def _item(collab, kind, title, when, precision):
    fuzzy = FuzzyDate.of(date(*when), precision)
    factory = factories.ActivityFactory if kind == Kind.ACTIVITY else factories.EffectFactory
    return factory(collaboration=collab, title=title, date_start=fuzzy.start,
                   date_precision=fuzzy.precision.value)


def _mixed_log(collab) -> dict[str, int]:
    """Inloopochtend (2024) -> Spreekuur (12 March) -> Vaste bezoekers (Q1); Spreekuur ->
    Flyer (1 February: a slip, dated before its cause); Markt (1 May) alone; Raadsbesluit
    (5 October) -> Budget (2024); Nieuwsbrief (March 2024) -> Buurtapp (2024-Q1)."""
    a = _item(collab, Kind.ACTIVITY, "Inloopochtend", (2024, 6, 1), "year")
    e1 = _item(collab, Kind.EFFECT, "Spreekuur", (2024, 3, 12), "day")
    e2 = _item(collab, Kind.EFFECT, "Vaste bezoekers", (2024, 2, 1), "quarter")
    w = _item(collab, Kind.EFFECT, "Flyer", (2024, 2, 1), "day")
    x = _item(collab, Kind.ACTIVITY, "Markt", (2024, 5, 1), "day")
    z = _item(collab, Kind.ACTIVITY, "Raadsbesluit", (2024, 10, 5), "day")
    y = _item(collab, Kind.EFFECT, "Budget", (2024, 1, 1), "year")
    n = _item(collab, Kind.ACTIVITY, "Nieuwsbrief", (2024, 3, 20), "month")
    b = _item(collab, Kind.EFFECT, "Buurtapp", (2024, 1, 1), "quarter")
    for cause, effect in ((a, e1), (e1, e2), (e1, w), (z, y), (n, b)):
        services.add_link(cause, effect)
    db.session.commit()
    return {i.title: i.id for i in (a, e1, e2, w, x, z, y, n, b)}


EXPECTED = ["Flyer", "Inloopochtend", "Spreekuur", "Nieuwsbrief", "Buurtapp",
            "Vaste bezoekers", "Markt", "Raadsbesluit", "Budget"]


def test_mixed_precisions_sort_by_the_middle_and_causes_come_first(ctx):
    collab = factories.CollaborationFactory()
    ids = _mixed_log(collab)
    log = load_log(collab, sa.true())
    titles = [i.title for i in log.items]
    # Inloopochtend lies between 1 January and 12 March (its effect): early February,
    # after the Flyer of 1 February (dated before its cause: shown as dated). Nieuwsbrief
    # (March, middle 16 March) comes after Spreekuur (12 March); its effect Buurtapp (Q1)
    # lies in March too (middle 16 March, after its cause), Vaste bezoekers (Q1, after
    # 12 March) in the second half of March. Budget (2024) grew from 5 October: after it.
    assert titles == EXPECTED
    position = {item.id: n for n, item in enumerate(log.items)}
    for cause, effect in log.links:
        c, e = log.by_id()[cause].when, log.by_id()[effect].when
        if c.start <= e.end and e.start <= c.end:
            assert position[cause] < position[effect]
    assert position[ids["Flyer"]] < position[ids["Spreekuur"]]


def test_groups_keep_the_order_and_label_a_coarse_item_by_its_own_period(ctx):
    collab = factories.CollaborationFactory()
    _mixed_log(collab)
    items = load_log(collab, sa.true()).items
    by_year = group_by_period(items, "year")
    by_quarter = group_by_period(items, "quarter")
    assert [(label, [i.title for i in run]) for label, run in by_year] == [("2024", EXPECTED)]
    assert [(label, len(run)) for label, run in by_quarter] == [
        ("1e kwartaal 2024", 6), ("2e kwartaal 2024", 1), ("4e kwartaal 2024", 2)]
    assert [i.title for _label, run in by_quarter for i in run] == EXPECTED


def test_the_timeline_page_lists_causes_before_their_effects(app):
    with app.test_request_context():
        collab = factories.CollaborationFactory(slug="tijd")
        member = factories.UserFactory(email="member@example.org")
        factories.MembershipFactory(user=member, collaboration_id=collab.id,
                                    role=Role.MEMBER.value)
        _mixed_log(collab)
    client = app.test_client()
    login(client, "member@example.org")
    html = client.get("/collaborations/tijd").get_data(as_text=True)
    assert re.findall(r'class="item-title"[^>]*>([^<]+)<', html) == EXPECTED
    html = client.get("/collaborations/tijd?group=quarter").get_data(as_text=True)
    assert re.findall(r'class="item-title"[^>]*>([^<]+)<', html) == EXPECTED
    assert re.findall(r'class="period-label">([^<]+)<', html) == [
        "1e kwartaal 2024", "2e kwartaal 2024", "4e kwartaal 2024"]


def test_map_column_order_follows_the_same_rule(ctx):
    collab = factories.CollaborationFactory()
    ids = _mixed_log(collab)
    log = load_log(collab, sa.true())
    ripple_map = builder.map_from_log(collab, log, MapFilters(), MapOptions(granularity="year"))
    column = [n.id for n in builder._chronological(ripple_map.nodes, log)]
    # One column holds every link of the year: the map also puts the Flyer (dated before
    # its cause) under Spreekuur, so that no link in a column points upwards.
    expected = ["Inloopochtend", "Spreekuur", "Flyer", *EXPECTED[3:]]
    assert column == [ids[t] for t in expected]


def test_time_order_on_random_graphs_keeps_every_cause_first():
    rng = random.Random(11)
    for _round in range(30):
        nodes = list(range(60))
        spans = {}
        for node in nodes:
            start = rng.randrange(0, 700)
            spans[node] = (start, start + rng.choice((0, 30, 90, 365)))
        links = sorted({(a, b) for a in nodes for b in nodes if a < b and rng.random() < 0.05})
        middles = graph.narrowed_middles(spans, links)
        for node, (low, high) in spans.items():
            assert low <= middles[node] <= high  # narrowed, never moved outside its period
        overlapping = [(a, b) for a, b in links
                       if spans[a][0] <= spans[b][1] and spans[b][0] <= spans[a][1]]
        order = graph.time_order({n: (middles[n], n) for n in nodes}, overlapping)
        assert sorted(order) == nodes
        where = {node: n for n, node in enumerate(order)}
        assert all(where[a] < where[b] for a, b in overlapping)


def _time_order_by_keys(keys: dict[int, tuple], before: list[tuple[int, int]]) -> list[int]:
    """The rule of ``graph.time_order`` written plainly, with the keys themselves in the
    queue: the reference the faster one must equal."""
    waiting = dict.fromkeys(keys, 0)
    forward: dict[int, list[int]] = {}
    for cause, effect in before:
        if cause in keys and effect in keys and cause != effect:
            forward.setdefault(cause, []).append(effect)
            waiting[effect] += 1
    ready = [(keys[node], node) for node, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    ordered = []
    while ready:
        _key, node = heapq.heappop(ready)
        ordered.append(node)
        for effect in forward.get(node, ()):
            waiting[effect] -= 1
            if waiting[effect] == 0:
                heapq.heappush(ready, (keys[effect], effect))
    placed = set(ordered)
    return ordered + sorted((n for n in keys if n not in placed), key=lambda n: (keys[n], n))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_time_order_equals_the_plain_rule(data):
    nodes = data.draw(st.lists(st.integers(0, 40), unique=True, max_size=25))
    keys = {node: data.draw(st.tuples(st.integers(0, 5), st.integers(0, 1))) for node in nodes}
    pool = st.sampled_from(nodes + [99]) if nodes else st.just(99)  # 99: not in keys
    before = data.draw(st.lists(st.tuples(pool, pool), max_size=40))  # circles included
    assert graph.time_order(keys, before) == _time_order_by_keys(keys, before)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_kept_time_order_is_the_order_of_what_it_is_given(data):
    """``time_ordered_ids`` keeps the orders it worked out by their dates and links: every
    call, after any change of a date, a precision, a kind or a link, and in any order of
    the rows, equals working the order out afresh."""
    from rem.ripples import timeline

    def row(i):
        precision = data.draw(st.sampled_from(["day", "month", "quarter", "year"]))
        when = FuzzyDate.of(date(2024, data.draw(st.integers(1, 12)), 1), precision)
        return (i, when.start, when.precision.value, data.draw(st.booleans()))

    ids = data.draw(st.lists(st.integers(1, 30), unique=True, min_size=1, max_size=12))
    dated = [row(i) for i in ids]
    links = data.draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)),
                               unique=True, max_size=15))
    for _round in range(4):
        shuffled = data.draw(st.permutations(dated))
        order = timeline.time_ordered_ids(shuffled, links)
        assert order == timeline._time_ordered_ids(sorted(dated), links)
        order.reverse()  # the caller's list is its own: the kept order stays as it was
        assert timeline.time_ordered_ids(dated, links) == timeline._time_ordered_ids(
            sorted(dated), links)
        n = data.draw(st.integers(0, len(dated) - 1))
        dated[n] = row(dated[n][0])
        links = data.draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)),
                                   unique=True, max_size=15))


def test_a_loaded_log_item_has_every_column_of_an_item(app):
    """The plain items of ``load_log`` carry every column a live item has, so a page that
    reads a loaded log can read any of them (a new column needs adding to LogItem)."""
    from rem.ripples.logview import LogItem
    from rem.ripples.models import RippleItem

    columns = {column.key for column in sa.inspect(RippleItem).column_attrs}
    assert columns - set(LogItem.__dataclass_fields__) == {"deleted_at", "deleted_by_id"}
    assert set(LogItem.__dataclass_fields__) - columns == {"codes"}
