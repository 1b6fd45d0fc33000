"""The map as a workspace: a side panel to read and change an item without leaving the map.

The map page (``maps.show``) draws the map; this blueprint serves the panel beside it
(htmx fragments) and takes the changes made there or on the outline under the map. Every
change goes through ``ripples.services`` (the rules, the cycle check, optimistic locking,
the bin and the audit trail of the form pages), and the view commits once.

After a change the answer is the panel of the item it concerns, with an ``HX-Trigger``
event (``rem-map-changed``) that makes the page fetch its map again (static/js/map-build.js);
a refusal is the panel with the message (422, or 409 for an edit that came too late) and
the event ``rem-map-refused``. Without htmx every change answers with a redirect to the map
and a flashed message, as the form pages do.

Two facilitators on one map: the page polls itself with the tag of what it shows
(:func:`state_tag`) and gets ``204`` while nothing changed, as the projector does.
"""

from __future__ import annotations

import json
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from rem.access import current_access
from rem.access.routes import collaboration_or_404
from rem.codes.services import all_codebooks
from rem.collaborations.models import Collaboration
from rem.core.dates import FuzzyDate, Precision
from rem.core.forms import EmptyForm
from rem.core.markdown import plain_text
from rem.extensions import db
from rem.maps import live
from rem.maps import workspace_services as logic
from rem.maps.forms import CodesForm, LinkPairForm, PanelEditForm, QuickItemForm
from rem.ripples import conflicts, services
from rem.ripples.forms import answer_problem, answers_of, intended_value, valence_value
from rem.ripples.models import Kind, RippleItem, RippleLink
from rem.ripples.services import ItemInput
from rem.themes import services as themes

bp = Blueprint("workspace", __name__, url_prefix="/collaborations/<slug>/map")

QUERY_MAX = 100
EXCERPT_CHARS = 280


# The page's live parts (rem/maps/live.py) as template globals of every page.
bp.add_app_template_global(live.map_poll_url)
bp.add_app_template_global(live.map_workspace_data)


# --- loading -------------------------------------------------------------------------------------


def _collaboration(slug: str, *, edit: bool) -> Collaboration:
    collaboration = collaboration_or_404(slug)
    if edit and not current_access().edits(collaboration):
        abort(403)
    return collaboration


def _item(collaboration: Collaboration, item_id: int | None, *,
          allow_deleted: bool = False) -> RippleItem:
    """Return a visible item of this collaboration; anything else is 'not found'."""
    item = db.session.get(RippleItem, item_id) if item_id else None
    access = current_access()
    if item is None or item.collaboration_id != collaboration.id or not access.sees_item(item):
        abort(404)
    if item.deleted_at is not None and not (allow_deleted and access.edits(collaboration)):
        abort(404)
    return item


@bp.app_template_global()
def map_default_day(collaboration: Collaboration) -> date:
    """Return the date new items get, for the outline's "date of new items"."""
    return logic.default_day(collaboration)


# --- answers -------------------------------------------------------------------------------------


def _is_htmx() -> bool:
    return bool(request.headers.get("HX-Request"))


def _quick_form(collaboration: Collaboration, cause: RippleItem | None = None) -> QuickItemForm:
    form = QuickItemForm(formdata=None)
    form.date_value.data = logic.default_day(collaboration)
    if cause is not None:
        form.causes.data = [cause.id]
    return form


def _edit_form(item: RippleItem) -> PanelEditForm:
    form = PanelEditForm(formdata=None)
    form.title.data = item.title
    form.date_value.data = item.date_start
    form.date_precision.data = item.date_precision
    form.description.data = item.description
    form.intended.data, form.valence.data = answers_of(item)
    form.version.data = str(item.version)
    return form


# The fields the panel's edit form changes; the rest of the item is kept as it is saved.
PANEL_FIELDS = ("title", "when", "description", "intended", "valence")


def _panel_base(item: RippleItem) -> str:
    """Return the fingerprint of the panel's fields as saved (see ripples.conflicts)."""
    values = conflicts.item_values(item, causes=False)
    return conflicts.fingerprint({k: values[k] for k in PANEL_FIELDS if k in values})


def _panel(collaboration: Collaboration, item: RippleItem, *, status: int = 200,
           message: str | None = None, error: str | None = None, conflict=None,
           differences: list | None = None, base: str | None = None,
           open_section: str | None = None, quick_form: QuickItemForm | None = None,
           edit_form: PanelEditForm | None = None) -> tuple[str, int]:
    """Render the panel of ``item``: its details and, for editors, what can be done."""
    access = current_access()
    can_edit = access.edits(collaboration)
    causes, effects = ([], []) if item.deleted_at else logic.links_of(item, access)
    order = logic.order_of(collaboration, item, access)
    if can_edit and item.unanswered and open_section is None:
        open_section = "edit"  # added by its title alone: ask the two questions first
    context = {
        "collaboration": collaboration, "item": item, "order": order, "can_edit": can_edit,
        "causes": causes, "effects": effects, "message": message, "error": error,
        "conflict": conflict, "differences": differences or [], "open_section": open_section,
        "signature": logic.signature(item, causes, effects),
        "excerpt": plain_text(item.description, EXCERPT_CHARS),
        # The effect's themes are part of the panel from the start (a fragment loaded
        # afterwards moved the buttons under the pointer): themes.item_themes changes them.
        "themes_part": (themes.item_fragment(collaboration, item, access)
                        if item.kind == Kind.EFFECT and item.deleted_at is None else None),
        "themes_form": EmptyForm(),
    }
    if can_edit and item.deleted_at is None:
        context.update(
            quick_form=quick_form or _quick_form(collaboration, item),
            edit_form=edit_form or _edit_form(item),
            edit_base=base or _panel_base(item),
            codes_form=CodesForm(formdata=None), codebooks=all_codebooks(),
            chosen_codes={code.id for code in item.codes},
            dependents=len(effects),
        )
    return render_template("maps/_panel.html", **context), status


def _trigger(response: Response, event: str, detail: dict) -> Response:
    response.headers["HX-Trigger"] = json.dumps({event: detail})  # ASCII: \u escapes
    return response


def _done(collaboration: Collaboration, item: RippleItem, message: str,
          changed: int | None) -> Response:
    """Answer a change that was saved: the panel and the event that redraws the map."""
    if not _is_htmx():
        flash(message, "success")
        return redirect(url_for("maps.show", slug=collaboration.slug))
    html, status = _panel(collaboration, item, message=message)
    return _trigger(Response(html, status=status), "rem-map-changed",
                    {"id": changed, "message": message})


def _refused(collaboration: Collaboration, item: RippleItem | None, message: str, *,
             status: int = 422, **panel) -> Response:
    """Answer a refused change: the panel again with the message (nothing was saved)."""
    db.session.rollback()
    if not _is_htmx():
        flash(message, "error")
        return redirect(url_for("maps.show", slug=collaboration.slug))
    if item is None:
        html = render_template("maps/_panel_new.html", collaboration=collaboration,
                               form=panel.get("quick_form") or _quick_form(collaboration),
                               error=message)
    else:
        html, _status = _panel(collaboration, item, error=message, **panel)
    return _trigger(Response(html, status=status), "rem-map-refused", {"message": message})


def _form_problem(form) -> str:
    """Return the first validation message of ``form`` (or the general one)."""
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return _("Dit kon niet worden opgeslagen. Kijk de velden na.")


def _origin(collaboration: Collaboration, fallback: RippleItem | None) -> RippleItem | None:
    """Return the item whose panel sent the form (field ``origin``), else ``fallback``."""
    raw = request.form.get("origin", "")
    if raw.isdigit():
        item = db.session.get(RippleItem, int(raw))
        if item is not None and item.collaboration_id == collaboration.id \
                and current_access().sees_item(item):
            return item
    return fallback


# --- reading -------------------------------------------------------------------------------------


@bp.get("/items/<int:item_id>")
def panel(slug: str, item_id: int):
    """Show the panel of one item: details for everyone who sees it, actions for editors."""
    collaboration = _collaboration(slug, edit=False)
    item = _item(collaboration, item_id, allow_deleted=True)
    return _panel(collaboration, item)


@bp.get("/new")
def new(slug: str):
    """Show the panel to add an activity (or, with ``kind=effect``, an effect without cause)."""
    collaboration = _collaboration(slug, edit=True)
    form = _quick_form(collaboration)
    form.kind.data = "effect" if request.args.get("kind") == "effect" else "activity"
    return render_template("maps/_panel_new.html", collaboration=collaboration, form=form)


@bp.get("/items/<int:item_id>/candidates")
def candidates(slug: str, item_id: int):
    """Find the items that ``item`` can be linked with, by a piece of their title.

    ``direction=effect``: what the item led to (only effects can grow from something);
    otherwise what the item grew from. Items already linked that way are left out.
    """
    collaboration = _collaboration(slug, edit=True)
    item = _item(collaboration, item_id)
    direction = "effect" if request.args.get("direction") == "effect" else "cause"
    query = " ".join(request.args.get("q", "").split())[:QUERY_MAX]
    found, more = logic.link_candidates(collaboration, item, current_access(),
                                        direction=direction, query=query)
    return render_template("maps/_picker_results.html", collaboration=collaboration,
                           item=item, direction=direction, found=found, more=more,
                           query=query)


# --- changing ------------------------------------------------------------------------------------


@bp.post("/items")
def create(slug: str):
    """Add an activity or an effect; an effect gets the causes that were sent."""
    collaboration = _collaboration(slug, edit=True)
    form = QuickItemForm()
    origin = _origin(collaboration, None)
    if not form.validate_on_submit():
        return _refused(collaboration, origin, _form_problem(form), quick_form=form,
                        open_section="add")
    kind = Kind(form.kind.data)
    causes = [_item(collaboration, cause_id) for cause_id in dict.fromkeys(form.causes.data)]
    when = FuzzyDate.of(form.date_value.data or logic.default_day(collaboration),
                        form.date_precision.data or Precision.MONTH.value)
    data = ItemInput(title=form.title.data or "", when=when)
    if kind == Kind.EFFECT:
        if form.ask_answers.data or form.intended.data or form.valence.data:
            problem = answer_problem(form.intended.data, form.valence.data)
            if problem:
                return _refused(collaboration, origin, problem, quick_form=form,
                                open_section="add")
            data.intended = intended_value(form.intended.data)
            data.valence = valence_value(form.valence.data)
        else:  # a title only (the outline, by keyboard): the panel asks later
            data.unanswered = True
    try:
        item = logic.create_with_causes(collaboration, kind, data, causes)
    except services.RippleError as exc:
        return _refused(collaboration, origin, str(exc), quick_form=form, open_section="add")
    db.session.commit()
    return _done(collaboration, item, _("Opgeslagen: “%(title)s”.", title=item.title), item.id)


@bp.post("/items/<int:item_id>/edit")
def edit(slug: str, item_id: int):
    """Change the title, date, description and (effects) intention and valence of an item.

    Refused, with both versions shown, when someone saved the item after it was opened.
    """
    collaboration = _collaboration(slug, edit=True)
    item = _item(collaboration, item_id)
    form = PanelEditForm()
    if not form.validate_on_submit():
        return _refused(collaboration, item, _form_problem(form), edit_form=form,
                        base=request.form.get("base"), open_section="edit")
    data = logic.input_of(item)
    data.title = form.title.data or ""
    data.when = FuzzyDate.of(form.date_value.data or item.date_start,
                             form.date_precision.data or item.date_precision)
    data.description = form.description.data or ""
    try:
        seen = int(form.version.data)
    except ValueError:
        seen = -1
    if item.kind == Kind.EFFECT:
        problem = answer_problem(form.intended.data, form.valence.data)
        if problem and seen == item.version:  # a stale version: the conflict comes first
            return _refused(collaboration, item, problem, edit_form=form, open_section="edit")
        data.intended = intended_value(form.intended.data)
        data.valence = valence_value(form.valence.data)
        data.unanswered = False
    try:
        services.update_item(item, data, seen)
    except services.EditConflict as exc:
        db.session.rollback()
        # The same rule as the item's own form: every differing field shown, the fields only
        # the other person changed taken over, the newer version once all is shown.
        differences, take = conflicts.compare(
            conflicts.item_values(item, causes=False), conflicts.input_values(
                Kind(item.kind), data), request.form.get("base"))
        conflicts.take_over(form, take)
        form.version.data = str(item.version)
        return _refused(collaboration, item, str(exc), status=409, conflict=exc,
                        differences=differences, base=_panel_base(item), edit_form=form,
                        open_section="edit")
    except services.RippleError as exc:
        return _refused(collaboration, item, str(exc), edit_form=form,
                        base=request.form.get("base"), open_section="edit")
    db.session.commit()
    return _done(collaboration, item, _("De wijzigingen zijn opgeslagen."), item.id)


@bp.post("/items/<int:item_id>/codes")
def codes(slug: str, item_id: int):
    """Set the codes of an item (refused when someone saved the item in between)."""
    collaboration = _collaboration(slug, edit=True)
    item = _item(collaboration, item_id)
    form = CodesForm()
    if not form.validate_on_submit():
        return _refused(collaboration, item, _form_problem(form), open_section="codes")
    data = logic.input_of(item)
    data.code_ids = list(dict.fromkeys(form.codes.data or []))
    try:
        seen = int(form.version.data)
    except ValueError:
        seen = -1
    try:
        services.update_item(item, data, seen)
    except services.EditConflict as exc:
        return _refused(collaboration, item, str(exc), status=409, open_section="codes")
    except services.RippleError as exc:
        return _refused(collaboration, item, str(exc), open_section="codes")
    db.session.commit()
    return _done(collaboration, item, _("De codes zijn opgeslagen."), item.id)


@bp.post("/items/<int:item_id>/delete")
def delete(slug: str, item_id: int):
    """Move an item to the bin; the panel offers to put it back."""
    collaboration = _collaboration(slug, edit=True)
    item = _item(collaboration, item_id)
    services.delete_item(item)
    db.session.commit()
    return _done(collaboration, item,
                 _("“%(title)s” staat nu in de prullenbak. U kunt het terugzetten.",
                   title=item.title), None)


@bp.post("/items/<int:item_id>/restore")
def restore(slug: str, item_id: int):
    """Take an item out of the bin, with its links."""
    collaboration = _collaboration(slug, edit=True)
    item = _item(collaboration, item_id, allow_deleted=True)
    services.restore_item(item)
    db.session.commit()
    return _done(collaboration, item,
                 _("“%(title)s” is teruggezet, met zijn verbindingen.", title=item.title),
                 item.id)


@bp.post("/links")
def add_link(slug: str):
    """Record that ``cause_id`` led to ``effect_id`` (picked in the panel or on the map)."""
    collaboration = _collaboration(slug, edit=True)
    form = LinkPairForm()
    if not form.validate_on_submit():
        return _refused(collaboration, _origin(collaboration, None),
                        _("Kies twee items om te verbinden."))
    cause = _item(collaboration, form.cause_id.data)
    effect = _item(collaboration, form.effect_id.data)
    origin = _origin(collaboration, effect)
    try:
        services.add_link(cause, effect)
    except services.RippleError as exc:
        return _refused(collaboration, origin, str(exc), open_section="link")
    db.session.commit()
    return _done(collaboration, origin,
                 _("Verbonden: “%(cause)s” leidde tot “%(effect)s”.", cause=cause.title,
                   effect=effect.title), effect.id)


@bp.post("/links/<int:link_id>/delete")
def remove_link(slug: str, link_id: int):
    """Take a link away (recoverably, as on the item page)."""
    collaboration = _collaboration(slug, edit=True)
    link = db.session.get(RippleLink, link_id)
    if link is None or link.collaboration_id != collaboration.id or link.deleted_at is not None:
        abort(404)
    effect = _item(collaboration, link.effect_id)
    _item(collaboration, link.cause_id)
    origin = _origin(collaboration, effect)
    services.remove_link(link)
    db.session.commit()
    return _done(collaboration, origin, _("De verbinding is weggehaald."), effect.id)
