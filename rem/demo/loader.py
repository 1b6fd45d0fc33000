"""Load the demo data from :mod:`rem.demo.data` into the database, once.

The loader is idempotent: hubs and collaborations are matched by slug, users by
email, and a collaboration that already exists keeps its own ripple log (its
demo items are skipped entirely). It flushes but never commits. This module loads the
network (hubs, collaborations, people, ripple logs and themes); the data is checked
first (:mod:`rem.demo.checks`), and the workshops (:mod:`rem.demo.workshops`) and the
learning logs, exchanges and reviews (:mod:`rem.demo.learning`) follow.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from rem.accounts.models import Membership, Role, User
from rem.codes.models import Code, Codebook
from rem.codes.services import install_default_codebooks
from rem.collaborations.models import Collaboration
from rem.demo import data
from rem.demo.checks import check_demo_data, check_log_data, parse_date
from rem.demo.learning import load_exchanges, load_logs, load_reviews
from rem.demo.workshops import load_demo_workshops
from rem.extensions import db
from rem.hubs.models import Hub
from rem.ripples.models import Activity, Effect, RippleItem, RippleLink
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
    "workshops",
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
            start_date=parse_date(spec["start_date"]).start,
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
    load_logs(existing, codes, users, counts)
    db.session.flush()
    load_exchanges(hubs, codes, users, counts)
    db.session.flush()
    load_reviews(existing, users, counts)
    db.session.flush()
    return counts


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
        when = parse_date(item_spec["date"])
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
