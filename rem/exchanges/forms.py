"""Forms for learning exchanges, their outcomes and adopting an outcome."""

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
from rem.exchanges.models import OUTCOME_LABELS, PLACE_MAX, TEXT_MAX, TITLE_MAX


class ExchangeForm(FlaskForm):
    """Prepare an exchange: a title, a theme, participants and when it takes place."""

    title = StringField(_l("Titel"), validators=[
        DataRequired(_l("Geef de leeruitwisseling een titel.")),
        Length(max=TITLE_MAX),
    ])
    theme_code_id = SelectField(_l("Thema (een code)"), coerce=str, validate_choice=True)
    question = TextAreaField(_l("Vraag van de uitwisseling"), validators=[
        Length(max=2000)])
    description = TextAreaField(
        _l("Opzet en voorbereiding"),
        description=_l("U kunt Markdown gebruiken: *schuin*, **vet**, lijstjes."),
        validators=[Length(max=TEXT_MAX)])
    meeting_date = DateField(_l("Datum van de bijeenkomst"), validators=[Optional()])
    place = StringField(_l("Plaats"), validators=[Length(max=PLACE_MAX)])
    hubs = SelectMultipleField(_l("Hele hubs"), coerce=int, validate_choice=True)
    collaborations = SelectMultipleField(_l("Samenwerkingsverbanden"), coerce=int,
                                         validate_choice=True)
    version = HiddenField()


class OutcomeForm(FlaskForm):
    """One outcome of the meeting."""

    kind = RadioField(_l("Soort uitkomst"),
                      choices=choices((str(k), v) for k, v in OUTCOME_LABELS.items()),
                      default="insight",
                      validators=[DataRequired(_l("Kies: inzicht, afspraak of vervolgactie."))])
    title = StringField(_l("Titel"), validators=[
        DataRequired(_l("Geef de uitkomst een korte titel.")),
        Length(max=TITLE_MAX),
    ])
    body = TextAreaField(_l("Toelichting"), validators=[Length(max=TEXT_MAX)],
                         description=_l("U kunt Markdown gebruiken."))
    due_date = DateField(_l("Klaar op (bij een vervolgactie)"), validators=[Optional()])


class AdoptForm(FlaskForm):
    """Adopt an outcome into one collaboration's learning log."""

    collaboration_id = SelectField(_l("In het leerlogboek van"), coerce=int,
                                   validate_choice=True)
