"""Integrity of the ripple log in an existing database (``flask --app rem check [--fix]``).

The services keep every new change within the rules (``services.check_links``), but a
database can hold what the rules never made: data from before a rule existed, a restore
of an old backup, a hand-made SQL fix. Every page assumes these hold: links form no
circle, join two items of one collaboration and end in an effect, and choice columns
hold a known value. Each check reads with plain SQL (no ORM loading: an unknown ``kind``
would stop the ORM itself), reports what it found in English for the administrator, and
mends it when asked to (recoverably where it can: links are removed the way a person
removes one, audited).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from rem.audit.services import record
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.core.dates import Precision
from rem.extensions import db
from rem.ripples import graph
from rem.ripples.models import (
    GOVERNANCE_STYLES,
    LADDER_STEPS,
    EvidenceKind,
    Kind,
    Observer,
    RippleItem,
    RippleLink,
    Valence,
    Visibility,
)

SHOWN = 10  # ids named per finding


@dataclass
class Finding:
    """One kind of problem: what it is, how many rows, and how to mend it (if it can be)."""

    check: str
    message: str
    count: int
    mend: Callable[[], str] | None = None

    @property
    def fixable(self) -> bool:
        """Tell whether ``--fix`` can mend it."""
        return self.mend is not None


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:SHOWN])
    return shown + (f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else "")


def _remove_links(ids: list[int], why: str) -> None:
    """Remove links as a person would (deleted_at), each with an audit event saying why."""
    now = utcnow()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = db.session.execute(
            sa.select(RippleLink.id, RippleLink.collaboration_id, RippleLink.cause_id,
                      RippleLink.effect_id).where(RippleLink.id.in_(chunk))).all()
        db.session.execute(sa.update(RippleLink).where(RippleLink.id.in_(chunk))
                           .values(deleted_at=now, updated_at=now)
                           .execution_options(synchronize_session=False))
        for link_id, collaboration_id, cause_id, effect_id in rows:
            record("unlink", "link", link_id, collaboration_id=collaboration_id,
                   summary=f"flask --app rem check --fix: {why}",
                   before={"cause_id": cause_id, "effect_id": effect_id, "reason": why})


def orphan_items() -> list[Finding]:
    """Items whose collaboration does not exist (no foreign key held them)."""
    ids = list(db.session.scalars(
        sa.select(RippleItem.id).where(~sa.exists().where(
            Collaboration.id == RippleItem.collaboration_id)).order_by(RippleItem.id)))
    if not ids:
        return []
    return [Finding("orphan_items", f"{len(ids)} item(s) belong to a collaboration that does "
                    f"not exist (ids {_ids(ids)}); make the collaboration again with that id, "
                    "or delete the items by hand.", len(ids))]


def dangling_links() -> list[Finding]:
    """Links whose cause, effect or collaboration does not exist."""
    items = sa.select(RippleItem.id)
    ids = list(db.session.scalars(
        sa.select(RippleLink.id).where(sa.or_(
            RippleLink.cause_id.not_in(items), RippleLink.effect_id.not_in(items),
            RippleLink.collaboration_id.not_in(sa.select(Collaboration.id))))
        .order_by(RippleLink.id)))
    if not ids:
        return []

    def mend() -> str:
        for start in range(0, len(ids), 500):
            db.session.execute(sa.delete(RippleLink).where(
                RippleLink.id.in_(ids[start:start + 500])))
        return f"deleted {len(ids)} link(s) that pointed at nothing"

    return [Finding("dangling_links", f"{len(ids)} link(s) point at an item or collaboration "
                    f"that does not exist (ids {_ids(ids)}).", len(ids), mend)]


def _link_rows():
    cause = sa.orm.aliased(RippleItem)
    effect = sa.orm.aliased(RippleItem)
    return db.session.execute(
        sa.select(RippleLink.id, RippleLink.collaboration_id, cause.collaboration_id,
                  effect.collaboration_id, effect.kind)
        .join(cause, cause.id == RippleLink.cause_id)
        .join(effect, effect.id == RippleLink.effect_id)
        .where(RippleLink.deleted_at.is_(None))
        .order_by(RippleLink.id)).all()


def misplaced_links() -> list[Finding]:
    """Live links across collaborations, filed under another collaboration than their
    items', or ending in an activity."""
    across, misfiled, into_activity = [], [], []
    for link_id, own, cause_collab, effect_collab, effect_kind in _link_rows():
        if cause_collab != effect_collab:
            across.append(link_id)
        elif own != effect_collab:
            misfiled.append(link_id)
        elif effect_kind == Kind.ACTIVITY.value:
            into_activity.append(link_id)
    findings = []
    if across:
        findings.append(Finding(
            "links_across_collaborations", f"{len(across)} link(s) join items of two "
            f"collaborations (ids {_ids(across)}).", len(across),
            lambda: (_remove_links(across, "joins two collaborations"),
                     f"removed {len(across)} link(s) across collaborations")[1]))
    if misfiled:
        def refile() -> str:
            effect = sa.orm.aliased(RippleItem)
            for link_id in misfiled:
                db.session.execute(
                    sa.update(RippleLink).where(RippleLink.id == link_id)
                    .values(collaboration_id=sa.select(effect.collaboration_id)
                            .where(effect.id == RippleLink.effect_id).scalar_subquery())
                    .execution_options(synchronize_session=False))
            return f"filed {len(misfiled)} link(s) under the collaboration of their items"

        findings.append(Finding(
            "misfiled_links", f"{len(misfiled)} link(s) are filed under another collaboration "
            f"than their items (ids {_ids(misfiled)}).", len(misfiled), refile))
    if into_activity:
        findings.append(Finding(
            "links_into_activities", f"{len(into_activity)} link(s) end in an activity; only "
            f"effects grow from something (ids {_ids(into_activity)}).", len(into_activity),
            lambda: (_remove_links(into_activity, "ends in an activity"),
                     f"removed {len(into_activity)} link(s) into activities")[1]))
    return findings


def circles() -> list[Finding]:
    """Live links between live items that close a circle, per collaboration."""
    cause = sa.orm.aliased(RippleItem)
    effect = sa.orm.aliased(RippleItem)
    per: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for link_id, collaboration_id, a, b in db.session.execute(
            sa.select(RippleLink.id, RippleLink.collaboration_id, RippleLink.cause_id,
                      RippleLink.effect_id)
            .join(cause, cause.id == RippleLink.cause_id)
            .join(effect, effect.id == RippleLink.effect_id)
            .where(RippleLink.deleted_at.is_(None), cause.deleted_at.is_(None),
                   effect.deleted_at.is_(None))
            .order_by(RippleLink.id)):
        per[collaboration_id].append((link_id, a, b))
    closing: list[int] = []
    named: list[str] = []
    for collaboration_id, rows in sorted(per.items()):
        pairs = [(a, b) for _id, a, b in rows]
        if graph.is_acyclic(pairs):
            continue
        # Keep the older links, leave out the newest link of each circle (the one that
        # closed it), as adding them in the order they were made would have decided.
        _kept, refused = graph.acyclic_additions([], pairs)
        refused_set = set(refused)
        for link_id, a, b in rows:
            if (a, b) in refused_set:
                closing.append(link_id)
                named.append(f"{a} -> {b} (link {link_id}, collaboration {collaboration_id})")
    if not closing:
        return []
    return [Finding(
        "circles", f"{len(closing)} link(s) close a circle in the ripple graph, which the "
        f"analysis pages cannot count: {'; '.join(named[:SHOWN])}"
        + (f" and {len(named) - SHOWN} more" if len(named) > SHOWN else "") + ".",
        len(closing), lambda: (_remove_links(closing, "closes a circle"),
                               f"removed {len(closing)} link(s) that closed a circle")[1])]


# Column -> the values the app knows, and what an unknown value becomes.
CHOICES: dict[str, tuple[set[str], str | None]] = {
    "date_precision": ({p.value for p in Precision}, Precision.DAY.value),
    "visibility": ({v.value for v in Visibility}, Visibility.COLLABORATION.value),
    "valence": ({v.value for v in Valence}, None),
    "noticed_by": ({v.value for v in Observer}, None),
    "evidence_kind": ({v.value for v in EvidenceKind}, None),
    "governance_style": (set(GOVERNANCE_STYLES), None),
    "ladder_step": (set(LADDER_STEPS), None),
}


def unknown_choices() -> list[Finding]:
    """Items whose kind or choice columns hold a value the app does not know."""
    table = RippleItem.__table__
    findings = []
    kinds = {k.value for k in Kind}
    bad_kind = list(db.session.scalars(sa.select(table.c.id).where(
        sa.or_(table.c.kind.is_(None), table.c.kind.not_in(kinds))).order_by(table.c.id)))
    if bad_kind:
        def mend_kind() -> str:
            has_cause = sa.exists().where(RippleLink.effect_id == table.c.id,
                                          RippleLink.deleted_at.is_(None))
            db.session.execute(sa.update(table).where(table.c.id.in_(bad_kind))
                               .values(kind=sa.case((has_cause, Kind.EFFECT.value),
                                                    else_=Kind.ACTIVITY.value)))
            return (f"gave {len(bad_kind)} item(s) of unknown kind a kind: effect when "
                    "something leads to it, activity otherwise")

        findings.append(Finding("unknown_kind", f"{len(bad_kind)} item(s) are neither an "
                                f"activity nor an effect (ids {_ids(bad_kind)}).",
                                len(bad_kind), mend_kind))
    for name, (allowed, fallback) in CHOICES.items():
        column = table.c[name]
        condition = column.not_in(allowed)
        if fallback is not None:
            condition = sa.or_(column.is_(None), condition)
        ids = list(db.session.scalars(sa.select(table.c.id).where(condition)
                                      .order_by(table.c.id)))
        if not ids:
            continue

        def mend(ids=ids, column=column, fallback=fallback) -> str:
            for start in range(0, len(ids), 500):
                db.session.execute(sa.update(table).where(table.c.id.in_(ids[start:start + 500]))
                                   .values({column: fallback}))
            return (f"set {column.name} of {len(ids)} item(s) to "
                    f"{fallback if fallback is not None else 'empty'}")

        findings.append(Finding(f"unknown_{name}", f"{len(ids)} item(s) have an unknown "
                                f"{name} (ids {_ids(ids)}).", len(ids), mend))
    return findings


CHECKS = (orphan_items, dangling_links, misplaced_links, unknown_choices, circles)


def find_problems() -> list[Finding]:
    """Run every check of the ripple log; return what was found (nothing: all is well)."""
    return [finding for check in CHECKS for finding in check()]
