"""The items of a timeline page as HTML: date, title, badges, causes, session and codes.

Written in Python rather than as a Jinja loop: the loop was two thirds of the timeline
page's time (about 17 translated words, a macro call and the codes' names per item).
Here the words are translated once per page and each code's tag is written once per
page, however many items carry it. Every value is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape

from rem.core.dates import DateLabels
from rem.ripples.badges import Badges


def code_tag(code) -> str:
    """One code as a tag: its codebook's name and its explanation as the tooltip."""
    book = code.codebook
    return (f'<li class="tag tag-{escape(book.slug)}" '
            f'title="{escape(book.label)}: {escape(code.hint)}">{escape(code.label)}</li>')


def timeline_html(groups: Iterable[tuple[str, list]], timeline, translations, *,
                  item_url: str, sessions: Mapping[int, Any],
                  session_url: Callable[[int], str] | None,
                  date_label: Callable[[Any], str]) -> Markup:
    """Return the ``<li class="period">`` elements of ``groups`` ((label, items) pairs).

    ``timeline`` gives each item's ripple order, causes and the causes' titles;
    ``item_url`` is an item's address without its number; ``sessions`` are the
    collaboration's evaluation sessions by id, linked with ``session_url`` (None: named
    only, for a reader who may not see the session's report).
    """
    gettext = translations.ugettext
    grew_from = escape(gettext("Kwam voort uit"))
    no_cause = escape(gettext("Nog niet verbonden met een oorzaak."))
    from_session = escape(gettext("Uit evaluatiesessie"))
    codes_label = escape(gettext("Codes"))
    base = escape(item_url)
    badges = Badges(translations)
    tags: dict[int, str] = {}
    labels = DateLabels()  # a page of 250 items names few dates
    orders, causes_of, titles = timeline.orders, timeline.causes, timeline.titles
    out: list[str] = []
    for label, items in groups:
        out.append(f'<li class="period">\n<h3 class="period-label">{escape(label)}</h3>\n'
                   '<ol class="period-items">\n')
        for item in items:
            valence = f" valence-{escape(item.valence)}" if item.valence else ""
            out.append(
                f'<li class="timeline-item timeline-{escape(item.kind)}{valence}">\n'
                f'<div class="item-date">{escape(labels(item.date_start, item.date_precision))}'
                '</div>\n'
                '<div class="item-body">\n'
                f'<a class="item-title" href="{base}{int(item.id)}">{escape(item.title)}</a>\n'
                f'<div class="badges">{badges.of(item, orders.get(item.id))}'
                '</div>\n')
            causes = causes_of.get(item.id)
            if causes:
                links = ", ".join(f'<a href="{base}{int(cause)}">{escape(titles[cause])}</a>'
                                  for cause in causes)
                out.append(f'<p class="grew-from"><span class="muted">{grew_from}:</span>\n'
                           f'{links}</p>\n')
            elif not item.is_activity:
                out.append(f'<p class="grew-from muted">{no_cause}</p>\n')
            session = sessions.get(item.session_id) if item.session_id else None
            if session is not None:
                title = escape(session.title)
                if session_url is not None:
                    title = f'<a href="{escape(session_url(session.id))}">{title}</a>'
                out.append(f'<p class="from-session"><span class="muted">{from_session}:'
                           f'</span>\n{title} ({escape(date_label(session.held_on))})</p>\n')
            if item.codes:
                out.append(f'<ul class="tags" aria-label="{codes_label}">')
                for code in item.codes:
                    tag = tags.get(code.id)
                    if tag is None:
                        tag = tags[code.id] = code_tag(code)
                    out.append(tag)
                out.append("</ul>\n")
            out.append("</div>\n</li>\n")
        out.append("</ol>\n</li>\n")
    return Markup("".join(out))  # noqa: S704 - every value above is escaped
