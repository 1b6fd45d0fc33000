"""Build a RippleMap from a collaboration's ripple log.

The map only ever holds what ``access.item_clause(collaboration)`` lets the person
see. Ripple orders are computed on that whole visible graph before any filter, so a
filtered 3rd-order effect still says 3. Filters and options come from
``rem.maps.filters``; the timeline's columns from ``rem.maps.periods``; colours and
sizes from ``rem.maps.encodings``.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass

import cachetools
from flask import url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from rem.access import Access, current_access
from rem.collaborations.models import Collaboration
from rem.core.dates import current_locale
from rem.core.markdown import plain_text
from rem.core.urls import external_url
from rem.maps import encodings, periods
from rem.maps.filters import MapFilters, MapOptions, describe
from rem.maps.model import MapEdge, MapNode, MapTheme, RippleMap, SummaryGroup, SummaryMap
from rem.maps.styles import category
from rem.ripples import graph
from rem.ripples.logview import LogItem, LogView, load_log
from rem.ripples.models import Kind, RippleItem
from rem.themes import services as themes_service
from rem.themes.models import Theme

# A summarised map (for maps over REM_MAP_MAX_NODES) stays small enough to draw at once.
MAX_SUMMARY_GROUPS = 80
MAX_SUMMARY_EDGES = 150
# The projector's labels: 28 pt (the page's 11 pt times this), two lines of at most 30
# characters. Measured (scripts/projector_fit.py): a map of 60 items on the wall's columns
# (rem.maps.layouts.wall_rows) gets labels of 19-20 px at 1920 x 1080.
PROJECTOR_SCALE = 28 / 11
PROJECTOR_WRAP = 30
PROJECTOR_LINES = 2


@dataclass
class BuiltMap:
    """A built map plus how many items were visible before the filters.

    When :func:`build_map` was given ``max_nodes`` and more items pass the filters,
    ``map`` has no nodes, ``too_many`` says how many items there are and ``summary``
    holds the summarised map to show instead.
    """

    map: RippleMap
    visible_count: int
    summary: SummaryMap | None = None
    too_many: int = 0


@dataclass
class ThemeData:
    """The live themes of a collaboration and the themes of each of its items."""

    themes: list[Theme]
    of_item: dict[int, list[int]]

    @classmethod
    def load(cls, collaboration: Collaboration) -> ThemeData:
        """Load them in two queries."""
        return cls(themes_service.themes_of(collaboration),
                   themes_service.memberships(collaboration.id))

    @classmethod
    def load_many(cls, collaborations: list[Collaboration]) -> dict[int, ThemeData]:
        """Load them for several collaborations at once (two queries in all)."""
        ids = [c.id for c in collaborations]
        themes = themes_service.live_themes_of_many(ids)
        members = themes_service.memberships_of_many(ids)
        return {cid: cls(themes[cid], members[cid]) for cid in ids}


def legend() -> dict[str, str]:
    """Return the Dutch legend texts for the renderer."""
    return {
        "title": _("Legenda"),
        "activity": _("Activiteit (rechthoek)"),
        "intended": _("Bedoeld effect (ovaal, doorgetrokken rand)"),
        "unintended": _("Onbedoeld effect (gestreepte rand)"),
        "intended_unknown": _("Niet bekend of het bedoeld was (gestippelde rand)"),
        "positive": _("positief (groen)"),
        "negative": _("negatief (rood)"),
        "mixed": _("gemengd (oranje)"),
        "valence_unknown": _("Niet bekend hoe het was (grijs)"),
        "link": _("pijl: het een leidde tot het ander"),
        "no_cause": _("Buitenste ring: effecten waarvan nog geen oorzaak bekend is"),
        "spine": _("Tijdlijn"),
        "gap": _("Gestippeld vak: een tijd zonder items, ingekort"),
        "theme_band": _("Gekleurde rand onder de tekst: de thema's van het effect"),
        "dimmed": _("Bleek: buiten de focus, of een eerdere oorzaak"),
        "rings": _("Ringen: activiteiten, dan 1e, 2e, ... orde"),
        "reach": _("Grootte van een activiteit: het aantal effecten dat eruit groeide"),
    }


TOOLTIP_CACHE_SIZE = 8192
_TOOLTIPS: cachetools.LRUCache = cachetools.LRUCache(TOOLTIP_CACHE_SIZE)


def _tooltip_key(item: RippleItem | LogItem, order: int | None, date_label: str,
                 code_labels: tuple[str, ...], locale: str,
                 words: dict[str, str] | None = None) -> tuple:
    return (locale, item.title, date_label, item.kind, item.intended, item.valence,
            bool(item.unanswered), order, code_labels, item.description)


def _tooltip(item: RippleItem | LogItem, order: int | None, date_label: str | None = None,
             code_labels: tuple[str, ...] | None = None, locale: str | None = None,
             words: dict[str, str] | None = None) -> str:
    """Return the plain-text tooltip: title, date, kind, order, codes, description
    (``locale``: the reader's language, and ``words``: :func:`_tooltip_words` in it, when
    the caller has them already)."""
    date_label = date_label if date_label is not None else item.when.label()
    if code_labels is None:
        code_labels = tuple(code.label for code in item.codes)
    return _cached_tooltip(item, order, date_label, code_labels,
                           locale if locale is not None else str(get_locale()), words)


# Keyed by everything the tooltip is made of, and the language.
@cachetools.cached(_TOOLTIPS, key=_tooltip_key, lock=threading.Lock())
def _cached_tooltip(item: RippleItem | LogItem, order: int | None, date_label: str,
                    code_labels: tuple[str, ...], locale: str,
                    words: dict[str, str] | None = None) -> str:
    return _make_tooltip(item, order, date_label, code_labels, words)


def _tooltip_words() -> dict[str, str]:
    """Return the words of a tooltip in the reader's language: looked up once per map,
    not once per item (a first drawing of 1,000 items made some 5,000 lookups)."""
    return {
        "activity": _("Activiteit"), "effect": _("Effect"), "intended": _("bedoeld"),
        "unintended": _("onbedoeld"), "positive": _("positief"), "negative": _("negatief"),
        "mixed": _("gemengd"), "unanswered": _("nog niet gevraagd: bedoeld? hoe was het?"),
        "order": _("%(n)se rimpeling"), "codes": _("Codes: %(codes)s"),
    }


def _make_tooltip(item: RippleItem | LogItem, order: int | None, date_label: str,
                  code_labels: tuple[str, ...], words: dict[str, str] | None = None) -> str:
    words = words or _tooltip_words()
    lines = [item.title, date_label]
    if item.kind == Kind.ACTIVITY:
        lines.append(words["activity"])
    else:
        facts = [words["effect"]]
        if item.intended is True:
            facts.append(words["intended"])
        elif item.intended is False:
            facts.append(words["unintended"])
        valence = words.get(item.valence or "") if item.valence in VALENCES else None
        if valence:
            facts.append(valence)
        if item.unanswered:
            facts.append(words["unanswered"])
        if order:
            facts.append(words["order"] % {"n": order})
        lines.append(", ".join(facts))
    if code_labels:
        lines.append(words["codes"] % {"codes": ", ".join(code_labels)})
    description = plain_text(item.description, 200)
    if description:
        lines.append(description)
    return "\n".join(lines)


VALENCES = frozenset({"positive", "negative", "mixed"})


def item_link_base(collaboration: Collaboration, *, external: bool = False) -> str:
    """Return the address of an item without its id: ".../items/".

    Downloaded SVGs need absolute links (they still work when the file is saved or
    embedded): those come from the site's real address (REM_BASE_URL through
    rem.core.urls.external_url), never from the request's Host. This is the one place map
    links are made.
    """
    # One url_for for all nodes: it costs more than the rest of a node.
    if external:
        return external_url("ripples.show", slug=collaboration.slug, item_id=0)[:-1]
    return url_for("ripples.show", slug=collaboration.slug, item_id=0)[:-1]


def upstream(log_view: LogView, starts: set[int]) -> set[int]:
    """Return everything ``starts`` grew from (directly or further back), not themselves."""
    seen: set[int] = set()
    queue = list(starts)
    while queue:
        for cause in log_view.causes.get(queue.pop(), ()):
            if cause not in seen:
                seen.add(cause)
                queue.append(cause)
    return seen - starts


def downstream(log_view: LogView, starts: set[int]) -> set[int]:
    """Return everything that grew from ``starts`` (directly or further on), not themselves."""
    seen: set[int] = set()
    queue = list(starts)
    while queue:
        for effect in log_view.grew.get(queue.pop(), ()):
            if effect not in seen:
                seen.add(effect)
                queue.append(effect)
    return seen - starts


def highlighted(log_view: LogView, start: int | None) -> set[int]:
    """Return ``start`` and every item that grew from it (empty when it is not visible)."""
    if start is None or not any(item.id == start for item in log_view.items):
        return set()
    return {start} | downstream(log_view, {start})


def filter_description(filters: MapFilters, log_view: LogView,
                       theme_names: dict[int, str]) -> str:
    """Return the filters in words ("code Sleutelpersonen; vanaf 2024"), for titles."""
    labels = {code.qualified_slug: code.label for item in log_view.items for code in item.codes}
    return describe(filters, labels, theme_names)


def map_title(collaboration: Collaboration, filters: MapFilters, log_view: LogView,
              theme_names: dict[int, str]) -> str:
    """Return the map's title; a filtered map says which filters made it."""
    title = _("Rimpelkaart %(name)s", name=collaboration.name)
    if filters.active:
        title = _("%(title)s (gefilterd: %(filters)s)", title=title,
                  filters=filter_description(filters, log_view, theme_names))
    return title


def _chronological(nodes: list[MapNode], log_view: LogView) -> list[MapNode]:
    """Order the nodes of one column by the middle of their period as their links narrow it,
    never an effect before one of its causes in the same column (``graph.time_order``, as
    the timeline)."""
    by_id = {node.id: node for node in nodes}
    keys = {node.id: (node.middle, node.kind != Kind.ACTIVITY, node.id) for node in nodes}
    within = [(cause, effect) for effect in by_id for cause in log_view.causes.get(effect, ())
              if cause in by_id]
    return [by_id[i] for i in graph.time_order(keys, within)]


def map_from_log(collaboration: Collaboration, log_view: LogView, filters: MapFilters,
                 options: MapOptions | None = None, *, themes: ThemeData | None = None,
                 external_links: bool = False, earlier_causes: bool = False) -> RippleMap:
    """Return the map of the items in ``log_view`` that pass ``filters``, drawn as
    ``options`` say.

    ``earlier_causes`` (a year's map) adds, greyed out, what the kept items grew from
    before ``filters.date_from``, so the year's effects are not left unconnected.
    """
    options = options or MapOptions()
    themes = themes if themes is not None else ThemeData.load(collaboration)
    of_item = themes.of_item
    keep = [item for item in log_view.items
            if filters.matches(item, log_view.orders.get(item.id),
                               frozenset(of_item.get(item.id, ())))]
    ids = {item.id for item in keep}
    context: set[int] = set()
    if earlier_causes and filters.date_from is not None:
        start = filters.date_from.start
        context = {i for i in upstream(log_view, ids) if i not in ids}
        by_id = log_view.by_id()
        context = {i for i in context if by_id[i].when.start < start}
        keep = [item for item in log_view.items if item.id in ids or item.id in context]
        ids |= context
    marked = highlighted(log_view, filters.highlight)
    focused: set[int] | None = None
    if filters.focus:
        starts = {i for i in filters.focus if i in ids}
        focused = starts | upstream(log_view, starts) | downstream(log_view, starts)
    unit = options.granularity or periods.choose_granularity(
        item for item in keep if item.id not in context)
    keys: set[periods.Key] = set()
    labels: dict[periods.Key, str] = {}
    nodes = []
    item_url = item_link_base(collaboration, external=external_links)
    # Each distinct date (many items share one) once: its first and last day, its label.
    whens = {(item.date_start, item.date_precision): item.when for item in keep}
    spans = {date: (when.start.toordinal(), when.end.toordinal())
             for date, when in whens.items()}
    reader = current_locale()
    date_labels = {date: when.label(reader) for date, when in whens.items()}
    middles = graph.narrowed_middles(
        {item.id: spans[item.date_start, item.date_precision] for item in keep},
        log_view.links)
    locale = str(reader)
    words = _tooltip_words()
    # A code's label is looked up in the reader's language once per map, not per item.
    label_of: dict[int, str] = {}
    for item in keep:
        code_labels = tuple(label_of[code.id] if code.id in label_of
                            else label_of.setdefault(code.id, code.label)
                            for code in item.codes)
        key = periods.period_key(item.date_start, unit)
        label = labels.get(key)
        if label is None:  # a period's name once per map, not once per item
            label = labels[key] = periods.key_label(key, unit)
            keys.add(key)
        item_id = item.id
        order = log_view.orders.get(item_id)
        date_label = date_labels[item.date_start, item.date_precision]
        effect = item.kind == Kind.EFFECT
        nodes.append(MapNode(
            id=item_id,
            kind=item.kind,
            title=item.title,
            date_label=date_label,
            period=label,
            order=order,
            intended=item.intended if effect else None,
            valence=item.valence if effect else None,
            unanswered=bool(item.unanswered) and effect,
            codes=list(code_labels),
            url=f"{item_url}{item_id}",
            tooltip=_tooltip(item, order, date_label, code_labels, locale, words),
            highlight=item_id in marked,
            dimmed=item_id in context or (focused is not None and item_id not in focused),
            themes=tuple(of_item.get(item_id, ())) if effect else (),
            middle=middles[item_id],
        ))
    spine = periods.spine(keys, unit)
    shown_themes = {t for node in nodes for t in node.themes}
    map_themes = [MapTheme(t.id, t.name, category(n)[1])
                  for n, t in enumerate(themes.themes) if t.id in shown_themes]
    # Each column top to bottom in date order (the renderer keeps this order).
    columns: dict[str, list[MapNode]] = defaultdict(list)
    for node in nodes:
        columns[node.period].append(node)
    nodes = [node for column in columns.values() for node in _chronological(column, log_view)]
    dim = {node.id for node in nodes if node.dimmed}
    ripple_map = RippleMap(
        title=map_title(collaboration, filters, log_view, {t.id: t.name for t in themes.themes}),
        centre_label=collaboration.name,
        nodes=nodes,
        edges=[MapEdge(a, b, highlight=a in marked and b in marked,
                       dimmed=a in dim or b in dim)
               for a, b in log_view.links if a in ids and b in ids],
        legend=legend(),
        periods=[column.label for column in spine],
        gaps={column.label for column in spine if column.gap},
        granularity=unit,
        themes=map_themes,
        color_by=options.color_by,
        size_by=options.size_by,
    )
    encodings.apply(ripple_map, log_view)
    return ripple_map


def for_projector(ripple_map: RippleMap, *, bold: bool = False,
                  aspect: float | None = None) -> RippleMap:
    """Make ``ripple_map`` readable from the back of a room: titles only (the date is in
    the tooltip and the column), at most two short lines in large type (``bold``: for high
    contrast), every item a box (an ellipse needs a third more width for the same text),
    and no legend box; ``aspect``: the shape of the screen's map box (width / height),
    which the wall takes (None: the box at 1920 x 1080)."""
    ripple_map.bold = bold
    ripple_map.wall_aspect = aspect
    for node in ripple_map.nodes:
        node.date_label = ""
        node.note = ""
        node.scale = PROJECTOR_SCALE
        node.wrap = PROJECTOR_WRAP
        node.max_lines = PROJECTOR_LINES
        node.compact = True
    ripple_map.legend = {}
    return ripple_map


def build_map(collaboration: Collaboration, filters: MapFilters | None = None,
              access: Access | None = None, *, options: MapOptions | None = None,
              max_nodes: int | None = None, external_links: bool = False) -> BuiltMap:
    """Load what the current person may see of ``collaboration`` and build its map.

    With ``max_nodes``, a map with more items than that is not built node by node
    (tooltips, links, the text outline: seconds of work for 20,000 items); a
    summarised map is returned instead, see :class:`BuiltMap`.
    """
    access = access or current_access()
    filters = filters or MapFilters()
    log_view = load_log(collaboration, access.item_clause(collaboration))
    themes = ThemeData.load(collaboration)
    if max_nodes is not None:
        keep = [item for item in log_view.items
                if filters.matches(item, log_view.orders.get(item.id),
                                   frozenset(themes.of_item.get(item.id, ())))]
        if len(keep) > max_nodes:
            title = map_title(collaboration, filters, log_view,
                              {t.id: t.name for t in themes.themes})
            empty = RippleMap(title=title, centre_label=collaboration.name, nodes=[],
                              edges=[], legend=legend(), periods=[])
            return BuiltMap(empty, len(log_view.items),
                            summary=summarise_log(collaboration, log_view, keep, filters),
                            too_many=len(keep))
    ripple_map = map_from_log(collaboration, log_view, filters, options, themes=themes,
                              external_links=external_links)
    return BuiltMap(ripple_map, len(log_view.items))


def summarise_log(collaboration: Collaboration, log_view: LogView, keep: list[RippleItem],
                  filters: MapFilters | None = None) -> SummaryMap:
    """Collapse ``keep`` (items of ``log_view``) into groups by period and code.

    Activities form one group per period; effects one group per period and first
    code (the code with the lowest id; "zonder code" when they have none). With more
    than MAX_SUMMARY_GROUPS groups, codes give way to codebooks, then to "effects".
    Links between groups are counted; the strongest MAX_SUMMARY_EDGES are kept.
    """
    # Quarters for under about three years, else years: a summary is an overview.
    span = (max(i.when.end for i in keep) - min(i.when.start for i in keep)).days if keep else 0
    unit = "quarter" if span < 3 * 365 else "year"
    period_of: dict[int, tuple[tuple[int, int], str]] = {
        item.id: periods.period_of(item.when.start, unit) for item in keep}

    def label_of(item: RippleItem, grouping: str) -> str:
        if item.kind == Kind.ACTIVITY:
            return _("Activiteiten")
        if grouping == "kind":
            return _("Effecten")
        if not item.codes:
            return _("Zonder code")
        code = item.codes[0]
        return code.label if grouping == "code" else code.codebook.label

    for grouping in ("code", "codebook", "kind"):
        keys = {item.id: (period_of[item.id][0], item.kind != Kind.ACTIVITY,
                          label_of(item, grouping)) for item in keep}
        if len(set(keys.values())) <= MAX_SUMMARY_GROUPS:
            break
    counts: dict[tuple, int] = defaultdict(int)
    for key in keys.values():
        counts[key] += 1
    labels = {period_of[item.id][0]: period_of[item.id][1] for item in keep}
    groups: list[SummaryGroup] = []
    group_of_key: dict[tuple, str] = {}
    for index, key in enumerate(sorted(counts, key=lambda k: (k[0], k[1], k[2].lower()))):
        (period_key, is_effect, label), count = key, counts[key]
        group_of_key[key] = f"g{index}"
        count_label = (ngettext("%(num)d effect", "%(num)d effecten", count) if is_effect
                       else ngettext("%(num)d activiteit", "%(num)d activiteiten", count))
        groups.append(SummaryGroup(key=f"g{index}", period=labels[period_key],
                                   kind=Kind.EFFECT.value if is_effect else Kind.ACTIVITY.value,
                                   label=label, count_label=count_label, count=count))
    group_of = {item_id: group_of_key[key] for item_id, key in keys.items()}
    edges: dict[tuple[str, str], int] = defaultdict(int)
    inner = links = 0
    for cause, effect in log_view.links:
        if cause in group_of and effect in group_of:
            links += 1
            if group_of[cause] == group_of[effect]:
                inner += 1
            else:
                edges[group_of[cause], group_of[effect]] += 1
    strongest = sorted(edges.items(), key=lambda e: (-e[1], e[0]))
    spine = [column.label for column in periods.spine(set(labels), unit)]
    title = _("Samengevatte rimpelkaart %(name)s", name=collaboration.name)
    if filters is not None and filters.active:
        title = _("%(title)s (gefilterd: %(filters)s)", title=title,
                  filters=filter_description(filters, log_view, {}))
    return SummaryMap(
        title=title, groups=groups,
        edges=[(a, b, n) for (a, b), n in strongest[:MAX_SUMMARY_EDGES]],
        periods=spine, item_count=len(keep), link_count=links, grouping=grouping,
        inner_links=inner, hidden_edges=max(0, len(strongest) - MAX_SUMMARY_EDGES))


def summary_description(summary_map: SummaryMap) -> str:
    """Return one Dutch sentence that describes a summarised map, for screen readers."""
    sentence = _("%(title)s: %(n)d items in %(g)d groepen per periode en code, met "
                 "%(l)d verbindingen.", title=summary_map.title, n=summary_map.item_count,
                 g=len(summary_map.groups), l=summary_map.link_count)
    if summary_map.periods:
        sentence += " " + _("Van %(first)s tot en met %(last)s.",
                            first=summary_map.periods[0], last=summary_map.periods[-1])
    return sentence


def combined_map(parts: list[tuple[Collaboration, LogView]], filters: MapFilters,
                 title: str, themes: dict[int, ThemeData] | None = None) -> RippleMap:
    """Return one map of several collaborations, Meta-REM style: one shared timeline.

    Each collaboration's part is built by :func:`map_from_log` (so filters and
    ripple orders work as on its own map); every node's ``cluster`` is the
    collaboration's name, which the renderer draws as one band per collaboration.
    Periods are recomputed over all parts so that the spine is shared.
    """
    nodes: list[MapNode] = []
    edges: list[MapEdge] = []
    items: dict[int, RippleItem] = {}
    for collaboration, log_view in parts:
        part = map_from_log(collaboration, log_view, filters,
                            themes=(themes or {}).get(collaboration.id))
        by_id = log_view.by_id()
        for node in part.nodes:
            node.cluster = collaboration.name
            items[node.id] = by_id[node.id]
        nodes.extend(part.nodes)
        edges.extend(part.edges)
    unit = periods.choose_granularity(items.values())
    keys: set[periods.Key] = set()
    for node in nodes:
        key, node.period = periods.period_of(items[node.id].when.start, unit)
        keys.add(key)
    spine = periods.spine(keys, unit)
    return RippleMap(title=title, centre_label=title, nodes=nodes, edges=edges,
                     legend=legend(), periods=[column.label for column in spine],
                     gaps={column.label for column in spine if column.gap}, granularity=unit)


def summary(ripple_map: RippleMap) -> str:
    """Return one Dutch sentence that describes the map, for screen readers."""
    activities = sum(1 for node in ripple_map.nodes if node.is_activity)
    effects = len(ripple_map.nodes) - activities
    sentence = _("%(title)s: %(a)s, %(e)s en %(l)s.", title=ripple_map.title,
                 a=ngettext("%(num)d activiteit", "%(num)d activiteiten", activities),
                 e=ngettext("%(num)d effect", "%(num)d effecten", effects),
                 l=ngettext("%(num)d verbinding", "%(num)d verbindingen",
                            len(ripple_map.edges)))
    if ripple_map.periods:
        sentence += " " + _("Van %(first)s tot en met %(last)s.",
                            first=ripple_map.periods[0], last=ripple_map.periods[-1])
    return sentence
