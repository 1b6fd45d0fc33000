"""The small badges that say what an item is (kind, intended, valence, order, sharing).

Written in Python rather than as a Jinja macro: the timeline shows them for every item,
and a macro call with its seven translated labels was a fifth of the page's time. The
labels are translated once per request (``rem.core.i18n.request_translations``).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from rem.ripples.models import Kind


def _labels(gettext) -> dict[str, str]:
    return {
        "activity": gettext("Activiteit"), "effect": gettext("Effect"),
        "intended": gettext("bedoeld"), "unintended": gettext("onbedoeld"),
        "positive": "+ " + gettext("positief"), "negative": "− " + gettext("negatief"),
        "mixed": "± " + gettext("gemengd"),
        "unanswered": gettext("nog niet gevraagd: bedoeld? hoe was het?"),
        "hub": gettext("gedeeld met hub"), "network": gettext("gedeeld met netwerk"),
    }


def item_badges(item, order: int | None, translations) -> Markup:
    """Return the badges of ``item`` as HTML (its ripple ``order`` for effects)."""
    labels = _labels(translations.ugettext)
    html = []
    kind = Kind.ACTIVITY.value if item.is_activity else Kind.EFFECT.value
    html.append(f'<span class="badge badge-{kind}">{escape(labels[kind])}</span>')
    if not item.is_activity:
        if item.intended is True:
            html.append(f'<span class="badge">{escape(labels["intended"])}</span>')
        elif item.intended is False:
            html.append('<span class="badge badge-unintended">'
                        f'{escape(labels["unintended"])}</span>')
        if item.valence in ("positive", "negative", "mixed"):
            html.append(f'<span class="badge badge-{item.valence}">'
                        f'{escape(labels[item.valence])}</span>')
        if getattr(item, "unanswered", False):
            html.append(f'<span class="badge badge-unanswered">{escape(labels["unanswered"])}'
                        '</span>')
        if order:
            text = translations.ugettext("%(n)se rimpeling") % {"n": int(order)}
            html.append(f'<span class="badge badge-order">{escape(text)}</span>')
    if item.visibility in ("hub", "network"):
        html.append(f'<span class="badge badge-shared">{escape(labels[item.visibility])}</span>')
    return Markup("\n".join(html))  # noqa: S704 - every value above is escaped
