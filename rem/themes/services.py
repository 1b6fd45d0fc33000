"""Rules for themes. Functions flush, never commit: the request commits.

Only effects are themed (the REM step after mapping groups what changed); a theme's
name is unique among the live themes of its collaboration, whatever its capitals.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask_babel import gettext as _

from rem.access import Access
from rem.audit.services import actor_id, record
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.core.forms import too_long
from rem.extensions import db
from rem.ripples.models import Kind, RippleItem
from rem.themes.models import DESCRIPTION_MAX, NAME_MAX, Theme, theme_items


class ThemeError(ValueError):
    """A change to themes that is refused; the message is shown as it is."""


class ThemeConflict(ThemeError):
    """Someone else saved the theme since it was opened."""

    def __init__(self, theme: Theme):
        super().__init__(_("Iemand anders heeft dit thema intussen gewijzigd. Uw wijziging is "
                           "niet opgeslagen; bekijk het thema opnieuw."))
        self.theme = theme


def _state(theme: Theme) -> dict:
    return {"name": theme.name, "description": theme.description}


def _clean(collaboration_id: int, name: str, description: str,
           exclude: int | None = None) -> tuple[str, str]:
    name = " ".join((name or "").split())
    description = (description or "").strip()
    if not name:
        raise ThemeError(_("Geef het thema een naam."))
    if len(name) > NAME_MAX:
        raise ThemeError(too_long(_("De naam"), NAME_MAX))
    if len(description) > DESCRIPTION_MAX:
        raise ThemeError(too_long(_("De beschrijving"), DESCRIPTION_MAX))
    same = sa.select(Theme.id).where(Theme.collaboration_id == collaboration_id,
                                     Theme.deleted_at.is_(None),
                                     sa.func.lower(Theme.name) == name.lower())
    if exclude is not None:
        same = same.where(Theme.id != exclude)
    if db.session.scalar(same) is not None:
        raise ThemeError(_("Er is al een thema “%(name)s”.", name=name))
    return name, description


def themes_of(collaboration: Collaboration, *, deleted: bool = False) -> list[Theme]:
    """Return the collaboration's live themes (or those in the bin), in their order."""
    state = Theme.deleted_at.is_not(None) if deleted else Theme.deleted_at.is_(None)
    return list(db.session.scalars(
        sa.select(Theme).where(Theme.collaboration_id == collaboration.id, state)
        .order_by(Theme.position, Theme.id)))


def live_themes_of_many(collaboration_ids: list[int]) -> dict[int, list[Theme]]:
    """Return per collaboration its live themes in their order (one query for all)."""
    found: dict[int, list[Theme]] = {cid: [] for cid in collaboration_ids}
    if collaboration_ids:
        for theme in db.session.scalars(
                sa.select(Theme).where(Theme.collaboration_id.in_(collaboration_ids),
                                       Theme.deleted_at.is_(None))
                .order_by(Theme.position, Theme.id)):
            found[theme.collaboration_id].append(theme)
    return found


def theme_or_none(collaboration: Collaboration, theme_id: int) -> Theme | None:
    """Return the theme ``theme_id`` of ``collaboration`` (also from the bin), or None."""
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.collaboration_id != collaboration.id:
        return None
    return theme


def create_theme(collaboration: Collaboration, name: str, description: str = "") -> Theme:
    """Add a theme to ``collaboration``."""
    name, description = _clean(collaboration.id, name, description)
    last = db.session.scalar(sa.select(sa.func.max(Theme.position))
                             .where(Theme.collaboration_id == collaboration.id))
    theme = Theme(collaboration_id=collaboration.id, name=name, description=description,
                  position=(last or 0) + 1, created_by_id=actor_id())
    db.session.add(theme)
    db.session.flush()
    record("create", "theme", theme.id, collaboration_id=collaboration.id, summary=name,
           after=_state(theme))
    return theme


def update_theme(theme: Theme, name: str, description: str, seen_version: int) -> Theme:
    """Rename or describe ``theme``, refusing when someone saved it after ``seen_version``."""
    if theme.version != seen_version:
        raise ThemeConflict(theme)
    if theme.is_deleted:
        raise ThemeError(_("Dit thema staat in de prullenbak. Zet het eerst terug."))
    before = _state(theme)
    theme.name, theme.description = _clean(theme.collaboration_id, name, description,
                                           exclude=theme.id)
    db.session.flush()
    record("update", "theme", theme.id, collaboration_id=theme.collaboration_id,
           summary=theme.name, before=before, after=_state(theme))
    return theme


def delete_theme(theme: Theme, seen_version: int | None = None) -> None:
    """Move ``theme`` to the bin; its effects stay in it and come back on restore."""
    if seen_version is not None and theme.version != seen_version:
        raise ThemeConflict(theme)
    if theme.is_deleted:
        return
    theme.deleted_at = utcnow()
    db.session.flush()
    record("delete", "theme", theme.id, collaboration_id=theme.collaboration_id,
           summary=theme.name, before=_state(theme))


def restore_theme(theme: Theme) -> None:
    """Take ``theme`` out of the bin (refused when a live theme took its name meanwhile)."""
    if not theme.is_deleted:
        return
    _clean(theme.collaboration_id, theme.name, theme.description, exclude=theme.id)
    theme.deleted_at = None
    db.session.flush()
    record("restore", "theme", theme.id, collaboration_id=theme.collaboration_id,
           summary=theme.name, after=_state(theme))


def _check_item(theme: Theme, item: RippleItem) -> None:
    if item.kind != Kind.EFFECT:
        raise ThemeError(_("Alleen effecten horen bij een thema, activiteiten niet."))
    if item.collaboration_id != theme.collaboration_id:
        raise ThemeError(_("Een thema hoort bij één samenwerkingsverband; dit effect niet."))
    if item.deleted_at is not None:
        raise ThemeError(_("Dit item staat in de prullenbak. Zet het eerst terug."))
    if theme.is_deleted:
        raise ThemeError(_("Dit thema staat in de prullenbak. Zet het eerst terug."))


def theme_ids_of(item: RippleItem) -> set[int]:
    """Return the ids of the live themes ``item`` is in."""
    return set(db.session.scalars(
        sa.select(theme_items.c.theme_id).join(Theme, Theme.id == theme_items.c.theme_id)
        .where(theme_items.c.item_id == item.id, Theme.deleted_at.is_(None))))


def item_fragment(collaboration: Collaboration, item: RippleItem, access: Access) -> dict:
    """Return what the themes fragment of ``item`` shows this person
    (templates/themes/_item_themes.html): the themes to choose from, the chosen ones, and
    whether they may change them. Someone who reads only part of the collaboration sees
    only the themes of this item."""
    current = theme_ids_of(item)
    themes = themes_of(collaboration)
    if not access.reads_all_of(collaboration):
        themes = [t for t in themes if t.id in current]
    is_effect = item.kind == Kind.EFFECT
    return {"themes": themes, "current": current, "is_effect": is_effect,
            "can_edit": access.edits(collaboration) and is_effect, "name_max": NAME_MAX}


def set_item_themes(item: RippleItem, theme_ids: set[int], seen: set[int] | None = None
                    ) -> tuple[list[Theme], list[Theme]]:
    """Put ``item`` in exactly the live themes ``theme_ids``; return (added, removed).

    ``seen`` is the set the person saw when they chose: a theme someone else added or
    removed meanwhile is left as that person left it (only what this person changed is
    applied), so two facilitators theming at once never undo each other.
    """
    collaboration = item.collaboration
    live = {t.id: t for t in themes_of(collaboration)}
    unknown = theme_ids - live.keys()
    if unknown:
        raise ThemeError(_("Een gekozen thema bestaat niet (meer). Kies opnieuw."))
    current = theme_ids_of(item)
    wanted = set(theme_ids)
    if seen is not None:  # apply only the person's own changes
        wanted = (current | (wanted - seen)) - (seen - wanted)
    added = [live[t] for t in sorted(wanted - current)]
    removed = [live[t] for t in sorted(current - wanted)]
    for theme in added:
        _check_item(theme, item)
    if added:
        db.session.execute(theme_items.insert(),
                           [{"theme_id": t.id, "item_id": item.id} for t in added])
    if removed:
        db.session.execute(theme_items.delete().where(
            theme_items.c.item_id == item.id,
            theme_items.c.theme_id.in_([t.id for t in removed])))
    for theme in added:
        record("theme_add", "theme", theme.id, collaboration_id=theme.collaboration_id,
               summary=f"{theme.name}: {item.title}", after={"item_id": item.id})
    for theme in removed:
        record("theme_remove", "theme", theme.id, collaboration_id=theme.collaboration_id,
               summary=f"{theme.name}: {item.title}", before={"item_id": item.id})
    db.session.flush()
    return added, removed


def add_items(theme: Theme, items: list[RippleItem]) -> int:
    """Add effects to ``theme`` (those already in it are skipped); return how many."""
    present = set(db.session.scalars(sa.select(theme_items.c.item_id)
                                     .where(theme_items.c.theme_id == theme.id)))
    fresh = []
    for item in items:
        _check_item(theme, item)
        if item.id not in present and item.id not in {i.id for i in fresh}:
            fresh.append(item)
    if fresh:
        db.session.execute(theme_items.insert(),
                           [{"theme_id": theme.id, "item_id": i.id} for i in fresh])
        for item in fresh:
            record("theme_add", "theme", theme.id, collaboration_id=theme.collaboration_id,
                   summary=f"{theme.name}: {item.title}", after={"item_id": item.id})
        db.session.flush()
    return len(fresh)


def memberships(collaboration_id: int, item_ids: set[int] | None = None
                ) -> dict[int, list[int]]:
    """Return the live theme ids of each item of a collaboration, in theme order (one
    query); ``item_ids`` narrows it."""
    stmt = (sa.select(theme_items.c.item_id, theme_items.c.theme_id)
            .join(Theme, Theme.id == theme_items.c.theme_id)
            .where(Theme.collaboration_id == collaboration_id, Theme.deleted_at.is_(None))
            .order_by(theme_items.c.item_id, Theme.position, Theme.id))
    found: dict[int, list[int]] = defaultdict(list)
    for item_id, theme_id in db.session.execute(stmt):
        if item_ids is None or item_id in item_ids:
            found[item_id].append(theme_id)
    return dict(found)


def memberships_of_many(collaboration_ids: list[int]) -> dict[int, dict[int, list[int]]]:
    """Return per collaboration what :func:`memberships` returns for it (one query)."""
    found: dict[int, dict[int, list[int]]] = {cid: defaultdict(list) for cid in collaboration_ids}
    if collaboration_ids:
        for cid, item_id, theme_id in db.session.execute(
                sa.select(Theme.collaboration_id, theme_items.c.item_id, theme_items.c.theme_id)
                .join(Theme, Theme.id == theme_items.c.theme_id)
                .where(Theme.collaboration_id.in_(collaboration_ids),
                       Theme.deleted_at.is_(None))
                .order_by(theme_items.c.item_id, Theme.position, Theme.id)):
            found[cid][item_id].append(theme_id)
    return {cid: dict(items) for cid, items in found.items()}


def counts(collaboration: Collaboration, item_clause: sa.ColumnElement[bool]
           ) -> list[tuple[Theme, int]]:
    """Return each live theme with how many live effects this person sees in it."""
    rows = dict(db.session.execute(
        sa.select(theme_items.c.theme_id, sa.func.count())
        .join(RippleItem, RippleItem.id == theme_items.c.item_id)
        .where(RippleItem.collaboration_id == collaboration.id,
               RippleItem.deleted_at.is_(None), item_clause)
        .group_by(theme_items.c.theme_id)).all())
    return [(theme, rows.get(theme.id, 0)) for theme in themes_of(collaboration)]
