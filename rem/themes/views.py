"""Pages of themes: the collaboration's list (make, rename, bin, restore) and the htmx
fragment that shows and changes the themes of one item (``themes.item_themes``, which
the map's side panel includes).

Who may do what follows the items: everyone who reads all of the collaboration sees its
themes; its editors (facilitators, coordinators, administrators) change them. The
fragment shows only themes of an item the person may see.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from rem.access import Access, current_access
from rem.access.routes import collaboration_or_404, collaboration_route
from rem.collaborations.models import Collaboration
from rem.core.forms import EmptyForm
from rem.core.http import saving
from rem.extensions import db
from rem.ripples.models import Kind, RippleItem
from rem.themes import services
from rem.themes.models import DESCRIPTION_MAX, NAME_MAX

bp = Blueprint("themes", __name__)


def _theme(collaboration, theme_id: int):
    theme = services.theme_or_none(collaboration, theme_id)
    if theme is None:
        abort(404)
    return theme


def _version() -> int | None:
    text = request.form.get("version", "")
    return int(text) if text.isdigit() else None


@bp.get("/collaborations/<slug>/themes")
@collaboration_route(Access.reads_all_of)
def index(collaboration: Collaboration):
    """List the collaboration's themes with their effects, and the bin."""
    access = current_access()
    counted = services.counts(collaboration, access.item_clause(collaboration))
    return render_template("themes/index.html", collaboration=collaboration, counted=counted,
                           binned=services.themes_of(collaboration, deleted=True),
                           can_edit=access.edits(collaboration), form=EmptyForm(),
                           name_max=NAME_MAX, description_max=DESCRIPTION_MAX)


def _back(collaboration: Collaboration):
    return redirect(url_for("themes.index", slug=collaboration.slug))


@bp.post("/collaborations/<slug>/themes")
@collaboration_route(Access.edits)
def create(collaboration: Collaboration):
    """Make a theme."""
    with saving(services.ThemeError) as done:
        theme = services.create_theme(collaboration, request.form.get("name", ""),
                                      request.form.get("description", ""))
        done.flash(_("Thema “%(name)s” is gemaakt.", name=theme.name))
    return _back(collaboration)


@bp.post("/collaborations/<slug>/themes/<int:theme_id>/edit")
@collaboration_route(Access.edits)
def edit(collaboration: Collaboration, theme_id: int):
    """Rename or describe a theme (refused when someone else saved it meanwhile)."""
    theme = _theme(collaboration, theme_id)
    with saving(services.ThemeError) as done:
        services.update_theme(theme, request.form.get("name", theme.name),
                              request.form.get("description", theme.description),
                              _version() or theme.version)
        done.flash(_("Het thema is opgeslagen."))
    return _back(collaboration)


@bp.post("/collaborations/<slug>/themes/<int:theme_id>/delete")
@collaboration_route(Access.edits)
def delete(collaboration: Collaboration, theme_id: int):
    """Move a theme to the bin (its effects stay in it)."""
    theme = _theme(collaboration, theme_id)
    with saving(services.ThemeError) as done:
        services.delete_theme(theme, _version())
        done.flash(_("Thema “%(name)s” staat in de prullenbak.", name=theme.name))
    return _back(collaboration)


@bp.post("/collaborations/<slug>/themes/<int:theme_id>/restore")
@collaboration_route(Access.edits)
def restore(collaboration: Collaboration, theme_id: int):
    """Take a theme out of the bin."""
    theme = _theme(collaboration, theme_id)
    with saving(services.ThemeError) as done:
        services.restore_theme(theme)
        done.flash(_("Thema “%(name)s” is teruggezet.", name=theme.name))
    return _back(collaboration)


@bp.route("/collaborations/<slug>/items/<int:item_id>/themes", methods=["GET", "POST"])
def item_themes(slug: str, item_id: int):
    """The themes of one item as an htmx fragment; a POST changes them and answers with
    the fragment again (with a message), never a redirect.

    The POST sends ``theme`` (the chosen theme ids) and ``seen`` (the ids that were shown
    ticked): only what this person changed is applied, so two facilitators theming the
    same effect at once do not undo each other.
    """
    collaboration = collaboration_or_404(slug)
    access = current_access()
    item = db.session.get(RippleItem, item_id)
    if (item is None or item.collaboration_id != collaboration.id or item.is_deleted
            or not access.sees_item(item)):
        abort(404)
    can_edit = access.edits(collaboration)
    message = error = None
    if request.method == "POST":
        if not can_edit:
            abort(403)
        chosen = {int(v) for v in request.form.getlist("theme") if v.isdigit()}
        seen = {int(v) for v in request.form.getlist("seen") if v.isdigit()}
        name = request.form.get("new_theme", "").strip()
        # The fragment says what happened itself (no flash): ``silent``.
        with saving(silent=(services.ThemeError,)) as done:
            if name and item.kind == Kind.EFFECT:
                chosen.add(services.create_theme(collaboration, name).id)
            added, removed = services.set_item_themes(item, chosen, seen)
        if done:
            message = (_("De thema's zijn opgeslagen.") if added or removed
                       else _("Er is niets veranderd."))
        else:
            error = str(done.error)
    response = render_template("themes/_item_themes.html", collaboration=collaboration,
                               item=item, message=message, error=error, form=EmptyForm(),
                               **services.item_fragment(collaboration, item, access))
    response = Response(response, status=422 if error else 200)
    if message and request.headers.get("HX-Request"):
        # On the map page (static/js/map-build.js) this redraws the map with its clusters.
        response.headers["HX-Trigger"] = json.dumps(
            {"rem-map-changed": {"id": item.id, "message": message}})
    return response
