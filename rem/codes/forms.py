"""Forms for codebooks and codes."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired

from rem.codes.models import NAME_MAX
from rem.core.forms import Length


class CodebookForm(FlaskForm):
    """A new codebook."""

    name = StringField(_l("Naam van het codeboek"), validators=[
        DataRequired(_l("Geef een naam op.")), Length(max=NAME_MAX)])
    description = TextAreaField(_l("Waar is het voor?"), validators=[Length(max=2000)])


class CodeForm(FlaskForm):
    """A new code in a codebook."""

    name = StringField(_l("Naam van de code"), validators=[
        DataRequired(_l("Geef een naam op.")), Length(max=NAME_MAX)])
    description = StringField(_l("Uitleg in één zin"), validators=[Length(max=500)])
