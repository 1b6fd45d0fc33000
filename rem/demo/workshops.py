"""Demo evaluation sessions (``rem.demo.data.WORKSHOPS``), loaded by ``rem.demo.loader``.

A session is only added to a collaboration that the loader created in the same run,
so loading twice adds nothing. The demo items of that collaboration get realistic
creation times (entered before the session, during it, or later, by their date), so
that the session report's "map before" and "map after" are right.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from rem.accounts.models import Membership, Role
from rem.collaborations.models import Collaboration
from rem.core.dates import parse_iso
from rem.demo import data
from rem.extensions import db
from rem.ripples.models import RippleItem, RippleLink
from rem.workshops.models import (
    StoryStatus,
    Workshop,
    WorkshopParticipant,
    WorkshopStatus,
    WorkshopStory,
)
from rem.workshops.services import new_code

# 27 May 2025 is summer time in the Netherlands.
DEMO_TZ = timezone(timedelta(hours=2))


def check_workshop_data() -> None:
    """Raise ValueError when a demo session refers to something that does not exist."""
    collaborations = {c["slug"]: c for c in data.COLLABORATIONS}
    seen: set[str] = set()
    for spec in data.WORKSHOPS:
        where = f"session {spec['title']!r}"
        collaboration = collaborations.get(spec["collaboration"])
        if collaboration is None:
            raise ValueError(f"{where}: unknown collaboration {spec['collaboration']!r}")
        if spec["collaboration"] in seen:
            raise ValueError(f"{where}: one demo session per collaboration")
        seen.add(spec["collaboration"])
        keys = {item["key"]: item for item in collaboration["items"]}
        for key in spec["link_items"]:
            if key not in keys:
                raise ValueError(f"{where}: unknown link item {key!r}")
        for story in spec["stories"]:
            if story["status"] not in {s.value for s in StoryStatus}:
                raise ValueError(f"{where}: unknown status {story['status']!r}")
            if not 0 <= story["participant"] < len(spec["participants"]):
                raise ValueError(f"{where}: unknown participant {story['participant']!r}")
            if story["grew_from"] and story["grew_from"] not in spec["link_items"]:
                raise ValueError(f"{where}: {story['grew_from']!r} is not a link item")
            effect = story["effect"]
            if story["status"] in ("accepted", "merged"):
                if effect not in keys or keys[effect]["kind"] != "effect":
                    raise ValueError(f"{where}: unknown effect {effect!r}")
            elif effect is not None:
                raise ValueError(f"{where}: a {story['status']} story has no effect")


def _at(day: date, clock: str) -> datetime:
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=DEMO_TZ).astimezone(UTC)


def _facilitator_id(collaboration: Collaboration) -> int | None:
    return db.session.scalar(
        sa.select(Membership.user_id).where(Membership.collaboration_id == collaboration.id,
                                            Membership.role == Role.FACILITATOR.value))


def load_demo_workshops(new_collaborations: list[tuple[Collaboration, dict[str, Any]]],
                       counts: dict[str, int]) -> None:
    """Add the demo sessions of collaborations created in this run."""
    check_workshop_data()
    created = {collaboration.slug: (collaboration, spec)
               for collaboration, spec in new_collaborations}
    for spec in data.WORKSHOPS:
        if spec["collaboration"] not in created:
            continue
        collaboration, collaboration_spec = created[spec["collaboration"]]
        _load_workshop(collaboration, collaboration_spec, spec, counts)


def _load_workshop(collaboration: Collaboration, collaboration_spec: dict[str, Any],
                  spec: dict[str, Any], counts: dict[str, int]) -> None:
    titles = {item["key"]: item["title"] for item in collaboration_spec["items"]}
    items = {item.title: item for item in db.session.scalars(
        sa.select(RippleItem).where(RippleItem.collaboration_id == collaboration.id))}

    def item(key: str) -> RippleItem:
        return items[titles[key]]

    held_on = date.fromisoformat(spec["date"])
    opened, closed = _at(held_on, spec["opened"]), _at(held_on, spec["closed"])
    facilitator = _facilitator_id(collaboration)
    workshop = Workshop(
        collaboration_id=collaboration.id, title=spec["title"], held_on=held_on,
        place=spec["place"], focus_question=spec["focus_question"],
        prompts="\n".join(spec["prompts"]), allow_links=True, code=new_code(),
        status=WorkshopStatus.CLOSED.value, opened_at=opened, closed_at=closed,
        created_by_id=facilitator, closed_by_id=facilitator,
        created_at=opened - timedelta(days=7), updated_at=closed,
    )
    workshop.link_items = [item(key) for key in spec["link_items"]]
    db.session.add(workshop)
    db.session.flush()
    people = []
    for index, person in enumerate(spec["participants"]):
        at = opened + timedelta(minutes=5 + index)
        people.append(WorkshopParticipant(session_id=workshop.id, first_name=person["name"],
                                         role=person["role"], created_at=at, updated_at=at))
    db.session.add_all(people)
    db.session.flush()
    for index, story in enumerate(spec["stories"]):
        told = opened + timedelta(minutes=25 + 6 * index)
        handled = told + timedelta(minutes=4) if story["status"] != "new" else None
        when = parse_iso(story["date"]) if story["date"] else None
        effect = item(story["effect"]) if story["effect"] else None
        db.session.add(WorkshopStory(
            session_id=workshop.id, participant_id=people[story["participant"]].id,
            idempotency_key=f"demo-{collaboration.slug}-story-{index:03d}",
            text=story["text"], for_whom=story["for_whom"],
            date_start=when.start if when else None,
            date_precision=when.precision.value if when else None,
            intended=story["intended"], valence=story["valence"],
            grew_from_id=item(story["grew_from"]).id if story["grew_from"] else None,
            status=story["status"], effect_id=effect.id if effect else None,
            handled_by_id=facilitator if handled else None, handled_at=handled,
            created_at=told, updated_at=handled or told,
        ))
        if story["status"] == "accepted" and effect is not None:
            effect.session_id = workshop.id
            effect.created_at = effect.updated_at = handled
        counts["stories"] += 1
    _date_the_log(collaboration, workshop, items.values(), opened, closed)
    counts["workshops"] += 1
    db.session.flush()


def _date_the_log(collaboration: Collaboration, workshop: Workshop,
                  items, opened: datetime, closed: datetime) -> None:
    """Give the demo items the times they would have been entered at."""
    for item in items:
        if item.session_id == workshop.id:
            continue
        if item.date_start <= workshop.held_on:
            item.created_at = item.updated_at = opened - timedelta(days=1)
        else:
            later = datetime.combine(item.date_start, time(12), tzinfo=UTC)
            item.created_at = item.updated_at = max(later, closed + timedelta(days=1))
    by_id = {item.id: item for item in items}
    for link in db.session.scalars(
            sa.select(RippleLink).where(RippleLink.collaboration_id == collaboration.id)):
        cause, effect = by_id.get(link.cause_id), by_id.get(link.effect_id)
        if cause is not None and effect is not None:
            link.created_at = link.updated_at = max(cause.created_at, effect.created_at)
