"""The columns of the timeline: which granularity, which period an item falls in, and
the spine of periods with long empty stretches compressed into one marked column.

One late or early item must not stretch the map: a run of two or more empty periods
becomes one "gap" column labelled with the stretch it stands for, so the spine never
shows more than one empty column in a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from rem.core.dates import FuzzyDate, Precision
from rem.ripples.models import RippleItem

# The finest granularity whose number of periods with items stays readable wins.
MAX_MONTH_COLUMNS = 18
MAX_QUARTER_COLUMNS = 24
LARGE_MAP = 300
# A spine longer than this is drawn with only the periods that have items (gaps marked).
MAX_SPINE_PERIODS = 80

Key = tuple[int, int]


@dataclass(frozen=True)
class SpinePeriod:
    """One column of the timeline; ``gap`` marks a compressed stretch without items."""

    key: Key
    label: str
    gap: bool = False


def choose_granularity(items: Iterable[RippleItem]) -> str:
    """Return month, quarter or year: the finest that keeps the columns with items few.

    Counting only periods that have items (not the span) keeps one item dated years away
    from turning a busy season into one column. A large map (over LARGE_MAP items) keeps
    few columns: every link that skips columns costs Graphviz a node per column skipped
    (1,000 items: 0.4 s by year, 4-6 s by quarter), so it gets quarters only when its items
    span under about three years.
    """
    items = list(items)
    months: set[Key] = set()
    for item in items:
        months.add((item.date_start.year, item.date_start.month))
    if len(items) > LARGE_MAP:
        first = min(item.when.start for item in items)
        last = max(item.when.end for item in items)
        return "quarter" if (last - first).days < 3 * 365 else "year"
    if len(months) <= MAX_MONTH_COLUMNS:
        return "month"
    quarters = {(year, (month - 1) // 3 + 1) for year, month in months}
    return "quarter" if len(quarters) <= MAX_QUARTER_COLUMNS else "year"


def projector_granularity(items: Iterable[RippleItem], columns: int = 6) -> str:
    """Return the finest granularity with at most ``columns`` periods that have items (the
    projector's map must fit a screen with large text)."""
    months = {(item.date_start.year, item.date_start.month) for item in items}
    if len(months) <= columns:
        return "month"
    quarters = {(year, (month - 1) // 3 + 1) for year, month in months}
    return "quarter" if len(quarters) <= columns else "year"


def period_key(day: date, unit: str) -> Key:
    """Return the sortable key of the period of ``unit`` that ``day`` falls in."""
    if unit == "year":
        return (day.year, 0)
    if unit == "quarter":
        return (day.year, (day.month - 1) // 3 + 1)
    return (day.year, day.month)


def key_start(key: Key, unit: str) -> date:
    """Return the first day of the period ``key``."""
    year, sub = key
    if unit == "year":
        return date(year, 1, 1)
    if unit == "quarter":
        return date(year, 3 * sub - 2, 1)
    return date(year, sub, 1)


def key_label(key: Key, unit: str) -> str:
    """Return the label of the period ``key`` in the current language."""
    precision = {"year": Precision.YEAR, "quarter": Precision.QUARTER,
                 "month": Precision.MONTH}[unit]
    return FuzzyDate.of(key_start(key, unit), precision).label()


def period_of(day: date, unit: str) -> tuple[Key, str]:
    """Return the key and the label of the period ``day`` falls in."""
    key = period_key(day, unit)
    return key, key_label(key, unit)


def next_key(key: Key, unit: str) -> Key:
    """Return the key of the period after ``key``."""
    year, sub = key
    if unit == "year":
        return (year + 1, 0)
    last = 4 if unit == "quarter" else 12
    return (year + 1, 1) if sub == last else (year, sub + 1)


def spine(keys: set[Key], unit: str) -> list[SpinePeriod]:
    """Return the columns from the first to the last period in ``keys``.

    Runs of two or more empty periods become one gap column ("mei 2025 – februari 2031");
    a single empty period stays itself. Past MAX_SPINE_PERIODS filled columns nothing is
    left out: every period with items keeps its column.
    """
    if not keys:
        return []
    columns: list[SpinePeriod] = []
    first, last = min(keys), max(keys)
    key = first
    empty: list[Key] = []
    steps = 0
    while key <= last:
        if key in keys:
            columns.extend(_gap(empty, unit))
            empty = []
            columns.append(SpinePeriod(key, key_label(key, unit)))
        else:
            empty.append(key)
            if len(empty) > 2:  # only the first and the last of a long run matter
                del empty[1]
        key = next_key(key, unit)
        steps += 1
        if steps > 100_000:  # pragma: no cover - keys come from real dates
            break
    return columns


def _gap(empty: list[Key], unit: str) -> list[SpinePeriod]:
    """Return the column(s) that stand for the run of empty periods ``empty``."""
    if not empty:
        return []
    if len(empty) == 1:
        return [SpinePeriod(empty[0], key_label(empty[0], unit))]
    label = _("%(first)s – %(last)s (niets)", first=key_label(empty[0], unit),
              last=key_label(empty[-1], unit))
    return [SpinePeriod(empty[0], label, gap=True)]

