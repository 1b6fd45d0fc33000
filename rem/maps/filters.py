"""What a person asked to see on a map, read from the query string.

Two parts: :class:`MapFilters` choose the items (codes, themes, intention, valence,
period, ripple order) and what stands out (highlight, focus); :class:`MapOptions`
choose how the map is drawn (layout, colouring, sizing, timeline granularity). Both
turn back into canonical query arguments (``to_args``), which is what download links,
saved views and citations store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from rem.core.dates import DateError, FuzzyDate, parse_iso
from rem.ripples.models import Kind, RippleItem, Valence

MAX_ORDER_LIMIT = 1000
MAX_FOCUS = 20
LAYOUTS = ("timeline", "radial")
DEFAULT_LAYOUT = "timeline"
COLOR_BY = ("valence", "code", "theme", "order")
SIZE_BY = ("reach",)
GRANULARITIES = ("year", "quarter", "month")
# ?intended=: "unknown" is an effect whose intention is not known: "Weet ik niet" was
# chosen, or nobody was asked yet (RippleItem.unanswered); both are NULL in the database.
INTENDED = ("yes", "no", "unknown")


@dataclass
class MapFilters:
    """What a person asked to see on the map; empty means everything visible."""

    codes: list[str] = field(default_factory=list)
    themes: list[int] = field(default_factory=list)
    intended: str | None = None  # one of INTENDED
    valence: str | None = None
    date_from: FuzzyDate | None = None
    date_to: FuzzyDate | None = None
    max_order: int | None = None
    # Not filters: an item whose downstream ripples are drawn highlighted, and the items
    # in focus (what they grew from and what grew from them stand out, the rest is dimmed).
    highlight: int | None = None
    focus: list[int] = field(default_factory=list)
    # Not filters either: what could not be read, by query argument (the text as typed, so
    # the form can show it again, and the message). A page ignores these filters and says
    # so; a download refuses the whole request.
    unreadable: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        """Tell whether any filter narrows the map."""
        return bool(self.codes or self.themes) or any(
            value is not None for value in
            (self.intended, self.valence, self.date_from, self.date_to, self.max_order)
        )

    def to_args(self) -> dict[str, str | list[str]]:
        """Return the filters as query arguments, in their canonical form."""
        args: dict[str, str | list[str]] = {}
        if self.codes:
            args["code"] = list(self.codes)
        if self.themes:
            args["theme"] = [str(theme) for theme in self.themes]
        if self.intended is not None:
            args["intended"] = self.intended
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
        if self.focus:
            args["focus"] = [str(item) for item in self.focus]
        return args

    def matches(self, item: RippleItem, order: int | None,
                themes: frozenset[int] | set[int] = frozenset()) -> bool:
        """Tell whether ``item`` (with its ripple ``order`` and ``themes``) passes.

        ``intended``, ``valence``, ``max_order`` and themes are about effects: activities
        always pass them. With ``max_order`` set, effects that no activity reaches
        (order unknown) are left out.
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
        if self.themes and not set(self.themes) & themes:
            return False
        if self.intended is not None and item.intended is not _INTENDED_VALUE[self.intended]:
            return False
        if self.valence and item.valence != self.valence:
            return False
        return not (self.max_order is not None and (order is None or order > self.max_order))


_INTENDED_VALUE = {"yes": True, "no": False, "unknown": None}


def describe(filters: MapFilters, code_labels: dict[str, str],
             theme_names: dict[int, str]) -> str:
    """Return the filters in words ("code Sleutelpersonen; vanaf 2024"), for titles and
    the summary line of the filter box."""
    parts = []
    if filters.codes:
        parts.append(_("code %(codes)s", codes=", ".join(code_labels.get(c, c)
                                                         for c in filters.codes)))
    if filters.themes:
        parts.append(_("thema %(themes)s", themes=", ".join(
            theme_names.get(t, str(t)) for t in filters.themes)))
    if filters.intended is not None:
        parts.append({"yes": _("bedoeld"), "no": _("onbedoeld"),
                      "unknown": _("bedoeld of niet: onbekend")}[filters.intended])
    if filters.valence:
        parts.append({"positive": _("positief"), "negative": _("negatief"),
                      "mixed": _("gemengd")}.get(filters.valence, filters.valence))
    if filters.date_from:
        parts.append(_("vanaf %(date)s", date=filters.date_from.label()))
    if filters.date_to:
        parts.append(_("tot en met %(date)s", date=filters.date_to.label()))
    if filters.max_order is not None:
        parts.append(_("tot en met orde %(n)d", n=filters.max_order))
    return "; ".join(parts)


@dataclass
class MapOptions:
    """How a map is drawn: none of these changes which items are on it."""

    layout: str = DEFAULT_LAYOUT
    color_by: str = "valence"
    size_by: str | None = None
    # None: chosen from the items (periods.choose_granularity).
    granularity: str | None = None

    def to_args(self) -> dict[str, str]:
        """Return the options that differ from the defaults, as query arguments."""
        args = {"layout": self.layout}
        if self.color_by != "valence":
            args["color_by"] = self.color_by
        if self.size_by:
            args["size_by"] = self.size_by
        if self.granularity:
            args["granularity"] = self.granularity
        return args


def _ids(values: list[str], limit: int) -> tuple[list[int], bool]:
    """Return the distinct whole numbers in ``values`` (at most ``limit``), and whether
    anything was unreadable."""
    ids: list[int] = []
    bad = False
    for raw in values:
        text = raw.strip()
        if not text:
            continue
        if text.isdigit() and len(text) < 12:
            if int(text) not in ids and len(ids) < limit:
                ids.append(int(text))
        else:
            bad = True
    return ids, bad


def parse_filters(args: MultiDict, known_codes: set[str] | None = None,
                  known_themes: set[int] | None = None) -> tuple[MapFilters, list[str]]:
    """Read filters from query ``args``; ignore bad values and say why in Dutch.

    What could not be read is kept in ``filters.unreadable`` and ``filters.problems``
    (by query argument); the messages returned are those problems, each saying that its
    filter was ignored, plus notes that change nothing (swapped dates).
    """
    filters = MapFilters()
    notes: list[str] = []

    def problem(name: str, typed: str, message: str) -> None:
        filters.unreadable.setdefault(name, typed[:60])
        filters.problems.setdefault(name, message)

    for raw in args.getlist("code"):
        code = raw.strip()
        if not code:
            continue
        if len(code) > 130 or ":" not in code or (
                known_codes is not None and code not in known_codes):
            problem("code", code, _("De code “%(code)s” bestaat niet.", code=code[:60]))
        elif code not in filters.codes:
            filters.codes.append(code)
    themes, bad = _ids(args.getlist("theme"), 50)
    unknown = [t for t in themes if known_themes is not None and t not in known_themes]
    if bad or unknown:
        problem("theme", "", _("Een gekozen thema bestaat niet (meer)."))
    filters.themes = [t for t in themes if t not in unknown]
    intended = args.get("intended", "").strip().lower()
    if intended in INTENDED:
        filters.intended = intended
    elif intended:
        problem("intended", intended, _("Kies bij “bedoeld” ja, nee of onbekend."))
    valence = args.get("valence", "").strip().lower()
    if valence in {v.value for v in Valence}:
        filters.valence = valence
    elif valence:
        problem("valence", valence,
                _("Kies bij “hoe was het?” positief, negatief of gemengd."))
    for name, label in (("from", _("vanaf")), ("to", _("tot en met"))):
        text = args.get(name, "").strip()
        if not text:
            continue
        try:
            value = parse_iso(text[:20])
        except DateError:
            problem(name, text, _("De datum bij “%(label)s” (“%(text)s”) is niet te lezen. "
                                  "Schrijf een jaar, kwartaal, maand of dag: 2024, 2024-Q2, "
                                  "2024-03 of 2024-03-12.", label=label, text=text[:30]))
            continue
        if name == "from":
            filters.date_from = value
        else:
            filters.date_to = value
    if filters.date_from and filters.date_to and filters.date_from.start > filters.date_to.end:
        filters.date_from, filters.date_to = filters.date_to, filters.date_from
        notes.append(_("De begindatum lag na de einddatum; ze zijn omgewisseld."))
    order = args.get("max_order", "").strip()
    if order:
        if order.isdigit() and int(order) <= MAX_ORDER_LIMIT:
            filters.max_order = int(order)
        else:
            problem("max_order", order, _("De rimpelorde is een heel getal vanaf 0."))
    highlight = args.get("highlight", "").strip()
    if highlight:
        if highlight.isdigit() and len(highlight) < 12:
            filters.highlight = int(highlight)
        else:
            problem("highlight", highlight, _("Het item om te markeren is niet te lezen."))
    filters.focus, bad = _ids(args.getlist("focus"), MAX_FOCUS)
    if bad:
        problem("focus", "", _("Een item in de focus is niet te lezen."))
    messages = [_("%(problem)s Dit filter is niet gebruikt.", problem=message)
                for message in filters.problems.values()]
    return filters, messages + notes


def refusal(filters: MapFilters) -> str | None:
    """Return why a download cannot be made of these filters (a citable URL must not
    quietly mean something else), or None."""
    if not filters.problems:
        return None
    return " ".join([*filters.problems.values(),
                     _("Pas het adres aan; er is niets gedownload.")])


def parse_options(args: MultiDict, *, strict: bool = False) -> tuple[MapOptions, list[str]]:
    """Read the drawing options from ``args``.

    A bad value falls back to the default with a message; with ``strict`` (downloads,
    whose citable URL must not quietly mean something else) the messages are errors the
    caller answers with 400.
    """
    options = MapOptions()
    messages: list[str] = []
    layout = args.get("layout", "").strip() or DEFAULT_LAYOUT
    if layout in LAYOUTS:
        options.layout = layout
    else:
        messages.append(_("Deze kaartvorm bestaat niet; u ziet de tijdlijn.") if not strict
                        else _("Onbekende kaartvorm. Kies layout=timeline of layout=radial."))
    color_by = args.get("color_by", "").strip()
    if color_by in COLOR_BY:
        options.color_by = color_by
    elif color_by:
        messages.append(_("Kleuren kan naar hoe het was (positief, negatief…), code, thema of "
                          "orde; u ziet de kleuren van positief, negatief en gemengd."))
    size_by = args.get("size_by", "").strip()
    if size_by in SIZE_BY:
        options.size_by = size_by
    elif size_by:
        messages.append(_("Grootte kan alleen naar bereik (size_by=reach); alle vormen zijn "
                          "even groot."))
    granularity = args.get("granularity", "").strip()
    if granularity in GRANULARITIES:
        options.granularity = granularity
    elif granularity:
        messages.append(_("Kies per jaar, kwartaal of maand (granularity=year, quarter of "
                          "month); de indeling is zelf gekozen."))
    return options, messages
