"""The PDFs on paper: the session report, the exchange pack and the borging review from the
demo data have no near-empty pages, and emoji and other scripts print as glyphs, not as
boxes.

Both are checked on the PDFs as Poppler draws them (`pdftoppm`, from poppler-utils, which
``scripts/install-system-deps.sh --test`` installs): what counts is what a reader sees.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from rem.core import pdf
from rem.demo import data
from rem.demo.loader import load_demo
from rem.exchanges.models import LearningExchange
from rem.extensions import db
from rem.reviews.models import BorgingReview
from rem.workshops.models import FOCUS_MAX, Workshop
from tests.browser.server import in_ci
from tests.conftest import csrf_token

STATIC_CSS = Path(__file__).resolve().parent.parent / "static" / "css"
DPI = 24  # enough to tell a line of text from white paper, and quick to draw
# Both stylesheets give A4 a top margin of 15 mm and a bottom margin of 18 mm; the page
# number (report) sits in the bottom margin and is not content.
TOP_MM, BOTTOM_MM = 15, 18
# A page (but the last) must be filled at least this far down its body.
LEAST_FILL = 0.2
# Text that a plain Latin font lacks, as participants and titles may bring it.
WORLD = "Feest 🎉 👍🏽 مرحبا 你好 Kayseri’de ş ğ"


def _tools() -> None:
    missing = [tool for tool in ("pdftoppm", "pdffonts") if shutil.which(tool) is None]
    if not pdf.available():
        missing.append("WeasyPrint (with Pango)")
    if missing:
        reason = (f"{', '.join(missing)} missing: install poppler-utils (and WeasyPrint's "
                  "libraries) with scripts/install-system-deps.sh --test")
        if in_ci():
            pytest.fail(reason + ". CI must run these tests.", pytrace=False)
        pytest.skip(reason)


def _pages(data_: bytes, tmp_path: Path, *, dpi: int = DPI, gray: bool = True) -> list:
    """Draw every page with Poppler; return them as (width, height, channels, pixels)."""
    source = tmp_path / "drawn.pdf"
    source.write_bytes(data_)
    for old in tmp_path.glob("page-*"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", str(dpi), *(["-gray"] if gray else []), str(source),
                    str(tmp_path / "page")], check=True, timeout=120)
    pages = []
    for path in sorted(tmp_path.glob("page-*"), key=lambda p: int(p.stem.split("-")[-1])):
        raw = path.read_bytes()
        # Netpbm: magic, width, height, maxval, one whitespace byte, then the samples.
        fields, at = [], 0
        while len(fields) < 4:
            while raw[at:at + 1].isspace():
                at += 1
            start = at
            while not raw[at:at + 1].isspace():
                at += 1
            fields.append(raw[start:at])
        magic, width, height = fields[0], int(fields[1]), int(fields[2])
        pages.append((width, height, 1 if magic == b"P5" else 3, raw[at + 1:]))
    return pages


def _fill(page) -> float:
    """How far down the page's body (between the top and bottom margins) the lowest mark
    of ink reaches, from 0 (nothing on it) to 1 (down to the bottom margin).

    This measures what a near-empty page is: a page whose content stops high up and
    leaves the rest white, whether that content is text, a table or a map. Counting
    characters would call a page with one large map empty; this does not.
    """
    width, height, channels, pixels = page
    mm = height / (297 if height > width else 210)
    top, bottom = round(TOP_MM * mm), height - round(BOTTOM_MM * mm)
    lowest = top
    for row in range(top, bottom):
        line = pixels[row * width * channels:(row + 1) * width * channels]
        if min(line) < 200:  # darker than the lightest rule and border in the stylesheets
            lowest = row
    return (lowest - top) / (bottom - top)


def _assert_no_near_empty_page(data_: bytes, tmp_path: Path, what: str) -> int:
    fills = [_fill(page) for page in _pages(data_, tmp_path)]
    assert len(fills) >= 2, f"{what}: expected more than one page, got {fills}"
    for number, fill in enumerate(fills[:-1], start=1):
        assert fill >= LEAST_FILL, (
            f"{what}: page {number} of {len(fills)} is filled only {fill:.0%} down "
            f"(all pages: {[f'{f:.0%}' for f in fills]})")
    return len(fills)


@pytest.fixture
def demo(app):
    _tools()
    with app.app_context():
        load_demo()
        db.session.commit()
        workshop = db.session.scalars(sa.select(Workshop).order_by(Workshop.id)).first()
        exchange = db.session.scalars(
            sa.select(LearningExchange).order_by(LearningExchange.id)).first()
        review = db.session.scalars(
            sa.select(BorgingReview).order_by(BorgingReview.id)).first()
        yield {"workshop": workshop.id, "slug": workshop.collaboration.slug,
               "exchange": exchange.id, "review": review.id,
               "review_slug": review.collaboration.slug}


@pytest.fixture
def admin(app, demo):
    client = app.test_client()
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": "admin@example.org",
                                           "password": data.DEMO_PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    return client


SENTENCE = ("Wat hebben we geleerd, en wat nemen we mee naar de volgende keer met alle "
            "partners in de regio? ")


def _set(app, model, row_id: int, **values) -> None:
    with app.app_context():
        row = db.session.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


# The demo data as it is, and with a longer text at the top: every page break then falls
# elsewhere, so a break forced before a section or a block too tall to split shows up
# wherever the text before it happens to end.
# The focus question is the report's longest free text at the top; it holds FOCUS_MAX
# characters (PostgreSQL refuses more), so the longer variants replace it.
@pytest.mark.parametrize("extra", [0, 3, 5])
def test_the_session_report_has_no_near_empty_pages(app, admin, demo, tmp_path, extra):
    if extra:
        _set(app, Workshop, demo["workshop"],
             focus_question=(SENTENCE * extra).strip()[:FOCUS_MAX])
    response = admin.get(f"/collaborations/{demo['slug']}/sessions/{demo['workshop']}"
                         "/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    _assert_no_near_empty_page(response.data, tmp_path, f"session report (+{extra})")


@pytest.mark.parametrize("extra", [0, 8, 16])
def test_the_exchange_pack_has_no_near_empty_pages(app, admin, demo, tmp_path, extra):
    with app.app_context():
        description = db.session.get(LearningExchange, demo["exchange"]).description
    _set(app, LearningExchange, demo["exchange"],
         description=description + "\n\n" + SENTENCE * extra)
    response = admin.get(f"/exchanges/{demo['exchange']}/pack.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    _assert_no_near_empty_page(response.data, tmp_path, f"exchange pack (+{extra})")


@pytest.mark.parametrize("extra", [0, 4, 9])
def test_the_review_report_has_no_near_empty_pages(app, admin, demo, tmp_path, extra):
    """The map of the year follows the text: a landscape page of its own forced a break
    that left the text's last page nearly empty, wherever that text happened to end."""
    if extra:
        with app.app_context():
            risk = db.session.get(BorgingReview, demo["review"]).risk_key_persons
        _set(app, BorgingReview, demo["review"],
             risk_key_persons=risk + "\n\n" + SENTENCE * extra)
    response = admin.get(f"/collaborations/{demo['review_slug']}/reviews/{demo['review']}"
                         "/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    _assert_no_near_empty_page(response.data, tmp_path, f"review report (+{extra})")


# --- fonts -----------------------------------------------------------------------------------

MISSING = "\u0378"  # unassigned in Unicode: every font draws its "missing" box for it
PROBES = ["🎉", "👍🏽", *"مرحبا", *"你好", *"şğ"]


def _colourful(page) -> int:
    width, height, channels, pixels = page
    return sum(1 for i in range(0, len(pixels), 3)
               if max(pixels[i:i + 3]) - min(pixels[i:i + 3]) > 60)


@pytest.mark.parametrize("stylesheets", [["report-pdf.css"], ["pack.css", "exchange.css"]])
def test_emoji_and_other_scripts_print_as_glyphs(app, tmp_path, stylesheets):
    """Each character on a page of its own, drawn with the PDF's own stylesheets, must
    look different from the box of a character no font has; the emoji in colour."""
    _tools()
    body = "".join(f'<p style="font-size: 40pt; break-after: page">{probe}</p>'
                   for probe in [MISSING, *PROBES])
    with app.test_request_context():
        data_ = pdf.render(f'<html lang="nl"><body class="pack">{body}</body></html>', "",
                           [STATIC_CSS / name for name in stylesheets])
    pages = _pages(data_, tmp_path, dpi=36, gray=False)
    box, drawn = pages[0], dict(zip(PROBES, pages[1:], strict=True))
    assert _colourful(box) == 0
    boxes = [probe for probe, page in drawn.items() if page[3] == box[3]]
    assert not boxes, f"printed as a box: {boxes}"
    for emoji in ("🎉", "👍🏽"):
        assert _colourful(drawn[emoji]) > 20, f"{emoji} is not printed in colour"


def _fonts(data_: bytes, tmp_path: Path) -> str:
    source = tmp_path / "fonts.pdf"
    source.write_bytes(data_)
    return subprocess.run(["pdffonts", str(source)], check=True, capture_output=True,
                          text=True, timeout=60).stdout


@pytest.mark.parametrize("stylesheets", [["report-pdf.css"], ["pack.css", "exchange.css"]])
def test_digits_stay_in_the_text_font(app, tmp_path, stylesheets):
    """The emoji font has digits too (for keycaps): named in the stylesheet's font list,
    it drew every date and count with wide gaps. Plain text needs no emoji font."""
    _tools()
    with app.test_request_context():
        data_ = pdf.render('<html lang="nl"><body class="pack"><p>27 mei 2025 · 1e rimpeling'
                           ' #3 *</p></body></html>', "",
                           [STATIC_CSS / name for name in stylesheets])
    fonts = _fonts(data_, tmp_path)
    assert "DejaVu" in fonts and "Emoji" not in fonts, fonts


def test_the_report_and_pack_embed_fonts_for_every_script(app, admin, demo, tmp_path):
    """End to end: a title in several scripts brings in the fonts that cover them."""
    _set(app, Workshop, demo["workshop"], title="Sessie " + WORLD)
    _set(app, LearningExchange, demo["exchange"], title="Uitwisseling " + WORLD)
    report = admin.get(f"/collaborations/{demo['slug']}/sessions/{demo['workshop']}"
                       "/report.pdf")
    pack = admin.get(f"/exchanges/{demo['exchange']}/pack.pdf")
    for what, response in (("report", report), ("pack", pack)):
        assert response.status_code == 200, what
        fonts = _fonts(response.data, tmp_path)
        assert "Emoji" in fonts, f"{what}: no emoji font embedded:\n{fonts}"
        assert "CJK" in fonts, f"{what}: no Chinese font embedded:\n{fonts}"


def test_weasyprint_understands_every_rule_of_the_print_stylesheets(app, admin, demo, caplog):
    """WeasyPrint skips a rule it does not know with a warning (``overflow-x``, ``fill``
    on HTML, ``clip`` without commas): what the stylesheets say is then not what prints.
    Screen-only rules sit in ``@media screen``."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    for path in (f"/collaborations/{demo['slug']}/sessions/{demo['workshop']}/report.pdf",
                 f"/exchanges/{demo['exchange']}/pack.pdf",
                 f"/collaborations/{demo['review_slug']}/reviews/{demo['review']}/report.pdf",
                 f"/collaborations/{demo['slug']}/map.pdf?paper=a4"):
        assert admin.get(path).status_code == 200, path
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
