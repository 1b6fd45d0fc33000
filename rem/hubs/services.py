"""Creating and changing hubs."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from rem.access import Access
from rem.accounts.models import ROLE_LABELS, Role
from rem.audit.services import record, snapshot
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.hubs.models import Hub

FIELDS = ["name", "slug", "region", "description"]


class HubError(ValueError):
    """A hub change that cannot be made; the message is shown to the user."""


def _check_slug(slug: str, hub: Hub | None) -> None:
    other = db.session.scalar(sa.select(Hub).where(Hub.slug == slug))
    if other is not None and other is not hub:
        raise HubError(_("Er is al een hub met het webadres “%(slug)s”. Kies een andere korte "
                         "naam.", slug=slug))


def save_hub(hub: Hub | None, data: dict) -> Hub:
    """Create a hub (``hub`` is None) or change one."""
    _check_slug(data["slug"], hub)
    before = snapshot(hub, FIELDS) if hub else None
    if hub is None:
        hub = Hub()
        db.session.add(hub)
    for name in FIELDS:
        setattr(hub, name, (data.get(name) or "").strip())
    db.session.flush()
    record("update" if before else "create", "hub", hub.id, summary=hub.name,
           before=before, after=snapshot(hub, FIELDS))
    return hub


@dataclass(frozen=True, slots=True)
class CollaborationChoice:
    """A collaboration in a choice list: what the list shows and sends."""

    id: int
    slug: str
    name: str


def collaborations_by_hub() -> list[tuple[str, list[CollaborationChoice]]]:
    """Return each hub that has collaborations, by name, with its collaborations by name,
    as plain values in one statement (for a choice list: the search page's filter)."""
    groups: dict[int, tuple[str, list[CollaborationChoice]]] = {}
    for hub_id, hub_name, cid, slug, name in db.session.execute(
            sa.select(Hub.id, Hub.name, Collaboration.id, Collaboration.slug, Collaboration.name)
            .join(Collaboration, Collaboration.hub_id == Hub.id)
            .order_by(Hub.name, Hub.id, Collaboration.name, Collaboration.id)):
        groups.setdefault(hub_id, (hub_name, []))[1].append(CollaborationChoice(cid, slug, name))
    return list(groups.values())


def all_hubs() -> list[Hub]:
    """Return every hub with its collaborations, by name."""
    return list(db.session.scalars(
        sa.select(Hub).order_by(Hub.name).options(sa.orm.selectinload(Hub.collaborations))
    ))


def my_collaborations(access: Access) -> list[tuple[Collaboration, str]]:
    """Return the collaborations the person belongs to (as facilitator or member), by
    name, each with the name of the person's role there; empty for everyone else."""
    ids = access.facilitated | access.member_of
    if not ids:
        return []
    collaborations = db.session.scalars(
        sa.select(Collaboration).where(Collaboration.id.in_(ids))
        .options(sa.orm.joinedload(Collaboration.hub)).order_by(Collaboration.name))
    return [(c, str(ROLE_LABELS[Role.FACILITATOR if c.id in access.facilitated
                                 else Role.MEMBER]))
            for c in collaborations]
