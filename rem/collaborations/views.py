"""Pages for one collaboration: its timeline, and the collaboration form."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from rem.access import current_access
from rem.access.routes import collaboration_or_404
from rem.collaborations.forms import CollaborationForm
from rem.collaborations.services import CollaborationError, save_collaboration
from rem.core.forms import choices
from rem.extensions import db
from rem.hubs.models import Hub
from rem.ripples.timeline import group_by_period, load_timeline

bp = Blueprint("collaborations", __name__)

GROUPINGS = ("year", "quarter", "month")


def _hub_choices(form: CollaborationForm) -> None:
    access = current_access()
    hubs = db.session.scalars(sa.select(Hub).order_by(Hub.name)).all()
    form.hub_id.choices = choices((h.id, h.name) for h in hubs if access.manages_hub(h))


@bp.get("/collaborations/<slug>")
def show(slug: str):
    """Show the collaboration's timeline: its items by period, with codes and causes."""
    collaboration = collaboration_or_404(slug)
    access = current_access()
    grouping = request.args.get("group", "year")
    if grouping not in GROUPINGS:
        grouping = "year"
    timeline = load_timeline(collaboration, access.item_clause(collaboration),
                             request.args.get("page", 1, type=int),
                             current_app.config["REM_TIMELINE_PAGE_SIZE"])
    return render_template(
        "collaborations/show.html",
        collaboration=collaboration,
        timeline=timeline,
        page=timeline.page,
        groups=group_by_period(timeline.page.items, grouping),
        grouping=grouping,
        can_edit=access.edits(collaboration),
        reads_all=access.reads_all_of(collaboration),
    )


@bp.route("/collaborations/new", methods=["GET", "POST"])
def create():
    """Let an administrator or a hub coordinator add a collaboration."""
    form = CollaborationForm()
    _hub_choices(form)
    if not form.hub_id.choices:
        abort(403)
    if request.method == "GET" and request.args.get("hub"):
        hub = db.session.scalar(sa.select(Hub).where(Hub.slug == request.args["hub"]))
        if hub is not None:
            form.hub_id.data = hub.id
    if form.validate_on_submit():
        try:
            collaboration = save_collaboration(None, form.data)
        except CollaborationError as exc:
            form.slug.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Het samenwerkingsverband is aangemaakt."), "success")
            return redirect(url_for("collaborations.show", slug=collaboration.slug))
    return render_template("collaborations/form.html", form=form, collaboration=None)


@bp.route("/collaborations/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    """Let those who manage it change the collaboration's description."""
    collaboration = collaboration_or_404(slug)
    access = current_access()
    if not (access.edits(collaboration)):
        abort(403)
    form = CollaborationForm(obj=collaboration)
    _hub_choices(form)
    if collaboration.hub_id not in {c.value for c in form.hub_id.choices}:
        form.hub_id.choices.insert(0, *choices([(collaboration.hub_id, collaboration.hub.name)]))
    if form.validate_on_submit():
        if form.hub_id.data != collaboration.hub_id and not access.is_admin:
            flash(_("Alleen een beheerder kan een samenwerkingsverband naar een andere hub "
                    "verplaatsen."), "error")
        else:
            try:
                save_collaboration(collaboration, form.data)
            except CollaborationError as exc:
                form.slug.errors.append(str(exc))
            else:
                db.session.commit()
                flash(_("De wijzigingen zijn opgeslagen."), "success")
                return redirect(url_for("collaborations.show", slug=collaboration.slug))
    return render_template("collaborations/form.html", form=form, collaboration=collaboration)
