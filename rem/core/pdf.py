"""Printable pages as PDF, through WeasyPrint, when it is installed and works here: the
exchange pack, the session report and the borging review.

WeasyPrint needs Pango from the operating system (Debian: libpango-1.0-0,
libpangoft2-1.0-0), which Graphviz brings in. Without it the pages are still printable
web pages, and the PDF links answer with a plain message (503, :func:`unavailable`).

The HTML is rendered with the page's own stylesheets given directly, and a URL fetcher
that fetches nothing, except (when asked) SVG images that are data: URIs in the page
itself (maps and charts): the PDF never loads anything over the network or from disk on
the strength of what is in the page (links stay links).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from flask import Response
from flask_babel import gettext as _

log = logging.getLogger(__name__)

SVG_DATA = "data:image/svg+xml;base64,"


@functools.cache
def available() -> bool:
    """Tell whether WeasyPrint can be imported (with its system libraries)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        log.info("WeasyPrint is not available: no PDFs, the printable pages still work")
        return False
    return True


def unavailable() -> Response:
    """The plain answer to a PDF link on a server without WeasyPrint."""
    return Response(_("PDF maken kan niet op deze server (WeasyPrint ontbreekt). "
                      "Gebruik ‘Afdrukken’ in de browser en kies ‘Opslaan als PDF’.") + "\n",
                    status=503, mimetype="text/plain")


def render(html: str, base_url: str, stylesheets: list[Path], *,
           svg_data: bool = False) -> bytes:
    """Return ``html`` as PDF bytes, styled by ``stylesheets`` only; with ``svg_data``
    the page's own SVG data: URIs (maps, charts) are drawn too."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        """Fetch nothing (but the page's own SVG data: URIs, when asked)."""

        def fetch(self, url, headers=None):
            if svg_data and url.startswith(SVG_DATA):
                return super().fetch(url, headers)
            raise ValueError(f"not fetched for the PDF: {url[:100]}")

    document = HTML(string=html, base_url=base_url, url_fetcher=NoFetching())
    return document.write_pdf(stylesheets=[CSS(filename=str(path)) for path in stylesheets])
