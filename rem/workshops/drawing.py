"""Draw session maps with the ripple-map builder and renderer (Graphviz stays in there)."""

from __future__ import annotations

import base64
import logging
import math
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup

from rem.collaborations.models import Collaboration
from rem.core import pdf
from rem.maps import drawing, periods, renderer
from rem.maps.builder import for_projector, map_from_log, summary
from rem.maps.filters import MapFilters, MapOptions
from rem.maps.model import RippleMap
from rem.ripples.logview import LogView

log = logging.getLogger(__name__)
# The projector's columns are headed by the periods they span: months or quarters while
# the items fall in at most this many, else years.
PROJECTOR_PERIODS = 12
# The projector's map box takes the screen's shape (a 4:3 projector, a window that is not
# full screen); the page says which (static/js/sessions.js), in twentieths, so that a few
# shapes cover every screen and each is drawn once (drawings are cached by their DOT).
SHAPE_STEPS = 20
SHAPE_RANGE = (0.8, 3.0)


def screen_shape(text: str | None) -> float | None:
    """Return the map box's shape (width / height) the page asked for, in twentieths and
    within SHAPE_RANGE; None when it asked for none or for something that is no number."""
    try:
        value = float(text or "")
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    value = min(max(value, SHAPE_RANGE[0]), SHAPE_RANGE[1])
    return round(value * SHAPE_STEPS) / SHAPE_STEPS


def drawn_shape(shape: float | None) -> float:
    """Return the shape the wall is drawn in when the page asked for ``shape``."""
    return shape or round(renderer.WALL_ASPECT * SHAPE_STEPS) / SHAPE_STEPS


@dataclass
class Drawing:
    """A drawn map, or the reason there is none."""

    map: RippleMap
    svg: Markup | None
    problem: str | None
    summary: str
    # For the PDF (drawn only when asked): the map's print SVG as a data: URI (WeasyPrint
    # scales an image, not inline SVG; rem.maps.drawing.print_svg says why a print SVG).
    data_uri: str | None = None
    # Its legend as text, for paper (rem.maps.drawing.paper_key).
    key: list[list[str]] = field(default_factory=list)


def _prefix_ids(svg: str, prefix: str) -> str:
    """Give every id in ``svg`` (and the references to them) a prefix, so that two maps
    can share one page."""
    for attribute in ("id", "aria-labelledby", "aria-describedby"):
        svg = svg.replace(f' {attribute}="', f' {attribute}="{prefix}')
    return svg


def draw(collaboration: Collaboration, log_view: LogView, title: str,
         layout: str = "timeline", id_prefix: str = "",
         view: tuple[MapFilters, MapOptions] | None = None, projector: bool = False,
         contrast: bool = False, for_pdf: bool = False, shape: float | None = None,
         as_paper: bool = False) -> Drawing:
    """Return the map of ``log_view`` as inline SVG (cached by its DOT source); ``view``
    (a saved view's filters and options) draws it that way; ``projector`` draws it for
    the wall (large text, no legend: rem.maps.builder.for_projector; a timeline of up to
    WALL_MAX_ITEMS items in the shape of the screen's map box, ``shape``, the renderer's
    "wall"; ``contrast``: bold labels); ``for_pdf`` also draws it for paper
    (``data_uri``); ``as_paper``: the inline SVG too is drawn as paper draws it (a
    timeline in date columns, with ``key``), for a report read on the screen."""
    filters, options = view if view is not None else (MapFilters(), MapOptions(layout=layout))
    if projector and view is None:
        options.granularity = periods.projector_granularity(log_view.items,
                                                            columns=PROJECTOR_PERIODS)
    layout = options.layout
    ripple_map = map_from_log(collaboration, log_view, filters, options)
    if projector:
        for_projector(ripple_map, bold=contrast, aspect=shape)
        if layout == "timeline" and len(ripple_map.nodes) <= renderer.WALL_MAX_ITEMS:
            layout = "wall"
    ripple_map.title = title
    text = summary(ripple_map)
    count = len(ripple_map.nodes)
    if count == 0:
        return Drawing(ripple_map, None, _("Nog geen activiteiten of effecten."), text)
    if count > current_app.config["REM_MAP_MAX_NODES"]:
        return Drawing(ripple_map, None, _("Deze kaart is te groot om te tekenen (%(n)d items).",
                                           n=count), text)
    timeout = current_app.config["REM_DOT_TIMEOUT"]
    data_uri = None
    key: list[list[str]] = []
    try:
        if for_pdf or as_paper:
            svg_text, paper_text, print_text = drawing.paper_svgs(ripple_map, layout, timeout,
                                                                  description=text)
            key = drawing.paper_key(ripple_map, layout)
            if for_pdf:
                data_uri = pdf.SVG_DATA + base64.b64encode(print_text.encode()).decode()
            if as_paper:
                svg_text = paper_text
        else:
            svg_text = drawing.svg(ripple_map, layout, timeout, description=text)
        if id_prefix:
            svg_text = _prefix_ids(svg_text, id_prefix)
        svg = Markup(svg_text)  # noqa: S704 - Graphviz output of escaped data
    except renderer.GraphvizMissing:
        return Drawing(ripple_map, None, _("Graphviz (het programma dot) is niet geïnstalleerd "
                                           "op de server."), text)
    except renderer.MapRenderError:
        log.exception("drawing the session map of %s failed", collaboration.slug)
        return Drawing(ripple_map, None, _("De kaart kon niet worden getekend."), text)
    return Drawing(ripple_map, svg, None, text, data_uri, key)
