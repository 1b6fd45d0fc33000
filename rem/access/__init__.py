"""Who may see and change what. Every view asks here, once per view.

The rules:
- an administrator sees and changes everything;
- a hub coordinator manages the hub, sees all of its collaborations' items and
  may edit their ripple logs;
- a facilitator edits the ripple log of their collaboration;
- a member reads all items of their collaboration;
- items shared with the hub are visible to everyone with a role in that hub;
- items shared with the learning network are visible to everyone with a role
  anywhere, and to researchers;
- everything else is private to the collaboration.
- the people of a collaboration are listed to everyone who reads all of it;
  its facilitators, the hub's coordinators and administrators invite, move and
  remove them (only a coordinator or administrator removes the last facilitator).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import g
from flask_login import current_user

from rem.accounts.models import Membership, Role, User
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.hubs.models import Hub
from rem.ripples.models import RippleItem, Visibility


@dataclass
class Access:
    """One person's roles, read once per request."""

    user_id: int | None
    is_admin: bool = False
    is_researcher: bool = False
    coordinated_hubs: set[int] = field(default_factory=set)
    facilitated: set[int] = field(default_factory=set)
    member_of: set[int] = field(default_factory=set)
    hubs_with_role: set[int] = field(default_factory=set)

    @property
    def in_network(self) -> bool:
        """Tell whether the person takes part in the learning network at all."""
        return bool(self.is_admin or self.hubs_with_role)

    def reads_all_of(self, collaboration: Collaboration) -> bool:
        """Tell whether every item of ``collaboration`` is visible."""
        return (
            self.is_admin
            or collaboration.id in self.facilitated
            or collaboration.id in self.member_of
            or collaboration.hub_id in self.coordinated_hubs
        )

    def edits(self, collaboration: Collaboration) -> bool:
        """Tell whether the ripple log of ``collaboration`` may be changed."""
        return (
            self.is_admin
            or collaboration.id in self.facilitated
            or collaboration.hub_id in self.coordinated_hubs
        )

    def manages_hub(self, hub: Hub) -> bool:
        """Tell whether ``hub`` and its collaborations' settings may be changed."""
        return self.is_admin or hub.id in self.coordinated_hubs

    def sees_members(self, collaboration: Collaboration) -> bool:
        """Tell whether the people of ``collaboration`` and their roles may be listed."""
        return self.reads_all_of(collaboration)

    def manages_members(self, collaboration: Collaboration) -> bool:
        """Tell whether people may be invited to, moved in or removed from ``collaboration``."""
        return (
            self.is_admin
            or collaboration.id in self.facilitated
            or collaboration.hub_id in self.coordinated_hubs
        )

    def overrules_facilitators(self, collaboration: Collaboration) -> bool:
        """Tell whether the last facilitator of ``collaboration`` may be removed or moved."""
        return self.is_admin or collaboration.hub_id in self.coordinated_hubs

    def visible_levels(self, collaboration: Collaboration) -> list[str] | None:
        """Return the visibilities shown to this person, or None for all of them."""
        if self.reads_all_of(collaboration):
            return None
        levels = []
        if self.in_network or self.is_researcher:
            levels.append(Visibility.NETWORK.value)
        if collaboration.hub_id in self.hubs_with_role:
            levels.append(Visibility.HUB.value)
        return levels

    def item_clause(self, collaboration: Collaboration) -> sa.ColumnElement[bool]:
        """Return a SQL condition selecting the items of ``collaboration`` this person sees."""
        levels = self.visible_levels(collaboration)
        if levels is None:
            return sa.true()
        if not levels:
            return sa.false()
        return RippleItem.visibility.in_(levels)

    def sees_item(self, item: RippleItem) -> bool:
        """Tell whether ``item`` is visible to this person."""
        levels = self.visible_levels(item.collaboration)
        return levels is None or item.visibility in levels


def load_access(user: User | None) -> Access:
    """Read the roles of ``user`` from the database."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Access(user_id=None)
    access = Access(user_id=user.id, is_admin=user.is_admin, is_researcher=user.is_researcher)
    rows = db.session.execute(
        sa.select(Membership.role, Membership.hub_id, Membership.collaboration_id,
                  Collaboration.hub_id)
        .outerjoin(Collaboration, Collaboration.id == Membership.collaboration_id)
        .where(Membership.user_id == user.id)
    ).all()
    for role, hub_id, collaboration_id, collaboration_hub_id in rows:
        if role == Role.COORDINATOR and hub_id is not None:
            access.coordinated_hubs.add(hub_id)
            access.hubs_with_role.add(hub_id)
        elif collaboration_id is not None:
            if role == Role.FACILITATOR:
                access.facilitated.add(collaboration_id)
            else:
                access.member_of.add(collaboration_id)
            access.hubs_with_role.add(collaboration_hub_id)
    return access


def current_access() -> Access:
    """Return the signed-in person's roles, cached for the request."""
    if "rem_access" not in g:
        g.rem_access = load_access(current_user)
    return g.rem_access
