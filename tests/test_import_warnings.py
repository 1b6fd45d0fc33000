"""Imports never say nothing: every value an importer does not take as given is refused
with its row or path, or named as a warning in the preview, before anything is written.
One section per importer (rem/interchange/imports/*)."""

from __future__ import annotations

import io
import json
import zipfile

import sqlalchemy as sa
from openpyxl import Workbook

from rem.collaborations.services import by_slug
from rem.extensions import db
from rem.interchange.imports import ImportOptions, UploadedFile, run_import
from rem.ripples.models import RippleItem
from tests.conftest import login
from tests.test_import_formats import _upload, make_world


def preview(app, fmt: str, files: dict[str, bytes], **options):
    """Preview an import; check that it wrote nothing; return the result."""
    with app.test_request_context():
        result = run_import(by_slug("doel"), [UploadedFile(n, d) for n, d in files.items()],
                            ImportOptions(format=fmt, **options), commit=False)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RippleItem)) == 0
    return result


def said(result, *parts: str, blocking: bool = False) -> None:
    """Assert that one message holds every part (a warning, or a refusal)."""
    messages = [p.message for p in (result.blocking if blocking else result.warnings)]
    assert any(all(part in m for part in parts) for m in messages), (parts, messages)


# --- rem JSON ---------------------------------------------------------------------------------


def _rem(items, links=(), **extra) -> bytes:
    return json.dumps({"format": "rem/1", "items": list(items), "links": list(links),
                       **extra}).encode()


def test_rem_json_names_what_it_does_not_take(app):
    make_world(app)
    document = _rem([
        {"id": 1, "kind": "bogus", "title": "Markt", "date": "2024-03-01", "kleur": "rood"},
        {"id": 2, "kind": "effect", "title": "Buren", "date": "2024-13-45",
         "valence": "heel goed", "participant_count": "veel", "intended": "ja",
         "codes": ["borging:sleutelpersonen", 7], "visibility": "iedereen",
         "order": 1, "created_by": "Anna"},
    ], [{"cause_id": 1, "effect_id": 2}, {"cause_id": 1}],
        log_entries=[{"kind": "lesson", "title": "Les", "date": "2024-04-01",
                      "due_date": "morgen", "cited_item_ids": [1, 99]}],
        sessions=[{"id": 5, "title": "", "date": "2024-01-01"}])
    result = preview(app, "json", {"k.json": document})
    assert result.ok, [p.message for p in result.blocking]
    said(result, "item 1", "“bogus”", "een activiteit")
    said(result, "item 2", "“2024-13-45”", "niet te lezen")
    said(result, "item 2", "“heel goed”", "positief of negatief")
    said(result, "item 2", "“iedereen”", "alleen het samenwerkingsverband")
    said(result, "item 2", "“veel”")
    said(result, "item 2", "intended", "“ja”")
    said(result, "item 2", "geen tekst", "codes")
    said(result, "“kleur”", "kent rem niet")
    said(result, "Verbinding 2", "overgeslagen")
    said(result, "logboekregel 1", "“morgen”")
    said(result, "Les", "99")
    said(result, "Evaluatiesessie 1", "niet overgenomen")
    assert any("rimpelorde rekent rem zelf" in n for n in result.notes)


def test_rem_json_refuses_a_nul_character_with_its_path(app):
    make_world(app)
    result = preview(app, "json", {"k.json": _rem([
        {"id": 1, "kind": "activity", "title": "Mar\u0000kt", "date": "2024-03-01"}])})
    said(result, "NUL", "/items/0/title", blocking=True)


# --- RippleFX ---------------------------------------------------------------------------------

NODES = ("type," + ",".join(f"attribute_label_{n},value_{n}" for n in range(1, 5)) + """
box,name,Markt,kind,bijeenkomst,fillcolor,#fff,date,14/03/2024
ellipse,name,Buren,date,31/02/2024,intended,misschien,,
ellipse,name,Netwerk,date,01/06/2024,date_precision,eeuw,,
""")
RELATIONSHIPS = """match id 1,match id 2,attribute_label_1,value_1
Markt,Buren,style,dashed
Markt,,,
"""


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_ripplefx_names_what_it_does_not_take(app):
    make_world(app)
    result = preview(app, "ripplefx", {"pair.zip": _zip({
        "nodes.csv": NODES, "relationships.csv": RELATIONSHIPS, "readme.txt": "hallo",
        "extra.csv": "a,b\n1,2\n"})})
    assert result.ok, [p.message for p in result.blocking]
    said(result, "“Markt” (regel 2)", "“bijeenkomst”")
    said(result, "Regel 3", "“31/02/2024”")
    said(result, "Regel 3", "“misschien”")
    said(result, "Regel 4", "“eeuw”")
    said(result, "opmaak", "fillcolor", "type")
    said(result, "regels 3", "mist een van beide kanten")
    said(result, "Eigenschappen van verbindingen", "style")
    said(result, "“readme.txt”", "geen CSV")
    said(result, "“extra.csv”", "niet ingelezen")


# --- tables (CSV and XLSX) --------------------------------------------------------------------


def test_a_table_names_what_it_does_not_take(app):
    make_world(app)
    table = ("titel,soort,datum,precisie,waardering,bedoeld,opmerking\n"
             "Markt,bijeenkomst,2024-03-01,,,,los\n"
             "Buren,effect,31-13-2024,eeuw,super,misschien,\n"
             ",,,,,,alleen een opmerking\n"
             "Netwerk,effect,2024-05,,positief,ja,,teveel\n")
    result = preview(app, "table", {"t.csv": table.encode()})
    assert result.ok, [p.message for p in result.blocking]
    said(result, "niet ingelezen", "“opmerking”")
    said(result, "“Markt” (regel 2)", "“bijeenkomst”")
    said(result, "Regel 3", "“31-13-2024”")
    said(result, "Regel 3", "“eeuw”")
    said(result, "“Buren” (regel 3)", "“super”")
    said(result, "Regel 3", "“misschien”")
    said(result, "Regel 4", "geen titel en geen sleutel")
    said(result, "regel 5", "meer cellen dan er kolommen zijn")


def test_a_table_of_links_names_half_links_and_an_unused_sheet(app):
    make_world(app)
    book = Workbook()
    nodes = book.active
    nodes.title = "nodes"
    nodes.append(["titel", "datum"])
    nodes.append(["Markt", "2024-03-01"])
    nodes.append(["Buren", "2024-04-01"])
    links = book.create_sheet("links")
    links.append(["van", "naar"])
    links.append(["Markt", "Buren"])
    links.append(["Markt", None])
    book.create_sheet("notities").append(["iets"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = preview(app, "table", {"t.xlsx": buffer.getvalue()})
    assert result.ok and result.created_links == 1
    said(result, "regel 3", "mist een oorzaak of een gevolg")
    said(result, "“notities”", "niet ingelezen")


def test_a_table_refuses_a_nul_character_with_its_line(app):
    make_world(app)
    result = preview(app, "table", {"t.csv": b"titel\nMarkt\nBu\x00ren\n"})
    said(result, "NUL", "regel 3", blocking=True)


# --- XMind ------------------------------------------------------------------------------------


def _xmind(root: dict, relationships=()) -> bytes:
    return _zip({"content.json": json.dumps([{
        "id": "s1", "class": "sheet", "title": "Blad 1", "rootTopic": root,
        "relationships": list(relationships)}])})


def test_xmind_names_hyperlinks_images_attachments_and_more(app):
    make_world(app)
    root = {"id": "r", "title": "Midden", "children": {"attached": [
        {"id": "a", "title": "Markt", "href": "https://example.org/verslag",
         "children": {"attached": [
             {"id": "e1", "title": "Buren", "image": {"src": "xap:resources/foto.png"}},
             {"id": "e2", "title": "Brief", "href": "xap:attachments/brief.pdf"},
             {"id": "e3", "title": "Zie ook", "href": "xmind:#a"},
             {"id": "e4", "title": "Opgemaakt",
              "notes": {"realHTML": {"content": "<p><b>vet</b></p>"}}},
         ], "summary": [{"id": "s", "title": "Samen"}]}},
    ]}}
    result = preview(app, "xmind", {"k.xmind": _xmind(root, [
        {"id": "rel", "end1Id": "e1", "end2Id": "e2", "title": "leidt tot"}])})
    assert result.ok, [p.message for p in result.blocking]
    said(result, "Blad 1 › Midden › Markt › Buren", "afbeelding")
    said(result, "Blad 1 › Midden › Markt › Brief", "bijlage", "brief.pdf")
    said(result, "Zie ook", "link naar een ander onderwerp")
    said(result, "Opgemaakt", "opgemaakte notitie")
    said(result, "Blad 1 › Midden › Markt", "“summary”")
    said(result, "relatie heeft een tekst")
    assert any("1 link uit de kaart" in n for n in result.notes)


def test_xmind_8_names_attachments_and_images(app):
    make_world(app)
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<xmap-content xmlns="urn:xmind:xmap:xmlns:content:2.0" xmlns:xlink="http://www.w3.org/1999/xlink"
    xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <sheet id="s1"><title>Kaart</title>
    <topic id="root"><title>Midden</title>
      <children><topics type="attached">
        <topic id="a1" xlink:href="xap:attachments/verslag.docx"><title>Bijeenkomst</title>
          <xhtml:img xhtml:src="xap:attachments/foto.jpg"/>
        </topic>
      </topics></children>
    </topic>
  </sheet>
</xmap-content>"""
    result = preview(app, "xmind", {"k.xmind": _zip({"content.xml": xml})})
    said(result, "Midden › Bijeenkomst", "bijlage", "verslag.docx")
    said(result, "Midden › Bijeenkomst", "afbeelding")


def test_the_web_preview_lists_the_warnings_before_anything_is_written(app):
    make_world(app)
    client = app.test_client()
    login(client, "f@example.org")
    page = _upload(client, "json", {"k.json": _rem([
        {"id": 1, "kind": "bogus", "title": "Markt", "date": "2024-03-01"}])}
                   ).get_data(as_text=True)
    assert "Let op" in page and "de soort “bogus” kent rem niet" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RippleItem)) == 0
