"""Pages for hubs: the overview of hubs and collaborations, and hub forms."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from rem.access import current_access
from rem.extensions import db
from rem.hubs.forms import HubForm
from rem.hubs.models import Hub
from rem.hubs.services import HubError, all_hubs, my_collaborations, save_hub

bp = Blueprint("hubs", __name__)


def _hub_or_404(slug: str) -> Hub:
    hub = db.session.scalar(sa.select(Hub).where(Hub.slug == slug))
    if hub is None:
        abort(404)
    return hub


@bp.get("/")
def index():
    """Show the person's own collaborations first, then every hub with its collaborations."""
    return render_template("hubs/index.html", hubs=all_hubs(),
                           mine=my_collaborations(current_access()))


@bp.route("/hubs/new", methods=["GET", "POST"])
def create():
    """Let an administrator add a hub."""
    if not current_access().is_admin:
        abort(403)
    form = HubForm()
    if form.validate_on_submit():
        try:
            hub = save_hub(None, form.data)
        except HubError as exc:
            form.slug.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("De hub is aangemaakt."), "success")
            return redirect(url_for("hubs.show", slug=hub.slug))
    return render_template("hubs/form.html", form=form, hub=None)


@bp.get("/hubs/<slug>")
def show(slug: str):
    """Show one hub and its collaborations."""
    hub = _hub_or_404(slug)
    return render_template("hubs/show.html", hub=hub,
                           can_manage=current_access().manages_hub(hub))


@bp.route("/hubs/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    """Let an administrator or the hub's coordinator change the hub."""
    hub = _hub_or_404(slug)
    if not current_access().manages_hub(hub):
        abort(403)
    form = HubForm(obj=hub)
    if form.validate_on_submit():
        try:
            save_hub(hub, form.data)
        except HubError as exc:
            form.slug.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("De wijzigingen zijn opgeslagen."), "success")
            return redirect(url_for("hubs.show", slug=hub.slug))
    return render_template("hubs/form.html", form=form, hub=hub)
