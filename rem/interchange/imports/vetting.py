"""Vet an import plan: decide everything that can be decided without writing, so that the
preview of a large file is quick and writes nothing.

:func:`vet_plan` decides each item's kind, date and choice values (naming every value not
taken as given), the rules of each item (``ripples.services.check_item``) and of each link
(``check_links``, the one rule book every page uses), which codes and workshops would be
made, the counts and the first rows. It reads the codes and the workshops once. Writing
the vetted plan is :mod:`rem.interchange.imports.writing`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from rem.collaborations.models import Collaboration
from rem.core.dates import FuzzyDate
from rem.extensions import db
from rem.interchange.imports.base import (
    ImportPlan,
    ImportResult,
    PlannedEntry,
    PlannedItem,
    PreviewItem,
)
from rem.interchange.imports.codes import CodeResolver
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
    Valence,
    Visibility,
)
from rem.workshops import models as workshop_models

PREVIEW_ITEMS = 15

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


def where(item: PlannedItem) -> str:
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
                              where=where(item)))
                break


def _input(item: PlannedItem, when: FuzzyDate, plan: ImportPlan) -> services.ItemInput:
    """The item's input; a choice value rem does not know is named and left out."""
    values = {}
    for name, allowed in _ALLOWED.items():
        value = getattr(item, name)
        if value is not None and value not in allowed:
            plan.warn(_("%(where)s: “%(value)s” is geen bekende waarde voor %(field)s; %(then)s",
                        where=where(item), value=str(value)[:40], field=FIELD_NAMES[name],
                        then=_("alleen het samenwerkingsverband ziet het.")
                        if name == "visibility" else _("het blijft leeg.")))
            value = None
        values[name] = value
    return services.ItemInput(
        title=item.title, when=when, description=item.description,
        visibility=values["visibility"] or Visibility.COLLABORATION.value,
        participant_count=item.participant_count,
        governance_style=values["governance_style"], ladder_step=values["ladder_step"],
        intended=item.intended, valence=values["valence"],
        unanswered=item.unanswered and item.intended is None and values["valence"] is None,
        noticed_by=values["noticed_by"],
        evidence_kind=values["evidence_kind"], evidence_text=item.evidence_text,
        evidence_url=item.evidence_url,
    )


def _kind(item: PlannedItem, targets: set[str], plan: ImportPlan) -> Kind:
    if item.kind in (Kind.ACTIVITY.value, Kind.EFFECT.value):
        return Kind(item.kind)
    kind = Kind.EFFECT if item.key in targets else Kind.ACTIVITY
    if item.kind is not None:
        plan.warn(_("%(where)s: de soort “%(value)s” kent rem niet; het wordt %(kind)s.",
                    where=where(item), value=str(item.kind)[:40],
                    kind=_("een effect (er leidt een verbinding naartoe)")
                    if kind == Kind.EFFECT else
                    _("een activiteit (er leidt geen verbinding naartoe)")))
    return kind


def entry_input(planned: PlannedEntry, code_ids: list[int], item_ids: list[int]):
    is_action = planned.kind == EntryKind.ACTION
    return logbook.EntryInput(
        kind=planned.kind, title=planned.title, entry_date=planned.entry_date,
        body=planned.body, visibility=planned.visibility,
        due_date=planned.due_date if is_action else None,
        code_ids=code_ids, item_ids=item_ids)


def workshop_matches(collaboration: Collaboration) -> dict[tuple[str, object], int]:
    workshop = workshop_models.Workshop
    existing: dict[tuple[str, object], int] = {}
    for workshop_id, title, held_on in db.session.execute(
            sa.select(workshop.id, workshop.title, workshop.held_on)
            .where(workshop.collaboration_id == collaboration.id)
            .order_by(workshop.id.desc())):
        existing[(" ".join(title.split()), held_on)] = workshop_id  # the oldest wins
    return existing


def workshop_title(plan: ImportPlan, key: str) -> str:
    planned = plan.workshops[key]
    if len(planned.title) > workshop_models.TITLE_MAX:
        plan.warn(_("De titel van evaluatiesessie “%(title)s” is ingekort tot %(n)d tekens.",
                    title=planned.title[:80] + "…", n=workshop_models.TITLE_MAX))
    return planned.title[:workshop_models.TITLE_MAX].strip()


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
                        "staat in zijn geheel in de beschrijving.", where=where(item),
                        n=TITLE_MAX))
            item.description = (item.title + "\n\n" + item.description).strip()
            item.title = item.title[:TITLE_MAX - 1].rstrip() + "…"
        data = _input(item, when, plan)
        for reference in item.codes:
            resolver.resolve(reference)
        try:
            services.check_item(kind, data)
        except services.RippleError as exc:
            plan.refuse(_("%(where)s: %(error)s", where=where(item), error=str(exc)))
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
    _vet_workshops(collaboration, vetted)
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
            logbook.check_entry(collaboration, entry_input(planned, [], []))
        except logbook.LogError as exc:
            where = " (" + planned.source + ")" if planned.source else ""
            plan.refuse(_("Logboekregel “%(title)s”%(where)s: %(error)s",
                          title=planned.title[:80], where=where, error=str(exc)))
            continue
        vetted.entries.append(planned)


def _vet_workshops(collaboration: Collaboration, vetted: Vetted) -> None:
    plan, result = vetted.plan, vetted.result
    used = list(dict.fromkeys(v.planned.workshop_key for v in vetted.items
                              if v.planned.workshop_key))
    if not used:
        return
    existing = workshop_matches(collaboration)
    for key in used:
        if (workshop_title(plan, key), plan.workshops[key].held_on) in existing:
            result.matched_workshops += 1
        else:
            result.created_workshops += 1


def _notes(result: ImportResult) -> None:
    if result.created_entries:
        result.notes.append(ngettext("%(num)d regel in het leerlogboek.",
                                     "%(num)d regels in het leerlogboek.",
                                     result.created_entries))
    if result.matched_workshops or result.created_workshops:
        result.notes.append(_("Evaluatiesessies van herkomst: %(matched)d herkend in dit "
                              "samenwerkingsverband, %(created)d nieuw gemaakt (gesloten, "
                              "zonder deelnemers of verhalen).",
                              matched=result.matched_workshops, created=result.created_workshops))
