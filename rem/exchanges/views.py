"""Pages of learning exchanges: prepare, show the shared evidence, print the pack, record
outcomes and adopt them into a learning log."""

from __future__ import annotations

import re
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
from wtforms.fields.choices import SelectChoice

from rem.access import current_access
from rem.access import exchanges as exchange_access
from rem.codes.services import all_codebooks, code_by_qualified_slug
from rem.collaborations.models import Collaboration
from rem.core import pdf
from rem.core.forms import EmptyForm
from rem.core.http import saving
from rem.core.urls import site_root
from rem.exchanges import maps as exchange_maps
from rem.exchanges import services
from rem.exchanges.forms import AdoptForm, ExchangeForm, OutcomeForm
from rem.exchanges.models import OUTCOME_LABELS, ExchangeOutcome, LearningExchange
from rem.extensions import db
from rem.hubs.services import all_hubs
from rem.logbook import search as search_service
from rem.logbook.services import entries_citing
from rem.maps import saved as saved_views
from rem.threads.models import PlacementKind
from rem.threads.services import placed_threads
from rem.threads.targets import ThreadTarget, register_target

bp = Blueprint("exchanges", __name__, url_prefix="/exchanges")


def _describe_exchange(exchange_id: int) -> tuple[str, str] | None:
    exchange = db.session.get(LearningExchange, exchange_id)
    if exchange is None:
        return None
    return (_("Uitwisselingspakket: %(title)s", title=exchange.title),
            url_for("exchanges.pack", exchange_id=exchange.id))


register_target(bp, ThreadTarget(PlacementKind.EXCHANGE.value,
                                 services.thread_target_choices, _describe_exchange))


def _viewer() -> None:
    if not exchange_access.may_view(current_access()):
        abort(403)


def _exchange_or_404(exchange_id: int) -> LearningExchange:
    _viewer()
    exchange = db.session.get(LearningExchange, exchange_id)
    if exchange is None:
        abort(404)
    return exchange


def _managed(exchange_id: int) -> LearningExchange:
    exchange = _exchange_or_404(exchange_id)
    if not exchange_access.manages(current_access(), exchange):
        abort(403)
    return exchange


def _form(exchange: LearningExchange | None = None) -> ExchangeForm:
    form = ExchangeForm(obj=exchange)
    codebooks = all_codebooks()
    form.theme_code_id.choices = [SelectChoice("", _("(geen code: alleen een vraag)"))] + [
        SelectChoice(str(code.id), code.label, optgroup=book.label)
        for book in codebooks for code in book.codes]
    hubs = all_hubs()
    form.hubs.choices = [SelectChoice(h.id, h.name) for h in hubs if h.collaborations]
    form.collaborations.choices = [SelectChoice(c.id, c.name, optgroup=h.name)
                                   for h in hubs for c in h.collaborations]
    if request.method == "GET":
        if exchange is not None:
            form.theme_code_id.data = str(exchange.theme_code_id or "")
            form.collaborations.data = [c.id for c in exchange.participants]
            form.version.data = str(exchange.version)
        else:
            theme = request.args.get("theme", "")[:130]
            code = code_by_qualified_slug(theme) if ":" in theme else None
            if code is not None:
                form.theme_code_id.data = str(code.id)
    return form


def _input(form: ExchangeForm) -> services.ExchangeInput:
    theme = form.theme_code_id.data or ""
    return services.ExchangeInput(
        title=form.title.data or "",
        theme_code_id=int(theme) if theme.isdigit() else None,
        question=form.question.data or "",
        description=form.description.data or "",
        meeting_date=form.meeting_date.data,
        place=form.place.data or "",
        hub_ids=list(form.hubs.data or []),
        collaboration_ids=list(form.collaborations.data or []),
    )


def _render_form(form: ExchangeForm, exchange: LearningExchange | None, status: int = 200):
    return render_template("exchanges/form.html", form=form, exchange=exchange,
                           hubs=all_hubs()), status


@bp.get("")
def index():
    """List the learning exchanges."""
    _viewer()
    access = current_access()
    return render_template("exchanges/index.html",
                           exchanges=services.visible_exchanges(access),
                           can_create=exchange_access.may_create(access),
                           theme_label=services.theme_label)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Let a coordinator or administrator prepare an exchange."""
    _viewer()
    if not exchange_access.may_create(current_access()):
        abort(403)
    form = _form()
    if form.validate_on_submit():
        with saving(services.ExchangeError) as saved:
            exchange = services.create_exchange(_input(form))
            saved.flash(_("De leeruitwisseling is klaargezet. Hieronder staat het gedeelde "
                          "bewijs."))
        if saved:
            return redirect(url_for("exchanges.show", exchange_id=exchange.id))
    return _render_form(form, None)


@bp.route("/<int:exchange_id>/edit", methods=["GET", "POST"])
def edit(exchange_id: int):
    """Change the exchange's title, theme, participants, date or place."""
    exchange = _managed(exchange_id)
    form = _form(exchange)
    if form.validate_on_submit():
        with saving(services.ExchangeError) as done:
            services.update_exchange(exchange, _input(form), int(form.version.data or 0))
            done.flash(_("De wijzigingen zijn opgeslagen."))
        if done:
            return redirect(url_for("exchanges.show", exchange_id=exchange.id))
        if isinstance(done.error, services.EditConflict):
            form.version.data = str(exchange.version)  # a second save then replaces theirs
            return _render_form(form, exchange, 409)
    return _render_form(form, exchange)


def _context(exchange: LearningExchange, *, for_pdf: bool = False) -> dict:
    """Return what the exchange page and the pack both show (``for_pdf``: with the maps
    drawn for paper)."""
    logs = exchange_maps.participant_logs(exchange)  # first: it loads the hubs in one go
    themes = exchange_maps.participant_themes(logs)
    evidence = services.evidence(exchange)
    return {
        "exchange": exchange,
        "evidence": evidence,
        "theme": services.theme_label(exchange),
        "relevant": services.relevant_entries(exchange),
        "maps": exchange_maps.side_by_side(exchange, logs, themes, for_pdf=for_pdf),
        "combined": (exchange_maps.combined(exchange, logs, themes, for_pdf=for_pdf)
                     if len(logs) > 1 else None),
        "outcome_labels": OUTCOME_LABELS,
        "now_date": date.today(),
        # Story threads placed in this pack (rem.analysis): steps as the network sees them.
        "threads": placed_threads("exchange", exchange.id, exchange_access.network_view()),
    }


@bp.get("/<int:exchange_id>")
def show(exchange_id: int):
    """Show the exchange with its shared evidence, maps, lessons and outcomes."""
    exchange = _exchange_or_404(exchange_id)
    access = current_access()
    adopt_choices = services.adoptable_for(access, exchange)
    adopt_form = AdoptForm()
    adopt_form.collaboration_id.choices = [SelectChoice(c.id, c.name) for c in adopt_choices]
    return render_template(
        "exchanges/show.html", **_context(exchange),
        can_manage=exchange_access.manages(access, exchange), outcome_form=OutcomeForm(),
        button_form=EmptyForm(),
        adopt_form=adopt_form, adopt_choices=adopt_choices,
        visible_entry_ids={e.id for e in entries_citing(access, exchange_id=exchange.id)},
        pdf_available=pdf.available(),
        # Per participant its editors may choose: the saved views the exchange can show.
        view_choices=saved_views.live_views_of_many(
            [c for c in exchange.participants if access.edits(c)]),
    )


@bp.get("/<int:exchange_id>/evidence")
def evidence(exchange_id: int):
    """List the shared items and entries behind one cell of the evidence matrix."""
    exchange = _exchange_or_404(exchange_id)
    slug = request.args.get("collaboration", "")[:80]
    collaboration = next((c for c in exchange.participants if c.slug == slug), None)
    if collaboration is None:
        abort(404)
    code = None
    qualified = request.args.get("code", "").strip()[:130]
    if qualified:
        code = code_by_qualified_slug(qualified) if ":" in qualified else None
        if code is None:
            abort(404)
    items, entries = services.cell_evidence(exchange, collaboration, code)
    return render_template("exchanges/evidence.html", exchange=exchange,
                           collaboration=collaboration, code=code, items=items,
                           entries=entries)


@bp.post("/<int:exchange_id>/map-view")
def map_view(exchange_id: int):
    """Choose the saved map view the exchange (and its pack) shows of one participant;
    its editors decide how their map is shown."""
    exchange = _exchange_or_404(exchange_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    raw = request.form.get("collaboration", "")
    collaboration = next((c for c in exchange.participants if str(c.id) == raw), None)
    if collaboration is None:
        abort(404)
    if not current_access().edits(collaboration):
        abort(403)
    text = request.form.get("view", "")
    with saving(saved_views.ViewError) as saved:
        view = exchange_maps.show_view(exchange, collaboration,
                                       int(text) if text.isdigit() else None)
        saved.flash(_("De leeruitwisseling toont nu de weergave “%(name)s” van %(who)s.",
                      name=view.name, who=collaboration.name) if view else
                    _("De leeruitwisseling toont nu de hele kaart van %(who)s.",
                      who=collaboration.name))
    return redirect(url_for("exchanges.show", exchange_id=exchange.id) + "#maps-heading")


@bp.get("/<int:exchange_id>/pack")
def pack(exchange_id: int):
    """Show the exchange pack: one printable page to hand out at the meeting."""
    exchange = _exchange_or_404(exchange_id)
    return render_template("exchanges/pack.html", **_context(exchange), for_pdf=False,
                           pdf_available=pdf.available())


@bp.get("/<int:exchange_id>/pack.pdf")
def pack_pdf(exchange_id: int):
    """Send the exchange pack as a PDF (when WeasyPrint works on this server)."""
    exchange = _exchange_or_404(exchange_id)
    if not pdf.available():
        return Response(_("Een PDF maken kan niet op deze server (WeasyPrint ontbreekt). "
                          "Open het uitwisselingspakket en druk het af, of kies "
                          "‘Opslaan als PDF’ in het afdrukvenster.") + "\n",
                        status=503, mimetype="text/plain")
    html = render_template("exchanges/pack.html", **_context(exchange, for_pdf=True),
                           for_pdf=True, pdf_available=True)
    css = Path(current_app.static_folder) / "css"
    data = pdf.render(html, site_root(), [css / "pack.css", css / "exchange.css",
                                             css / "paper-key.css"])
    response = Response(data, mimetype="application/pdf")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", exchange.title).strip("-")[:60] or "uitwisseling"
    response.headers["Content-Disposition"] = (
        f'inline; filename="leeruitwisseling-{exchange.id}-{name}.pdf"')
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/<int:exchange_id>/search")
def search(exchange_id: int):
    """Search what the participants shared with the network, and nothing else."""
    exchange = _exchange_or_404(exchange_id)
    query, messages = search_service.parse_args(request.args)
    query.author_id = None  # names stay out of the exchange
    query.collaboration_ids = [c.id for c in exchange.participants]
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and len(page) < 4 else 1
    result = None
    if query.active and query.collaboration_ids:
        result = search_service.search(query, exchange_access.network_view(), page=page)
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    return render_template(
        "exchanges/search.html", exchange=exchange, query=query, result=result,
        messages=messages,
        page_url=lambda number: url_for("exchanges.search", exchange_id=exchange.id,
                                        page=number, **args),
    )


@bp.post("/<int:exchange_id>/outcomes")
def add_outcome(exchange_id: int):
    """Record an outcome of the meeting."""
    exchange = _managed(exchange_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        with saving(services.ExchangeError) as saved:
            services.add_outcome(exchange, form.kind.data, form.title.data or "",
                                 form.body.data or "", form.due_date.data)
            saved.flash(_("De uitkomst is opgeslagen. De deelnemers kunnen hem nu in hun "
                    "leerlogboek overnemen."))
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return redirect(url_for("exchanges.show", exchange_id=exchange.id, _anchor="outcomes"))


def _outcome_or_404(exchange: LearningExchange, outcome_id: int) -> ExchangeOutcome:
    outcome = db.session.get(ExchangeOutcome, outcome_id)
    if outcome is None or outcome.exchange_id != exchange.id:
        abort(404)
    return outcome


@bp.post("/<int:exchange_id>/outcomes/<int:outcome_id>/delete")
def delete_outcome(exchange_id: int, outcome_id: int):
    """Take an outcome away (not once it has been adopted)."""
    exchange = _managed(exchange_id)
    outcome = _outcome_or_404(exchange, outcome_id)
    if EmptyForm().validate_on_submit():
        with saving(services.ExchangeError) as saved:
            services.delete_outcome(outcome)
            saved.flash(_("De uitkomst is weggehaald."))
    return redirect(url_for("exchanges.show", exchange_id=exchange.id, _anchor="outcomes"))


@bp.post("/<int:exchange_id>/outcomes/<int:outcome_id>/adopt")
def adopt(exchange_id: int, outcome_id: int):
    """Put an outcome in a participating collaboration's learning log."""
    exchange = _exchange_or_404(exchange_id)
    outcome = _outcome_or_404(exchange, outcome_id)
    access = current_access()
    choices = services.adoptable_for(access, exchange)
    if not choices:
        abort(403)
    form = AdoptForm()
    form.collaboration_id.choices = [SelectChoice(c.id, c.name) for c in choices]
    if not form.validate_on_submit():
        flash(_("Kies het samenwerkingsverband in wiens leerlogboek de uitkomst komt."),
              "error")
        return redirect(url_for("exchanges.show", exchange_id=exchange.id, _anchor="outcomes"))
    collaboration = db.session.scalar(
        sa.select(Collaboration).where(Collaboration.id == form.collaboration_id.data))
    with saving(services.ExchangeError) as done:
        entry, created = services.adopt(outcome, collaboration)
        if created:
            done.flash(_("“%(title)s” staat nu in het leerlogboek van %(name)s.",
                         title=outcome.title, name=collaboration.name))
        else:
            done.flash(_("%(name)s had deze uitkomst al overgenomen.", name=collaboration.name),
                       "info")
    if not done:
        return redirect(url_for("exchanges.show", exchange_id=exchange.id, _anchor="outcomes"))
    return redirect(url_for("logbook.show", slug=collaboration.slug, entry_id=entry.id))
