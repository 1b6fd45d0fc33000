"""Analysis pages: the summary (counts and charts), influence, the items behind a number,
the map through time, what is new, and the CSV files for researchers (story threads have
their own pages: rem/threads/views.py).

Every page shows only what the person may see (``Scope`` is built on ``Access``); an
exchange's pages show only what was shared with the learning network.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup

from rem.access import current_access
from rem.access import threads as thread_access
from rem.access.exchanges import may_view, network_view
from rem.access.routes import collaboration_or_404
from rem.analysis import charts, count_tables, counts, reach
from rem.analysis.counts import Count
from rem.analysis.scope import PERIODS, AnalysisError, Scope
from rem.collaborations.models import Collaboration
from rem.core.dates import DateError, FuzzyDate, Precision, parse_iso
from rem.core.http import conditional
from rem.core.periods import Period
from rem.core.urls import with_query
from rem.exchanges.models import LearningExchange
from rem.extensions import db
from rem.hubs.models import Hub
from rem.maps import renderer
from rem.maps.builder import map_from_log, summary
from rem.maps.cache import render_cached
from rem.maps.filters import MapFilters
from rem.ripples.logview import load_log
from rem.ripples.models import RippleItem
from rem.themes import services as themes
from rem.workshops.models import Workshop

log = logging.getLogger(__name__)

bp = Blueprint("analysis", __name__)

INFLUENCE_ON_SUMMARY = 10
MAX_GROWTH_PERIODS = 60
PERIOD_MEASURES = {"activity": "activities_by_period", "effect": "effects_by_period"}


# --- scopes --------------------------------------------------------------------------------


def _year() -> tuple[int | None, str | None]:
    """Read ?year= (a review year); return it, or None with a message when unreadable."""
    text = request.args.get("year", "").strip()
    if not text:
        return None, None
    if text.isdigit() and len(text) == 4 and 1900 <= int(text) <= 2200:
        return int(text), None
    return None, _("Het jaar is niet te lezen; schrijf bijvoorbeeld 2024. U ziet alle jaren.")


def _dated(scope: Scope, year: int | None) -> Scope:
    if year is not None:
        scope.date_from, scope.date_to = date(year, 1, 1), date(year, 12, 31)
    return scope


def _collaboration_scope(slug: str) -> tuple[Collaboration, Scope]:
    collaboration = collaboration_or_404(slug)
    return collaboration, Scope(collaboration.name, [collaboration], current_access())


def _hub_or_404(slug: str) -> Hub:
    hub = db.session.scalar(sa.select(Hub).where(Hub.slug == slug))
    if hub is None:
        abort(404)
    return hub


def _hub_scope(slug: str) -> tuple[Hub, Scope]:
    hub = _hub_or_404(slug)
    collaborations = list(db.session.scalars(
        sa.select(Collaboration).where(Collaboration.hub_id == hub.id)
        .order_by(Collaboration.name)))
    return hub, Scope(hub.name, collaborations, current_access())


def _exchange_scope(exchange_id: int):

    if not may_view(current_access()):
        abort(403)
    exchange = db.session.get(LearningExchange, exchange_id)
    if exchange is None:
        abort(404)
    return exchange, Scope(exchange.title, list(exchange.participants), network_view(),
                                    code_id=exchange.theme_code_id)


def _owner_args(kind: str, owner) -> dict:
    if kind == "exchange":
        return {"exchange_id": owner.id}
    return {"slug": owner.slug}


# --- the summary ------------------------------------------------------------------------


def _summary_page(kind: str, owner, scope: Scope):
    year, year_message = _year()
    _dated(scope, year)
    unit = request.args.get("period", "year")
    messages = [year_message] if year_message else []
    if unit not in PERIODS:
        messages.append(_("Kies per jaar, kwartaal of maand; u ziet de telling per jaar."))
        unit = "year"
    result = counts.summarise(scope, unit)
    args = _owner_args(kind, owner)
    extra = {"year": year} if year is not None else {}

    urls: dict[tuple[str, str], str] = {}  # each count's link is in its chart and table
    items_base = url_for(f"analysis.{kind}_items", **args)

    def items_url(measure: str, group: str) -> str:
        url = urls.get((measure, group))
        if url is None:
            url = urls[(measure, group)] = with_query(items_base, measure=measure,
                                                      group=group, **extra)
        return url

    effects_legend = [("effect", _("Effecten"))]
    activities_legend = [("activity", _("Activiteiten"))]

    def bars(measure: str, counts: list[Count], title: str, chart_id: str,
             legend: list[tuple[str, str]], key: Callable[[Count], str] | None = None):
        # One palette: a bar's colour is its series (activity, effect) or its valence.
        series = legend[0][0]
        return charts.bar_chart(title, [(c.label, c.value, items_url(measure, c.group),
                                         key(c) if key else series) for c in counts],
                                chart_id, legend)

    def by_group(count: Count) -> str:
        return count.group  # valence and kind groups are palette keys
    chart = {
        "kind": bars("items_by_kind", result.measures["items_by_kind"],
                     _("Activiteiten en effecten"), "chart-kind",
                     [("activity", _("Activiteiten")), ("effect", _("Effecten"))], by_group),
        "order": bars("effects_by_order", result.measures["effects_by_order"],
                      _("Effecten per rimpelorde"), "chart-order", effects_legend),
        "intended": bars("effects_by_intended", result.measures["effects_by_intended"],
                         _("Bedoelde en onbedoelde effecten"), "chart-intended",
                         effects_legend),
        "valence": bars("effects_by_valence", result.measures["effects_by_valence"],
                        _("Positieve, negatieve en gemengde effecten"), "chart-valence",
                        [(c.group, c.label) for c in result.measures["effects_by_valence"]],
                        by_group),
        "codes": [(book, bars("effects_by_code", counts, _("Effecten per code: %(book)s",
                                                          book=book), f"chart-code-{index}",
                              effects_legend))
                  for index, (book, counts) in enumerate(result.code_groups)],
        "activity_codes": [(book, bars("activities_by_code", counts,
                                       _("Activiteiten per code: %(book)s", book=book),
                                       f"chart-acode-{index}", activities_legend))
                           for index, (book, counts) in enumerate(result.activity_code_groups)],
    }
    series = result.over_time
    chart["time"] = charts.stacked_chart(
        _("Activiteiten en effecten per periode"), series.periods, series.parts,
        lambda p, part: series.values.get((p, part), 0),
        lambda p, part: items_url(PERIOD_MEASURES[part], p), "chart-time")
    valence = result.valence_over_time
    chart["valence_time"] = charts.stacked_chart(
        _("Effecten per periode: positief, negatief of gemengd"), valence.periods, valence.parts,
        lambda p, part: valence.values.get((p, part), 0),
        lambda p, part: items_url("effects_by_period_valence", f"{p}:{part}"),
        "chart-valence-time")
    group_word, number_word = _("Groep"), _("Aantal")  # every count table's headings
    ranking = reach.influence(scope)
    messages += reach.circle_messages(scope)
    meeting, meeting_total = reach.meeting_points(scope, INFLUENCE_ON_SUMMARY)
    return render_template(
        "analysis/summary.html", kind=kind, owner=owner, scope=scope, result=result,
        chart=chart, messages=messages, unit=unit, year=year, args=args, items_url=items_url,
        count_table=lambda caption, measure, counts: count_tables.count_table(
            caption, measure, counts, items_url, group_word, number_word),
        ranking=ranking[:INFLUENCE_ON_SUMMARY], ranking_total=len(ranking),
        meeting=meeting, meeting_total=meeting_total,
        without_cause=reach.without_cause(scope),
        periods={"year": _("Jaar"), "quarter": _("Kwartaal"), "month": _("Maand")},
        can_thread=kind == "collaboration" and thread_access.may_write(current_access(), owner),
        collaboration=owner if kind == "collaboration" else None,
        # Themes belong to one collaboration: counted on its own page, what the person sees.
        theme_counts=(themes.counts(owner, current_access().item_clause(owner))
                      if kind == "collaboration" else []),
    )


@bp.get("/collaborations/<slug>/analysis")
def collaboration(slug: str):
    """Show the collaboration's counts, charts and most influential activities."""
    owner, scope = _collaboration_scope(slug)
    return _summary_page("collaboration", owner, scope)


@bp.get("/hubs/<slug>/analysis")
def hub(slug: str):
    """Show the counts over all collaborations of a hub (what the person may see)."""
    owner, scope = _hub_scope(slug)
    return _summary_page("hub", owner, scope)


@bp.get("/exchanges/<int:exchange_id>/analysis")
def exchange(exchange_id: int):
    """Show the counts of an exchange's selection: shared with the network, on its theme."""
    owner, scope = _exchange_scope(exchange_id)
    return _summary_page("exchange", owner, scope)


# --- the items behind a number ---------------------------------------------------------------


def _items_page(kind: str, owner, scope: Scope):
    year, _message = _year()
    _dated(scope, year)
    measure = request.args.get("measure", "")[:40]
    group = request.args.get("group", "")[:140]
    problem = None
    items: list[RippleItem] = []
    total = 0
    try:
        items, total = counts.items_behind(scope, measure, group)
    except AnalysisError as exc:
        problem = str(exc)
    return render_template("analysis/items.html", kind=kind, owner=owner, scope=scope,
                           items=items, total=total, problem=problem, measure=measure,
                           group=group, year=year, args=_owner_args(kind, owner),
                           collaboration=owner if kind == "collaboration" else None)


@bp.get("/collaborations/<slug>/analysis/items")
def collaboration_items(slug: str):
    """List the items behind one number of the collaboration's summary."""
    owner, scope = _collaboration_scope(slug)
    return _items_page("collaboration", owner, scope)


@bp.get("/hubs/<slug>/analysis/items")
def hub_items(slug: str):
    """List the items behind one number of the hub's summary."""
    owner, scope = _hub_scope(slug)
    return _items_page("hub", owner, scope)


@bp.get("/exchanges/<int:exchange_id>/analysis/items")
def exchange_items(exchange_id: int):
    """List the items behind one number of an exchange's summary."""
    owner, scope = _exchange_scope(exchange_id)
    return _items_page("exchange", owner, scope)


# --- influence -----------------------------------------------------------------------------


@bp.get("/collaborations/<slug>/influence")
def influence(slug: str):
    """Rank every activity by reach; list the meeting points."""
    owner, scope = _collaboration_scope(slug)
    ranking = reach.influence(scope)
    meeting, meeting_total = reach.meeting_points(scope)
    return render_template(
        "analysis/influence.html", collaboration=owner, ranking=ranking, meeting=meeting,
        meeting_total=meeting_total, messages=reach.circle_messages(scope),
        without_cause=reach.without_cause(scope),
        can_thread=thread_access.may_write(current_access(), owner))


# --- CSV for researchers -----------------------------------------------------------------


def _csv(rows: list[list], headers: list[str], name: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    response = Response(out.getvalue(), mimetype="text/csv")
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", name)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}.csv"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _scope_csv(scope: Scope, make, *extra) -> Response:
    """Answer with ``make()``'s CSV, or 304 while the scope's data and access are unchanged."""
    return conditional([sorted(scope.levels().items()), sorted(scope.state_tags().items()),
                        *extra], make)


def _analysis_csv(owner, scope: Scope, kind: str) -> Response:
    year, _message = _year()
    _dated(scope, year)
    unit = request.args.get("period", "year")
    # As on the page: themes belong to one collaboration, all years together. Their counts
    # are part of the tag (a theme changes without a change to the items' fingerprint).
    theme_rows = ([["effects_by_theme", theme.name, count]
                   for theme, count in themes.counts(owner, current_access().item_clause(owner))]
                  if kind == "collaboration" else [])

    def make() -> Response:
        result = counts.summarise(scope, unit if unit in PERIODS else "year")
        rows = [list(row) for row in counts.csv_rows(result)] + theme_rows
        return _csv(rows, ["measure", "group", "value"], f"{owner.slug}-analysis")

    return _scope_csv(scope, make, theme_rows)


def _influence_csv(owner, scope: Scope) -> Response:
    def make() -> Response:
        ranking = reach.influence(scope)
        rows = [[r.id, r.title, r.reach, r.longest_chain, " ".join(r.codes)] for r in ranking]
        return _csv(rows, ["id", "title", "reach", "longest_chain", "codes"],
                    f"{owner.slug}-influence")

    return _scope_csv(scope, make)


@bp.get("/collaborations/<slug>/analysis.csv")
def collaboration_csv(slug: str):
    """Send the counts as tidy rows: measure, group, value."""
    return _analysis_csv(*_collaboration_scope(slug), "collaboration")


@bp.get("/hubs/<slug>/analysis.csv")
def hub_csv(slug: str):
    """Send a hub's counts as tidy rows: measure, group, value."""
    return _analysis_csv(*_hub_scope(slug), "hub")


@bp.get("/collaborations/<slug>/influence.csv")
def collaboration_influence_csv(slug: str):
    """Send one row per activity: id (as in the exports), title, reach, longest_chain (links
    of the longest chain from the activity), codes."""
    return _influence_csv(*_collaboration_scope(slug))


@bp.get("/hubs/<slug>/influence.csv")
def hub_influence_csv(slug: str):
    """Send one row per activity of a hub's collaborations."""
    return _influence_csv(*_hub_scope(slug))


# --- the map through time -------------------------------------------------------------------


def _draw(collaboration: Collaboration, ripple_map) -> tuple[Markup | None, str | None]:
    """Render a map through the cached renderer; return (svg, problem)."""
    if len(ripple_map.nodes) > current_app.config["REM_MAP_MAX_NODES"]:
        return None, _("Deze kaart is te groot om te tekenen (%(n)d items). Hieronder staat "
                       "de lijst.", n=len(ripple_map.nodes))
    try:
        raw = render_cached(renderer.to_dot(ripple_map, "timeline"), "dot", "svg",
                            current_app.config["REM_DOT_TIMEOUT"])
    except renderer.GraphvizMissing:
        return None, _("Graphviz (het programma dot) is niet geïnstalleerd op de server.")
    except renderer.MapRenderError:
        log.warning("the map through time of %s could not be drawn", collaboration.slug,
                    exc_info=True)
        return None, _("De kaart kon niet worden getekend. Hieronder staat de lijst.")
    return Markup(renderer.titled_svg(  # noqa: S704 - Graphviz output of escaped data
        raw, ripple_map.title, summary(ripple_map), inline=True)), None


@bp.get("/collaborations/<slug>/analysis/growth")
def growth(slug: str):
    """Show the map as it stood at the end of one period, with that period's items marked."""
    collaboration = collaboration_or_404(slug)
    access = current_access()
    unit = request.args.get("unit", "year")
    messages = []
    if unit not in ("year", "quarter"):
        messages.append(_("Kies per jaar of per kwartaal; u ziet de kaart per jaar."))
        unit = "year"
    log_view = load_log(collaboration, access.item_clause(collaboration))
    context = {"collaboration": collaboration, "unit": unit, "messages": messages,
               "periods": [], "svg": None, "problem": None, "new_items": [], "current": None}
    if not log_view.items:
        return render_template("analysis/growth.html", **context)
    first = min(item.date_start for item in log_view.items)
    last = max(item.date_start for item in log_view.items)
    periods = Period.span(first, last, unit, MAX_GROWTH_PERIODS)
    wanted = request.args.get("upto", "").strip()
    period = Period.parse(wanted) if wanted else None
    if wanted and period not in periods:
        messages.append(_("Die periode zit niet in deze kaart; u ziet de laatste periode."))
        period = None
    period = period or periods[-1]
    index = periods.index(period)
    start, end = period.start, period.end
    precision = Precision.YEAR if unit == "year" else Precision.QUARTER
    filters = MapFilters(date_to=FuzzyDate.of(start, precision))
    ripple_map = map_from_log(collaboration, log_view, filters)
    ripple_map.title = _("%(name)s tot en met %(period)s", name=collaboration.name,
                         period=period.label())
    by_id = log_view.by_id()
    new_ids = {node.id for node in ripple_map.nodes
               if start <= by_id[node.id].date_start <= end}
    for node in ripple_map.nodes:
        node.highlight = node.id in new_ids
    for edge in ripple_map.edges:
        edge.highlight = edge.effect_id in new_ids
    svg, problem = (None, None)
    if ripple_map.nodes:
        svg, problem = _draw(collaboration, ripple_map)
    context.update(
        periods=[(p.slug, p.label()) for p in periods],
        index=index, current=period.slug, current_label=period.label(),
        previous=periods[index - 1].slug if index > 0 else None,
        next=periods[index + 1].slug if index + 1 < len(periods) else None,
        svg=svg, problem=problem, ripple_map=ripple_map,
        new_items=[by_id[i] for i in sorted(new_ids, key=lambda i: by_id[i].sort_key())],
        total=len(ripple_map.nodes))
    return render_template("analysis/growth.html", **context)


@bp.get("/collaborations/<slug>/analysis/new")
def new_items(slug: str):
    """List what is new between two dates, or between two workshops (evaluation sessions)."""

    collaboration = collaboration_or_404(slug)
    access = current_access()
    workshops = list(db.session.scalars(
        sa.select(Workshop).where(Workshop.collaboration_id == collaboration.id)
        .order_by(Workshop.held_on, Workshop.id))
    ) if access.reads_all_of(collaboration) else []
    messages: list[str] = []
    start = end = None
    after_workshop = until_workshop = None
    if request.args.get("since_session") or request.args.get("until_session"):
        by_id = {str(s.id): s for s in workshops}
        after_workshop = by_id.get(request.args.get("since_session", ""))
        until_workshop = by_id.get(request.args.get("until_session", ""))
        if after_workshop is None or until_workshop is None:
            messages.append(_("Kies twee sessies van dit samenwerkingsverband."))
        else:
            if after_workshop.held_on > until_workshop.held_on:
                after_workshop, until_workshop = until_workshop, after_workshop
            start, end = after_workshop.held_on, until_workshop.held_on
    else:
        texts = (request.args.get("from", "").strip(), request.args.get("to", "").strip())
        if any(texts):
            try:
                start = parse_iso(texts[0][:20]).start if texts[0] else None
                end = parse_iso(texts[1][:20]).end if texts[1] else None
            except DateError:
                messages.append(_("Een datum is niet te lezen; schrijf bijvoorbeeld 2024 of "
                                  "2024-03-12."))
                start = end = None
            if start and end and start > end:
                start, end = end, start
                messages.append(_("De begindatum lag na de einddatum; ze zijn omgewisseld."))
    items: list[RippleItem] = []
    asked = start is not None or end is not None
    if asked:
        conditions = [RippleItem.collaboration_id == collaboration.id,
                      RippleItem.deleted_at.is_(None), access.item_clause(collaboration)]
        if after_workshop is not None:
            # After the first session: dated after it, or told in the second one.
            conditions.append(sa.or_(
                sa.and_(RippleItem.date_start > start, RippleItem.date_start <= end),
                RippleItem.session_id == until_workshop.id))
        else:
            if start is not None:
                conditions.append(RippleItem.date_start >= start)
            if end is not None:
                conditions.append(RippleItem.date_start <= end)
        items = list(db.session.scalars(
            sa.select(RippleItem).where(*conditions)
            .order_by(RippleItem.date_start, RippleItem.id).limit(1000)))
    return render_template("analysis/new.html", collaboration=collaboration, items=items,
                           asked=asked, messages=messages, workshops=workshops, start=start,
                           end=end, after_workshop=after_workshop, until_workshop=until_workshop)
