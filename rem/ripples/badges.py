"""The small badges that say what an item is (kind, intended, valence, order, sharing).

Written in Python rather than as a Jinja macro: the timeline shows them for every item,
and a macro call with its seven translated labels was a fifth of the page's time. The
badges are written once per page in the reader's language (:class:`Badges`), and each
item only picks its own.
"""

from __future__ import annotations

from markupsafe import Markup, escape


class Badges:
    """The badges in one language: the fixed ones written once, the order on demand."""

    def __init__(self, translations) -> None:
        gettext = translations.ugettext

        def badge(css: str, text: str) -> str:
            return f'<span class="badge{css}">{escape(text)}</span>'

        self.activity = badge(" badge-activity", gettext("Activiteit"))
        self.effect = badge(" badge-effect", gettext("Effect"))
        self.intended = {True: badge("", gettext("bedoeld")),
                         False: badge(" badge-unintended", gettext("onbedoeld"))}
        self.valence = {
            "positive": badge(" badge-positive", "+ " + gettext("positief")),
            "negative": badge(" badge-negative", "− " + gettext("negatief")),
            "mixed": badge(" badge-mixed", "± " + gettext("gemengd")),
        }
        self.unanswered = badge(" badge-unanswered",
                                gettext("nog niet gevraagd: bedoeld? hoe was het?"))
        self.shared = {"hub": badge(" badge-shared", gettext("gedeeld met hub")),
                       "network": badge(" badge-shared", gettext("gedeeld met netwerk"))}
        self._order_text = gettext("%(n)se rimpeling")
        self._orders: dict[int, str] = {}

    def order(self, order: int) -> str:
        html = self._orders.get(order)
        if html is None:
            html = self._orders[order] = (
                f'<span class="badge badge-order">'
                f'{escape(self._order_text % {"n": int(order)})}</span>')
        return html

    def of(self, item, order: int | None) -> Markup:
        """Return the badges of ``item`` as HTML (its ripple ``order`` for effects)."""
        if item.is_activity:
            html = [self.activity]
        else:
            html = [self.effect]
            if item.intended is not None:
                html.append(self.intended[bool(item.intended)])
            valence = self.valence.get(item.valence)
            if valence:
                html.append(valence)
            if getattr(item, "unanswered", False):
                html.append(self.unanswered)
            if order:
                html.append(self.order(order))
        shared = self.shared.get(item.visibility)
        if shared:
            html.append(shared)
        return Markup("\n".join(html))  # noqa: S704 - every value above is escaped


def item_badges(item, order: int | None, translations) -> Markup:
    """Return the badges of ``item`` as HTML (its ripple ``order`` for effects)."""
    return Badges(translations).of(item, order)
