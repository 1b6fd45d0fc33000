"""The facilitator's inbox: claiming a story with a conditional UPDATE (so two facilitators
never handle one story twice), accepting it as an effect, merging it into one, parking,
linking and coding it, and likely duplicates."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import gettext as _

from rem.audit.services import actor_id, record
from rem.codes.models import Code
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.core.dates import FuzzyDate
from rem.core.markdown import plain_text
from rem.extensions import db
from rem.maps.labels import shorten
from rem.ripples.models import Effect, Kind, RippleItem, RippleLink
from rem.ripples.services import (
    ItemInput,
    RippleError,
    add_link,
    create_item,
    update_item,
)
from rem.workshops.likeness import THRESHOLD, Likeness, terms
from rem.workshops.models import (
    StoryStatus,
    WorkshopStory,
)
from rem.workshops.services import (
    SUGGEST_LIMIT,
    AlreadyHandled,
    WorkshopError,
    bump,
)

# --- the inbox ----------------------------------------------------------------------------------


def claim(story: WorkshopStory, expected: str, to: StoryStatus) -> bool:
    """Move ``story`` from ``expected`` to ``to`` if nobody moved it first; tell whether it did.

    One conditional UPDATE: on PostgreSQL a second facilitator's UPDATE waits for
    the first transaction and then finds the status changed; on SQLite writers take
    turns. Either way exactly one of them sees rowcount 1.
    """
    now = utcnow()
    result = db.session.execute(
        sa.update(WorkshopStory)
        .where(WorkshopStory.id == story.id, WorkshopStory.status == expected)
        .values(status=to.value, handled_by_id=actor_id(), handled_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(story)
    return result.rowcount == 1


def _require(story: WorkshopStory, expected: str, to: StoryStatus,
             allowed_from: tuple[StoryStatus, ...]) -> None:
    if expected not in {s.value for s in allowed_from}:
        raise WorkshopError(_("Dit kan niet met een verhaal dat al verwerkt is."))
    if not claim(story, expected, to):
        raise AlreadyHandled(story)


def story_effect_input(story: WorkshopStory, title: str, when: FuzzyDate,
                       **extra) -> ItemInput:
    """Return the input for an effect made from ``story``: the participant's words as a quote."""
    evidence = story.text
    if story.for_whom:
        evidence += "\n" + _("Voor wie: %(who)s", who=story.for_whom)
    workshop = story.workshop
    return ItemInput(
        title=title,
        when=when,
        description=_("Verteld tijdens de evaluatiesessie “%(title)s” (%(date)s).",
                      title=workshop.title, date=workshop.held_on.isoformat()),
        intended=story.intended,
        valence=story.valence,
        noticed_by=story.participant.role if story.participant else None,
        evidence_kind="quote",
        evidence_text=evidence,
        **extra,
    )


def accept_story(story: WorkshopStory, expected: str, data: ItemInput,
                 causes: list[RippleItem]) -> RippleItem:
    """Make ``story`` a new effect (recorded as coming from its session) with its causes."""
    _require(story, expected, StoryStatus.ACCEPTED, (StoryStatus.NEW, StoryStatus.PARKED))
    workshop = story.workshop
    effect = create_item(workshop.collaboration, Kind.EFFECT, data)
    effect.session_id = workshop.id
    for cause in causes:
        if cause.collaboration_id != workshop.collaboration_id:
            raise RippleError(_("U kunt alleen items van hetzelfde samenwerkingsverband "
                                "verbinden."))
        add_link(cause, effect)
    story.effect_id = effect.id
    db.session.flush()
    record("accept", "story", story.id, collaboration_id=workshop.collaboration_id,
           summary=effect.title, after={"effect_id": effect.id, "session_id": workshop.id})
    bump(workshop)
    return effect


def markdown_escape(text: str) -> str:
    """Return ``text`` so that Markdown shows it literally (the story stays plain text)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~&])", r"\\\1", text)


def _input_from(item: RippleItem, **changes) -> ItemInput:
    """Return the current values of ``item`` as input, with ``changes`` applied."""
    data = ItemInput(
        title=item.title, when=item.when, description=item.description,
        visibility=item.visibility, intended=item.intended, valence=item.valence,
        noticed_by=item.noticed_by, evidence_kind=item.evidence_kind,
        evidence_text=item.evidence_text, evidence_url=item.evidence_url,
        code_ids=[code.id for code in item.codes],
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def merge_story(story: WorkshopStory, expected: str, target: RippleItem,
                add_text: bool = True) -> RippleItem:
    """Merge ``story`` into the existing effect ``target``; its words are added as a quote."""
    workshop = story.workshop
    if (target.kind != Kind.EFFECT or target.collaboration_id != workshop.collaboration_id
            or target.deleted_at is not None):
        raise WorkshopError(_("Kies een effect van dit samenwerkingsverband."))
    _require(story, expected, StoryStatus.MERGED, (StoryStatus.NEW, StoryStatus.PARKED))
    if add_text:
        quote = markdown_escape(" ".join(story.text.split()))
        addition = _("Ook verteld tijdens de evaluatiesessie “%(title)s”: “%(text)s”",
                     title=markdown_escape(workshop.title), text=quote)
        description = (target.description.rstrip() + "\n\n" + addition).strip()
        update_item(target, _input_from(target, description=description), target.version)
    story.effect_id = target.id
    db.session.flush()
    record("merge", "story", story.id, collaboration_id=workshop.collaboration_id,
           summary=target.title, after={"effect_id": target.id, "session_id": workshop.id})
    bump(workshop)
    return target


def park_story(story: WorkshopStory, expected: str) -> None:
    """Put ``story`` aside; it stays with the session and can come back."""
    _require(story, expected, StoryStatus.PARKED, (StoryStatus.NEW,))
    record("park", "story", story.id, collaboration_id=story.workshop.collaboration_id,
           summary=story.text[:100])
    bump(story.workshop)


def reopen_story(story: WorkshopStory) -> None:
    """Bring a parked story back to the inbox."""
    if not claim(story, StoryStatus.PARKED.value, StoryStatus.NEW):
        raise AlreadyHandled(story)
    record("reopen", "story", story.id, collaboration_id=story.workshop.collaboration_id,
           summary=story.text[:100])
    bump(story.workshop)


def _story_effect(story: WorkshopStory) -> RippleItem:
    if story.status not in (StoryStatus.ACCEPTED, StoryStatus.MERGED) or story.effect is None \
            or story.effect.deleted_at is not None:
        raise WorkshopError(_("Dit verhaal is (nog) geen effect. Neem het eerst op."))
    return story.effect


def link_story(story: WorkshopStory, cause: RippleItem) -> RippleLink:
    """Add a cause to the effect that ``story`` became."""
    effect = _story_effect(story)
    link = add_link(cause, effect)
    bump(story.workshop)
    return link


def code_story(story: WorkshopStory, code_ids: list[int]) -> RippleItem:
    """Set the codes of the effect that ``story`` became."""
    effect = _story_effect(story)
    known = set(db.session.scalars(sa.select(Code.id).where(Code.id.in_(code_ids)))) \
        if code_ids else set()
    update_item(effect, _input_from(effect, code_ids=[c for c in code_ids if c in known]),
                effect.version)
    bump(story.workshop)
    return effect


def _effect_terms(effect: RippleItem) -> tuple[frozenset[str], frozenset[str]]:
    title = terms(effect.title)
    return title, title | terms(plain_text(effect.description, 500))


def suggestions(story: WorkshopStory, effects: list[RippleItem], limit: int = SUGGEST_LIMIT,
                threshold: float = THRESHOLD) -> list[tuple[RippleItem, int]]:
    """Return the effects ``story`` likely tells again, best first, with a 0-100 score
    (rarity-weighted word overlap, workshops.likeness; against the title, or the title
    with the description, whichever is closer)."""
    words = terms(story.text + " " + story.for_whom)
    if not words:
        return []
    effect_terms = [(effect, *_effect_terms(effect)) for effect in effects]
    likeness = Likeness([words, *(body for _effect, _title, body in effect_terms)])
    scored = []
    for effect, title, body in effect_terms:
        score = max(likeness.score(words, title), likeness.score(words, body))
        if score >= threshold:
            scored.append((effect, round(score)))
    scored.sort(key=lambda pair: (-pair[1], pair[0].id))
    return scored[:limit]


def alike_stories(stories: list[WorkshopStory], threshold: float = THRESHOLD
                  ) -> dict[int, list[WorkshopStory]]:
    """For each story, the other stories of the list that likely tell the same change
    (the measure of ``suggestions``), earliest first; stories without any are left out."""
    story_terms = [(story, terms(story.text + " " + story.for_whom)) for story in stories]
    likeness = Likeness(words for _story, words in story_terms)
    alike: dict[int, list[WorkshopStory]] = {}
    for i, (story, words) in enumerate(story_terms):
        for other, other_words in story_terms[i + 1:]:
            if likeness.score(words, other_words) >= threshold:
                alike.setdefault(story.id, []).append(other)
                alike.setdefault(other.id, []).append(story)
    for found in alike.values():
        found.sort(key=lambda s: s.id)
    return alike


ALIKE_SHOWN = 3  # links under a card; the rest are counted
ALIKE_START = 40  # characters of a story's first words in a link


@dataclass(frozen=True)
class AlikeLinks:
    """What a card says of the stories alike to it: the first few as (story id, link
    text), and how many more there are."""

    links: list[tuple[int, str]]
    more: int


def alike_links(alike: dict[int, list[WorkshopStory]]) -> dict[int, AlikeLinks]:
    """Return the links each card of :func:`alike_stories` shows, earliest first.

    A link names who sent the story and when ("het verhaal van Fatima om 10:45"). When two
    of a card's links would read the same (one person sent them within a minute, or
    several people without a name), its links give the stories' first words instead.
    """
    said = {}
    for story_id, others in alike.items():
        shown = others[:ALIKE_SHOWN]
        texts = [_("het verhaal van %(name)s om %(time)s",
                   name=other.participant.label if other.participant else _("anoniem"),
                   time=format_datetime(other.created_at, "HH:mm")) for other in shown]
        if len(set(texts)) < len(texts):
            texts = [_("„%(start)s”", start=shorten(other.text, ALIKE_START))
                     for other in shown]
        said[story_id] = AlikeLinks([(other.id, text) for other, text
                                     in zip(shown, texts, strict=True)],
                                    len(others) - len(shown))
    return said


def live_effects(collaboration: Collaboration) -> list[RippleItem]:
    """Return the collaboration's live effects, by date."""
    return list(db.session.scalars(
        sa.select(Effect).where(Effect.collaboration_id == collaboration.id,
                                Effect.deleted_at.is_(None))
        .order_by(Effect.date_start, Effect.id)
    ))
