"""Periods of the analysis pages: year, quarter or month keys, their labels and date ranges.\n"""

from __future__ import annotations

from datetime import date

from rem.core.dates import FuzzyDate, Precision

# --- periods ------------------------------------------------------------------------------


def period_key(year: int, month: int, unit: str) -> tuple[int, int]:
    """Return the sortable key of the period (year, quarter or month) of ``year-month``."""
    if unit == "year":
        return (year, 0)
    if unit == "quarter":
        return (year, (month - 1) // 3 + 1)
    return (year, month)


def period_label(key: tuple[int, int], unit: str) -> str:
    """Return the label of a period key, as the timeline writes it."""
    year, sub = key
    if unit == "year":
        return str(year)
    if unit == "quarter":
        return FuzzyDate.of(date(year, 3 * sub - 2, 1), Precision.QUARTER).label()
    return FuzzyDate.of(date(year, sub, 1), Precision.MONTH).label()


def period_slug(key: tuple[int, int], unit: str) -> str:
    """Return the period as it is written in URLs and CSV: 2024, 2024-Q2 or 2024-05."""
    year, sub = key
    if unit == "year":
        return str(year)
    if unit == "quarter":
        return f"{year}-Q{sub}"
    return f"{year}-{sub:02d}"


def parse_period(text: str) -> tuple[tuple[int, int], str] | None:
    """Read 2024, 2024-Q2 or 2024-05; return (key, unit) or None."""
    text = (text or "").strip().upper()
    try:
        if len(text) == 4 and text.isdigit():
            return (int(text), 0), "year"
        if len(text) == 7 and text[4:6] == "-Q" and text[:4].isdigit() and text[6] in "1234":
            return (int(text[:4]), int(text[6])), "quarter"
        if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
            month = int(text[5:])
            if 1 <= month <= 12:
                return (int(text[:4]), month), "month"
    except ValueError:
        return None
    return None


def period_range(key: tuple[int, int], unit: str) -> tuple[date, date]:
    """Return the first and last day of a period."""
    year, sub = key
    if unit == "year":
        return date(year, 1, 1), date(year, 12, 31)
    if unit == "quarter":
        start = date(year, 3 * sub - 2, 1)
        return start, FuzzyDate.of(start, Precision.QUARTER).end
    start = date(year, sub, 1)
    return start, FuzzyDate.of(start, Precision.MONTH).end
