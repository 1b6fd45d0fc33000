"""The ripple maps of an exchange: each collaboration's map side by side, and one combined map.

Maps are built by ``rem.maps.builder`` with :func:`network_view` (only what was
shared with the network) and filtered to the exchange's theme code; they are
drawn by ``rem.maps.renderer`` (the only module that runs Graphviz) through the
builder's render cache. Several SVGs on one page would repeat the same ids
(``map-title``, ``legend``, ``item-12``), so each gets its own id prefix. So does each
map the PDF prints (``print_svg``, see ``rem.maps.drawing.print_svg``): Graphviz numbers
the glyphs of every drawing from ``glyph0-1``, so two maps in one pack would otherwise
borrow each other's letters.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm.attributes import set_committed_value

from rem.access.exchanges import network_view
from rem.audit.services import record
from rem.collaborations.models import Collaboration
from rem.exchanges.models import LearningExchange, exchange_participants
from rem.extensions import db
from rem.hubs.models import Hub
from rem.maps import drawing, renderer, saved
from rem.maps.builder import ThemeData, combined_map, map_from_log, summary
from rem.maps.cache import render_cached
from rem.maps.filters import MapFilters, MapOptions
from rem.maps.model import RippleMap
from rem.maps.models import SavedView
from rem.maps.outline import Outline, outline
from rem.ripples.logview import LogView, load_log

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
    # The participant's saved view this map is drawn as (None: the plain map).
    view: SavedView | None = None
    # The map as the PDF prints it (drawn only for the PDF), in its paper layout, and the
    # key printed under it when that layout has no legend box (rem.maps.drawing.svgs).
    print_svg: Markup | None = None
    paper_key: list[list[str]] = field(default_factory=list)
    # On the screen the picture has no legend box (beside another map, or over a few
    # items, the box was larger than the map): its key is written under it instead,
    # [text, colour] as rem.maps.drawing.key_of gives it.
    screen_key: list[list[str]] = field(default_factory=list)


def theme_filters(exchange: LearningExchange) -> MapFilters:
    """Return the map filters for the exchange's theme (no filter for a question only)."""
    if exchange.theme_code is not None:
        return MapFilters(codes=[exchange.theme_code.qualified_slug])
    return MapFilters()


def _draw(key: str, ripple_map: RippleMap, collaboration: Collaboration | None,
          empty_message: str, layout: str = LAYOUT, for_pdf: bool = False) -> ExchangeMap:
    count = len(ripple_map.nodes)
    description = summary(ripple_map)
    svg = print_svg = None
    key_lines: list[list[str]] = []
    screen_key: list[list[str]] = []
    title = ripple_map.title
    if not for_pdf:
        # No legend box in the picture: the page writes the key under it. Beside another
        # map, or around a few items, the box made the map itself a fraction of its frame.
        screen_key = drawing.key_of(ripple_map)
        ripple_map.legend = {}
    problem = None
    if count == 0:
        problem = empty_message
    elif count > current_app.config["REM_MAP_MAX_NODES"]:
        problem = _("Deze kaart is te groot om te tekenen (%(n)d items).", n=count)
    else:
        try:
            timeout = current_app.config["REM_DOT_TIMEOUT"]
            # The combined map keeps a band per collaboration, which date columns do not
            # draw: on paper it is drawn as on the screen, with its legend box.
            banded = any(node.cluster for node in ripple_map.nodes)
            if not banded:
                # As the session report and the review show and print theirs: a timeline
                # in date columns with a key of the signs drawn, instead of the screen's
                # legend box (beside another map, a timeline strip's labels were 3-4 px).
                _screen, text, printed = drawing.paper_svgs(ripple_map, layout, timeout,
                                                            description=description)
                if for_pdf:
                    key_lines = drawing.paper_key(ripple_map, layout)
                else:
                    printed = None
            else:
                if not for_pdf:
                    ripple_map.title = ""  # the page heads the map (date columns have none)
                source = renderer.to_dot(ripple_map, layout)
                engine = renderer.engine_for(layout)
                raw = render_cached(source, engine, "svg", timeout)
                text = renderer.titled_svg(raw, title, description, inline=True)
                printed = (drawing.print_svg(source, engine, title, description,
                                             timeout) or text) if for_pdf else None
            svg = Markup(prefix_ids(text, key))  # noqa: S704 - Graphviz output of escaped data
            if printed is not None:
                print_svg = Markup(prefix_ids(printed, f"{key}-print"))  # noqa: S704
        except renderer.GraphvizMissing:
            problem = _("Graphviz (het programma dot) is niet geïnstalleerd op de server. "
                        "Hieronder staat de kaart als lijst.")
        except renderer.RenderTimeout:
            problem = _("Deze kaart is te groot om te tekenen (%(n)d items).", n=count)
        except renderer.MapRenderError:
            log.exception("rendering an exchange map failed")
            problem = _("De kaart kon niet worden getekend. Hieronder staat hij als lijst.")
    ripple_map.title = title
    return ExchangeMap(key, title, collaboration, svg, problem, outline(ripple_map),
                       description, count, print_svg=print_svg, paper_key=key_lines,
                       screen_key=screen_key if svg is not None else [])


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


def participant_themes(logs: Logs) -> dict[int, ThemeData]:
    """Load the themes of every participant at once (their maps draw them)."""
    return ThemeData.load_many([collaboration for collaboration, _log in logs])


def shown_views(exchange: LearningExchange) -> dict[int, SavedView]:
    """Return per participant (collaboration id) the live saved view the exchange shows."""
    chosen = dict(db.session.execute(
        sa.select(exchange_participants.c.collaboration_id, exchange_participants.c.map_view_id)
        .where(exchange_participants.c.exchange_id == exchange.id,
               exchange_participants.c.map_view_id.is_not(None))).all())
    if not chosen:
        return {}
    views = db.session.scalars(sa.select(SavedView).where(
        SavedView.id.in_(chosen.values()), SavedView.deleted_at.is_(None)))
    return {view.collaboration_id: view for view in views
            if chosen.get(view.collaboration_id) == view.id}


def show_view(exchange: LearningExchange, collaboration: Collaboration,
              view_id: int | None) -> SavedView | None:
    """Let the exchange show the saved view ``view_id`` of the participant
    ``collaboration`` (None: its plain map); raises saved.ViewError for a view that is
    not (or no longer) one of its views."""
    view = saved.view_or_none(collaboration, view_id)
    if view_id is not None and view is None:
        raise saved.ViewError(_("Deze weergave bestaat niet (meer). Kies een andere."))
    db.session.execute(
        exchange_participants.update()
        .where(exchange_participants.c.exchange_id == exchange.id,
               exchange_participants.c.collaboration_id == collaboration.id)
        .values(map_view_id=view.id if view else None))
    record("update", "saved_view", view.id if view else None,
           collaboration_id=collaboration.id, summary=view.name if view else "",
           after={"shown_in": "exchange", "id": exchange.id})
    return view


def _view_of(exchange: LearningExchange, view: SavedView | None
             ) -> tuple[MapFilters, MapOptions]:
    """Return the filters and options of a participant's map: its chosen view, always
    narrowed to the exchange's theme code."""
    if view is None:
        return theme_filters(exchange), MapOptions(layout=LAYOUT)
    filters, options = saved.parsed(view)
    if exchange.theme_code is not None:
        filters.codes = [exchange.theme_code.qualified_slug]
    return filters, options


def side_by_side(exchange: LearningExchange, logs: Logs | None = None,
                 themes: dict[int, ThemeData] | None = None, *,
                 for_pdf: bool = False) -> list[ExchangeMap]:
    """Return each participant's map of shared items on the theme (drawn as the saved view
    the participant chose for the exchange, if any; ``for_pdf``: for paper too)."""
    views = shown_views(exchange)
    logs = logs if logs is not None else participant_logs(exchange)
    themes = themes if themes is not None else participant_themes(logs)
    maps = []
    for index, (collaboration, log_view) in enumerate(logs):
        view = views.get(collaboration.id)
        filters, options = _view_of(exchange, view)
        ripple_map = map_from_log(collaboration, log_view, filters, options,
                                  themes=themes.get(collaboration.id))
        if view is not None:
            ripple_map.title = f"{ripple_map.title} · {view.name}"
        empty = (_("%(name)s deelt niets met het leernetwerk.", name=collaboration.name)
                 if not log_view.items else
                 _("%(name)s deelt niets over dit thema.", name=collaboration.name))
        drawn = _draw(f"map{index}", ripple_map, collaboration, empty, options.layout,
                      for_pdf)
        drawn.view = view
        maps.append(drawn)
    return maps


def combined(exchange: LearningExchange, logs: Logs | None = None,
             themes: dict[int, ThemeData] | None = None, *, for_pdf: bool = False
             ) -> ExchangeMap:
    """Return one map of all participants: one timeline, a band per collaboration
    (``for_pdf``: drawn for paper too)."""
    parts = logs if logs is not None else participant_logs(exchange)
    ripple_map = combined_map(parts, theme_filters(exchange),
                              _("Gezamenlijke rimpelkaart: %(title)s", title=exchange.title),
                              themes if themes is not None else participant_themes(parts))
    return _draw("combined", ripple_map, None,
                 _("Er is nog niets gedeeld over dit thema, dus er is geen gezamenlijke kaart."),
                 for_pdf=for_pdf)
