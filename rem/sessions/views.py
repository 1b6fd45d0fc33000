"""Facilitator pages of an evaluation session: create, QR code, inbox, projector, report.

Who may do what (rem.accounts.permissions):
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
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import orm
from wtforms.fields.choices import SelectChoice

from rem.accounts.permissions import current_access
from rem.codes.services import all_codebooks, code_choices
from rem.collaborations.models import Collaboration
from rem.collaborations.views import collaboration_or_404
from rem.core import pdf
from rem.core.dates import FuzzyDate, Precision
from rem.extensions import db
from rem.maps import saved
from rem.ripples.forms import LinkForm
from rem.ripples.models import Kind, RippleItem
from rem.ripples.services import RippleError, load_log
from rem.sessions import drawing, services
from rem.sessions.forms import (
    AcceptForm,
    CodesForm,
    MergeForm,
    SessionForm,
    StatusForm,
)
from rem.sessions.models import (
    PARTICIPANT_ROLE_LABELS,
    STORY_STATUS_LABELS,
    EvaluationSession,
    SessionStory,
    StoryStatus,
    default_prompts_text,
)

log = logging.getLogger(__name__)

bp = Blueprint("sessions", __name__, url_prefix="/collaborations/<slug>/sessions")

INBOX_VIEWS = {
    "new": [StoryStatus.NEW.value],
    "done": [StoryStatus.ACCEPTED.value, StoryStatus.MERGED.value],
    "parked": [StoryStatus.PARKED.value],
}
PROJECTOR_RECENT = 6


# --- loading and access ----------------------------------------------------------------------


def _collaboration(slug: str, *, edit: bool) -> Collaboration:
    collaboration = collaboration_or_404(slug)
    access = current_access()
    allowed = access.edits(collaboration) if edit else access.reads_all_of(collaboration)
    if not allowed:
        abort(403)
    return collaboration


def _session(slug: str, session_id: int, *, edit: bool
             ) -> tuple[Collaboration, EvaluationSession]:
    collaboration = _collaboration(slug, edit=edit)
    session = db.session.get(EvaluationSession, session_id)
    if session is None or session.collaboration_id != collaboration.id:
        abort(404)
    return collaboration, session


def _story(session: EvaluationSession, story_id: int) -> SessionStory:
    story = db.session.get(SessionStory, story_id)
    if story is None or story.session_id != session.id:
        abort(404)
    return story


def _item_choices(collaboration: Collaboration, *, effects_only: bool = False
                  ) -> list[SelectChoice]:
    items = db.session.scalars(
        sa.select(RippleItem).where(RippleItem.collaboration_id == collaboration.id,
                                    RippleItem.deleted_at.is_(None))
    ).all()
    items = sorted(items, key=lambda i: (not i.is_activity, i.sort_key()))
    return [
        SelectChoice(i.id, f"{i.title} ({i.when.label()})",
                     optgroup=_("Activiteiten") if i.is_activity else _("Effecten"))
        for i in items if not (effects_only and i.is_activity)
    ]


@bp.app_template_global()
def evaluation_sessions_of(collaboration: Collaboration) -> dict[int, EvaluationSession]:
    """Return the collaboration's sessions by id (the timeline marks effects from a session)."""
    return {s.id: s for s in services.sessions_of(collaboration)}


# --- sessions ------------------------------------------------------------------------------------


@bp.get("")
def index(slug: str):
    """List the collaboration's sessions."""
    collaboration = _collaboration(slug, edit=False)
    sessions = services.sessions_of(collaboration)
    counts = dict(db.session.execute(
        sa.select(SessionStory.session_id, sa.func.count())
        .where(SessionStory.session_id.in_([s.id for s in sessions]))
        .group_by(SessionStory.session_id)).all()) if sessions else {}
    return render_template("sessions/index.html", collaboration=collaboration,
                           sessions=sessions, counts=counts,
                           can_edit=current_access().edits(collaboration))


def _session_form(collaboration: Collaboration, session: EvaluationSession | None = None
                  ) -> SessionForm:
    form = SessionForm(obj=session)
    form.link_items.choices = _item_choices(collaboration)
    if request.method == "GET":
        if session is None:
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
            form.link_items.data = [item.id for item in session.link_items]
    return form


def _session_input(form: SessionForm) -> services.SessionInput:
    return services.SessionInput(
        title=form.title.data or "", held_on=form.held_on.data,
        focus_question=form.focus_question.data or "", place=form.place.data or "",
        prompts=form.prompts.data or "", allow_links=bool(form.allow_links.data),
        link_item_ids=list(form.link_items.data or []),
    )


@bp.route("/new", methods=["GET", "POST"])
def new(slug: str):
    """Prepare a session: date, place, focus question, prompts, what participants see."""
    collaboration = _collaboration(slug, edit=True)
    form = _session_form(collaboration)
    if form.validate_on_submit():
        try:
            session = services.create_session(collaboration, _session_input(form))
        except services.SessionError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("De sessie staat klaar. Deelnemers kunnen meedoen met code %(code)s.",
                    code=session.display_code), "success")
            return redirect(url_for("sessions.show", slug=slug, session_id=session.id))
    return render_template("sessions/form.html", collaboration=collaboration, form=form,
                           session=None)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
def edit(slug: str, session_id: int):
    """Change a session's details."""
    collaboration, session = _session(slug, session_id, edit=True)
    form = _session_form(collaboration, session)
    if form.validate_on_submit():
        try:
            services.update_session(session, _session_input(form))
        except services.SessionError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("De wijzigingen zijn opgeslagen."), "success")
            return redirect(url_for("sessions.show", slug=slug, session_id=session.id))
    return render_template("sessions/form.html", collaboration=collaboration, form=form,
                           session=session)


def _join_url(session: EvaluationSession) -> str:
    return url_for("join.participant", code=session.code, _external=True)


@bp.get("/<int:session_id>")
def show(slug: str, session_id: int):
    """The session's control page: join code, QR code, and the way to inbox and projector."""
    collaboration, session = _session(slug, session_id, edit=True)
    return render_template("sessions/show.html", collaboration=collaboration, session=session,
                           join_url=_join_url(session), counts=services.status_counts(session),
                           form=StatusForm(), saved_views=saved.views_of(collaboration))


@bp.get("/<int:session_id>/qr.svg")
def qr(slug: str, session_id: int):
    """The QR code of the join link, as SVG."""
    import segno

    _collaboration_, session = _session(slug, session_id, edit=False)
    buffer = io.BytesIO()
    segno.make(_join_url(session), error="m").save(
        buffer, kind="svg", scale=8, border=2, dark="#000000", light="#ffffff",
        title=_("QR-code om mee te doen"), svgclass="qr-code", xmldecl=False)
    response = Response(buffer.getvalue(), content_type="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.post("/<int:session_id>/close")
def close(slug: str, session_id: int):
    """Close the session: the code stops working; the inbox stays."""
    _collaboration_, session = _session(slug, session_id, edit=True)
    if StatusForm().validate_on_submit():
        if services.close_session(session):
            db.session.commit()
            flash(_("De sessie is gesloten. De code werkt niet meer. Verhalen in de inbox "
                    "kunt u nog verwerken."), "success")
        else:
            flash(_("Deze sessie was al gesloten."), "info")
    return redirect(url_for("sessions.show", slug=slug, session_id=session_id))


# --- the inbox -----------------------------------------------------------------------------------


def _not_modified(tag: str) -> bool:
    """Tell whether the poller already has the state ``tag`` (then it gets 204)."""
    return request.args.get("v") == tag or request.if_none_match.contains(tag)


def _fresh(response: Response, tag: str) -> Response:
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-store"
    return response


def _no_change(tag: str) -> Response:
    return _fresh(Response(status=204), tag)


def _inbox_context(session: EvaluationSession, show: str) -> dict:
    stories = services.stories_of(session, INBOX_VIEWS[show])
    if show == "done":
        stories.reverse()
    done = show == "done"
    return {
        "stories": stories,
        "show": show,
        "cause_options": _item_choices(session.collaboration) if done else [],
        "codebook_list": all_codebooks() if done else [],
        "counts": services.status_counts(session),
        "tag": services.state_tag(session),
        "form": StatusForm(),
        "role_labels": {k.value: v for k, v in PARTICIPANT_ROLE_LABELS.items()},
    }


def _inbox_show() -> str:
    show = request.args.get("show", "new")
    return show if show in INBOX_VIEWS else "new"


@bp.get("/<int:session_id>/inbox")
def inbox(slug: str, session_id: int):
    """The stories that came in, to accept, merge, link, code or park."""
    collaboration, session = _session(slug, session_id, edit=True)
    return render_template("sessions/inbox.html", collaboration=collaboration, session=session,
                           **_inbox_context(session, _inbox_show()))


@bp.get("/<int:session_id>/inbox/list")
def inbox_list(slug: str, session_id: int):
    """The inbox list alone, for polling: 204 when nothing changed since ``v``."""
    collaboration, session = _session(slug, session_id, edit=True)
    tag = services.state_tag(session)
    if _not_modified(tag):
        return _no_change(tag)
    html = render_template("sessions/_inbox_list.html", collaboration=collaboration,
                           session=session, **_inbox_context(session, _inbox_show()))
    return _fresh(Response(html), tag)


def _back_to_inbox(slug: str, session_id: int, show: str = "new"):
    return redirect(url_for("sessions.inbox", slug=slug, session_id=session_id, show=show))


def _accept_form(collaboration: Collaboration, session: EvaluationSession,
                 story: SessionStory) -> AcceptForm:
    form = AcceptForm()
    form.codes.choices = code_choices()
    form.causes.choices = _item_choices(collaboration)
    if request.method == "GET":
        form.expected.data = story.status
        first_line = " ".join(story.text.split())
        form.title.data = first_line if len(first_line) <= 120 else first_line[:119] + "…"
        when = story.when or FuzzyDate.of(session.held_on, Precision.YEAR)
        form.date_value.data = when.start
        form.date_precision.data = when.precision.value
        form.intended.data = {True: "yes", False: "no"}.get(story.intended, "unknown")
        form.valence.data = story.valence or ""
        form.noticed_by.data = story.participant.role if story.participant else ""
        form.evidence_kind.data = "quote"
        data = services.story_effect_input(story, form.title.data, when)
        form.evidence_text.data = data.evidence_text
        form.description.data = data.description
        form.causes.data = [story.grew_from_id] if story.grew_from_id else []
    return form


def _merge_form(collaboration: Collaboration, story: SessionStory,
                effects: list[RippleItem]) -> MergeForm:
    form = MergeForm()
    form.target_id.choices = [SelectChoice(e.id, f"{e.title} ({e.when.label()})")
                              for e in effects]
    if request.method == "GET":
        form.expected.data = story.status
    return form


@bp.route("/<int:session_id>/stories/<int:story_id>/accept", methods=["GET", "POST"])
def accept(slug: str, session_id: int, story_id: int):
    """Take a story in as a new effect (with causes and codes), or merge it."""
    collaboration, session = _session(slug, session_id, edit=True)
    story = _story(session, story_id)
    form = _accept_form(collaboration, session, story)
    effects = services.live_effects(collaboration)
    if form.validate_on_submit():
        causes = [item for item in (db.session.get(RippleItem, i) for i in form.causes.data or [])
                  if item is not None and item.collaboration_id == collaboration.id]
        data = services.ItemInput(
            title=form.title.data or "",
            when=FuzzyDate.of(form.date_value.data, form.date_precision.data),
            description=form.description.data or "",
            visibility=form.visibility.data,
            code_ids=list(form.codes.data or []),
            intended={"yes": True, "no": False}.get(form.intended.data),
            valence=form.valence.data or None,
            noticed_by=form.noticed_by.data or None,
            evidence_kind=form.evidence_kind.data or None,
            evidence_text=form.evidence_text.data or "",
            evidence_url=(form.evidence_url.data or "").strip(),
        )
        try:
            effect = services.accept_story(story, form.expected.data or "", data, causes)
        except services.AlreadyHandled as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return _back_to_inbox(slug, session_id)
        except (services.SessionError, RippleError) as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Opgenomen als effect: “%(title)s”.", title=effect.title), "success")
            return _back_to_inbox(slug, session_id)
    return render_template(
        "sessions/accept.html", collaboration=collaboration, session=session, story=story,
        form=form, merge_form=_merge_form(collaboration, story, effects),
        suggestions=services.suggestions(story, effects), codebooks=all_codebooks(),
        handled=story.status not in (StoryStatus.NEW, StoryStatus.PARKED),
        role_labels={k.value: v for k, v in PARTICIPANT_ROLE_LABELS.items()},
    )


@bp.post("/<int:session_id>/stories/<int:story_id>/merge")
def merge(slug: str, session_id: int, story_id: int):
    """Merge a story into an existing effect; the story stays with the session."""
    collaboration, session = _session(slug, session_id, edit=True)
    story = _story(session, story_id)
    form = _merge_form(collaboration, story, services.live_effects(collaboration))
    if not form.validate_on_submit():
        flash(_("Kies het effect waarmee u dit verhaal wilt samenvoegen."), "error")
        return redirect(url_for("sessions.accept", slug=slug, session_id=session_id,
                                story_id=story_id))
    target = db.session.get(RippleItem, form.target_id.data)
    try:
        if target is None or target.kind != Kind.EFFECT:
            raise services.SessionError(_("Kies een effect van dit samenwerkingsverband."))
        services.merge_story(story, form.expected.data or "", target,
                             add_text=bool(form.add_text.data))
    except (services.SessionError, RippleError, orm.exc.StaleDataError) as exc:
        db.session.rollback()
        message = str(exc) if not isinstance(exc, orm.exc.StaleDataError) else _(
            "Iemand anders heeft dit effect net gewijzigd. Probeer het opnieuw.")
        flash(message, "error")
    else:
        db.session.commit()
        flash(_("Samengevoegd met “%(title)s”.", title=target.title), "success")
    return _back_to_inbox(slug, session_id)


@bp.post("/<int:session_id>/stories/<int:story_id>/park")
def park(slug: str, session_id: int, story_id: int):
    """Put a story aside (it is kept and can come back)."""
    _collaboration_, session = _session(slug, session_id, edit=True)
    story = _story(session, story_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            services.park_story(story, form.expected.data or StoryStatus.NEW.value)
        except services.SessionError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Het verhaal is geparkeerd. U vindt het onder ‘Geparkeerd’."), "success")
    return _back_to_inbox(slug, session_id)


@bp.post("/<int:session_id>/stories/<int:story_id>/reopen")
def reopen(slug: str, session_id: int, story_id: int):
    """Bring a parked story back to the inbox."""
    _collaboration_, session = _session(slug, session_id, edit=True)
    story = _story(session, story_id)
    if StatusForm().validate_on_submit():
        try:
            services.reopen_story(story)
        except services.SessionError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Het verhaal staat weer bij ‘Nieuw’."), "success")
    return _back_to_inbox(slug, session_id, "parked")


@bp.post("/<int:session_id>/stories/<int:story_id>/link")
def link(slug: str, session_id: int, story_id: int):
    """Add a cause to the effect a story became."""
    collaboration, session = _session(slug, session_id, edit=True)
    story = _story(session, story_id)
    form = LinkForm()
    form.cause_id.choices = _item_choices(collaboration)
    if form.validate_on_submit():
        cause = db.session.get(RippleItem, form.cause_id.data)
        try:
            if cause is None or cause.collaboration_id != collaboration.id:
                raise services.SessionError(_("Kies een item van dit samenwerkingsverband."))
            services.link_story(story, cause)
        except (services.SessionError, RippleError) as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("De verbinding is toegevoegd."), "success")
    else:
        flash(_("Kies waar dit effect uit voortkwam."), "error")
    return _back_to_inbox(slug, session_id, "done")


@bp.post("/<int:session_id>/stories/<int:story_id>/codes")
def codes(slug: str, session_id: int, story_id: int):
    """Set the codes of the effect a story became."""
    _collaboration_, session = _session(slug, session_id, edit=True)
    story = _story(session, story_id)
    form = CodesForm()
    form.codes.choices = code_choices()
    if form.validate_on_submit():
        try:
            services.code_story(story, list(form.codes.data or []))
        except (services.SessionError, RippleError, orm.exc.StaleDataError) as exc:
            db.session.rollback()
            flash(str(exc) if not isinstance(exc, orm.exc.StaleDataError)
                  else _("Iemand anders heeft dit effect net gewijzigd. Probeer het opnieuw."),
                  "error")
        else:
            db.session.commit()
            flash(_("De codes zijn opgeslagen."), "success")
    else:
        flash(_("Deze codes bestaan niet."), "error")
    return _back_to_inbox(slug, session_id, "done")


# --- the projector -------------------------------------------------------------------------------


def _projector_context(collaboration: Collaboration, session: EvaluationSession) -> dict:
    access = current_access()
    log_view = load_log(collaboration, access.item_clause(collaboration))
    drawn = drawing.draw(collaboration, log_view, _("Rimpelkaart %(name)s",
                                                    name=collaboration.name),
                         view=saved.shown_by(session, collaboration), projector=True)
    own = [item for item in log_view.items if item.session_id == session.id]
    own.sort(key=lambda item: item.created_at, reverse=True)
    return {
        "drawing": drawn,
        "recent": own[:PROJECTOR_RECENT],
        "own_ids": [item.id for item in own],
        "newest_id": own[0].id if own else None,
        "counts": services.status_counts(session),
        "tag": services.state_tag(session),
        "contrast": request.args.get("contrast") == "high",
    }


@bp.get("/<int:session_id>/projector")
def projector(slug: str, session_id: int):
    """The map on the wall: it grows by itself as effects are taken in."""
    collaboration, session = _session(slug, session_id, edit=False)
    return render_template("sessions/projector.html", collaboration=collaboration,
                           session=session, **_projector_context(collaboration, session))


@bp.get("/<int:session_id>/projector/map")
def projector_map(slug: str, session_id: int):
    """The growing part of the projector, for polling: 204 when nothing changed since ``v``."""
    collaboration, session = _session(slug, session_id, edit=False)
    tag = services.state_tag(session)
    if _not_modified(tag):
        return _no_change(tag)
    html = render_template("sessions/_projector_live.html", collaboration=collaboration,
                           session=session, **_projector_context(collaboration, session))
    return _fresh(Response(html), tag)


# --- the report ----------------------------------------------------------------------------------


def _report_context(collaboration: Collaboration, session: EvaluationSession) -> dict:
    access = current_access()
    report = services.build_report(session, access.item_clause(collaboration))
    before = drawing.draw(collaboration, report.before, _("Kaart bij de opening"),
                          id_prefix="before-")
    after = drawing.draw(collaboration, report.after, _("Kaart na de sessie"),
                         id_prefix="after-")
    return {
        "report": report, "before": before, "after": after,
        "role_labels": {k.value: v for k, v in PARTICIPANT_ROLE_LABELS.items()},
        "status_labels": {k.value: v for k, v in STORY_STATUS_LABELS.items()},
        "pdf_available": pdf.available(),
    }


@bp.get("/<int:session_id>/report")
def report(slug: str, session_id: int):
    """Who took part, what they told, and the map before and after; printable."""
    collaboration, session = _session(slug, session_id, edit=False)
    return render_template("sessions/report.html", collaboration=collaboration,
                           session=session, for_pdf=False,
                           **_report_context(collaboration, session))


@bp.get("/<int:session_id>/report.pdf")
def report_pdf(slug: str, session_id: int):
    """The session report as PDF (needs WeasyPrint)."""
    collaboration, session = _session(slug, session_id, edit=False)
    if not pdf.available():
        return pdf.unavailable()
    html = render_template("sessions/report_pdf.html", collaboration=collaboration,
                           session=session, for_pdf=True,
                           **_report_context(collaboration, session))
    css = Path(current_app.static_folder) / "css" / "report-pdf.css"
    response = Response(pdf.render(html, request.host_url, [css], svg_data=True),
                        content_type="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="sessieverslag-{session.id}-{session.held_on.isoformat()}.pdf"')
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/<int:session_id>/map-view")
def map_view(slug: str, session_id: int):
    """Choose the saved map view the projector shows (none: the whole map)."""
    collaboration, session = _session(slug, session_id, edit=True)
    text = request.form.get("view_id", "")
    try:
        saved.show_in(session, "session", collaboration, int(text) if text.isdigit() else None)
    except saved.ViewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("De kaart voor de projectie is gekozen."), "success")
    return redirect(url_for("sessions.show", slug=slug, session_id=session_id))

