"""Export writers: JSON (rem/1), a zip of CSV tables, GraphML, XLSX and the
RippleFX / Meta-REM CSV pair. Each writer streams: it yields bytes while it reads
the database in batches, so memory stays flat for large logs.

The XLSX workbook is written by XlsxWriter in constant-memory mode (real dates, a bold
frozen header row, text never taken as a formula).
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import IO
from xml.sax.saxutils import escape

import xlsxwriter

from rem.extensions import db
from rem.interchange.rows import (
    CODE_COLUMNS,
    LINK_COLUMNS,
    LOG_ENTRY_COLUMNS,
    NODE_CODE_COLUMNS,
    NODE_COLUMNS,
    THEME_COLUMNS,
    iso_datetime,
)
from rem.interchange.scope import ExportScope
from rem.ripples.models import RippleItem, RippleLink

FORMAT_VERSION = "rem/1"
CHUNK = 64 * 1024

FORMATS = {
    # name: (file extension, MIME type)
    "json": ("json", "application/json"),
    "csv": ("zip", "application/zip"),
    "graphml": ("graphml", "application/graphml+xml"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ripplefx": ("zip", "application/zip"),
}

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _chunked(parts: Iterable[str | bytes]) -> Iterator[bytes]:
    """Join small pieces into chunks of about 64 KiB."""
    buffer: list[bytes] = []
    size = 0
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        buffer.append(data)
        size += len(data)
        if size >= CHUNK:
            yield b"".join(buffer)
            buffer.clear()
            size = 0
    if buffer:
        yield b"".join(buffer)


# --- JSON ---------------------------------------------------------------------------


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def json_parts(scope: ExportScope) -> Iterator[str]:
    """Yield the rem/1 JSON document piece by piece."""
    yield "{\n"
    yield f'"format": {_json(FORMAT_VERSION)},\n'
    yield f'"exported_at": {_json(iso_datetime(scope.exported_at))},\n'
    yield f'"pseudonymised": {_json(scope.pseudonymised)},\n'
    yield f'"collaborations": {_json(scope.collaboration_rows())},\n'
    books: dict[str, dict] = {}
    for code in scope.used_codes():
        book = books.setdefault(code.codebook.slug, {
            "slug": code.codebook.slug, "name": code.codebook.name,
            "description": code.codebook.description, "builtin": code.codebook.builtin,
            "codes": []})
        book["codes"].append({"slug": code.slug, "name": code.name,
                              "description": code.description})
    yield f'"codebooks": {_json(list(books.values()))},\n'
    yield f'"themes": {_json(list(scope.themes()))},\n'
    yield '"items": ['
    first = True
    for node in scope.nodes():
        yield ("\n" if first else ",\n") + _json(node)
        first = False
    yield "\n],\n"
    yield '"links": ['
    first = True
    for link in scope.links():
        yield ("\n" if first else ",\n") + _json(link)
        first = False
    yield "\n],\n"
    yield '"log_entries": ['
    first = True
    for entry in scope.log_entries():
        yield ("\n" if first else ",\n") + _json(entry)
        first = False
    yield "\n],\n"
    yield f'"sessions": {_json(scope.workshops())}\n'
    yield "}\n"


def export_json(scope: ExportScope) -> Iterator[bytes]:
    """Stream the rem/1 JSON document."""
    return _chunked(json_parts(scope))


# --- a zip written as it streams ------------------------------------------------------


class _Sink(io.RawIOBase):
    """A write-only, non-seekable file that collects what zipfile writes."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self._chunks.append(data)
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def stream_zip(entries: list[tuple[str, Callable[[], Iterator[list]]]]) -> Iterator[bytes]:
    """Stream a zip of CSV files. Each entry is (name, function yielding CSV rows)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, rows in entries:
            with archive.open(name, "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                writer = csv.writer(text, lineterminator="\n")
                for count, row in enumerate(rows(), start=1):
                    writer.writerow([_csv_value(v) for v in row])
                    if count % 500 == 0:
                        text.flush()
                        data = sink.drain()
                        if data:
                            yield data
                text.flush()
                text.detach()
            data = sink.drain()
            if data:
                yield data
    yield sink.drain()


def _table(columns: list[str], rows: Callable[[], Iterable[dict]]) -> Callable[[], Iterator[list]]:
    def generate() -> Iterator[list]:
        yield columns
        for row in rows():
            yield [row.get(c) for c in columns]
    return generate


def export_csv(scope: ExportScope) -> Iterator[bytes]:
    """Stream a zip of tidy tables: nodes, links, codes, node_codes, log_entries, themes."""
    return stream_zip([
        ("nodes.csv", _table(NODE_COLUMNS, scope.nodes)),
        ("links.csv", _table(LINK_COLUMNS, scope.links)),
        ("codes.csv", _table(CODE_COLUMNS, scope.codes)),
        ("node_codes.csv", _table(NODE_CODE_COLUMNS, scope.node_codes)),
        ("log_entries.csv", _table(LOG_ENTRY_COLUMNS, scope.log_entries)),
        ("themes.csv", _table(THEME_COLUMNS, scope.themes)),
    ])


# --- GraphML ------------------------------------------------------------------------

GRAPHML_NODE_KEYS = [
    # (key, GraphML type)
    ("label", "string"), ("kind", "string"), ("collaboration", "string"),
    ("description", "string"), ("date", "string"), ("date_start", "string"),
    ("date_end", "string"), ("date_precision", "string"), ("order", "int"),
    ("visibility", "string"), ("participant_count", "int"), ("governance_style", "string"),
    ("ladder_step", "string"), ("intended", "boolean"), ("valence", "string"),
    ("noticed_by", "string"), ("evidence_kind", "string"), ("evidence_text", "string"),
    ("evidence_url", "string"), ("codes", "string"), ("session_id", "int"),
    ("created_by", "string"),
    ("created_by_role", "string"), ("created_at", "string"), ("updated_at", "string"),
    ("themes", "string"), ("unanswered", "boolean"),
]
GRAPHML_EDGE_KEYS = [("link_id", "int"), ("collaboration", "string"), ("created_at", "string")]


def _xml_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    return escape(_XML_BAD.sub("", str(value)))


def graphml_parts(scope: ExportScope) -> Iterator[str]:
    """Yield a GraphML document: one node per item, one directed edge per link."""
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
           'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
    for key, kind in GRAPHML_NODE_KEYS:
        yield f'  <key id="n_{key}" for="node" attr.name="{key}" attr.type="{kind}"/>\n'
    for key, kind in GRAPHML_EDGE_KEYS:
        yield f'  <key id="e_{key}" for="edge" attr.name="{key}" attr.type="{kind}"/>\n'
    yield '  <graph id="rem" edgedefault="directed">\n'
    for node in scope.nodes():
        node = dict(node, label=node["title"])
        data = "".join(
            f'<data key="n_{key}">{_xml_text(node[key])}</data>'
            for key, _kind in GRAPHML_NODE_KEYS
            if node.get(key) not in (None, "", [])
        )
        yield f'    <node id="{node["id"]}">{data}</node>\n'
    for link in scope.links():
        yield (f'    <edge id="e{link["id"]}" source="{link["cause_id"]}" '
               f'target="{link["effect_id"]}"><data key="e_link_id">{link["id"]}</data>'
               f'<data key="e_collaboration">{_xml_text(link["collaboration"])}</data>'
               f'<data key="e_created_at">{link["created_at"]}</data></edge>\n')
    yield "  </graph>\n</graphml>\n"


def export_graphml(scope: ExportScope) -> Iterator[bytes]:
    """Stream the GraphML document (opens in Gephi, networkx, yEd, Cytoscape)."""
    return _chunked(graphml_parts(scope))


# --- XLSX ---------------------------------------------------------------------------

# XlsxWriter in constant-memory mode: each row is written to a temporary file as soon as
# the next one begins, so memory stays flat; the workbook is then sent from that file.
# Text goes in with write_string, so nothing in a cell is ever a formula or a link
# ("=HYPERLINK(...)" stays text).

_XLSX_CHUNK = 64 * 1024


def _xlsx_value(value):
    """Return the cell value: lists as "a;b", text without characters XML cannot hold."""
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    if isinstance(value, str):
        value = _XML_BAD.sub("", value)
    return value


def _write_sheet(workbook: xlsxwriter.Workbook, name: str, columns: list[str],
                 rows: Iterable[dict], dates=()) -> None:
    sheet = workbook.add_worksheet(name)
    sheet.freeze_panes(1, 0)
    header, day = workbook.rem_formats  # type: ignore[attr-defined]
    for column, title in enumerate(columns):
        sheet.write_string(0, column, title, header)
    for number, row in enumerate(rows, start=1):
        for column, key in enumerate(columns):
            value = _xlsx_value(row.get(key))
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_boolean(number, column, value)
            elif isinstance(value, int | float):
                sheet.write_number(number, column, value)
            elif key in dates:
                sheet.write_datetime(number, column, date.fromisoformat(value), day)
            elif isinstance(value, date):
                sheet.write_datetime(number, column, value, day)
            else:
                sheet.write_string(number, column, str(value))


def _build_workbook(scope: ExportScope, built: IO[bytes]) -> None:
    """Write the workbook into ``built`` (a seekable file), one sheet per table."""
    workbook = xlsxwriter.Workbook(built, {"constant_memory": True})
    workbook.rem_formats = (workbook.add_format({"bold": True}),  # type: ignore[attr-defined]
                            workbook.add_format({"num_format": 14}))
    _write_sheet(workbook, "nodes", NODE_COLUMNS, scope.nodes(),
                 dates=("date_start", "date_end"))
    _write_sheet(workbook, "links", LINK_COLUMNS, scope.links())
    _write_sheet(workbook, "codes", CODE_COLUMNS, scope.codes())
    _write_sheet(workbook, "node_codes", NODE_CODE_COLUMNS, scope.node_codes())
    _write_sheet(workbook, "log_entries", LOG_ENTRY_COLUMNS, scope.log_entries())
    _write_sheet(workbook, "themes", THEME_COLUMNS, scope.themes())
    workbook.close()


def export_xlsx(scope: ExportScope) -> Iterator[bytes]:
    """Stream a workbook with one sheet per table (dates as real dates, a bold frozen
    header row), built first in a temporary file."""
    with tempfile.TemporaryFile() as built:
        _build_workbook(scope, built)
        built.seek(0)
        while chunk := built.read(_XLSX_CHUNK):
            yield chunk


def write_xlsx(scope: ExportScope, target: IO[bytes]) -> None:
    """Write the workbook to an open binary file (which need not be seekable)."""
    for chunk in export_xlsx(scope):
        target.write(chunk)


# --- RippleFX / Meta-REM ------------------------------------------------------------

RIPPLEFX_SHAPES = {"activity": "box", "effect": "ellipse"}
RIPPLEFX_COLOURS = {"activity": "#d6e4f0", "positive": "#d9f0e0", "negative": "#f8d7d7",
                    "mixed": "#fdebc8"}
RIPPLEFX_NODE_ATTRIBUTES = ["name", "date", "rem_id", "kind", "date_precision", "order",
                            "valence", "intended", "codes", "fillcolor", "description",
                            "evidence"]


def ripplefx_name(scope: ExportScope, item_id: int, title: str, duplicates: set[str]) -> str:
    """Return the node's unique name: its title, plus its id when titles repeat."""
    name = " ".join(scope.text(title).split())
    return f"{name} (#{item_id})" if title in duplicates else name


def _ripplefx_date(iso_day: str) -> str:
    day = date.fromisoformat(iso_day)
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def export_ripplefx(scope: ExportScope) -> Iterator[bytes]:
    """Stream a zip with nodes.csv and relationships.csv as RippleFX reads them."""
    import sqlalchemy as sa
    from sqlalchemy import orm


    duplicates = scope.duplicate_titles()

    def nodes() -> Iterator[list]:
        header = ["type"]
        for n in range(1, len(RIPPLEFX_NODE_ATTRIBUTES) + 1):
            header += [f"attribute_label_{n}", f"value_{n}"]
        yield header
        for node in scope.nodes(raw_titles=True):
            values = {
                "name": ripplefx_name(scope, node["id"], node["_raw_title"], duplicates),
                "date": _ripplefx_date(node["date_start"]),
                "rem_id": node["id"],
                "kind": node["kind"],
                "date_precision": node["date_precision"],
                "order": node["order"],
                "valence": node["valence"],
                "intended": {True: "ja", False: "nee"}.get(node["intended"], ""),
                "codes": ";".join(node["codes"]),
                "fillcolor": RIPPLEFX_COLOURS.get(
                    "activity" if node["kind"] == "activity" else node["valence"] or "", ""),
                "description": " ".join((node["description"] or "").split()),
                "evidence": " ".join((node["evidence_text"] or "").split()),
            }
            row = [RIPPLEFX_SHAPES.get(node["kind"], "ellipse")]
            for label in RIPPLEFX_NODE_ATTRIBUTES:
                value = values[label]
                row += [label, "" if value is None else value]
            yield row

    def relationships() -> Iterator[list]:
        yield ["match id 1", "match id 2", "attribute_label_1", "value_1"]
        cause = orm.aliased(RippleItem)
        effect = orm.aliased(RippleItem)
        stmt = (
            sa.select(RippleLink.id, cause.id, cause.title, effect.id, effect.title)
            .join(cause, cause.id == RippleLink.cause_id)
            .join(effect, effect.id == RippleLink.effect_id)
            .where(RippleLink.deleted_at.is_(None), scope.visible_clause(cause),
                   scope.visible_clause(effect))
            .order_by(RippleLink.id)
        )
        for link_id, cid, ctitle, eid, etitle in db.session.execute(
                stmt.execution_options(yield_per=2000)):
            yield [ripplefx_name(scope, cid, ctitle, duplicates),
                   ripplefx_name(scope, eid, etitle, duplicates), "rem_id", link_id]

    return stream_zip([("nodes.csv", nodes), ("relationships.csv", relationships)])


WRITERS = {
    "json": export_json,
    "csv": export_csv,
    "graphml": export_graphml,
    "xlsx": export_xlsx,
    "ripplefx": export_ripplefx,
}


def write_export(scope: ExportScope, fmt: str, target: IO[bytes]) -> None:
    """Write the export in ``fmt`` to an open binary file."""
    for chunk in WRITERS[fmt](scope):
        target.write(chunk)
