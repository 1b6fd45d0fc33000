"""The collaboration form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from rem.collaborations.models import SCALE_LABELS, STAGE_LABELS
from rem.core.forms import choices, slug_check


class CollaborationForm(FlaskForm):
    """What describes a samenwerkingsverband."""

    name = StringField(_l("Naam"), validators=[DataRequired(_l("Geef een naam op.")),
                                               Length(max=200)])
    slug = StringField(_l("Korte naam voor de link (slug)"),
                       description=_l("Laat leeg om hem uit de naam te maken."),
                       validators=[Length(max=80), slug_check])
    hub_id = SelectField(_l("Hub"), coerce=int)
    region = StringField(_l("Regio of plaats"), validators=[Length(max=200)])
    scale = SelectField(_l("Schaal"),
                        choices=choices((k.value, v) for k, v in SCALE_LABELS.items()))
    target_group = StringField(_l("Doelgroep"), validators=[Length(max=300)])
    goal = TextAreaField(_l("Doel"), validators=[Length(max=5000)])
    stage = SelectField(_l("Pionier of koploper"),
                        choices=choices((k.value, v) for k, v in STAGE_LABELS.items()))
    start_date = DateField(_l("Gestart op"), validators=[Optional()])
    pseudonymise_for_research = BooleanField(
        _l("Onderzoekers krijgen alleen gegevens zonder namen (gepseudonimiseerd)"), default=True
    )
