"""Forms for activities, effects and links."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, NumberRange, Optional

from rem.core.dates import PRECISION_LABELS
from rem.core.forms import Length, LongSelect, choices
from rem.ripples.models import (
    EVIDENCE_LABELS,
    GOVERNANCE_STYLES,
    LADDER_STEPS,
    OBSERVER_LABELS,
    TEXT_MAX,
    TITLE_MAX,
    URL_MAX,
    VALENCE_LABELS,
    VISIBILITY_LABELS,
)


def _choices(labels: dict, blank: str | None = None) -> list[SelectChoice]:
    pairs = [(str(k), v) for k, v in labels.items()]
    return choices([("", blank), *pairs] if blank is not None else pairs)


class ItemForm(FlaskForm):
    """Fields that activities and effects share."""

    title = StringField(_l("Titel"), validators=[
        DataRequired(_l("Geef een titel op.")),
        Length(max=TITLE_MAX),
    ])
    date_value = DateField(_l("Wanneer?"), validators=[
        DataRequired(_l("Kies een datum. Weet u alleen de maand of het jaar? "
                        "Kies dan een dag in die periode en zet hieronder hoe precies het is."))
    ])
    date_precision = SelectField(_l("Hoe precies is de datum?"),
                                 choices=_choices(PRECISION_LABELS), default="day")
    description = TextAreaField(
        _l("Beschrijving"),
        description=_l("U kunt Markdown gebruiken: *schuin*, **vet**, lijstjes."),
        validators=[Length(max=TEXT_MAX)],
    )
    visibility = SelectField(_l("Wie mag dit zien?"), choices=_choices(VISIBILITY_LABELS),
                             default="collaboration")
    codes = SelectMultipleField(_l("Codes"), coerce=int, validate_choice=True)
    version = HiddenField()


class ActivityForm(ItemForm):
    """An activity: something the collaboration did."""

    participant_count = IntegerField(_l("Aantal deelnemers"), validators=[
        Optional(), NumberRange(min=0, max=1_000_000, message=_l("Vul een getal vanaf 0 in."))
    ])
    governance_style = SelectField(_l("Bestuursstijl"),
                                   choices=_choices(GOVERNANCE_STYLES, _l("(niet ingevuld)")))
    ladder_step = SelectField(_l("Trede op de participatieladder"),
                              choices=_choices(LADDER_STEPS, _l("(niet ingevuld)")))


# Intention and valence start unanswered in every form (REM looks for the unintended and the
# negative; a default would record them as intended and positive for whoever types fast).
# "unknown" is a real answer, stored as NULL; see RippleItem.unanswered.
INTENDED_CHOICES = [("yes", _l("Ja, bedoeld")), ("no", _l("Nee, onbedoeld (een verrassing)")),
                    ("unknown", _l("Weet ik niet"))]
VALENCE_CHOICES = [*((str(key), label) for key, label in VALENCE_LABELS.items()),
                   ("unknown", _l("Weet ik niet"))]
INTENDED_MISSING = _l("Kies of dit bedoeld was (of “Weet ik niet”).")
VALENCE_MISSING = _l("Kies hoe het was (of “Weet ik niet”).")


def answer_problem(intended: str | None, valence: str | None) -> str | None:
    """The message for a missing or unknown answer to the two questions, or None."""
    if intended not in dict(INTENDED_CHOICES):
        return str(INTENDED_MISSING)
    if valence not in dict(VALENCE_CHOICES):
        return str(VALENCE_MISSING)
    return None


def answers_of(item) -> tuple[str | None, str | None]:
    """The form values for an item's intention and valence: none when it was never asked."""
    if getattr(item, "unanswered", False):
        return None, None
    intended = {True: "yes", False: "no"}.get(item.intended, "unknown")
    return intended, item.valence or "unknown"


def intended_value(answer: str | None) -> bool | None:
    """The stored intention of a form answer ("unknown": None)."""
    return {"yes": True, "no": False}.get(answer or "")


def valence_value(answer: str | None) -> str | None:
    """The stored valence of a form answer ("unknown": None)."""
    return answer if answer in VALENCE_LABELS else None


class EffectForm(ItemForm):
    """An effect: a change that grew from activities or other effects."""

    intended = RadioField(_l("Was dit de bedoeling?"), choices=choices(INTENDED_CHOICES),
                          invalid_choice_message=INTENDED_MISSING)
    valence = RadioField(_l("Hoe was het?"), choices=choices(VALENCE_CHOICES),
                         invalid_choice_message=VALENCE_MISSING)
    noticed_by = SelectField(_l("Wie merkte het op?"),
                             choices=_choices(OBSERVER_LABELS, _l("(niet ingevuld)")))
    evidence_kind = SelectField(_l("Soort bewijs"),
                                choices=_choices(EVIDENCE_LABELS, _l("(geen)")))
    evidence_text = TextAreaField(_l("Bewijs: citaat, waarneming of getal"),
                                  validators=[Length(max=TEXT_MAX)])
    evidence_url = StringField(_l("Link naar een document"), validators=[
        Optional(), Length(max=URL_MAX),
        URL(require_tld=False, message=_l("Dit is geen geldige link (begin met https://).")),
    ])
    causes = SelectMultipleField(_l("Kwam voort uit"), coerce=int, validate_choice=True,
                                 widget=LongSelect(multiple=True))


class LinkForm(FlaskForm):
    """Add a cause to an effect."""

    cause_id = SelectField(_l("Kwam (ook) voort uit"), coerce=int, widget=LongSelect())


class EffectLinkForm(FlaskForm):
    """Add an existing effect that an item led to."""

    effect_id = SelectField(_l("Leidde (ook) tot"), coerce=int, widget=LongSelect())
