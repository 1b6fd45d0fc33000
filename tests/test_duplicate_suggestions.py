"""Duplicate suggestions in the inbox: one measure (workshops.likeness), its threshold held
to a labelled set of Dutch story/effect pairs, used against accepted effects and among the
new stories themselves."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from rem.workshops import inbox as story_inbox
from rem.workshops import services
from rem.workshops.likeness import THRESHOLD, Likeness, terms
from rem.workshops.models import WorkshopStory
from tests import factories
from tests.test_live_sessions import _join, _send, _stories, running  # noqa: F401

PAIRS = Path(__file__).parent / "data" / "duplicate_pairs.csv"


def _pairs() -> list[tuple[str, str, bool]]:
    with PAIRS.open(encoding="utf-8", newline="") as source:
        return [(row["story"], row["effect"], row["duplicate"] == "1")
                for row in csv.DictReader(source)]


def test_the_labelled_set_is_big_and_balanced_enough():
    pairs = _pairs()
    assert len(pairs) >= 60
    positives = sum(1 for *_texts, dup in pairs if dup)
    assert positives >= 25 and len(pairs) - positives >= 25
    # The hard negatives the measure must resist: a shared word alone.
    shared = {"taskforce", "binnen", "plaats"}
    for word in shared:
        assert any(word in story.lower() and word in effect.lower() and not dup
                   for story, effect, dup in pairs), word


def test_precision_and_recall_on_the_labelled_set():
    pairs = _pairs()
    texts = {text: terms(text) for story, effect, _dup in pairs for text in (story, effect)}
    likeness = Likeness(texts.values())
    tp = fp = fn = 0
    for story, effect, duplicate in pairs:
        suggested = likeness.score(texts[story], texts[effect]) >= THRESHOLD
        tp += suggested and duplicate
        fp += suggested and not duplicate
        fn += duplicate and not suggested
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"\nduplicate suggestions on {len(pairs)} labelled pairs, threshold {THRESHOLD}: "
          f"precision {precision:.3f} ({tp}/{tp + fp}), recall {recall:.3f} ({tp}/{tp + fn})")
    assert precision >= 0.9
    assert recall >= 0.8


def test_one_shared_word_is_no_suggestion_the_real_duplicate_is(ctx):
    collab = factories.CollaborationFactory()
    real = factories.EffectFactory(collaboration=collab,
                                   title="Taskforce wonen en zorg maakt plan voor seniorenwoningen")
    others = [factories.EffectFactory(collaboration=collab, title=title) for title in (
        "Taskforce armoede start schuldhulpspreekuur",
        "Binnen de gemeente meer aandacht voor eenzaamheid",
        "Ontmoetingsplek op de plaats van het oude postkantoor")]
    session = services.create_workshop(collab, services.WorkshopInput(
        title="S", held_on=date(2026, 1, 1), focus_question="V"))
    story = WorkshopStory(workshop=session, for_whom="ouderen", text=(
        "Binnen een paar maanden had de taskforce een plan voor woningen voor senioren "
        "op de plaats van de oude school; wonen en zorg komen samen."))
    found = story_inbox.suggestions(story, [*others, real])
    assert [effect for effect, _score in found] == [real]


def test_the_inbox_shows_near_duplicates_among_new_stories(app, client, running):  # noqa: F811
    phone, code = running["participant"], running["code"]
    _send(phone, code, "De bibliotheek stelt elke dinsdag een ruimte beschikbaar voor het "
                       "taalcafé.")
    other = app.test_client()
    _join(other, code, name="Bram")
    _send(other, code, "Het taalcafé mag nu in een ruimte van de bibliotheek.")
    _send(other, code, "De taskforce jeugd hield een avond voor ouders.")
    first, second, third = _stories(app)
    inbox = client.get(running["base"] + "/inbox").get_data(as_text=True)
    cards = {story.id: inbox.split(f'id="story-{story.id}"')[1].split("</li>")[0]
             for story in (first, second, third)}
    assert "Lijkt op" in cards[first.id] and f'href="#story-{second.id}"' in cards[first.id]
    assert "Lijkt op" in cards[second.id] and f'href="#story-{first.id}"' in cards[second.id]
    assert "Lijkt op" not in cards[third.id]
    # Links that read differently name who sent the story.
    assert "het verhaal van Bram om" in cards[first.id].split("story-text")[0]


def test_a_card_names_three_alike_stories_and_counts_the_rest(app, client, running):  # noqa: F811
    """A room that tells one change many times: each card links three of the others and
    counts the rest, so one poll of the inbox does not grow with every retelling."""
    phone, code = running["participant"], running["code"]
    for n in range(6):
        _send(phone, code, f"Verhaal {n}: de bibliotheek stelt elke dinsdag een ruimte "
                           "beschikbaar voor het taalcafé in de wijk.")
    stories = _stories(app)
    inbox = client.get(running["base"] + "/inbox").get_data(as_text=True)
    for story in stories:
        card = inbox.split(f'id="story-{story.id}"')[1].split("</li>")[0]
        assert "Lijkt op" in card
        assert card.count('href="#story-') == 3, card
        assert "en nog 2 verhalen" in card, card
        # One person sent them all within a minute: the links would read the same, so
        # each gives its story's first words instead.
        alike = card.split("Lijkt op")[1].split("</p>")[0]
        named = [n for n in range(6) if f"„Verhaal {n}: de bibliotheek" in alike]
        assert len(named) == 3 and story.text[:9] not in alike, alike
        assert "het verhaal van" not in alike, alike
