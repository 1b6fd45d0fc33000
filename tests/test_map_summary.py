"""Maps with more items than REM_MAP_MAX_NODES: a summarised map by period and code."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from datetime import date

import pytest
import sqlalchemy as sa

from rem.access import Access
from rem.codes.services import code_by_qualified_slug
from rem.core.dates import parse_iso
from rem.extensions import db
from rem.maps import builder, renderer
from rem.maps import filters as filters_module
from rem.maps.model import SummaryGroup, SummaryMap
from rem.ripples import services
from tests import factories
from tests.conftest import login

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")


@pytest.fixture(autouse=True)
def _map_cache(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "REM_MAP_CACHE_DIR", str(tmp_path / "map-cache"))


def _world(app) -> dict:
    """A log over 2021-2024: 2 activities, 6 effects with codes, links inside and across."""
    with app.app_context():
        collab = factories.CollaborationFactory(slug="groot", name="Groot verband")
        factories.UserFactory(email="admin@example.org", is_admin=True)
        sleutel = code_by_qualified_slug("borging:sleutelpersonen")
        other = code_by_qualified_slug("bestuursstijlen:faciliterend")
        a1 = factories.ActivityFactory(collaboration=collab, title="Markt",
                                       date_start=date(2021, 3, 1))
        a2 = factories.ActivityFactory(collaboration=collab, title="Tweede markt",
                                       date_start=date(2024, 3, 1))
        effects = []
        for n, (year, code) in enumerate([(2021, sleutel), (2021, sleutel), (2021, None),
                                          (2024, sleutel), (2024, other), (2024, None)]):
            effect = factories.EffectFactory(collaboration=collab, title=f"Effect {n}",
                                             date_start=date(year, 6, 1))
            effect.codes = [code] if code else []
            effects.append(effect)
        for cause, effect in [(a1, effects[0]), (a1, effects[1]), (a1, effects[2]),
                              (effects[0], effects[1]), (effects[0], effects[3]),
                              (effects[1], effects[3]), (a2, effects[4]), (a2, effects[5])]:
            services.add_link(cause, effect)
        db.session.commit()
        return {"sleutel": sleutel.name, "other": other.name}


def _summary(app, monkeypatch, max_nodes=3, **filters):
    with app.test_request_context("/"):
        collaboration = db.session.scalar(sa.select(builder.Collaboration)
                                          .where(builder.Collaboration.slug == "groot"))
        built = builder.build_map(collaboration, filters_module.MapFilters(**filters),
                                  Access(user_id=None, is_admin=True), max_nodes=max_nodes)
        return built


def test_small_maps_are_built_as_before(app, monkeypatch):
    _world(app)
    built = _summary(app, monkeypatch, max_nodes=100)
    assert built.summary is None and built.too_many == 0 and len(built.map.nodes) == 8


def test_groups_by_period_and_first_code_with_counted_links(app, monkeypatch):
    names = _world(app)
    built = _summary(app, monkeypatch)
    summary = built.summary
    assert built.too_many == 8 and built.map.nodes == [] and summary.item_count == 8
    groups = {(g.period, g.label): g for g in summary.groups}
    assert groups["2021", "Activiteiten"].count == 1
    assert groups["2021", names["sleutel"]].count == 2
    assert groups["2021", "Zonder code"].count == 1
    assert groups["2024", names["other"]].count == 1
    assert groups["2021", "Activiteiten"].count_label == "1 activiteit"
    assert groups["2021", names["sleutel"]].count_label == "2 effecten"
    assert sum(g.count for g in summary.groups) == 8
    assert summary.link_count == 8
    # effect 0 -> effect 1 stays inside the 2021 code group: counted, not drawn.
    assert summary.inner_links == 1
    key = {(g.period, g.label): g.key for g in summary.groups}
    edges = {(a, b): n for a, b, n in summary.edges}
    assert edges[key["2021", "Activiteiten"], key["2021", names["sleutel"]]] == 2
    assert edges[key["2021", names["sleutel"]], key["2024", names["sleutel"]]] == 2
    assert sum(edges.values()) + summary.inner_links == summary.link_count
    # Two empty years in a row are one marked column.
    assert summary.periods == ["2021", "2022 – 2023 (niets)", "2024"]
    assert summary.title == "Samengevatte rimpelkaart Groot verband"


def test_too_many_groups_fall_back_to_codebooks_then_kinds(app, monkeypatch):
    _world(app)
    monkeypatch.setattr(builder, "MAX_SUMMARY_GROUPS", 5)
    summary = _summary(app, monkeypatch).summary
    assert summary.grouping in ("codebook", "kind") and len(summary.groups) <= 5
    monkeypatch.setattr(builder, "MAX_SUMMARY_GROUPS", 4)
    summary = _summary(app, monkeypatch).summary
    assert summary.grouping == "kind"
    assert {g.label for g in summary.groups} == {"Activiteiten", "Effecten"}


def test_filters_apply_before_the_limit(app, monkeypatch):
    _world(app)
    built = _summary(app, monkeypatch, max_nodes=3, date_from=parse_iso("2024"))
    assert built.too_many == 4 and built.summary.item_count == 4
    assert built.summary.title.endswith("(gefilterd: vanaf 2024)")
    assert _summary(app, monkeypatch, max_nodes=4, date_from=parse_iso("2024")
                    ).summary is None


def test_strongest_edges_are_kept(app, monkeypatch):
    _world(app)
    monkeypatch.setattr(builder, "MAX_SUMMARY_EDGES", 1)
    summary = _summary(app, monkeypatch).summary
    assert len(summary.edges) == 1 and summary.edges[0][2] == 2
    assert summary.hidden_edges >= 1


@needs_dot
def test_the_page_shows_the_message_the_summarised_map_and_a_table(app, client, monkeypatch):
    _world(app)
    monkeypatch.setitem(app.config, "REM_MAP_MAX_NODES", 3)
    login(client, "admin@example.org")
    for layout in ("timeline", "radial"):
        r = client.get(f"/collaborations/groot/map?layout={layout}")
        body = r.get_data(as_text=True)
        assert r.status_code == 200
        assert "te groot om te tekenen (8 items)" in body
        assert re.search(r'id="summary(-|&#45;)map"', body)
        assert 'class="summary-table"' in body and "Zonder code" in body
        assert "Samengevatte rimpelkaart Groot verband: 8 items" in body
        assert 'id="item-' not in body and "Zonder oorzaak" not in body
    for fmt in ("svg", "png", "pdf"):
        r = client.get(f"/collaborations/groot/map.{fmt}")
        assert r.status_code == 503 and "te groot" in r.get_data(as_text=True)
    r = client.get("/collaborations/groot/map.dot")
    assert r.status_code == 200 and r.data.count(b"item") >= 8


HOSTILE = ['"]; x [label="y', "<b>html</b>", "\\N \\G back\\slash\\", "line\nbreak\x00",
           "&amp; &#65;", "emoji 😀 ∑"]


@needs_dot
@pytest.mark.parametrize("text", HOSTILE)
def test_summary_labels_are_drawn_literally(text):
    groups = [SummaryGroup(key="g0", period=text, kind="activity", label=text,
                           count_label="1 activiteit", count=1),
              SummaryGroup(key="g1", period="2024", kind="effect", label=text,
                           count_label="3 effecten", count=3)]
    summary = SummaryMap(title=text, groups=groups, edges=[("g0", "g1", 3)],
                         periods=[text, "2024"], item_count=4, link_count=3)
    svg = renderer.render(renderer.summary_to_dot(summary), "dot", "svg", 30)
    root = ET.fromstring(svg)  # noqa: S314 - our own Graphviz output
    ns = "{http://www.w3.org/2000/svg}"
    texts = [" ".join((t.text or "").split()) for t in root.iter(f"{ns}text")]
    expected = renderer.clean_text(text)
    assert any(expected[:20] in t for t in texts), texts
    nodes = [g for g in root.iter(f"{ns}g") if "summary-group" in (g.get("class") or "")]
    assert len(nodes) == 2
    assert "3" in texts  # the edge's count
