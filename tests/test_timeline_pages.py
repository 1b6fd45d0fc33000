"""A long timeline is shown in pages of REM_TIMELINE_PAGE_SIZE items, in time order."""

from __future__ import annotations

from datetime import date

import pytest

from rem.extensions import db
from tests import factories
from tests.conftest import login


@pytest.fixture
def long_log(app):
    with app.app_context():
        factories.UserFactory(email="admin@example.org", is_admin=True)
        collaboration = factories.CollaborationFactory(slug="lang")
        for n in range(7):
            factories.EffectFactory(collaboration=collaboration, title=f"Effect nummer {n}",
                                    date_start=date(2020 + n, 5, 1))
        db.session.commit()
    app.config["REM_TIMELINE_PAGE_SIZE"] = 3
    yield "/collaborations/lang"
    app.config["REM_TIMELINE_PAGE_SIZE"] = 250


def _titles(html: str) -> list[int]:
    return [n for n in range(7) if f"Effect nummer {n}<" in html]


def test_pages_split_the_items_in_time_order(client, long_log):
    login(client, "admin@example.org")
    first = client.get(long_log).get_data(as_text=True)
    assert _titles(first) == [0, 1, 2]
    assert "Pagina 1 van 3" in first
    assert "U ziet 3 van de 7 items" in first
    # The jump list names the dates each page covers.
    assert ">2: mei 2023 – mei 2025<" in first
    assert _titles(client.get(f"{long_log}?page=2").get_data(as_text=True)) == [3, 4, 5]
    last = client.get(f"{long_log}?page=3&group=month").get_data(as_text=True)
    assert _titles(last) == [6]
    assert 'rel="prev"' in last and 'rel="next"' not in last


@pytest.mark.parametrize("page, expected", [("99", [6]), ("0", [0, 1, 2]), ("x", [0, 1, 2]),
                                            ("-4", [0, 1, 2])])
def test_a_page_out_of_range_shows_the_nearest(client, long_log, page, expected):
    login(client, "admin@example.org")
    response = client.get(f"{long_log}?page={page}")
    assert response.status_code == 200
    assert _titles(response.get_data(as_text=True)) == expected


def test_a_short_timeline_has_no_pages(client, long_log, app):
    app.config["REM_TIMELINE_PAGE_SIZE"] = 7
    login(client, "admin@example.org")
    html = client.get(long_log).get_data(as_text=True)
    assert _titles(html) == list(range(7))
    assert "Pagina 1" not in html and 'class="pager"' not in html
