"""Sign-in, profile, invitation, membership and password forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo

from rem.accounts.models import EMAIL_MAX, NAME_MAX
from rem.accounts.services import MIN_PASSWORD
from rem.core.forms import Length, choices

# Each language is named in its own language, as in the header's switch.
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]


class LoginForm(FlaskForm):
    """Email address and password."""

    email = EmailField(_l("E-mailadres"), validators=[DataRequired(_l("Vul uw e-mailadres in.")),
                                                      Email(_l("Dit is geen geldig e-mailadres.")),
                                                      Length(max=EMAIL_MAX)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Wachtwoord"),
                             validators=[DataRequired(_l("Vul uw wachtwoord in.")),
                                         Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class ProfileForm(FlaskForm):
    """A person's name and language."""

    name = StringField(_l("Naam"), validators=[Length(max=NAME_MAX)])
    locale = SelectField(_l("Taal"), choices=choices(LANGUAGES))


def _email_field() -> EmailField:
    return EmailField(_l("E-mailadres"), validators=[DataRequired(_l("Vul een e-mailadres in.")),
                                                     Email(_l("Dit is geen geldig e-mailadres.")),
                                                     Length(max=EMAIL_MAX)])


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[DataRequired(_l("Kies een wachtwoord.")),
                    Length(min=MIN_PASSWORD, max=200,
                           message=_l("Kies een wachtwoord van minstens %(n)s tekens.",
                                      n=MIN_PASSWORD))],
        description=_l("Minstens %(n)s tekens. Een zin van een paar woorden is goed te "
                       "onthouden.", n=MIN_PASSWORD),
        render_kw={"autocomplete": "new-password"})
    repeat = PasswordField(
        _l("Herhaal het wachtwoord"),
        validators=[DataRequired(_l("Herhaal het wachtwoord.")),
                    EqualTo("password", _l("De twee wachtwoorden zijn niet gelijk."))],
        render_kw={"autocomplete": "new-password"})
    return password, repeat


class HubInviteForm(FlaskForm):
    """The address of a person to invite as coordinator of a hub, and the language of the
    invitation (the view makes the inviter's own language the default)."""

    email = _email_field()
    locale = SelectField(_l("Taal van de uitnodiging"), choices=choices(LANGUAGES),
                         default="nl")


class InviteForm(HubInviteForm):
    """The address of a person to invite, and their role in the collaboration."""

    role = SelectField(_l("Rol"), choices=choices([
        ("member", _l("Lid: leest alles van dit samenwerkingsverband")),
        ("facilitator", _l("Begeleider: houdt de tijdlijn en de rimpelkaart bij en nodigt "
                           "leden uit")),
    ]), default="member")


class RoleForm(FlaskForm):
    """A new role for one member of a collaboration."""

    role = SelectField(_l("Rol"), choices=choices([("member", _l("Lid")),
                                                   ("facilitator", _l("Begeleider"))]))


class NewAccountForm(FlaskForm):
    """Name and password for a new account made from an invitation."""

    name = StringField(_l("Naam"), validators=[DataRequired(_l("Vul uw naam in.")),
                                               Length(max=NAME_MAX)],
                       render_kw={"autocomplete": "name"})
    password, password_repeat = _new_password_fields()


class NewPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password, password_repeat = _new_password_fields()


class ForgotPasswordForm(FlaskForm):
    """The address to send a reset link to."""

    email = _email_field()
