"""Ripple analysis: counts against a hand-made log, reach, the pages, the CSV files and
bad input (no effects, an empty period, an effect without cause, unknown groups)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from rem.access import load_access
from rem.accounts.models import Role
from rem.analysis import counts as analysis_counts
from rem.analysis import reach as analysis_reach
from rem.analysis import scope as analysis_scope
from rem.codes.services import code_by_qualified_slug
from rem.collaborations.models import Collaboration
from rem.core.dates import FuzzyDate, Precision
from rem.extensions import db
from rem.ripples import services as ripples
from tests import factories
from tests.conftest import login

SLEUTEL = "borging:sleutelpersonen"
GELD = "borging:financiele-duurzaamheid"
INFRA = "borging:infrastructuur"


@pytest.fixture(autouse=True)
def _map_cache(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "REM_MAP_CACHE_DIR", str(tmp_path / "map-cache"))


def build_world(app) -> dict:
    """A log with two activities, a chain of three orders, a meeting point, an effect
    without cause, a deleted effect, and two items shared with the network."""
    with app.test_request_context():
        collab = factories.CollaborationFactory(slug="dorp", name="Achterveld")
        other = factories.CollaborationFactory(slug="elders", hub=collab.hub)
        empty = factories.CollaborationFactory(slug="leeg", hub=collab.hub)
        member = factories.UserFactory(email="member@example.org")
        factories.MembershipFactory(user=member, collaboration_id=collab.id,
                                    role=Role.MEMBER.value)
        factories.MembershipFactory(user=member, collaboration_id=empty.id,
                                    role=Role.MEMBER.value)
        outsider = factories.UserFactory(email="outsider@example.org")
        factories.MembershipFactory(user=outsider, collaboration_id=other.id,
                                    role=Role.MEMBER.value)
        sleutel, geld, infra = (code_by_qualified_slug(c) for c in (SLEUTEL, GELD, INFRA))
        a1 = factories.ActivityFactory(collaboration=collab, title="Inspiratiemarkt",
                                       date_start=date(2023, 4, 1))
        a1.codes = [infra]
        a2 = factories.ActivityFactory(collaboration=collab, title="Dorpsondersteuner",
                                       date_start=date(2024, 1, 10), visibility="network")
        e1 = factories.EffectFactory(collaboration=collab, title="Sterker netwerk",
                                     date_start=date(2023, 6, 1), intended=True,
                                     valence="positive", evidence_kind="quote",
                                     evidence_text="We kennen elkaar nu <echt>.")
        e1.codes = [sleutel]
        e2 = factories.EffectFactory(collaboration=collab, title="Vrijwilligers melden zich",
                                     date_start=date(2024, 2, 1), intended=False,
                                     valence="mixed")
        e2.codes = [sleutel, geld]
        e3 = factories.EffectFactory(collaboration=collab, title="Vier medewerkers weg",
                                     date_start=date(2024, 5, 1), intended=None,
                                     valence="negative")
        e4 = factories.EffectFactory(collaboration=collab, title="Nieuwe burgergroep",
                                     date_start=date(2024, 9, 1), valence="positive")
        e5 = factories.EffectFactory(collaboration=collab, title="Los effect",
                                     date_start=date(2024, 10, 1), intended=None, valence=None)
        e6 = factories.EffectFactory(collaboration=collab, title="Weggegooid effect",
                                     date_start=date(2024, 3, 1))
        e7 = factories.EffectFactory(collaboration=collab, title="Gedeeld effect",
                                     date_start=date(2024, 4, 1), visibility="network")
        for cause, effect in ((a1, e1), (e1, e2), (a1, e3), (a2, e3), (e2, e4), (a1, e6),
                              (a2, e7)):
            ripples.add_link(cause, effect)
        ripples.delete_item(e6)
        db.session.commit()
        return {name: item.id for name, item in
                {"a1": a1, "a2": a2, "e1": e1, "e2": e2, "e3": e3, "e4": e4, "e5": e5,
                 "e6": e6, "e7": e7}.items()} | {"member_id": member.id}


@pytest.fixture
def world(app):
    return build_world(app)


def _scope(email: str, slug: str = "dorp", **kwargs) -> analysis_scope.Scope:
    from rem.accounts.models import User
    user = db.session.scalar(db.select(User).where(User.email == email))
    collab = db.session.scalar(db.select(Collaboration).where(Collaboration.slug == slug))
    return analysis_scope.Scope(collab.name, [collab], load_access(user), **kwargs)


def _counts(summary, measure) -> dict[str, int]:
    return {c.group: c.value for c in summary.measures[measure] if c.value}


def test_counts_match_the_hand_made_log(app, world):
    with app.test_request_context():
        result = analysis_counts.summarise(_scope("member@example.org"))
        assert (result.activities, result.effects) == (2, 6)  # the deleted effect is not there
        assert _counts(result, "effects_by_order") == {"1": 3, "2": 1, "3": 1, "unknown": 1}
        assert _counts(result, "effects_by_valence") == {"positive": 3, "negative": 1,
                                                         "mixed": 1, "unknown": 1}
        assert _counts(result, "effects_by_intended") == {"intended": 3, "unintended": 1,
                                                          "unknown": 2}
        assert _counts(result, "effects_by_code") == {SLEUTEL: 2, GELD: 1, "none": 4}
        assert _counts(result, "activities_by_code") == {INFRA: 1, "none": 1}
        assert _counts(result, "activities_by_period") == {"2023": 1, "2024": 1}
        assert _counts(result, "effects_by_period") == {"2023": 1, "2024": 5}
        quarters = analysis_counts.summarise(_scope("member@example.org"), "quarter")
        assert _counts(quarters, "effects_by_period") == {
            "2023-Q2": 1, "2024-Q1": 1, "2024-Q2": 2, "2024-Q3": 1, "2024-Q4": 1}
        assert quarters.valence_over_time.values[("2024-Q2", "negative")] == 1
        months = analysis_counts.summarise(_scope("member@example.org"), "month")
        assert _counts(months, "effects_by_period")["2024-05"] == 1


def test_a_review_year_counts_only_that_year_but_keeps_ripple_orders(app, world):
    with app.test_request_context():
        result = analysis_counts.summarise(_scope("member@example.org",
                                           date_from=date(2024, 1, 1),
                                           date_to=date(2024, 12, 31)))
        assert (result.activities, result.effects) == (1, 5)
        # Vrijwilligers (2024) grew from an effect of 2023: still the 2nd order.
        assert _counts(result, "effects_by_order") == {"1": 2, "2": 1, "3": 1, "unknown": 1}


def test_an_outsider_counts_only_what_is_shared(app, world):
    with app.test_request_context():
        result = analysis_counts.summarise(_scope("outsider@example.org"))
        assert (result.activities, result.effects) == (1, 1)
        ranking = analysis_reach.influence(_scope("outsider@example.org"))
        assert [(r.id, r.reach) for r in ranking] == [(world["a2"], 1)]
        assert analysis_reach.meeting_points(_scope("outsider@example.org")) == ([], 0)


def test_influence_ranks_reach_order_codes_and_meeting_points(app, world):
    with app.test_request_context():
        ranking = analysis_reach.influence(_scope("member@example.org"))
        meeting, total = analysis_reach.meeting_points(_scope("member@example.org"))
        assert total == 1 and analysis_reach.meeting_points(_scope("member@example.org"), 0)[1] == 1
        rows = [(r.id, r.reach, r.direct, r.longest_chain, r.codes) for r in ranking]
        assert rows == [(world["a1"], 4, 2, 3, sorted([SLEUTEL, GELD])),
                        (world["a2"], 2, 2, 1, [])]
        assert ranking[0].code_count == 2
        assert analysis_reach.longest_path(_scope("member@example.org"), world["a1"]) == [
            world["a1"], world["e1"], world["e2"], world["e4"]]
        assert [(m.id, [c for c, _t in m.causes]) for m in meeting] == [
            (world["e3"], sorted([world["a1"], world["a2"]]))]
        assert analysis_reach.without_cause(_scope("member@example.org")) == 1


def test_reach_table_agrees_with_a_plain_walk_on_a_random_dag():
    import functools
    import random

    from rem.ripples.graph import downstream
    rng = random.Random(7)
    nodes = set(range(1, 300))
    links = sorted({(a, b) for a in nodes for b in nodes if a < b and rng.random() < 0.02})
    codes = {node: 1 << rng.randrange(8) for node in nodes if rng.random() < 0.3}
    table = analysis_reach.reach_table(nodes, links, codes)
    forward: dict[int, list[int]] = {}
    for cause, effect in links:
        forward.setdefault(cause, []).append(effect)

    @functools.cache
    def longest(node: int) -> int:  # links of the longest chain from node (plain recursion)
        return max((1 + longest(e) for e in forward.get(node, ())), default=0)

    for node in nodes:
        down = downstream(node, links)
        reach, top, code_bits = table[node]
        assert reach == len(down)
        assert top == longest(node)
        expected_bits = 0
        for d in down:
            expected_bits |= codes.get(d, 0)
        assert code_bits == expected_bits
        # The chain follows links, is as long as the longest, and at each step takes the
        # lowest id among the effects that still allow the longest chain.
        path = analysis_reach.chain_from(node, links)
        assert path[0] == node and len(path) - 1 == longest(node)
        for cause, effect in zip(path, path[1:], strict=False):
            assert (cause, effect) in set(links)
            assert effect == min(e for e in forward[cause]
                                 if longest(e) == longest(cause) - 1)
    some = {1, 5, 200}
    assert set(analysis_reach.reach_table(nodes, links, codes, some)) == some


def test_longest_chain_counts_steps_from_the_activity_not_the_global_order(app):
    """A second activity reaches the middle of the first one's chain sooner: the far end's
    ripple order drops to 2, but the first activity's chain still has 3 steps, as the
    chain drawn from it shows."""
    with app.test_request_context():
        collab = factories.CollaborationFactory(slug="keten", name="Keten")
        member = factories.UserFactory(email="member@example.org")
        factories.MembershipFactory(user=member, collaboration_id=collab.id,
                                    role=Role.MEMBER.value)
        a1 = factories.ActivityFactory(collaboration=collab, title="Inloopochtend",
                                       date_start=date(2024, 1, 1))
        a2 = factories.ActivityFactory(collaboration=collab, title="Buurtavond",
                                       date_start=date(2024, 2, 1))
        x1, x2, x3 = (factories.EffectFactory(collaboration=collab, title=f"Effect {n}",
                                              date_start=date(2024, 3, n)) for n in (1, 2, 3))
        for cause, effect in ((a1, x1), (x1, x2), (x2, x3), (a2, x2)):
            ripples.add_link(cause, effect)
        db.session.commit()
        ids = {"a1": a1.id, "a2": a2.id, "x3": x3.id}
        scope = _scope("member@example.org", slug="keten")
        rows = {r.id: (r.reach, r.longest_chain) for r in analysis_reach.influence(scope)}
        assert rows == {ids["a1"]: (3, 3), ids["a2"]: (2, 2)}
        assert scope.graph()[2][ids["x3"]] == 2  # its ripple order: shortest from any activity
        assert len(analysis_reach.longest_path(scope, ids["a1"])) - 1 == 3
    client = app.test_client()
    login(client, "member@example.org")
    html = client.get("/collaborations/keten/influence").get_data(as_text=True)
    assert "Langste keten (stappen)" in html and "Hoogste orde" not in html
    cells = re.findall(r"<tr>\s*<td[^>]*><a [^>]*>Inloopochtend</a>.*?</tr>", html, re.S)
    assert len(cells) == 1 and re.findall(r"<td[^>]*>(\d+)</td>", cells[0])[:3] == ["3", "1", "3"]
    rows_csv = _csv(client.get("/collaborations/keten/influence.csv"))
    assert {r["title"]: r["longest_chain"] for r in rows_csv} == {"Inloopochtend": "3",
                                                                  "Buurtavond": "2"}
    assert 'id="orde"' in client.get("/help/").get_data(as_text=True)


def test_a_chain_ends_where_a_link_would_lead_back():
    # Links are kept free of cycles when they are made; should one slip in, the chain
    # still ends instead of walking round for ever.
    assert analysis_reach.chain_from(1, [(1, 2), (2, 3), (3, 1), (2, 4), (4, 5)]) == [1, 2, 4, 5]
    assert analysis_reach.chain_from(7, []) == [7]


def test_items_behind_every_number(app, world):
    with app.test_request_context():
        scope = _scope("member@example.org")
        result = analysis_counts.summarise(scope)
        for (period, part), value in result.valence_over_time.values.items():
            items, total = analysis_counts.items_behind(_scope("member@example.org"),
                                                 "effects_by_period_valence", f"{period}:{part}")
            assert total == value == len(items), (period, part)
        for measure, counts in result.measures.items():
            for count in counts:
                items, total = analysis_counts.items_behind(_scope("member@example.org"), measure,
                                                     count.group)
                assert total == count.value == len(items), (measure, count.group)
        with pytest.raises(analysis_scope.AnalysisError):
            analysis_counts.items_behind(scope, "effects_by_code", "borging:bestaat-niet")
        with pytest.raises(analysis_scope.AnalysisError):
            analysis_counts.items_behind(scope, "nonsense", "x")
        with pytest.raises(analysis_scope.AnalysisError):
            analysis_counts.items_behind(scope, "effects_by_period", "2024-13")
        with pytest.raises(analysis_scope.AnalysisError):
            analysis_counts.items_behind(scope, "effects_by_period_valence", "2024:vrolijk")


def test_summary_page_has_charts_tables_and_links(app, world):
    client = app.test_client()
    login(client, "member@example.org")
    page = client.get("/collaborations/dorp/analysis")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert body.count("<svg") >= 6 and "<title" in body
    assert "Inspiratiemarkt" in body  # the influence ranking
    link = re.search(r'href="(/collaborations/dorp/analysis/items\?measure=effects_by_code'
                     r'&amp;group=borging(:|%3A)sleutelpersonen)"', body)
    assert link, "a number should link to the items behind it"
    items = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Sterker netwerk" in items and "Vrijwilligers melden zich" in items
    assert "Nieuwe burgergroep" not in items
    assert "style=" not in body  # the CSP forbids inline styles
    quarter = client.get("/collaborations/dorp/analysis?period=quarter&year=2024")
    assert quarter.status_code == 200 and "2024" in quarter.get_data(as_text=True)


def test_bad_input_gets_a_friendly_answer(app, world):
    client = app.test_client()
    login(client, "member@example.org")
    empty = client.get("/collaborations/leeg/analysis")
    assert empty.status_code == 200
    assert "nog geen activiteiten of effecten om te tellen" in empty.get_data(as_text=True)
    nothing = client.get("/collaborations/dorp/analysis?year=1999")
    assert nothing.status_code == 200 and "In 1999 staat er niets" in nothing.get_data(
        as_text=True)
    odd = client.get("/collaborations/dorp/analysis?year=twintig&period=eeuw")
    assert odd.status_code == 200
    assert "Het jaar is niet te lezen" in odd.get_data(as_text=True)
    unknown = client.get("/collaborations/dorp/analysis/items?measure=effects_by_code"
                         "&group=borging:niets")
    assert unknown.status_code == 200 and "Deze code bestaat niet" in unknown.get_data(
        as_text=True)
    for path in ("/collaborations/leeg/influence", "/collaborations/leeg/analysis/growth",
                 "/collaborations/leeg/analysis.csv", "/collaborations/leeg/influence.csv",
                 "/collaborations/dorp/analysis/growth?upto=1850",
                 "/collaborations/dorp/analysis/new?from=gisteren",
                 "/collaborations/dorp/analysis/new?from=2025&to=2024",
                 "/collaborations/dorp/influence"):
        assert client.get(path).status_code == 200, path
    body = client.get("/collaborations/dorp/influence").get_data(as_text=True)
    assert "1 effect heeft nog geen oorzaak" in body


def _csv(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_analysis_csv_is_tidy(app, world):
    client = app.test_client()
    login(client, "member@example.org")
    rows = _csv(client.get("/collaborations/dorp/analysis.csv"))
    assert list(rows[0]) == ["measure", "group", "value"]
    tidy = {(r["measure"], r["group"]): int(r["value"]) for r in rows}
    assert tidy[("effects_by_code", GELD)] == 1
    assert tidy[("effects_by_order", "3")] == 1
    assert tidy[("items_by_kind", "effect")] == 6
    hub_slug = None
    with app.test_request_context():
        hub_slug = db.session.scalar(db.select(Collaboration).where(
            Collaboration.slug == "dorp")).hub.slug
    hub_rows = _csv(client.get(f"/hubs/{hub_slug}/analysis.csv"))
    hub = {(r["measure"], r["group"]): int(r["value"]) for r in hub_rows}
    assert hub[("items_by_kind", "effect")] == 6  # the other collaborations hold nothing


def test_influence_csv_reach_recomputed_from_the_export_links(app, world):
    """Reach in influence.csv equals a walk over the links of the JSON export."""
    import json
    from collections import defaultdict

    from tests.conftest import post
    client = app.test_client()
    login(client, "member@example.org")
    rows = _csv(client.get("/collaborations/dorp/influence.csv"))
    assert list(rows[0]) == ["id", "title", "reach", "longest_chain", "codes"]
    export = post(client, "/collaborations/dorp/export", {"format": "json"},
                  token_from="/collaborations/dorp/export")
    doc = json.loads(export.data)
    forward = defaultdict(set)
    for link in doc["links"]:
        forward[link["cause_id"]].add(link["effect_id"])
    exported_ids = {item["id"] for item in doc["items"]}

    def longest(node: int) -> int:
        return max((1 + longest(e) for e in forward[node]), default=0)

    for row in rows:
        assert int(row["id"]) in exported_ids
        seen, stack = set(), [int(row["id"])]
        while stack:
            for nxt in forward[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        assert int(row["reach"]) == len(seen), row
        assert int(row["longest_chain"]) == longest(int(row["id"]))
    assert {int(r["id"]) for r in rows} == {world["a1"], world["a2"]}


def test_map_highlight_marks_an_activity_and_its_ripples(app, world):
    client = app.test_client()
    login(client, "member@example.org")
    dot = client.get(f"/collaborations/dorp/map.dot?highlight={world['a1']}").get_data(
        as_text=True)
    marked = {int(n) for n in re.findall(r'item(\d+) \[[^\]]*peripheries=2', dot)}
    assert marked == {world["a1"], world["e1"], world["e2"], world["e3"], world["e4"]}
    assert dot.count("class=highlight") == 4  # a1->e1, e1->e2, a1->e3, e2->e4
    page = client.get(f"/collaborations/dorp/map?highlight={world['a1']}").get_data(
        as_text=True)
    assert "Gemarkeerd" in page and "4 items die eruit groeiden" in page
    plain = client.get("/collaborations/dorp/map.dot").get_data(as_text=True)
    assert "peripheries" not in plain and "highlight" not in plain
    odd = client.get("/collaborations/dorp/map?highlight=abc").get_data(as_text=True)
    assert "niet te lezen" in odd
    gone = client.get(f"/collaborations/dorp/map?highlight={world['e6']}").get_data(
        as_text=True)
    assert "staat niet op deze kaart" in gone


def test_map_through_time_steps_year_by_year(app, world):
    client = app.test_client()
    login(client, "member@example.org")
    first = client.get("/collaborations/dorp/analysis/growth?upto=2023")
    body = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "Tot en met 2023: 2 items, waarvan 2 nieuw." in body
    assert "upto=2024" in body  # the "next" link works without JavaScript
    assert "Vrijwilligers" not in body.split('id="new-heading"')[1]
    last = client.get("/collaborations/dorp/analysis/growth").get_data(as_text=True)
    assert "Tot en met 2024: 8 items, waarvan 6 nieuw." in last
    assert 'class="node ripple effect' in last and "highlight" in last
    quarters = client.get("/collaborations/dorp/analysis/growth?unit=quarter&upto=2024-Q2")
    body = quarters.get_data(as_text=True)
    assert "Tot en met 2e kwartaal 2024: 6 items, waarvan 2 nieuw." in body
    assert "upto=2024-Q1" in body and "upto=2024-Q3" in body


def test_new_between_two_dates(app, world):
    client = app.test_client()
    login(client, "member@example.org")
    body = client.get("/collaborations/dorp/analysis/new?from=2024-04&to=2024-09").get_data(
        as_text=True)
    assert "Gedeeld effect" in body and "Vier medewerkers weg" in body
    assert "Nieuwe burgergroep" in body and "Los effect" not in body
    assert "Weggegooid effect" not in body


def test_exchange_analysis_counts_only_network_items_on_the_theme(app, world):
    from rem.exchanges.models import LearningExchange
    with app.test_request_context():
        collab = db.session.scalar(db.select(Collaboration).where(Collaboration.slug == "dorp"))
        other = db.session.scalar(db.select(Collaboration).where(Collaboration.slug == "elders"))
        exchange = LearningExchange(title="Uitwisseling", participants=[collab, other])
        db.session.add(exchange)
        db.session.commit()
        exchange_id = exchange.id
    client = app.test_client()
    login(client, "member@example.org")
    body = client.get(f"/exchanges/{exchange_id}/analysis").get_data(as_text=True)
    assert "Dorpsondersteuner" in body and "Inspiratiemarkt" not in body
    items = client.get(f"/exchanges/{exchange_id}/analysis/items?measure=items_by_kind"
                       "&group=effect").get_data(as_text=True)
    assert "Gedeeld effect" in items and "Sterker netwerk" not in items


def test_remembered_results_follow_every_change(app, world):
    """The memo never shows stale numbers: items, links, codes and deletes change the tag."""
    from rem.core.dates import FuzzyDate, Precision
    from rem.ripples.models import Kind, RippleItem

    def counts():
        scope = _scope("member@example.org")
        return analysis_counts.summarise(scope), analysis_reach.influence(scope)

    with app.test_request_context():
        result, ranking = counts()
        assert _counts(result, "effects_by_code")[GELD] == 1 and ranking[0].reach == 4
        e4 = db.session.get(RippleItem, world["e4"])
        geld = code_by_qualified_slug(GELD)
        ripples.update_item(e4, ripples.ItemInput(
            title=e4.title, when=FuzzyDate(e4.date_start, Precision.DAY), valence="positive",
            intended=True, code_ids=[geld.id]), e4.version)
        db.session.commit()
        result, ranking = counts()
        assert _counts(result, "effects_by_code")[GELD] == 2  # a change of codes alone
        e5 = db.session.get(RippleItem, world["e5"])
        ripples.add_link(db.session.get(RippleItem, world["e4"]), e5)
        db.session.commit()
        result, ranking = counts()
        assert ranking[0].reach == 5 and _counts(result, "effects_by_order")["4"] == 1
        ripples.delete_item(db.session.get(RippleItem, world["e2"]))
        db.session.commit()
        result, ranking = counts()
        assert ranking[0].reach == 2  # e1 and e3 remain; e4 and e5 hung on e2
        assert result.effects == 5
        new = ripples.create_item(db.session.get(RippleItem, world["a1"]).collaboration,
                                  Kind.EFFECT, ripples.ItemInput(
                                      title="Nieuw", when=FuzzyDate(date(2024, 11, 1),
                                                                    Precision.MONTH)))
        db.session.commit()
        assert counts()[0].effects == 6 and new.id


def test_a_change_in_one_collaboration_makes_only_its_part_again(app, world, monkeypatch):
    """Parts are remembered per collaboration: after a change in one collaboration of a
    hub only that one is counted again, and the hub's numbers equal a fresh count."""
    from rem.accounts.models import User
    from rem.ripples.models import Kind, RippleItem

    made: list[list[int]] = []
    real = analysis_counts._summary_parts

    def recording(scope, ids):
        made.append(sorted(ids))
        return real(scope, ids)

    monkeypatch.setattr(analysis_counts, "_summary_parts", recording)

    def hub_scope():
        admin = db.session.scalar(db.select(User).where(User.email == "admin@example.org"))
        collaborations = list(db.session.scalars(db.select(Collaboration)
                                                 .order_by(Collaboration.id)))
        return analysis_scope.Scope("hub", collaborations, load_access(admin))

    def fresh():
        analysis_scope._MEMO.clear()
        scope = hub_scope()
        return (analysis_counts.csv_rows(analysis_counts.summarise(scope)),
                [(r.id, r.reach, r.longest_chain, r.codes)
                 for r in analysis_reach.influence(scope)],
                analysis_reach.without_cause(scope))

    with app.test_request_context():
        admin = factories.UserFactory(email="admin@example.org", is_admin=True)
        db.session.commit()
        elders = db.session.scalar(db.select(Collaboration).where(Collaboration.slug == "elders"))
        fresh()
        made.clear()
        scope = hub_scope()
        analysis_counts.summarise(scope)
        assert made == []  # nothing changed: every part, and the sum, remembered
        activity = ripples.create_item(elders, Kind.ACTIVITY, ripples.ItemInput(
            title="Buurtfeest", when=FuzzyDate(date(2024, 6, 1), Precision.DAY)))
        effect = ripples.create_item(elders, Kind.EFFECT, ripples.ItemInput(
            title="Nieuwe buren doen mee", when=FuzzyDate(date(2024, 7, 1), Precision.MONTH)))
        ripples.add_link(activity, effect)
        db.session.commit()
        scope = hub_scope()
        after = (analysis_counts.csv_rows(analysis_counts.summarise(scope)),
                 [(r.id, r.reach, r.longest_chain, r.codes)
                 for r in analysis_reach.influence(scope)],
                 analysis_reach.without_cause(scope))
        assert made == [[elders.id]]
        assert after == fresh()
        assert (activity.id, 1, 1, []) in after[1]
        assert admin.id and db.session.get(RippleItem, effect.id)


def test_new_between_two_sessions(app, world):
    from rem.ripples.models import RippleItem
    from rem.workshops import services as sessions

    with app.test_request_context():
        collab = db.session.scalar(db.select(Collaboration).where(Collaboration.slug == "dorp"))
        first = sessions.create_workshop(collab, sessions.WorkshopInput(
            title="Voorjaarssessie", held_on=date(2024, 3, 1), focus_question="Wat?"))
        second = sessions.create_workshop(collab, sessions.WorkshopInput(
            title="Najaarssessie", held_on=date(2024, 9, 30), focus_question="Wat nog meer?"))
        # Told in the second session, though it happened earlier (before the first session).
        db.session.get(RippleItem, world["e1"]).session_id = second.id
        db.session.commit()
        ids = (first.id, second.id)
    client = app.test_client()
    login(client, "member@example.org")
    body = client.get(f"/collaborations/dorp/analysis/new?since_session={ids[0]}"
                      f"&until_session={ids[1]}").get_data(as_text=True)
    assert "Nieuw na “Voorjaarssessie” tot en met “Najaarssessie”" in body
    for title in ("Vier medewerkers weg", "Gedeeld effect", "Nieuwe burgergroep",
                  "Sterker netwerk"):
        assert title in body, title
    assert "Vrijwilligers melden zich" not in body and "Los effect" not in body
    wrong = client.get("/collaborations/dorp/analysis/new?since_session=999999&until_session=1")
    assert "Kies twee sessies" in wrong.get_data(as_text=True)


def test_code_names_on_the_summary_follow_the_readers_language(app, world):
    from rem.accounts.models import User
    from tests.test_translations import _compile_catalogues

    _compile_catalogues(app)
    with app.app_context():
        db.session.scalar(sa.select(User).where(User.email == "member@example.org")
                          ).locale = "en"
        db.session.commit()
    client = app.test_client()
    login(client, "member@example.org")
    body = client.get("/collaborations/dorp/analysis").get_data(as_text=True)
    assert "Key persons" in body and "Sleutelpersonen" not in body


def test_a_count_table_escapes_what_it_shows_and_links_only_numbers():
    from rem.analysis.count_tables import count_table
    from rem.analysis.counts import Count

    html = count_table('Codes <b>"x"</b>', "effects_by_code",
                       [Count('a"b', "<script>alert(1)</script> & co", 3),
                        Count("none", "Zonder code", 0)],
                       lambda measure, group: f"/items?measure={measure}&group={group}",
                       "Groep", "Aantal")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert '<caption class="visually-hidden">Codes &lt;b&gt;&#34;x&#34;&lt;/b&gt;</caption>' in html
    assert '<a href="/items?measure=effects_by_code&amp;group=a&#34;b">3</a>' in html
    assert "<td>Zonder code</td>\n        <td>0</td>" in html
