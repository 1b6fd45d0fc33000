"""Read a rem/1 JSON export back in (the round trip)."""

from __future__ import annotations

import json
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from rem.core.dates import DateError, FuzzyDate, parse_iso
from rem.interchange.imports.base import (
    CodebookInfo,
    ImportOptions,
    ImportPlan,
    ImportRefused,
    PlannedEntry,
    PlannedItem,
    PlannedWorkshop,
    UploadedFile,
)
from rem.interchange.imports.safety import decode_text, open_zip, read_entry, refuse_nul

TEXT_FIELDS = ("description", "evidence_text", "evidence_url")
CHOICE_FIELDS = ("visibility", "governance_style", "ladder_step", "valence", "noticed_by",
                 "evidence_kind")
# What a rem export writes that an import takes over, and what it leaves by design: who
# made an item and when (the import makes it now, by the person importing), and what rem
# works out itself (the ripple order, the end of a date's period).
ITEM_FIELDS = {"id", "kind", "title", "date", "date_start", "date_precision", "codes",
               "participant_count", "intended", "unanswered", "session_id", *TEXT_FIELDS,
               *CHOICE_FIELDS}
ITEM_DERIVED = {"collaboration", "order", "date_end", "created_by", "created_by_role",
                "created_at", "updated_at"}
ENTRY_FIELDS = {"id", "kind", "date", "title", "body", "due_date", "done_at", "visibility",
                "codes", "cited_item_ids"}
ENTRY_DERIVED = {"collaboration", "author", "author_role", "owner", "created_at", "updated_at"}


def _load(files: list[UploadedFile], limit: int) -> dict:
    upload = files[0]
    data = upload.data
    if data[:2] == b"PK":
        archive = open_zip(data, upload.name, limit)
        names = [n for n in archive.namelist() if n.endswith(".json")]
        if not names:
            raise ImportRefused(_("Er staat geen JSON-bestand in “%(name)s”.", name=upload.name))
        data = read_entry(archive, names[0], limit)
    try:
        document = json.loads(decode_text(data, upload.name))
    except json.JSONDecodeError as exc:
        raise ImportRefused(_("“%(name)s” is geen geldige JSON (regel %(line)d).",
                              name=upload.name, line=exc.lineno)) from exc
    if not isinstance(document, dict) or document.get("format") != "rem/1":
        raise ImportRefused(_("“%(name)s” is geen rem-export: het veld “format” moet "
                              "“rem/1” zijn.", name=upload.name))
    return document


def _when(raw: dict) -> FuzzyDate | None:
    try:
        if raw.get("date_start") and raw.get("date_precision"):
            return FuzzyDate.of(date.fromisoformat(str(raw["date_start"])),
                                str(raw["date_precision"]))
        if raw.get("date"):
            return parse_iso(str(raw["date"]))
    except (ValueError, DateError):
        return None
    return None


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _strings(value, where: str, what: str, plan: ImportPlan) -> list[str]:
    """Return the texts of a list, warning about what is not a text (or not a list)."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        plan.warn(_("%(where)s: “%(what)s” is geen lijst en is niet overgenomen.", where=where,
                    what=what))
        return []
    kept = [str(v) for v in value if isinstance(v, str)]
    if len(kept) < len(value):
        plan.warn(ngettext("%(where)s: %(num)d waarde in “%(what)s” is geen tekst en is niet "
                           "overgenomen.",
                           "%(where)s: %(num)d waarden in “%(what)s” zijn geen tekst en zijn "
                           "niet overgenomen.", len(value) - len(kept), where=where, what=what))
    return kept


def _entry(raw: dict, where: str, plan: ImportPlan) -> PlannedEntry:
    done_at = None
    if raw.get("done_at"):
        try:
            done_at = datetime.fromisoformat(str(raw["done_at"]))
        except ValueError:
            plan.warn(_("%(where)s: “klaar op” (%(value)s) is niet te lezen en blijft leeg.",
                        where=where, value=str(raw["done_at"])[:40]))
    entry_date = _day(raw.get("date"))
    if entry_date is None and raw.get("date"):
        plan.warn(_("%(where)s: de datum “%(value)s” is niet te lezen.", where=where,
                    value=str(raw["date"])[:40]))
    due_date = _day(raw.get("due_date"))
    if due_date is None and raw.get("due_date"):
        plan.warn(_("%(where)s: de einddatum “%(value)s” is niet te lezen en blijft leeg.",
                    where=where, value=str(raw["due_date"])[:40]))
    cites = raw.get("cited_item_ids") or []
    if not isinstance(cites, list):
        plan.warn(_("%(where)s: “cited_item_ids” is geen lijst en is niet overgenomen.",
                    where=where))
        cites = []
    return PlannedEntry(
        kind=str(raw.get("kind") or ""), title=str(raw.get("title") or "").strip(),
        entry_date=entry_date, body=str(raw.get("body") or ""),
        visibility=str(raw.get("visibility") or "collaboration"),
        due_date=due_date, done_at=done_at,
        codes=_strings(raw.get("codes"), where, "codes", plan),
        cites=[str(c) for c in cites if isinstance(c, int | str)], source=where,
    )


def _unknown_fields(counts: dict[str, int], what: str, plan: ImportPlan) -> None:
    for name, count in sorted(counts.items()):
        plan.warn(ngettext("%(what)s: het veld “%(field)s” kent rem niet; het is niet "
                           "overgenomen (%(num)d keer).",
                           "%(what)s: het veld “%(field)s” kent rem niet; het is niet "
                           "overgenomen (%(num)d keer).", count, field=name[:60], what=what))


def _workshops(document: dict, plan: ImportPlan) -> None:
    """Read the sessions of origin described in the file (those without a title or a
    valid date are left out, with a warning: their items keep no session)."""
    raw_workshops = document.get("sessions") or []
    if not isinstance(raw_workshops, list):
        plan.warn(_("“sessions” is geen lijst; de evaluatiesessies zijn niet overgenomen."))
        return
    for n, raw in enumerate(raw_workshops, start=1):
        if not isinstance(raw, dict) or raw.get("id") is None:
            plan.warn(_("Evaluatiesessie %(n)d heeft geen id en is niet overgenomen.", n=n))
            continue
        held_on = _day(raw.get("date"))
        title = " ".join(str(raw.get("title") or "").split())
        if held_on is None or not title:
            plan.warn(_("Evaluatiesessie %(n)d heeft geen titel of geen leesbare datum en is "
                        "niet overgenomen.", n=n))
            continue
        key = str(raw["id"])
        plan.workshops[key] = PlannedWorkshop(
            key=key, title=title, held_on=held_on,
            place=str(raw.get("place") or "").strip(),
            focus_question=str(raw.get("focus_question") or "").strip())


def parse(files: list[UploadedFile], options: ImportOptions, limit: int) -> ImportPlan:
    """Turn a rem/1 document into a plan."""
    document = _load(files, limit)
    refuse_nul(document, files[0].name)
    plan = ImportPlan()
    items = document.get("items")
    links = document.get("links", [])
    if not isinstance(items, list) or not isinstance(links, list):
        raise ImportRefused(_("Het bestand mist de lijsten “items” en “links”."))
    collaborations = document.get("collaborations") or []
    if isinstance(collaborations, list) and len(collaborations) > 1:
        plan.notes.append(_("Het bestand bevat %(n)d samenwerkingsverbanden; alles komt in dit "
                            "ene samenwerkingsverband.", n=len(collaborations)))
    if document.get("pseudonymised"):
        plan.notes.append(_("Dit bestand is gepseudonimiseerd: namen zijn vervangen."))
    books = document.get("codebooks") or []
    for n, book in enumerate(books if isinstance(books, list) else [], start=1):
        if isinstance(book, dict) and book.get("slug") and book.get("name"):
            info = CodebookInfo(str(book["slug"]), str(book["name"]),
                                str(book.get("description") or ""))
            for code in book.get("codes") or []:
                if isinstance(code, dict) and code.get("slug"):
                    info.codes[str(code["slug"])] = (str(code.get("name") or code["slug"]),
                                                     str(code.get("description") or ""))
            plan.codebooks[info.slug] = info
        else:
            plan.warn(_("Codeboek %(n)d heeft geen slug of naam; zijn beschrijving is niet "
                        "overgenomen (codes die ernaar verwijzen komen in “Geïmporteerd”).",
                        n=n))
    _workshops(document, plan)
    for raw in document.get("themes") or [] if isinstance(document.get("themes"), list) else []:
        if isinstance(raw, dict) and str(raw.get("name") or "").strip():
            plan.themes[" ".join(str(raw["name"]).split())] = str(raw.get("description") or "")
    missing = 0
    unknown: dict[str, int] = {}
    derived = 0
    for n, raw in enumerate(items, start=1):
        where = _("item %(n)d", n=n)
        if not isinstance(raw, dict):
            plan.refuse(_("Item %(n)d is geen object.", n=n))
            continue
        for name in raw:
            if name in ITEM_DERIVED:
                derived += 1
            elif name not in ITEM_FIELDS:
                unknown[name] = unknown.get(name, 0) + 1
        key = str(raw.get("id", f"#{n}"))
        kind = raw.get("kind")
        item = PlannedItem(key=key, title=str(raw.get("title") or "").strip(),
                           kind=str(kind) if kind not in (None, "") else None, source=where)
        item.when = _when(raw)
        if item.when is None and any(raw.get(k) for k in ("date", "date_start")):
            plan.warn(_("%(where)s, “%(title)s”: de datum “%(value)s” is niet te lezen.",
                        where=where, title=item.title[:80],
                        value=str(raw.get("date") or raw.get("date_start"))[:40]))
        for name in TEXT_FIELDS:
            value = raw.get(name)
            if value is not None and not isinstance(value, str):
                plan.warn(_("%(where)s: “%(field)s” is geen tekst; het is als tekst "
                            "overgenomen.", where=where, field=name))
            setattr(item, name, str(value) if value else "")
        for name in CHOICE_FIELDS:
            value = raw.get(name)
            setattr(item, name, str(value) if value not in (None, "") else None)
        item.visibility = item.visibility or "collaboration"
        count = raw.get("participant_count")
        valid_count = isinstance(count, int) and not isinstance(count, bool) and count >= 0
        item.participant_count = count if valid_count else None
        if count is not None and not valid_count:
            plan.warn(_("%(where)s: het aantal deelnemers “%(value)s” is geen getal vanaf 0 en "
                        "blijft leeg.", where=where, value=str(count)[:40]))
        intended = raw.get("intended")
        item.intended = intended if isinstance(intended, bool) else None
        if intended is not None and not isinstance(intended, bool):
            plan.warn(_("%(where)s: “intended” moet true of false zijn, niet “%(value)s”; het "
                        "blijft leeg.", where=where, value=str(intended)[:40]))
        item.unanswered = raw.get("unanswered") is True
        item.codes = _strings(raw.get("codes"), where, "codes", plan)
        item.themes = [" ".join(t.split()) for t in raw.get("themes") or []
                       if isinstance(t, str) and t.strip()] if isinstance(
            raw.get("themes"), list) else []
        workshop = raw.get("session_id")
        if workshop is not None and workshop != "":
            if str(workshop) in plan.workshops:
                item.workshop_key = str(workshop)
            else:
                missing += 1
        plan.items.append(item)
    _unknown_fields(unknown, _("Items"), plan)
    if derived:
        plan.notes.append(_("Wie een item maakte en wanneer komt niet mee: de items worden nu "
                            "door u gemaakt. De rimpelorde rekent rem zelf uit."))
    if missing:
        plan.warn(ngettext(
            "%(num)d item noemt een evaluatiesessie die niet in het bestand staat; bij dat "
            "item wordt geen sessie bewaard.",
            "%(num)d items noemen een evaluatiesessie die niet in het bestand staat; bij die "
            "items wordt geen sessie bewaard.", missing))
    entries = document.get("log_entries") or []
    if isinstance(entries, list) and entries:
        plan.notes.append(ngettext(
            "Het bestand bevat %(num)d regel uit het leerlogboek. Die wordt ingelezen met u "
            "als schrijver en zonder eigenaar van acties; opmaak ging bij de export verloren.",
            "Het bestand bevat %(num)d regels uit het leerlogboek. Ze worden ingelezen met u "
            "als schrijver en zonder eigenaar van acties; opmaak ging bij de export verloren.",
            len(entries)))
        unknown = {}
        for n, raw in enumerate(entries, start=1):
            if not isinstance(raw, dict):
                plan.refuse(_("Logboekregel %(n)d is geen object.", n=n))
                continue
            for name in raw:
                if name not in ENTRY_FIELDS | ENTRY_DERIVED:
                    unknown[name] = unknown.get(name, 0) + 1
            plan.entries.append(_entry(raw, _("logboekregel %(n)d", n=n), plan))
        _unknown_fields(unknown, _("Logboekregels"), plan)
    elif entries and not isinstance(entries, list):
        plan.warn(_("“log_entries” is geen lijst; het leerlogboek is niet overgenomen."))
    for n, raw in enumerate(links, start=1):
        if isinstance(raw, dict) and raw.get("cause_id") is not None \
                and raw.get("effect_id") is not None:
            plan.links.append((str(raw["cause_id"]), str(raw["effect_id"])))
        else:
            plan.warn(_("Verbinding %(n)d heeft geen cause_id en effect_id en is "
                        "overgeslagen.", n=n))
    return plan
