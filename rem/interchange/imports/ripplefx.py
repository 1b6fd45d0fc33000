"""Read a RippleFX / Meta-REM CSV pair: a nodes file and a relationships file.

Nodes: ``type`` (a Graphviz shape) and ``attribute_label_N`` / ``value_N`` pairs,
of which ``name`` is the node's label (and the key that relationships use) and
``date`` is dd/MM/yyyy. Relationships: ``match id 1`` (cause) and ``match id 2``
(effect). Attributes that rem wrote itself (kind, date_precision, valence,
intended, codes, description, evidence) are read back; other non-Graphviz
attributes are kept as lines in the description. A node without ``kind`` is an
activity when nothing leads to it, otherwise an effect.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from rem.core.dates import FuzzyDate, Precision
from rem.interchange.imports.base import (
    ImportOptions,
    ImportPlan,
    ImportRefused,
    PlannedItem,
    UploadedFile,
)
from rem.interchange.imports.safety import decode_text, open_zip, read_csv, read_entry

GRAPHVIZ_ATTRIBUTES = {
    "shape", "style", "fillcolor", "color", "fontcolor", "fontsize", "fontname", "width",
    "height", "fixedsize", "penwidth", "peripheries", "sides", "skew", "distortion",
    "orientation", "regular", "url", "target", "tooltip", "bgcolor", "gradientangle", "margin",
}
YES = {"ja", "yes", "true", "1", "bedoeld"}
NO = {"nee", "no", "false", "0", "onbedoeld"}


def parse_day(text: str) -> date | None:
    """Read dd/MM/yyyy (also d-M-yyyy and yyyy-MM-dd); None when it is no date."""
    text = text.strip()
    for sep in ("/", "-", "."):
        parts = text.split(sep)
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                if len(parts[0]) == 4:
                    return date(int(parts[0]), int(parts[1]), int(parts[2]))
                return date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                return None
    return None


def _csv_files(files: list[UploadedFile], limit: int) -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    for upload in files:
        if upload.data[:2] == b"PK":
            archive = open_zip(upload.data, upload.name, limit)
            for entry in archive.namelist():
                if entry.lower().endswith(".csv"):
                    texts.append((entry, decode_text(read_entry(archive, entry, limit), entry)))
        else:
            texts.append((upload.name, decode_text(upload.data, upload.name)))
    return texts


def _pairs(row: dict[str, str]) -> list[tuple[str, str]]:
    numbers = sorted(int(k[len("attribute_label_"):]) for k in row
                     if k.startswith("attribute_label_") and k[len("attribute_label_"):].isdigit())
    pairs = []
    for n in numbers:
        label = (row.get(f"attribute_label_{n}") or "").strip()
        value = (row.get(f"value_{n}") or "").strip()
        if label and value:
            pairs.append((label, value))
    return pairs


def parse(files: list[UploadedFile], options: ImportOptions, limit: int) -> ImportPlan:
    """Turn the nodes and relationships files into a plan."""
    nodes_rows = rel_rows = None
    for name, text in _csv_files(files, limit):
        header, rows = read_csv(text, name)
        if "match id 1" in header and "match id 2" in header:
            rel_rows = rows
        elif "attribute_label_1" in header:
            nodes_rows = rows
    if nodes_rows is None:
        raise ImportRefused(_("Er is geen nodes-bestand gevonden: een CSV met de kolommen "
                              "“type”, “attribute_label_1” en “value_1”."))
    plan = ImportPlan()
    seen: set[str] = set()
    for n, row in enumerate(nodes_rows, start=2):
        attributes = _pairs(row)
        values = {label.lower(): value for label, value in attributes}
        name = " ".join(values.get("name", "").split())
        if not name:
            plan.warn(_("Regel %(n)d van het nodes-bestand heeft geen “name” en is overgeslagen.",
                        n=n))
            continue
        if name in seen:
            plan.warn(_("“%(name)s” staat meer dan eens in het nodes-bestand; de regels zijn "
                        "samengevoegd tot één item.", name=name))
            continue
        seen.add(name)
        item = PlannedItem(key=name, title=name, source=_("regel %(n)d", n=n))
        kind = values.get("kind", "").lower()
        item.kind = {"activity": "activity", "activiteit": "activity",
                     "effect": "effect"}.get(kind)
        if values.get("date"):
            day = parse_day(values["date"])
            if day is None:
                plan.warn(_("“%(name)s”: de datum “%(date)s” is niet te lezen (verwacht "
                            "dd/mm/jjjj).", name=name, date=values["date"]))
            else:
                precision = values.get("date_precision", "day")
                if precision not in {p.value for p in Precision}:
                    precision = "day"
                item.when = FuzzyDate.of(day, precision)
        item.valence = values.get("valence") or None
        intended = values.get("intended", "").lower()
        item.intended = True if intended in YES else False if intended in NO else None
        item.codes = [c.strip() for c in values.get("codes", "").split(";") if c.strip()]
        item.evidence_text = values.get("evidence", "")
        if item.evidence_text:
            item.evidence_kind = "quote"
        extra = [f"{label}: {value}" for label, value in attributes
                 if label.lower() not in GRAPHVIZ_ATTRIBUTES | {
                     "name", "date", "kind", "date_precision", "valence", "intended", "codes",
                     "description", "evidence", "rem_id", "order"}]
        item.description = "\n\n".join(p for p in [values.get("description", ""),
                                                   "\n".join(extra)] if p)
        plan.items.append(item)
    if rel_rows is None:
        plan.notes.append(_("Er is geen relationships-bestand meegegeven: alleen items, geen "
                            "verbindingen."))
        rel_rows = []
    for row in rel_rows:
        cause = " ".join((row.get("match id 1") or "").split())
        effect = " ".join((row.get("match id 2") or "").split())
        if cause and effect:
            plan.links.append((cause, effect))
    return plan
