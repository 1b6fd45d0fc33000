"""Fuzzy dates: normalisation, parsing, labels, sorting and refusals."""

from datetime import date

import pytest

from rem.core.dates import DateError, DateLabels, FuzzyDate, Precision, check_date, parse_iso

pytestmark = pytest.mark.one_database  # the same on every database


@pytest.mark.parametrize("text,start,precision", [
    ("2024-03-12", date(2024, 3, 12), Precision.DAY),
    ("2024-03", date(2024, 3, 1), Precision.MONTH),
    ("2024-Q2", date(2024, 4, 1), Precision.QUARTER),
    ("2024-q4", date(2024, 10, 1), Precision.QUARTER),
    ("2024", date(2024, 1, 1), Precision.YEAR),
])
def test_parse_iso_gives_period_start(app, text, start, precision):
    with app.test_request_context():
        value = parse_iso(text)
    assert value.start == start and value.precision is precision
    assert value.iso().lower() == text.lower()


@pytest.mark.parametrize("text", ["", "2024-13", "2024-02-30", "2024-Q5", "march 2024", "24"])
def test_parse_iso_refuses_nonsense(app, text):
    with app.test_request_context(), pytest.raises(DateError):
        parse_iso(text)


def test_of_normalises_to_the_start_and_end_of_the_period():
    q = FuzzyDate.of(date(2024, 5, 17), "quarter")
    assert q.start == date(2024, 4, 1) and q.end == date(2024, 6, 30)
    m = FuzzyDate.of(date(2024, 2, 17), Precision.MONTH)
    assert m.start == date(2024, 2, 1) and m.end == date(2024, 2, 29)
    y = FuzzyDate.of(date(2023, 7, 1), "year")
    assert y.end == date(2023, 12, 31)


def test_sorting_uses_the_middle_of_the_period():
    dates = [
        FuzzyDate.of(date(2024, 1, 1), "day"),
        FuzzyDate.of(date(2024, 1, 1), "year"),
        FuzzyDate.of(date(2024, 1, 1), "month"),
        FuzzyDate.of(date(2023, 12, 31), "day"),
        FuzzyDate.of(date(2024, 1, 1), "quarter"),
        FuzzyDate.of(date(2024, 7, 1), "day"),
    ]
    ordered = sorted(dates, key=FuzzyDate.sort_key)
    # middles: 31 Dec, 1 Jan, 16 Jan, 15 Feb, 1 July (the year, coarse first), 1 July
    assert [d.precision.value for d in ordered] == ["day", "day", "month", "quarter", "year",
                                                    "day"]
    assert ordered[0].start == date(2023, 12, 31)
    assert FuzzyDate.of(date(2024, 1, 1), "year").middle == date(2024, 7, 1)
    assert FuzzyDate.of(date(2024, 5, 1), "quarter").middle == date(2024, 5, 16)


def test_labels_follow_the_locale(app):
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert FuzzyDate.of(date(2024, 3, 12), "day").label() == "12 maart 2024"
        assert FuzzyDate.of(date(2024, 3, 12), "month").label() == "maart 2024"
        assert FuzzyDate.of(date(2024, 5, 1), "quarter").label() == "2e kwartaal 2024"
        assert FuzzyDate.of(date(2024, 5, 1), "year").label() == "2024"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert FuzzyDate.of(date(2024, 3, 12), "month").label() == "March 2024"


def test_a_label_in_a_named_locale_is_the_label_in_that_locale(app):
    """``label(locale)`` (a map names the locale once) is ``label()`` in that locale."""
    days = [FuzzyDate.of(date(2023, month, 28), precision) for month in range(1, 13)
            for precision in Precision]
    for language in ("nl", "en"):
        with app.test_request_context(headers={"Accept-Language": language}):
            assert [day.label(language) for day in days] == [day.label() for day in days]
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert FuzzyDate.of(date(2024, 3, 12), "day").label("en") == "12 March 2024"


def test_date_labels_of_a_list_are_the_dates_labels_in_the_request_language(app):
    days = [(date(2024, 3, 12), "day"), (date(2024, 3, 1), "month"), (date(2024, 4, 1), "quarter"),
            (date(2024, 1, 1), "year"), (date(2024, 3, 12), "day")]
    for language, march in (("nl", "maart 2024"), ("en", "March 2024")):
        with app.test_request_context(headers={"Accept-Language": language}):
            labels = DateLabels()
            assert [labels(day, precision) for day, precision in days] == [
                FuzzyDate(day, Precision(precision)).label() for day, precision in days]
            assert labels(date(2024, 3, 1), "month") == march


def test_check_date_refuses_before_1900_and_future_effects(app):
    today = date(2026, 1, 1)
    with app.test_request_context():
        with pytest.raises(DateError, match="1900"):
            check_date(FuzzyDate.of(date(1899, 12, 31), "day"), allow_future=True, today=today)
        with pytest.raises(DateError, match="toekomst"):
            check_date(FuzzyDate.of(date(2026, 1, 2), "day"), allow_future=False, today=today)
        check_date(FuzzyDate.of(date(2026, 1, 2), "day"), allow_future=True, today=today)
        # A period that starts today or earlier is fine, even if it ends later.
        check_date(FuzzyDate.of(date(2026, 1, 1), "year"), allow_future=False, today=today)
