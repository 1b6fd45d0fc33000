"""Sign-in and profile forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from rem.core.forms import choices


class LoginForm(FlaskForm):
    """Email address and password."""

    email = EmailField(_l("E-mailadres"), validators=[DataRequired(_l("Vul uw e-mailadres in.")),
                                                      Email(_l("Dit is geen geldig e-mailadres.")),
                                                      Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Wachtwoord"),
                             validators=[DataRequired(_l("Vul uw wachtwoord in.")),
                                         Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class ProfileForm(FlaskForm):
    """A person's name and language."""

    name = StringField(_l("Naam"), validators=[Length(max=120)])
    locale = SelectField(_l("Taal"), choices=choices([("nl", "Nederlands"), ("en", "English")]))


class EmptyForm(FlaskForm):
    """A form with only a CSRF token, for buttons that change something."""
