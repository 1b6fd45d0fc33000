"""Export writers: JSON (rem/1), a zip of CSV tables, GraphML, XLSX and the
RippleFX / Meta-REM CSV pair. Each writer streams: it yields bytes while it reads
the database in batches, so memory stays flat for large logs.

The XLSX writer writes SpreadsheetML itself (inline strings, real dates, a bold
frozen header row) into a zip that streams like the CSV one.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import IO
from xml.sax.saxutils import escape

from rem.extensions import db
from rem.interchange.scope import (
    CODE_COLUMNS,
    LINK_COLUMNS,
    LOG_ENTRY_COLUMNS,
    NODE_CODE_COLUMNS,
    NODE_COLUMNS,
    THEME_COLUMNS,
    ExportScope,
    iso_datetime,
)
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
    yield f'"sessions": {_json(scope.sessions())}\n'
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
    ("themes", "string"),
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


# SpreadsheetML written by hand, as it streams: openpyxl (even write-only, with lxml)
# spends most of an export building one object per cell. Text goes in inline strings,
# so nothing in a cell is ever a formula ("=HYPERLINK(...)" stays text).

_XLSX_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XLSX_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XLSX_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_XLSX_EPOCH = date(1899, 12, 30)  # day 0 of Excel's (1900) date system, as counted
_XLSX_STYLE_DATE, _XLSX_STYLE_HEADER = 1, 2

_XLSX_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_XLSX_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)


def _column_letters(n: int) -> str:
    """Return the column name of the 0-based column ``n``: A, B, ... Z, AA, ..."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xlsx_cell(ref: str, value, style: int = 0) -> str:
    """Return one <c> element, or "" for an empty cell."""
    if value is None or value == "" or value == []:
        return ""
    s = f' s="{style}"' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{_XLSX_STYLE_DATE}"><v>{(value - _XLSX_EPOCH).days}</v></c>'
    return (f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_xml_text(value)}'
            '</t></is></c>')


def _sheet_parts(columns: list[str], rows: Iterable[dict], dates=()) -> Iterator[str]:
    letters = [_column_letters(n) for n in range(len(columns))]
    yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<worksheet xmlns="{_XLSX_MAIN}" xmlns:r="{_XLSX_REL}">'
           '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
           'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>'
           '</sheetView></sheetViews><sheetData>')
    yield '<row r="1">' + "".join(_xlsx_cell(f"{letter}1", name, _XLSX_STYLE_HEADER)
                                  for letter, name in zip(letters, columns, strict=True))
    yield "</row>"
    for number, row in enumerate(rows, start=2):
        cells = []
        for letter, name in zip(letters, columns, strict=True):
            value = row.get(name)
            if name in dates and value:
                value = date.fromisoformat(value)
            cells.append(_xlsx_cell(f"{letter}{number}", value))
        yield f'<row r="{number}">' + "".join(cells) + "</row>"
    yield "</sheetData></worksheet>"


def stream_xlsx(sheets: list[tuple[str, Callable[[], Iterator[str]]]]) -> Iterator[bytes]:
    """Stream a workbook: one (name, function yielding the sheet's XML) per sheet."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, len(sheets) + 1))
    fixed = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f'{overrides}</Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{_XLSX_PKG}"><Relationship Id="rId1" '
            f'Type="{_XLSX_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{_XLSX_MAIN}" xmlns:r="{_XLSX_REL}"><sheets>'
            + "".join(f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
                      for n, (name, _parts) in enumerate(sheets, start=1))
            + "</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{_XLSX_PKG}">'
            + "".join(f'<Relationship Id="rId{n}" Type="{_XLSX_REL}/worksheet" '
                      f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, len(sheets) + 1))
            + f'<Relationship Id="rId{len(sheets) + 1}" Type="{_XLSX_REL}/styles" '
              'Target="styles.xml"/></Relationships>'),
        "xl/styles.xml": _XLSX_STYLES,
    }
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in fixed.items():
            archive.writestr(name, text)
        for n, (_name, parts) in enumerate(sheets, start=1):
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w") as raw:
                for chunk in _chunked(parts()):
                    raw.write(chunk)
                    data = sink.drain()
                    if data:
                        yield data
            data = sink.drain()
            if data:
                yield data
    yield sink.drain()


def export_xlsx(scope: ExportScope) -> Iterator[bytes]:
    """Stream a workbook with one sheet per table (dates as real dates)."""
    return stream_xlsx([
        ("nodes", lambda: _sheet_parts(NODE_COLUMNS, scope.nodes(),
                                       dates=("date_start", "date_end"))),
        ("links", lambda: _sheet_parts(LINK_COLUMNS, scope.links())),
        ("codes", lambda: _sheet_parts(CODE_COLUMNS, scope.codes())),
        ("node_codes", lambda: _sheet_parts(NODE_CODE_COLUMNS, scope.node_codes())),
        ("log_entries", lambda: _sheet_parts(LOG_ENTRY_COLUMNS, scope.log_entries())),
        ("themes", lambda: _sheet_parts(THEME_COLUMNS, scope.themes())),
    ])


def write_xlsx(scope: ExportScope, target: IO[bytes]) -> None:
    """Write the workbook to an open binary file."""
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
