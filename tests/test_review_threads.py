"""Story threads (rem/analysis) placed in a borging review: shown in the report, frozen
with it on adoption, and carried into a deliberate new version."""

from __future__ import annotations

import re

import sqlalchemy as sa

from rem.extensions import db
from rem.ripples import services as ripples
from rem.ripples.models import RippleItem
from rem.threads.models import StoryThread, ThreadStep
from tests.conftest import login, post
from tests.test_reviews import _open, _review_id, _world


def _thread(app, world) -> int:
    """A thread of dorp: the 2025 activity, then the effect it led to."""
    with app.app_context():
        activity = db.session.get(RippleItem, world["nieuw"])
        effect = db.session.get(RippleItem, world["effect"])
        ripples.add_link(activity, effect)
        thread = StoryThread(collaboration_id=world["dorp"], title="Van training naar nota",
                             author_id=world["fac"],
                             steps=[ThreadStep(position=0, item_id=activity.id,
                                               text="Eerst trainden we buurtverbinders."),
                                    ThreadStep(position=1, item_id=effect.id,
                                               text="Toen nam de gemeente het op.")])
        db.session.add(thread)
        db.session.commit()
        return thread.id


def _place(client, thread_id: int, target: str):
    page = f"/collaborations/dorp/threads/{thread_id}"
    return post(client, f"{page}/place", {"target": target}, token_from=page)


def _adopt(client, review_id: int):
    url = f"/collaborations/dorp/reviews/{review_id}"
    version = re.search(r'name="version" value="(\d+)"',
                        client.get(url).get_data(as_text=True)).group(1)
    return post(client, f"{url}/adopt", {"version": version, "confirmed": "yes"},
                token_from=url)


def test_a_thread_in_a_review_is_shown_and_frozen_on_adoption(app, client):
    world = _world(app)
    thread_id = _thread(app, world)
    login(client, "fac@example.org")
    _open(client)
    review_id = _review_id(app)
    page = client.get(f"/collaborations/dorp/threads/{thread_id}").get_data(as_text=True)
    assert f'value="review:{review_id}"' in page  # offered while the review is a draft
    assert _place(client, thread_id, f"review:{review_id}").status_code == 302
    report = client.get(f"/collaborations/dorp/reviews/{review_id}").get_data(as_text=True)
    assert "Verhalen bij deze review" in report and "Van training naar nota" in report
    assert "Toen nam de gemeente het op." in report
    assert "Dit hoort er voortaan bij." in report  # the evidence under the step
    assert _adopt(client, review_id).status_code == 302
    # Later edits of the thread do not change the adopted report.
    with app.app_context():
        step = db.session.scalar(sa.select(ThreadStep).where(ThreadStep.position == 1))
        step.text = "Iets heel anders."
        db.session.commit()
    report = client.get(f"/collaborations/dorp/reviews/{review_id}").get_data(as_text=True)
    assert "Toen nam de gemeente het op." in report and "Iets heel anders." not in report
    # An adopted review is no longer offered, and the thread cannot be taken out of it.
    page = client.get(f"/collaborations/dorp/threads/{thread_id}").get_data(as_text=True)
    assert f'value="review:{review_id}"' not in page
    placement = re.search(r'/placements/(\d+)/remove', page).group(1)
    refused = post(client, f"/collaborations/dorp/threads/{thread_id}/placements/{placement}"
                   "/remove", {}, token_from=f"/collaborations/dorp/threads/{thread_id}",
                   follow_redirects=True)
    assert "is vastgesteld" in refused.get_data(as_text=True)
    report = client.get(f"/collaborations/dorp/reviews/{review_id}").get_data(as_text=True)
    assert "Van training naar nota" in report
    # A new version takes the thread along, live again.
    url = f"/collaborations/dorp/reviews/{review_id}"
    assert post(client, f"{url}/new-version", {}, token_from=url).status_code == 302
    newer = _review_id(app)
    assert newer != review_id
    report = client.get(f"/collaborations/dorp/reviews/{newer}").get_data(as_text=True)
    assert "Iets heel anders." in report


def test_a_review_without_threads_has_no_threads_section(app, client):
    _world(app)
    login(client, "fac@example.org")
    _open(client)
    report = client.get(f"/collaborations/dorp/reviews/{_review_id(app)}").get_data(
        as_text=True)
    assert "Verhalen bij deze review" not in report
