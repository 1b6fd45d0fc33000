"""The facilitator's inbox of a workshop: the stories that came in, to accept as an effect,
merge into one, park, link and code (rem/workshops/inbox.py holds the rules)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import orm
from wtforms.fields.choices import SelectChoice

from rem.codes.services import all_codebooks, code_choices
from rem.collaborations.models import Collaboration
from rem.core.dates import FuzzyDate, Precision
from rem.core.http import saving
from rem.extensions import db
from rem.ripples.choices import item_choices
from rem.ripples.forms import LinkForm, intended_value, valence_value
from rem.ripples.models import Kind, RippleItem
from rem.ripples.services import ItemInput, RippleError
from rem.workshops import inbox as story_inbox
from rem.workshops import services
from rem.workshops.forms import (
    AcceptForm,
    CodesForm,
    MergeForm,
    StatusForm,
)
from rem.workshops.models import (
    PARTICIPANT_ROLE_LABELS,
    StoryStatus,
    Workshop,
    WorkshopStory,
)
from rem.workshops.routes import (
    fresh,
    no_change,
    not_modified,
    story_or_404,
    workshop_or_404,
)

bp = Blueprint("inbox", __name__, url_prefix="/collaborations/<slug>/sessions")

INBOX_VIEWS = {
    "new": [StoryStatus.NEW.value],
    "done": [StoryStatus.ACCEPTED.value, StoryStatus.MERGED.value],
    "parked": [StoryStatus.PARKED.value],
}


INBOX_PAGE_SIZE = 15


def _inbox_context(workshop: Workshop, show: str) -> dict:
    done = show == "done"
    stories, number, pages = services.story_page(
        workshop, INBOX_VIEWS[show], request.args.get("page", 1, type=int), INBOX_PAGE_SIZE,
        newest_first=done)
    return {
        "stories": stories,
        "show": show,
        # New stories that likely tell the same change (accepting one, merge the other),
        # among the stories of this page.
        "alike": story_inbox.alike_links(story_inbox.alike_stories(stories))
        if show == "new" else {},
        "page": number,
        "pages": pages,
        "cause_options": item_choices(workshop.collaboration) if done else [],
        "codebook_list": all_codebooks() if done else [],
        "counts": services.status_counts(workshop),
        "tag": services.state_tag(workshop),
        "form": StatusForm(),
        "role_labels": {k.value: v for k, v in PARTICIPANT_ROLE_LABELS.items()},
    }


def _inbox_show() -> str:
    show = request.args.get("show", "new")
    return show if show in INBOX_VIEWS else "new"


@bp.get("/<int:session_id>/inbox")
def show(slug: str, session_id: int):
    """The stories that came in, to accept, merge, link, code or park."""
    collaboration, workshop = workshop_or_404(slug, session_id, edit=True)
    return render_template("workshops/inbox.html", collaboration=collaboration, workshop=workshop,
                           **_inbox_context(workshop, _inbox_show()))


@bp.get("/<int:session_id>/inbox/list", endpoint="list")
def story_list(slug: str, session_id: int):
    """The inbox list alone, for polling: 204 when nothing changed since ``v``."""
    collaboration, workshop = workshop_or_404(slug, session_id, edit=True)
    tag = services.state_tag(workshop)
    if not_modified(tag):
        return no_change(tag)
    html = render_template("workshops/_inbox_list.html", collaboration=collaboration,
                           workshop=workshop, **_inbox_context(workshop, _inbox_show()))
    return fresh(Response(html), tag)


def _back_to_inbox(slug: str, session_id: int, show: str = "new"):
    return redirect(url_for("inbox.show", slug=slug, session_id=session_id, show=show))


def _accept_form(collaboration: Collaboration, workshop: Workshop,
                 story: WorkshopStory) -> AcceptForm:
    form = AcceptForm()
    form.codes.choices = code_choices()
    form.causes.choices = item_choices(collaboration)
    if request.method == "GET":
        form.expected.data = story.status
        first_line = " ".join(story.text.split())
        form.title.data = first_line if len(first_line) <= 120 else first_line[:119] + "…"
        when = story.when or FuzzyDate.of(workshop.held_on, Precision.YEAR)
        form.date_value.data = when.start
        form.date_precision.data = when.precision.value
        # What the participant answered; a question left open stays open for the facilitator.
        form.intended.data = {True: "yes", False: "no"}.get(story.intended)
        form.valence.data = story.valence
        form.noticed_by.data = story.participant.role if story.participant else ""
        form.evidence_kind.data = "quote"
        data = story_inbox.story_effect_input(story, form.title.data, when)
        form.evidence_text.data = data.evidence_text
        form.description.data = data.description
        form.causes.data = [story.grew_from_id] if story.grew_from_id else []
    return form


def _merge_form(collaboration: Collaboration, story: WorkshopStory,
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
    collaboration, workshop = workshop_or_404(slug, session_id, edit=True)
    story = story_or_404(workshop, story_id)
    form = _accept_form(collaboration, workshop, story)
    effects = story_inbox.live_effects(collaboration)
    if form.validate_on_submit():
        causes = [item for item in (db.session.get(RippleItem, i) for i in form.causes.data or [])
                  if item is not None and item.collaboration_id == collaboration.id]
        data = ItemInput(
            title=form.title.data or "",
            when=FuzzyDate.of(form.date_value.data, form.date_precision.data),
            description=form.description.data or "",
            visibility=form.visibility.data,
            code_ids=list(form.codes.data or []),
            intended=intended_value(form.intended.data),
            valence=valence_value(form.valence.data),
            noticed_by=form.noticed_by.data or None,
            evidence_kind=form.evidence_kind.data or None,
            evidence_text=form.evidence_text.data or "",
            evidence_url=(form.evidence_url.data or "").strip(),
        )
        try:
            effect = story_inbox.accept_story(story, form.expected.data or "", data, causes)
        except services.AlreadyHandled as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return _back_to_inbox(slug, session_id)
        except (services.WorkshopError, RippleError) as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Opgenomen als effect: “%(title)s”.", title=effect.title), "success")
            return _back_to_inbox(slug, session_id)
    return render_template(
        "workshops/accept.html", collaboration=collaboration, workshop=workshop, story=story,
        form=form, merge_form=_merge_form(collaboration, story, effects),
        suggestions=story_inbox.suggestions(story, effects), codebooks=all_codebooks(),
        handled=story.status not in (StoryStatus.NEW, StoryStatus.PARKED),
        role_labels={k.value: v for k, v in PARTICIPANT_ROLE_LABELS.items()},
    )


@bp.post("/<int:session_id>/stories/<int:story_id>/merge")
def merge(slug: str, session_id: int, story_id: int):
    """Merge a story into an existing effect; the story stays with the session."""
    collaboration, workshop = workshop_or_404(slug, session_id, edit=True)
    story = story_or_404(workshop, story_id)
    form = _merge_form(collaboration, story, story_inbox.live_effects(collaboration))
    if not form.validate_on_submit():
        flash(_("Kies het effect waarmee u dit verhaal wilt samenvoegen."), "error")
        return redirect(url_for("inbox.accept", slug=slug, session_id=session_id,
                                story_id=story_id))
    target = db.session.get(RippleItem, form.target_id.data)
    try:
        if target is None or target.kind != Kind.EFFECT:
            raise services.WorkshopError(_("Kies een effect van dit samenwerkingsverband."))
        story_inbox.merge_story(story, form.expected.data or "", target,
                             add_text=bool(form.add_text.data))
    except (services.WorkshopError, RippleError, orm.exc.StaleDataError) as exc:
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
    _collaboration_, workshop = workshop_or_404(slug, session_id, edit=True)
    story = story_or_404(workshop, story_id)
    form = StatusForm()
    if form.validate_on_submit():
        with saving(services.WorkshopError) as saved:
            story_inbox.park_story(story, form.expected.data or StoryStatus.NEW.value)
            saved.flash(_("Het verhaal is geparkeerd. U vindt het onder ‘Geparkeerd’."))
    return _back_to_inbox(slug, session_id)


@bp.post("/<int:session_id>/stories/<int:story_id>/reopen")
def reopen(slug: str, session_id: int, story_id: int):
    """Bring a parked story back to the inbox."""
    _collaboration_, workshop = workshop_or_404(slug, session_id, edit=True)
    story = story_or_404(workshop, story_id)
    if StatusForm().validate_on_submit():
        with saving(services.WorkshopError) as saved:
            story_inbox.reopen_story(story)
            saved.flash(_("Het verhaal staat weer bij ‘Nieuw’."))
    return _back_to_inbox(slug, session_id, "parked")


@bp.post("/<int:session_id>/stories/<int:story_id>/link")
def link(slug: str, session_id: int, story_id: int):
    """Add a cause to the effect a story became."""
    collaboration, workshop = workshop_or_404(slug, session_id, edit=True)
    story = story_or_404(workshop, story_id)
    form = LinkForm()
    form.cause_id.choices = item_choices(collaboration)
    if form.validate_on_submit():
        cause = db.session.get(RippleItem, form.cause_id.data)
        with saving(services.WorkshopError, RippleError) as saved:
            if cause is None or cause.collaboration_id != collaboration.id:
                raise services.WorkshopError(_("Kies een item van dit samenwerkingsverband."))
            story_inbox.link_story(story, cause)
            saved.flash(_("De verbinding is toegevoegd."))
    else:
        flash(_("Kies waar dit effect uit voortkwam."), "error")
    return _back_to_inbox(slug, session_id, "done")


@bp.post("/<int:session_id>/stories/<int:story_id>/codes")
def codes(slug: str, session_id: int, story_id: int):
    """Set the codes of the effect a story became."""
    _collaboration_, workshop = workshop_or_404(slug, session_id, edit=True)
    story = story_or_404(workshop, story_id)
    form = CodesForm()
    form.codes.choices = code_choices()
    if form.validate_on_submit():
        try:
            story_inbox.code_story(story, list(form.codes.data or []))
        except (services.WorkshopError, RippleError, orm.exc.StaleDataError) as exc:
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
