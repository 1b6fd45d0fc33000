"""Vet an import plan, then write it through the ripple, codebook and logbook services.

Two steps, so that the preview of a large file is quick and writes nothing:

- :func:`vet_plan` decides everything that can be decided without writing: each item's
  kind, date and choice values (naming every value not taken as given), the rules of
  each item (``ripples.services.check_item``) and of each link (``check_links``, the
  one rule book every page uses), which codes and sessions would be made, the counts
  and the first rows. It reads the codes and the sessions once; it writes nothing.
- :func:`write_plan` writes the vetted plan in bounded batches (``BATCH`` items,
  ``LINK_BATCH`` links, one flush each) inside the caller's transaction, yielding
  progress after each batch. The services check every rule again as they write; the
  caller commits (all) or rolls back (nothing).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import orm

from rem.audit.services import record
from rem.codes.models import NAME_MAX as CODE_NAME_MAX
from rem.codes.models import Code, Codebook
from rem.codes.services import (
    CodebookError,
    add_code,
    code_by_qualified_slug,
    codebook_by_slug,
    create_codebook,
)
from rem.collaborations.models import Collaboration
from rem.core.dates import FuzzyDate
from rem.core.forms import slugify
from rem.extensions import db
from rem.interchange.imports.base import (
    ImportPlan,
    ImportResult,
    PlannedEntry,
    PlannedItem,
    PreviewItem,
)
from rem.logbook import services as logbook
from rem.logbook.models import EntryKind
from rem.ripples import services
from rem.ripples.models import (
    GOVERNANCE_STYLES,
    LADDER_STEPS,
    TITLE_MAX,
    EvidenceKind,
    Kind,
    Observer,
    RippleItem,
    Valence,
    Visibility,
)
from rem.themes import services as themes
from rem.workshops import models as session_models
from rem.workshops import services as sessions

IMPORTED_CODEBOOK = "Geïmporteerd"
PREVIEW_ITEMS = 15
BATCH = 1000  # items per flush
LINK_BATCH = 5000  # links per add_links call (each checks the whole graph once)

_ALLOWED = {
    "visibility": {v.value for v in Visibility},
    "governance_style": set(GOVERNANCE_STYLES),
    "ladder_step": set(LADDER_STEPS),
    "valence": {v.value for v in Valence},
    "noticed_by": {v.value for v in Observer},
    "evidence_kind": {v.value for v in EvidenceKind},
}
FIELD_NAMES = {
    "visibility": _l("wie het mag zien"),
    "governance_style": _l("bestuursstijl"),
    "ladder_step": _l("trede op de participatieladder"),
    "valence": _l("positief of negatief"),
    "noticed_by": _l("wie het opmerkte"),
    "evidence_kind": _l("soort bewijs"),
}


@dataclass
class _PendingBook:
    """A codebook a preview would make (nothing is written while vetting)."""

    name: str
    codes: list = field(default_factory=list)


class CodeResolver:
    """Find codes by qualified slug, name or slug; make the rest once per import.

    ``dry``: decide what would be made without making it (the preview); the ids of codes
    still to make are negative stand-ins. ``warn`` receives what is not taken as given.
    """

    def __init__(self, plan: ImportPlan, *, dry: bool = False,
                 warn: Callable[[str], None] | None = None):
        self.plan = plan
        self.dry = dry
        self.warn = warn or plan.warn
        self.cache: dict[str, int | None] = {}
        self.created: list[str] = []
        self._imported: Codebook | _PendingBook | None = None
        self._books: dict[str, Codebook | _PendingBook] = {}
        self._by_name: dict[str, int] | None = None
        self._pending: dict[tuple[int, str], int] = {}  # (book, slug) -> stand-in id

    def _index(self) -> dict[str, int]:
        if self._by_name is None:
            self._by_name = {}
            rows = db.session.execute(
                sa.select(Code.id, Code.name, Code.slug).join(Codebook)
                .order_by(Codebook.position.desc(), Code.position.desc())
            )
            for code_id, name, slug in rows:  # earlier codebooks win: they come last
                self._by_name[name.strip().lower()] = code_id
                self._by_name[slug] = code_id
        return self._by_name

    def _make_book(self, name: str, description: str = "") -> Codebook | _PendingBook:
        if self.dry:
            return _PendingBook(name)
        return create_codebook(name, description)

    def _imported_book(self) -> Codebook | _PendingBook:
        if self._imported is None:
            book = codebook_by_slug(slugify(IMPORTED_CODEBOOK))
            if book is None:
                book = self._make_book(IMPORTED_CODEBOOK, _("Codes die bij het inlezen van "
                                                            "bestanden zijn gemaakt."))
            self._imported = book
        return self._imported

    def _fit(self, name: str) -> str:
        """Cut a code's or codebook's name to what the column holds, saying so."""
        name = " ".join(name.split())
        if len(name) <= CODE_NAME_MAX:
            return name
        self.warn(_("De naam “%(name)s” is te lang voor een code of codeboek en is "
                    "ingekort tot %(n)d tekens.", name=name[:80] + "…", n=CODE_NAME_MAX))
        return name[:CODE_NAME_MAX - 1].rstrip() + "…"

    def _add(self, book: Codebook | _PendingBook, name: str, description: str = "") -> int:
        name = self._fit(name)
        slug = slugify(name)
        existing = next((c for c in book.codes if c.slug == slug), None)
        if existing is not None:
            return existing.id
        pending = self._pending.get((id(book), slug))
        if pending is not None:
            return pending
        label = f"{book.name}: {name}"
        if self.dry:
            self._pending[(id(book), slug)] = -(len(self._pending) + 1)
            self.created.append(label)
            return self._pending[(id(book), slug)]
        code = add_code(book, name, description)
        self.created.append(f"{book.name}: {code.name}")
        if self._by_name is not None:
            self._by_name[name.strip().lower()] = code.id
            self._by_name[code.slug] = code.id
        return code.id

    def resolve(self, reference: str) -> int | None:
        """Return the id of the code ``reference`` names, making it if needed (a negative
        stand-in when dry)."""
        reference = " ".join(reference.split())
        if not reference:
            return None
        if reference in self.cache:
            return self.cache[reference]
        code_id = None
        try:
            if ":" in reference:
                code_id = self._qualified(reference)
            if code_id is None:
                index = self._index()
                code_id = index.get(reference.lower()) or index.get(slugify(reference))
            if code_id is None:
                if not slugify(reference):
                    self.warn(_("De code “%(code)s” heeft geen letters of cijfers en is "
                                "overgeslagen.", code=reference))
                    self.cache[reference] = None
                    return None
                code_id = self._add(self._imported_book(), reference)
        except CodebookError as exc:
            self.warn(_("De code “%(code)s” is overgeslagen: %(error)s", code=reference,
                        error=str(exc)))
            code_id = None
        self.cache[reference] = code_id
        return code_id

    def _qualified(self, reference: str) -> int | None:
        code = code_by_qualified_slug(reference)
        if code is not None:
            return code.id
        book_slug, _sep, code_slug = reference.partition(":")
        info = self.plan.codebooks.get(book_slug)
        if info is None:
            return None
        book = self._books.get(book_slug) or codebook_by_slug(book_slug)
        if book is None:
            name = self._fit(info.name)
            book = codebook_by_slug(slugify(name))
            if book is None:
                book = self._make_book(name, info.description)
                self.created.append(book.name)
        self._books[book_slug] = book
        name, description = info.codes.get(code_slug, (code_slug, ""))
        return self._add(book, name, description)


@dataclass
class VettedItem:
    """An item that passed every rule: its kind and its input (codes still as written)."""

    planned: PlannedItem
    kind: Kind
    data: services.ItemInput


@dataclass
class Vetted:
    """What an import would write, and what it says about the file."""

    result: ImportResult
    plan: ImportPlan
    items: list[VettedItem] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # keys, accepted
    entries: list[PlannedEntry] = field(default_factory=list)
    fallback: FuzzyDate | None = None


def _where(item: PlannedItem) -> str:
    title = item.title[:80] or "—"
    return f"“{title}” ({item.source})" if item.source else f"“{title}”"


def _refuse_nul(plan: ImportPlan) -> None:
    """Refuse text with a NUL character wherever a parser let one through (a cell)."""
    for item in plan.items:
        for value in (item.title, item.description, item.evidence_text, item.evidence_url,
                      *item.codes):
            if value and "\x00" in value:
                plan.refuse(_("%(where)s bevat een NUL-teken (\\0). Dat kan niet worden "
                              "opgeslagen; haal het weg en probeer het opnieuw.",
                              where=_where(item)))
                break


def _input(item: PlannedItem, when: FuzzyDate, plan: ImportPlan) -> services.ItemInput:
    """The item's input; a choice value rem does not know is named and left out."""
    values = {}
    for name, allowed in _ALLOWED.items():
        value = getattr(item, name)
        if value is not None and value not in allowed:
            plan.warn(_("%(where)s: “%(value)s” is geen bekende waarde voor %(field)s; %(then)s",
                        where=_where(item), value=str(value)[:40], field=FIELD_NAMES[name],
                        then=_("alleen het samenwerkingsverband ziet het.")
                        if name == "visibility" else _("het blijft leeg.")))
            value = None
        values[name] = value
    return services.ItemInput(
        title=item.title, when=when, description=item.description,
        visibility=values["visibility"] or Visibility.COLLABORATION.value,
        participant_count=item.participant_count,
        governance_style=values["governance_style"], ladder_step=values["ladder_step"],
        intended=item.intended, valence=values["valence"], noticed_by=values["noticed_by"],
        evidence_kind=values["evidence_kind"], evidence_text=item.evidence_text,
        evidence_url=item.evidence_url,
    )


def _kind(item: PlannedItem, targets: set[str], plan: ImportPlan) -> Kind:
    if item.kind in (Kind.ACTIVITY.value, Kind.EFFECT.value):
        return Kind(item.kind)
    kind = Kind.EFFECT if item.key in targets else Kind.ACTIVITY
    if item.kind is not None:
        plan.warn(_("%(where)s: de soort “%(value)s” kent rem niet; het wordt %(kind)s.",
                    where=_where(item), value=str(item.kind)[:40],
                    kind=_("een effect (er leidt een verbinding naartoe)")
                    if kind == Kind.EFFECT else
                    _("een activiteit (er leidt geen verbinding naartoe)")))
    return kind


def _entry_input(planned: PlannedEntry, code_ids: list[int], item_ids: list[int]):
    is_action = planned.kind == EntryKind.ACTION
    return logbook.EntryInput(
        kind=planned.kind, title=planned.title, entry_date=planned.entry_date,
        body=planned.body, visibility=planned.visibility,
        due_date=planned.due_date if is_action else None,
        code_ids=code_ids, item_ids=item_ids)


def _apply_themes(collaboration: Collaboration, plan: ImportPlan,
                  created: dict[str, RippleItem]) -> None:
    """Put the created effects in the themes the file names: a live theme of the same name
    (whatever its capitals) is the same theme; the others are made."""
    wanted = {name for item in plan.items for name in item.themes if item.key in created}
    if not wanted:
        return
    known = {theme.name.lower(): theme for theme in themes.themes_of(collaboration)}
    for name in sorted(wanted):
        if name.lower() in known:
            continue
        try:
            known[name.lower()] = themes.create_theme(collaboration, name,
                                                      plan.themes.get(name, ""))
        except themes.ThemeError as exc:
            plan.warn(_("Thema “%(name)s” is overgeslagen: %(error)s", name=name[:80],
                        error=str(exc)))
    members: dict[int, list[RippleItem]] = {}
    for item in plan.items:
        made = created.get(item.key)
        if made is None or made.kind != Kind.EFFECT:
            continue
        for name in item.themes:
            theme = known.get(name.lower())
            if theme is not None:
                members.setdefault(theme.id, []).append(made)
    by_id = {theme.id: theme for theme in known.values()}
    for theme_id, items in members.items():
        themes.add_items(by_id[theme_id], items)



def _session_matches(collaboration: Collaboration) -> dict[tuple[str, object], int]:
    session = session_models.Workshop
    existing: dict[tuple[str, object], int] = {}
    for session_id, title, held_on in db.session.execute(
            sa.select(session.id, session.title, session.held_on)
            .where(session.collaboration_id == collaboration.id)
            .order_by(session.id.desc())):
        existing[(" ".join(title.split()), held_on)] = session_id  # the oldest wins
    return existing


def _session_title(plan: ImportPlan, key: str) -> str:
    planned = plan.sessions[key]
    if len(planned.title) > session_models.TITLE_MAX:
        plan.warn(_("De titel van evaluatiesessie “%(title)s” is ingekort tot %(n)d tekens.",
                    title=planned.title[:80] + "…", n=session_models.TITLE_MAX))
    return planned.title[:session_models.TITLE_MAX].strip()


def vet_plan(collaboration: Collaboration, plan: ImportPlan, fallback: FuzzyDate,
             fmt: str) -> Vetted:
    """Decide what the plan would write and what is wrong with it, writing nothing."""
    result = ImportResult(format=fmt, notes=list(plan.notes), columns=plan.columns,
                          link_columns=plan.link_columns, mapping=plan.mapping)
    vetted = Vetted(result=result, plan=plan, fallback=fallback)
    keys = {item.key for item in plan.items}
    unknown = sorted({k for link in plan.links for k in link if k not in keys})
    if unknown:
        plan.refuse(_("Verbindingen noemen items die niet in het bestand staan: %(names)s",
                      names=", ".join(f"“{n}”" for n in unknown[:50])))
    _refuse_nul(plan)
    if any(p.blocking for p in plan.problems):
        result.problems = plan.problems
        return vetted

    targets = {effect for _cause, effect in plan.links}
    resolver = CodeResolver(plan, dry=True)
    undated = 0
    ends: dict[str, services.LinkEnd] = {}
    for item in plan.items:
        kind = _kind(item, targets, plan)
        when = item.when
        if when is None:
            when = fallback
            undated += 1
        if len(item.title) > TITLE_MAX:
            plan.warn(_("%(where)s: de titel is langer dan %(n)d tekens; hij is ingekort en "
                        "staat in zijn geheel in de beschrijving.", where=_where(item),
                        n=TITLE_MAX))
            item.description = (item.title + "\n\n" + item.description).strip()
            item.title = item.title[:TITLE_MAX - 1].rstrip() + "…"
        data = _input(item, when, plan)
        for reference in item.codes:
            resolver.resolve(reference)
        try:
            services.check_item(kind, data)
        except services.RippleError as exc:
            plan.refuse(_("%(where)s: %(error)s", where=_where(item), error=str(exc)))
            continue
        vetted.items.append(VettedItem(item, kind, data))
        ends[item.key] = services.LinkEnd(item.key, kind.value, collaboration.id, False,
                                          data.title)
        if kind == Kind.ACTIVITY:
            result.activities += 1
        else:
            result.effects += 1
        if len(result.first_items) < PREVIEW_ITEMS:
            result.first_items.append(PreviewItem(kind.value, data.title, when.iso(),
                                                  list(item.codes)))
    if undated:
        plan.warn(ngettext("%(num)d item had geen datum en krijgt “%(date)s”. U kunt dat later "
                           "aanpassen.",
                           "%(num)d items hadden geen datum en krijgen “%(date)s”. U kunt dat "
                           "later per item aanpassen.", undated, date=fallback.iso()))
    # The links among the new items: the same rule book as every page (nothing exists
    # yet that they could join, so the graph starts empty).
    pairs = [(ends[c], ends[e]) for c, e in plan.links if c in ends and e in ends]
    for (cause, effect), verdict in zip(
            pairs, services.check_links(pairs, lambda _cid: ()), strict=True):
        if verdict is not None:
            plan.warn(_("Verbinding “%(cause)s” → “%(effect)s” overgeslagen: %(error)s",
                        cause=cause.title[:60], effect=effect.title[:60], error=str(verdict)))
        else:
            vetted.links.append((cause.key, effect.key))
    _vet_entries(collaboration, vetted, resolver)
    _vet_sessions(collaboration, vetted)
    result.created_items = len(vetted.items)
    result.created_links = len(vetted.links)
    result.created_entries = len(vetted.entries)
    result.created_codes = resolver.created
    _notes(result)
    result.problems = plan.problems
    return vetted


def _vet_entries(collaboration: Collaboration, vetted: Vetted, resolver: CodeResolver) -> None:
    plan = vetted.plan
    known = {v.planned.key for v in vetted.items}
    for planned in plan.entries:
        for reference in planned.codes:
            resolver.resolve(reference)
        missing = [k for k in planned.cites if k not in known]
        if missing:
            plan.warn(_("Logboekregel “%(title)s”: de aangehaalde items %(keys)s staan niet in "
                        "het bestand; die verwijzingen zijn weggelaten.",
                        title=planned.title[:80], keys=", ".join(missing[:10])))
        try:
            logbook.check_entry(collaboration, _entry_input(planned, [], []))
        except logbook.LogError as exc:
            where = " (" + planned.source + ")" if planned.source else ""
            plan.refuse(_("Logboekregel “%(title)s”%(where)s: %(error)s",
                          title=planned.title[:80], where=where, error=str(exc)))
            continue
        vetted.entries.append(planned)


def _vet_sessions(collaboration: Collaboration, vetted: Vetted) -> None:
    plan, result = vetted.plan, vetted.result
    used = list(dict.fromkeys(v.planned.session_key for v in vetted.items
                              if v.planned.session_key))
    if not used:
        return
    existing = _session_matches(collaboration)
    for key in used:
        if (_session_title(plan, key), plan.sessions[key].held_on) in existing:
            result.matched_sessions += 1
        else:
            result.created_sessions += 1


def _notes(result: ImportResult) -> None:
    if result.created_entries:
        result.notes.append(ngettext("%(num)d regel in het leerlogboek.",
                                     "%(num)d regels in het leerlogboek.",
                                     result.created_entries))
    if result.matched_sessions or result.created_sessions:
        result.notes.append(_("Evaluatiesessies van herkomst: %(matched)d herkend in dit "
                              "samenwerkingsverband, %(created)d nieuw gemaakt (gesloten, "
                              "zonder deelnemers of verhalen).",
                              matched=result.matched_sessions, created=result.created_sessions))


# --- writing --------------------------------------------------------------------------------


def _write_sessions(collaboration: Collaboration, vetted: Vetted) -> dict[str, int]:
    """Find or make the evaluation sessions the items came from; return their ids by the
    file's session key.

    A session of the target collaboration with the same title and date is the same
    session (so a file read back into its own collaboration, or read twice, ties its
    items to the sessions that are there). Otherwise a closed session with the file's
    title, date, place and focus question is made: without participants or stories,
    which an export does not carry.
    """

    plan = vetted.plan
    used = list(dict.fromkeys(v.planned.session_key for v in vetted.items
                              if v.planned.session_key))
    if not used:
        return {}
    existing = _session_matches(collaboration)
    found: dict[str, int] = {}
    for key in used:
        planned = plan.sessions[key]
        title = planned.title[:session_models.TITLE_MAX].strip()
        match = existing.get((title, planned.held_on))
        if match is not None:
            found[key] = match
            continue
        data = sessions.WorkshopInput(
            title=title, held_on=planned.held_on,
            focus_question=planned.focus_question[:session_models.FOCUS_MAX]
            or _("(overgenomen uit een rem-export)"),
            place=planned.place[:session_models.PLACE_MAX])
        try:
            made = sessions.create_workshop(collaboration, data)
        except sessions.WorkshopError as exc:
            plan.warn(_("Evaluatiesessie “%(title)s” is niet overgenomen: %(error)s",
                        title=title[:80], error=str(exc)))
            continue
        sessions.close_workshop(made)
        existing[(title, planned.held_on)] = found[key] = made.id
    return found


def write_plan(collaboration: Collaboration, vetted: Vetted) -> Iterator[tuple[int, int]]:
    """Write the vetted plan in batches inside the session (flushed, never committed),
    yielding (done, total) after each batch; ``vetted.result`` says what was written."""
    plan, result = vetted.plan, vetted.result
    total = len(vetted.items) + len(vetted.links) + len(vetted.entries)
    done = 0
    yield done, total
    said = {p.message for p in plan.problems}

    def warn_once(message: str) -> None:  # the preview named these already
        if message not in said:
            said.add(message)
            plan.warn(message)

    resolver = CodeResolver(plan, warn=warn_once)
    session_ids = _write_sessions(collaboration, vetted)
    created: dict[str, RippleItem] = {}
    by_session: dict[int, list[RippleItem]] = {}
    for start in range(0, len(vetted.items), BATCH):
        batch = vetted.items[start:start + BATCH]
        entries = []
        for v in batch:
            v.data.code_ids = [c for c in dict.fromkeys(resolver.resolve(r)
                                                        for r in v.planned.codes) if c]
            entries.append((v.kind, v.data))
        for v, made in zip(batch, services.create_items(collaboration, entries), strict=True):
            if isinstance(made, services.RippleError):
                plan.refuse(_("%(where)s: %(error)s", where=_where(v.planned), error=str(made)))
                continue
            created[v.planned.key] = made
            if v.planned.session_key in session_ids:
                by_session.setdefault(session_ids[v.planned.session_key], []).append(made)
        done += len(batch)
        yield done, total
    # The session of origin: one UPDATE per 500 items (new items: their version stays 1).
    for session_id, items in by_session.items():
        for start in range(0, len(items), 500):
            chunk = items[start:start + 500]
            db.session.execute(sa.update(RippleItem)
                               .where(RippleItem.id.in_([i.id for i in chunk]))
                               .values(session_id=session_id)
                               .execution_options(synchronize_session=False))
            for made in chunk:
                orm.attributes.set_committed_value(made, "session_id", session_id)
    links = 0
    for start in range(0, len(vetted.links), LINK_BATCH):
        keys = [(c, e) for c, e in vetted.links[start:start + LINK_BATCH]
                if c in created and e in created]
        pairs = [(created[c], created[e]) for c, e in keys]
        for (cause, effect), made in zip(pairs, services.add_links(pairs), strict=True):
            if isinstance(made, services.RippleError):
                warn_once(_("Verbinding “%(cause)s” → “%(effect)s” overgeslagen: %(error)s",
                            cause=cause.title[:60], effect=effect.title[:60],
                            error=str(made)))
            else:
                links += 1
        done += min(LINK_BATCH, len(vetted.links) - start)
        yield done, total
    _apply_themes(collaboration, vetted.plan, created)
    entries_made = _write_entries(collaboration, vetted, resolver, created)
    done += len(vetted.entries)
    result.created_items = len(created)
    result.activities = sum(1 for i in created.values() if i.kind == Kind.ACTIVITY)
    result.effects = len(created) - result.activities
    result.created_links = links
    result.created_entries = entries_made
    result.created_codes = resolver.created
    result.problems = plan.problems
    kinds = Counter(i.kind for i in created.values())
    record("import", "collaboration", collaboration.id, collaboration_id=collaboration.id,
           summary=f"{result.format}: {len(created)} items, {links} verbindingen",
           after={"format": result.format, "items": len(created), "links": links,
                  "kinds": dict(kinds), "codes_created": len(resolver.created),
                  "sessions_matched": result.matched_sessions,
                  "sessions_created": result.created_sessions})
    db.session.flush()
    yield done, total


def _write_entries(collaboration: Collaboration, vetted: Vetted, resolver: CodeResolver,
                   created: dict[str, RippleItem]) -> int:
    """Create the learning-log entries; citations point to the created items."""

    count = 0
    for planned in vetted.entries:
        codes = [c for c in dict.fromkeys(resolver.resolve(r) for r in planned.codes) if c]
        data = _entry_input(planned, codes, [created[k].id for k in planned.cites
                                             if k in created])
        try:
            entry = logbook.create_entry(collaboration, data)
        except logbook.LogError as exc:
            vetted.plan.refuse(_("Logboekregel “%(title)s”: %(error)s",
                                 title=planned.title[:80], error=str(exc)))
            continue
        if planned.kind == EntryKind.ACTION and planned.done_at is not None:
            entry.done_at = planned.done_at
        count += 1
    return count
