"""Forms for learning-log entries, and the search form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional

from rem.core.forms import Length, choices
from rem.logbook.models import BODY_MAX, KIND_LABELS, TITLE_MAX
from rem.ripples.models import VISIBILITY_LABELS

PROMPTS = (
    _l("Wat gaat goed?"),
    _l("Wat kan beter?"),
    _l("Wat hebben we geleerd, en wat nemen we mee?"),
    _l("Wat willen we nog weten?"),
    _l("Wat gaan we nu doen, en wie doet het?"),
)


class EntryForm(FlaskForm):
    """One learning-log entry: what kind, a title, the text, and what it is about."""

    kind = RadioField(_l("Wat voor regel is dit?"),
                      choices=choices((str(k), v) for k, v in KIND_LABELS.items()),
                      default="reflection",
                      validators=[DataRequired(_l("Kies wat voor regel dit is."))])
    title = StringField(_l("Titel"), validators=[
        DataRequired(_l("Geef een titel op.")),
        Length(max=TITLE_MAX),
    ])
    entry_date = DateField(_l("Datum"), validators=[DataRequired(_l("Kies een datum."))])
    body = TextAreaField(
        _l("Tekst"),
        description=_l("U kunt Markdown gebruiken: *schuin*, **vet**, lijstjes."),
        validators=[Length(max=BODY_MAX)],
    )
    owner_id = SelectField(_l("Wie doet het?"), coerce=str, validate_choice=True)
    due_date = DateField(_l("Klaar op"), validators=[Optional()])
    visibility = SelectField(_l("Wie mag dit zien?"),
                             choices=choices((str(k), v) for k, v in VISIBILITY_LABELS.items()),
                             default="collaboration")
    codes = SelectMultipleField(_l("Codes"), coerce=int, validate_choice=True)
    items = SelectMultipleField(_l("Activiteiten en effecten"), coerce=int, validate_choice=True)
    entries = SelectMultipleField(_l("Andere regels uit het logboek"), coerce=int,
                                  validate_choice=True)
    workshops = SelectMultipleField(_l("Evaluatiesessies"), coerce=int, validate_choice=False)
    version = HiddenField()


class DoneForm(FlaskForm):
    """Mark an action done, or open again."""

    done = HiddenField(default="1")
    back = HiddenField()
