"""The ripple maps of an exchange: each collaboration's map side by side, and one combined map.

Maps are built by ``rem.maps.builder`` with :func:`network_view` (only what was
shared with the network) and filtered to the exchange's theme code; they are
drawn by ``rem.maps.renderer`` (the only module that runs Graphviz) through the
builder's render cache. Several SVGs on one page would repeat the same ids
(``map-title``, ``legend``, ``item-12``), so each gets its own id prefix.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm.attributes import set_committed_value

from rem.access.exchanges import network_view
from rem.collaborations.models import Collaboration
from rem.exchanges.models import LearningExchange
from rem.extensions import db
from rem.hubs.models import Hub
from rem.maps import renderer
from rem.maps.builder import combined_map, map_from_log, summary
from rem.maps.cache import render_cached
from rem.maps.filters import MapFilters
from rem.maps.model import RippleMap
from rem.maps.outline import Outline, outline
from rem.ripples.services import LogView, load_log

log = logging.getLogger(__name__)

LAYOUT = "timeline"

_ID_RE = re.compile(r'\bid="([^"]*)"')
_REF_RE = re.compile(r'\b(aria-labelledby|aria-describedby)="([^"]*)"')
_HASH_RE = re.compile(r'((?:xlink:)?href)="#([^"]*)"')
_URL_RE = re.compile(r"url\(#([^)]*)\)")


def prefix_ids(svg: str, prefix: str) -> str:
    """Give every id in ``svg`` (and every reference to one) the prefix ``prefix-``."""
    svg = _ID_RE.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = _REF_RE.sub(lambda m: f'{m.group(1)}="'
                      + " ".join(f"{prefix}-{ref}" for ref in m.group(2).split()) + '"', svg)
    svg = _HASH_RE.sub(lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"', svg)
    return _URL_RE.sub(lambda m: f"url(#{prefix}-{m.group(1)})", svg)


@dataclass
class ExchangeMap:
    """One drawn map, or the reason there is none, with its text alternative."""

    key: str
    title: str
    collaboration: Collaboration | None
    svg: Markup | None
    problem: str | None
    outline: Outline
    description: str
    nodes: int


def theme_filters(exchange: LearningExchange) -> MapFilters:
    """Return the map filters for the exchange's theme (no filter for a question only)."""
    if exchange.theme_code is not None:
        return MapFilters(codes=[exchange.theme_code.qualified_slug])
    return MapFilters()


def _draw(key: str, ripple_map: RippleMap, collaboration: Collaboration | None,
          empty_message: str) -> ExchangeMap:
    count = len(ripple_map.nodes)
    description = summary(ripple_map)
    svg = None
    problem = None
    if count == 0:
        problem = empty_message
    elif count > current_app.config["REM_MAP_MAX_NODES"]:
        problem = _("Deze kaart is te groot om te tekenen (%(n)d items).", n=count)
    else:
        source = renderer.to_dot(ripple_map, LAYOUT)
        try:
            raw = render_cached(source, renderer.engine_for(LAYOUT), "svg",
                                current_app.config["REM_DOT_TIMEOUT"])
            text = renderer.titled_svg(raw, ripple_map.title, description, inline=True)
            svg = Markup(prefix_ids(text, key))  # noqa: S704 - Graphviz output of escaped data
        except renderer.GraphvizMissing:
            problem = _("Graphviz (het programma dot) is niet geïnstalleerd op de server. "
                        "Hieronder staat de kaart als lijst.")
        except renderer.RenderTimeout:
            problem = _("Deze kaart is te groot om te tekenen (%(n)d items).", n=count)
        except renderer.MapRenderError:
            log.exception("rendering an exchange map failed")
            problem = _("De kaart kon niet worden getekend. Hieronder staat hij als lijst.")
    return ExchangeMap(key, ripple_map.title, collaboration, svg, problem, outline(ripple_map),
                       description, count)


Logs = list[tuple[Collaboration, LogView]]


def participant_logs(exchange: LearningExchange) -> Logs:
    """Load, once, what each participant shares with the network (hub order, then name).

    The maps side by side and the combined map both draw from these logs; loading
    them once halves the queries of the exchange page and its pack.
    """
    access = network_view()
    participants = list(exchange.participants)
    # One query for all their hubs (the page shows each participant's hub).
    hubs = {hub.id: hub for hub in db.session.scalars(
        sa.select(Hub).where(Hub.id.in_({c.hub_id for c in participants})))}
    for collaboration in participants:
        set_committed_value(collaboration, "hub", hubs[collaboration.hub_id])
    return [(c, load_log(c, access.item_clause(c)))
            for c in sorted(participants, key=lambda c: (c.hub.name, c.name))]


def side_by_side(exchange: LearningExchange, logs: Logs | None = None) -> list[ExchangeMap]:
    """Return each participant's map of shared items on the theme."""
    filters = theme_filters(exchange)
    maps = []
    for index, (collaboration, log_view) in enumerate(
            logs if logs is not None else participant_logs(exchange)):
        ripple_map = map_from_log(collaboration, log_view, filters)
        empty = (_("%(name)s deelt niets met het leernetwerk.", name=collaboration.name)
                 if not log_view.items else
                 _("%(name)s deelt niets over dit thema.", name=collaboration.name))
        maps.append(_draw(f"map{index}", ripple_map, collaboration, empty))
    return maps


def combined(exchange: LearningExchange, logs: Logs | None = None) -> ExchangeMap:
    """Return one map of all participants: one timeline, a band per collaboration."""
    parts = logs if logs is not None else participant_logs(exchange)
    ripple_map = combined_map(parts, theme_filters(exchange),
                              _("Gezamenlijke rimpelkaart: %(title)s", title=exchange.title))
    return _draw("combined", ripple_map, None,
                 _("Er is nog niets gedeeld over dit thema, dus er is geen gezamenlijke kaart."))
