"""The collaboration form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from rem.collaborations.models import (
    NAME_MAX,
    REGION_MAX,
    SCALE_LABELS,
    STAGE_LABELS,
    TARGET_GROUP_MAX,
)
from rem.core.database import SLUG_MAX
from rem.core.forms import Length, choices, slug_check


class CollaborationForm(FlaskForm):
    """What describes a samenwerkingsverband."""

    name = StringField(_l("Naam"), validators=[DataRequired(_l("Geef een naam op.")),
                                               Length(max=NAME_MAX)])
    slug = StringField(_l("Webadres (korte naam)"),
                       description=_l("Het laatste stuk van het webadres, zoals “achterveld” in "
                                      ".../collaborations/achterveld. Alleen kleine letters, "
                                      "cijfers en streepjes. Laat leeg om het uit de naam te "
                                      "maken."),
                       validators=[Length(max=SLUG_MAX), slug_check])
    hub_id = SelectField(_l("Hub"), coerce=int)
    region = StringField(_l("Regio of plaats"), validators=[Length(max=REGION_MAX)])
    scale = SelectField(_l("Schaal"),
                        choices=choices((k.value, v) for k, v in SCALE_LABELS.items()))
    target_group = StringField(_l("Doelgroep"), validators=[Length(max=TARGET_GROUP_MAX)])
    goal = TextAreaField(_l("Doel"), validators=[Length(max=5000)])
    stage = SelectField(_l("Ervaring met burgerparticipatie"),
                        description=_l("Pionier: het samenwerkingsverband begint met "
                                       "burgerparticipatie. Koploper: het doet dit al langer en "
                                       "kan anderen op weg helpen."),
                        choices=choices((k.value, v) for k, v in STAGE_LABELS.items()))
    start_date = DateField(_l("Gestart op"), validators=[Optional()])
    pseudonymise_for_research = BooleanField(
        _l("Onderzoekers krijgen alleen gegevens zonder namen (gepseudonimiseerd)"), default=True
    )
