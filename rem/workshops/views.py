"""Facilitator pages of an evaluation session: create, QR code, inbox, projector, report.

Who may do what (rem.access):
- those who edit the collaboration's ripple log (facilitators, the hub's coordinators,
  administrators) create and close sessions and work the inbox;
- everyone who reads all of the collaboration (members too) sees the list of
  sessions, the projector and the report.
"""

from __future__ import annotations

import io
import logging
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _

from rem.access import current_access
from rem.collaborations.models import Collaboration
from rem.core import pdf
from rem.core.http import saving
from rem.core.urls import external_url, site_root
from rem.extensions import db
from rem.maps import saved as saved_views
from rem.ripples.choices import item_choices
from rem.ripples.logview import load_log
from rem.workshops import drawing, services
from rem.workshops import report as workshop_report
from rem.workshops.forms import (
    StatusForm,
    WorkshopForm,
)
from rem.workshops.models import (
    PARTICIPANT_ROLE_LABELS,
    STORY_STATUS_LABELS,
    Workshop,
    WorkshopStory,
    default_prompts_text,
)
from rem.workshops.routes import (
    fresh,
    no_change,
    not_modified,
    workshop_collaboration,
    workshop_or_404,
)

log = logging.getLogger(__name__)

bp = Blueprint("workshops", __name__, url_prefix="/collaborations/<slug>/sessions")

# A map too large to read whole on the wall zooms to this many of its newest items.
PROJECTOR_FOLLOW = 6
PROJECTOR_RECENT = 6


@bp.app_template_global()
def workshops_by_id(collaboration: Collaboration) -> dict[int, Workshop]:
    """Return the collaboration's sessions by id (the timeline marks effects from a session)."""
    return {s.id: s for s in services.workshops_of(collaboration)}


# --- sessions ------------------------------------------------------------------------------------


@bp.get("")
def index(slug: str):
    """List the collaboration's sessions."""
    collaboration = workshop_collaboration(slug, edit=False)
    workshops = services.workshops_of(collaboration)
    counts = dict(db.session.execute(
        sa.select(WorkshopStory.session_id, sa.func.count())
        .where(WorkshopStory.session_id.in_([s.id for s in workshops]))
        .group_by(WorkshopStory.session_id)).all()) if workshops else {}
    return render_template("workshops/index.html", collaboration=collaboration,
                           workshops=workshops, counts=counts,
                           can_edit=current_access().edits(collaboration))


def _workshop_form(collaboration: Collaboration, workshop: Workshop | None = None
                  ) -> WorkshopForm:
    form = WorkshopForm(obj=workshop)
    form.link_items.choices = item_choices(collaboration)
    if request.method == "GET":
        if workshop is None:
            form.held_on.data = date.today()
            form.title.data = _("Evaluatiesessie %(date)s",
                                date=format_date(date.today(), "d MMMM y"))
            form.focus_question.data = _("Wat is er veranderd sinds we begonnen, "
                                         "en wat groeide daaruit?")
            form.prompts.data = default_prompts_text()
            form.allow_links.data = True
            form.link_items.data = [c.value for c in form.link_items.choices
                                    if str(c.optgroup) == _("Activiteiten")]
        else:
            form.link_items.data = [item.id for item in workshop.link_items]
    return form


def _workshop_input(form: WorkshopForm) -> services.WorkshopInput:
    return services.WorkshopInput(
        title=form.title.data or "", held_on=form.held_on.data,
        focus_question=form.focus_question.data or "", place=form.place.data or "",
        prompts=form.prompts.data or "", allow_links=bool(form.allow_links.data),
        link_item_ids=list(form.link_items.data or []),
    )


@bp.route("/new", methods=["GET", "POST"])
def new(slug: str):
    """Prepare a session: date, place, focus question, prompts, what participants see."""
    collaboration = workshop_collaboration(slug, edit=True)
    form = _workshop_form(collaboration)
    if form.validate_on_submit():
        with saving(services.WorkshopError) as saved:
            workshop = services.create_workshop(collaboration, _workshop_input(form))
            saved.flash(_("De sessie staat klaar. Deelnemers kunnen meedoen met code %(code)s.",
                    code=workshop.display_code))
        if saved:
            return redirect(url_for("workshops.show", slug=slug, session_id=workshop.id))
    return render_template("workshops/form.html", collaboration=collaboration, form=form,
                           workshop=None)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
def edit(slug: str, session_id: int):
    """Change a session's details."""
    collaboration, workshop = workshop_or_404(slug, session_id, edit=True)
    form = _workshop_form(collaboration, workshop)
    if form.validate_on_submit():
        with saving(services.WorkshopError) as saved:
            services.update_workshop(workshop, _workshop_input(form))
            saved.flash(_("De wijzigingen zijn opgeslagen."))
        if saved:
            return redirect(url_for("workshops.show", slug=slug, session_id=workshop.id))
    return render_template("workshops/form.html", collaboration=collaboration, form=form,
                           workshop=workshop)


def _join_url(workshop: Workshop) -> str:
    # On the projector and in the QR code: the site's real address, never the Host header.
    return external_url("join.participant", code=workshop.code)


@bp.get("/<int:session_id>")
def show(slug: str, session_id: int):
    """The session's control page: join code, QR code, and the way to inbox and projector."""
    collaboration, workshop = workshop_or_404(slug, session_id, edit=True)
    return render_template("workshops/show.html", collaboration=collaboration, workshop=workshop,
                           join_url=_join_url(workshop), counts=services.status_counts(workshop),
                           form=StatusForm(), saved_views=saved_views.views_of(collaboration))


@bp.get("/<int:session_id>/qr.svg")
def qr(slug: str, session_id: int):
    """The QR code of the join link, as SVG."""
    import segno

    _collaboration_, workshop = workshop_or_404(slug, session_id, edit=False)
    buffer = io.BytesIO()
    segno.make(_join_url(workshop), error="m").save(
        buffer, kind="svg", scale=8, border=2, dark="#000000", light="#ffffff",
        title=_("QR-code om mee te doen"), svgclass="qr-code", xmldecl=False)
    response = Response(buffer.getvalue(), content_type="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.post("/<int:session_id>/close")
def close(slug: str, session_id: int):
    """Close the session: the code stops working; the inbox stays."""
    _collaboration_, workshop = workshop_or_404(slug, session_id, edit=True)
    if StatusForm().validate_on_submit():
        if services.close_workshop(workshop):
            db.session.commit()
            flash(_("De sessie is gesloten. De code werkt niet meer. Verhalen in de inbox "
                    "kunt u nog verwerken."), "success")
        else:
            flash(_("Deze sessie was al gesloten."), "info")
    return redirect(url_for("workshops.show", slug=slug, session_id=session_id))


# --- the projector -------------------------------------------------------------------------------


def _projector_context(collaboration: Collaboration, workshop: Workshop) -> dict:
    access = current_access()
    contrast = request.args.get("contrast") == "high"
    shape = drawing.screen_shape(request.args.get("shape"))
    log_view = load_log(collaboration, access.item_clause(collaboration))
    drawn = drawing.draw(collaboration, log_view, _("Rimpelkaart %(name)s",
                                                    name=collaboration.name),
                         view=saved_views.shown_by(workshop, collaboration), projector=True,
                         contrast=contrast, shape=shape)
    own = [item for item in log_view.items if item.session_id == workshop.id]
    own.sort(key=lambda item: item.created_at, reverse=True)
    # What a map too large for the wall zooms to (static/js/sessions.js): the session's
    # newest effects, or the map's newest items before any came in.
    follow = own or sorted(log_view.items, key=lambda item: item.created_at, reverse=True)
    return {
        "drawing": drawn,
        "recent": own[:PROJECTOR_RECENT],
        "own_ids": [item.id for item in own],
        "follow_ids": [item.id for item in follow[:PROJECTOR_FOLLOW]],
        "newest_id": own[0].id if own else None,
        "counts": services.status_counts(workshop),
        "tag": services.state_tag(workshop),
        "contrast": contrast,
        "shape": shape,
        # The shape drawn (static/js/sessions.js asks for another when the box differs).
        "drawn_shape": drawing.drawn_shape(shape),
    }


@bp.get("/<int:session_id>/projector")
def projector(slug: str, session_id: int):
    """The map on the wall: it grows by itself as effects are taken in."""
    collaboration, workshop = workshop_or_404(slug, session_id, edit=False)
    return render_template("workshops/projector.html", collaboration=collaboration,
                           workshop=workshop, **_projector_context(collaboration, workshop))


@bp.get("/<int:session_id>/projector/map")
def projector_map(slug: str, session_id: int):
    """The growing part of the projector, for polling: 204 when nothing changed since ``v``."""
    collaboration, workshop = workshop_or_404(slug, session_id, edit=False)
    tag = services.state_tag(workshop)
    if not_modified(tag):
        return no_change(tag)
    html = render_template("workshops/_projector_live.html", collaboration=collaboration,
                           workshop=workshop, **_projector_context(collaboration, workshop))
    return fresh(Response(html), tag)


# --- the report ----------------------------------------------------------------------------------


def _report_context(collaboration: Collaboration, workshop: Workshop, *,
                    for_pdf: bool = False) -> dict:
    access = current_access()
    report = workshop_report.build_report(workshop, access.item_clause(collaboration))
    # Read on the screen as on paper: a timeline in date columns, with its key (the
    # screen's timeline was a strip with 4 px labels in the report's width).
    before = drawing.draw(collaboration, report.before, _("Kaart bij de opening"),
                          id_prefix="before-", for_pdf=for_pdf, as_paper=True)
    after = drawing.draw(collaboration, report.after, _("Kaart na de sessie"),
                         id_prefix="after-", for_pdf=for_pdf, as_paper=True)
    return {
        "report": report, "before": before, "after": after,
        "role_labels": {k.value: v for k, v in PARTICIPANT_ROLE_LABELS.items()},
        "status_labels": {k.value: v for k, v in STORY_STATUS_LABELS.items()},
        "pdf_available": pdf.available(),
    }


@bp.get("/<int:session_id>/report")
def report(slug: str, session_id: int):
    """Who took part, what they told, and the map before and after; printable."""
    collaboration, workshop = workshop_or_404(slug, session_id, edit=False)
    return render_template("workshops/report.html", collaboration=collaboration,
                           workshop=workshop, for_pdf=False,
                           **_report_context(collaboration, workshop))


@bp.get("/<int:session_id>/report.pdf")
def report_pdf(slug: str, session_id: int):
    """The session report as PDF (needs WeasyPrint)."""
    collaboration, workshop = workshop_or_404(slug, session_id, edit=False)
    if not pdf.available():
        return pdf.unavailable()
    html = render_template("workshops/report_pdf.html", collaboration=collaboration,
                           workshop=workshop, for_pdf=True,
                           **_report_context(collaboration, workshop, for_pdf=True))
    css = Path(current_app.static_folder) / "css"
    response = Response(pdf.render(html, site_root(), [css / "report-pdf.css",
                                                       css / "paper-key.css"], svg_data=True),
                        content_type="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="sessieverslag-{workshop.id}-{workshop.held_on.isoformat()}.pdf"')
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/<int:session_id>/map-view")
def map_view(slug: str, session_id: int):
    """Choose the saved map view the projector shows (none: the whole map)."""
    collaboration, workshop = workshop_or_404(slug, session_id, edit=True)
    text = request.form.get("view_id", "")
    with saving(saved_views.ViewError) as saved:
        saved_views.show_in(workshop, "session", collaboration,
                            int(text) if text.isdigit() else None)
        saved.flash(_("De kaart voor de projectie is gekozen."))
    return redirect(url_for("workshops.show", slug=slug, session_id=session_id))
