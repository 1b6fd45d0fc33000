"""Dates that carry a precision: people remember "spring 2024", not a day.

A fuzzy date is stored as the first day of its period plus a precision
(day, month, quarter or year). SQL filters on the start; a timeline sorts by the
middle of the period (``sort_key``), so "2024" stands among the days of July, not
before everything of January, and "March 2024" among the days of mid-March.
"""

from __future__ import annotations

import calendar
import enum
import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date as babel_format_date
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l


class Precision(enum.StrEnum):
    """How exactly a date is known."""

    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


PRECISION_LABELS = {
    Precision.DAY: _l("Dag"),
    Precision.MONTH: _l("Maand"),
    Precision.QUARTER: _l("Kwartaal"),
    Precision.YEAR: _l("Jaar"),
}

# Finer precisions sort after coarser ones that start on the same day.
PRECISION_RANK = {Precision.YEAR: 0, Precision.QUARTER: 1, Precision.MONTH: 2, Precision.DAY: 3}

EARLIEST = date(1900, 1, 1)


@functools.lru_cache(maxsize=8192)
def stored(start: date, precision: str) -> FuzzyDate:
    """Return the :class:`FuzzyDate` of a stored first day and precision, made once per
    pair: a date is immutable, and a map of 1,000 items asked for each item's seven
    times."""
    return FuzzyDate(start, Precision(precision))


class DateError(ValueError):
    """A date that cannot be accepted; the message is shown to the user."""


@dataclass(frozen=True, order=False)
class FuzzyDate:
    """A period start plus its precision."""

    start: date
    precision: Precision

    @classmethod
    def of(cls, value: date, precision: Precision | str) -> FuzzyDate:
        """Normalise ``value`` to the first day of its period."""
        precision = Precision(precision)
        if precision is Precision.MONTH:
            value = value.replace(day=1)
        elif precision is Precision.QUARTER:
            value = date(value.year, 3 * ((value.month - 1) // 3) + 1, 1)
        elif precision is Precision.YEAR:
            value = date(value.year, 1, 1)
        return cls(value, precision)

    @functools.cached_property
    def end(self) -> date:
        """Return the last day of the period (worked out once: dates are shared, see
        :func:`stored`)."""
        s = self.start
        if self.precision is Precision.DAY:
            return s
        if self.precision is Precision.MONTH:
            return s.replace(day=calendar.monthrange(s.year, s.month)[1])
        if self.precision is Precision.QUARTER:
            last_month = s.month + 2
            return date(s.year, last_month, calendar.monthrange(s.year, last_month)[1])
        return date(s.year, 12, 31)

    @property
    def quarter(self) -> int:
        """Return the quarter (1-4) the period starts in."""
        return (self.start.month - 1) // 3 + 1

    @property
    def middle(self) -> date:
        """Return the middle day of the period (the earlier one of two)."""
        return date.fromordinal((self.start.toordinal() + self.end.toordinal()) // 2)

    def sort_key(self) -> tuple[date, int, date]:
        """Return a key that sorts periods by their middle, coarse before fine, then by start.

        The middle is where an item of unknown day most likely lies; sorting by the start
        put a whole year before everything of January, often above its own cause.
        """
        return (self.middle, PRECISION_RANK[self.precision], self.start)

    def label(self, locale: str | None = None) -> str:
        """Return the date as people say it, in the current locale (``locale``: its name,
        when the caller has it already; a map labels hundreds of dates, and looking the
        locale up cost more than the label)."""
        if self.precision is Precision.DAY:
            return _formatted(self.start, "d MMMM y", locale)
        if self.precision is Precision.MONTH:
            return _formatted(self.start, "LLLL y", locale)
        if self.precision is Precision.QUARTER:
            return str(_l("%(q)se kwartaal %(year)s", q=self.quarter, year=self.start.year))
        return str(self.start.year)

    def iso(self) -> str:
        """Return a compact machine form: 2024-03-12, 2024-03, 2024-Q2 or 2024."""
        if self.precision is Precision.DAY:
            return self.start.isoformat()
        if self.precision is Precision.MONTH:
            return f"{self.start.year:04d}-{self.start.month:02d}"
        if self.precision is Precision.QUARTER:
            return f"{self.start.year:04d}-Q{self.quarter}"
        return f"{self.start.year:04d}"


class DateLabels:
    """Labels of stored dates in the reader's language, each distinct date once: a list
    of many items names few dates, and each label looked up the language again.

    Make one per list (per request), never keep one: the language is the request's, read
    when it is made."""

    __slots__ = ("_known", "_locale")

    def __init__(self) -> None:
        self._known: dict[tuple[date, str], str] = {}
        self._locale = current_locale()

    def __call__(self, start: date, precision: str) -> str:
        """Return the label of the stored first day ``start`` with ``precision``."""
        label = self._known.get((start, precision))
        if label is None:
            label = self._known[start, precision] = stored(start, precision).label(
                self._locale)
        return label


def current_locale() -> str | None:
    """Return the name of the current locale ("nl"), or None outside a request."""
    locale = get_locale()
    return str(locale) if locale is not None else None


def _formatted(day: date, pattern: str, locale: str | None = None) -> str:
    """Format ``day`` in ``locale`` (default: the current one), remembering answers (a
    timeline asks often)."""
    if locale is None:
        locale = current_locale()
        if locale is None:
            return format_date(day, pattern)
    return _formatted_in(day, pattern, locale)


@functools.lru_cache(maxsize=8192)
def _formatted_in(day: date, pattern: str, locale: str) -> str:
    return babel_format_date(day, pattern, locale=locale)


_PATTERNS = [
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), Precision.DAY),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), Precision.MONTH),
    (re.compile(r"^(\d{4})-[Qq]([1-4])$"), Precision.QUARTER),
    (re.compile(r"^(\d{4})$"), Precision.YEAR),
]


def parse_iso(text: str) -> FuzzyDate:
    """Parse the compact form written by :meth:`FuzzyDate.iso`."""
    text = text.strip()
    for pattern, precision in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        year = int(m.group(1))
        try:
            if precision is Precision.DAY:
                value = date(year, int(m.group(2)), int(m.group(3)))
            elif precision is Precision.MONTH:
                value = date(year, int(m.group(2)), 1)
            elif precision is Precision.QUARTER:
                value = date(year, 3 * (int(m.group(2)) - 1) + 1, 1)
            else:
                value = date(year, 1, 1)
        except ValueError as exc:
            raise DateError(str(_l("Deze datum bestaat niet."))) from exc
        return FuzzyDate.of(value, precision)
    raise DateError(str(_l("Schrijf de datum als 2024-03-12, 2024-03, 2024-Q2 of 2024.")))


def check_date(value: FuzzyDate, *, allow_future: bool, today: date | None = None) -> None:
    """Refuse dates before 1900 and, where asked, dates that have not begun yet."""
    today = today or date.today()
    if value.start < EARLIEST:
        raise DateError(str(_l("Een datum vóór 1900 kan niet. Kijk het jaartal na.")))
    if not allow_future and value.start > today:
        raise DateError(
            str(_l("Een effect kan niet in de toekomst liggen. Kies een datum tot en met vandaag."))
        )
    if allow_future and value.start > today + timedelta(days=366 * 5):
        raise DateError(str(_l("Deze datum ligt meer dan vijf jaar in de toekomst.")))
