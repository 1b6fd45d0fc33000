"""Hostile and broken files are refused with a plain Dutch message; nothing is written."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from tests.conftest import login
from tests.test_import_formats import _upload, cli_import, count_items, make_world


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<xmap-content xmlns="urn:xmind:xmap:xmlns:content:2.0"><sheet id="s"><topic id="t">
<title>&lol2;</title></topic></sheet></xmap-content>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xmap-content xmlns="urn:xmind:xmap:xmlns:content:2.0"><sheet id="s"><topic id="t">
<title>&xxe;</title></topic></sheet></xmap-content>"""


CASES = {
    "not a zip": ("xmind", {"kaart.xmind": b"dit is gewoon tekst"}, "geen zip-bestand"),
    "zip bomb": ("xmind", {"bom.xmind": _zip({"content.json": b"0" * (3 * 1024 * 1024)})},
                 "zip-bom"),
    "climbing path": ("xmind", {"pad.xmind": _zip({"../../etc/evil.json": b"[]",
                                                   "content.json": b"[]"})},
                      "onveilige naam"),
    "absolute path": ("table", {"t.zip": _zip({"/etc/nodes.csv": b"title\nx\n"})},
                      "onveilige naam"),
    "xml entities": ("xmind", {"oud.xmind": _zip({"content.xml": BILLION_LAUGHS})},
                     "XML-entiteiten"),
    "external entity": ("xmind", {"oud.xmind": _zip({"content.xml": EXTERNAL_ENTITY})},
                        "XML-entiteiten"),
    "wrong encoding": ("table", {"t.csv": "titel\nCafé in het dorpshuis\n".encode("cp1252")},
                       "niet opgeslagen als UTF-8"),
    "zip without a map": ("xmind", {"leeg.xmind": _zip({"readme.txt": b"hallo"})},
                          "geen XMind-kaart"),
    "broken xml": ("xmind", {"kapot.xmind": _zip({"content.xml": b"<xmap-content><sheet"})},
                   "geen geldige XML"),
    "not rem json": ("json", {"x.json": b'{"format": "iets anders"}'}, "geen rem-export"),
    "broken json": ("json", {"x.json": b'{"format": "rem/1", '}, "geen geldige JSON"),
    "deep json": ("json", {"x.json": b"[" * 100_000 + b"]" * 100_000},
                  "te diep genest"),
    "empty file": ("table", {"leeg.csv": b""}, "is leeg"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_file_is_refused_cleanly(app, tmp_path, case):
    make_world(app)
    fmt, files, message = CASES[case]
    result = cli_import(app, tmp_path, fmt, files)
    assert result.exit_code != 0, result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert count_items(app) == 0


def test_deeply_nested_xmind_is_refused(app, tmp_path):
    make_world(app)
    topic: dict = {"title": "blad"}
    for n in range(150):
        topic = {"title": f"laag {n}", "children": {"attached": [topic]}}
    files = {"diep.xmind": _zip({"content.json": json.dumps([{"rootTopic": topic}]).encode()})}
    result = cli_import(app, tmp_path, "xmind", files)
    assert result.exit_code != 0 and "te diep genest" in result.output
    assert count_items(app) == 0


def test_zip_that_unpacks_to_too_much_is_refused(app, tmp_path, monkeypatch):
    make_world(app)
    monkeypatch.setitem(app.config, "REM_MAX_IMPORT_BYTES", 20_000)
    entries = {f"deel{n}.csv": bytes(range(256)) * 40 for n in range(30)}  # 300 KB in all
    result = cli_import(app, tmp_path, "table", {"veel.zip": _zip(entries)})
    assert result.exit_code != 0 and "pakt uit tot meer dan" in result.output


def test_over_size_upload_is_refused_on_the_page(app, monkeypatch):
    make_world(app)
    monkeypatch.setitem(app.config, "REM_MAX_IMPORT_BYTES", 100)
    client = app.test_client()
    login(client, "f@example.org")
    response = _upload(client, "table", {"groot.csv": b"titel\n" + b"x" * 500})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "is te groot" in html
    assert "Voorbeeld van het inlezen" not in html


def test_hostile_file_on_the_page_shows_the_message(app):
    make_world(app)
    client = app.test_client()
    login(client, "f@example.org")
    files = {"oud.xmind": _zip({"content.xml": BILLION_LAUGHS})}
    html = _upload(client, "xmind", files).get_data(as_text=True)
    assert "XML-entiteiten" in html and 'value="import"' not in html
    assert count_items(app) == 0
