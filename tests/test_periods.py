"""The one period type (rem/core/periods.py) of the timeline, the analysis and its growth map."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rem.core.periods import UNITS, Period

pytestmark = pytest.mark.one_database  # the same on every database


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
       st.sampled_from(UNITS))
def test_a_day_lies_in_its_period_and_the_slug_reads_back(day, unit):
    period = Period.of(day, unit)
    assert period.start <= day <= period.end
    assert Period.parse(period.slug) == period
    following = period.next()
    assert following > period
    assert following.start == date.fromordinal(period.end.toordinal() + 1)


def test_slugs_labels_and_spans(app):
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert Period.of(date(2024, 5, 17), "quarter").slug == "2024-Q2"
        assert Period.of(date(2024, 5, 17), "month").slug == "2024-05"
        assert Period.of(date(2024, 5, 17), "year").label() == "2024"
        assert Period.parse("2024-q4") == Period(2024, 4, "quarter")
        for unreadable in ("", "24", "2024-13", "2024-Q5", "twintig", None):
            assert Period.parse(unreadable) is None
        span = Period.span(date(2023, 11, 2), date(2024, 2, 1), "quarter", limit=60)
        assert [p.slug for p in span] == ["2023-Q4", "2024-Q1"]
        assert len(Period.span(date(1900, 1, 1), date(2200, 1, 1), "month", limit=60)) == 60
