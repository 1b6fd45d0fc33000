"""Every map URL parameter (granularity, color_by, size_by, theme, focus, paper, width),
theme clusters and ring labels in the SVG, absolute links, attachments, DOT that
reproduces the picture, filtered titles, saved views, themes and their exports."""

from __future__ import annotations

import base64
import html
import json
import math
import re
import shutil
import subprocess
import zipfile
import zlib
from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa
from PIL import Image

from rem.accounts.models import Role
from rem.codes.services import code_by_qualified_slug
from rem.core.pdf import available as pdf_available
from rem.extensions import db
from rem.maps import paper, radial, renderer
from rem.maps.models import SavedView
from rem.ripples import services
from rem.themes import services as themes
from rem.themes.models import Theme
from tests import factories
from tests.conftest import csrf_token, login, post

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")


@pytest.fixture(autouse=True)
def _map_cache(app, tmp_path, monkeypatch):
    """Give every test its own render cache."""
    monkeypatch.setitem(app.config, "REM_MAP_CACHE_DIR", str(tmp_path / "map-cache"))


def _world(app) -> dict:
    """A collaboration with three generations of ripples, two themes and a facilitator."""
    with app.test_request_context():
        collab = factories.CollaborationFactory(slug="dorp", name="Achterveld")
        facilitator = factories.UserFactory(email="fac@example.org")
        member = factories.UserFactory(email="member@example.org")
        db.session.flush()
        factories.MembershipFactory(user=facilitator, collaboration_id=collab.id,
                                    role=Role.FACILITATOR.value)
        factories.MembershipFactory(user=member, collaboration_id=collab.id,
                                    role=Role.MEMBER.value)
        markt = factories.ActivityFactory(collaboration=collab, title="Inspiratiemarkt",
                                          date_start=date(2024, 3, 1))
        netwerk = factories.EffectFactory(collaboration=collab, title="Sterker netwerk",
                                          date_start=date(2024, 4, 1), valence="positive")
        netwerk.codes = [code_by_qualified_slug("borging:sleutelpersonen")]
        vrijwilligers = factories.EffectFactory(collaboration=collab, title="Vrijwilligers",
                                                date_start=date(2024, 6, 1), valence="mixed")
        stichting = factories.EffectFactory(collaboration=collab, title="Een stichting",
                                            date_start=date(2025, 2, 1), valence="positive")
        services.add_link(markt, netwerk)
        services.add_link(netwerk, vrijwilligers)
        services.add_link(vrijwilligers, stichting)
        samen = themes.create_theme(collab, "Samen sterk")
        geld = themes.create_theme(collab, "Geld & \"borging\"")
        themes.add_items(samen, [netwerk, vrijwilligers])
        themes.add_items(geld, [vrijwilligers, stichting])
        db.session.commit()
        return {"markt": markt.id, "netwerk": netwerk.id, "vrijwilligers": vrijwilligers.id,
                "stichting": stichting.id, "samen": samen.id, "geld": geld.id,
                "collab": collab.id}


def _pdf_links(data: bytes) -> list[bytes]:
    """Return the targets of the links in a PDF (its streams are compressed)."""
    return re.findall(rb"/URI\s*\(([^)]*)\)", _pdf_text(data).encode("latin-1"))


def _pdf_text(data: bytes) -> str:
    """Return the PDF's objects as text, its compressed streams unpacked."""
    parts = [data.decode("latin-1")]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            parts.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(parts)


def _get(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    return response


# --- granularity, colour, size ----------------------------------------------------------


@needs_dot
@pytest.mark.parametrize("granularity,first,gap", [
    ("year", "2024", None),
    ("quarter", "1e kwartaal 2024", "3e kwartaal 2024 – 4e kwartaal 2024 (niets)"),
    ("month", "maart 2024", "juli 2024 – januari 2025 (niets)"),
])
def test_granularity_sets_the_columns_and_compresses_gaps(app, client, granularity, first,
                                                          gap):
    _world(app)
    login(client, "member@example.org")
    svg = _get(client, f"/collaborations/dorp/map.svg?granularity={granularity}").get_data(
        as_text=True)
    columns = [" ".join(re.findall(r">([^<]+)</text>", g)) for g in re.findall(
        r'<g id="period[^"]*" class="node period[^"]*">(.*?)</g>', svg, re.S)]
    assert columns[0] == first
    if gap:
        assert gap in columns and 'class="node period gap"' in svg
    # The page remembers the choice in its links, and says what it chose by itself.
    page = _get(client, f"/collaborations/dorp/map?granularity={granularity}").get_data(
        as_text=True)
    assert f"granularity={granularity}" in page
    assert 'name="granularity"' in _get(client, "/collaborations/dorp/map").get_data(
        as_text=True)


def test_bad_options_fall_back_on_the_page_and_are_refused_on_downloads(app, client):
    _world(app)
    login(client, "member@example.org")
    for query in ("granularity=week", "color_by=rainbow", "size_by=weight", "layout=spiral"):
        page = client.get(f"/collaborations/dorp/map?{query}")
        assert page.status_code == 200
        assert 'class="notice notice-warning"' in page.get_data(as_text=True)
        assert client.get(f"/collaborations/dorp/map.svg?{query}").status_code == 400
    for query in ("paper=a5", "width=12", "width=abc"):
        assert client.get(f"/collaborations/dorp/map.pdf?{query}").status_code == 400


@needs_dot
@pytest.mark.parametrize("color_by,legend_text", [
    ("code", "Sleutelpersonen"), ("theme", "Samen sterk"), ("order", "2e orde"),
])
def test_color_by_fills_the_nodes_and_the_legend(app, client, color_by, legend_text):
    ids = _world(app)
    login(client, "member@example.org")
    plain = _get(client, "/collaborations/dorp/map.dot").get_data(as_text=True)
    coloured = _get(client, f"/collaborations/dorp/map.dot?color_by={color_by}").get_data(
        as_text=True)
    fill = re.compile(rf'item{ids["netwerk"]} \[.*?fillcolor="?(#[0-9a-f]{{6}})')
    assert fill.search(plain).group(1) != fill.search(coloured).group(1)
    assert legend_text in coloured and "legend_colour0" in coloured
    page = _get(client, f"/collaborations/dorp/map?color_by={color_by}").get_data(as_text=True)
    assert 'class="map-legend"' in page and legend_text in page


@needs_dot
def test_size_by_reach_makes_activities_larger_and_says_their_reach(app, client):
    ids = _world(app)
    login(client, "member@example.org")
    dot = _get(client, "/collaborations/dorp/map.dot?size_by=reach").get_data(as_text=True)
    node = re.compile(rf"\bitem{ids['markt']} \[label=.*")
    line = node.search(dot).group(0)
    assert "bereik: 3 effecten" in line and "fontsize=22.0" in line
    plain = _get(client, "/collaborations/dorp/map.dot").get_data(as_text=True)
    assert "fontsize" not in node.search(plain).group(0)


# --- themes on the map ------------------------------------------------------------------


@needs_dot
def test_themes_are_labelled_clusters_on_the_timeline_and_bands_everywhere(app, client):
    ids = _world(app)
    login(client, "member@example.org")
    svg = _get(client, "/collaborations/dorp/map.svg").get_data(as_text=True)
    assert f'id="theme&#45;{ids["samen"]}" class="cluster theme"' in svg
    assert "Samen sterk" in svg and "Geld &amp; &quot;borging&quot;" in svg
    # An effect in two themes: in the first theme's cluster, with a band for each theme.
    group = re.search(rf'<g id="item&#45;{ids["vrijwilligers"]}" class="node ([^"]*)">(.*?)</g>',
                      svg, re.S)
    assert "themed" in group.group(1).split()
    assert len(re.findall(r'<polygon fill="#[0-9a-f]{6}" stroke="transparent"', group.group(2))
               ) == 2
    radial_svg = _get(client, "/collaborations/dorp/map.svg?layout=radial").get_data(
        as_text=True)
    assert "themed" in radial_svg and "Samen sterk" in radial_svg


@needs_dot
def test_theme_filter_keeps_the_themes_effects_and_the_activities(app, client):
    ids = _world(app)
    login(client, "member@example.org")
    svg = _get(client, f"/collaborations/dorp/map.svg?theme={ids['geld']}").get_data(
        as_text=True)
    drawn = {int(n) for n in re.findall(r'<g id="item&#45;(\d+)" class="node', svg)}
    assert drawn == {ids["markt"], ids["vrijwilligers"], ids["stichting"]}
    # The title of a filtered download says which filters made it.
    assert "(gefilterd: thema Geld &amp; &quot;borging&quot;)" in svg


@needs_dot
def test_a_theme_change_is_drawn_at_once(app, client):
    ids = _world(app)
    login(client, "member@example.org")
    first = _get(client, "/collaborations/dorp/map.svg").data
    with app.test_request_context():
        theme = db.session.get(Theme, ids["samen"])
        themes.update_theme(theme, "Samen nog sterker", "", theme.version)
        db.session.commit()
    second = _get(client, "/collaborations/dorp/map.svg").data
    assert first != second and b"Samen nog sterker" in second


# --- the radial map's rings ---------------------------------------------------------------


@needs_dot
def test_radial_map_has_rings_with_order_labels_and_links_avoid_the_centre(app, client):
    _world(app)
    login(client, "member@example.org")
    svg = _get(client, "/collaborations/dorp/map.svg?layout=radial").get_data(as_text=True)
    labels = {" ".join(re.findall(r">([^<]+)</text>", g)) for g in re.findall(
        r'<g id="ring&#45;label&#45;\d+" class="node ring&#45;label">(.*?)</g>', svg, re.S)}
    assert {"Activiteiten", "1e orde", "2e orde", "3e orde"} <= labels
    assert len(re.findall(r'class="node ring"', svg)) == 4
    # Every link between effects stays at least as far from the centre as its ends'
    # inner ring: none runs through the middle.
    dot = _get(client, "/collaborations/dorp/map.dot?layout=radial").get_data(as_text=True)
    assert "layout=nop2" in dot
    for cause, effect, pos in re.findall(r'\titem(\d+) -> item(\d+) \[.*?pos="([^"]+)"', dot):
        points = [tuple(map(float, p.split(","))) for p in pos.split() if not p.startswith("e")]
        least = min(math.hypot(x / radial.ASPECT, y) for x, y in points)
        assert least > 60, (cause, effect, least)


# --- downloads ---------------------------------------------------------------------------


@needs_dot
@pytest.mark.parametrize("layout", ["timeline", "radial"])
def test_downloaded_dot_reproduces_the_picture(app, client, layout):
    _world(app)
    login(client, "member@example.org")
    dot = _get(client, f"/collaborations/dorp/map.dot?layout={layout}").get_data(as_text=True)
    assert re.search(r"\blayout=(dot|nop2)\b", dot)
    # Plain Graphviz, no options but the format: the same SVG as the app's download.
    drawn = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True,
                           check=True).stdout
    app_svg = _get(client, f"/collaborations/dorp/map.svg?layout={layout}").get_data(
        as_text=True)
    title = re.search(r'<title id="map-title">([^<]*)</title>', app_svg).group(1)
    desc = re.search(r'<desc id="map-desc">([^<]*)</desc>', app_svg).group(1)
    assert renderer.titled_svg(drawn, html.unescape(title), html.unescape(desc)) == app_svg


@needs_dot
def test_downloaded_svg_links_are_absolute_and_every_download_an_attachment(app, client):
    ids = _world(app)
    login(client, "member@example.org")
    response = _get(client, "/collaborations/dorp/map.svg")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    svg = response.get_data(as_text=True)
    assert f'xlink:href="http://localhost/collaborations/dorp/items/{ids["netwerk"]}"' in svg
    assert 'xlink:href="/collaborations' not in svg
    # The page's inline map keeps short links.
    page = _get(client, "/collaborations/dorp/map").get_data(as_text=True)
    assert f'xlink:href="/collaborations/dorp/items/{ids["netwerk"]}"' in page
    for query in ("map.png?width=800", "map.svg?width=800", "map.dot"):
        disposition = _get(client, f"/collaborations/dorp/{query}").headers[
            "Content-Disposition"]
        assert disposition.startswith("attachment;"), query


@needs_dot
def test_width_sets_the_size_of_svg_and_png(app, client):
    _world(app)
    login(client, "member@example.org")
    svg = _get(client, "/collaborations/dorp/map.svg?width=1200").get_data(as_text=True)
    assert re.search(r'<svg width="1200px" height="\d+px"', svg)
    png = Image.open(BytesIO(_get(client, "/collaborations/dorp/map.png?width=900").data))
    assert abs(png.width - 900) <= 2
    wide = Image.open(BytesIO(_get(client, "/collaborations/dorp/map.png?width=1800").data))
    assert abs(wide.width - 1800) <= 2 and wide.height > png.height


@needs_dot
@pytest.mark.skipif(not pdf_available(), reason="WeasyPrint is not installed")
@pytest.mark.parametrize("sheet,size", [("a4", (842, 595)), ("a3", (1191, 842))])
def test_pdf_pages_are_landscape_on_the_paper_asked_for(app, client, sheet, size):
    _world(app)
    login(client, "member@example.org")
    data = _get(client, f"/collaborations/dorp/map.pdf?paper={sheet}").data
    assert data.startswith(b"%PDF")
    boxes = {tuple(round(float(v)) for v in box.split()[2:])
             for box in re.findall(r"/MediaBox \[([^\]]+)\]", _pdf_text(data))}
    assert boxes == {size}
    # Its items link to their pages, as in the SVG.
    svg = _get(client, "/collaborations/dorp/map.svg").data
    items = set(re.findall(rb'xlink:href="([^"]+/items/\d+)"', svg))
    assert items and set(_pdf_links(data)) == items


def test_paper_plan_keeps_text_readable_tiles_or_refuses():
    # A small map: one page, scaled up at most twice.
    one = paper.plan(400, 300, "a4", 10)
    assert not one.tiled and one.pages == 1 and one.scale <= 2
    # A wide map: tiles at the scale that keeps the smallest text at 7 pt, plus an overview.
    wide = paper.plan(4000, 900, "a4", 10)
    assert wide.tiled and wide.scale * 10 >= paper.MIN_TEXT_PT - 1e-9
    assert wide.pages == wide.columns * wide.rows + 1 and wide.columns >= 4
    assert paper.plan(4000, 900, "a3", 10).pages < wide.pages
    with pytest.raises(paper.TooLarge):
        paper.plan(40000, 30000, "a4", 10)


@needs_dot
@pytest.mark.skipif(not pdf_available(), reason="WeasyPrint is not installed")
def test_a_large_map_prints_over_several_pages_with_an_overview(app, client, monkeypatch):
    with app.test_request_context():
        collab = factories.CollaborationFactory(slug="groot", name="Groot")
        factories.MembershipFactory(user=factories.UserFactory(email="fac@example.org"),
                                    collaboration_id=collab.id, role=Role.FACILITATOR.value)
        previous = factories.ActivityFactory(collaboration=collab, title="Begin",
                                             date_start=date(2020, 1, 1))
        for n in range(40):
            effect = factories.EffectFactory(
                collaboration=collab, title=f"Een effect met een lange titel nummer {n}",
                date_start=date(2020 + n // 12, n % 12 + 1, 1))
            services.add_link(previous, effect)
            previous = effect
        db.session.commit()
    login(client, "fac@example.org")
    documents = []
    real = paper.pdf.render
    monkeypatch.setattr(paper.pdf, "render", lambda document, *args, **kwargs: (
        documents.append(document), real(document, *args, **kwargs))[1])
    data = _get(client, "/collaborations/groot/map.pdf?paper=a4&granularity=month").data
    assert len(re.findall(r"/Type /Page\b", _pdf_text(data))) >= 3
    # Each tile holds only the items near it (WeasyPrint draws every part of an image,
    # also what the tile's viewBox leaves out), and every item is on some tile.
    images = [base64.b64decode(uri).decode() for uri in
              re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', documents[-1])]
    overview, tiles = images[0], images[1:]
    items = set(re.findall(r'<g id="(item&#45;\d+)"', overview))
    assert len(items) == 41 and len(tiles) >= 2
    on_tiles = [set(re.findall(r'<g id="(item&#45;\d+)"', tile)) for tile in tiles]
    assert set().union(*on_tiles) == items
    assert max(len(tile) for tile in on_tiles) < len(items)
    # Every item links to its page: on the overview, and on each tile that shows it.
    def url(item: str) -> str:
        return f"http://localhost/collaborations/groot/items/{item.rsplit(';', 1)[1]}"

    sections = documents[-1].split("<section>")[1:]
    linked = [set(re.findall(r'<a href="([^"]+)" style=', section)) for section in sections]
    assert linked[0] == {url(item) for item in items}
    for shown, tile_links in zip(on_tiles, linked[1:], strict=True):
        assert tile_links and tile_links <= {url(item) for item in shown}
    assert set().union(*linked[1:]) == linked[0]
    # In the PDF itself: each a link area of the page.
    targets = {target.decode() for target in _pdf_links(data)}
    assert targets == linked[0]


# --- focus, greyed causes ----------------------------------------------------------------


@needs_dot
def test_focus_dims_what_is_not_connected(app, client):
    ids = _world(app)
    login(client, "member@example.org")
    with app.test_request_context():
        collab = db.session.get(services.Collaboration, ids["collab"])
        loose = factories.EffectFactory(collaboration=collab, title="Los",
                                        date_start=date(2024, 5, 1))
        db.session.commit()
        loose_id = loose.id
    svg = _get(client, f"/collaborations/dorp/map.svg?focus={ids['vrijwilligers']}").get_data(
        as_text=True)
    classes = dict(re.findall(r'<g id="item&#45;(\d+)" class="node ([^"]*)"', svg))
    assert "dimmed" in classes[str(loose_id)].split()
    assert "dimmed" not in classes[str(ids["markt"])].split()
    assert "dimmed" not in classes[str(ids["stichting"])].split()


def test_a_years_map_shows_earlier_causes_greyed_out(app):
    ids = _world(app)
    from rem.access import Access
    from rem.reviews.maps import year_map

    with app.test_request_context():
        collab = db.session.get(services.Collaboration, ids["collab"])
        drawn = year_map(collab, 2025, Access(user_id=None, is_admin=True))
    assert drawn.svg is not None
    classes = dict(re.findall(r'<g id="item&#45;(\d+)" class="node ([^"]*)"', drawn.svg))
    assert "dimmed" not in classes[str(ids["stichting"])].split()
    assert "dimmed" in classes[str(ids["vrijwilligers"])].split()
    assert "dimmed" in classes[str(ids["markt"])].split()


# --- saved views --------------------------------------------------------------------------


@needs_dot
def test_a_saved_view_has_a_stable_url_and_is_listed(app, client):
    _world(app)
    login(client, "fac@example.org")
    response = post(client, "/collaborations/dorp/map/views", {
        "name": "Rond het midden", "layout": "radial", "color_by": "theme",
        "granularity": "month", "valence": "positive", "bogus": "x"},
        token_from="/collaborations/dorp/map")
    assert response.status_code == 302
    url = response.headers["Location"]
    with app.app_context():
        view = db.session.scalar(sa.select(SavedView))
        assert view.params == {"layout": "radial", "color_by": "theme", "granularity": "month",
                               "valence": "positive"}
    page = _get(client, url).get_data(as_text=True)
    assert "Rond het midden" in page and "ring&#45;label" in page
    assert _get(client, "/collaborations/dorp/map").get_data(as_text=True).count(url) >= 1
    # Renamed with an old version number: refused, the name stays.
    post(client, f"{url}/edit", {"name": "Nieuw", "version": "99"}, token_from=url)
    with app.app_context():
        assert db.session.scalar(sa.select(SavedView.name)) == "Rond het midden"
    post(client, f"{url}/delete", {}, token_from=url)
    with app.app_context():
        assert db.session.scalar(sa.select(SavedView.deleted_at)) is not None
    member = app.test_client()
    login(member, "member@example.org")
    assert member.get(url).status_code == 200  # members read the collaboration's views


# --- themes: services, fragment, exports ---------------------------------------------------


def test_theme_rules_and_two_facilitators(app):
    ids = _world(app)
    with app.test_request_context():
        collab = db.session.get(services.Collaboration, ids["collab"])
        with pytest.raises(themes.ThemeError):
            themes.create_theme(collab, "samen STERK")  # the same name, other capitals
        with pytest.raises(themes.ThemeError):
            themes.create_theme(collab, "   ")
        markt = db.session.get(services.RippleItem, ids["markt"])
        with pytest.raises(themes.ThemeError):
            themes.set_item_themes(markt, {ids["samen"]}, set())
        netwerk = db.session.get(services.RippleItem, ids["netwerk"])
        # Both saw netwerk in "samen" only; one adds "geld", the other removes "samen".
        themes.set_item_themes(netwerk, {ids["samen"], ids["geld"]}, {ids["samen"]})
        themes.set_item_themes(netwerk, set(), {ids["samen"]})
        assert themes.theme_ids_of(netwerk) == {ids["geld"]}
        theme = db.session.get(Theme, ids["geld"])
        with pytest.raises(themes.ThemeConflict):
            themes.update_theme(theme, "Anders", "", theme.version - 1)
        themes.delete_theme(theme)
        assert themes.theme_ids_of(netwerk) == set()  # binned themes are not shown
        themes.restore_theme(theme)
        assert themes.theme_ids_of(netwerk) == {ids["geld"]}


def test_item_themes_fragment_shows_and_changes_themes(app, client):
    ids = _world(app)
    url = f"/collaborations/dorp/items/{ids['netwerk']}/themes"
    login(client, "member@example.org")
    body = _get(client, url).get_data(as_text=True)
    assert "Samen sterk" in body and 'type="checkbox"' not in body
    assert client.post(url, data={"csrf_token": csrf_token(client, "/")}).status_code == 403
    client = app.test_client()
    login(client, "fac@example.org")
    body = _get(client, url).get_data(as_text=True)
    assert body.lstrip().startswith("<section") and "<html" not in body
    assert 'hx-post="' + url in body
    response = client.post(url, data={"csrf_token": csrf_token(client, url),
                                      "theme": [str(ids["geld"])], "seen": [str(ids["samen"])],
                                      "new_theme": "Nieuw thema"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "zijn opgeslagen" in response.get_data(as_text=True)
    with app.test_request_context():
        netwerk = db.session.get(services.RippleItem, ids["netwerk"])
        names = {db.session.get(Theme, t).name for t in themes.theme_ids_of(netwerk)}
    assert names == {"Geld & \"borging\"", "Nieuw thema"}
    # An activity cannot be themed: the fragment says so.
    body = _get(client, f"/collaborations/dorp/items/{ids['markt']}/themes").get_data(
        as_text=True)
    assert "Alleen effecten" in body


def test_themes_page_makes_renames_and_bins_themes(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    page = "/collaborations/dorp/themes"
    assert "Samen sterk" in _get(client, page).get_data(as_text=True)
    post(client, page, {"name": "Vrijwilligers", "description": "Wie helpt er"},
         token_from=page)
    post(client, f"{page}/{ids['samen']}/delete", {}, token_from=page)
    with app.app_context():
        names = set(db.session.scalars(sa.select(Theme.name).where(Theme.deleted_at.is_(None))))
    assert names == {"Vrijwilligers", "Geld & \"borging\""}
    assert "Terugzetten" in _get(client, page).get_data(as_text=True)


def test_themes_go_out_with_every_export_and_come_back_with_json(app, client, tmp_path):
    ids = _world(app)
    runner = app.test_cli_runner()
    target = tmp_path / "out.json"
    result = runner.invoke(args=["export", "--format", "json", "--collaboration", "dorp",
                                 "-o", str(target)])
    assert result.exit_code == 0, result.output
    document = json.loads(target.read_text())
    assert {t["name"] for t in document["themes"]} == {"Samen sterk", "Geld & \"borging\""}
    items = {i["id"]: i for i in document["items"]}
    assert items[ids["vrijwilligers"]]["themes"] == ["Samen sterk", "Geld & \"borging\""]
    for fmt, check in (("csv", "themes.csv"), ("xlsx", "xl/worksheets/sheet6.xml")):
        out = tmp_path / f"out.{fmt}"
        assert runner.invoke(args=["export", "--format", fmt, "--collaboration", "dorp",
                                   "-o", str(out)]).exit_code == 0
        assert check in zipfile.ZipFile(out).namelist()
    graphml = tmp_path / "out.graphml"
    runner.invoke(args=["export", "--format", "graphml", "--collaboration", "dorp",
                        "-o", str(graphml)])
    assert 'attr.name="themes"' in graphml.read_text()
    # Back in, into another collaboration: the themes are made and hold the same effects.
    with app.app_context():
        factories.CollaborationFactory(slug="kopie", name="Kopie")
        db.session.commit()
    result = runner.invoke(args=["import", "--collaboration", "kopie", "--format", "json",
                                 str(target)])
    assert result.exit_code == 0, result.output
    with app.test_request_context():
        copy = db.session.scalar(sa.select(services.Collaboration).filter_by(slug="kopie"))
        counted = {theme.name: count for theme, count in themes.counts(copy, sa.true())}
    assert counted == {"Samen sterk": 2, "Geld & \"borging\"": 2}


def test_theme_counts_are_in_the_analysis_csv_as_on_the_page(app, client):
    _world(app)
    login(client, "member@example.org")
    page = client.get("/collaborations/dorp/analysis").get_data(as_text=True)
    assert "Per thema" in page
    body = client.get("/collaborations/dorp/analysis.csv").get_data(as_text=True)
    rows = {tuple(line.rsplit(",", 1)[0].split(",", 1)): line.rsplit(",", 1)[1]
            for line in body.strip().splitlines()[1:]}
    assert rows[("effects_by_theme", "Samen sterk")] == "2"
    assert rows[("effects_by_theme", '"Geld & ""borging"""')] == "2"
