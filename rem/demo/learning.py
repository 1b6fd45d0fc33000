"""Demo learning logs, learning exchanges and borging reviews (``rem.demo.data.LOG_ENTRIES``,
``EXCHANGES``, ``REVIEWS``), loaded by ``rem.demo.loader`` after the collaborations, people
and ripple logs. Each is only added where it is still missing, so loading twice adds
nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from rem.access import load_access
from rem.accounts.models import Role, User
from rem.codes.models import Code
from rem.collaborations.models import Collaboration
from rem.demo import data
from rem.demo.checks import parse_date
from rem.exchanges.models import (
    ExchangeAdoption,
    ExchangeOutcome,
    LearningExchange,
    OutcomeKind,
)
from rem.exchanges.services import ADOPTED_KIND
from rem.extensions import db
from rem.hubs.models import Hub
from rem.logbook.models import LogCitation, LogEntry
from rem.reviews import adoption
from rem.reviews import services as reviews
from rem.reviews.maps import year_map
from rem.ripples.models import RippleItem, Visibility


def load_logs(
    collaborations: dict[str, Collaboration],
    codes: dict[str, Code],
    users: dict[str, User],
    counts: dict[str, int],
) -> None:
    """Fill the learning log of each demo collaboration whose log is still empty."""

    specs = {c["slug"]: c for c in data.COLLABORATIONS}
    for slug, entries in getattr(data, "LOG_ENTRIES", {}).items():
        collaboration = collaborations.get(slug)
        if collaboration is None or db.session.scalar(
                sa.select(LogEntry.id).where(LogEntry.collaboration_id == collaboration.id)
                .limit(1)) is not None:
            continue
        titles = {item["key"]: item["title"] for item in specs[slug]["items"]}
        items = {item.title: item for item in db.session.scalars(
            sa.select(RippleItem).where(RippleItem.collaboration_id == collaboration.id))}
        made: dict[str, LogEntry] = {}
        for spec in entries:
            author = users.get(spec["author"])
            owner = users.get(spec["owner"]) if spec["owner"] else None
            entry = LogEntry(
                collaboration_id=collaboration.id,
                kind=spec["kind"],
                title=spec["title"],
                body=spec["body"],
                entry_date=parse_date(spec["date"]).start,
                author_id=author.id if author else None,
                visibility=spec["visibility"],
                owner_id=owner.id if owner else None,
                due_date=parse_date(spec["due"]).start if spec["due"] else None,
            )
            entry.codes = [codes[ref] for ref in spec["codes"]]
            for cite in spec["cites"]:
                if cite.startswith("entry:"):
                    entry.citations.append(LogCitation(cited_entry=made[cite[6:]]))
                elif titles.get(cite) in items:
                    entry.citations.append(LogCitation(item=items[titles[cite]]))
            db.session.add(entry)
            made[spec["key"]] = entry
            counts["log_entries"] += 1
        db.session.flush()


def load_exchanges(
    hubs: dict[str, Hub],
    codes: dict[str, Code],
    users: dict[str, User],
    counts: dict[str, int],
) -> None:
    """Create the demo learning exchanges that do not exist yet (matched by title)."""

    facilitators = {m["collaboration"]: u["email"] for u in data.USERS
                    for m in u["memberships"] if m["role"] == Role.FACILITATOR.value}
    for spec in getattr(data, "EXCHANGES", []):
        if db.session.scalar(sa.select(LearningExchange.id)
                             .where(LearningExchange.title == spec["title"])) is not None:
            continue
        participants = [c for slug in spec["hubs"] for c in db.session.scalars(
            sa.select(Collaboration).where(Collaboration.hub_id == hubs[slug].id)
            .order_by(Collaboration.name))]
        creator = users.get(spec["created_by"])
        exchange = LearningExchange(
            title=spec["title"],
            theme_code_id=codes[spec["theme"]].id if spec["theme"] else None,
            question=spec["question"],
            description=spec["description"],
            meeting_date=parse_date(spec["date"]).start,
            place=spec["place"],
            created_by_id=creator.id if creator else None,
            participants=participants,
        )
        db.session.add(exchange)
        counts["exchanges"] += 1
        by_slug = {c.slug: c for c in participants}
        for outcome_spec in spec["outcomes"]:
            outcome = ExchangeOutcome(
                exchange=exchange,
                kind=outcome_spec["kind"],
                title=outcome_spec["title"],
                body=outcome_spec["body"],
                due_date=parse_date(outcome_spec["due"]).start if outcome_spec["due"] else None,
                created_by_id=creator.id if creator else None,
            )
            db.session.add(outcome)
            db.session.flush()
            for slug in outcome_spec["adopted_by"]:
                collaboration = by_slug[slug]
                adopter = users.get(facilitators.get(slug, ""))
                kind = ADOPTED_KIND[OutcomeKind(outcome.kind)]
                entry = LogEntry(
                    collaboration_id=collaboration.id, kind=kind.value, title=outcome.title,
                    body=(outcome.body + "\n\n" if outcome.body else "")
                    + f"*Uit de leeruitwisseling “{exchange.title}” ({spec['date']}).*",
                    entry_date=exchange.meeting_date,
                    author_id=adopter.id if adopter else None,
                    visibility=Visibility.COLLABORATION.value,
                    owner_id=adopter.id if adopter and kind == "action" else None,
                    due_date=outcome.due_date if kind == "action" else None,
                )
                entry.codes = [codes[spec["theme"]]] if spec["theme"] else []
                entry.citations.append(LogCitation(exchange=exchange))
                db.session.add(entry)
                db.session.flush()
                db.session.add(ExchangeAdoption(outcome=outcome,
                                                collaboration_id=collaboration.id,
                                                entry_id=entry.id,
                                                adopted_by_id=adopter.id if adopter else None))
                counts["log_entries"] += 1


def load_reviews(
    collaborations: dict[str, Collaboration],
    users: dict[str, User],
    counts: dict[str, int],
) -> None:
    """Create the demo borging reviews whose collaboration has no review of that year yet,
    through the review services (so they are adopted and frozen like any other)."""
    from flask import current_app, has_request_context

    if not has_request_context():  # labels, dates and the map need a request (locale, urls)
        with current_app.test_request_context():
            load_reviews(collaborations, users, counts)
        return

    for spec in getattr(data, "REVIEWS", []):
        collaboration = collaborations.get(spec["collaboration"])
        if collaboration is None or reviews.latest_for_year(collaboration.id,
                                                            spec["year"]) is not None:
            continue
        review = reviews.create_review(collaboration, spec["year"])
        review.created_by_id = users[spec["adopted_by"]].id
        form = reviews.ReviewInput(
            status="discussed", meeting_date=parse_date(spec["meeting_date"]).start,
            participants=spec["participants"], risk_key_persons=spec["risk_key_persons"],
            risk_project_money=spec["risk_project_money"],
            strategies={slug: (status, text)
                        for slug, (status, text) in spec["strategies"].items()},
            scores={pillar: str(score) for pillar, score in spec["scores"].items()})
        reviews.update_review(review, form, review.version)
        adopter = users[spec["adopted_by"]]
        drawn = year_map(collaboration, spec["year"], load_access(adopter), for_pdf=True)
        adoption.adopt(review, review.version, map_svg=drawn.svg,
                       map_print_svg=drawn.print_svg, map_key=drawn.key,
                       map_summary=drawn.summary if drawn.svg else drawn.problem)
        review.adopted_by_id = adopter.id
        # Adopted in the meeting itself, not on the day the demo was loaded.
        meeting = review.meeting_date
        review.adopted_at = datetime(meeting.year, meeting.month, meeting.day, 16, 0, tzinfo=UTC)
        counts["reviews"] += 1
