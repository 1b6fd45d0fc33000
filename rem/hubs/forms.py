"""The hub form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from rem.core.forms import slug_check


class HubForm(FlaskForm):
    """Name, slug, region and description of a hub."""

    name = StringField(_l("Naam"), validators=[DataRequired(_l("Geef een naam op.")),
                                               Length(max=200)])
    slug = StringField(_l("Korte naam voor de link (slug)"),
                       description=_l("Laat leeg om hem uit de naam te maken."),
                       validators=[Length(max=80), slug_check])
    region = StringField(_l("Regio"), validators=[Length(max=200)])
    description = TextAreaField(_l("Beschrijving"), validators=[Length(max=5000)])
