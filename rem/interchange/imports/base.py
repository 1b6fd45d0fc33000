"""What every import format produces (a plan), and how a plan is written.

Parsers turn files into an :class:`ImportPlan` without touching the database.
:func:`apply_plan` then writes it through the ripple services (``create_item`` and
``add_link``), so the same rules apply as on the pages: titles and dates are
checked, links keep the ripple graph acyclic, and every change is audited. The
caller commits (the real import) or rolls back (the preview): all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _

from rem.core.dates import DateError, FuzzyDate, Precision, parse_iso


class ImportRefused(ValueError):
    """A file that is not read at all; the message is shown to the user."""


@dataclass
class UploadedFile:
    """One uploaded file: its name and bytes."""

    name: str
    data: bytes


@dataclass
class ImportOptions:
    """The choices made on the upload page."""

    format: str
    xmind_mode: str = "rings"
    default_date: str = ""
    mapping: dict[str, str] = field(default_factory=dict)


@dataclass
class Problem:
    """Something found while reading; blocking problems stop the import."""

    message: str
    blocking: bool = False


@dataclass
class PlannedItem:
    """One item to create. ``kind`` None means: decided by the links; a kind that is
    neither "activity" nor "effect" is kept as written, to be named in a warning.
    Choice fields (visibility, valence...) likewise keep what the file says."""

    key: str
    title: str
    kind: str | None = None
    when: FuzzyDate | None = None
    description: str = ""
    visibility: str = "collaboration"
    participant_count: int | None = None
    governance_style: str | None = None
    ladder_step: str | None = None
    intended: bool | None = None
    valence: str | None = None
    unanswered: bool = False  # intended and valence not asked yet (rem JSON, tables)
    noticed_by: str | None = None
    evidence_kind: str | None = None
    evidence_text: str = ""
    evidence_url: str = ""
    codes: list[str] = field(default_factory=list)
    source: str = ""
    workshop_key: str | None = None  # the evaluation session it came from (rem JSON)
    themes: list[str] = field(default_factory=list)  # theme names (rem JSON)


@dataclass
class PlannedWorkshop:
    """An evaluation session of origin named in the file (rem JSON)."""

    key: str
    title: str
    held_on: date
    place: str = ""
    focus_question: str = ""


@dataclass
class PlannedEntry:
    """One learning-log entry to create (rem JSON); ``cites`` are item keys."""

    kind: str
    title: str
    entry_date: date | None
    body: str = ""
    visibility: str = "collaboration"
    due_date: date | None = None
    done_at: datetime | None = None
    codes: list[str] = field(default_factory=list)
    cites: list[str] = field(default_factory=list)
    source: str = ""  # where it stands in the file, for messages


@dataclass
class CodebookInfo:
    """A codebook described in the file (rem JSON), used when it must be created."""

    slug: str
    name: str
    description: str = ""
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)  # slug -> (name, descr.)


@dataclass
class ImportPlan:
    """Everything a file asks to create, and what was found wrong with it."""

    items: list[PlannedItem] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    entries: list[PlannedEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    codebooks: dict[str, CodebookInfo] = field(default_factory=dict)
    workshops: dict[str, PlannedWorkshop] = field(default_factory=dict)
    themes: dict[str, str] = field(default_factory=dict)  # name -> description (rem JSON)
    columns: list[str] = field(default_factory=list)
    link_columns: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)

    def warn(self, message: str) -> None:
        """Add a problem that does not stop the import."""
        self.problems.append(Problem(message))

    def refuse(self, message: str) -> None:
        """Add a problem that stops the import."""
        self.problems.append(Problem(message, blocking=True))


@dataclass
class PreviewItem:
    """One created item, as the preview shows it."""

    kind: str
    title: str
    when: str
    codes: list[str]


@dataclass
class ImportResult:
    """What an import did (or, in a preview, would do)."""

    format: str
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    created_items: int = 0
    activities: int = 0
    effects: int = 0
    created_links: int = 0
    created_entries: int = 0
    matched_workshops: int = 0
    created_workshops: int = 0
    created_codes: list[str] = field(default_factory=list)
    first_items: list[PreviewItem] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    link_columns: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Tell whether nothing blocks the import."""
        return not any(p.blocking for p in self.problems)

    @property
    def blocking(self) -> list[Problem]:
        """Return the problems that stop the import."""
        return [p for p in self.problems if p.blocking]

    @property
    def warnings(self) -> list[Problem]:
        """Return the problems that do not stop it."""
        return [p for p in self.problems if not p.blocking]


def placeholder_title(n: int) -> str:
    """Return the visible title given to an untitled topic."""
    return _("(zonder titel %(n)d)", n=n)


def default_when(options: ImportOptions, start: date | None) -> FuzzyDate:
    """Return the date given to items without one: the chosen one, or a whole year."""

    if options.default_date:
        try:
            return parse_iso(options.default_date)
        except DateError as exc:
            raise ImportRefused(
                _("De datum voor items zonder datum klopt niet: %(error)s", error=str(exc))
            ) from exc
    return FuzzyDate.of(start or date.today(), Precision.YEAR)
