"""A corpus of XSS payloads through every field that is shown, rendered or put in a map.

Each payload goes in through the real forms; every page that shows it must
carry it only as inert text.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from rem.accounts.models import Role
from rem.extensions import db
from tests import factories
from tests.conftest import login, post

PAYLOADS = [
    "<script>alert('xss1')</script>",
    "<img src=x onerror=alert('xss2')>",
    "[klik](javascript:alert('xss3'))",
    "<a href=\"javascript:alert('xss4')\">a</a>",
    "<svg onload=alert('xss5')>",
    "<svg><script>alert('xss6')</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss7')>",
    "\"><script>alert('xss8')</script>",
    "'><img src=x onerror=alert('xss9')>",
    "<iframe srcdoc=\"<script>alert('xss10')</script>\"></iframe>",
    "<details open ontoggle=alert('xss11')>",
    "<a href=\"data:text/html,<script>alert('xss12')</script>\">d</a>",
    "<<script>script>alert('xss13')<</script>/script>",
    "<body onload=alert('xss14')>",
    "<div style=\"background:url(javascript:alert('xss15'))\">",
    "]; node [label=<b>x</b> URL=\"javascript:alert('xss16')\"]",
    "{{ 7*7 }} ${7*7} <%= 7*7 %>",
]

class _Inspector(HTMLParser):
    """Collect everything in a page that a browser would run or load."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"iframe", "object", "embed", "math", "base", "frame", "frameset"}:
            self.problems.append(f"<{tag}>")
        # A data block (<script type="application/json">, the map's data) is never run.
        if tag == "script" and not any(
            k == "src" and (v or "").startswith("/static/") for k, v in attrs
        ) and ("type", "application/json") not in attrs:
            self.problems.append("<script> without our src")
        for key, value in attrs:
            key, value = key.lower(), (value or "").strip().lower()
            if key.startswith("on"):
                self.problems.append(f"<{tag} {key}=...>")
            if key == "style":
                self.problems.append(f"<{tag} style=...>")
            if key in {"href", "src", "xlink:href", "action", "formaction", "data"} and \
                    value.replace("\x00", "").replace(" ", "").startswith(
                        ("javascript:", "data:text", "vbscript:")):
                self.problems.append(f"<{tag} {key}={value[:40]}>")

    handle_startendtag = handle_starttag


def _problems(html: str) -> list[str]:
    inspector = _Inspector()
    inspector.feed(html)
    return inspector.problems


@pytest.fixture
def world(app):
    with app.app_context():
        hub = factories.HubFactory(slug="hub")
        collab = factories.CollaborationFactory(slug="dorp", hub=hub)
        user = factories.UserFactory(email="f@example.org", is_admin=True)
        factories.MembershipFactory(user=user, collaboration_id=collab.id,
                                    role=Role.FACILITATOR.value)
        db.session.commit()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_inert_everywhere(app, client, world, payload):
    login(client, "f@example.org")
    r = post(client, "/hubs/hub/edit", {"name": payload[:200], "slug": "hub", "region": payload,
                                        "description": payload})
    assert r.status_code == 302
    r = post(client, "/collaborations/dorp/edit", {
        "name": payload[:200], "slug": "dorp", "hub_id": "1", "region": payload[:200],
        "scale": "lokaal", "stage": "pionier", "target_group": payload[:300], "goal": payload,
    })
    assert r.status_code in (302, 200)
    r = post(client, "/collaborations/dorp/activities/new", {
        "title": payload[:200], "date_value": "2024-01-01", "date_precision": "day",
        "description": payload, "visibility": "collaboration", "governance_style": "",
        "ladder_step": ""})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    activity_url = r.headers["Location"]
    activity_id = activity_url.rsplit("/", 1)[1]
    r = post(client, "/collaborations/dorp/effects/new", {
        "title": payload[:200], "date_value": "2024-02-01", "date_precision": "month",
        "description": payload, "visibility": "collaboration", "intended": "no",
        "valence": "mixed", "noticed_by": "citizen", "evidence_kind": "quote",
        "evidence_text": payload, "evidence_url": "", "causes": [activity_id]})
    assert r.status_code == 302
    effect_url = r.headers["Location"]
    pages = ["/", "/hubs/hub", "/collaborations/dorp", activity_url, effect_url,
             f"{effect_url}/edit", "/collaborations/dorp/map",
             "/collaborations/dorp/map?layout=radial", "/collaborations/dorp/map.svg",
             "/collaborations/dorp/map.svg?layout=radial", "/admin/audit/"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        if response.mimetype == "image/svg+xml" or path.endswith(".svg") or "?" in path and \
                ".svg" in path:
            assert response.mimetype == "image/svg+xml"
        assert _problems(body) == [], path
        if payload.startswith("{{") and path == activity_url:
            assert "{{ 7*7 }}" in body  # shown as typed, never evaluated as a template


def test_the_inspector_catches_what_it_looks_for():
    assert _problems("<img src=x onerror=alert(1)>") == ["<img onerror=...>"]
    assert _problems('<a href=" JavaScript:alert(1)">x</a>')
    assert _problems("<script>alert(1)</script>")
    assert _problems('<svg><a xlink:href="javascript:alert(1)"></a></svg>')
    assert _problems('<script src="/static/vendor/htmx-2.0.11.min.js" defer></script>') == []
    assert _problems("&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1)") == []
