"""The maps inside the PDFs print every script and emoji.

WeasyPrint draws an SVG ``<text>`` itself, letter by letter, without shaping: Arabic
came out reversed and unjoined, and 👍🏽 as a thumb and a brown square. Every PDF
(session report, exchange pack, borging review, map.pdf) now embeds the map's print SVG
(Graphviz's ``svg:cairo``: Pango shapes the text and writes glyph outlines, a colour
emoji as a small PNG). Glyph outlines are not text, so these tests read the HTML handed
to WeasyPrint (the maps in it must have no ``<text>`` and must draw glyphs), and check
on the page as Poppler draws it that the emoji in a map is in colour. The screens keep
their own SVG with ``<text>``, links, ids and classes.
"""

from __future__ import annotations

import base64
import logging
import re
import shutil
from collections import Counter
from datetime import date
from html import escape as html_escape

import pytest
import sqlalchemy as sa

from rem.core import pdf
from rem.demo import data
from rem.demo.loader import load_demo
from rem.exchanges.models import LearningExchange
from rem.extensions import db
from rem.maps import builder, drawing, graphviz_process, legend, paper
from rem.maps.labels import needs_shaping
from rem.maps.model import MapEdge, MapNode, RippleMap
from rem.reviews.models import BorgingReview
from rem.ripples.models import RippleItem
from rem.themes.models import Theme
from rem.workshops.models import Workshop
from tests import factories
from tests.conftest import csrf_token, login
from tests.test_pdf_pages import _colourful, _pages, _tools

ARABIC = "مرحبا بالعالم"
THUMB = "Duim 👍🏽"

_SVG_URI_RE = re.compile(r'src="data:image/svg\+xml;base64,([^"]+)"')
_INLINE_SVG_RE = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
_ID_RE = re.compile(r'\sid="([^"]+)"')
_HREF_RE = re.compile(r'(?:xlink:)?href="#([^"]+)"')


@pytest.fixture(autouse=True)
def _needs_graphviz():
    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")


@pytest.fixture
def printed(monkeypatch) -> list[str]:
    """Collect the HTML every PDF is made from (the PDF is still made)."""
    documents: list[str] = []
    real = pdf.render

    def spy(html, *args, **kwargs):
        documents.append(html)
        return real(html, *args, **kwargs)

    monkeypatch.setattr(pdf, "render", spy)
    return documents


@pytest.fixture
def demo(app) -> dict:
    """The demo data with every item titled in Arabic or with a skin-toned emoji."""
    _tools()
    with app.app_context():
        load_demo()
        ids = db.session.scalars(sa.select(RippleItem.id).order_by(RippleItem.id)).all()
        for number, item_id in enumerate(ids):
            db.session.execute(sa.update(RippleItem).where(RippleItem.id == item_id)
                               .values(title=ARABIC if number % 2 else THUMB))
        db.session.commit()
        workshop = db.session.scalars(sa.select(Workshop).order_by(Workshop.id)).first()
        exchange = db.session.scalars(
            sa.select(LearningExchange).order_by(LearningExchange.id)).first()
        review = db.session.scalars(sa.select(BorgingReview).order_by(BorgingReview.id)).first()
        return {"workshop": workshop.id, "slug": workshop.collaboration.slug,
                "exchange": exchange.id, "review": review.id,
                "review_slug": review.collaboration.slug, "year": review.year}


@pytest.fixture
def admin(app, demo):
    client = app.test_client()
    login(client, "admin@example.org", data.DEMO_PASSWORD)
    return client


def _is_map(svg: str) -> bool:
    return 'id="map-title"' in svg or '-map-title"' in svg


def _svg_images(html: str) -> list[str]:
    return [base64.b64decode(uri).decode("utf-8") for uri in _SVG_URI_RE.findall(html)]


def _assert_printed_by_cairo(svg: str, what: str) -> None:
    assert "<text" not in svg, f"{what}: the map still has <text> for WeasyPrint to draw"
    assert "<symbol" in svg and re.search(r'href="#[\w-]*glyph', svg), (
        f"{what}: no glyph outlines in the map")


def _emoji_map_source() -> str:
    return ('digraph { layout=dot; node [shape=box fontname="Helvetica,Arial,sans-serif" '
            f'fontsize=30]; a [label="{THUMB}"]; b [label="{ARABIC}"]; a -> b; }}')


def test_a_colour_emoji_in_a_print_map_prints_in_colour(app, tmp_path):
    """The emoji is a PNG inside the print SVG: the PDF must draw it, both as an image of
    the map (report, review, map.pdf) and as a map inline in the page (exchange pack)."""
    _tools()
    with app.test_request_context():
        svg = drawing.print_svg(_emoji_map_source(), "dot", "Kaart", "Twee items", 30.0)
    assert svg is not None
    _assert_printed_by_cairo(svg, "print SVG")
    assert "data:image/png;base64," in svg  # the emoji, as Pango drew it in colour
    # The bitmap is drawn large enough for paper: at 30 pt, over 3 pixels a point (at
    # Graphviz's own 72 dpi it would be about one).
    assert max(int(w) for w in re.findall(r'<image\b[^>]*?\swidth="(\d+)"', svg)) > 90
    assert re.search(r'<svg\b[^>]*\swidth="(\d+)pt"', svg).group(1) == re.search(
        r'viewBox="0 0 (\d+)', svg).group(1), "a point of the viewBox is a point on paper"
    uri = pdf.SVG_DATA + base64.b64encode(svg.encode()).decode()
    for html, svg_data in ((f'<html><body><img src="{uri}" alt=""></body></html>', True),
                           (f"<html><body>{svg}</body></html>", False)):
        with app.test_request_context():
            data = pdf.render(html, "", [], svg_data=svg_data)
        page = _pages(data, tmp_path, dpi=72, gray=False)[0]
        assert _colourful(page) > 20, f"the emoji is not printed (svg_data={svg_data})"


def test_the_session_report_prints_its_maps_shaped(app, admin, demo, printed):
    base = f"/collaborations/{demo['slug']}/sessions/{demo['workshop']}/report"
    response = admin.get(base + ".pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    maps = [svg for svg in _svg_images(printed[-1]) if _is_map(svg)]
    assert len(maps) == 2, "the map before and after the session"
    for svg in maps:
        _assert_printed_by_cairo(svg, "session report")
    # The page on the screen keeps the interactive SVG, text and all.
    page = admin.get(base).get_data(as_text=True)
    assert "<text" in page and 'id="after-map-title"' in page and ARABIC in page


def _assert_ids_unique_and_own(html: str, what: str) -> None:
    """No id twice in the document, and every map points only at its own glyphs."""
    twice = [name for name, n in Counter(_ID_RE.findall(html)).items() if n > 1]
    assert not twice, f"{what}: ids used twice: {twice[:10]}"
    for svg in _INLINE_SVG_RE.findall(html):
        own = set(_ID_RE.findall(svg))
        foreign = set(_HREF_RE.findall(svg)) - own
        assert not foreign, f"{what}: a map uses glyphs of another map: {sorted(foreign)[:5]}"


def test_the_exchange_pack_prints_each_map_shaped_with_its_own_glyphs(
        app, admin, demo, printed, caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    response = admin.get(f"/exchanges/{demo['exchange']}/pack.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    html = printed[-1]
    maps = [svg for svg in _INLINE_SVG_RE.findall(html) if _is_map(svg)]
    assert len(maps) >= 3, "each participant's map and the combined map"
    for svg in maps:
        _assert_printed_by_cairo(svg, "exchange pack")
    _assert_ids_unique_and_own(html, "exchange pack")
    # Each participant's map prints in date columns with a key of the signs it draws, as
    # the report and the review do; the combined map keeps its band per collaboration
    # (date columns have none) and so its legend box.
    figures = re.findall(r'<figure class="exchange-map" aria-labelledby="([\w-]+)-caption"'
                         r'(.*?)</figure>', html, re.DOTALL)
    keyed = {name: 'class="paper-key"' in body for name, body in figures}
    assert keyed.pop("combined") is False and keyed and all(keyed.values()), keyed
    # Inline, a style attribute is read as page CSS: a warning per fill and stroke.
    noise = [record.getMessage() for record in caplog.records
             if record.name.startswith("weasyprint")
             and ("rgb(" in record.getMessage() or "stroke" in record.getMessage())]
    assert not noise, f"{len(noise)} warnings, such as {noise[:2]}"
    # The pack on the screen keeps the interactive SVG (items with their ids and links).
    page = admin.get(f"/exchanges/{demo['exchange']}/pack").get_data(as_text=True)
    assert "<text" in page and re.search(r'id="(map\d+|combined)-item&#45;\d+"', page)
    assert "glyph" not in page


def _review_map(html: str) -> str:
    maps = [svg for svg in _svg_images(html) if _is_map(svg)]
    assert len(maps) == 1, f"expected the year's map once, found {len(maps)}"
    return maps[0]


def test_the_review_freezes_its_map_for_print_and_older_reviews_still_print(
        app, admin, demo, printed):
    base, adopted_id, year = (f"/collaborations/{demo['review_slug']}/reviews",
                              demo["review"], demo["year"])
    # A new version is a draft: its PDF draws the map now, for paper.
    token = csrf_token(admin, f"{base}/{adopted_id}")
    response = admin.post(f"{base}/{adopted_id}/new-version", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        draft = db.session.scalars(sa.select(BorgingReview).where(
            BorgingReview.year == year, BorgingReview.status == "draft")).one()
        draft_id, version = draft.id, draft.version
    response = admin.get(f"{base}/{draft_id}/report.pdf")
    assert response.status_code == 200
    _assert_printed_by_cairo(_review_map(printed[-1]), "draft review")
    # Adopting freezes the map twice: as the screen shows it and as the PDF prints it.
    token = csrf_token(admin, f"{base}/{draft_id}")
    response = admin.post(f"{base}/{draft_id}/adopt", data={
        "csrf_token": token, "version": str(version), "confirmed": "yes"})
    assert response.status_code == 302
    with app.app_context():
        review = db.session.get(BorgingReview, draft_id)
        assert review.is_adopted
        screen, frozen_print = review.frozen_map_svg, review.frozen_map_print_svg
    assert "<text" in screen and ARABIC in screen and 'class="node' in screen
    _assert_printed_by_cairo(frozen_print, "frozen print map")
    response = admin.get(f"{base}/{draft_id}/report.pdf")
    assert response.status_code == 200
    assert _review_map(printed[-1]) == frozen_print
    page = admin.get(f"{base}/{draft_id}").get_data(as_text=True)
    assert "<text" in page and "glyph" not in page
    # A review adopted before print maps were kept prints its frozen screen map.
    with app.app_context():
        db.session.get(BorgingReview, draft_id).frozen_map_print_svg = None
        db.session.commit()
    response = admin.get(f"{base}/{draft_id}/report.pdf")
    assert response.status_code == 200
    assert _review_map(printed[-1]) == screen


def _world(app) -> None:
    with app.test_request_context():
        collab = factories.CollaborationFactory(slug="dorp", name="Achterveld")
        member = factories.UserFactory(email="member@example.org")
        db.session.flush()
        factories.MembershipFactory(user=member, collaboration_id=collab.id, role="member")
        cause = factories.ActivityFactory(collaboration=collab, title=ARABIC,
                                          date_start=date(2024, 3, 1))
        effect = factories.EffectFactory(collaboration=collab, title=THUMB,
                                         date_start=date(2024, 5, 1), valence="positive")
        db.session.flush()
        factories.LinkFactory(cause=cause, effect=effect)
        db.session.commit()


@pytest.mark.parametrize("sheet", ["a4", "a3"])
def test_map_pdf_prints_the_print_svg_and_plans_by_the_screen_fonts(
        app, client, printed, monkeypatch, tmp_path, sheet):
    _tools()
    _world(app)
    login(client, "member@example.org")
    fonts: list[float] = []
    real_plan = paper.plan

    def plan(width, height, sheet_, font):
        fonts.append(font)
        return real_plan(width, height, sheet_, font)

    monkeypatch.setattr(paper, "plan", plan)
    response = client.get(f"/collaborations/dorp/map.pdf?paper={sheet}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    (page,) = _svg_images(printed[-1])
    _assert_printed_by_cairo(page, "map.pdf")
    screen = client.get("/collaborations/dorp/map.svg").get_data(as_text=True)
    assert "<text" in screen and ARABIC in screen
    assert fonts == [paper.smallest_font(screen)]
    drawn = _pages(response.data, tmp_path, dpi=36, gray=False)
    assert len(drawn) == 1 and _colourful(drawn[0]) > 0


def test_the_paper_plan_takes_the_font_size_it_is_given(app):
    """The print SVG has no <text> to read a size from (smallest_font would say 10 pt for
    any map): the caller gives the size of the same drawing's screen SVG. A wide map with
    6 pt text needs tiles to stay readable; with 30 pt text it fits one page."""
    _tools()
    nodes = "; ".join(f'n{i} [label="{ARABIC} {i}"]' for i in range(12))
    chain = " -> ".join(f"n{i}" for i in range(12))
    source = f"digraph {{ layout=dot; rankdir=LR; node [fontsize=6]; {nodes}; {chain}; }}"
    with app.test_request_context():
        svg = drawing.print_svg(source, "dot", "Breed", "Twaalf items", 30.0)
        assert svg is not None and paper.smallest_font(svg) == 10.0  # the guess
        _data, small = paper.pdf_pages(svg, "Breed", "a4", smallest=6.0)
        _data, large = paper.pdf_pages(svg, "Breed", "a4", smallest=30.0)
    assert small.tiled and small.smallest_font == 6.0
    assert not large.tiled and large.smallest_font == 30.0


def test_a_tile_with_nothing_of_the_map_on_it_is_not_printed(app, tmp_path, monkeypatch):
    """Two items far apart, at opposite corners: of the 2 × 2 tiles the other two would be
    white pages. Only the tiles with something on them are printed, numbered in turn, and
    the overview marks those and no others."""
    _tools()
    source = ('digraph { layout=neato; node [shape=box, fontsize=14]; '
              'a [label="Begin", pos="0,0!"]; b [label="Eind", pos="33,22!"]; }')
    svg = graphviz_process.render(source, "dot", "svg", 30.0).decode()
    documents: list[str] = []
    real = paper.pdf.render
    monkeypatch.setattr(paper.pdf, "render", lambda document, *args, **kwargs: (
        documents.append(document), real(document, *args, **kwargs))[1])
    with app.test_request_context():
        data, layout = paper.pdf_pages(svg, "Ver uiteen", "a4",
                                       smallest=paper.smallest_font(svg))
    assert layout.tiled and layout.columns * layout.rows == 4
    headings = re.findall(r"<h1>([^<]*)</h1>", documents[-1])
    assert headings == ["Ver uiteen: overzicht, 2 bladen",
                        "Ver uiteen: blad 2 (rij 1, kolom 2)",
                        "Ver uiteen: blad 3 (rij 2, kolom 1)"]
    overview, *tiles = _svg_images(documents[-1])
    assert re.findall(r'fill="#a32020">(\d+)</text>', overview) == ["2", "3"]
    assert [re.findall(r"<title>(\w+)</title>", tile) for tile in tiles] == [["b"], ["a"]]
    assert len(_pages(data, tmp_path)) == 3


def test_the_paper_key_names_only_the_signs_the_map_draws(app):
    """A printed key is read against the map: a line for a sign that is nowhere on it
    (a red effect, a pale item) sends the reader looking for it."""
    def node(n, kind, intended=None, valence=None, dimmed=False):
        return MapNode(n, kind, f"Item {n}", "2024", "2024", None, intended, valence, [],
                       "", "", dimmed=dimmed)

    with app.test_request_context():
        ripple_map = RippleMap("Kaart", "Dorp", [
            node(1, "activity"), node(2, "effect", True, "positive"),
            node(3, "effect", None, None)], [MapEdge(1, 2)], legend=builder.legend())
        key = [text for text, _colour in legend.paper_key(ripple_map)]
        texts = builder.legend()
    assert key == [texts[name] for name in (
        "activity", "intended", "intended_unknown", "positive", "valence_unknown", "link")]
    ripple_map.nodes = [node(2, "effect", False, "negative", dimmed=True)]
    ripple_map.edges = []
    with app.test_request_context():
        key = [text for text, _colour in legend.paper_key(ripple_map)]
    assert key == [texts[name] for name in ("unintended", "negative", "dimmed")]


def test_only_text_that_needs_shaping_gets_a_print_svg(app, monkeypatch):
    """WeasyPrint draws a cairo SVG about five times slower than the screen's: a map
    whose text prints the same letter by letter keeps the screen SVG, and so does a map
    too large to draw within the time a PDF has (its text then prints unshaped)."""
    for text in ("Inspiratiemarkt", "Café ë ± → – … · − negatief", "你好 🎉 Kayseri’de ş ğ"):
        assert not needs_shaping(text), text
    for text in (ARABIC, THUMB, "שלום", "e\u0301", "🇳🇱", "1\ufe0f\u20e3", "नमस्ते",
                 "👩\u200d👧"):
        assert needs_shaping(text), text
    latin = 'digraph { layout=dot; a [label="Inspiratiemarkt ± 1 maart 2024"]; }'
    with app.test_request_context():
        assert drawing.print_svg(latin, "dot", "Kaart", "Eén item", 30.0) is None
        assert drawing.print_svg(_emoji_map_source(), "dot", "Kaart", "Twee", 30.0)
        monkeypatch.setattr(drawing, "PRINT_MAX_GLYPHS", 5)
        assert drawing.print_svg(_emoji_map_source(), "dot", "Kaart", "Twee", 30.0) is None


_SIZE_RE = re.compile(r'<svg[^>]*?width="([\d.]+)(?:pt|px)?"[^>]*?height="([\d.]+)(?:pt|px)?"')


def test_the_session_report_prints_its_maps_in_date_columns(app, admin, demo, printed):
    """A timeline of two years is a strip about twelve times as wide as it is high: on
    the page's width its labels printed about 2 pt. On paper the map is drawn in the
    wall's date-ordered columns, about as high as it is wide; on the screen too (the
    strip's labels were about 4 px there), with the key under the heading."""
    response = admin.get(f"/collaborations/{demo['slug']}/sessions/{demo['workshop']}"
                         "/report.pdf")
    assert response.status_code == 200
    maps = [svg for svg in _svg_images(printed[-1]) if _is_map(svg)]
    assert len(maps) == 2
    for svg in maps:
        width, height = (float(value) for value in _SIZE_RE.search(svg).groups())
        assert height / width > 0.35, f"a strip of {width:.0f} × {height:.0f}"
    page = admin.get(f"/collaborations/{demo['slug']}/sessions/{demo['workshop']}/report")
    body = page.get_data(as_text=True)
    shown = re.findall(r'<div class="map-frame map-fit">(<svg.*?</svg>)', body, re.DOTALL)
    assert len(shown) == 2 and all(shape > 0.35 for shape in _shapes(shown)), _shapes(shown)
    assert not re.search(r'id="[\w-]*legend"', body)  # the columns have no legend box
    key = re.search(r'<ul class="map-key".*?</ul>', body, re.DOTALL)
    assert key and "Activiteit (rechthoek)" in key.group(0)


def _shapes(svgs: list[str]) -> list[float]:
    shapes = []
    for svg in svgs:
        width, height = (float(value) for value in _SIZE_RE.search(svg).groups())
        shapes.append(height / width)
    return shapes


def test_the_review_prints_its_map_in_date_columns_with_a_text_key(app, admin, demo, printed):
    """The borging review's map of the year printed as a strip about five times as wide
    as it is high, labels of about 3 pt on a landscape page. It prints in the wall's
    date-ordered columns now, as the session report does, with its legend as text under
    it (the columns have no legend box: the themes' colours are named there). The page
    shows it so too: in the report's column the timeline's labels were about 5 px high.
    Adopting keeps that key with the frozen map."""
    base = f"/collaborations/{demo['review_slug']}/reviews"
    # A new version is a draft: its PDF draws the map now (the adopted one is frozen).
    token = csrf_token(admin, f"{base}/{demo['review']}")
    response = admin.post(f"{base}/{demo['review']}/new-version", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        draft_id = db.session.scalars(sa.select(BorgingReview.id).where(
            BorgingReview.status == "draft")).one()
        themes = db.session.scalars(sa.select(Theme.name).where(
            Theme.collaboration_id == db.session.get(BorgingReview, draft_id).collaboration_id,
            Theme.deleted_at.is_(None))).all()
    assert admin.get(f"{base}/{draft_id}/report.pdf").status_code == 200
    assert _shapes([_review_map(printed[-1])])[0] > 0.35
    key = re.search(r'<ul class="paper-key".*?</ul>', printed[-1], re.DOTALL)
    assert key and "Activiteit (rechthoek)" in key.group(0)
    assert themes and all(html_escape(name) in key.group(0) for name in themes)
    page = admin.get(f"{base}/{draft_id}").get_data(as_text=True)
    shown = re.search(r'<div class="map-svg">(<svg.*?</svg>)', page, re.DOTALL).group(1)
    assert _shapes([shown])[0] > 0.35 and not re.search(r'id="[\w-]*legend"', shown)
    assert "<text" in shown and 'class="node' in shown  # the browser's text, and links
    screen_key = re.search(r'<ul class="map-key".*?</ul>', page, re.DOTALL)
    assert screen_key and "Activiteit (rechthoek)" in screen_key.group(0)
    assert all(html_escape(name) in screen_key.group(0) for name in themes)
    # What a pale item is: said once, by the key, on the page and on paper.
    assert "Bleek getekend" not in page and "Bleek getekend" not in printed[-1]
    # The adopted review prints the key it kept.
    with app.app_context():
        kept = db.session.get(BorgingReview, demo["review"]).frozen_extra["map_key"]
    assert [name for name in themes if any(name == text for text, _colour in kept)]
