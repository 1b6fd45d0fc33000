"""Printable pages as PDF, through WeasyPrint, when it is installed and works here: the
exchange pack, the session report and the borging review.

WeasyPrint needs Pango from the operating system (Debian: libpango-1.0-0,
libpangoft2-1.0-0), which Graphviz brings in. Without it the pages are still printable
web pages, and the PDF links answer with a plain message (503, :func:`unavailable`).

The HTML is rendered with the page's own stylesheets given directly, and a URL fetcher
that fetches nothing, except (when asked) SVG images that are data: URIs in the page
itself (maps and charts): the PDF never loads anything over the network or from disk on
the strength of what is in the page (links stay links).

The stylesheets given here rank below the page's own presentational attributes (an inline
SVG's ``height``, for one): such a rule needs ``!important`` (static/css/pack.css).
Fonts come from the system through fontconfig: DejaVu Sans, then the Noto fonts for other
scripts and colour emoji (docs/deployment.md); tests/test_pdf_pages.py checks that they
print, and that no page is left near-empty.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from flask import Response
from flask_babel import gettext as _

log = logging.getLogger(__name__)

SVG_DATA = "data:image/svg+xml;base64,"
# A picture inside a print map: Graphviz's cairo SVG (rem.maps.drawing.print_svg) draws a
# colour emoji as a PNG data: URI. It is part of the page itself, never a fetch.
PNG_DATA = "data:image/png;base64,"


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
        """Fetch nothing (but PNG data: URIs in the page's maps, and the page's own SVG
        data: URIs when asked)."""

        def fetch(self, url, headers=None):
            if url.startswith(PNG_DATA) or (svg_data and url.startswith(SVG_DATA)):
                return super().fetch(url, headers)
            raise ValueError(f"not fetched for the PDF: {url[:100]}")

    document = HTML(string=html, base_url=base_url, url_fetcher=NoFetching())
    return document.write_pdf(stylesheets=[CSS(filename=str(path)) for path in stylesheets])
