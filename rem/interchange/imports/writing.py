"""Write a vetted import plan through the ripple, codebook, theme, logbook and workshop
services, in bounded batches (``BATCH`` items, ``LINK_BATCH`` links, one flush each) inside
the caller's transaction, yielding progress after each batch. The services check every
rule again as they write; the caller commits (all) or rolls back (nothing). What is
written was decided by :func:`rem.interchange.imports.vetting.vet_plan`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import orm

from rem.audit.services import record
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.interchange.imports.base import ImportPlan
from rem.interchange.imports.codes import CodeResolver
from rem.interchange.imports.vetting import Vetted, entry_input, where, workshop_matches
from rem.logbook import services as logbook
from rem.logbook.models import EntryKind
from rem.ripples import services
from rem.ripples.models import Kind, RippleItem
from rem.themes import services as themes
from rem.workshops import models as workshop_models
from rem.workshops import services as workshops

BATCH = 1000  # items per flush
LINK_BATCH = 5000  # links per add_links call (each checks the whole graph once)


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


def _write_workshops(collaboration: Collaboration, vetted: Vetted) -> dict[str, int]:
    """Find or make the workshops (evaluation sessions) the items came from; return their
    ids by the file's workshop key.

    A workshop of the target collaboration with the same title and date is the same
    workshop (so a file read back into its own collaboration, or read twice, ties its
    items to the workshops that are there). Otherwise a closed workshop with the file's
    title, date, place and focus question is made: without participants or stories,
    which an export does not carry.
    """

    plan = vetted.plan
    used = list(dict.fromkeys(v.planned.workshop_key for v in vetted.items
                              if v.planned.workshop_key))
    if not used:
        return {}
    existing = workshop_matches(collaboration)
    found: dict[str, int] = {}
    for key in used:
        planned = plan.workshops[key]
        title = planned.title[:workshop_models.TITLE_MAX].strip()
        match = existing.get((title, planned.held_on))
        if match is not None:
            found[key] = match
            continue
        data = workshops.WorkshopInput(
            title=title, held_on=planned.held_on,
            focus_question=planned.focus_question[:workshop_models.FOCUS_MAX]
            or _("(overgenomen uit een rem-export)"),
            place=planned.place[:workshop_models.PLACE_MAX])
        try:
            made = workshops.create_workshop(collaboration, data)
        except workshops.WorkshopError as exc:
            plan.warn(_("Evaluatiesessie “%(title)s” is niet overgenomen: %(error)s",
                        title=title[:80], error=str(exc)))
            continue
        workshops.close_workshop(made)
        existing[(title, planned.held_on)] = found[key] = made.id
    return found


def write_plan(collaboration: Collaboration, vetted: Vetted) -> Iterator[tuple[int, int]]:
    """Write the vetted plan in batches inside the database session (flushed, never committed),
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
    workshop_ids = _write_workshops(collaboration, vetted)
    created: dict[str, RippleItem] = {}
    by_workshop: dict[int, list[RippleItem]] = {}
    for start in range(0, len(vetted.items), BATCH):
        batch = vetted.items[start:start + BATCH]
        entries = []
        for v in batch:
            v.data.code_ids = [c for c in dict.fromkeys(resolver.resolve(r)
                                                        for r in v.planned.codes) if c]
            entries.append((v.kind, v.data))
        for v, made in zip(batch, services.create_items(collaboration, entries), strict=True):
            if isinstance(made, services.RippleError):
                plan.refuse(_("%(where)s: %(error)s", where=where(v.planned), error=str(made)))
                continue
            created[v.planned.key] = made
            if v.planned.workshop_key in workshop_ids:
                by_workshop.setdefault(workshop_ids[v.planned.workshop_key], []).append(made)
        done += len(batch)
        yield done, total
    # The workshop of origin: one UPDATE per 500 items (new items: their version stays 1).
    for workshop_id, items in by_workshop.items():
        for start in range(0, len(items), 500):
            chunk = items[start:start + 500]
            db.session.execute(sa.update(RippleItem)
                               .where(RippleItem.id.in_([i.id for i in chunk]))
                               .values(session_id=workshop_id)
                               .execution_options(synchronize_session=False))
            for made in chunk:
                orm.attributes.set_committed_value(made, "session_id", workshop_id)
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
                  "sessions_matched": result.matched_workshops,
                  "sessions_created": result.created_workshops})
    db.session.flush()
    yield done, total


def _write_entries(collaboration: Collaboration, vetted: Vetted, resolver: CodeResolver,
                   created: dict[str, RippleItem]) -> int:
    """Create the learning-log entries; citations point to the created items."""

    count = 0
    for planned in vetted.entries:
        codes = [c for c in dict.fromkeys(resolver.resolve(r) for r in planned.codes) if c]
        data = entry_input(planned, codes, [created[k].id for k in planned.cites
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
