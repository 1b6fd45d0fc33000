"""One period type for every page that groups by time: a year, a quarter or a month.

The timeline groups items by it, the analysis counts and links per period (written in
URLs and CSV as 2024, 2024-Q2 or 2024-05), and the map through time steps from one
period to the next. Labels follow the locale through ``FuzzyDate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rem.core.dates import FuzzyDate, Precision

UNITS = ("year", "quarter", "month")


@dataclass(frozen=True, order=True)
class Period:
    """A year (``sub`` 0), a quarter (``sub`` 1-4) or a month (``sub`` 1-12)."""

    year: int
    sub: int
    unit: str

    @classmethod
    def of(cls, day: date, unit: str) -> Period:
        """Return the period of ``unit`` that ``day`` falls in."""
        if unit == "year":
            return cls(day.year, 0, unit)
        if unit == "quarter":
            return cls(day.year, (day.month - 1) // 3 + 1, unit)
        return cls(day.year, day.month, "month")

    @classmethod
    def parse(cls, text: str | None) -> Period | None:
        """Read 2024, 2024-Q2 or 2024-05 (as written by :attr:`slug`); None if unreadable."""
        text = (text or "").strip().upper()
        if len(text) == 4 and text.isdigit():
            return cls(int(text), 0, "year")
        if len(text) == 7 and text[4:6] == "-Q" and text[:4].isdigit() and text[6] in "1234":
            return cls(int(text[:4]), int(text[6]), "quarter")
        if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() \
                and 1 <= int(text[5:]) <= 12:
            return cls(int(text[:4]), int(text[5:]), "month")
        return None

    @property
    def key(self) -> tuple[int, int]:
        """Return (year, sub): sortable within one unit."""
        return (self.year, self.sub)

    @property
    def slug(self) -> str:
        """Return the period as URLs and CSV write it: 2024, 2024-Q2 or 2024-05."""
        if self.unit == "year":
            return str(self.year)
        if self.unit == "quarter":
            return f"{self.year}-Q{self.sub}"
        return f"{self.year}-{self.sub:02d}"

    @property
    def start(self) -> date:
        """Return the first day of the period."""
        if self.unit == "year":
            return date(self.year, 1, 1)
        if self.unit == "quarter":
            return date(self.year, 3 * self.sub - 2, 1)
        return date(self.year, self.sub, 1)

    @property
    def end(self) -> date:
        """Return the last day of the period."""
        return self._fuzzy().end

    def label(self) -> str:
        """Return the label of the period in the reader's language, as the timeline writes it."""
        return str(self.year) if self.unit == "year" else self._fuzzy().label()

    def next(self) -> Period:
        """Return the period right after this one."""
        last = {"year": 0, "quarter": 4, "month": 12}[self.unit]
        if self.sub == last:
            return Period(self.year + 1, 0 if self.unit == "year" else 1, self.unit)
        return Period(self.year, self.sub + 1, self.unit)

    @classmethod
    def span(cls, first: date, last: date, unit: str, limit: int) -> list[Period]:
        """Return every period from the one of ``first`` to the one of ``last`` (at most
        ``limit`` of them)."""
        periods = []
        period, end = cls.of(first, unit), cls.of(last, unit)
        while period <= end and len(periods) < limit:
            periods.append(period)
            period = period.next()
        return periods

    def _fuzzy(self) -> FuzzyDate:
        precision = {"year": Precision.YEAR, "quarter": Precision.QUARTER,
                     "month": Precision.MONTH}[self.unit]
        return FuzzyDate.of(self.start, precision)
