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
from rem.interchange.imports.safety import CsvTable, decode_text, open_zip, read_entry

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


def _csv_files(files: list[UploadedFile], limit: int, plan: ImportPlan
               ) -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    for upload in files:
        if upload.data[:2] == b"PK":
            archive = open_zip(upload.data, upload.name, limit)
            for entry in archive.namelist():
                if entry.lower().endswith(".csv"):
                    texts.append((entry, decode_text(read_entry(archive, entry, limit), entry)))
                elif not entry.endswith("/"):
                    plan.warn(_("“%(name)s” in “%(zip)s” is geen CSV-bestand en is niet "
                                "ingelezen.", name=entry, zip=upload.name))
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
    plan = ImportPlan()
    nodes = relationships = None
    for name, text in _csv_files(files, limit, plan):
        table = CsvTable(text, name)
        if "match id 1" in table.header and "match id 2" in table.header:
            relationships = table
        elif "attribute_label_1" in table.header:
            nodes = table
        else:
            plan.warn(_("“%(name)s” is geen nodes- of relationships-bestand en is niet "
                        "ingelezen.", name=name))
    if nodes is None:
        raise ImportRefused(_("Er is geen nodes-bestand gevonden: een CSV met de kolommen "
                              "“type”, “attribute_label_1” en “value_1”."))
    seen: set[str] = set()
    looks: set[str] = set()  # Graphviz attributes (how a node was drawn): not kept
    row_label = _("regel %(n)d")
    for n, row in nodes.rows():
        attributes = _pairs(row)
        values = {label.lower(): value for label, value in attributes}
        name = " ".join(values.get("name", "").split())
        if not name:
            plan.warn(_("Regel %(n)d van het nodes-bestand heeft geen “name” en is overgeslagen.",
                        n=n))
            continue
        if name in seen:
            plan.warn(_("Regel %(n)d: “%(name)s” staat al eerder in het nodes-bestand; deze "
                        "regel is overgeslagen.", n=n, name=name))
            continue
        seen.add(name)
        item = PlannedItem(key=name, title=name, source=row_label % {"n": n})
        kind = values.get("kind", "")
        item.kind = {"activity": "activity", "activiteit": "activity",
                     "effect": "effect"}.get(kind.lower(), kind or None)
        if values.get("date"):
            day = parse_day(values["date"])
            if day is None:
                plan.warn(_("Regel %(n)d, “%(name)s”: de datum “%(date)s” is niet te lezen "
                            "(verwacht dd/mm/jjjj).", n=n, name=name, date=values["date"][:40]))
            else:
                precision = values.get("date_precision", "day")
                if precision not in {p.value for p in Precision}:
                    plan.warn(_("Regel %(n)d, “%(name)s”: de precisie “%(value)s” is onbekend; "
                                "de datum geldt als dag.", n=n, name=name, value=precision[:40]))
                    precision = "day"
                item.when = FuzzyDate.of(day, precision)
        item.valence = values.get("valence") or None
        intended = values.get("intended", "").lower()
        item.intended = True if intended in YES else False if intended in NO else None
        if intended and item.intended is None:
            plan.warn(_("Regel %(n)d, “%(name)s”: “%(value)s” bij intended is geen ja of nee; "
                        "het blijft leeg.", n=n, name=name, value=intended[:40]))
        item.codes = [c.strip() for c in values.get("codes", "").split(";") if c.strip()]
        item.evidence_text = values.get("evidence", "")
        if item.evidence_text:
            item.evidence_kind = "quote"
        looks.update(label.lower() for label, _value in attributes
                     if label.lower() in GRAPHVIZ_ATTRIBUTES)
        if (row.get("type") or "").strip():
            looks.add("type")
        extra = [f"{label}: {value}" for label, value in attributes
                 if label.lower() not in GRAPHVIZ_ATTRIBUTES | {
                     "name", "date", "kind", "date_precision", "valence", "intended", "codes",
                     "description", "evidence", "rem_id", "order"}]
        item.description = "\n\n".join(p for p in [values.get("description", ""),
                                                   "\n".join(extra)] if p)
        plan.items.append(item)
    if looks:
        plan.warn(_("De opmaak van de knopen (%(names)s) is niet overgenomen: rem tekent de "
                    "kaart zelf.", names=", ".join(sorted(looks))))
    if nodes.extra_cells:
        plan.warn(_("Nodes-bestand, regels %(rows)s: meer cellen dan kolommen; die cellen zijn "
                    "niet ingelezen.", rows=", ".join(map(str, nodes.extra_cells[:20]))))
    if relationships is None:
        plan.notes.append(_("Er is geen relationships-bestand meegegeven: alleen items, geen "
                            "verbindingen."))
        return plan
    half: list[int] = []
    dropped: set[str] = set()
    for n, row in relationships.rows():
        cause = " ".join((row.get("match id 1") or "").split())
        effect = " ".join((row.get("match id 2") or "").split())
        if cause and effect:
            plan.links.append((cause, effect))
        elif cause or effect:
            half.append(n)
        dropped.update(label.lower() for label, _value in _pairs(row)
                       if label.lower() not in {"rem_id"})
    if half:
        plan.warn(_("Relationships-bestand, regels %(rows)s: een verbinding mist een van "
                    "beide kanten en is overgeslagen.", rows=", ".join(map(str, half[:20]))))
    if dropped:
        plan.warn(_("Eigenschappen van verbindingen (%(names)s) zijn niet overgenomen: een "
                    "verbinding in rem heeft alleen een oorzaak en een gevolg.",
                    names=", ".join(sorted(dropped))))
    return plan
