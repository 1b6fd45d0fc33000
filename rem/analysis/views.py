"""Analysis pages: the summary (counts and charts), influence, the items behind a number,
the map through time, what is new, story threads, and the CSV files for researchers.

Every page shows only what the person may see (``Scope`` is built on ``Access``); an
exchange's pages show only what was shared with the learning network.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import date

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

from rem.accounts.forms import EmptyForm
from rem.accounts.permissions import current_access
from rem.analysis import charts, services, threads
from rem.analysis.models import PlacementKind, StoryThread, ThreadPlacement
from rem.collaborations.models import Collaboration
from rem.collaborations.views import collaboration_or_404
from rem.core.dates import DateError, FuzzyDate, Precision, parse_iso
from rem.core.pagecache import cached_page
from rem.extensions import db
from rem.hubs.models import Hub
from rem.maps import renderer
from rem.maps.builder import map_from_log, summary
from rem.maps.cache import render_cached
from rem.maps.filters import MapFilters
from rem.ripples.models import RippleItem
from rem.ripples.services import load_log
from rem.themes import services as themes

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


def _dated(scope: services.Scope, year: int | None) -> services.Scope:
    if year is not None:
        scope.date_from, scope.date_to = date(year, 1, 1), date(year, 12, 31)
    return scope


def _collaboration_scope(slug: str) -> tuple[Collaboration, services.Scope]:
    collaboration = collaboration_or_404(slug)
    return collaboration, services.Scope(collaboration.name, [collaboration], current_access())


def _hub_or_404(slug: str) -> Hub:
    hub = db.session.scalar(sa.select(Hub).where(Hub.slug == slug))
    if hub is None:
        abort(404)
    return hub


def _hub_scope(slug: str) -> tuple[Hub, services.Scope]:
    hub = _hub_or_404(slug)
    collaborations = list(db.session.scalars(
        sa.select(Collaboration).where(Collaboration.hub_id == hub.id)
        .order_by(Collaboration.name)))
    return hub, services.Scope(hub.name, collaborations, current_access())


def _exchange_scope(exchange_id: int):
    from rem.exchanges.models import LearningExchange
    from rem.exchanges.services import may_view, network_view

    if not may_view(current_access()):
        abort(403)
    exchange = db.session.get(LearningExchange, exchange_id)
    if exchange is None:
        abort(404)
    return exchange, services.Scope(exchange.title, list(exchange.participants), network_view(),
                                    code_id=exchange.theme_code_id)


def _owner_args(kind: str, owner) -> dict:
    if kind == "exchange":
        return {"exchange_id": owner.id}
    return {"slug": owner.slug}


# --- the summary ------------------------------------------------------------------------


def _summary_page(kind: str, owner, scope: services.Scope):
    year, year_message = _year()
    _dated(scope, year)
    unit = request.args.get("period", "year")
    messages = [year_message] if year_message else []
    if unit not in services.PERIODS:
        messages.append(_("Kies per jaar, kwartaal of maand; u ziet de telling per jaar."))
        unit = "year"
    result = services.summarise(scope, unit)
    args = _owner_args(kind, owner)
    extra = {"year": year} if year is not None else {}

    def items_url(measure: str, group: str) -> str:
        return url_for(f"analysis.{kind}_items", measure=measure, group=group, **args, **extra)

    def bars(measure: str, counts: list[services.Count], title: str, chart_id: str):
        return charts.bar_chart(title, [(c.label, c.value, items_url(measure, c.group))
                                        for c in counts], chart_id)

    chart = {
        "kind": bars("items_by_kind", result.measures["items_by_kind"],
                     _("Activiteiten en effecten"), "chart-kind"),
        "order": bars("effects_by_order", result.measures["effects_by_order"],
                      _("Effecten per rimpelorde"), "chart-order"),
        "intended": bars("effects_by_intended", result.measures["effects_by_intended"],
                         _("Bedoelde en onbedoelde effecten"), "chart-intended"),
        "valence": bars("effects_by_valence", result.measures["effects_by_valence"],
                        _("Positieve, negatieve en gemengde effecten"), "chart-valence"),
        "codes": [(book, bars("effects_by_code", counts, _("Effecten per code: %(book)s",
                                                          book=book), f"chart-code-{index}"))
                  for index, (book, counts) in enumerate(result.code_groups)],
        "activity_codes": [(book, bars("activities_by_code", counts,
                                       _("Activiteiten per code: %(book)s", book=book),
                                       f"chart-acode-{index}"))
                           for index, (book, counts) in enumerate(result.activity_code_groups)],
    }
    series = result.over_time
    chart["time"] = charts.stacked_chart(
        _("Activiteiten en effecten per periode"), series.periods, series.parts,
        lambda p, part: series.values.get((p, part), 0),
        lambda p, part: items_url(PERIOD_MEASURES[part], p), "chart-time")
    valence = result.valence_over_time
    chart["valence_time"] = charts.stacked_chart(
        _("Effecten per periode, naar waardering"), valence.periods, valence.parts,
        lambda p, part: valence.values.get((p, part), 0),
        lambda p, part: items_url("effects_by_period_valence", f"{p}:{part}"),
        "chart-valence-time")
    ranking = services.influence(scope)
    meeting, meeting_total = services.meeting_points(scope, INFLUENCE_ON_SUMMARY)
    return render_template(
        "analysis/summary.html", kind=kind, owner=owner, scope=scope, result=result,
        chart=chart, messages=messages, unit=unit, year=year, args=args, items_url=items_url,
        ranking=ranking[:INFLUENCE_ON_SUMMARY], ranking_total=len(ranking),
        meeting=meeting, meeting_total=meeting_total,
        without_cause=services.without_cause(scope),
        periods={"year": _("Jaar"), "quarter": _("Kwartaal"), "month": _("Maand")},
        can_thread=kind == "collaboration" and threads.may_write(current_access(), owner),
        collaboration=owner if kind == "collaboration" else None,
        # Themes belong to one collaboration: counted on its own page, what the person sees.
        theme_counts=(themes.counts(owner, current_access().item_clause(owner))
                      if kind == "collaboration" else []),
    )


@bp.get("/collaborations/<slug>/analysis")
@cached_page
def collaboration(slug: str):
    """Show the collaboration's counts, charts and most influential activities."""
    owner, scope = _collaboration_scope(slug)
    return _summary_page("collaboration", owner, scope)


@bp.get("/hubs/<slug>/analysis")
@cached_page
def hub(slug: str):
    """Show the counts over all collaborations of a hub (what the person may see)."""
    owner, scope = _hub_scope(slug)
    return _summary_page("hub", owner, scope)


@bp.get("/exchanges/<int:exchange_id>/analysis")
@cached_page
def exchange(exchange_id: int):
    """Show the counts of an exchange's selection: shared with the network, on its theme."""
    owner, scope = _exchange_scope(exchange_id)
    return _summary_page("exchange", owner, scope)


# --- the items behind a number ---------------------------------------------------------------


def _items_page(kind: str, owner, scope: services.Scope):
    year, _message = _year()
    _dated(scope, year)
    measure = request.args.get("measure", "")[:40]
    group = request.args.get("group", "")[:140]
    problem = None
    items: list[RippleItem] = []
    total = 0
    try:
        items, total = services.items_behind(scope, measure, group)
    except services.AnalysisError as exc:
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
    ranking = services.influence(scope)
    meeting, meeting_total = services.meeting_points(scope)
    return render_template(
        "analysis/influence.html", collaboration=owner, ranking=ranking, meeting=meeting,
        meeting_total=meeting_total,
        without_cause=services.without_cause(scope),
        can_thread=threads.may_write(current_access(), owner))


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


def _analysis_csv(owner, scope: services.Scope) -> Response:
    year, _message = _year()
    _dated(scope, year)
    unit = request.args.get("period", "year")
    result = services.summarise(scope, unit if unit in services.PERIODS else "year")
    return _csv([list(row) for row in services.csv_rows(result)], ["measure", "group", "value"],
                f"{owner.slug}-analysis")


def _influence_csv(owner, scope: services.Scope) -> Response:
    ranking = services.influence(scope)
    rows = [[r.id, r.title, r.reach, r.max_order, " ".join(r.codes)] for r in ranking]
    return _csv(rows, ["id", "title", "reach", "max_order", "codes"], f"{owner.slug}-influence")


@bp.get("/collaborations/<slug>/analysis.csv")
def collaboration_csv(slug: str):
    """Send the counts as tidy rows: measure, group, value."""
    return _analysis_csv(*_collaboration_scope(slug))


@bp.get("/hubs/<slug>/analysis.csv")
def hub_csv(slug: str):
    """Send a hub's counts as tidy rows: measure, group, value."""
    return _analysis_csv(*_hub_scope(slug))


@bp.get("/collaborations/<slug>/influence.csv")
def collaboration_influence_csv(slug: str):
    """Send one row per activity: id (as in the exports), title, reach, max_order, codes."""
    return _influence_csv(*_collaboration_scope(slug))


@bp.get("/hubs/<slug>/influence.csv")
def hub_influence_csv(slug: str):
    """Send one row per activity of a hub's collaborations."""
    return _influence_csv(*_hub_scope(slug))


# --- the map through time -------------------------------------------------------------------


def _period_keys(first: date, last: date, unit: str) -> list[tuple[int, int]]:
    keys = []
    key = services.period_key(first.year, first.month, unit)
    end = services.period_key(last.year, last.month, unit)
    while key <= end and len(keys) < MAX_GROWTH_PERIODS:
        keys.append(key)
        key = _next_key(key, unit)
    return keys


def _next_key(key: tuple[int, int], unit: str) -> tuple[int, int]:
    year, sub = key
    if unit == "year":
        return (year + 1, 0)
    return (year + 1, 1) if sub == 4 else (year, sub + 1)


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
    keys = _period_keys(first, last, unit)
    slugs = [services.period_slug(k, unit) for k in keys]
    wanted = request.args.get("upto", "").strip()
    parsed = services.parse_period(wanted) if wanted else None
    if wanted and (parsed is None or parsed[1] != unit
                   or services.period_slug(*parsed) not in slugs):
        messages.append(_("Die periode zit niet in deze kaart; u ziet de laatste periode."))
        parsed = None
    key = parsed[0] if parsed else keys[-1]
    index = keys.index(key)
    start, end = services.period_range(key, unit)
    precision = Precision.YEAR if unit == "year" else Precision.QUARTER
    filters = MapFilters(date_to=FuzzyDate.of(start, precision))
    ripple_map = map_from_log(collaboration, log_view, filters)
    ripple_map.title = _("%(name)s tot en met %(period)s", name=collaboration.name,
                         period=services.period_label(key, unit))
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
        periods=[(s, services.period_label(k, unit)) for s, k in zip(slugs, keys, strict=True)],
        index=index, current=slugs[index], current_label=services.period_label(key, unit),
        previous=slugs[index - 1] if index > 0 else None,
        next=slugs[index + 1] if index + 1 < len(slugs) else None,
        svg=svg, problem=problem, ripple_map=ripple_map,
        new_items=[by_id[i] for i in sorted(new_ids, key=lambda i: by_id[i].sort_key())],
        total=len(ripple_map.nodes))
    return render_template("analysis/growth.html", **context)


@bp.get("/collaborations/<slug>/analysis/new")
def new_items(slug: str):
    """List what is new between two dates, or between two evaluation sessions."""
    from rem.sessions.models import EvaluationSession

    collaboration = collaboration_or_404(slug)
    access = current_access()
    sessions = list(db.session.scalars(
        sa.select(EvaluationSession).where(EvaluationSession.collaboration_id == collaboration.id)
        .order_by(EvaluationSession.held_on, EvaluationSession.id))
    ) if access.reads_all_of(collaboration) else []
    messages: list[str] = []
    start = end = None
    after_session = until_session = None
    if request.args.get("since_session") or request.args.get("until_session"):
        by_id = {str(s.id): s for s in sessions}
        after_session = by_id.get(request.args.get("since_session", ""))
        until_session = by_id.get(request.args.get("until_session", ""))
        if after_session is None or until_session is None:
            messages.append(_("Kies twee sessies van dit samenwerkingsverband."))
        else:
            if after_session.held_on > until_session.held_on:
                after_session, until_session = until_session, after_session
            start, end = after_session.held_on, until_session.held_on
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
        if after_session is not None:
            # After the first session: dated after it, or told in the second one.
            conditions.append(sa.or_(
                sa.and_(RippleItem.date_start > start, RippleItem.date_start <= end),
                RippleItem.session_id == until_session.id))
        else:
            if start is not None:
                conditions.append(RippleItem.date_start >= start)
            if end is not None:
                conditions.append(RippleItem.date_start <= end)
        items = list(db.session.scalars(
            sa.select(RippleItem).where(*conditions)
            .order_by(RippleItem.date_start, RippleItem.id).limit(1000)))
    return render_template("analysis/new.html", collaboration=collaboration, items=items,
                           asked=asked, messages=messages, sessions=sessions, start=start,
                           end=end, after_session=after_session, until_session=until_session)


# --- story threads -------------------------------------------------------------------------


def _thread_or_404(collaboration: Collaboration, thread_id: int) -> StoryThread:
    thread = db.session.get(StoryThread, thread_id)
    if thread is None or thread.collaboration_id != collaboration.id:
        abort(404)
    return thread


def _path_args() -> list[int]:
    ids = []
    for raw in request.values.getlist("path")[:40]:
        if raw.strip().isdigit() and len(raw.strip()) < 12:
            ids.append(int(raw.strip()))
    return ids


@bp.get("/collaborations/<slug>/threads")
def thread_index(slug: str):
    """List the collaboration's story threads (and, for editors, the binned ones)."""
    collaboration = collaboration_or_404(slug)
    access = current_access()
    if not access.reads_all_of(collaboration):
        abort(403)
    return render_template(
        "analysis/threads.html", collaboration=collaboration,
        threads=threads.threads_of(collaboration),
        binned=threads.threads_of(collaboration, deleted=True) if access.edits(collaboration)
        else [],
        can_write=threads.may_write(access, collaboration), button_form=EmptyForm())


@bp.route("/collaborations/<slug>/threads/new", methods=["GET", "POST"])
def thread_new(slug: str):
    """Pick a path step by step (plain links), then save it as a thread."""
    collaboration = collaboration_or_404(slug)
    access = current_access()
    if not threads.may_write(access, collaboration):
        abort(403)
    path = _path_args()
    problem = None
    items: list[RippleItem] = []
    form = EmptyForm()
    title = request.form.get("title", "")[:400]
    if request.method == "POST" and form.validate_on_submit():
        try:
            thread = threads.create_thread(collaboration, title, path, access)
        except threads.ThreadError as exc:
            db.session.rollback()
            problem = str(exc)
        else:
            db.session.commit()
            flash(_("Het verhaal is opgeslagen. U kunt de tekst nu aanpassen."), "success")
            return redirect(url_for("analysis.thread_edit", slug=slug, thread_id=thread.id))
    elif request.method == "POST":
        abort(400)
    if path:
        try:
            items = threads.check_path(collaboration, path, access)
        except threads.ThreadError as exc:
            problem = problem or str(exc)
            path, items = [], []
    options = threads.next_options(collaboration, path[-1], access) if path else []
    activities = [] if path else list(db.session.scalars(
        sa.select(RippleItem).where(RippleItem.collaboration_id == collaboration.id,
                                    RippleItem.kind == "activity",
                                    RippleItem.deleted_at.is_(None),
                                    access.item_clause(collaboration))
        .order_by(RippleItem.date_start, RippleItem.id)))
    if not title and items:
        title = _("Van “%(first)s” tot “%(last)s”", first=items[0].title,
                  last=items[-1].title)[:200]
    return render_template(
        "analysis/thread_new.html", collaboration=collaboration, path=path, items=items,
        options=options, activities=activities, problem=problem, form=form, title=title,
        preview=[threads.narrative(item, first=index == 0) for index, item in enumerate(items)])


@bp.get("/collaborations/<slug>/threads/longest")
def thread_longest(slug: str):
    """Propose the longest chain that grew from one activity as a new thread's path."""
    collaboration = collaboration_or_404(slug)
    access = current_access()
    if not threads.may_write(access, collaboration):
        abort(403)
    raw = request.args.get("activity", "").strip()
    scope = services.Scope(collaboration.name, [collaboration], access)
    activities, _links, _orders = scope.graph()
    if not raw.isdigit() or int(raw) not in set(activities):
        flash(_("Kies een activiteit uit de lijst om de langste keten te zien."), "warning")
        return redirect(url_for("analysis.influence", slug=slug))
    return redirect(url_for("analysis.thread_new", slug=slug,
                            path=services.longest_path(scope, int(raw))))


def _placement_choices(thread: StoryThread) -> list[tuple[str, str]]:
    """Return the targets this person may place the thread in: "kind:id" and a label."""
    from rem.exchanges.models import LearningExchange, exchange_participants
    from rem.exchanges.services import manages
    from rem.logbook.access import may_edit as may_edit_entry
    from rem.logbook.models import LogEntry

    access = current_access()
    choices = []
    entries = db.session.scalars(
        sa.select(LogEntry).where(LogEntry.collaboration_id == thread.collaboration_id,
                                  LogEntry.deleted_at.is_(None))
        .order_by(LogEntry.entry_date.desc(), LogEntry.id.desc()).limit(200))
    for entry in entries:
        if may_edit_entry(access, entry):
            choices.append((f"log_entry:{entry.id}", _("Leerlogboek: %(title)s (%(date)s)",
                                                       title=entry.title,
                                                       date=entry.entry_date.isoformat())))
    exchanges = db.session.scalars(
        sa.select(LearningExchange)
        .join(exchange_participants,
              exchange_participants.c.exchange_id == LearningExchange.id)
        .where(exchange_participants.c.collaboration_id == thread.collaboration_id)
        .order_by(LearningExchange.id.desc()))
    for exchange in exchanges:
        if manages(access, exchange) or access.edits(thread.collaboration):
            choices.append((f"exchange:{exchange.id}", _("Uitwisselingspakket: %(title)s",
                                                         title=exchange.title)))
    if access.edits(thread.collaboration):
        # Only reviews not yet adopted: an adopted review is frozen.
        for review in _open_reviews(thread.collaboration_id):
            choices.append((f"review:{review.id}", _("Borgingsreview %(year)d (versie %(n)d)",
                                                     year=review.year,
                                                     n=review.version_number)))
    return choices


def _open_reviews(collaboration_id: int) -> list:
    from rem.reviews.models import BorgingReview, ReviewStatus

    return list(db.session.scalars(
        sa.select(BorgingReview)
        .where(BorgingReview.collaboration_id == collaboration_id,
               BorgingReview.status != ReviewStatus.ADOPTED.value)
        .order_by(BorgingReview.year.desc(), BorgingReview.version_number.desc())))


def _adopted_review(placement: ThreadPlacement) -> bool:
    """Tell whether the placement is in an adopted (frozen) review."""
    from rem.reviews.models import BorgingReview

    if placement.target_kind != PlacementKind.REVIEW.value:
        return False
    review = db.session.get(BorgingReview, placement.target_id)
    return review is not None and review.is_adopted


def _placement_label(placement: ThreadPlacement) -> tuple[str, str | None]:
    from rem.exchanges.models import LearningExchange
    from rem.logbook.models import LogEntry

    if placement.target_kind == PlacementKind.LOG_ENTRY.value:
        entry = db.session.get(LogEntry, placement.target_id)
        if entry is not None:
            return (_("Leerlogboek: %(title)s", title=entry.title),
                    url_for("logbook.show", slug=entry.collaboration.slug, entry_id=entry.id))
    elif placement.target_kind == PlacementKind.EXCHANGE.value:
        exchange = db.session.get(LearningExchange, placement.target_id)
        if exchange is not None:
            return (_("Uitwisselingspakket: %(title)s", title=exchange.title),
                    url_for("exchanges.pack", exchange_id=exchange.id))
    elif placement.target_kind == PlacementKind.REVIEW.value:
        from rem.reviews.models import BorgingReview

        review = db.session.get(BorgingReview, placement.target_id)
        if review is not None:
            return (_("Borgingsreview %(year)d (versie %(n)d)", year=review.year,
                      n=review.version_number),
                    url_for("reviews.show", slug=review.collaboration.slug,
                            review_id=review.id))
    return _("(niet meer te vinden)"), None


@bp.get("/collaborations/<slug>/threads/<int:thread_id>")
def thread_show(slug: str, thread_id: int):
    """Show one thread with its evidence, and where it is placed."""
    collaboration = collaboration_or_404(slug)
    thread = _thread_or_404(collaboration, thread_id)
    access = current_access()
    if not threads.may_read(access, thread):
        abort(403)
    can_edit = threads.may_edit(access, thread)
    placements = [(p, *_placement_label(p)) for p in threads.placements_of(thread)]
    return render_template(
        "analysis/thread_show.html", collaboration=collaboration, thread=thread,
        steps=threads.resolve(thread, access), can_edit=can_edit, placements=placements,
        choices=_placement_choices(thread) if can_edit and not thread.is_deleted else [],
        button_form=EmptyForm())


@bp.route("/collaborations/<slug>/threads/<int:thread_id>/edit", methods=["GET", "POST"])
def thread_edit(slug: str, thread_id: int):
    """Change the title and the words of each step."""
    collaboration = collaboration_or_404(slug)
    thread = _thread_or_404(collaboration, thread_id)
    access = current_access()
    if not threads.may_edit(access, thread) or thread.is_deleted:
        abort(403 if not threads.may_edit(access, thread) else 404)
    form = EmptyForm()
    problem = None
    title = thread.title
    texts = [step.text for step in thread.steps]
    version = thread.version
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        title = request.form.get("title", "")[:400]
        texts = [request.form.get(f"step-{index}", "")[:4000]
                 for index in range(len(thread.steps))]
        raw_version = request.form.get("version", "")
        seen = int(raw_version) if raw_version.isdigit() else version
        if not raw_version:
            title = title or thread.title
            texts = [t or s.text for t, s in zip(texts, thread.steps, strict=True)]
        try:
            threads.update_thread(thread, title, texts, seen)
        except threads.ThreadError as exc:
            db.session.rollback()
            problem = str(exc)
            version = thread.version
        else:
            db.session.commit()
            flash(_("Het verhaal is opgeslagen."), "success")
            return redirect(url_for("analysis.thread_show", slug=slug, thread_id=thread.id))
    return render_template("analysis/thread_edit.html", collaboration=collaboration,
                           thread=thread, steps=threads.resolve(thread, access), title=title,
                           texts=texts, version=version, problem=problem, form=form)


def _thread_post(slug: str, thread_id: int) -> tuple[Collaboration, StoryThread]:
    collaboration = collaboration_or_404(slug)
    thread = _thread_or_404(collaboration, thread_id)
    if not threads.may_edit(current_access(), thread):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return collaboration, thread


@bp.post("/collaborations/<slug>/threads/<int:thread_id>/delete")
def thread_delete(slug: str, thread_id: int):
    """Move a thread to the bin."""
    _collaboration, thread = _thread_post(slug, thread_id)
    threads.delete_thread(thread)
    db.session.commit()
    flash(_("Het verhaal staat in de prullenbak. U kunt het terugzetten."), "success")
    return redirect(url_for("analysis.thread_index", slug=slug))


@bp.post("/collaborations/<slug>/threads/<int:thread_id>/restore")
def thread_restore(slug: str, thread_id: int):
    """Take a thread out of the bin."""
    _collaboration, thread = _thread_post(slug, thread_id)
    threads.restore_thread(thread)
    db.session.commit()
    flash(_("Het verhaal is teruggezet."), "success")
    return redirect(url_for("analysis.thread_show", slug=slug, thread_id=thread.id))


@bp.post("/collaborations/<slug>/threads/<int:thread_id>/place")
def thread_place(slug: str, thread_id: int):
    """Place a thread in a learning-log entry, an exchange pack or a draft review."""
    _collaboration, thread = _thread_post(slug, thread_id)
    target = request.form.get("target", "")
    if thread.is_deleted or target not in dict(_placement_choices(thread)):
        flash(_("Kies waar het verhaal moet komen."), "warning")
        return redirect(url_for("analysis.thread_show", slug=slug, thread_id=thread.id))
    kind, _sep, target_id = target.partition(":")
    if threads.place(thread, PlacementKind(kind), int(target_id)):
        db.session.commit()
        flash(_("Het verhaal staat er nu in."), "success")
    else:
        flash(_("Het verhaal stond daar al."), "info")
    return redirect(url_for("analysis.thread_show", slug=slug, thread_id=thread.id))


@bp.post("/collaborations/<slug>/threads/<int:thread_id>/placements/<int:placement_id>/remove")
def thread_unplace(slug: str, thread_id: int, placement_id: int):
    """Take a thread out of an entry or a pack (the thread itself stays)."""
    _collaboration, thread = _thread_post(slug, thread_id)
    placement = db.session.get(ThreadPlacement, placement_id)
    if placement is None or placement.thread_id != thread.id:
        abort(404)
    if _adopted_review(placement):
        flash(_("Deze review is vastgesteld: het verslag verandert niet meer. Maak een nieuwe "
                "versie van de review om het verhaal weg te halen."), "warning")
        return redirect(url_for("analysis.thread_show", slug=slug, thread_id=thread.id))
    threads.unplace(placement)
    db.session.commit()
    flash(_("Het verhaal is daar weggehaald."), "success")
    return redirect(url_for("analysis.thread_show", slug=slug, thread_id=thread.id))
