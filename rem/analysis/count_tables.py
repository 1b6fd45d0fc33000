"""The table under each chart of the analysis page, written in Python: a page has some
twenty of them, and as a template macro each cost more than the HTML it writes."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from markupsafe import Markup, escape

from rem.analysis.counts import Count


def count_table(caption: str, measure: str, counts: Iterable[Count],
                items_url: Callable[[str, str], str], group: str, number: str) -> Markup:
    """Return the table of ``counts`` (a row per group, its number linking to the items
    counted), with ``caption`` for screen readers; ``group`` and ``number`` are the column
    headings, translated once per page."""
    rows = []
    for count in counts:
        cell = (f'<a href="{escape(items_url(measure, count.group))}">{escape(count.value)}</a>'
                if count.value else "0")
        rows.append(f"\n    <tr><td>{escape(count.label)}</td>\n        <td>{cell}</td></tr>\n  ")
    return Markup(  # noqa: S704 - every value above is escaped
        '<div class="table-wrap">\n<table class="count-table">\n'
        f'  <caption class="visually-hidden">{escape(caption)}</caption>\n'
        f'  <thead><tr><th scope="col">{escape(group)}</th><th scope="col">{escape(number)}'
        "</th></tr></thead>\n  <tbody>\n  " + "".join(rows)
        + "\n  </tbody>\n</table>\n</div>")
