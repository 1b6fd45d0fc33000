"""Links that leave the app, and the hosts the app answers for.

A password-reset mail, an invitation, the QR code of a live session, an absolute link in
a PDF or the API description is read somewhere else, later: it must point at the real
site, whatever ``Host`` header the request that made it carried. So every such link is
built from ``REM_BASE_URL`` (required in production, see rem/config.py) by
:func:`external_url`, never from the request.

The other half: in production Flask checks every request's ``Host`` against
``TRUSTED_HOSTS`` (the base URL's host plus ``REM_TRUSTED_HOSTS``), and
:func:`refuse_unknown_hosts` answers a request for any other host with a plain 400,
before anything else runs.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit

from flask import Flask, Response, current_app, has_request_context, request, url_for
from werkzeug.exceptions import SecurityError

# Without REM_BASE_URL (development and tests only) and outside a request, for example
# in the mail worker: links say this.
DEVELOPMENT_BASE_URL = "http://localhost"


def external_url(endpoint: str, **values) -> str:
    """Return the absolute URL of ``endpoint`` with ``values``, as ``url_for`` would,
    on ``REM_BASE_URL`` (in development without it: on the request's host)."""
    base = current_app.config.get("REM_BASE_URL")
    if not base:
        if current_app.config.get("REM_PRODUCTION"):
            raise RuntimeError("REM_BASE_URL is required in production (rem/config.py)")
        if has_request_context():
            return url_for(endpoint, _external=True, **values)
        base = DEVELOPMENT_BASE_URL
    parts = urlsplit(base)
    anchor = values.pop("_anchor", None)
    values = {key: value for key, value in values.items() if value is not None}
    current_app.inject_url_defaults(endpoint, values)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme)
    url = adapter.build(endpoint, values, force_external=True)
    if anchor is not None:
        url += "#" + quote(str(anchor), safe="/?=&-_.~")
    return url


# The characters werkzeug leaves unquoted in a query string (werkzeug.urls._urlencode):
# with them, :func:`with_query` writes what ``url_for`` writes.
QUERY_SAFE = "!$'()*,/:;?@"


def with_query(base: str, **params) -> str:
    """Return ``base`` (an address from ``url_for``, without a query) with ``params`` as
    its query string, in their order, leaving out None: what ``url_for`` writes for the
    same arguments (tests/test_external_urls.py compares), for pages that link one
    endpoint hundreds of times with other query values (a ``url_for`` is about 30 µs)."""
    items = [(key, value) for key, value in params.items() if value is not None]
    return f"{base}?{urlencode(items, safe=QUERY_SAFE)}" if items else base


def site_root() -> str:
    """Return the absolute address of the start page (a base for links in PDFs)."""
    return external_url("hubs.index")


def lowercase_host(wsgi_app):
    """Wrap a WSGI app so that it sees the Host header in small letters: host names are
    not case-sensitive, and werkzeug compares them with TRUSTED_HOSTS as written. Wraps the
    app inside any proxy fix, so a forwarded host is compared in small letters too."""

    def app(environ, start_response):
        if "HTTP_HOST" in environ:
            environ["HTTP_HOST"] = environ["HTTP_HOST"].lower()
        return wsgi_app(environ, start_response)

    return app


def refuse_unknown_hosts(app: Flask) -> None:
    """Answer a request for a host outside ``TRUSTED_HOSTS`` with 400, first of all hooks.

    Flask finds the untrusted host while it sets up the request (``request.host`` raises
    ``SecurityError``); nothing after this hook may then build a link or read the account.
    """

    def refuse():
        if isinstance(request.routing_exception, SecurityError):
            return Response("Unknown host. Use the address of this site.\n", status=400,
                            mimetype="text/plain")
        return None

    app.before_request_funcs.setdefault(None, []).insert(0, refuse)
