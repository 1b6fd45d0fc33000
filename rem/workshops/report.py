"""The session report: the ripple log as it stood before the session and after it, and what
the session added."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from rem.core.database import utcnow
from rem.extensions import db
from rem.ripples import graph
from rem.ripples.logview import LogView
from rem.ripples.models import Kind, RippleItem, RippleLink
from rem.ripples.services import live_links
from rem.ripples.timeline import in_time_order
from rem.workshops.models import (
    ParticipantRole,
    StoryStatus,
    Workshop,
    WorkshopParticipant,
)
from rem.workshops.services import (
    status_counts,
    stories_of,
)

# --- the report ----------------------------------------------------------------------------------


def log_at(workshop: Workshop, clause: sa.ColumnElement[bool], *, after: bool
           ) -> LogView:
    """Return the visible ripple log as it was when ``session`` opened (or closed).

    Before: live items created before the session opened, except its own effects.
    After: live items created until it closed (or now), plus every effect that came
    from the session, also those taken in from the inbox after closing. Links follow
    the same moments; links to the session's own effects always count afterwards.
    """
    collaboration_id = workshop.collaboration_id
    if after:
        moment = workshop.closed_at or utcnow()
        when = sa.or_(RippleItem.created_at <= moment, RippleItem.session_id == workshop.id)
    else:
        moment = workshop.opened_at
        when = sa.and_(RippleItem.created_at < moment,
                       sa.or_(RippleItem.session_id.is_(None),
                              RippleItem.session_id != workshop.id))
    items = list(db.session.scalars(
        sa.select(RippleItem).where(RippleItem.collaboration_id == collaboration_id,
                                    RippleItem.deleted_at.is_(None), clause, when)
    ))
    ids = {i.id for i in items}
    own = {i.id for i in items if i.session_id == workshop.id}
    moment = _aware(moment)
    created = _link_times(collaboration_id)
    links = []
    for cause, effect in live_links(collaboration_id):
        if cause not in ids or effect not in ids:
            continue
        at = created.get((cause, effect))
        in_time = at is not None and (_aware(at) <= moment if after else _aware(at) < moment)
        if in_time or (after and (cause in own or effect in own)):
            links.append((cause, effect))
    items = in_time_order(items, links)
    orders = graph.ripple_orders([i.id for i in items if i.kind == Kind.ACTIVITY], links)
    causes: dict[int, list[int]] = {}
    grew: dict[int, list[int]] = {}
    for a, b in links:
        causes.setdefault(b, []).append(a)
        grew.setdefault(a, []).append(b)
    return LogView(items, links, orders, causes, grew)


def _link_times(collaboration_id: int) -> dict[tuple[int, int], datetime]:
    rows = db.session.execute(
        sa.select(RippleLink.cause_id, RippleLink.effect_id, RippleLink.created_at)
        .where(RippleLink.collaboration_id == collaboration_id)
    )
    return {(cause, effect): at for cause, effect, at in rows}


def _aware(value: datetime) -> datetime:
    """SQLite gives naive datetimes back; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass
class Report:
    """Everything the session report shows."""

    workshop: Workshop
    participants: int
    participants_with_story: int
    named: int
    by_role: list[tuple[str | None, int]]
    stories: int
    by_status: dict[str, int]
    new_effects: list[RippleItem]
    merged_into: list[RippleItem]
    orders: list[tuple[int | None, int]]
    codes: list[tuple[str, str, int]]
    intended: dict[str, int]
    valence: dict[str, int]
    before: LogView
    after: LogView


def build_report(workshop: Workshop, clause: sa.ColumnElement[bool]) -> Report:
    """Count who took part, what they told and what it added to the map."""
    participants = list(db.session.scalars(
        sa.select(WorkshopParticipant).where(WorkshopParticipant.session_id == workshop.id)))
    stories = stories_of(workshop)
    senders = {story.participant_id for story in stories}
    roles = Counter(p.role for p in participants)
    order_of_roles = [r.value for r in ParticipantRole] + [None]
    by_role = [(role, roles[role]) for role in order_of_roles if roles.get(role)]
    before = log_at(workshop, clause, after=False)
    after = log_at(workshop, clause, after=True)
    visible = after.by_id()
    new_effects = [item for item in after.items if item.session_id == workshop.id]
    merged_ids = {s.effect_id for s in stories if s.status == StoryStatus.MERGED}
    merged_into = [visible[i] for i in sorted(merged_ids) if i in visible]
    order_counts = Counter(after.orders.get(item.id) for item in new_effects)
    orders = sorted(order_counts.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    code_counts: Counter[tuple[str, str]] = Counter()
    for item in new_effects:
        for code in item.codes:
            code_counts[(code.codebook.label, code.label)] += 1
    codes = sorted(((book, name, n) for (book, name), n in code_counts.items()),
                   key=lambda row: (row[0], -row[2], row[1]))
    intended = Counter({True: "intended", False: "unintended", None: "unknown"}[i.intended]
                       for i in new_effects)
    valence = Counter(i.valence or "unknown" for i in new_effects)
    return Report(
        workshop=workshop, participants=len(participants),
        participants_with_story=len(senders - {None}),
        named=sum(1 for p in participants if p.first_name), by_role=by_role,
        stories=len(stories), by_status=status_counts(workshop),
        new_effects=new_effects, merged_into=merged_into, orders=orders, codes=codes,
        intended=dict(intended), valence=dict(valence), before=before, after=after,
    )
