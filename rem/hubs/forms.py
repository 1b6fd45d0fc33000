"""The hub form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired

from rem.core.database import SLUG_MAX
from rem.core.forms import Length, slug_check
from rem.hubs.models import NAME_MAX, REGION_MAX


class HubForm(FlaskForm):
    """Name, slug, region and description of a hub."""

    name = StringField(_l("Naam"), validators=[DataRequired(_l("Geef een naam op.")),
                                               Length(max=NAME_MAX)])
    slug = StringField(_l("Webadres (korte naam)"),
                       description=_l("Het laatste stuk van het webadres, zoals “noord-nederland” "
                                      "in .../hubs/noord-nederland. Alleen kleine letters, "
                                      "cijfers en streepjes. Laat leeg om het uit de naam te "
                                      "maken."),
                       validators=[Length(max=SLUG_MAX), slug_check])
    region = StringField(_l("Regio"), validators=[Length(max=REGION_MAX)])
    description = TextAreaField(_l("Beschrijving"), validators=[Length(max=5000)])
