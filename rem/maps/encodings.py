"""Visual encodings: what the fill colour (``color_by``) and the size (``size_by``) of
the nodes stand for, with the colour legend that says so.

Valence keeps the fixed legend (green, red, orange, grey); code, theme and order give
each node a fill and a border from rem/maps/styles.py and list what each colour means.
Activities stay dark blue boxes whatever the colouring: they are the centre of ripples.
"""

from __future__ import annotations

import math

from flask_babel import gettext as _
from flask_babel import ngettext

from rem.maps import styles
from rem.maps.model import MapNode, RippleMap, Swatch
from rem.ripples.logview import LogView


def order_label(order: int) -> str:
    """Return "1e orde", "2e orde", ... in the current language."""
    return _("%(n)de orde", n=order)


def apply(ripple_map: RippleMap, log_view: LogView | None = None) -> None:
    """Fill ``node.fill``/``node.border`` and ``ripple_map.swatches`` for its color_by, and
    ``node.reach`` for size_by=reach (counted on ``log_view``, the whole visible log)."""
    effects = [node for node in ripple_map.nodes if not node.is_activity]
    if ripple_map.color_by == "code":
        _by_category(ripple_map, effects, [n.codes[0] if n.codes else None for n in effects],
                     _("Zonder code"))
    elif ripple_map.color_by == "theme":
        names = {theme.id: theme.name for theme in ripple_map.themes}
        _by_category(ripple_map, effects,
                     [names.get(n.themes[0]) if n.themes else None for n in effects],
                     _("Zonder thema"), order=[t.name for t in ripple_map.themes])
    elif ripple_map.color_by == "order":
        seen: set[int | None] = set()
        for node in effects:
            node.fill, node.border = styles.order_colours(node.order)
            seen.add(node.order if node.order is None else min(node.order, 5))
        for order in sorted(o for o in seen if o is not None):
            fill, border = styles.order_colours(order)
            label = order_label(order) if order < 5 else _("%(n)de orde of verder", n=order)
            ripple_map.swatches.append(Swatch(label, fill, border))
        if None in seen:
            ripple_map.swatches.append(Swatch(_("Orde onbekend"), *styles.UNKNOWN_ORDER))
    colours = {theme.id: theme.colour for theme in ripple_map.themes}
    for node in effects:
        node.bands = tuple(colours[t] for t in node.themes if t in colours)
    if ripple_map.color_by != "valence":
        for key in ("positive", "negative", "mixed", "valence_unknown"):
            ripple_map.legend.pop(key, None)
    if ripple_map.size_by == "reach" and log_view is not None:
        activities = [node for node in ripple_map.nodes if node.is_activity]
        for node in activities:
            node.reach = reach(log_view, node.id)
        most = max((node.reach or 0 for node in activities), default=0)
        for node in activities:
            node.scale = 1 + (math.sqrt(node.reach / most) if most else 0)
            node.note = ngettext("bereik: %(num)d effect", "bereik: %(num)d effecten",
                                 node.reach or 0)
    else:
        ripple_map.legend.pop("reach", None)
    if not ripple_map.themes:
        ripple_map.legend.pop("theme_band", None)
    if not any(node.dimmed for node in ripple_map.nodes):
        ripple_map.legend.pop("dimmed", None)
    if not ripple_map.gaps:
        ripple_map.legend.pop("gap", None)
    orders = {node.order for node in effects}
    known = sorted(o for o in orders if o is not None)
    ripple_map.ring_labels = {1: _("Activiteiten")}
    for order in known:
        ripple_map.ring_labels[order + 1] = order_label(order)
    if None in orders:
        ripple_map.ring_labels[(known[-1] + 2) if known else 2] = _("Orde onbekend")
    else:
        ripple_map.legend.pop("no_cause", None)


def _by_category(ripple_map: RippleMap, effects: list[MapNode], keys: list[str | None],
                 none_label: str, order: list[str] | None = None) -> None:
    """Colour ``effects`` by their ``keys``: the most frequent first (or in ``order``)."""
    counts: dict[str, int] = {}
    for key in keys:
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    ranked = ([k for k in order if k in counts] if order is not None
              else sorted(counts, key=lambda k: (-counts[k], k.lower())))
    index = {key: n for n, key in enumerate(ranked)}
    for node, key in zip(effects, keys, strict=True):
        if key is None:
            node.fill, node.border = styles.VALENCE_STYLE[None][:2]
        else:
            node.fill, node.border = styles.category(index[key])
    limit = len(styles.CATEGORY_PALETTE)
    for key in ranked[:limit]:
        ripple_map.swatches.append(Swatch(key, *styles.category(index[key])))
    if len(ranked) > limit:
        ripple_map.swatches.append(Swatch(_("Overige (%(n)d)", n=len(ranked) - limit),
                                          *styles.OTHER_CATEGORY))
    if None in keys:
        ripple_map.swatches.append(Swatch(none_label, *styles.VALENCE_STYLE[None][:2]))


def reach(log_view: LogView, activity_id: int) -> int:
    """Return how many effects grew from ``activity_id``, directly or further on."""
    seen: set[int] = set()
    queue = [activity_id]
    while queue:
        for effect in log_view.grew.get(queue.pop(), ()):
            if effect not in seen:
                seen.add(effect)
                queue.append(effect)
    return len(seen)
