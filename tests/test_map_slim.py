"""The map page's slimmed drawing (rem.maps.svg.slim_svg) and the large map whose drawing
comes after the page (issue 16: the page of a 1,000-node map under 700 KB of HTML)."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from benchmarks.generate import insert_logs, plan_log
from rem.codes.models import Code
from rem.extensions import db
from rem.maps import drawing
from rem.maps.builder import build_map
from rem.maps.filters import MapFilters, MapOptions
from rem.ripples import services
from tests import factories
from tests.conftest import login

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
INHERITED = ("font-family", "font-size", "text-anchor")


@pytest.fixture(autouse=True)
def _map_cache(app, tmp_path, monkeypatch):
    """Give every test its own render cache, away from the instance folder."""
    monkeypatch.setitem(app.config, "REM_MAP_CACHE_DIR", str(tmp_path / "map-cache"))


def _small_world(app) -> dict:
    """A small map with an activity, effects, a link, a code and a long description."""
    with app.app_context():
        factories.UserFactory(email="admin@example.org", is_admin=True)
        collab = factories.CollaborationFactory(slug="dorp", name="Achterveld")
        markt = factories.ActivityFactory(collaboration=collab, title="Inspiratiemarkt",
                                          date_start=date(2023, 4, 1))
        netwerk = factories.EffectFactory(
            collaboration=collab, title="Sterker netwerk van vrijwilligers in de wijk",
            date_start=date(2023, 6, 1), intended=True, valence="positive",
            description="Volgens de buurtwerkers kwam dit door de markt.\nTweede regel.")
        netwerk.codes = [db.session.scalars(sa.select(Code).order_by(Code.id)).first()]
        los = factories.EffectFactory(collaboration=collab, title="Los effect",
                                      date_start=date(2024, 9, 1), valence="negative")
        services.add_link(markt, netwerk)
        db.session.commit()
        return {"markt": markt.id, "netwerk": netwerk.id, "los": los.id}


def _generated(app, items: int, slug: str) -> None:
    """A collaboration of ``items`` items as benchmarks/generate.py makes them."""
    with app.app_context():
        factories.UserFactory(email="admin@example.org", is_admin=True)
        collaboration = factories.CollaborationFactory(slug=slug)
        code_ids = list(db.session.scalars(sa.select(Code.id).order_by(Code.id)))
        activities = max(5, items // 12)
        plan = plan_log(random.Random(16), collaboration.id, activities, items - activities,
                        date(2020, 1, 1), date(2025, 6, 1), code_ids, datetime.now(UTC))
        insert_logs(db.session.connection(), [plan], datetime.now(UTC))
        db.session.commit()


def _both(app, slug: str, layout: str) -> tuple[str, str, int]:
    """Return the map's drawing as the page had it before (not slimmed) and slimmed, and
    its number of items."""
    from rem.access import Access  # noqa: PLC0415 - only this helper needs it
    from rem.collaborations.models import Collaboration  # noqa: PLC0415

    with app.test_request_context():
        collaboration = db.session.scalar(sa.select(Collaboration).where(
            Collaboration.slug == slug))
        built = build_map(collaboration, MapFilters(), Access(user_id=None, is_admin=True),
                          options=MapOptions(layout=layout))
        full = drawing.svg(built.map, layout, 60)
        slim = drawing.svg(built.map, layout, 60, slim=True)
        return full, slim, len(built.map.nodes)


def _effective(element: ET.Element, root: ET.Element, name: str) -> str | float | None:
    value = element.get(name, root.get(name))
    return float(value) if name == "font-size" and value is not None else value


@pytest.mark.parametrize("layout", ["timeline", "radial"])
def test_the_slimmed_drawing_keeps_what_the_scripts_and_screen_readers_read(app, layout):
    """Every id, class, link, tooltip and text stays, each text with the same font and
    anchor (its own or the <svg>'s); the page's title and description stay; what goes is
    the repeated font attributes, the a_ groups and the line breaks between tags."""
    ids = _small_world(app)
    full, slim, _count = _both(app, "dorp", layout)
    assert len(slim) < len(full)
    before, after = ET.fromstring(full), ET.fromstring(slim)  # noqa: S314 - our own SVG

    def by_id(root):
        return {el.get("id"): el for el in root.iter() if el.get("id")
                and not el.get("id").startswith("a_")}

    old, new = by_id(before), by_id(after)
    assert set(old) == set(new)
    for key, element in old.items():
        assert new[key].tag == element.tag and new[key].get("class") == element.get("class")
    for item_id in ids.values():
        node = new[f"item-{item_id}"]
        assert "node" in node.get("class").split() and "ripple" in node.get("class").split()
        link = node.find(f"{SVG}a")  # the <a> right inside the node's <g> now
        assert link is not None
        assert link.get(f"{XLINK}href") == f"/collaborations/dorp/items/{item_id}"
    tooltip = new[f"item-{ids['netwerk']}"].find(f"{SVG}a").get(f"{XLINK}title")
    lines = tooltip.split("\n")
    assert lines[0] == "Sterker netwerk van vrijwilligers in de wijk"
    assert lines[1] == "juni 2023" and "Volgens de buurtwerkers" in tooltip
    assert f"link-{ids['markt']}-{ids['netwerk']}" in new
    assert "edge" in new[f"link-{ids['markt']}-{ids['netwerk']}"].get("class")

    def links(root):
        return [(a.get(f"{XLINK}href"), a.get(f"{XLINK}title")) for a in root.iter(f"{SVG}a")]

    assert links(after) == links(before)

    def texts(root):
        return [(t.text, *(_effective(t, root, name) for name in INHERITED), t.get("x"),
                 t.get("y"), t.get("fill")) for t in root.iter(f"{SVG}text")]

    assert texts(after) == texts(before) and texts(after)
    # Accessibility: the drawing's own title and description, no Graphviz node titles.
    assert after.get("role") == "graphics-document"
    assert after.get("aria-labelledby") == "map-title"
    assert after.find(f"{SVG}title").get("id") == "map-title"
    assert after.find(f"{SVG}desc").get("id") == "map-desc"
    assert len(list(after.iter(f"{SVG}title"))) == 1
    assert after.get("font-family") and after.get("text-anchor") == "middle"
    assert "font-family" not in slim[slim.index(">") + 1:]
    assert '<g id="a_' not in slim and ">\n<" not in slim


def test_slimming_a_drawing_twice_changes_nothing(app):
    from rem.maps.svg import slim_svg  # noqa: PLC0415

    _small_world(app)
    _full, slim, _count = _both(app, "dorp", "timeline")
    assert slim_svg(slim) == slim


@pytest.mark.parametrize("layout", ["timeline", "radial"])
def test_a_generated_map_is_drawn_in_fewer_bytes_per_item(app, layout):
    """On a map of the benchmark's kind (300 items), the page's drawing has fewer than
    1,500 bytes per item; Graphviz's own (the page's before) has more than that."""
    _generated(app, 300, "kaart-300")
    full, slim, count = _both(app, "kaart-300", layout)
    assert count == 300
    assert len(full.encode()) / count > 1_500
    assert len(slim.encode()) / count < 1_500


def test_the_page_of_a_1000_item_map_is_small_and_loads_its_drawing_after_itself(
        app, client):
    """Above REM_MAP_INLINE_NODES the page has no drawing inside (a place for it, with a
    plain link to it) and stays under 700 KB; the drawing comes from /map/drawing with the
    same filters, as SVG."""
    _generated(app, 1000, "kaart-1000")
    login(client, "admin@example.org")
    assert app.config["REM_MAP_INLINE_NODES"] < 1000
    for layout in ("timeline", "radial"):
        response = client.get(f"/collaborations/kaart-1000/map?layout={layout}&valence=")
        body = response.get_data(as_text=True)
        assert response.status_code == 200
        assert len(response.data) < 700_000, (layout, len(response.data))
        assert 'class="node ripple' not in body and 'id="map-data"' in body
        url = re.search(r'data-drawing-url="([^"]+)"', body).group(1)
        assert f"layout={layout}" in url
        assert re.search(r'<a href="' + re.escape(url) + r'" data-no-js>', body)
    drawn = client.get(url.replace("&amp;", "&"))
    assert drawn.status_code == 200 and drawn.mimetype == "image/svg+xml"
    svg = drawn.get_data(as_text=True)
    assert svg.startswith("<svg") and svg.count('class="node ripple') == 1000
    assert 'id="ring&#45;1"' in svg  # the radial layout, as asked
    ET.fromstring(svg)  # noqa: S314 - ours; a document of its own, opens without the page


def test_a_smaller_map_keeps_its_slimmed_drawing_inside_the_page(app, client):
    ids = _small_world(app)
    login(client, "admin@example.org")
    body = client.get("/collaborations/dorp/map").get_data(as_text=True)
    assert "data-drawing-url" not in body
    assert f'<g id="item&#45;{ids["los"]}" class="node ripple' in body
    opening = re.search(r"<svg [^>]*>", body[body.index('class="map-frame'):]).group(0)
    assert 'text-anchor="middle"' in opening and '<g id="a_' not in body


def test_the_drawing_alone_says_why_it_cannot_be_drawn(app, client, monkeypatch):
    _small_world(app)
    login(client, "admin@example.org")
    assert client.get("/collaborations/dorp/map/drawing?to=2000").status_code == 404
    monkeypatch.setattr("shutil.which", lambda _name: None)
    response = client.get("/collaborations/dorp/map/drawing")
    assert response.status_code == 503 and "Graphviz" in response.get_data(as_text=True)
