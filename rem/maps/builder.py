"""Build a RippleMap from a collaboration's ripple log, filter it, and cache renders.

The map only ever holds what ``access.item_clause(collaboration)`` lets the
person see. Ripple orders are computed on that whole visible graph before any
filter, so a filtered 3rd-order effect still says 3.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import current_app, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from rem.access import Access, current_access
from rem.collaborations.models import Collaboration
from rem.core.dates import DateError, FuzzyDate, Precision, parse_iso
from rem.core.markdown import plain_text
from rem.maps import renderer
from rem.maps.model import MapEdge, MapNode, RippleMap, SummaryGroup, SummaryMap
from rem.ripples.models import Kind, RippleItem, Valence
from rem.ripples.services import LogView, load_log, log_fingerprint

log = logging.getLogger(__name__)

QUARTERS_BELOW_DAYS = 3 * 365
MAX_SPINE_PERIODS = 40
MAX_ORDER_LIMIT = 1000
OUTLINE_MAX_DEPTH = 10
CACHE_MAX_FILES = 500
CACHE_KEEP_FILES = 400
# Bump when the renderer's output changes for the same DOT (another Graphviz, say).
RENDER_CACHE_VERSION = "1"
# A summarised map (for maps over REM_MAP_MAX_NODES) stays small enough to draw at once.
MAX_SUMMARY_GROUPS = 80
MAX_SUMMARY_EDGES = 150


@dataclass
class MapFilters:
    """What a person asked to see on the map; empty means everything visible."""

    codes: list[str] = field(default_factory=list)
    intended: bool | None = None
    valence: str | None = None
    date_from: FuzzyDate | None = None
    date_to: FuzzyDate | None = None
    max_order: int | None = None
    # Not a filter: an item whose downstream ripples are drawn highlighted.
    highlight: int | None = None

    @property
    def active(self) -> bool:
        """Tell whether any filter narrows the map."""
        return bool(self.codes) or any(
            value is not None for value in
            (self.intended, self.valence, self.date_from, self.date_to, self.max_order)
        )

    def to_args(self) -> dict[str, str | list[str]]:
        """Return the filters as query arguments, in their canonical form."""
        args: dict[str, str | list[str]] = {}
        if self.codes:
            args["code"] = list(self.codes)
        if self.intended is not None:
            args["intended"] = "yes" if self.intended else "no"
        if self.valence:
            args["valence"] = self.valence
        if self.date_from:
            args["from"] = self.date_from.iso()
        if self.date_to:
            args["to"] = self.date_to.iso()
        if self.max_order is not None:
            args["max_order"] = str(self.max_order)
        if self.highlight is not None:
            args["highlight"] = str(self.highlight)
        return args

    def matches(self, item: RippleItem, order: int | None) -> bool:
        """Tell whether ``item`` (with its ripple ``order``) passes every filter.

        ``intended``, ``valence`` and ``max_order`` are about effects: activities
        always pass them. With ``max_order`` set, effects that no activity
        reaches (order unknown) are left out.
        """
        if self.codes and not {c.qualified_slug for c in item.codes} & set(self.codes):
            return False
        when = item.when
        if self.date_from and when.end < self.date_from.start:
            return False
        if self.date_to and when.start > self.date_to.end:
            return False
        if item.kind == Kind.ACTIVITY:
            return True
        if self.intended is not None and item.intended is not self.intended:
            return False
        if self.valence and item.valence != self.valence:
            return False
        return not (self.max_order is not None and (order is None or order > self.max_order))


def parse_filters(args: MultiDict, known_codes: set[str] | None = None
                  ) -> tuple[MapFilters, list[str]]:
    """Read filters from query ``args``; ignore bad values and say why in Dutch."""
    filters = MapFilters()
    messages: list[str] = []
    for raw in args.getlist("code"):
        code = raw.strip()
        if not code:
            continue
        if len(code) > 130 or ":" not in code or (
                known_codes is not None and code not in known_codes):
            messages.append(_("De code “%(code)s” bestaat niet; dit filter is genegeerd.",
                              code=code[:60]))
        elif code not in filters.codes:
            filters.codes.append(code)
    intended = args.get("intended", "").strip().lower()
    if intended in ("yes", "no"):
        filters.intended = intended == "yes"
    elif intended:
        messages.append(_("Kies bij “bedoeld” ja of nee; dit filter is genegeerd."))
    valence = args.get("valence", "").strip().lower()
    if valence in {v.value for v in Valence}:
        filters.valence = valence
    elif valence:
        messages.append(_("Kies positief, negatief of gemengd; het filter op waardering is "
                          "genegeerd."))
    for name, label in (("from", _("vanaf")), ("to", _("tot en met"))):
        text = args.get(name, "").strip()
        if not text:
            continue
        try:
            value = parse_iso(text[:20])
        except DateError:
            messages.append(_("De datum bij “%(label)s” is niet te lezen; schrijf bijvoorbeeld "
                              "2024 of 2024-03-12. Dit filter is genegeerd.", label=label))
            continue
        if name == "from":
            filters.date_from = value
        else:
            filters.date_to = value
    if filters.date_from and filters.date_to and filters.date_from.start > filters.date_to.end:
        filters.date_from, filters.date_to = filters.date_to, filters.date_from
        messages.append(_("De begindatum lag na de einddatum; ze zijn omgewisseld."))
    order = args.get("max_order", "").strip()
    if order:
        if order.isdigit() and int(order) <= MAX_ORDER_LIMIT:
            filters.max_order = int(order)
        else:
            messages.append(_("De rimpelorde is een heel getal vanaf 0; dit filter is "
                              "genegeerd."))
    highlight = args.get("highlight", "").strip()
    if highlight:
        if highlight.isdigit() and len(highlight) < 12:
            filters.highlight = int(highlight)
        else:
            messages.append(_("Het item om te markeren is niet te lezen; er is niets "
                              "gemarkeerd."))
    return filters, messages


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
        "valence_unknown": _("Waardering niet bekend (grijs)"),
        "link": _("pijl: het een leidde tot het ander"),
        "no_cause": _("stippellijn uit het midden: nog geen oorzaak bekend"),
        "spine": _("Tijdlijn"),
    }


def _period_unit(items: list[RippleItem]) -> str:
    """Return "quarter" when the items span under about three years, else "year"."""
    if not items:
        return "year"
    first = min(item.when.start for item in items)
    last = max(item.when.end for item in items)
    return "quarter" if (last - first).days < QUARTERS_BELOW_DAYS else "year"


def _period_of(day: date, unit: str) -> tuple[tuple[int, int], str]:
    """Return the sortable key and the label of the period ``day`` falls in."""
    if unit == "year":
        return (day.year, 0), str(day.year)
    quarter = FuzzyDate.of(day, Precision.QUARTER)
    return (day.year, quarter.quarter), quarter.label()


def _spine(keys: set[tuple[int, int]], unit: str) -> list[tuple[int, int]]:
    """Return the spine's period keys: every period from first to last, if not too many."""
    first, last = min(keys), max(keys)
    every: list[tuple[int, int]] = []
    year, sub = first
    while (year, sub) <= last and len(every) <= MAX_SPINE_PERIODS:
        every.append((year, sub))
        if unit == "year":
            year += 1
        else:
            year, sub = (year + 1, 1) if sub == 4 else (year, sub + 1)
    return every if len(every) <= MAX_SPINE_PERIODS else sorted(keys)


# Tooltips by everything they are made of (and the language): a map shown again reuses
# them. Bounded, oldest out first.
TOOLTIP_CACHE_SIZE = 8192
_TOOLTIPS: dict[tuple, str] = {}


def _tooltip(item: RippleItem, order: int | None, date_label: str | None = None) -> str:
    """Return the plain-text tooltip: title, date, kind, order, codes, description."""
    date_label = date_label if date_label is not None else item.when.label()
    key = (str(get_locale()), item.title, date_label, item.kind, item.intended, item.valence,
           order, tuple(code.label for code in item.codes), item.description)
    tooltip = _TOOLTIPS.get(key)
    if tooltip is None:
        tooltip = _make_tooltip(item, order, date_label)
        if len(_TOOLTIPS) >= TOOLTIP_CACHE_SIZE:
            with contextlib.suppress(KeyError, StopIteration, RuntimeError):
                del _TOOLTIPS[next(iter(_TOOLTIPS))]
        _TOOLTIPS[key] = tooltip
    return tooltip


def _make_tooltip(item: RippleItem, order: int | None, date_label: str) -> str:
    lines = [item.title, date_label]
    if item.kind == Kind.ACTIVITY:
        lines.append(_("Activiteit"))
    else:
        facts = [_("Effect")]
        if item.intended is True:
            facts.append(_("bedoeld"))
        elif item.intended is False:
            facts.append(_("onbedoeld"))
        valence = {"positive": _("positief"), "negative": _("negatief"),
                   "mixed": _("gemengd")}.get(item.valence or "")
        if valence:
            facts.append(valence)
        if order:
            facts.append(_("%(n)se rimpeling", n=order))
        lines.append(", ".join(facts))
    if item.codes:
        lines.append(_("Codes: %(codes)s", codes=", ".join(c.label for c in item.codes)))
    description = plain_text(item.description, 200)
    if description:
        lines.append(description)
    return "\n".join(lines)


def map_from_log(collaboration: Collaboration, log_view: LogView, filters: MapFilters
                 ) -> RippleMap:
    """Return the map of the items in ``log_view`` that pass ``filters``."""
    keep = [item for item in log_view.items
            if filters.matches(item, log_view.orders.get(item.id))]
    ids = {item.id for item in keep}
    marked = highlighted(log_view, filters.highlight)
    unit = _period_unit(keep)
    periods: dict[tuple[int, int], str] = {}
    nodes = []
    # One url_for for all nodes (it costs more than the rest of a node): ".../items/<id>".
    item_url = url_for("ripples.show", slug=collaboration.slug, item_id=0)[:-1]
    for item in keep:
        key, label = _period_of(item.when.start, unit)
        periods[key] = label
        order = log_view.orders.get(item.id)
        date_label = item.when.label()
        nodes.append(MapNode(
            id=item.id,
            kind=item.kind,
            title=item.title,
            date_label=date_label,
            period=label,
            order=order,
            intended=item.intended if item.kind == Kind.EFFECT else None,
            valence=item.valence if item.kind == Kind.EFFECT else None,
            codes=[code.label for code in item.codes],
            url=f"{item_url}{item.id}",
            tooltip=_tooltip(item, order, date_label),
            highlight=item.id in marked,
        ))
    spine = []
    if periods:
        for key in _spine(set(periods), unit):
            spine.append(periods.get(key) or _period_of(date(key[0], 3 * max(key[1], 1) - 2, 1),
                                                        unit)[1])
    title = _("Rimpelkaart %(name)s", name=collaboration.name)
    if filters.active:
        title = _("%(title)s (gefilterd)", title=title)
    return RippleMap(
        title=title,
        centre_label=collaboration.name,
        nodes=nodes,
        edges=[MapEdge(a, b, highlight=a in marked and b in marked)
               for a, b in log_view.links if a in ids and b in ids],
        legend=legend(),
        periods=spine,
    )


def highlighted(log_view: LogView, start: int | None) -> set[int]:
    """Return ``start`` and every item that grew from it (empty when it is not visible)."""
    if start is None or not any(item.id == start for item in log_view.items):
        return set()
    marked = {start}
    queue = [start]
    while queue:
        for effect in log_view.grew.get(queue.pop(), ()):
            if effect not in marked:
                marked.add(effect)
                queue.append(effect)
    return marked


def build_map(collaboration: Collaboration, filters: MapFilters | None = None,
              access: Access | None = None, *, max_nodes: int | None = None) -> BuiltMap:
    """Load what the current person may see of ``collaboration`` and build its map.

    With ``max_nodes``, a map with more items than that is not built node by node
    (tooltips, links, the text outline: seconds of work for 20,000 items); a
    summarised map is returned instead, see :class:`BuiltMap`.
    """
    access = access or current_access()
    filters = filters or MapFilters()
    log_view = load_log(collaboration, access.item_clause(collaboration))
    if max_nodes is not None:
        keep = [item for item in log_view.items
                if filters.matches(item, log_view.orders.get(item.id))]
        if len(keep) > max_nodes:
            title = _("Rimpelkaart %(name)s", name=collaboration.name)
            if filters.active:
                title = _("%(title)s (gefilterd)", title=title)
            empty = RippleMap(title=title, centre_label=collaboration.name, nodes=[],
                              edges=[], legend=legend(), periods=[])
            return BuiltMap(empty, len(log_view.items),
                            summary=summarise_log(collaboration, log_view, keep, filters),
                            too_many=len(keep))
    ripple_map = map_from_log(collaboration, log_view, filters)
    return BuiltMap(ripple_map, len(log_view.items))


def summarise_log(collaboration: Collaboration, log_view: LogView, keep: list[RippleItem],
                  filters: MapFilters | None = None) -> SummaryMap:
    """Collapse ``keep`` (items of ``log_view``) into groups by period and code.

    Activities form one group per period; effects one group per period and first
    code (the code with the lowest id; "zonder code" when they have none). With more
    than MAX_SUMMARY_GROUPS groups, codes give way to codebooks, then to "effects".
    Links between groups are counted; the strongest MAX_SUMMARY_EDGES are kept.
    """
    unit = _period_unit(keep)
    period_of: dict[int, tuple[tuple[int, int], str]] = {
        item.id: _period_of(item.when.start, unit) for item in keep}

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
    periods = {period_of[item.id][0]: period_of[item.id][1] for item in keep}
    groups: list[SummaryGroup] = []
    group_of_key: dict[tuple, str] = {}
    for index, key in enumerate(sorted(counts, key=lambda k: (k[0], k[1], k[2].lower()))):
        (period_key, is_effect, label), count = key, counts[key]
        group_of_key[key] = f"g{index}"
        count_label = (ngettext("%(num)d effect", "%(num)d effecten", count) if is_effect
                       else ngettext("%(num)d activiteit", "%(num)d activiteiten", count))
        groups.append(SummaryGroup(key=f"g{index}", period=periods[period_key],
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
    spine = [periods.get(key) or _period_of(date(key[0], 3 * max(key[1], 1) - 2, 1), unit)[1]
             for key in _spine(set(periods), unit)] if periods else []
    title = _("Samengevatte rimpelkaart %(name)s", name=collaboration.name)
    if filters is not None and filters.active:
        title = _("%(title)s (gefilterd)", title=title)
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
                 title: str) -> RippleMap:
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
        part = map_from_log(collaboration, log_view, filters)
        by_id = log_view.by_id()
        for node in part.nodes:
            node.cluster = collaboration.name
            items[node.id] = by_id[node.id]
        nodes.extend(part.nodes)
        edges.extend(part.edges)
    unit = _period_unit(list(items.values()))
    periods: dict[tuple[int, int], str] = {}
    for node in nodes:
        key, label = _period_of(items[node.id].when.start, unit)
        node.period = label
        periods[key] = label
    spine = []
    if periods:
        for key in _spine(set(periods), unit):
            spine.append(periods.get(key) or _period_of(date(key[0], 3 * max(key[1], 1) - 2, 1),
                                                        unit)[1])
    return RippleMap(title=title, centre_label=title, nodes=nodes, edges=edges,
                     legend=legend(), periods=spine)


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


@dataclass
class OutlineEntry:
    """One item in the text alternative, with what grew from it."""

    node: MapNode
    children: list[OutlineEntry] = field(default_factory=list)
    repeat: bool = False


@dataclass
class Outline:
    """The text alternative of a map: activities with their ripples, then the rest."""

    activities: list[OutlineEntry]
    without_cause: list[OutlineEntry]


def outline(ripple_map: RippleMap) -> Outline:
    """Return the map as nested lists: each effect in full once, later only by name.

    Effects without an activity anywhere upstream come under "Zonder oorzaak".
    Nesting stops at a fixed depth; deeper ripples are listed flat at that depth.
    """
    by_id = {node.id: node for node in ripple_map.nodes}
    position = {node.id: index for index, node in enumerate(ripple_map.nodes)}
    grew: dict[int, list[int]] = defaultdict(list)
    has_cause: set[int] = set()
    for edge in ripple_map.edges:
        if edge.cause_id in by_id and edge.effect_id in by_id:
            grew[edge.cause_id].append(edge.effect_id)
            has_cause.add(edge.effect_id)
    for children in grew.values():
        children.sort(key=position.__getitem__)
    seen: set[int] = set()

    def expand(node_id: int, depth: int) -> OutlineEntry:
        """Return the entry for ``node_id`` with its (not yet shown) descendants."""
        if node_id in seen:
            return OutlineEntry(by_id[node_id], repeat=True)
        seen.add(node_id)
        entry = OutlineEntry(by_id[node_id])
        if depth < OUTLINE_MAX_DEPTH:
            entry.children = [expand(child, depth + 1) for child in grew[node_id]]
            return entry
        queue = list(grew[node_id])
        while queue:  # too deep to nest: list the rest flat, each once
            child = queue.pop(0)
            if child in seen:
                continue
            seen.add(child)
            entry.children.append(OutlineEntry(by_id[child]))
            queue.extend(grew[child])
        return entry

    activities = [expand(node.id, 0) for node in ripple_map.nodes if node.is_activity]
    without = [expand(node.id, 0) for node in ripple_map.nodes
               if not node.is_activity and node.id not in has_cause and node.id not in seen]
    return Outline(activities, without)


def cache_key(dot_source: str, engine: str, fmt: str) -> str:
    """Return the sha256 content key of one render."""
    digest = hashlib.sha256()
    for part in (RENDER_CACHE_VERSION, engine, fmt):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(dot_source.encode("utf-8"))
    return digest.hexdigest()


def cache_dir() -> Path:
    """Return the folder of rendered maps: ``REM_MAP_CACHE_DIR`` or instance/map-cache."""
    configured = current_app.config.get("REM_MAP_CACHE_DIR")
    return Path(configured or os.path.join(current_app.instance_path, "map-cache"))


def _prune(directory: Path) -> None:
    """Keep the cache small: past the maximum, remove the least recently used files."""
    try:
        files = [entry for entry in os.scandir(directory)
                 if entry.is_file() and not entry.name.startswith(".")]
        if len(files) <= CACHE_MAX_FILES:
            return
        files.sort(key=lambda entry: entry.stat().st_mtime)
        for entry in files[: len(files) - CACHE_KEEP_FILES]:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
    except OSError:
        log.warning("could not prune the map cache in %s", directory, exc_info=True)


@functools.cache
def _code_version() -> str:
    """Return a digest of the app's code and catalogues: a new release draws maps anew."""
    digest = hashlib.sha256(RENDER_CACHE_VERSION.encode())
    root = Path(__file__).resolve().parent.parent
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.po")]):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def download_alias(collaboration: Collaboration, access: Access, filters: MapFilters,
                   layout: str, fmt: str) -> str:
    """Return a key for a map download that is found without building the map.

    The render cache is keyed by content (the DOT text), which costs a load of the log and
    a build of the map to know: 85 ms for 1,000 items. This alias is a digest of what the
    map is made from: the log's fingerprint (grouped queries, see
    ``ripples.services.log_fingerprint``), the filters, layout, format, language, the
    person's access to the collaboration and the app's code. Any change to the data
    changes the fingerprint, so a stored download is never served stale.
    """
    fingerprint = log_fingerprint(collaboration, access.item_clause(collaboration))
    digest = hashlib.sha256()
    for part in (_code_version(), repr(fingerprint), repr(filters), layout, fmt,
                 str(get_locale()), repr(access.visible_levels(collaboration))):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _download_path(alias: str, fmt: str, directory: Path | None = None) -> Path:
    return (directory or cache_dir()) / f"download-{alias}.{fmt}"


def cached_download(alias: str, fmt: str) -> bytes | None:
    """Return the stored download for ``alias``, or None."""
    path = _download_path(alias, fmt)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)
    return data or None


def store_download(alias: str, fmt: str, data: bytes) -> None:
    """Keep ``data`` as the download for ``alias`` (written atomically; errors are logged)."""
    directory = cache_dir()
    _write_atomically(directory, _download_path(alias, fmt, directory), data, fmt)
    _prune(directory)


def _write_atomically(directory: Path, path: Path, data: bytes, fmt: str) -> None:
    tmp = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=f".{fmt}")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        log.warning("could not write the map cache in %s", directory, exc_info=True)
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def render_cached(dot_source: str, engine: str, fmt: str, timeout: float,
                  directory: Path | None = None) -> bytes:
    """Return the render of ``dot_source``, from the file cache when it is there."""
    if fmt == "dot":
        return renderer.render(dot_source, engine, fmt, timeout)
    directory = directory or cache_dir()
    path = directory / f"{cache_key(dot_source, engine, fmt)}.{fmt}"
    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    if data:
        with contextlib.suppress(OSError):
            os.utime(path)
        return data
    data = renderer.render(dot_source, engine, fmt, timeout)
    _write_atomically(directory, path, data, fmt)
    _prune(directory)
    return data
