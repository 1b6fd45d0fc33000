"""Read a table of items (CSV or XLSX) and, optionally, a table of links.

Where the tables come from:
- a CSV of items, and optionally a second CSV of links;
- an XLSX workbook: the sheet "nodes" (or "items", or the first sheet) and the
  sheet "links" (or "verbindingen", "relaties", or the second sheet);
- a zip with nodes.csv and links.csv (the CSV export of rem).

Which column holds what is the column mapping: guessed from the headers, and
changed by the person on the preview page (or with --map on the command line).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from rem.core.dates import DateError, FuzzyDate, Precision, parse_iso
from rem.interchange.imports.base import (
    ImportOptions,
    ImportPlan,
    ImportRefused,
    PlannedItem,
    UploadedFile,
)
from rem.interchange.imports.ripplefx import NO, YES, parse_day
from rem.interchange.imports.safety import (
    MAX_ROWS,
    CsvTable,
    decode_text,
    open_zip,
    read_entry,
)

# target field -> (label, header names that suggest it)
TARGET_FIELDS: dict[str, tuple] = {
    "key": (_l("Sleutel (waar verbindingen naar verwijzen)"),
            ("id", "key", "sleutel", "nr", "nummer", "node_id")),
    "title": (_l("Titel"), ("title", "titel", "name", "naam", "label", "omschrijving kort")),
    "kind": (_l("Soort (activiteit of effect)"), ("kind", "soort", "type")),
    "date": (_l("Datum"), ("date", "datum", "wanneer", "date_start", "startdatum")),
    "date_precision": (_l("Precisie van de datum"),
                       ("date_precision", "precisie", "nauwkeurigheid")),
    "description": (_l("Beschrijving"), ("description", "beschrijving", "omschrijving",
                                         "toelichting")),
    "codes": (_l("Codes (gescheiden door ;)"), ("codes", "code", "labels", "tags")),
    "valence": (_l("Positief / negatief"), ("valence", "waardering", "richting")),
    "intended": (_l("Bedoeld (ja/nee)"), ("intended", "bedoeld")),
    "unanswered": (_l("Nog niet gevraagd: bedoeld? hoe was het? (ja/nee)"),
                   ("unanswered", "nog niet gevraagd")),
    "evidence_text": (_l("Bewijs of citaat"), ("evidence_text", "bewijs", "citaat", "quote")),
    "cause": (_l("Verbindingen: oorzaak"), ("cause_id", "cause", "oorzaak", "van", "from",
                                             "source", "bron", "match id 1")),
    "effect": (_l("Verbindingen: gevolg"), ("effect_id", "effect", "gevolg", "naar", "to",
                                            "target", "doel", "match id 2")),
}
LINK_FIELDS = ("cause", "effect")
LINK_SHEETS = ("links", "verbindingen", "relaties", "relationships", "edges")
NODE_SHEETS = ("nodes", "items", "knopen")
VALENCES = {"positive": "positive", "positief": "positive", "+": "positive",
            "negative": "negative", "negatief": "negative", "-": "negative",
            "mixed": "mixed", "gemengd": "mixed", "±": "mixed",
            # "not known" is a real answer, stored empty
            "unknown": None, "niet bekend": None, "onbekend": None, "weet ik niet": None}
KINDS = {"activity": "activity", "activiteit": "activity", "a": "activity",
         "effect": "effect", "e": "effect"}
PRECISIONS = {"day": "day", "dag": "day", "month": "month", "maand": "month",
              "quarter": "quarter", "kwartaal": "quarter", "year": "year", "jaar": "year"}

# A table: its header, its rows as (row number, {column: value}) (read lazily from a
# CSV), and where it came from (for messages).
Table = tuple[list[str], Iterable[tuple[int, dict]]]


class _Sheet:
    """A table read from a CSV (streamed) or an Excel sheet, with its name."""

    def __init__(self, name: str, header: list[str], rows: Iterable[tuple[int, dict]],
                 csv_table: CsvTable | None = None):
        self.name = name
        self.header = header
        self.rows = rows
        self.csv = csv_table

    @property
    def extra_cells(self) -> list[int]:
        """Row numbers with cells beyond the header (known once the rows were read)."""
        return self.csv.extra_cells if self.csv is not None else []


def _xlsx_tables(data: bytes, name: str) -> tuple[_Sheet | None, _Sheet | None, list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise ImportRefused(_("“%(name)s” is geen leesbaar Excel-bestand.", name=name)) from exc

    def table(sheet) -> _Sheet:
        rows = sheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        out = []
        for number, row in enumerate(rows, start=2):
            if not any(v not in (None, "") for v in row):
                continue
            out.append((number, {header[i]: row[i] for i in range(min(len(header), len(row)))
                                 if header[i]}))
            if len(out) > MAX_ROWS:
                raise ImportRefused(_("“%(name)s” heeft meer dan %(n)d regels.", name=name,
                                      n=MAX_ROWS))
        return _Sheet(f"{name} › {sheet.title}", header, out)

    try:
        sheets = {s.title.lower(): s for s in workbook.worksheets}
        ordered = list(workbook.worksheets)
        node_sheet = next((sheets[n] for n in NODE_SHEETS if n in sheets), ordered[0])
        link_sheet = next((sheets[n] for n in LINK_SHEETS if n in sheets), None)
        if link_sheet is None and len(ordered) > 1 and ordered[1] is not node_sheet:
            link_sheet = ordered[1]
        unused = [s.title for s in ordered if s is not node_sheet and s is not link_sheet]
        return (table(node_sheet), table(link_sheet) if link_sheet is not None else None,
                unused)
    finally:
        workbook.close()


def load_tables(files: list[UploadedFile], limit: int
                ) -> tuple[_Sheet, _Sheet | None, list[str]]:
    """Return the items table, the links table (if any) and the names of tables or sheets
    that are neither (they are not read)."""
    tables: list[_Sheet] = []
    links: _Sheet | None = None
    unused: list[str] = []
    for upload in files:
        if upload.data[:2] == b"PK":
            archive = open_zip(upload.data, upload.name, limit)
            names = archive.namelist()
            if "xl/workbook.xml" in names:
                nodes_table, links_table, skipped = _xlsx_tables(upload.data, upload.name)
                tables.append(nodes_table)
                links = links_table or links
                unused += skipped
                continue
            for entry in names:
                if entry.lower().endswith(".csv"):
                    text = decode_text(read_entry(archive, entry, limit), entry)
                    found = CsvTable(text, entry)
                    tables.append(_Sheet(entry, found.header, found.rows(), found))
                elif not entry.endswith("/"):
                    unused.append(f"{upload.name} › {entry}")
        else:
            text = decode_text(upload.data, upload.name)
            found = CsvTable(text, upload.name)
            tables.append(_Sheet(upload.name, found.header, found.rows(), found))
    if not tables:
        raise ImportRefused(_("Er is geen tabel gevonden: kies een CSV- of Excel-bestand."))
    nodes = None
    for table in tables:
        base = table.name.rsplit("/", 1)[-1].lower()
        if base.startswith(LINK_SHEETS) or (_guess(table.header, LINK_FIELDS)["cause"]
                                            and not _guess(table.header, ("title",))["title"]):
            links = table
        elif nodes is None or base.startswith(NODE_SHEETS):
            if nodes is not None:
                unused.append(nodes.name)
            nodes = table
        else:
            unused.append(table.name)
    if nodes is None:
        raise ImportRefused(_("Er is geen tabel met items gevonden (met een kolom voor de "
                              "titel)."))
    return nodes, links, unused


def _guess(header: list[str], fields) -> dict[str, str]:
    lower = {h.lower().strip(): h for h in header if h}
    guessed = {}
    for name in fields:
        guessed[name] = next((lower[s] for s in TARGET_FIELDS[name][1] if s in lower), "")
    return guessed


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()) if not isinstance(value, str) else value.strip()


def parse_date(value) -> FuzzyDate | None:
    """Read a date in any of the forms people type: ISO, 2024-Q2, 13/05/2024, or a cell."""
    if isinstance(value, datetime):
        return FuzzyDate.of(value.date(), Precision.DAY)
    if isinstance(value, date):
        return FuzzyDate.of(value, Precision.DAY)
    if isinstance(value, int | float) and 1900 <= value <= 2200:
        return FuzzyDate.of(date(int(value), 1, 1), Precision.YEAR)
    text = _text(value)
    if not text:
        return None
    first = text.split(" ")[0]
    if "/" in first or "." in first:  # 13/05/2024: the common case, tried first
        day = parse_day(first)
        return FuzzyDate.of(day, Precision.DAY) if day else None
    try:
        return parse_iso(text)
    except DateError:
        pass
    day = parse_day(first)
    return FuzzyDate.of(day, Precision.DAY) if day else None


def parse(files: list[UploadedFile], options: ImportOptions, limit: int) -> ImportPlan:
    """Turn the tables into a plan using the column mapping, reading the rows once."""
    nodes, links, unused = load_tables(files, limit)
    header = nodes.header
    link_header = links.header if links else []
    mapping = _guess(header, [f for f in TARGET_FIELDS if f not in LINK_FIELDS])
    mapping.update(_guess(link_header, LINK_FIELDS))
    for name, column in (options.mapping or {}).items():
        if name in TARGET_FIELDS and (column == "" or column in header or column in link_header):
            mapping[name] = column
    plan = ImportPlan(columns=header, link_columns=link_header, mapping=mapping)
    for name in unused:
        plan.warn(_("“%(name)s” is geen tabel met items of verbindingen en is niet ingelezen.",
                    name=name))
    if not mapping.get("title"):
        plan.refuse(_("Kies welke kolom de titel bevat."))
        return plan
    used = {mapping[f] for f in TARGET_FIELDS if f not in LINK_FIELDS and mapping.get(f)}
    left_out = [h for h in header if h and h not in used]
    if left_out:
        plan.warn(_("Deze kolommen worden niet ingelezen: %(columns)s. Hoort er iets bij, "
                    "kies dan welke kolom wat bevat.",
                    columns=", ".join(f"“{h}”" for h in left_out)))
    seen: set[str] = set()
    skipped: list[int] = []
    row_label = _("regel %(n)d")  # translated once, filled per row
    for n, row in nodes.rows:
        title = _text(row.get(mapping["title"]))
        key = _text(row.get(mapping["key"])) if mapping.get("key") else title
        if not title and not key:
            if any(_text(v) for v in row.values()):
                skipped.append(n)
            continue
        where = row_label % {"n": n}
        if key in seen:
            plan.warn(_("Regel %(n)d: de sleutel “%(key)s” komt al eerder voor; de regel is "
                        "overgeslagen.", n=n, key=key))
            continue
        seen.add(key)
        item = PlannedItem(key=key, title=title, source=where)

        def column(name: str, row=row) -> object:
            return row.get(mapping[name]) if mapping.get(name) else None

        raw_kind = _text(column("kind"))
        item.kind = KINDS.get(raw_kind.lower(), raw_kind or None)
        raw_date = column("date")
        item.when = parse_date(raw_date)
        if item.when is None and _text(raw_date):
            plan.warn(_("Regel %(n)d: de datum “%(date)s” is niet te lezen.", n=n,
                        date=_text(raw_date)[:40]))
        raw_precision = _text(column("date_precision"))
        precision = PRECISIONS.get(raw_precision.lower())
        if raw_precision and precision is None:
            plan.warn(_("Regel %(n)d: de precisie “%(value)s” is onbekend (dag, maand, "
                        "kwartaal of jaar); de datum houdt de precisie die hij had.", n=n,
                        value=raw_precision[:40]))
        if item.when is not None and precision:
            item.when = FuzzyDate.of(item.when.start, precision)
        item.description = _text(column("description"))
        item.codes = [c.strip() for c in _text(column("codes")).replace(",", ";").split(";")
                      if c.strip()]
        raw_valence = _text(column("valence"))
        item.valence = VALENCES.get(raw_valence.lower(), raw_valence or None)
        intended = _text(column("intended")).lower()
        item.intended = True if intended in YES else False if intended in NO else None
        if intended and item.intended is None:
            plan.warn(_("Regel %(n)d: “%(value)s” bij bedoeld is geen ja of nee; het blijft "
                        "leeg.", n=n, value=intended[:40]))
        item.unanswered = _text(column("unanswered")).lower() in YES
        item.evidence_text = _text(column("evidence_text"))
        if item.evidence_text:
            item.evidence_kind = "quote"
        plan.items.append(item)
    if skipped:
        plan.warn(ngettext("Regel %(rows)s heeft geen titel en geen sleutel en is "
                           "overgeslagen.",
                           "De regels %(rows)s hebben geen titel en geen sleutel en zijn "
                           "overgeslagen.", len(skipped), rows=_numbers(skipped)))
    _extra_cells(plan, nodes)
    if links is not None:
        if not (mapping.get("cause") and mapping.get("effect")):
            plan.refuse(_("Kies welke kolommen van de verbindingen de oorzaak en het gevolg "
                          "bevatten."))
            return plan
        half: list[int] = []
        for n, row in links.rows:
            cause = _text(row.get(mapping["cause"]))
            effect = _text(row.get(mapping["effect"]))
            if cause and effect:
                plan.links.append((cause, effect))
            elif cause or effect:
                half.append(n)
        if half:
            plan.warn(ngettext("Verbinding op regel %(rows)s mist een oorzaak of een gevolg en "
                               "is overgeslagen.",
                               "Verbindingen op de regels %(rows)s missen een oorzaak of een "
                               "gevolg en zijn overgeslagen.", len(half), rows=_numbers(half)))
        _extra_cells(plan, links)
    return plan


def _numbers(rows: list[int], shown: int = 20) -> str:
    text = ", ".join(str(n) for n in rows[:shown])
    return text + (" …" if len(rows) > shown else "")


def _extra_cells(plan: ImportPlan, table: _Sheet) -> None:
    if table.extra_cells:
        plan.warn(ngettext(
            "“%(name)s”, regel %(rows)s: meer cellen dan er kolommen zijn; de cellen zonder "
            "kolomnaam zijn niet ingelezen.",
            "“%(name)s”, regels %(rows)s: meer cellen dan er kolommen zijn; de cellen zonder "
            "kolomnaam zijn niet ingelezen.", len(table.extra_cells), name=table.name,
            rows=_numbers(table.extra_cells)))
