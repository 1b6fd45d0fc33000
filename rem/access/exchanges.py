"""Who may see, prepare and manage learning exchanges; the view an exchange's evidence
is seen through (only what was shared with the whole learning network)."""

from __future__ import annotations

from rem.access import Access
from rem.exchanges.models import LearningExchange


def network_view() -> Access:
    """Return an Access that sees exactly what is shared with the learning network.

    It has no roles anywhere, so ``visible_levels`` gives ["network"] for every
    collaboration (the rule for researchers); the maps of an exchange use it.
    """
    return Access(user_id=None, is_researcher=True)


def may_view(access: Access) -> bool:
    """Tell whether this person may see exchanges: everyone in the learning network."""
    return access.user_id is not None and (access.in_network or access.is_researcher)


def may_create(access: Access) -> bool:
    """Tell whether this person may prepare an exchange: a coordinator or an administrator."""
    return access.is_admin or bool(access.coordinated_hubs)


def manages(access: Access, exchange: LearningExchange) -> bool:
    """Tell whether this person may change the exchange and record its outcomes."""
    if access.is_admin:
        return True
    if access.user_id is not None and exchange.created_by_id == access.user_id:
        return True
    return bool(access.coordinated_hubs & {c.hub_id for c in exchange.participants})
