"""Pages of the annual borging review: list and open, fill in, evidence, adopt, new
version, the report (page and PDF) and the hub overview."""

from __future__ import annotations

import logging
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
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from rem.access import current_access
from rem.access import reviews as review_access
from rem.access.routes import collaboration_or_404
from rem.collaborations.models import Collaboration
from rem.core import pdf
from rem.core.forms import EmptyForm
from rem.core.urls import site_root
from rem.extensions import db
from rem.hubs.models import Hub
from rem.maps import saved
from rem.reviews import adoption, services
from rem.reviews import evidence as review_evidence
from rem.reviews.forms import NewReviewForm, review_form_class, score_field, strategy_field
from rem.reviews.maps import year_map
from rem.reviews.models import (
    CURRENT_PILLARS,
    OLDER_PILLARS,
    STRATEGY_SLUGS,
    STRATEGY_STATUS_LABELS,
    BorgingReview,
)
from rem.reviews.report import report_context, score_text
from rem.threads.models import PlacementKind
from rem.threads.services import place as place_thread
from rem.threads.services import placed_in, thread_snapshots
from rem.threads.targets import ThreadTarget, register_target

log = logging.getLogger(__name__)

bp = Blueprint("reviews", __name__)


def _describe_review(review_id: int) -> tuple[str, str] | None:
    review = db.session.get(BorgingReview, review_id)
    if review is None:
        return None
    return (_("Borgingsreview %(year)d (versie %(n)d)", year=review.year,
              n=review.version_number),
            url_for("reviews.show", slug=review.collaboration.slug, review_id=review.id))


register_target(bp, ThreadTarget(PlacementKind.REVIEW.value, services.thread_target_choices,
                                 _describe_review, frozen=services.is_adopted))


# --- loading and access ----------------------------------------------------------------------


def _collaboration(slug: str, *, edit: bool) -> Collaboration:
    collaboration = collaboration_or_404(slug)
    access = current_access()
    allowed = (review_access.may_edit(access, collaboration) if edit
               else review_access.may_read(access, collaboration))
    if not allowed:
        abort(403)
    return collaboration


def _review(slug: str, review_id: int, *, edit: bool) -> tuple[Collaboration, BorgingReview]:
    collaboration = _collaboration(slug, edit=edit)
    review = db.session.get(BorgingReview, review_id)
    if review is None or review.collaboration_id != collaboration.id:
        abort(404)
    return collaboration, review


def _to_review(collaboration: Collaboration, review: BorgingReview, endpoint: str = "show"):
    return redirect(url_for(f"reviews.{endpoint}", slug=collaboration.slug, review_id=review.id))


# --- the list and opening a year ---------------------------------------------------------------


@bp.get("/collaborations/<slug>/reviews")
def index(slug: str):
    """The reviews of a collaboration, newest year first; editors open a new year here."""
    collaboration = _collaboration(slug, edit=False)
    form = NewReviewForm()
    if not form.year.data:
        form.year.data = services.year_of()
    return render_template("reviews/index.html", collaboration=collaboration,
                           reviews=services.reviews_of(collaboration), form=form,
                           can_edit=review_access.may_edit(current_access(), collaboration))


@bp.post("/collaborations/<slug>/reviews")
def create(slug: str):
    """Open the review of a year (refused when that year has one)."""
    collaboration = _collaboration(slug, edit=True)
    form = NewReviewForm()
    if not form.validate_on_submit():
        flash(_("Vul een jaar in, bijvoorbeeld %(year)d.", year=services.year_of()), "error")
        return redirect(url_for("reviews.index", slug=collaboration.slug))
    try:
        review = services.create_review(collaboration, form.year.data)
        has_data = services.year_has_data(collaboration, review.year)
        db.session.commit()
    except services.ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("reviews.index", slug=collaboration.slug))
    except IntegrityError:  # someone opened the same year at the same moment
        db.session.rollback()
        flash(_("Er is al een review over %(year)d. Open die review.", year=form.year.data),
              "error")
        return redirect(url_for("reviews.index", slug=collaboration.slug))
    flash(_("De review over %(year)d is geopend.", year=review.year), "success")
    if not has_data:
        flash(_("Voor %(year)d staan nog geen activiteiten, effecten of logboekregels in het "
                "logboek. De app kan dus geen bewijs voorstellen. U kunt de review toch "
                "invullen, of eerst het logboek aanvullen.", year=review.year), "info")
    return _to_review(collaboration, review, "edit")


# --- filling in --------------------------------------------------------------------------------


def _fill_form(form, review: BorgingReview) -> None:
    form.status.data = review.status if not review.is_adopted else "discussed"
    form.meeting_date.data = review.meeting_date
    form.participants.data = review.participants
    form.risk_key_persons.data = review.risk_key_persons
    form.risk_project_money.data = review.risk_project_money
    form.use_older_pillars.data = review.use_older_pillars
    form.version.data = str(review.version)
    for row in review.strategies:
        if row.strategy in STRATEGY_SLUGS:
            status_name, narrative_name = strategy_field(row.strategy)
            form[status_name].data = row.status or ""
            form[narrative_name].data = row.narrative
    for row in review.scores:
        name = score_field(row.pillar)
        if name in form:
            form[name].data = score_text(row.score)


def _input(form) -> services.ReviewInput:
    data = services.ReviewInput(
        status=form.status.data or "draft", meeting_date=form.meeting_date.data,
        participants=form.participants.data or "",
        risk_key_persons=form.risk_key_persons.data or "",
        risk_project_money=form.risk_project_money.data or "",
        use_older_pillars=bool(form.use_older_pillars.data))
    for slug in STRATEGY_SLUGS:
        status_name, narrative_name = strategy_field(slug)
        data.strategies[slug] = (form[status_name].data or None, form[narrative_name].data or "")
    for pillar in (*CURRENT_PILLARS, *OLDER_PILLARS):
        data.scores[pillar] = form[score_field(pillar)].data
    return data


def _render_edit(collaboration: Collaboration, review: BorgingReview, form, status: int = 200):
    previous = services.previous_review(review)
    labels = {k.value: v for k, v in STRATEGY_STATUS_LABELS.items()}
    # Last year's status per strategy, shown beside this year's choice.
    before = ({row.strategy: (labels.get(row.status or "") or _("niet ingevuld"))
               for row in previous.strategies} if previous else {})
    return render_template(
        "reviews/edit.html", collaboration=collaboration, review=review, form=form,
        names=services.strategy_names(), strategy_field=strategy_field,
        score_field=score_field, current_pillars=CURRENT_PILLARS, older_pillars=OLDER_PILLARS,
        previous=previous, previous_status=before, score_text=score_text), status


@bp.route("/collaborations/<slug>/reviews/<int:review_id>/edit", methods=["GET", "POST"])
def edit(slug: str, review_id: int):
    """Fill in the review: meeting, strategies, risks, participatiescan."""
    collaboration, review = _review(slug, review_id, edit=True)
    if review.is_adopted:
        flash(_("Deze review is vastgesteld en kan niet meer veranderen. Maak een nieuwe "
                "versie als u iets wilt aanpassen."), "error")
        return _to_review(collaboration, review)
    form = review_form_class()()
    if request.method == "GET":
        _fill_form(form, review)
        return _render_edit(collaboration, review, form)
    if not form.validate_on_submit() or not (form.version.data or "").isdigit():
        if not form.errors:
            flash(_("Het formulier kwam niet goed aan. Er is niets veranderd; vul het opnieuw "
                    "in."), "error")
            _fill_form(form, review)
        return _render_edit(collaboration, review, form, 200)
    try:
        services.update_review(review, _input(form), int(form.version.data))
    except services.ScoreErrors as exc:
        db.session.rollback()
        for pillar, message in exc.errors.items():
            form[score_field(pillar)].errors = [message]
        flash(ngettext("%(num)d score klopt niet. Niets is opgeslagen; verbeter hem hieronder.",
                       "%(num)d scores kloppen niet. Niets is opgeslagen; verbeter ze hieronder.",
                       len(exc.errors)), "error")
        db.session.refresh(review)
        form.version.data = str(review.version)
        return _render_edit(collaboration, review, form, 200)
    except (services.ReviewError, StaleDataError) as exc:
        db.session.rollback()
        message = str(exc) if isinstance(exc, services.ReviewError) else str(
            services.EditConflict())
        flash(message, "error")
        db.session.refresh(review)
        form.version.data = str(review.version)
        return _render_edit(collaboration, review, form, 200)
    db.session.commit()
    flash(_("De review is opgeslagen."), "success")
    if request.form.get("next") == "evidence":
        return _to_review(collaboration, review, "evidence")
    return _to_review(collaboration, review)


# --- evidence ----------------------------------------------------------------------------------


@bp.get("/collaborations/<slug>/reviews/<int:review_id>/evidence")
def evidence(slug: str, review_id: int):
    """The proposed evidence per strategy, to keep or drop, and a way to add more."""
    collaboration, review = _review(slug, review_id, edit=True)
    if review.is_adopted:
        flash(_("Deze review is vastgesteld en kan niet meer veranderen. Maak een nieuwe "
                "versie als u iets wilt aanpassen."), "error")
        return _to_review(collaboration, review)
    return render_template("reviews/evidence.html", collaboration=collaboration, review=review,
                           names=services.strategy_names(),
                           evidence=review_evidence.evidence_of(review),
                           candidates=review_evidence.candidates(review), form=EmptyForm())


@bp.post("/collaborations/<slug>/reviews/<int:review_id>/evidence")
def decide(slug: str, review_id: int):
    """Keep, drop or add one piece of evidence."""
    collaboration, review = _review(slug, review_id, edit=True)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    strategy = request.form.get("strategy", "")[:60]
    try:
        review_evidence.decide_evidence(review, strategy, request.form.get("ref", "")[:40],
                                 request.form.get("action", "")[:10])
    except services.ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        if review.is_adopted:
            return _to_review(collaboration, review)
    else:
        db.session.commit()
        flash(_("Het bewijs is bijgewerkt."), "success")
    anchor = f"#strategy-{strategy}" if strategy in STRATEGY_SLUGS else ""
    return redirect(url_for("reviews.evidence", slug=collaboration.slug,
                            review_id=review.id) + anchor)


# --- adopting and new versions -------------------------------------------------------------------


@bp.post("/collaborations/<slug>/reviews/<int:review_id>/adopt")
def adopt(slug: str, review_id: int):
    """Adopt the review: from now on it is frozen."""
    collaboration, review = _review(slug, review_id, edit=True)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    seen = request.form.get("version", "")
    if not seen.isdigit():
        flash(_("Het formulier kwam niet goed aan. De review is niet vastgesteld; probeer het "
                "opnieuw."), "error")
        return _to_review(collaboration, review)
    if request.form.get("confirmed") != "yes" and not review.is_adopted:
        # Adopting freezes the review for good: first a page that asks, without JavaScript.
        return render_template("reviews/adopt_confirm.html", collaboration=collaboration,
                               review=review, version=seen, form=form,
                               empty=adoption.empty_strategies(review))
    drawn = year_map(collaboration, review.year, current_access(),
                     saved.shown_by(review, collaboration), for_pdf=True)
    try:
        empty = adoption.adopt(review, int(seen), map_svg=drawn.svg,
                               map_print_svg=drawn.print_svg, map_key=drawn.key,
                               map_summary=drawn.summary if drawn.svg else drawn.problem,
                               threads=thread_snapshots("review", review.id, current_access()))
    except (services.ReviewError, StaleDataError) as exc:
        db.session.rollback()
        flash(str(exc) if isinstance(exc, services.ReviewError)
              else str(services.EditConflict()), "error")
        return _to_review(collaboration, review)
    db.session.commit()
    flash(_("De review over %(year)d is vastgesteld. Het verslag verandert niet meer als het "
            "logboek verandert.", year=review.year), "success")
    if empty:
        flash(_("Let op: bij %(names)s is niets ingevuld. Het verslag zegt dat er eerlijk bij.",
                names=", ".join(empty)), "info")
    return _to_review(collaboration, review)


@bp.post("/collaborations/<slug>/reviews/<int:review_id>/new-version")
def new_version(slug: str, review_id: int):
    """Copy an adopted review into a new draft of the same year, on purpose."""
    collaboration, review = _review(slug, review_id, edit=True)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        copy = adoption.new_version(review)
        # The story threads placed in the old version come along into the new draft.
        for _placement, thread in placed_in(PlacementKind.REVIEW, review.id):
            place_thread(thread, PlacementKind.REVIEW, copy.id)
        db.session.commit()
    except services.ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _to_review(collaboration, review)
    except IntegrityError:  # someone made the same new version at the same moment
        db.session.rollback()
        flash(_("Er is al een nieuwere versie van deze review. Werk daarin verder."), "error")
        return _to_review(collaboration, review)
    flash(_("Versie %(v)d van de review over %(year)d is gemaakt. Versie %(old)d blijft "
            "bewaard zoals hij was.", v=copy.version_number, year=copy.year,
            old=review.version_number), "success")
    return _to_review(collaboration, copy, "edit")


# --- the report ----------------------------------------------------------------------------------


@bp.get("/collaborations/<slug>/reviews/<int:review_id>")
def show(slug: str, review_id: int):
    """The review report: printable, and the starting point for editing."""
    collaboration, review = _review(slug, review_id, edit=False)
    return render_template("reviews/report.html", collaboration=collaboration, for_pdf=False,
                           form=EmptyForm(),
                           **report_context(collaboration, review, current_access()))


@bp.get("/collaborations/<slug>/reviews/<int:review_id>/report.pdf")
def report_pdf(slug: str, review_id: int):
    """The review report as PDF, to send to funders (needs WeasyPrint)."""
    collaboration, review = _review(slug, review_id, edit=False)
    if not pdf.available():
        return pdf.unavailable()
    html = render_template("reviews/report_pdf.html", collaboration=collaboration,
                           for_pdf=True, **report_context(collaboration, review, current_access(),
                                                          for_pdf=True))
    css = Path(current_app.static_folder) / "css"
    data = pdf.render(html, site_root(), [css / "report-pdf.css", css / "review-pdf.css",
                                             css / "paper-key.css"],
                      svg_data=True)
    response = Response(data, content_type="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="borgingsreview-{collaboration.slug}-{review.year}'
        f'-v{review.version_number}.pdf"')
    response.headers["Cache-Control"] = "private, no-cache"
    return response


# --- the hub overview ----------------------------------------------------------------------------


@bp.get("/hubs/<slug>/reviews")
def hub(slug: str):
    """All collaborations of a hub × the six strategies, for one year (coordinators)."""
    hub_obj = db.session.scalar(sa.select(Hub).where(Hub.slug == slug))
    if hub_obj is None:
        abort(404)
    if not current_access().manages_hub(hub_obj):
        abort(403)
    # Without a year asked for, the newest year with reviews (this calendar year may have
    # none yet); with no reviews at all, this year.
    years = services.hub_review_years(hub_obj)
    default = years[0] if years else services.year_of()
    raw = request.args.get("year", "").strip()
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else default
    if raw and str(year) != raw:
        flash(_("Dat jaar is niet te lezen; u ziet %(year)d.", year=year), "info")
    rows = services.hub_overview(hub_obj, year)
    counts = {value: sum(1 for row in rows for s in row.statuses.values() if s == value)
              for value in [*(k.value for k in STRATEGY_STATUS_LABELS), None]}
    return render_template("reviews/hub.html", hub=hub_obj, year=year, rows=rows, years=years,
                           names=services.strategy_names(), strategy_slugs=STRATEGY_SLUGS,
                           status_labels={k.value: v for k, v in STRATEGY_STATUS_LABELS.items()},
                           counts=counts)


@bp.post("/collaborations/<slug>/reviews/<int:review_id>/map-view")
def map_view(slug: str, review_id: int):
    """Choose the saved map view the review shows (none: the year on the timeline)."""
    collaboration, review = _review(slug, review_id, edit=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    text = request.form.get("view_id", "")
    try:
        saved.show_in(review, "review", collaboration, int(text) if text.isdigit() else None)
    except saved.ViewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("De kaart van de review is gekozen."), "success")
    return _to_review(collaboration, review)

