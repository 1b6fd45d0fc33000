"""Forms for exports, imports and personal access tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired

from rem.core.forms import Length, choices
from rem.interchange.models import NAME_MAX

EXPORT_FORMATS = [
    ("json", _l("JSON (rem/1): alles, om later terug te lezen of in Python/R te gebruiken")),
    ("csv", _l("CSV-tabellen in een zip: voor R, pandas en SPSS")),
    ("xlsx", _l("Excel (XLSX): één tabblad per tabel")),
    ("graphml", _l("GraphML: een netwerk voor Gephi, yEd of networkx")),
    ("ripplefx", _l("RippleFX / Meta-REM: nodes.csv en relationships.csv in een zip")),
]

IMPORT_FORMATS = [
    ("json", _l("rem JSON (een export uit rem)")),
    ("ripplefx", _l("RippleFX / Meta-REM: nodes.csv en relationships.csv (of één zip)")),
    ("xmind", _l("XMind-kaart (.xmind)")),
    ("table", _l("Tabel: CSV of Excel met items, en eventueel een tabel met verbindingen")),
]

XMIND_MODES = [
    ("rings", _l("De eerste ring rond het midden zijn activiteiten, de rest effecten "
                 "(het middelpunt zelf wordt geen item)")),
    ("effects", _l("Alles is een effect; het middelpunt wordt de ene activiteit waaruit "
                   "alles voortkomt")),
]


EXPORT_SCOPES = [
    ("collaboration", _l("Dit samenwerkingsverband")),
    ("hub", _l("De hele hub: alles wat u mag zien van de samenwerkingsverbanden in deze hub")),
    ("all", _l("Alles wat u mag zien, van alle hubs")),
]


class ExportForm(FlaskForm):
    """Choose what to export, a format and whether names are replaced."""

    scope = RadioField(_l("Wat exporteert u?"), choices=choices(EXPORT_SCOPES),
                       default="collaboration")
    format = RadioField(_l("Bestandsvorm"), choices=choices(EXPORT_FORMATS), default="json",
                        validators=[DataRequired(_l("Kies een bestandsvorm."))])
    pseudonymise = BooleanField(_l("Namen vervangen door pseudoniemen (Persoon A, Persoon B, …)"))
    extra_names = TextAreaField(
        _l("Andere namen om te vervangen"),
        description=_l("Eén persoon per regel. Schrijfwijzen van dezelfde persoon scheidt u met "
                       "een puntkomma, bijvoorbeeld: Jan Jansen; Jan; meneer Jansen"),
        validators=[Length(max=20_000)],
    )


class ImportForm(FlaskForm):
    """Upload one or two files to import."""

    format = RadioField(_l("Soort bestand"), choices=choices(IMPORT_FORMATS),
                        validators=[DataRequired(_l("Kies wat voor bestand het is."))])
    file = FileField(_l("Bestand"))
    file2 = FileField(_l("Tweede bestand (alleen bij RippleFX of een tabel met verbindingen)"))
    xmind_mode = RadioField(_l("Hoe worden onderwerpen uit XMind ingelezen?"),
                            choices=choices(XMIND_MODES), default="rings")
    default_date = StringField(
        _l("Datum voor items zonder datum"),
        description=_l("Bijvoorbeeld 2024, 2024-Q2, 2024-05 of 2024-05-13."),
        validators=[Length(max=20)],
    )


class ImportConfirmForm(FlaskForm):
    """Carry the stored upload and the choices from the preview to the real import."""

    token = HiddenField()


class TokenForm(FlaskForm):
    """Name a new personal access token and choose how long it works."""

    name = StringField(_l("Waarvoor gebruikt u deze sleutel?"),
                       description=_l("Bijvoorbeeld: R-script analyse 2025"),
                       validators=[DataRequired(_l("Geef de sleutel een naam.")),
                                   Length(max=NAME_MAX)])
    days = RadioField(_l("Hoe lang werkt de sleutel?"),
                      choices=choices([("30", _l("30 dagen")), ("90", _l("90 dagen")),
                                       ("365", _l("365 dagen (een jaar)"))]),
                      default="90",
                      validators=[DataRequired(_l("Kies hoe lang de sleutel werkt."))])


class RevokeForm(FlaskForm):
    """Revoke one token."""

    revoke = HiddenField()
