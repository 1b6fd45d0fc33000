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
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

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
    decode_text,
    open_zip,
    read_csv,
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
            "mixed": "mixed", "gemengd": "mixed", "±": "mixed"}
KINDS = {"activity": "activity", "activiteit": "activity", "a": "activity",
         "effect": "effect", "e": "effect"}
PRECISIONS = {"day": "day", "dag": "day", "month": "month", "maand": "month",
              "quarter": "quarter", "kwartaal": "quarter", "year": "year", "jaar": "year"}

Table = tuple[list[str], list[dict]]


def _xlsx_tables(data: bytes, name: str) -> tuple[Table | None, Table | None]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise ImportRefused(_("“%(name)s” is geen leesbaar Excel-bestand.", name=name)) from exc

    def table(sheet) -> Table:
        rows = sheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        out = []
        for row in rows:
            if not any(v not in (None, "") for v in row):
                continue
            out.append({header[i]: row[i] for i in range(min(len(header), len(row)))
                        if header[i]})
            if len(out) > MAX_ROWS:
                raise ImportRefused(_("“%(name)s” heeft meer dan %(n)d regels.", name=name,
                                      n=MAX_ROWS))
        return header, out

    try:
        sheets = {s.title.lower(): s for s in workbook.worksheets}
        ordered = list(workbook.worksheets)
        node_sheet = next((sheets[n] for n in NODE_SHEETS if n in sheets), ordered[0])
        link_sheet = next((sheets[n] for n in LINK_SHEETS if n in sheets), None)
        if link_sheet is None and len(ordered) > 1 and ordered[1] is not node_sheet:
            link_sheet = ordered[1]
        return table(node_sheet), table(link_sheet) if link_sheet is not None else None
    finally:
        workbook.close()


def load_tables(files: list[UploadedFile], limit: int) -> tuple[Table, Table | None]:
    """Return the items table and the links table (if any) from the uploads."""
    tables: list[tuple[str, Table]] = []
    links: Table | None = None
    for upload in files:
        if upload.data[:2] == b"PK":
            archive = open_zip(upload.data, upload.name, limit)
            names = archive.namelist()
            if "xl/workbook.xml" in names:
                nodes_table, links_table = _xlsx_tables(upload.data, upload.name)
                tables.append((upload.name, nodes_table))
                links = links_table or links
                continue
            for entry in names:
                if entry.lower().endswith(".csv"):
                    text = decode_text(read_entry(archive, entry, limit), entry)
                    tables.append((entry, read_csv(text, entry)))
        else:
            text = decode_text(upload.data, upload.name)
            tables.append((upload.name, read_csv(text, upload.name)))
    if not tables:
        raise ImportRefused(_("Er is geen tabel gevonden: kies een CSV- of Excel-bestand."))
    nodes = None
    for name, table in tables:
        base = name.rsplit("/", 1)[-1].lower()
        if base.startswith(LINK_SHEETS) or (_guess(table[0], LINK_FIELDS)["cause"]
                                            and not _guess(table[0], ("title",))["title"]):
            links = table
        elif nodes is None or base.startswith(NODE_SHEETS):
            nodes = table
    if nodes is None:
        raise ImportRefused(_("Er is geen tabel met items gevonden (met een kolom voor de "
                              "titel)."))
    return nodes, links


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
    try:
        return parse_iso(text)
    except DateError:
        pass
    day = parse_day(text.split(" ")[0])
    return FuzzyDate.of(day, Precision.DAY) if day else None


def parse(files: list[UploadedFile], options: ImportOptions, limit: int) -> ImportPlan:
    """Turn the tables into a plan using the column mapping."""
    (header, rows), links = load_tables(files, limit)
    link_header = links[0] if links else []
    mapping = _guess(header, [f for f in TARGET_FIELDS if f not in LINK_FIELDS])
    mapping.update(_guess(link_header, LINK_FIELDS))
    for name, column in (options.mapping or {}).items():
        if name in TARGET_FIELDS and (column == "" or column in header or column in link_header):
            mapping[name] = column
    plan = ImportPlan(columns=header, link_columns=link_header, mapping=mapping)
    if not mapping.get("title"):
        plan.refuse(_("Kies welke kolom de titel bevat."))
        return plan
    seen: set[str] = set()
    for n, row in enumerate(rows, start=2):
        title = _text(row.get(mapping["title"]))
        key = _text(row.get(mapping["key"])) if mapping.get("key") else title
        if not title and not key:
            continue
        if key in seen:
            plan.warn(_("Regel %(n)d: de sleutel “%(key)s” komt al eerder voor; de regel is "
                        "overgeslagen.", n=n, key=key))
            continue
        seen.add(key)
        item = PlannedItem(key=key, title=title, source=_("regel %(n)d", n=n))

        def column(name: str, row=row) -> object:
            return row.get(mapping[name]) if mapping.get(name) else None

        item.kind = KINDS.get(_text(column("kind")).lower())
        raw_date = column("date")
        item.when = parse_date(raw_date)
        if item.when is None and _text(raw_date):
            plan.warn(_("Regel %(n)d: de datum “%(date)s” is niet te lezen.", n=n,
                        date=_text(raw_date)[:40]))
        precision = PRECISIONS.get(_text(column("date_precision")).lower())
        if item.when is not None and precision:
            item.when = FuzzyDate.of(item.when.start, precision)
        item.description = _text(column("description"))
        item.codes = [c.strip() for c in _text(column("codes")).replace(",", ";").split(";")
                      if c.strip()]
        item.valence = VALENCES.get(_text(column("valence")).lower())
        intended = _text(column("intended")).lower()
        item.intended = True if intended in YES else False if intended in NO else None
        item.evidence_text = _text(column("evidence_text"))
        if item.evidence_text:
            item.evidence_kind = "quote"
        plan.items.append(item)
    if links is not None:
        if not (mapping.get("cause") and mapping.get("effect")):
            plan.refuse(_("Kies welke kolommen van de verbindingen de oorzaak en het gevolg "
                          "bevatten."))
            return plan
        for row in links[1]:
            cause = _text(row.get(mapping["cause"]))
            effect = _text(row.get(mapping["effect"]))
            if cause and effect:
                plan.links.append((cause, effect))
    return plan
