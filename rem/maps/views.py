"""The ripple-map page and its downloads (SVG, PNG, PDF and DOT).

Downloads have stable, citable URLs: the layout and the filters are query
arguments. An unknown layout on the page falls back to the timeline with a
message; on a download it answers 400, because a citable URL must not quietly
mean something else. An unknown format is a 404.
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from rem.accounts.permissions import Access, current_access
from rem.codes.services import all_codebooks
from rem.collaborations.models import Collaboration
from rem.collaborations.views import collaboration_or_404
from rem.core.pagecache import cached_page
from rem.maps import renderer, workspace
from rem.maps.builder import (
    MapFilters,
    build_map,
    cached_download,
    download_alias,
    outline,
    parse_filters,
    render_cached,
    store_download,
    summary,
    summary_description,
)

log = logging.getLogger(__name__)

bp = Blueprint("maps", __name__)

DEFAULT_LAYOUT = "timeline"
FORMATS = ("svg", "png", "pdf", "dot")


def _known_codes(codebooks) -> set[str]:
    """Return the qualified slugs of every code."""
    return {f"{book.slug}:{code.slug}" for book in codebooks for code in book.codes}


def _missing_message() -> str:
    """Return the message for a server without Graphviz."""
    return _("Graphviz (het programma dot) is niet geïnstalleerd op de server. "
             "De DOT-download werkt wel.")


def _too_large_message(count: int) -> str:
    """Return the message for a map too large to draw."""
    return _("Deze kaart is te groot om te tekenen (%(n)d items). Gebruik een filter, "
             "bijvoorbeeld op periode of code.", n=count)


def _download_urls(slug: str, layout: str, filters: MapFilters) -> dict[str, str]:
    """Return the download URL of every format for this layout and these filters."""
    return {fmt: url_for("maps.download", slug=slug, fmt=fmt, layout=layout,
                         **filters.to_args())
            for fmt in FORMATS}


@bp.get("/collaborations/<slug>/map")
@cached_page
def show(slug: str):
    """Show the map with its filters, downloads and a text alternative."""
    collaboration = collaboration_or_404(slug)
    access = current_access()
    # The page polls itself (two people mapping at once): nothing changed, nothing to send.
    live_tag = workspace.state_tag(collaboration, access)
    if (unchanged := workspace.unchanged_poll(live_tag)) is not None:
        return unchanged
    codebooks = all_codebooks()
    filters, messages = parse_filters(request.args, _known_codes(codebooks))
    layout = request.args.get("layout", DEFAULT_LAYOUT)
    if layout not in renderer.LAYOUTS:
        messages.append(_("Deze kaartvorm bestaat niet; u ziet de tijdlijn."))
        layout = DEFAULT_LAYOUT
    built = build_map(collaboration, filters, access,
                      max_nodes=current_app.config["REM_MAP_MAX_NODES"])
    ripple_map = built.map
    count = built.too_many or len(ripple_map.nodes)
    marked = [node for node in ripple_map.nodes if node.highlight]
    highlight_title = next((node.title for node in marked if node.id == filters.highlight), None)
    if filters.highlight is not None and highlight_title is None and ripple_map.nodes:
        messages.append(_("Het item om te markeren staat niet op deze kaart; er is niets "
                          "gemarkeerd."))
    svg = None
    summary_svg = None
    problem = None
    if built.visible_count == 0:
        problem = "empty"
    elif count == 0:
        problem = "filtered_empty"
    elif built.summary is not None:
        # Too many items to draw one by one: say so, and draw them grouped instead.
        problem = _too_large_message(count)
        try:
            raw = render_cached(renderer.summary_to_dot(built.summary), "dot", "svg",
                                current_app.config["REM_DOT_TIMEOUT"])
            summary_svg = Markup(renderer.titled_svg(  # noqa: S704 - escaped Graphviz output
                raw, built.summary.title, summary_description(built.summary), inline=True))
        except renderer.MapRenderError:
            log.warning("the summarised map of %s could not be drawn", collaboration.slug,
                        exc_info=True)
    else:
        source = renderer.to_dot(ripple_map, layout)
        try:
            raw = render_cached(source, renderer.engine_for(layout), "svg",
                                current_app.config["REM_DOT_TIMEOUT"])
            svg = Markup(renderer.titled_svg(  # noqa: S704 - Graphviz output of escaped data
                raw, ripple_map.title, summary(ripple_map), inline=True))
        except renderer.GraphvizMissing:
            problem = _missing_message()
        except renderer.RenderTimeout:
            problem = _too_large_message(count)
        except renderer.MapRenderError:
            log.exception("rendering the map of %s failed", collaboration.slug)
            problem = _("De kaart kon niet worden getekend. De DOT-download werkt wel.")
    return render_template(
        "maps/show.html",
        collaboration=collaboration,
        ripple_map=ripple_map,
        layout=layout,
        layouts={"timeline": _("Tijdlijn"), "radial": _("Rimpels rond het midden")},
        filters=filters,
        filter_args=filters.to_args(),
        messages=messages,
        codebooks=codebooks,
        svg=svg,
        problem=problem,
        summary_map=built.summary,
        summary_svg=summary_svg,
        summary=(summary_description(built.summary) if built.summary is not None
                 else summary(ripple_map)),
        outline=outline(ripple_map),
        downloads=_download_urls(collaboration.slug, layout, filters),
        can_edit=access.edits(collaboration),
        full_size=request.args.get("size") == "full",
        reads_all=access.reads_all_of(collaboration),
        highlight_title=highlight_title,
        highlight_count=max(len(marked) - 1, 0),
        live_tag=live_tag,
    )


def _plain(message: str, status: int) -> Response:
    """Return a plain-text answer."""
    return Response(message + "\n", status=status, mimetype="text/plain")


def _draw_download(collaboration: Collaboration, filters: MapFilters, access: Access,
                   layout: str, fmt: str) -> bytes | Response:
    """Build and draw the map as ``fmt``; or the plain answer that says why it cannot."""
    limit = current_app.config["REM_MAP_MAX_NODES"]
    built = build_map(collaboration, filters, access,
                      max_nodes=None if fmt == "dot" else limit)
    if built.summary is not None:  # refused before the DOT text of every item is made
        return _plain(_too_large_message(built.too_many), 503)
    ripple_map = built.map
    if fmt != "dot" and len(ripple_map.nodes) > limit:
        return _plain(_too_large_message(len(ripple_map.nodes)), 503)
    engine = renderer.engine_for(layout)
    source = renderer.to_dot(ripple_map, layout)
    try:
        data = render_cached(source, engine, fmt, current_app.config["REM_DOT_TIMEOUT"])
    except renderer.GraphvizMissing:
        return _plain(_missing_message(), 503)
    except renderer.RenderTimeout:
        return _plain(_too_large_message(len(ripple_map.nodes)), 503)
    except renderer.MapRenderError:
        log.exception("rendering the map of %s failed", collaboration.slug)
        return _plain(_("De kaart kon niet worden getekend. De DOT-download werkt wel."), 500)
    if fmt == "svg":
        data = renderer.titled_svg(data, ripple_map.title, summary(ripple_map)).encode()
    return data


@bp.get("/collaborations/<slug>/map.<fmt>")
def download(slug: str, fmt: str):
    """Send the map as a file, with an ETag from the content key."""
    if fmt not in FORMATS:
        abort(404)
    collaboration = collaboration_or_404(slug)
    layout = request.args.get("layout", DEFAULT_LAYOUT)
    if layout not in renderer.LAYOUTS:
        return _plain(_("Onbekende kaartvorm. Kies layout=timeline of layout=radial."), 400)
    filters, _messages = parse_filters(request.args, _known_codes(all_codebooks()))
    access = current_access()
    # A map drawn before is found by what it is made of, without building it again.
    key = download_alias(collaboration, access, filters, layout, fmt)
    safe_slug = re.sub(r"[^A-Za-z0-9._-]", "-", collaboration.slug)
    disposition = f'inline; filename="{safe_slug}-ripple-map-{layout}.{fmt}"'
    if request.if_none_match.contains(key):
        response = Response(status=304)
    elif (stored := cached_download(key, fmt)) is not None:
        response = Response(stored, content_type=renderer.CONTENT_TYPES[fmt])
        response.headers["Content-Disposition"] = disposition
    else:
        drawn = _draw_download(collaboration, filters, access, layout, fmt)
        if isinstance(drawn, Response):
            return drawn
        store_download(key, fmt, drawn)
        response = Response(drawn, content_type=renderer.CONTENT_TYPES[fmt])
        response.headers["Content-Disposition"] = disposition
    response.set_etag(key)
    response.headers["Cache-Control"] = "private, no-cache"
    return response
