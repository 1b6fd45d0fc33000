"""The issue's "done when", on the demo data with the test client: a facilitator sees which
activity had the widest reach, turns its longest chain into a story thread, puts that thread
in a learning-log entry, and steps through the map year by year."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from rem.demo import data
from rem.demo.loader import load_demo
from rem.extensions import db
from rem.logbook.models import LogEntry
from tests.conftest import login, post


@pytest.fixture(autouse=True)
def _map_cache(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "REM_MAP_CACHE_DIR", str(tmp_path / "map-cache"))


def test_facilitator_walks_from_widest_reach_to_a_thread_in_the_log(app):
    with app.app_context():
        load_demo()
        db.session.commit()
    client = app.test_client()
    login(client, "achterveld@example.org", data.DEMO_PASSWORD)

    # 1. The summary, with the influence ranking: the widest reach comes first.
    summary = client.get("/collaborations/achterveld/analysis")
    assert summary.status_code == 200
    rows = list(csv.DictReader(io.StringIO(
        client.get("/collaborations/achterveld/influence.csv").get_data(as_text=True))))
    assert rows and int(rows[0]["reach"]) == max(int(r["reach"]) for r in rows) > 0
    widest = rows[0]
    influence = client.get("/collaborations/achterveld/influence").get_data(as_text=True)
    first_row = influence.split("<tbody>")[1].split("</tr>")[0]
    assert f"/items/{widest['id']}\"" in first_row

    # 2. Its longest chain becomes a story thread.
    proposal = client.get(f"/collaborations/achterveld/threads/longest?activity={widest['id']}")
    assert proposal.status_code == 302
    path = [int(p) for p in re.findall(r"path=(\d+)", proposal.headers["Location"])]
    assert path[0] == int(widest["id"]) and len(path) >= 2
    saved = post(client, "/collaborations/achterveld/threads/new",
                 {"title": "Het verhaal van de inspiratiemarkt", "path": path})
    assert saved.status_code == 302
    thread_url = saved.headers["Location"].removesuffix("/edit")

    # 3. The thread goes into a learning-log entry and shows there, with its steps.
    with app.app_context():
        entry = db.session.scalar(
            sa.select(LogEntry).join(LogEntry.collaboration)
            .where(LogEntry.deleted_at.is_(None), LogEntry.collaboration.has(slug="achterveld"))
            .order_by(LogEntry.id))
        entry_id = entry.id
    placed = post(client, f"{thread_url}/place", {"target": f"log_entry:{entry_id}"},
                  token_from=thread_url)
    assert placed.status_code == 302
    entry_page = client.get(f"/collaborations/achterveld/log/{entry_id}").get_data(as_text=True)
    assert "Het verhaal van de inspiratiemarkt" in entry_page
    assert entry_page.count('class="story-step story-step-ok"') == len(path)

    # 4. The map through time, year by year: every period can be stepped to.
    growth = client.get("/collaborations/achterveld/analysis/growth").get_data(as_text=True)
    years = re.findall(r'<option value="(\d{4})"', growth)
    assert len(years) >= 2
    totals = []
    for year in years:
        page = client.get(f"/collaborations/achterveld/analysis/growth?upto={year}")
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        totals.append(int(re.search(r"Tot en met \d{4}: (\d+) item", body).group(1)))
        assert "<svg" in body
    assert totals == sorted(totals) and totals[-1] > totals[0]  # the map only grows
