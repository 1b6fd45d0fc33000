"""The ripple-map page, its downloads (SVG, PNG, PDF and DOT) and saved views.

Downloads have stable, citable URLs: the layout, the drawing options and the filters
are query arguments. An unknown layout, option or unreadable filter (a date such as
"lente") on the page falls back to the default with a message; on a download it answers
400, because a citable URL must not quietly
mean something else. An unknown format is a 404. Every download is an attachment.
"""

from __future__ import annotations

import logging
import re

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
from werkzeug.datastructures import MultiDict

from rem.access import Access, current_access
from rem.access.routes import collaboration_or_404, collaboration_route
from rem.codes.services import all_codebooks
from rem.collaborations.models import Collaboration
from rem.core import pdf
from rem.core.forms import EmptyForm
from rem.core.http import conditional, saving
from rem.extensions import db
from rem.maps import drawing, live, paper, renderer, saved
from rem.maps.builder import build_map, summary, summary_description
from rem.maps.cache import cached_download, download_alias, render_cached, store_download
from rem.maps.filters import (
    MapFilters,
    MapOptions,
    describe,
    parse_filters,
    parse_options,
    refusal,
)
from rem.maps.models import SavedView
from rem.maps.outline import outline
from rem.themes.services import themes_of

log = logging.getLogger(__name__)

bp = Blueprint("maps", __name__)

FORMATS = ("svg", "png", "pdf", "dot")
MIN_WIDTH, MAX_WIDTH = 200, 8000
# Above this many items the map page leaves its text alternative out (it is as long as
# the drawing: half a megabyte at 1,000 items) and loads it when it is reached, or on its
# own page (maps.outline) without JavaScript.
OUTLINE_INLINE_NODES = 200


def _request_filters(collaboration: Collaboration) -> MapFilters:
    """Read the filters of a request for a drawing or a file (its messages are the map
    page's). The codes and themes that exist are loaded only when the request names some:
    most ask for the whole map."""
    args = request.args
    known_codes = (set(_code_labels(all_codebooks()))
                   if any(code.strip() for code in args.getlist("code")) else None)
    known_themes = ({t.id for t in themes_of(collaboration)} if args.getlist("theme")
                    else None)
    return parse_filters(args, known_codes, known_themes)[0]


def _code_labels(codebooks) -> dict[str, str]:
    """Return the label of every code by its qualified slug."""
    return {f"{book.slug}:{code.slug}": code.label for book in codebooks for code in book.codes}


def _missing_message() -> str:
    """Return the message for a server without Graphviz."""
    return _("Graphviz (het programma dot) is niet geïnstalleerd op de server. "
             "Het Graphviz-bestand (.dot) kunt u wel downloaden.")


def _not_drawn_message() -> str:
    """Return the message for a map Graphviz could not draw."""
    return _("De kaart kon niet worden getekend. Het Graphviz-bestand (.dot) kunt u wel "
             "downloaden.")


def _too_large_message(count: int) -> str:
    """Return the message for a map too large to draw."""
    return _("Deze kaart is te groot om te tekenen (%(n)d items). Gebruik een filter, "
             "bijvoorbeeld op periode of code.", n=count)


def _download_urls(slug: str, args: dict) -> dict[str, str]:
    """Return the download URL of every format for these arguments."""
    urls = {fmt: url_for("maps.download", slug=slug, fmt=fmt, **args) for fmt in FORMATS}
    urls["pdf_a3"] = url_for("maps.download", slug=slug, fmt="pdf", paper="a3", **args)
    urls["png_slide"] = url_for("maps.download", slug=slug, fmt="png", width=1920, **args)
    return urls


def map_page(collaboration: Collaboration, args: MultiDict, *, view=None):
    """Render the map page for ``args`` (the query string, or a saved view's arguments)."""
    access = current_access()
    # The page polls itself (two people mapping at once): nothing changed, nothing to send.
    live_tag = live.state_tag(collaboration, access)
    if (unchanged := live.unchanged_poll(live_tag)) is not None:
        return unchanged
    codebooks = all_codebooks()
    themes = themes_of(collaboration)
    code_labels = _code_labels(codebooks)
    filters, messages = parse_filters(args, set(code_labels), {t.id for t in themes})
    options, option_messages = parse_options(args)
    messages += option_messages
    kept = live.kept_map(collaboration, filters, access, options,
                         max_nodes=current_app.config["REM_MAP_MAX_NODES"], tag=live_tag)
    built = kept.built
    ripple_map = built.map
    count = built.too_many or len(ripple_map.nodes)
    marked = [node for node in ripple_map.nodes if node.highlight]
    highlight_title = next((node.title for node in marked if node.id == filters.highlight), None)
    if filters.highlight is not None and highlight_title is None and ripple_map.nodes:
        messages.append(_("Het item om te markeren staat niet op deze kaart; er is niets "
                          "gemarkeerd."))
    timeout = current_app.config["REM_DOT_TIMEOUT"]
    svg = summary_svg = problem = drawing_url = None
    if built.visible_count == 0:
        problem = "empty"
    elif count == 0:
        problem = "filtered_empty"
    elif built.summary is not None:
        # Too many items to draw one by one: say so, and draw them grouped instead.
        problem = _too_large_message(count)
        try:
            raw = render_cached(renderer.summary_to_dot(built.summary), "dot", "svg", timeout)
            summary_svg = Markup(renderer.titled_svg(  # noqa: S704 - escaped Graphviz output
                raw, built.summary.title, summary_description(built.summary), inline=True))
        except renderer.MapRenderError:
            log.warning("the summarised map of %s could not be drawn", collaboration.slug,
                        exc_info=True)
    elif len(ripple_map.nodes) > current_app.config["REM_MAP_INLINE_NODES"]:
        # A large drawing comes after the page (static/js/map-view.js; a plain link
        # without JavaScript): inline it would make the page megabytes long.
        drawing_url = url_for("maps.drawing", slug=collaboration.slug,
                              **{**options.to_args(), **filters.to_args()})
    else:
        try:
            # Graphviz output of escaped data
            svg = Markup(kept.page_svg(timeout))  # noqa: S704
        except renderer.GraphvizMissing:
            problem = _missing_message()
        except renderer.RenderTimeout:
            problem = _too_large_message(count)
        except renderer.MapRenderError:
            log.exception("rendering the map of %s failed", collaboration.slug)
            problem = _not_drawn_message()
    args_now = {**options.to_args(), **filters.to_args()}
    return render_template(
        "maps/show.html",
        collaboration=collaboration,
        ripple_map=ripple_map,
        layout=options.layout,
        options=options,
        layouts={"timeline": _("Tijdlijn"), "radial": _("Rimpels rond het midden")},
        filters=filters,
        filter_text=describe(filters, code_labels, {t.id: t.name for t in themes}),
        chosen_codes=[code_labels[code] for code in filters.codes],
        filter_args=filters.to_args(),
        option_args=options.to_args(),
        map_args=args_now,
        messages=messages,
        codebooks=codebooks,
        themes=themes,
        svg=svg,
        drawing_url=drawing_url,
        problem=problem,
        summary_map=built.summary,
        summary_svg=summary_svg,
        summary=(summary_description(built.summary) if built.summary is not None
                 else summary(ripple_map)),
        outline=(outline(ripple_map) if len(ripple_map.nodes) <= OUTLINE_INLINE_NODES
                 else None),
        outline_url=url_for("maps.outline", slug=collaboration.slug, **args_now),
        downloads=_download_urls(collaboration.slug, args_now),
        can_edit=access.edits(collaboration),
        full_size=args.get("size") == "full",
        reads_all=access.reads_all_of(collaboration),
        highlight_title=highlight_title,
        highlight_count=max(len(marked) - 1, 0),
        saved_views=saved.views_of(collaboration) if access.reads_all_of(collaboration) else [],
        current_view=view,
        form=EmptyForm(),
        live_tag=live_tag,
    )


def _built_from_request(slug: str):
    """The collaboration, the request's filters and options, and the map they give (for
    the parts of a map page that are loaded on their own)."""
    collaboration = collaboration_or_404(slug)
    filters = _request_filters(collaboration)
    options, _option_messages = parse_options(request.args)
    kept = live.kept_map(collaboration, filters, current_access(), options,
                         max_nodes=current_app.config["REM_MAP_MAX_NODES"])
    return collaboration, filters, options, kept


@bp.get("/collaborations/<slug>/map/outline", endpoint="outline")
def outline_page(slug: str):
    """The map as nested lists, with the same filters: on its own page, or (asked by
    htmx from the map page of a large map) only the lists."""
    collaboration, filters, options, kept = _built_from_request(slug)
    template = ("maps/_outline_body.html" if request.headers.get("HX-Request")
                else "maps/outline.html")
    args_now = {**options.to_args(), **filters.to_args()}
    return render_template(template, collaboration=collaboration, outline=outline(kept.built.map),
                           map_url=url_for("maps.show", slug=collaboration.slug, **args_now))


@bp.get("/collaborations/<slug>/map/drawing", endpoint="drawing")
def drawing_only(slug: str):
    """The drawing of a map alone (the map page's slimmed SVG, with the same filters and
    options): the page of a large map loads it after itself, or opens it without
    JavaScript."""
    collaboration, _filters, _options, kept = _built_from_request(slug)
    built = kept.built
    if built.summary is not None:
        return _plain(_too_large_message(built.too_many), 503)
    if not built.map.nodes:
        return _plain(_("Geen activiteiten of effecten passen bij dit filter."), 404)
    try:
        text = kept.page_svg(current_app.config["REM_DOT_TIMEOUT"])
    except renderer.GraphvizMissing:
        return _plain(_missing_message(), 503)
    except renderer.RenderTimeout:
        return _plain(_too_large_message(len(built.map.nodes)), 503)
    except renderer.MapRenderError:
        log.exception("rendering the map of %s failed", collaboration.slug)
        return _plain(_not_drawn_message(), 500)
    response = Response(text, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/collaborations/<slug>/map")
def show(slug: str):
    """Show the map with its filters, options, downloads and a text alternative."""
    return map_page(collaboration_or_404(slug), request.args)


def _plain(message: str, status: int) -> Response:
    """Return a plain-text answer."""
    return Response(message + "\n", status=status, mimetype="text/plain")


def _width(fmt: str) -> tuple[int | None, str | None]:
    """Read ?width= (pixels, for SVG and PNG); return it or the reason it is refused."""
    text = request.args.get("width", "").strip()
    if not text:
        return None, None
    if fmt not in ("svg", "png"):
        return None, _("Een breedte (width=) kan alleen bij SVG en PNG.")
    if not text.isdigit() or not MIN_WIDTH <= int(text) <= MAX_WIDTH:
        return None, _("De breedte is een heel getal van %(low)d tot %(high)d pixels.",
                       low=MIN_WIDTH, high=MAX_WIDTH)
    return int(text), None


def _paper(fmt: str) -> tuple[str, str | None]:
    """Read ?paper= (a4 or a3, for PDF); return it or the reason it is refused."""
    text = request.args.get("paper", "").strip().lower()
    if not text:
        return "a4", None
    if fmt != "pdf" or text not in paper.PAPERS:
        return "a4", _("Kies paper=a4 of paper=a3 (alleen bij PDF).")
    return text, None


def _draw_download(collaboration: Collaboration, filters: MapFilters, options: MapOptions,
                   access: Access, fmt: str, width: int | None, sheet: str
                   ) -> bytes | Response:
    """Build and draw the map as ``fmt``; or the plain answer that says why it cannot."""
    limit = current_app.config["REM_MAP_MAX_NODES"]
    timeout = current_app.config["REM_DOT_TIMEOUT"]
    built = build_map(collaboration, filters, access, options=options,
                      max_nodes=None if fmt == "dot" else limit, external_links=True)
    if built.summary is not None:  # refused before the DOT text of every item is made
        return _plain(_too_large_message(built.too_many), 503)
    ripple_map = built.map
    if fmt != "dot" and len(ripple_map.nodes) > limit:
        return _plain(_too_large_message(len(ripple_map.nodes)), 503)
    if fmt == "pdf" and not pdf.available():
        return pdf.unavailable()
    engine = renderer.engine_for(options.layout)
    try:
        source = drawing.dot_source(ripple_map, options.layout, timeout)
        if fmt == "png" and width:
            source = renderer.sized_source(source, width)
        data = render_cached(source, engine, "svg" if fmt == "pdf" else fmt, timeout)
    except renderer.GraphvizMissing:
        return _plain(_missing_message(), 503)
    except renderer.RenderTimeout:
        return _plain(_too_large_message(len(ripple_map.nodes)), 503)
    except renderer.MapRenderError:
        log.exception("rendering the map of %s failed", collaboration.slug)
        return _plain(_not_drawn_message(), 500)
    if fmt == "svg":
        if width:
            text = renderer.titled_svg(data, ripple_map.title, summary(ripple_map))
            data = renderer.with_width(text, width).encode()
        else:
            data = renderer.titled_svg_bytes(data, ripple_map.title, summary(ripple_map))
    elif fmt == "pdf":
        description = summary(ripple_map)
        text = renderer.titled_svg(data, ripple_map.title, description)
        printed = drawing.print_svg(source, engine, ripple_map.title, description, timeout)
        # Each item in the PDF links to its page, as in the screen SVG.
        links = paper.node_links(text)
        if printed:
            links = paper.scaled_links(links, paper.size_of(printed)[0] / paper.size_of(text)[0])
        try:
            data, _plan = paper.pdf_pages(printed or text, ripple_map.title, sheet,
                                          smallest=paper.smallest_font(text), links=links)
        except paper.TooLarge:
            return _plain(_("Deze kaart is te groot voor %(paper)s: de tekst zou onleesbaar "
                            "klein worden of over meer dan %(n)d bladen gaan. Kies A3, een "
                            "filter, of download de SVG.", paper=sheet.upper(),
                            n=paper.MAX_PAGES), 413)
    return data


@bp.get("/collaborations/<slug>/map.<fmt>")
def download(slug: str, fmt: str):
    """Send the map as a file (an attachment), with an ETag from what it is made of."""
    if fmt not in FORMATS:
        abort(404)
    collaboration = collaboration_or_404(slug)
    options, problems = parse_options(request.args, strict=True)
    width, problem_width = _width(fmt)
    sheet, problem_paper = _paper(fmt)
    problems += [p for p in (problem_width, problem_paper) if p]
    if problems:
        return _plain(" ".join(problems), 400)
    filters = _request_filters(collaboration)
    if (refused := refusal(filters)) is not None:
        return _plain(refused, 400)
    access = current_access()
    # A map drawn before is found by what it is made of, without building it again.
    what = repr((options, filters, width, sheet if fmt == "pdf" else None))
    key = download_alias(collaboration, access, what, fmt)
    safe_slug = re.sub(r"[^A-Za-z0-9._-]", "-", collaboration.slug)
    disposition = f'attachment; filename="{safe_slug}-ripple-map-{options.layout}.{fmt}"'

    def make() -> Response:
        drawn = cached_download(key, fmt)
        if drawn is None:
            drawn = _draw_download(collaboration, filters, options, access, fmt, width, sheet)
            if isinstance(drawn, Response):
                return drawn
            store_download(key, fmt, drawn)
        response = Response(drawn, content_type=renderer.CONTENT_TYPES[fmt])
        response.headers["Content-Disposition"] = disposition
        return response

    # The alias already holds the data and theme fingerprints and the person's access.
    return conditional([key], make)


# --- saved views: a view is shown to everyone who reads all of its collaboration (others
# get 404: its name and choices are the collaboration's own); editors make and change them.


def _form_sent() -> None:
    """Refuse a change without its CSRF token (400), as every form of the app does."""
    if not EmptyForm().validate_on_submit():
        abort(400)


def _view(collaboration, view_id: int) -> SavedView:
    view = db.session.get(SavedView, view_id)
    if view is None or view.collaboration_id != collaboration.id:
        abort(404)
    return view


@bp.post("/collaborations/<slug>/map/views")
@collaboration_route(Access.edits)
def view_create(collaboration: Collaboration):
    """Save the map arguments of the form as a named view."""
    _form_sent()
    with saving(saved.ViewError) as done:
        view = saved.create_view(collaboration, request.form.get("name", ""), request.form)
        done.flash(_("De weergave “%(name)s” is opgeslagen.", name=view.name))
    if not done:
        return redirect(url_for("maps.show", slug=collaboration.slug,
                                **saved.canonical(request.form)))
    return redirect(url_for("maps.view_show", slug=collaboration.slug, view_id=view.id))


@bp.get("/collaborations/<slug>/map/views/<int:view_id>")
@collaboration_route()
def view_show(collaboration: Collaboration, view_id: int):
    """Show the map as the view says (its stable URL)."""
    if not current_access().reads_all_of(collaboration):
        abort(404)  # a view's name and choices are the collaboration's own
    view = _view(collaboration, view_id)
    if view.deleted_at is not None:
        flash(_("Deze weergave staat in de prullenbak."), "warning")
    return map_page(collaboration, saved.as_args(view), view=view)


@bp.post("/collaborations/<slug>/map/views/<int:view_id>/edit")
@collaboration_route(Access.edits)
def view_edit(collaboration: Collaboration, view_id: int):
    """Rename the view; with ``replace`` also store the map arguments of the form."""
    _form_sent()
    view = _view(collaboration, view_id)
    version = request.form.get("version", "")
    with saving(saved.ViewError) as done:
        saved.update_view(view, request.form.get("name", view.name),
                          int(version) if version.isdigit() else view.version,
                          request.form if request.form.get("replace") else None)
        done.flash(_("De weergave is bijgewerkt."))
    return redirect(url_for("maps.view_show", slug=collaboration.slug, view_id=view_id))


@bp.post("/collaborations/<slug>/map/views/<int:view_id>/delete")
@collaboration_route(Access.edits)
def view_delete(collaboration: Collaboration, view_id: int):
    """Move the view to the bin."""
    _form_sent()
    view = _view(collaboration, view_id)
    with saving() as done:
        saved.delete_view(view)
        done.flash(_("De weergave “%(name)s” staat in de prullenbak.", name=view.name))
    return redirect(url_for("maps.show", slug=collaboration.slug))


@bp.post("/collaborations/<slug>/map/views/<int:view_id>/restore")
@collaboration_route(Access.edits)
def view_restore(collaboration: Collaboration, view_id: int):
    """Take the view out of the bin."""
    _form_sent()
    view = _view(collaboration, view_id)
    with saving() as done:
        saved.restore_view(view)
        done.flash(_("De weergave is teruggezet."))
    return redirect(url_for("maps.view_show", slug=collaboration.slug, view_id=view_id))
