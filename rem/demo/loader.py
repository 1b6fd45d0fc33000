"""Load the demo data from :mod:`rem.demo.data` into the database, once.

The loader is idempotent: hubs and collaborations are matched by slug, users by
email, and a collaboration that already exists keeps its own ripple log (its
demo items are skipped entirely). It flushes but never commits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from rem.access import load_access
from rem.accounts.models import Membership, Role, User
from rem.codes.models import Code, Codebook
from rem.codes.services import install_default_codebooks
from rem.collaborations.models import Collaboration
from rem.core.dates import DateError, FuzzyDate, parse_iso
from rem.demo import data
from rem.demo.workshops import load_demo_workshops
from rem.exchanges.models import (
    ExchangeAdoption,
    ExchangeOutcome,
    LearningExchange,
    OutcomeKind,
)
from rem.exchanges.services import ADOPTED_KIND
from rem.extensions import db
from rem.hubs.models import Hub
from rem.logbook.models import EntryKind, LogCitation, LogEntry
from rem.reviews import adoption
from rem.reviews import services as reviews
from rem.reviews.maps import year_map
from rem.ripples.models import (
    GOVERNANCE_STYLES,
    LADDER_STEPS,
    TITLE_MAX,
    Activity,
    Effect,
    EvidenceKind,
    Kind,
    Observer,
    RippleItem,
    RippleLink,
    Valence,
    Visibility,
)
from rem.themes.models import Theme, theme_items

COUNT_KEYS = (
    "codebook_rows",
    "hubs",
    "collaborations",
    "users",
    "memberships",
    "activities",
    "effects",
    "links",
    "code_assignments",
    "log_entries",
    "exchanges",
    "sessions",
    "stories",
    "reviews",
)


def load_demo() -> dict[str, int]:
    """Create whatever demo data is missing and return how much was created."""
    counts = dict.fromkeys(COUNT_KEYS, 0)
    counts["codebook_rows"] = install_default_codebooks()
    codes = _codes_by_ref()
    check_demo_data(set(codes))

    hubs = {hub.slug: hub for hub in db.session.scalars(sa.select(Hub))}
    for spec in data.HUBS:
        if spec["slug"] not in hubs:
            hub = Hub(
                slug=spec["slug"],
                name=spec["name"],
                region=spec["region"],
                description=spec["description"],
            )
            db.session.add(hub)
            hubs[hub.slug] = hub
            counts["hubs"] += 1

    existing = {c.slug: c for c in db.session.scalars(sa.select(Collaboration))}
    new_collaborations: list[tuple[Collaboration, dict[str, Any]]] = []
    for spec in data.COLLABORATIONS:
        if spec["slug"] in existing:
            continue
        collaboration = Collaboration(
            hub=hubs[spec["hub"]],
            slug=spec["slug"],
            name=spec["name"],
            region=spec["region"],
            scale=spec["scale"],
            stage=spec["stage"],
            target_group=spec["target_group"],
            goal=spec["goal"],
            start_date=_parse(spec["start_date"]).start,
        )
        db.session.add(collaboration)
        existing[collaboration.slug] = collaboration
        new_collaborations.append((collaboration, spec))
        counts["collaborations"] += 1
    db.session.flush()

    users = _load_users(hubs, existing, counts)
    db.session.flush()

    authors = _authors(users)
    for collaboration, spec in new_collaborations:
        _load_items(collaboration, spec, codes, authors.get(spec["slug"]), counts)

    db.session.flush()

    load_demo_workshops(new_collaborations, counts)
    check_log_data(set(codes))
    _load_logs(existing, codes, users, counts)
    db.session.flush()
    _load_exchanges(hubs, codes, users, counts)
    db.session.flush()
    _load_reviews(existing, users, counts)
    db.session.flush()
    return counts


def check_demo_data(known_codes: set[str]) -> None:
    """Raise ValueError when the demo data refers to something that does not exist."""
    hub_slugs = {hub["slug"] for hub in data.HUBS}
    collaboration_slugs = {c["slug"] for c in data.COLLABORATIONS}
    for spec in data.COLLABORATIONS:
        where = f"collaboration {spec['slug']!r}"
        if spec["hub"] not in hub_slugs:
            raise ValueError(f"{where}: unknown hub {spec['hub']!r}")
        _parse(spec["start_date"], where)
        seen: set[str] = set()
        for item in spec["items"]:
            key = item["key"]
            here = f"{where}, item {key!r}"
            if key in seen:
                raise ValueError(f"{here}: duplicate key")
            _parse(item["date"], here)
            _check_choices(item, here)
            for ref in item["codes"]:
                if ref not in known_codes:
                    raise ValueError(f"{here}: unknown code {ref!r}")
            for cause in item.get("causes", ()):
                if cause not in seen:
                    raise ValueError(
                        f"{here}: unknown cause {cause!r} (causes must be earlier items "
                        "of the same collaboration)"
                    )
            seen.add(key)
    for user in data.USERS:
        for membership in user["memberships"]:
            if "hub" in membership and membership["hub"] not in hub_slugs:
                raise ValueError(f"user {user['email']!r}: unknown hub {membership['hub']!r}")
            if "collaboration" in membership and (
                membership["collaboration"] not in collaboration_slugs
            ):
                raise ValueError(
                    f"user {user['email']!r}: unknown collaboration "
                    f"{membership['collaboration']!r}"
                )


def _check_choices(item: dict[str, Any], where: str) -> None:
    """Raise ValueError when an item's fixed-choice field has an unknown value."""
    allowed: dict[str, set[str | None]] = {
        "kind": {k.value for k in Kind},
        "visibility": {v.value for v in Visibility},
    }
    if item["kind"] == Kind.ACTIVITY.value:
        allowed["governance_style"] = {None, *GOVERNANCE_STYLES}
        allowed["ladder_step"] = {None, *LADDER_STEPS}
    else:
        allowed["valence"] = {v.value for v in Valence}
        allowed["noticed_by"] = {o.value for o in Observer}
        allowed["evidence_kind"] = {None, *(e.value for e in EvidenceKind)}
    for field, choices in allowed.items():
        if item.get(field) not in choices:
            raise ValueError(f"{where}: {field} {item.get(field)!r} is not one of {choices}")
    if len(item["title"]) > TITLE_MAX:
        raise ValueError(f"{where}: title longer than {TITLE_MAX} characters")


def _parse(text: str, where: str = "") -> FuzzyDate:
    """Parse a compact date, naming the place in the data when it is wrong."""
    try:
        return parse_iso(text)
    except DateError as exc:
        raise ValueError(f"{where}: bad date {text!r}") from exc


def _codes_by_ref() -> dict[str, Code]:
    """Return every code in the database by ``codebook:code``."""
    rows = db.session.execute(sa.select(Codebook.slug, Code).join(Code.codebook))
    return {f"{book_slug}:{code.slug}": code for book_slug, code in rows}


def _load_users(
    hubs: dict[str, Hub],
    collaborations: dict[str, Collaboration],
    counts: dict[str, int],
) -> dict[str, User]:
    """Create missing demo users and memberships; return the demo users by email."""
    users: dict[str, User] = {}
    for spec in data.USERS:
        email = spec["email"].lower()
        user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
        if user is None:
            user = User(
                email=email,
                name=spec["name"],
                is_admin=spec["is_admin"],
                is_researcher=spec["is_researcher"],
            )
            user.set_password(data.DEMO_PASSWORD)
            db.session.add(user)
            counts["users"] += 1
        users[email] = user
        for membership in spec["memberships"]:
            hub = hubs.get(membership.get("hub", ""))
            collaboration = collaborations.get(membership.get("collaboration", ""))
            if _has_membership(user, hub, collaboration):
                continue
            db.session.add(
                Membership(
                    user=user,
                    hub_id=hub.id if hub else None,
                    collaboration_id=collaboration.id if collaboration else None,
                    role=Role(membership["role"]).value,
                )
            )
            counts["memberships"] += 1
    return users


def _has_membership(user: User, hub: Hub | None, collaboration: Collaboration | None) -> bool:
    """Tell whether ``user`` already holds a role in this hub or collaboration."""
    if user.id is None:
        return False
    query = sa.select(Membership.id).where(Membership.user_id == user.id)
    if hub is not None:
        query = query.where(Membership.hub_id == hub.id)
    else:
        query = query.where(Membership.collaboration_id == collaboration.id)
    return db.session.scalar(query) is not None


def _authors(users: dict[str, User]) -> dict[str, int | None]:
    """Map each collaboration slug to the id of the demo user who wrote its log."""
    admin = next((u for u in users.values() if u.is_admin), None)
    authors: dict[str, int | None] = {
        spec["slug"]: admin.id if admin else None for spec in data.COLLABORATIONS
    }
    for spec in data.USERS:
        for membership in spec["memberships"]:
            if membership["role"] == Role.FACILITATOR.value:
                authors[membership["collaboration"]] = users[spec["email"].lower()].id
    return authors


def _load_items(
    collaboration: Collaboration,
    spec: dict[str, Any],
    codes: dict[str, Code],
    author_id: int | None,
    counts: dict[str, int],
) -> None:
    """Create one new collaboration's activities, effects, links and code assignments."""
    items: dict[str, RippleItem] = {}
    for item_spec in spec["items"]:
        when = _parse(item_spec["date"])
        common = {
            "collaboration_id": collaboration.id,
            "title": item_spec["title"],
            "description": item_spec["description"],
            "date_start": when.start,
            "date_precision": when.precision.value,
            "visibility": item_spec["visibility"],
            "created_by_id": author_id,
        }
        item: RippleItem
        if item_spec["kind"] == "activity":
            item = Activity(
                **common,
                participant_count=item_spec["participant_count"],
                governance_style=item_spec["governance_style"],
                ladder_step=item_spec["ladder_step"],
            )
            counts["activities"] += 1
        else:
            item = Effect(
                **common,
                intended=item_spec["intended"],
                valence=item_spec["valence"],
                noticed_by=item_spec["noticed_by"],
                evidence_kind=item_spec["evidence_kind"],
                evidence_text=item_spec["evidence_text"],
                evidence_url=item_spec["evidence_url"],
            )
            counts["effects"] += 1
        item.codes = [codes[ref] for ref in item_spec["codes"]]
        counts["code_assignments"] += len(item.codes)
        db.session.add(item)
        items[item_spec["key"]] = item
        for cause in item_spec.get("causes", ()):
            db.session.add(
                RippleLink(
                    collaboration_id=collaboration.id,
                    cause=items[cause],
                    effect=item,
                    created_by_id=author_id,
                )
            )
            counts["links"] += 1
    db.session.flush()
    for position, (name, description, keys) in enumerate(
            data.THEMES.get(collaboration.slug, ()), start=1):
        theme = Theme(collaboration_id=collaboration.id, name=name, description=description,
                      position=position, created_by_id=author_id)
        db.session.add(theme)
        db.session.flush()
        db.session.execute(theme_items.insert(),
                           [{"theme_id": theme.id, "item_id": items[key].id} for key in keys])


# Learning logs and learning exchanges (data.LOG_ENTRIES, data.EXCHANGES)


def check_log_data(known_codes: set[str]) -> None:
    """Raise ValueError when the demo learning logs or exchanges refer to something unknown."""

    specs = {c["slug"]: c for c in data.COLLABORATIONS}
    emails = {u["email"] for u in data.USERS}
    hub_slugs = {hub["slug"] for hub in data.HUBS}
    for slug, entries in getattr(data, "LOG_ENTRIES", {}).items():
        if slug not in specs:
            raise ValueError(f"learning log: unknown collaboration {slug!r}")
        item_keys = {item["key"] for item in specs[slug]["items"]}
        seen: set[str] = set()
        for entry in entries:
            here = f"learning log {slug!r}, entry {entry['key']!r}"
            if entry["kind"] not in {k.value for k in EntryKind}:
                raise ValueError(f"{here}: unknown kind {entry['kind']!r}")
            if entry["visibility"] not in {v.value for v in Visibility}:
                raise ValueError(f"{here}: unknown visibility {entry['visibility']!r}")
            _parse(entry["date"], here)
            if entry["due"]:
                _parse(entry["due"], here)
            for ref in entry["codes"]:
                if ref not in known_codes:
                    raise ValueError(f"{here}: unknown code {ref!r}")
            for person in (entry["author"], entry["owner"]):
                if person and person not in emails:
                    raise ValueError(f"{here}: unknown person {person!r}")
            for cite in entry["cites"]:
                target = cite.removeprefix("entry:")
                if target not in (seen if cite.startswith("entry:") else item_keys):
                    raise ValueError(f"{here}: unknown citation {cite!r}")
            seen.add(entry["key"])
    for spec in getattr(data, "EXCHANGES", []):
        here = f"exchange {spec['title']!r}"
        if spec["theme"] and spec["theme"] not in known_codes:
            raise ValueError(f"{here}: unknown theme {spec['theme']!r}")
        if not set(spec["hubs"]) <= hub_slugs or len(spec["hubs"]) < 2:
            raise ValueError(f"{here}: needs two or more known hubs")
        if spec["created_by"] not in emails:
            raise ValueError(f"{here}: unknown person {spec['created_by']!r}")
        for outcome in spec["outcomes"]:
            if outcome["kind"] not in {k.value for k in OutcomeKind}:
                raise ValueError(f"{here}: unknown outcome kind {outcome['kind']!r}")
            for slug in outcome["adopted_by"]:
                if slug not in specs or specs[slug]["hub"] not in spec["hubs"]:
                    raise ValueError(f"{here}: {slug!r} does not take part")


def _load_logs(
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
                entry_date=_parse(spec["date"]).start,
                author_id=author.id if author else None,
                visibility=spec["visibility"],
                owner_id=owner.id if owner else None,
                due_date=_parse(spec["due"]).start if spec["due"] else None,
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


def _load_exchanges(
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
            meeting_date=_parse(spec["date"]).start,
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
                due_date=_parse(outcome_spec["due"]).start if outcome_spec["due"] else None,
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



def _load_reviews(
    collaborations: dict[str, Collaboration],
    users: dict[str, User],
    counts: dict[str, int],
) -> None:
    """Create the demo borging reviews whose collaboration has no review of that year yet,
    through the review services (so they are adopted and frozen like any other)."""
    from flask import current_app, has_request_context

    if not has_request_context():  # labels, dates and the map need a request (locale, urls)
        with current_app.test_request_context():
            _load_reviews(collaborations, users, counts)
        return

    for spec in getattr(data, "REVIEWS", []):
        collaboration = collaborations.get(spec["collaboration"])
        if collaboration is None or reviews.latest_for_year(collaboration.id,
                                                            spec["year"]) is not None:
            continue
        review = reviews.create_review(collaboration, spec["year"])
        review.created_by_id = users[spec["adopted_by"]].id
        form = reviews.ReviewInput(
            status="discussed", meeting_date=_parse(spec["meeting_date"]).start,
            participants=spec["participants"], risk_key_persons=spec["risk_key_persons"],
            risk_project_money=spec["risk_project_money"],
            strategies={slug: (status, text)
                        for slug, (status, text) in spec["strategies"].items()},
            scores={pillar: str(score) for pillar, score in spec["scores"].items()})
        reviews.update_review(review, form, review.version)
        adopter = users[spec["adopted_by"]]
        drawn = year_map(collaboration, spec["year"], load_access(adopter))
        adoption.adopt(review, review.version, map_svg=drawn.svg,
                      map_summary=drawn.summary if drawn.svg else drawn.problem)
        review.adopted_by_id = adopter.id
        # Adopted in the meeting itself, not on the day the demo was loaded.
        meeting = review.meeting_date
        review.adopted_at = datetime(meeting.year, meeting.month, meeting.day, 16, 0, tzinfo=UTC)
        counts["reviews"] += 1
