"""Write an import plan through the ripple and codebook services."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import orm

from rem.audit.services import record
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
from rem.interchange.imports.base import ImportPlan, ImportResult, PlannedItem, PreviewItem
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

IMPORTED_CODEBOOK = "Geïmporteerd"
PREVIEW_ITEMS = 15

_ALLOWED = {
    "visibility": {v.value for v in Visibility},
    "governance_style": set(GOVERNANCE_STYLES),
    "ladder_step": set(LADDER_STEPS),
    "valence": {v.value for v in Valence},
    "noticed_by": {v.value for v in Observer},
    "evidence_kind": {v.value for v in EvidenceKind},
}


class CodeResolver:
    """Find codes by qualified slug, name or slug; create the rest once per import."""

    def __init__(self, plan: ImportPlan):
        self.plan = plan
        self.cache: dict[str, int] = {}
        self.created: list[str] = []
        self._imported: Codebook | None = None
        self._books: dict[str, Codebook] = {}
        self._by_name: dict[str, int] | None = None

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

    def _imported_book(self) -> Codebook:
        if self._imported is None:
            book = codebook_by_slug(slugify(IMPORTED_CODEBOOK))
            if book is None:
                book = create_codebook(IMPORTED_CODEBOOK, _("Codes die bij het inlezen van "
                                                             "bestanden zijn gemaakt."))
            self._imported = book
        return self._imported

    def _add(self, book: Codebook, name: str, description: str = "") -> int:
        slug = slugify(name)
        existing = next((c for c in book.codes if c.slug == slug), None)
        if existing is not None:
            return existing.id
        code = add_code(book, name, description)
        self.created.append(f"{book.name}: {code.name}")
        if self._by_name is not None:
            self._by_name[name.strip().lower()] = code.id
            self._by_name[code.slug] = code.id
        return code.id

    def resolve(self, reference: str) -> int | None:
        """Return the id of the code ``reference`` names, creating it if needed."""
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
                    self.plan.warn(_("De code “%(code)s” heeft geen letters of cijfers en is "
                                     "overgeslagen.", code=reference))
                    return None
                code_id = self._add(self._imported_book(), reference[:120])
        except CodebookError as exc:
            self.plan.warn(_("De code “%(code)s” is overgeslagen: %(error)s", code=reference,
                             error=str(exc)))
            return None
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
            book = codebook_by_slug(slugify(info.name)) or create_codebook(info.name,
                                                                           info.description)
            self.created.append(book.name)
        self._books[book_slug] = book
        name, description = info.codes.get(code_slug, (code_slug, ""))
        return self._add(book, name, description)


def _input(item: PlannedItem, when: FuzzyDate, code_ids: list[int]) -> services.ItemInput:
    values = {}
    for name, allowed in _ALLOWED.items():
        value = getattr(item, name)
        values[name] = value if value in allowed else None
    return services.ItemInput(
        title=item.title, when=when, description=item.description,
        visibility=values["visibility"] or Visibility.COLLABORATION.value,
        participant_count=item.participant_count,
        governance_style=values["governance_style"], ladder_step=values["ladder_step"],
        intended=item.intended, valence=values["valence"], noticed_by=values["noticed_by"],
        evidence_kind=values["evidence_kind"], evidence_text=item.evidence_text,
        evidence_url=item.evidence_url, code_ids=code_ids,
    )


def _apply_entries(collaboration: Collaboration, plan: ImportPlan, resolver: CodeResolver,
                   created: dict[str, RippleItem]) -> int:
    """Create the plan's learning-log entries; citations point to the created items."""
    from rem.logbook import services as logbook
    from rem.logbook.models import EntryKind

    count = 0
    for planned in plan.entries:
        is_action = planned.kind == EntryKind.ACTION
        data = logbook.EntryInput(
            kind=planned.kind, title=planned.title, entry_date=planned.entry_date,
            body=planned.body, visibility=planned.visibility,
            due_date=planned.due_date if is_action else None,
            code_ids=[c for c in dict.fromkeys(resolver.resolve(r) for r in planned.codes) if c],
            item_ids=[created[k].id for k in planned.cites if k in created],
        )
        try:
            entry = logbook.create_entry(collaboration, data)
        except logbook.LogError as exc:
            plan.refuse(_("Logboekregel “%(title)s”: %(error)s", title=planned.title[:80],
                          error=str(exc)))
            continue
        if is_action and planned.done_at is not None:
            entry.done_at = planned.done_at
        count += 1
    return count


def _apply_themes(collaboration: Collaboration, plan: ImportPlan,
                  created: dict[str, RippleItem]) -> None:
    """Put the created effects in the themes the file names: a live theme of the same name
    (whatever its capitals) is the same theme; the others are made."""
    from rem.themes import services as themes

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


def _apply_sessions(collaboration: Collaboration, plan: ImportPlan,
                    result: ImportResult) -> dict[str, int]:
    """Find or make the evaluation sessions the plan's items came from; return their ids
    by the file's session key.

    A session of the target collaboration with the same title and date is the same
    session (so a file read back into its own collaboration, or read twice, ties its
    items to the sessions that are there). Otherwise a closed session with the file's
    title, date, place and focus question is made: without participants or stories,
    which an export does not carry.
    """
    from rem.sessions import models as session_models
    from rem.sessions import services as sessions

    used = list(dict.fromkeys(i.session_key for i in plan.items if i.session_key))
    if not used:
        return {}
    existing: dict[tuple[str, object], int] = {}
    for session_id, title, held_on in db.session.execute(
        sa.select(session_models.EvaluationSession.id, session_models.EvaluationSession.title,
                  session_models.EvaluationSession.held_on)
        .where(session_models.EvaluationSession.collaboration_id == collaboration.id)
        .order_by(session_models.EvaluationSession.id.desc())
    ):
        existing[(" ".join(title.split()), held_on)] = session_id  # the oldest wins
    found: dict[str, int] = {}
    for key in used:
        planned = plan.sessions[key]
        title = planned.title[:session_models.TITLE_MAX].strip()
        match = existing.get((title, planned.held_on))
        if match is not None:
            found[key] = match
            result.matched_sessions += 1
            continue
        data = sessions.SessionInput(
            title=title, held_on=planned.held_on,
            focus_question=planned.focus_question[:session_models.FOCUS_MAX]
            or _("(overgenomen uit een rem-export)"),
            place=planned.place[:session_models.PLACE_MAX])
        try:
            made = sessions.create_session(collaboration, data)
        except sessions.SessionError as exc:
            plan.warn(_("Evaluatiesessie “%(title)s” is niet overgenomen: %(error)s",
                        title=title[:80], error=str(exc)))
            continue
        sessions.close_session(made)
        existing[(title, planned.held_on)] = found[key] = made.id
        result.created_sessions += 1
    return found


def apply_plan(collaboration: Collaboration, plan: ImportPlan, fallback: FuzzyDate,
               fmt: str) -> ImportResult:
    """Create the plan's items and links in the session (flushed, not committed)."""
    result = ImportResult(format=fmt, notes=list(plan.notes), columns=plan.columns,
                          link_columns=plan.link_columns, mapping=plan.mapping)
    keys = {item.key for item in plan.items}
    unknown = sorted({k for link in plan.links for k in link if k not in keys})
    if unknown:
        plan.refuse(_("Verbindingen noemen items die niet in het bestand staan: %(names)s",
                      names=", ".join(f"“{n}”" for n in unknown[:50])))
    if any(p.blocking for p in plan.problems):
        result.problems = plan.problems
        return result

    targets = {effect for _cause, effect in plan.links}
    undated = 0
    resolver = CodeResolver(plan)
    session_ids = _apply_sessions(collaboration, plan, result)
    entries: list[tuple[Kind, services.ItemInput]] = []
    for item in plan.items:
        kind = Kind(item.kind) if item.kind in ("activity", "effect") else (
            Kind.EFFECT if item.key in targets else Kind.ACTIVITY)
        when = item.when
        if when is None:
            when = fallback
            undated += 1
        if len(item.title) > TITLE_MAX:
            item.description = (item.title + "\n\n" + item.description).strip()
            item.title = item.title[:TITLE_MAX - 1].rstrip() + "…"
        code_ids = [c for c in dict.fromkeys(resolver.resolve(r) for r in item.codes) if c]
        entries.append((kind, _input(item, when, code_ids)))
    # One flush for all items and one cycle check for all links: the rules and the audit
    # of create_item/add_link, without a query per item or per link.
    created: dict[str, RippleItem] = {}
    by_session: dict[int, list[RippleItem]] = {}
    for item, (kind, data), made in zip(plan.items, entries,
                                        services.create_items(collaboration, entries),
                                        strict=True):
        if isinstance(made, services.RippleError):
            plan.refuse(_("“%(title)s”%(where)s: %(error)s", title=item.title[:80],
                          where=f" ({item.source})" if item.source else "", error=str(made)))
            continue
        created[item.key] = made
        if item.session_key in session_ids:
            by_session.setdefault(session_ids[item.session_key], []).append(made)
        if kind == Kind.ACTIVITY:
            result.activities += 1
        else:
            result.effects += 1
        if len(result.first_items) < PREVIEW_ITEMS:
            result.first_items.append(PreviewItem(kind.value, item.title, data.when.iso(),
                                                  list(item.codes)))
    # The session of origin: one UPDATE per session, not one per item (the items are new,
    # so their version stays 1).
    for session_id, items in by_session.items():
        for start in range(0, len(items), 500):
            batch = items[start:start + 500]
            db.session.execute(sa.update(RippleItem)
                               .where(RippleItem.id.in_([i.id for i in batch]))
                               .values(session_id=session_id)
                               .execution_options(synchronize_session=False))
            for made in batch:
                orm.attributes.set_committed_value(made, "session_id", session_id)
    if undated:
        plan.warn(ngettext("%(num)d item had geen datum en krijgt “%(date)s”. U kunt dat later "
                           "aanpassen.",
                           "%(num)d items hadden geen datum en krijgen “%(date)s”. U kunt dat "
                           "later per item aanpassen.", undated, date=fallback.iso()))
    pairs: list[tuple[RippleItem, RippleItem]] = []
    seen: set[tuple[str, str]] = set()
    for cause_key, effect_key in plan.links:
        if (cause_key, effect_key) in seen or cause_key not in created \
                or effect_key not in created:
            continue
        seen.add((cause_key, effect_key))
        pairs.append((created[cause_key], created[effect_key]))
    for (cause, effect), made in zip(pairs, services.add_links(pairs), strict=True):
        if isinstance(made, services.RippleError):
            plan.warn(_("Verbinding “%(cause)s” → “%(effect)s” overgeslagen: %(error)s",
                        cause=cause.title[:60], effect=effect.title[:60], error=str(made)))
            continue
        result.created_links += 1

    _apply_themes(collaboration, plan, created)
    result.created_entries = _apply_entries(collaboration, plan, resolver, created)
    if result.created_entries:
        result.notes.append(ngettext("%(num)d regel in het leerlogboek.",
                                     "%(num)d regels in het leerlogboek.",
                                     result.created_entries))
    if result.matched_sessions or result.created_sessions:
        result.notes.append(_("Evaluatiesessies van herkomst: %(matched)d herkend in dit "
                              "samenwerkingsverband, %(created)d nieuw gemaakt (gesloten, "
                              "zonder deelnemers of verhalen).",
                              matched=result.matched_sessions, created=result.created_sessions))
    result.created_items = len(created)
    result.created_codes = resolver.created
    result.problems = plan.problems
    kinds = Counter(i.kind for i in created.values())
    record("import", "collaboration", collaboration.id, collaboration_id=collaboration.id,
           summary=f"{fmt}: {len(created)} items, {result.created_links} verbindingen",
           after={"format": fmt, "items": len(created), "links": result.created_links,
                  "kinds": dict(kinds), "codes_created": len(resolver.created),
                  "sessions_matched": result.matched_sessions,
                  "sessions_created": result.created_sessions})
    return result
