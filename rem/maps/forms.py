"""Small forms of the map workspace (rem/maps/workspace.py): the side panel and the outline.

They change only the fields they show; the workspace fills in the rest from the stored
item, so a quick edit on the map never clears what the full form page recorded.
"""

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
from wtforms.validators import DataRequired, InputRequired, Optional

from rem.core.dates import PRECISION_LABELS
from rem.core.forms import Length, choices
from rem.ripples.forms import VALENCE_CHOICES
from rem.ripples.models import TEXT_MAX, TITLE_MAX

PRECISIONS = choices([(str(key), label) for key, label in PRECISION_LABELS.items()])
# No defaults: the workspace asks for both answers (ripples.forms.answer_problem), except
# for an effect added by its title alone from the outline, which is stored as unanswered.
INTENDED = choices([("yes", _l("Bedoeld")), ("no", _l("Onbedoeld")),
                    ("unknown", _l("Weet ik niet"))])
VALENCES = choices(VALENCE_CHOICES)


class _TitleDate(FlaskForm):
    """A title and a date with its precision; an empty date means "the default date"."""

    title = StringField(_l("Titel"), validators=[
        DataRequired(_l("Geef een titel op.")),
        Length(max=TITLE_MAX),
    ])
    date_value = DateField(_l("Wanneer?"), validators=[Optional()])
    date_precision = SelectField(_l("Hoe precies?"), choices=PRECISIONS, default="month")


class QuickItemForm(_TitleDate):
    """A new activity or effect from the panel or the outline: the title is enough."""

    kind = SelectField(choices=choices([("effect", _l("Effect")),
                                        ("activity", _l("Activiteit"))]), default="effect")
    intended = RadioField(_l("Was dit de bedoeling?"), choices=INTENDED, validate_choice=False)
    valence = RadioField(_l("Hoe was het?"), choices=VALENCES, validate_choice=False)
    # Sent by the panel's forms, which ask both questions; the outline sends a title only.
    ask_answers = HiddenField()
    causes = SelectMultipleField(_l("Kwam voort uit"), coerce=int, validate_choice=False)


class PanelEditForm(_TitleDate):
    """The fields of an item that the panel changes; the version guards against overwriting."""

    description = TextAreaField(_l("Beschrijving"), validators=[Length(max=TEXT_MAX)])
    intended = RadioField(_l("Was dit de bedoeling?"), choices=INTENDED, validate_choice=False)
    valence = RadioField(_l("Hoe was het?"), choices=VALENCES, validate_choice=False)
    version = HiddenField(validators=[InputRequired()])


class CodesForm(FlaskForm):
    """The codes of an item, chosen with check boxes."""

    codes = SelectMultipleField(_l("Codes"), coerce=int, validate_choice=False)
    version = HiddenField(validators=[InputRequired()])


class LinkPairForm(FlaskForm):
    """A link made on the map: ``cause_id`` led to ``effect_id``."""

    cause_id = IntegerField(validators=[InputRequired()])
    effect_id = IntegerField(validators=[InputRequired()])
