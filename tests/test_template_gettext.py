"""Templates translate with the translations looked up once per request (rem.web), and
still follow force_locale and refresh, as Flask-Babel's own lookup does."""

from __future__ import annotations

import pytest
from flask import render_template_string, session
from flask_babel import force_locale, refresh

pytestmark = pytest.mark.one_database  # the same on every database


def test_templates_follow_the_locale_within_one_request(app):
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        assert render_template_string("{{ _('Activiteit') }}") == "Activiteit"
        with force_locale("en"):
            assert render_template_string("{{ _('Activiteit') }}") == "Activity"
        assert render_template_string("{{ _('Activiteit') }}") == "Activiteit"
        session["locale"] = "en"
        refresh()
        assert render_template_string("{{ _('Activiteit') }}") == "Activity"


def test_each_request_has_its_own_language(app):
    for language, expected in (("en", "Activity"), ("nl", "Activiteit"), ("en", "Activity")):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            assert render_template_string("{{ _('Activiteit') }}") == expected


def test_placeholders_and_escaping_still_work(app):
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        html = render_template_string("{{ _('Opgeslagen: “%(title)s”.', title='<b>') }}")
        assert html == "Opgeslagen: “&lt;b&gt;”."
