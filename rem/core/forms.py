"""Form pieces shared by several domains."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import ValidationError, validators, widgets
from wtforms.fields.choices import SelectChoice

from rem.core.database import SLUG_MAX

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# The one wording for a text that is too long: beside a form field, and (with what is too
# long) from a service. WTForms' own message says "karakters"; the app says "tekens".
TOO_LONG = _l("Te lang: hoogstens %(max)d tekens.")


class Length(validators.Length):
    """WTForms' Length check, saying :data:`TOO_LONG` for a maximum unless given another
    message."""

    def __init__(self, min: int = -1, max: int = -1,  # noqa: A002 - WTForms' names
                 message: str | None = None) -> None:
        if message is None and min == -1:
            message = TOO_LONG
        super().__init__(min, max, message)


class LongSelect(widgets.Select):
    """WTForms' select, with its options written directly: the same HTML, for a list of
    every item of a log (an item page lists a hundred causes and effects, and WTForms'
    general attribute writer was a sixth of that page's time)."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{escape(value)}">'  # noqa: S704 - escaped
                      f"{escape(choice.label or choice.value)}</option>")


def too_long(what: str, limit: int) -> str:
    """Return the too-long message of a service: "De titel is te lang: hoogstens 200
    tekens." (``what`` is already translated)."""
    return _("%(what)s is te lang: hoogstens %(max)d tekens.", what=what, max=limit)


def slugify(text: str) -> str:
    """Turn a name into a URL-safe slug: lowercase ascii words joined by hyphens."""
    normal = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", normal.lower()).strip("-")[:SLUG_MAX].strip("-")


def slug_check(form, field) -> None:
    """Validate a slug, filling it from the name when left empty."""
    if not field.data:
        field.data = slugify(form.name.data or "")
    if not field.data or not SLUG_RE.match(field.data):
        raise ValidationError(_l("Gebruik alleen kleine letters, cijfers en streepjes."))


def choices(pairs, optgroup: str | None = None) -> list[SelectChoice]:
    """Turn (value, label) pairs into WTForms choices."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]


class EmptyForm(FlaskForm):
    """A form with only a CSRF token, for buttons that change something."""
