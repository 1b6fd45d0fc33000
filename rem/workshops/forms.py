"""Forms for facilitators (session, inbox) and for participants (join, story)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional

from rem.core.dates import FuzzyDate, Precision
from rem.core.forms import Length, choices
from rem.ripples.forms import EffectForm
from rem.workshops.models import (
    FIRST_NAME_MAX,
    FOCUS_MAX,
    FOR_WHOM_MAX,
    PARTICIPANT_ROLE_LABELS,
    PLACE_MAX,
    PROMPTS_MAX,
    STORY_MAX,
    TITLE_MAX,
)

MONTHS = [
    _l("januari"), _l("februari"), _l("maart"), _l("april"), _l("mei"), _l("juni"), _l("juli"),
    _l("augustus"), _l("september"), _l("oktober"), _l("november"), _l("december"),
]
QUARTERS = [_l("januari tot en met maart"), _l("april tot en met juni"),
            _l("juli tot en met september"), _l("oktober tot en met december")]
FIRST_YEAR = 2000


# --- facilitators ---------------------------------------------------------------------------


class WorkshopForm(FlaskForm):
    """Date, place, focus question, prompts, and what participants may link to."""

    title = StringField(_l("Naam van de sessie"), validators=[
        DataRequired(_l("Geef de sessie een naam.")),
        Length(max=TITLE_MAX),
    ])
    held_on = DateField(_l("Datum"), validators=[DataRequired(_l("Kies de datum."))])
    place = StringField(_l("Plaats"), validators=[
        Length(max=PLACE_MAX)])
    focus_question = TextAreaField(_l("Focusvraag"), validators=[
        DataRequired(_l("Schrijf de vraag op waar de sessie over gaat.")),
        Length(max=FOCUS_MAX),
    ], render_kw={"rows": 2})
    prompts = TextAreaField(_l("Vragen voor de gesprekken in tweetallen (één per regel)"),
                            validators=[Length(max=PROMPTS_MAX,
                                               message=_l("Hoogstens %(max)d tekens."))],
                            render_kw={"rows": 7})
    allow_links = BooleanField(_l("Deelnemers mogen kiezen waar hun verhaal uit voortkwam"))
    link_items = SelectMultipleField(_l("Welke activiteiten en effecten mogen deelnemers "
                                        "zien?"), coerce=int, validate_choice=True)


class AcceptForm(EffectForm):
    """A story as a new effect: the effect form plus the status the facilitator saw."""

    expected = HiddenField()


class MergeForm(FlaskForm):
    """Merge a story into an existing effect."""

    expected = HiddenField()
    target_id = SelectField(_l("Samenvoegen met"), coerce=int, validate_choice=True)
    add_text = BooleanField(_l("Zet de woorden van de deelnemer bij de beschrijving"),
                            default=True)


class StatusForm(FlaskForm):
    """Park or reopen a story."""

    expected = HiddenField()


class CodesForm(FlaskForm):
    """The codes of the effect a story became."""

    codes = SelectMultipleField(_l("Codes"), coerce=int, validate_choice=True)


# --- participants (no account) -----------------------------------------------------------------


class JoinForm(FlaskForm):
    """Type the code from the screen."""

    code = StringField(_l("Code"), validators=[
        DataRequired(_l("Typ de code die je op het scherm ziet.")), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters",
                   "spellcheck": "false", "inputmode": "text"})


class ParticipantForm(FlaskForm):
    """A first name (or nothing) and who you are today."""

    first_name = StringField(_l("Je voornaam (mag je leeg laten)"), validators=[
        Length(max=FIRST_NAME_MAX, message=_l("Alleen je voornaam is genoeg."))],
        render_kw={"autocomplete": "given-name"})
    role = RadioField(_l("Wie ben je vandaag?"), validators=[Optional()], choices=choices(
        [*((k.value, v) for k, v in PARTICIPANT_ROLE_LABELS.items()),
         ("", _l("Zeg ik liever niet"))]), default="")


def year_choices(today: date | None = None) -> list:
    """Return the years a participant can choose, newest first, after "weet ik niet"."""
    today = today or date.today()
    return choices([("", _l("Weet ik niet")),
                    *((str(y), str(y)) for y in range(today.year, FIRST_YEAR - 1, -1))])


def period_choices() -> list:
    """Return the parts of a year: the whole year, quarters, then months."""
    pairs = [("", _l("Weet ik niet precies"))]
    pairs += [(f"q{i}", label) for i, label in enumerate(QUARTERS, start=1)]
    pairs += [(f"m{i}", label) for i, label in enumerate(MONTHS, start=1)]
    return choices(pairs)


class StoryForm(FlaskForm):
    """One story: what changed, for whom, roughly when, and how it was."""

    text = TextAreaField(_l("Wat is er veranderd?"), validators=[
        DataRequired(_l("Schrijf eerst op wat er veranderd is.")),
        Length(max=STORY_MAX),
    ], render_kw={"rows": 6, "maxlength": STORY_MAX})
    for_whom = StringField(_l("Voor wie veranderde het?"), validators=[
        Length(max=FOR_WHOM_MAX)],
        render_kw={"maxlength": FOR_WHOM_MAX})
    year = SelectField(_l("In welk jaar, ongeveer?"), validators=[Optional()])
    period = SelectField(_l("Wanneer in dat jaar?"), validators=[Optional()])
    intended = RadioField(_l("Was dit de bedoeling?"), validators=[Optional()], choices=choices([
        ("yes", _l("Ja, dat was de bedoeling")), ("no", _l("Nee, het was een verrassing")),
        ("unknown", _l("Weet ik niet")),
    ]))
    valence = RadioField(_l("Hoe vind je deze verandering?"), validators=[Optional()],
                         choices=choices([
                             ("positive", _l("Goed")), ("negative", _l("Niet goed")),
                             ("mixed", _l("Allebei: goed en niet goed")),
                             ("unknown", _l("Weet ik niet")),
                         ]))
    grew_from = RadioField(_l("Waar kwam het uit voort?"), validators=[Optional()])
    key = HiddenField()

    def __init__(self, *args, link_options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = year_choices()
        self.period.choices = period_choices()
        self.grew_from.choices = choices(
            [*((str(item.id), item.title) for item in link_options),
             ("", _l("Weet ik niet, of iets anders"))])

    def fuzzy_date(self) -> FuzzyDate | None:
        """Return the rough date chosen, or None for "weet ik niet"."""
        year = self.year.data or ""
        if not year.isdigit():
            return None
        period = self.period.data or ""
        if period.startswith("q") and period[1:] in {"1", "2", "3", "4"}:
            month = 3 * (int(period[1:]) - 1) + 1
            return FuzzyDate.of(date(int(year), month, 1), Precision.QUARTER)
        if period.startswith("m") and period[1:].isdigit() and 1 <= int(period[1:]) <= 12:
            return FuzzyDate.of(date(int(year), int(period[1:]), 1), Precision.MONTH)
        return FuzzyDate.of(date(int(year), 1, 1), Precision.YEAR)
