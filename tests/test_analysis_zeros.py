"""Issue 19, item 4: zeros are evidence. The per-code analysis lists every code of a
codebook in use, with 0 where nothing carries it, and the six borging strategies always, on
the page and in analysis.csv."""

from __future__ import annotations

import re

from rem.analysis import counts as analysis_counts
from rem.codes.models import Code, Codebook
from rem.extensions import db
from tests.conftest import login
from tests.test_analysis import (  # noqa: F401
    GELD,
    SLEUTEL,
    _csv,
    _map_cache,  # noqa: F401 - its own render cache
    _scope,
    world,
)


def _codes_of(book: str) -> list[str]:
    return [f"{book}:{slug}" for slug in db.session.scalars(
        db.select(Code.slug).join(Codebook).where(Codebook.slug == book)
        .order_by(Code.position, Code.slug))]


def test_every_borging_strategy_is_counted_zeros_included(app, world):  # noqa: F811
    with app.test_request_context():
        borging = _codes_of("borging")
        assert len(borging) == 6
        result = analysis_counts.summarise(_scope("member@example.org"))
        effects = {c.group: c.value for c in result.measures["effects_by_code"]}
        activities = {c.group: c.value for c in result.measures["activities_by_code"]}
        for code in borging:
            assert code in effects and code in activities, code
        assert effects[SLEUTEL] == 2 and effects[GELD] == 1
        zeros = [code for code in borging if effects[code] == 0]
        assert len(zeros) == 4  # the strategies nobody coded: the finding
        # In codebook order, as the codebook lists them.
        assert [g for g in effects if g.startswith("borging:")] == borging
        # A codebook nobody used stays out (the page would drown in zeros).
        assert not any(g.startswith("participatieladder:") for g in effects)


def test_zeros_on_the_page_and_in_the_csv(app, world):  # noqa: F811
    client = app.test_client()
    login(client, "member@example.org")
    page = client.get("/collaborations/dorp/analysis").get_data(as_text=True)
    codes = page.split('id="codes-heading"', 1)[1].split("</section>", 1)[0]
    for name in ("Sleutelpersonen", "Infrastructuur", "Kennisdeling en training",
                 "Beleidsverankering", "Juridische borging", "Financiële duurzaamheid"):
        assert name in codes, name
    assert re.search(r"<td>Beleidsverankering</td>\s*<td>0</td>", codes)
    rows = _csv(client.get("/collaborations/dorp/analysis.csv"))
    tidy = {(r["measure"], r["group"]): int(r["value"]) for r in rows}
    with app.test_request_context():
        borging = _codes_of("borging")
    for code in borging:
        assert ("effects_by_code", code) in tidy and ("activities_by_code", code) in tidy
    assert tidy[("effects_by_code", "borging:beleidsverankering")] == 0
