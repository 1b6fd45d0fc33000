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
    PlannedSession,
    UploadedFile,
)
from rem.interchange.imports.safety import decode_text, open_zip, read_entry

TEXT_FIELDS = ("description", "evidence_text", "evidence_url")
CHOICE_FIELDS = ("visibility", "governance_style", "ladder_step", "valence", "noticed_by",
                 "evidence_kind")


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
            from datetime import date

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


def _entry(raw: dict) -> PlannedEntry:
    done_at = None
    if raw.get("done_at"):
        try:
            done_at = datetime.fromisoformat(str(raw["done_at"]))
        except ValueError:
            done_at = None
    cites = raw.get("cited_item_ids") or []
    return PlannedEntry(
        kind=str(raw.get("kind") or ""), title=str(raw.get("title") or "").strip(),
        entry_date=_day(raw.get("date")), body=str(raw.get("body") or ""),
        visibility=str(raw.get("visibility") or "collaboration"),
        due_date=_day(raw.get("due_date")), done_at=done_at,
        codes=[str(c) for c in raw.get("codes") or [] if isinstance(c, str)],
        cites=[str(c) for c in cites if isinstance(c, int | str)] if isinstance(cites, list)
        else [],
    )


def _sessions(document: dict, plan: ImportPlan) -> None:
    """Read the sessions of origin described in the file (those without a title or a
    valid date are left out: their items keep no session)."""
    raw_sessions = document.get("sessions") or []
    if isinstance(raw_sessions, list):
        for raw in raw_sessions:
            if not isinstance(raw, dict) or raw.get("id") is None:
                continue
            held_on = _day(raw.get("date"))
            title = " ".join(str(raw.get("title") or "").split())
            if held_on is None or not title:
                continue
            key = str(raw["id"])
            plan.sessions[key] = PlannedSession(
                key=key, title=title, held_on=held_on,
                place=str(raw.get("place") or "").strip(),
                focus_question=str(raw.get("focus_question") or "").strip())


def parse(files: list[UploadedFile], options: ImportOptions, limit: int) -> ImportPlan:
    """Turn a rem/1 document into a plan."""
    document = _load(files, limit)
    plan = ImportPlan()
    items = document.get("items")
    links = document.get("links", [])
    if not isinstance(items, list) or not isinstance(links, list):
        raise ImportRefused(_("Het bestand mist de lijsten “items” en “links”."))
    collaborations = document.get("collaborations") or []
    if len(collaborations) > 1:
        plan.notes.append(_("Het bestand bevat %(n)d samenwerkingsverbanden; alles komt in dit "
                            "ene samenwerkingsverband.", n=len(collaborations)))
    if document.get("pseudonymised"):
        plan.notes.append(_("Dit bestand is gepseudonimiseerd: namen zijn vervangen."))
    for book in document.get("codebooks") or []:
        if isinstance(book, dict) and book.get("slug") and book.get("name"):
            info = CodebookInfo(str(book["slug"]), str(book["name"]),
                                str(book.get("description") or ""))
            for code in book.get("codes") or []:
                if isinstance(code, dict) and code.get("slug"):
                    info.codes[str(code["slug"])] = (str(code.get("name") or code["slug"]),
                                                     str(code.get("description") or ""))
            plan.codebooks[info.slug] = info
    _sessions(document, plan)
    for raw in document.get("themes") or [] if isinstance(document.get("themes"), list) else []:
        if isinstance(raw, dict) and str(raw.get("name") or "").strip():
            plan.themes[" ".join(str(raw["name"]).split())] = str(raw.get("description") or "")
    missing = 0
    for n, raw in enumerate(items, start=1):
        if not isinstance(raw, dict):
            plan.refuse(_("Item %(n)d is geen object.", n=n))
            continue
        key = str(raw.get("id", f"#{n}"))
        item = PlannedItem(key=key, title=str(raw.get("title") or "").strip(),
                           kind=raw.get("kind") if raw.get("kind") in ("activity", "effect")
                           else None, source=_("item %(n)d", n=n))
        item.when = _when(raw)
        if item.when is None:
            plan.warn(_("“%(title)s” heeft geen geldige datum.", title=item.title[:80]))
        for name in TEXT_FIELDS:
            setattr(item, name, str(raw.get(name) or ""))
        for name in CHOICE_FIELDS:
            value = raw.get(name)
            setattr(item, name, str(value) if value else None)
        item.visibility = item.visibility or "collaboration"
        count = raw.get("participant_count")
        item.participant_count = count if isinstance(count, int) and count >= 0 else None
        intended = raw.get("intended")
        item.intended = intended if isinstance(intended, bool) else None
        item.codes = [str(c) for c in raw.get("codes") or [] if isinstance(c, str)]
        item.themes = [" ".join(t.split()) for t in raw.get("themes") or []
                       if isinstance(t, str) and t.strip()] if isinstance(
            raw.get("themes"), list) else []
        session = raw.get("session_id")
        if session is not None and session != "":
            if str(session) in plan.sessions:
                item.session_key = str(session)
            else:
                missing += 1
        plan.items.append(item)
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
        for n, raw in enumerate(entries, start=1):
            if not isinstance(raw, dict):
                plan.refuse(_("Logboekregel %(n)d is geen object.", n=n))
                continue
            plan.entries.append(_entry(raw))
    for raw in links:
        if isinstance(raw, dict) and "cause_id" in raw and "effect_id" in raw:
            plan.links.append((str(raw["cause_id"]), str(raw["effect_id"])))
    return plan
