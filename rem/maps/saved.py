"""Saved map views: rules for making, renaming and binning them, and reading their
arguments back. Functions flush, never commit: the request commits."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from rem.audit.services import actor_id, record
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.core.forms import too_long
from rem.extensions import db
from rem.maps.filters import MapFilters, MapOptions, parse_filters, parse_options
from rem.maps.models import NAME_MAX, SavedView


class ViewError(ValueError):
    """A change to saved views that is refused; the message is shown as it is."""


# The arguments a view keeps (everything else in a query string is left out).
KEPT = ("layout", "color_by", "size_by", "granularity", "code", "theme", "intended",
        "valence", "from", "to", "max_order", "highlight", "focus")


def canonical(args: MultiDict) -> dict[str, str | list[str]]:
    """Return the map arguments of ``args`` in their canonical form (bad ones dropped)."""
    filters, _messages = parse_filters(args)
    options, _messages = parse_options(args)
    return {**options.to_args(), **filters.to_args()}


def as_args(view: SavedView) -> MultiDict:
    """Return a view's arguments as a query string would give them."""
    pairs = []
    for key, value in (view.params or {}).items():
        if key not in KEPT:
            continue
        for one in value if isinstance(value, list) else [value]:
            pairs.append((key, str(one)))
    return MultiDict(pairs)


def parsed(view: SavedView) -> tuple[MapFilters, MapOptions]:
    """Return the filters and options a view stands for."""
    args = as_args(view)
    filters, _messages = parse_filters(args)
    options, _messages = parse_options(args)
    return filters, options


def _name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ViewError(_("Geef de weergave een naam."))
    if len(name) > NAME_MAX:
        raise ViewError(too_long(_("De naam"), NAME_MAX))
    return name


def views_of(collaboration: Collaboration, *, deleted: bool = False) -> list[SavedView]:
    """Return the collaboration's saved views (or those in the bin), by name."""
    state = SavedView.deleted_at.is_not(None) if deleted else SavedView.deleted_at.is_(None)
    return list(db.session.scalars(
        sa.select(SavedView).where(SavedView.collaboration_id == collaboration.id, state)
        .order_by(sa.func.lower(SavedView.name), SavedView.id)))


def live_views_of_many(collaborations: list[Collaboration]) -> dict[int, list[SavedView]]:
    """Return per collaboration its live saved views by name (one query for all)."""
    found: dict[int, list[SavedView]] = {c.id: [] for c in collaborations}
    if found:
        for view in db.session.scalars(
                sa.select(SavedView).where(SavedView.collaboration_id.in_(list(found)),
                                           SavedView.deleted_at.is_(None))
                .order_by(sa.func.lower(SavedView.name), SavedView.id)):
            found[view.collaboration_id].append(view)
    return found


def view_or_none(collaboration: Collaboration, view_id: int | None) -> SavedView | None:
    """Return the live view ``view_id`` of ``collaboration``, or None."""
    if view_id is None:
        return None
    view = db.session.get(SavedView, view_id)
    if view is None or view.collaboration_id != collaboration.id or view.deleted_at is not None:
        return None
    return view


def create_view(collaboration: Collaboration, name: str, args: MultiDict) -> SavedView:
    """Save the map arguments ``args`` under ``name``."""
    view = SavedView(collaboration_id=collaboration.id, name=_name(name),
                     params=canonical(args), created_by_id=actor_id())
    db.session.add(view)
    db.session.flush()
    record("create", "saved_view", view.id, collaboration_id=collaboration.id,
           summary=view.name, after={"name": view.name, "params": view.params})
    return view


def update_view(view: SavedView, name: str, seen_version: int,
                args: MultiDict | None = None) -> SavedView:
    """Rename ``view`` (and, given ``args``, store new arguments), refusing when someone
    saved it after ``seen_version``."""
    if view.version != seen_version:
        raise ViewError(_("Iemand anders heeft deze weergave intussen gewijzigd. Uw wijziging "
                          "is niet opgeslagen."))
    before = {"name": view.name, "params": view.params}
    view.name = _name(name)
    if args is not None:
        view.params = canonical(args)
    db.session.flush()
    record("update", "saved_view", view.id, collaboration_id=view.collaboration_id,
           summary=view.name, before=before, after={"name": view.name, "params": view.params})
    return view


def delete_view(view: SavedView) -> None:
    """Move ``view`` to the bin (a review or projector that showed it shows the map)."""
    if view.deleted_at is not None:
        return
    view.deleted_at = utcnow()
    db.session.flush()
    record("delete", "saved_view", view.id, collaboration_id=view.collaboration_id,
           summary=view.name, before={"name": view.name, "params": view.params})


def restore_view(view: SavedView) -> None:
    """Take ``view`` out of the bin."""
    if view.deleted_at is None:
        return
    view.deleted_at = None
    db.session.flush()
    record("restore", "saved_view", view.id, collaboration_id=view.collaboration_id,
           summary=view.name, after={"name": view.name})


def show_in(owner, kind: str, collaboration: Collaboration, view_id: int | None
            ) -> SavedView | None:
    """Let ``owner`` (a review or a session, anything with ``map_view_id`` and ``id``)
    show the saved view ``view_id`` of ``collaboration``, or the plain map for None."""
    view = view_or_none(collaboration, view_id)
    if view_id is not None and view is None:
        raise ViewError(_("Deze weergave bestaat niet (meer). Kies een andere."))
    owner.map_view_id = view.id if view else None
    db.session.flush()
    record("update", "saved_view", view.id if view else None,
           collaboration_id=collaboration.id, summary=view.name if view else "",
           after={"shown_in": kind, "id": owner.id})
    return view


def shown_by(owner, collaboration: Collaboration) -> tuple[MapFilters, MapOptions] | None:
    """Return the filters and options of the view ``owner`` shows, or None."""
    view = view_or_none(collaboration, getattr(owner, "map_view_id", None))
    return parsed(view) if view is not None else None
