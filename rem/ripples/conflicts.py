"""Two people saved the same item: which fields differ, and what the form should hold.

A form that opens an item carries a fingerprint of the values it showed (``base``: a
short hash per field). When its save is refused because someone else saved first
(``services.EditConflict``), ``compare`` sets three versions side by side per field: what
the form started from, what is saved now, and what this person typed.

- only the other person changed a field: the form takes over the saved value (theirs is
  kept; pressing "Opslaan" again must not silently put the old value back);
- only this person changed it: the form keeps what they typed;
- both changed it, differently: the form keeps what they typed and the field is marked.

Every field whose saved value differs from what the form held is listed, so the person
sees all of it before saving again. Without a fingerprint (an older page, a script) every
difference is listed and the form keeps what was typed. The item page's form and the map's
side panel both use this module.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rem.codes.models import Code
from rem.core.dates import FuzzyDate
from rem.extensions import db
from rem.ripples.models import (
    EVIDENCE_LABELS,
    GOVERNANCE_STYLES,
    LADDER_STEPS,
    OBSERVER_LABELS,
    VALENCE_LABELS,
    VISIBILITY_LABELS,
    Kind,
    RippleItem,
    RippleLink,
)

FIELD_LABELS = {
    "title": _l("Titel"),
    "when": _l("Datum"),
    "description": _l("Beschrijving"),
    "visibility": _l("Wie mag dit zien?"),
    "participant_count": _l("Aantal deelnemers"),
    "governance_style": _l("Bestuursstijl"),
    "ladder_step": _l("Trede op de participatieladder"),
    "intended": _l("Bedoeld?"),
    "valence": _l("Hoe was het?"),
    "noticed_by": _l("Wie merkte het op?"),
    "evidence_kind": _l("Soort bewijs"),
    "evidence_text": _l("Bewijs"),
    "evidence_url": _l("Link naar een document"),
    "codes": _l("Codes"),
    "causes": _l("Kwam voort uit"),
}
ACTIVITY_ONLY = {"participant_count", "governance_style", "ladder_step"}
EFFECT_ONLY = {"intended", "valence", "noticed_by", "evidence_kind", "evidence_text",
               "evidence_url", "causes"}


@dataclass
class Difference:
    """One field that differs between the saved version and what this person typed."""

    name: str
    label: str
    saved: str
    yours: str
    # "theirs": the form now holds the saved value (only they changed it); "yours": the form
    # holds what was typed (only this person changed it, or no fingerprint); "both": both
    # changed it: the form holds what was typed, and saving replaces theirs.
    kept: str


def live_cause_ids(item: RippleItem) -> list[int]:
    """Return the ids of the item's live causes (live links from live items), sorted."""
    return sorted(db.session.scalars(
        sa.select(RippleLink.cause_id).join(RippleItem, RippleItem.id == RippleLink.cause_id)
        .where(RippleLink.effect_id == item.id, RippleLink.deleted_at.is_(None),
               RippleItem.deleted_at.is_(None))))


def item_values(item: RippleItem, *, causes: bool = True) -> dict[str, Any]:
    """Return the comparable values of the saved item (causes only when asked: a query)."""
    values = {
        "title": item.title, "when": item.when, "description": item.description or "",
        "visibility": item.visibility, "codes": frozenset(c.id for c in item.codes)}
    if item.kind == Kind.ACTIVITY:
        values |= {"participant_count": item.participant_count,
                   "governance_style": item.governance_style, "ladder_step": item.ladder_step}
    else:
        values |= {"intended": item.intended, "valence": item.valence,
                   "noticed_by": item.noticed_by, "evidence_kind": item.evidence_kind,
                   "evidence_text": item.evidence_text or "",
                   "evidence_url": item.evidence_url or ""}
        if causes:
            values["causes"] = frozenset(live_cause_ids(item))
    return values


def input_values(kind: Kind, data, cause_ids: list[int] | None = None) -> dict[str, Any]:
    """Return the comparable values of what was typed (``data``: a ``services.ItemInput``;
    ``cause_ids`` None: the form did not show the causes, they are not compared)."""
    values = {
        "title": (data.title or "").strip(), "when": data.when,
        "description": data.description or "", "visibility": data.visibility,
        "codes": frozenset(data.code_ids)}
    if kind == Kind.ACTIVITY:
        values |= {"participant_count": data.participant_count,
                   "governance_style": data.governance_style, "ladder_step": data.ladder_step}
    else:
        values |= {"intended": data.intended, "valence": data.valence,
                   "noticed_by": data.noticed_by, "evidence_kind": data.evidence_kind,
                   "evidence_text": data.evidence_text or "",
                   "evidence_url": (data.evidence_url or "").strip()}
        if cause_ids is not None:
            values["causes"] = frozenset(cause_ids)
    return values


def _digest(value: Any) -> str:
    if isinstance(value, FuzzyDate):
        value = (value.start.isoformat(), value.precision.value)
    elif isinstance(value, frozenset):
        value = sorted(value)
    elif isinstance(value, str):
        value = value.replace("\r\n", "\n").strip()
    return hashlib.sha256(repr(value).encode()).hexdigest()[:10]


def fingerprint(values: dict[str, Any]) -> str:
    """Return the form's ``base``: a short hash per field ("title:1a2b…;when:…")."""
    return ";".join(f"{name}:{_digest(value)}" for name, value in sorted(values.items()))


def _read_fingerprint(text: str | None) -> dict[str, str] | None:
    pairs = [part.split(":", 1) for part in (text or "").split(";") if ":" in part]
    found = {name: digest for name, digest in pairs if name in FIELD_LABELS}
    return found or None


def _shown(name: str, value: Any) -> str:
    """Return a value as a person reads it."""
    if name == "intended" and value is None:
        return _("Weet ik niet")
    if value is None or value == "" or value == frozenset():
        return _("(leeg)")
    if name == "when":
        return value.label()
    if name == "intended":
        return _("Ja, bedoeld") if value else _("Nee, onbedoeld")
    labels = {"visibility": VISIBILITY_LABELS, "valence": VALENCE_LABELS,
              "noticed_by": OBSERVER_LABELS, "evidence_kind": EVIDENCE_LABELS,
              "governance_style": GOVERNANCE_STYLES, "ladder_step": LADDER_STEPS}.get(name)
    if labels is not None:
        return str({str(k): v for k, v in labels.items()}.get(value, value))
    if name == "codes":
        codes = db.session.scalars(sa.select(Code).where(Code.id.in_(sorted(value)))).all()
        return ", ".join(sorted(str(c.label) for c in codes))
    if name == "causes":
        titles = db.session.scalars(
            sa.select(RippleItem.title).where(RippleItem.id.in_(sorted(value)))).all()
        return "; ".join(sorted(titles))
    return str(value)


def compare(saved: dict[str, Any], yours: dict[str, Any], base: str | None
            ) -> tuple[list[Difference], dict[str, Any]]:
    """Return every field whose saved value differs from what was typed, and the values the
    form should take over from the saved version (fields only the other person changed).

    ``base`` is the fingerprint the form was opened with (None or unreadable: unknown)."""
    started = _read_fingerprint(base)
    differences: list[Difference] = []
    take: dict[str, Any] = {}
    for name in FIELD_LABELS:
        if name not in saved or name not in yours:
            continue
        now, typed = _digest(saved[name]), _digest(yours[name])
        if now == typed:
            continue
        kept = "yours"
        if started is not None and name in started:
            if typed == started[name]:
                kept = "theirs"  # this person left it alone: keep the other person's change
                take[name] = saved[name]
            elif now != started[name]:
                kept = "both"
        differences.append(Difference(name, str(FIELD_LABELS[name]), _shown(name, saved[name]),
                                      _shown(name, yours[name]), kept))
    return differences, take


def take_over(form, values: dict) -> None:
    """Put saved values into the form: the fields only the other person changed."""
    for name, value in values.items():
        if name == "when":
            form.date_value.data = value.start
            form.date_value.raw_data = None  # a date field shows what was sent before .data
            form.date_precision.data = value.precision.value
        elif name == "intended":
            form.intended.data = {True: "yes", False: "no"}.get(value, "unknown")
        elif name == "valence":
            form.valence.data = value or "unknown"  # None: "Weet ik niet"
        elif name in ("codes", "causes"):
            form[name].data = sorted(value)
        elif name in form:
            form[name].data = "" if value is None and name != "participant_count" else value
