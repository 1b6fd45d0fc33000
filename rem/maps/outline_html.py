"""The text alternative of a map (``builder.outline``) as nested HTML lists.

Written in Python rather than as a recursive Jinja macro: the map page lists every item,
and the macro was two fifths of the page's time. Every value is escaped.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from rem.maps.outline import OutlineEntry


def outline_html(entries: list[OutlineEntry], translations) -> Markup:
    """Return ``<ul>`` with one ``<li>`` per entry, nested by what grew from what."""
    gettext = translations.ugettext
    labels = {
        "activity": gettext("activiteit"), "effect": gettext("effect"),
        "unknown": gettext("rimpelorde onbekend"), "intended": gettext("bedoeld"),
        "unintended": gettext("onbedoeld"), "positive": "+ " + gettext("positief"),
        "negative": "− " + gettext("negatief"), "mixed": "± " + gettext("gemengd"),
        "unanswered": gettext("nog niet gevraagd: bedoeld? hoe was het?"),
        "repeat": gettext("(staat hierboven al)"), "codes": gettext("Codes"),
    }
    order_text = gettext("%(n)se rimpeling")
    out: list[str] = []

    def write(entry: OutlineEntry) -> None:
        node = entry.node
        facts = [labels["activity"] if node.is_activity else labels["effect"], node.date_label]
        if not node.is_activity:
            if node.order:
                facts.append(order_text % {"n": node.order})
            elif node.order is None:
                facts.append(labels["unknown"])
            if node.intended is True:
                facts.append(labels["intended"])
            elif node.intended is False:
                facts.append(labels["unintended"])
            if node.valence in ("positive", "negative", "mixed"):
                facts.append(labels[node.valence])
            if node.unanswered:
                facts.append(labels["unanswered"])
        # data-item-id and the row let static/js/map-outline.js make this list a tree
        # (arrow keys, and Enter/Tab to add effects) without changing what it says.
        repeat = ' data-repeat=""' if entry.repeat else ""
        out.append(f'<li class="outline-{escape(node.kind)}" data-item-id="{int(node.id)}"'
                   f'{repeat}><span class="outline-row">'
                   f'<a href="{escape(node.url)}">{escape(node.title)}</a> '
                   f'<span class="muted">({escape(", ".join(facts))})</span>')
        if entry.repeat:
            out.append(f' <span class="muted">{escape(labels["repeat"])}</span>')
        elif node.codes:
            out.append(f' <span class="outline-codes">{escape(labels["codes"])}: '
                       f'{escape(", ".join(node.codes))}</span>')
        out.append("</span>")
        if entry.children:
            out.append("<ul>")
            for child in entry.children:
                write(child)
            out.append("</ul>")
        out.append("</li>")

    out.append('<ul class="outline-list">')
    for entry in entries:
        write(entry)
    out.append("</ul>")
    return Markup("".join(out))  # noqa: S704 - every value above is escaped
