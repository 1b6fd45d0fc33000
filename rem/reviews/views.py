"""Pages of the annual borging review: list and open, fill in, evidence, adopt, new
version, the report (page and PDF) and the hub overview."""

from __future__ import annotations

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
from flask_babel import gettext as _
from markupsafe import Markup
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
from rem.reviews import adoption, comparison, radar, services
from rem.reviews import evidence as review_evidence
from rem.reviews.forms import NewReviewForm, review_form_class, score_field, strategy_field
from rem.reviews.maps import year_map
from rem.reviews.models import (
    CURRENT_PILLARS,
    NATIONAL_REFERENCE,
    OLDER_PILLARS,
    REVIEW_STATUS_LABELS,
    STRATEGY_SLUGS,
    STRATEGY_STATUS_LABELS,
    BorgingReview,
)
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
            form[name].data = _score_text(row.score)


def _score_text(score: float | None) -> str:
    if score is None:
        return ""
    return f"{score:g}".replace(".", ",")


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
    return render_template(
        "reviews/edit.html", collaboration=collaboration, review=review, form=form,
        names=services.strategy_names(), strategy_field=strategy_field,
        score_field=score_field, current_pillars=CURRENT_PILLARS, older_pillars=OLDER_PILLARS,
        previous=services.previous_review(review), score_text=_score_text), status


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
    drawn = year_map(collaboration, review.year, current_access(),
                         saved.shown_by(review, collaboration))
    try:
        empty = adoption.adopt(review, int(seen), map_svg=drawn.svg,
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


def _radar(review: BorgingReview, previous: BorgingReview | None, *, older: bool) -> dict:
    pillars = OLDER_PILLARS if older else CURRENT_PILLARS
    labels = [str(label) for label in pillars.values()]
    now = {s.pillar: s.score for s in review.scores}
    series = [radar.Series(_("Deze review (%(year)d)", year=review.year),
                           [now.get(p) for p in pillars], "#1f5fa8", fill="#1f5fa8")]
    before: dict[str, float] = {}
    if older:
        series.append(radar.Series(_("Landelijke score (543 vragenlijsten)"),
                                   [NATIONAL_REFERENCE[p] for p in pillars], "#555555",
                                   dash="3 4", marker=False))
    elif previous is not None:
        before = {s.pillar: s.score for s in previous.scores}
        if any(p in before for p in pillars):
            series.append(radar.Series(_("Vorig jaar (%(year)d)", year=previous.year),
                                       [before.get(p) for p in pillars], "#b35900",
                                       dash="8 5"))
    title = (_("Participatiespin, zeven pijlers van de oude participatiescan") if older
             else _("Participatiespin, vijf pijlers van de participatiescan"))
    parts = []
    for slug, label in pillars.items():
        score = now.get(slug)
        text = _("%(pillar)s: %(score)s", pillar=label,
                 score=_score_text(score) if score is not None else _("niet gescoord"))
        if older:
            text += " " + _("(landelijk %(ref)s)", ref=_score_text(NATIONAL_REFERENCE[slug]))
        elif slug in before:
            text += " " + _("(vorig jaar %(score)s)", score=_score_text(before[slug]))
        parts.append(text)
    description = _("Scores van 0 tot 5. ") + "; ".join(parts) + "."
    svg = radar.radar_svg(labels, series, title, description,
                          id_prefix="radar-old" if older else "radar-now")
    rows = [{"label": str(label), "now": now.get(slug),
             "before": before.get(slug) if not older else None,
             "reference": NATIONAL_REFERENCE.get(slug) if older else None}
            for slug, label in pillars.items()]
    scored = any(now.get(p) is not None for p in pillars)
    return {"svg": svg, "uri": radar.data_uri(svg), "title": title, "rows": rows,
            "scored": scored, "older": older,
            "has_before": bool(before) and not older}


def _report_context(collaboration: Collaboration, review: BorgingReview) -> dict:
    previous = services.previous_review(review)
    names = services.strategy_names()
    if review.is_adopted:
        map_svg = review.frozen_map_svg
        map_summary = review.frozen_map_summary or ""
        map_problem = None if map_svg else (review.frozen_map_summary or
                                            _("De kaart is bij het vaststellen niet bewaard."))
    else:
        drawn = year_map(collaboration, review.year, current_access(),
                         saved.shown_by(review, collaboration))
        map_svg, map_summary, map_problem = drawn.svg, drawn.summary, drawn.problem
    strategies = {s.strategy: s for s in review.strategies}
    radars = [_radar(review, previous, older=False)]
    if review.use_older_pillars:
        radars.append(_radar(review, previous, older=True))
    return {
        "saved_views": saved.views_of(collaboration),
        "review": review, "previous": previous, "names": names,
        "strategies": strategies, "strategy_slugs": STRATEGY_SLUGS,
        "status_labels": {k.value: v for k, v in STRATEGY_STATUS_LABELS.items()},
        "review_status_labels": {k.value: v for k, v in REVIEW_STATUS_LABELS.items()},
        "evidence": review_evidence.evidence_of(review, include_dropped=False),
        "empty": adoption.empty_strategies(review),
        "strategy_changes": comparison.strategy_changes(review, previous),
        "score_changes": comparison.score_changes(review, previous),
        "lists": comparison.year_lists(review),
        "story_threads": (list((review.frozen_extra or {}).get("threads", []))
                          if review.is_adopted else
                          thread_snapshots("review", review.id, current_access())),
        "radars": radars,
        "map_svg": Markup(map_svg) if map_svg else None,  # noqa: S704 - Graphviz output
        "map_uri": radar.data_uri(map_svg) if map_svg else None,
        "map_summary": map_summary, "map_problem": map_problem,
        "score_text": _score_text,
        "is_latest": services.is_latest_version(review),
        "can_edit": review_access.may_edit(current_access(), collaboration),
        "pdf_available": pdf.available(),
        "today": date.today(),
    }


@bp.get("/collaborations/<slug>/reviews/<int:review_id>")
def show(slug: str, review_id: int):
    """The review report: printable, and the starting point for editing."""
    collaboration, review = _review(slug, review_id, edit=False)
    return render_template("reviews/report.html", collaboration=collaboration, for_pdf=False,
                           form=EmptyForm(), **_report_context(collaboration, review))


@bp.get("/collaborations/<slug>/reviews/<int:review_id>/report.pdf")
def report_pdf(slug: str, review_id: int):
    """The review report as PDF, to send to funders (needs WeasyPrint)."""
    collaboration, review = _review(slug, review_id, edit=False)
    if not pdf.available():
        return pdf.unavailable()
    html = render_template("reviews/report_pdf.html", collaboration=collaboration,
                           for_pdf=True, **_report_context(collaboration, review))
    css = Path(current_app.static_folder) / "css"
    data = pdf.render(html, site_root(), [css / "report-pdf.css", css / "review-pdf.css"],
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
    raw = request.args.get("year", "").strip()
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else services.year_of()
    if raw and str(year) != raw:
        flash(_("Dat jaar is niet te lezen; u ziet %(year)d.", year=year), "info")
    rows = services.hub_overview(hub_obj, year)
    counts = {value: sum(1 for row in rows for s in row.statuses.values() if s == value)
              for value in [*(k.value for k in STRATEGY_STATUS_LABELS), None]}
    return render_template("reviews/hub.html", hub=hub_obj, year=year, rows=rows,
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

