"""The map of the review's year, drawn through the ripple-map builder and renderer."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import current_app, has_request_context
from flask_babel import gettext as _

from rem.access import Access
from rem.collaborations.models import Collaboration
from rem.maps import drawing, renderer
from rem.maps.builder import map_from_log, summary
from rem.maps.filters import MapFilters, MapOptions
from rem.reviews.services import year_period
from rem.ripples.logview import load_log

log = logging.getLogger(__name__)


@dataclass
class YearMap:
    """The SVG of the year's map (inline), its text summary, or why there is none; when
    asked, also the SVG a PDF prints (rem.maps.drawing.print_svg)."""

    svg: str | None
    summary: str
    problem: str | None
    print_svg: str | None = None
    # Its legend as text, for paper (rem.maps.drawing.paper_key).
    key: list[list[str]] = field(default_factory=list)
    # The map in its paper layout with its text left to the browser (rem.maps.drawing.
    # paper_svgs): what the report page shows.
    paper_svg: str | None = None


def year_map(collaboration: Collaboration, year: int, access: Access,
             view: tuple[MapFilters, MapOptions] | None = None, *,
             for_pdf: bool = False) -> YearMap:
    """Draw the items of ``year`` that ``access`` may see (on the timeline, or as the saved
    ``view`` says), with the earlier causes of the year's effects greyed out; ``for_pdf``:
    for paper too (a PDF, or adopting: the frozen map is kept both ways)."""
    if not has_request_context():  # url_for in the builder needs one (demo loader, CLI)
        with current_app.test_request_context():
            return year_map(collaboration, year, access, view, for_pdf=for_pdf)
    period = year_period(year)
    log_view = load_log(collaboration, access.item_clause(collaboration))
    filters, options = view if view is not None else (MapFilters(), MapOptions())
    filters.date_from = filters.date_to = period
    ripple_map = map_from_log(collaboration, log_view, filters, options, earlier_causes=True)
    ripple_map.title = _("Rimpelkaart %(name)s, %(year)d", name=collaboration.name, year=year)
    text = summary(ripple_map)
    count = len(ripple_map.nodes)
    if count == 0:
        return YearMap(None, text, _("In %(year)d staan geen activiteiten of effecten in het "
                                     "logboek.", year=year))
    if count > current_app.config["REM_MAP_MAX_NODES"]:
        return YearMap(None, text, _("Deze kaart is te groot om te tekenen (%(n)d items).",
                                     n=count))
    timeout = current_app.config["REM_DOT_TIMEOUT"]
    print_svg = paper_svg = None
    key: list[list[str]] = []
    try:
        if for_pdf:
            svg, paper_svg, print_svg = drawing.paper_svgs(ripple_map, options.layout,
                                                           timeout, description=text)
            key = drawing.paper_key(ripple_map, options.layout)
        else:
            svg = drawing.svg(ripple_map, options.layout, timeout, description=text)
    except renderer.GraphvizMissing:
        return YearMap(None, text, _("Graphviz (het programma dot) is niet geïnstalleerd op de "
                                     "server."))
    except renderer.MapRenderError:
        log.exception("drawing the review map of %s failed", collaboration.slug)
        return YearMap(None, text, _("De kaart kon niet worden getekend."))
    return YearMap(svg, text, None, print_svg, key, paper_svg)
