"""Checks of the demo data (:mod:`rem.demo.data`) before anything is written: every
reference, date and choice value must exist, or loading stops with a ValueError that
names the place in the data."""

from __future__ import annotations

from typing import Any

from rem.core.dates import DateError, FuzzyDate, parse_iso
from rem.demo import data
from rem.exchanges.models import OutcomeKind
from rem.logbook.models import EntryKind
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


def parse_date(text: str, where: str = "") -> FuzzyDate:
    """Parse a compact date, naming the place in the data when it is wrong."""
    try:
        return parse_iso(text)
    except DateError as exc:
        raise ValueError(f"{where}: bad date {text!r}") from exc


def check_demo_data(known_codes: set[str]) -> None:
    """Raise ValueError when the demo data refers to something that does not exist."""
    hub_slugs = {hub["slug"] for hub in data.HUBS}
    collaboration_slugs = {c["slug"] for c in data.COLLABORATIONS}
    for spec in data.COLLABORATIONS:
        where = f"collaboration {spec['slug']!r}"
        if spec["hub"] not in hub_slugs:
            raise ValueError(f"{where}: unknown hub {spec['hub']!r}")
        parse_date(spec["start_date"], where)
        seen: set[str] = set()
        for item in spec["items"]:
            key = item["key"]
            here = f"{where}, item {key!r}"
            if key in seen:
                raise ValueError(f"{here}: duplicate key")
            parse_date(item["date"], here)
            _check_choices(item, here)
            for ref in item["codes"]:
                if ref not in known_codes:
                    raise ValueError(f"{here}: unknown code {ref!r}")
            for cause in item.get("causes", ()):
                if cause not in seen:
                    raise ValueError(
                        f"{here}: unknown cause {cause!r} (causes must be earlier items "
                        "of the same collaboration)"
                    )
            seen.add(key)
    for user in data.USERS:
        for membership in user["memberships"]:
            if "hub" in membership and membership["hub"] not in hub_slugs:
                raise ValueError(f"user {user['email']!r}: unknown hub {membership['hub']!r}")
            if "collaboration" in membership and (
                membership["collaboration"] not in collaboration_slugs
            ):
                raise ValueError(
                    f"user {user['email']!r}: unknown collaboration "
                    f"{membership['collaboration']!r}"
                )


def _check_choices(item: dict[str, Any], where: str) -> None:
    """Raise ValueError when an item's fixed-choice field has an unknown value."""
    allowed: dict[str, set[str | None]] = {
        "kind": {k.value for k in Kind},
        "visibility": {v.value for v in Visibility},
    }
    if item["kind"] == Kind.ACTIVITY.value:
        allowed["governance_style"] = {None, *GOVERNANCE_STYLES}
        allowed["ladder_step"] = {None, *LADDER_STEPS}
    else:
        allowed["valence"] = {None, *(v.value for v in Valence)}  # None: not known
        allowed["noticed_by"] = {o.value for o in Observer}
        allowed["evidence_kind"] = {None, *(e.value for e in EvidenceKind)}
    for field, choices in allowed.items():
        if item.get(field) not in choices:
            raise ValueError(f"{where}: {field} {item.get(field)!r} is not one of {choices}")
    if len(item["title"]) > TITLE_MAX:
        raise ValueError(f"{where}: title longer than {TITLE_MAX} characters")


def check_log_data(known_codes: set[str]) -> None:
    """Raise ValueError when the demo learning logs or exchanges refer to something unknown."""

    specs = {c["slug"]: c for c in data.COLLABORATIONS}
    emails = {u["email"] for u in data.USERS}
    hub_slugs = {hub["slug"] for hub in data.HUBS}
    for slug, entries in getattr(data, "LOG_ENTRIES", {}).items():
        if slug not in specs:
            raise ValueError(f"learning log: unknown collaboration {slug!r}")
        item_keys = {item["key"] for item in specs[slug]["items"]}
        seen: set[str] = set()
        for entry in entries:
            here = f"learning log {slug!r}, entry {entry['key']!r}"
            if entry["kind"] not in {k.value for k in EntryKind}:
                raise ValueError(f"{here}: unknown kind {entry['kind']!r}")
            if entry["visibility"] not in {v.value for v in Visibility}:
                raise ValueError(f"{here}: unknown visibility {entry['visibility']!r}")
            parse_date(entry["date"], here)
            if entry["due"]:
                parse_date(entry["due"], here)
            for ref in entry["codes"]:
                if ref not in known_codes:
                    raise ValueError(f"{here}: unknown code {ref!r}")
            for person in (entry["author"], entry["owner"]):
                if person and person not in emails:
                    raise ValueError(f"{here}: unknown person {person!r}")
            for cite in entry["cites"]:
                target = cite.removeprefix("entry:")
                if target not in (seen if cite.startswith("entry:") else item_keys):
                    raise ValueError(f"{here}: unknown citation {cite!r}")
            seen.add(entry["key"])
    for spec in getattr(data, "EXCHANGES", []):
        here = f"exchange {spec['title']!r}"
        if spec["theme"] and spec["theme"] not in known_codes:
            raise ValueError(f"{here}: unknown theme {spec['theme']!r}")
        if not set(spec["hubs"]) <= hub_slugs or len(spec["hubs"]) < 2:
            raise ValueError(f"{here}: needs two or more known hubs")
        if spec["created_by"] not in emails:
            raise ValueError(f"{here}: unknown person {spec['created_by']!r}")
        for outcome in spec["outcomes"]:
            if outcome["kind"] not in {k.value for k in OutcomeKind}:
                raise ValueError(f"{here}: unknown outcome kind {outcome['kind']!r}")
            for slug in outcome["adopted_by"]:
                if slug not in specs or specs[slug]["hub"] not in spec["hubs"]:
                    raise ValueError(f"{here}: {slug!r} does not take part")
