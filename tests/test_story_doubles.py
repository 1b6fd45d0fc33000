"""A participant whose phone lost the answer: after a reload the phone shows the stories
that arrived, and a story typed again is flagged to the facilitator as a likely double."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from rem.core.database import utcnow
from rem.extensions import db
from rem.workshops import services
from rem.workshops.models import WorkshopStory
from tests.test_live_sessions import _join, _send, _stories, running  # noqa: F401

TOLD = "Door de inspiratiemarkt kennen de vrijwilligers van zorg en welzijn elkaar nu."
RETYPED = "Door de inspiratie markt kennen vrijwilligers van zorg en welzijn elkaar nu beter"


def test_nearly_equal_is_the_same_story_typed_twice():
    assert services.nearly_equal(TOLD, RETYPED)
    assert services.nearly_equal("Meer contact in de buurt", "meer contact in de buurt!")
    assert services.nearly_equal("De gemeente gaf geld voor de buurtkamer",
                                 "geld voor de buurtkamer gaf de gemeente")
    assert not services.nearly_equal(TOLD, "De gemeente gaf geld voor een nieuwe buurtkamer.")
    assert not services.nearly_equal("Meer vrijwilligers", "Meer vriendschappen")
    assert not services.nearly_equal("", TOLD) and not services.nearly_equal("…", "…")


def test_after_a_reload_the_phone_shows_the_stories_that_arrived(app, running):  # noqa: F811
    phone = running["participant"]
    code = running["code"]
    # The request reaches the server, but the answer never reaches the phone.
    _send(phone, code, TOLD)
    page = phone.get(f"/join/{code}/story").get_data(as_text=True)  # a reload
    assert "Je verhalen in deze sessie" in page and "Je verhaal is aangekomen" in page
    assert TOLD[:60] in page
    # Another participant on another phone sees only their own.
    other = app.test_client()
    _join(other, code, name="Bram")
    page = other.get(f"/join/{code}/story").get_data(as_text=True)
    assert "Je verhaal is aangekomen" not in page and TOLD[:60] not in page


def test_a_retyped_story_is_flagged_as_a_likely_double(app, client, running):  # noqa: F811
    phone, code = running["participant"], running["code"]
    _send(phone, code, TOLD)
    _send(phone, code, RETYPED)  # typed again, a little differently
    _send(phone, code, "De gemeente gaf geld voor een nieuwe buurtkamer.")  # another story
    other = app.test_client()
    _join(other, code, name="Bram")
    _send(other, code, TOLD)  # the same words from someone else: not a double
    first, again, different, someone_else = _stories(app)
    assert again.likely_double_of_id == first.id
    assert different.likely_double_of_id is None and someone_else.likely_double_of_id is None
    assert first.likely_double_of_id is None
    inbox = client.get(running["base"] + "/inbox").get_data(as_text=True)
    assert inbox.count("Waarschijnlijk dubbel") == 1
    assert f"#story-{first.id}" in inbox


def test_only_a_story_sent_just_before_counts(app, running):  # noqa: F811
    phone, code = running["participant"], running["code"]
    _send(phone, code, TOLD)
    with app.app_context():  # the first one was sent an hour ago
        story = db.session.scalar(sa.select(WorkshopStory))
        story.created_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    _send(phone, code, RETYPED)
    assert [s.likely_double_of_id for s in _stories(app)] == [None, None]
