"""Plain-language names for the action codes and entity types in the audit trail.

The codes stay in the database (and in exports); pages show these labels, with the code
itself in small print for administrators. ``tests/test_audit_labels.py`` checks that every
code passed to ``audit.services.record`` has a label here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "create": _l("aangemaakt"),
    "update": _l("gewijzigd"),
    "delete": _l("verwijderd"),
    "restore": _l("teruggezet"),
    "purge": _l("definitief verwijderd"),
    "link": _l("verbinding gelegd"),
    "unlink": _l("verbinding weggehaald"),
    "accept": _l("verhaal opgenomen"),
    "merge": _l("verhaal samengevoegd"),
    "park": _l("verhaal geparkeerd"),
    "reopen": _l("weer open gezet"),
    "close": _l("gesloten"),
    "done": _l("op klaar gezet"),
    "export": _l("geëxporteerd"),
    "import": _l("ingelezen"),
    "revoke": _l("ingetrokken"),
    "outcome": _l("uitkomst vastgelegd"),
    "outcome_delete": _l("uitkomst weggehaald"),
    "adopt": _l("overgenomen of vastgesteld"),
    "evidence": _l("bewijs gekozen"),
    "new_version": _l("nieuwe versie gemaakt"),
    "place": _l("verhaal geplaatst"),
    "unplace": _l("verhaal weggehaald"),
    "theme_add": _l("effect in thema gezet"),
    "theme_remove": _l("effect uit thema gehaald"),
}

# Where one code means something else for one type of thing.
ACTION_LABELS_FOR = {
    ("exchange", "adopt"): _l("les overgenomen"),
    ("borging_review", "adopt"): _l("review vastgesteld"),
}

TYPE_LABELS = {
    "activity": _l("activiteit"),
    "effect": _l("effect"),
    "link": _l("verbinding"),
    "hub": _l("hub"),
    "collaboration": _l("samenwerkingsverband"),
    "membership": _l("lidmaatschap"),
    "invitation": _l("uitnodiging"),
    "user": _l("account"),
    "password_reset": _l("link voor nieuw wachtwoord"),
    "api_token": _l("API-sleutel"),
    "codebook": _l("codeboek"),
    "code": _l("code"),
    "session": _l("evaluatiesessie"),
    "story": _l("verhaal"),
    "log_entry": _l("logboekregel"),
    "exchange": _l("leeruitwisseling"),
    "borging_review": _l("borgingsreview"),
    "story_thread": _l("verhaal (rimpelanalyse)"),
    "theme": _l("thema"),
    "saved_view": _l("opgeslagen kaartweergave"),
}


def action_label(code: str, entity_type: str | None = None) -> str:
    """The label of an action code (for that type of thing, when given); an unknown code is
    shown as it is."""
    label = ACTION_LABELS_FOR.get((entity_type, code)) or ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def type_label(code: str) -> str:
    """The label of an entity type; an unknown type is shown as it is."""
    label = TYPE_LABELS.get(code)
    return str(label) if label is not None else code
