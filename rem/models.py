"""Import every model so that the metadata (and Alembic) knows all tables."""

from rem.accounts.models import AccountToken, Membership, OutboxMessage, SignIn, User
from rem.audit.models import AuditEvent
from rem.codes.models import Code, Codebook
from rem.collaborations.models import Collaboration
from rem.core.ratelimit import RateLimitCounter
from rem.exchanges.models import (
    ExchangeAdoption,
    ExchangeOutcome,
    LearningExchange,
    exchange_participants,
)
from rem.hubs.models import Hub
from rem.interchange.models import ApiToken
from rem.logbook.models import LogCitation, LogEntry, log_entry_codes
from rem.maps.models import SavedView
from rem.reviews.models import BorgingReview, ReviewEvidence, ReviewScore, ReviewStrategy
from rem.ripples.models import Activity, Effect, RippleItem, RippleLink, item_codes
from rem.themes.models import Theme, theme_items
from rem.threads.models import StoryThread, ThreadPlacement, ThreadStep
from rem.workshops.models import (
    Workshop,
    WorkshopParticipant,
    WorkshopStory,
    workshop_items,
)

__all__ = [
    "AccountToken", "Activity", "AuditEvent", "Code", "Codebook", "Collaboration", "Effect", "Hub",
    "Membership", "RateLimitCounter", "RippleItem", "RippleLink", "User", "item_codes",
    "ApiToken",
    "ExchangeAdoption", "ExchangeOutcome", "LearningExchange", "LogCitation", "LogEntry",
    "exchange_participants", "log_entry_codes",
    "Workshop", "WorkshopParticipant", "WorkshopStory", "workshop_items",
    "BorgingReview", "ReviewEvidence", "ReviewScore", "ReviewStrategy",
    "StoryThread", "ThreadPlacement", "ThreadStep",
    "OutboxMessage", "SavedView", "SignIn", "Theme", "theme_items",
]
