"""The exchange pack as a PDF, through WeasyPrint, when it is installed and works here.

WeasyPrint needs Pango from the operating system (Debian: libpango-1.0-0,
libpangoft2-1.0-0). Without it the pack is still a printable web page, and the
PDF link answers with a plain message (503).

The HTML is rendered with the pack's own stylesheets given directly, and a URL
fetcher that fetches nothing: the PDF never loads anything over the network or
from disk on the strength of what is in the page (links stay links).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

log = logging.getLogger(__name__)


@functools.cache
def available() -> bool:
    """Tell whether WeasyPrint can be imported (with its system libraries)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        log.info("WeasyPrint is not available: no PDF for exchange packs")
        return False
    return True


def render(html: str, base_url: str, stylesheets: list[Path]) -> bytes:
    """Return ``html`` as PDF bytes, styled by ``stylesheets`` only."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        """Fetch nothing: every resource the page refers to is left out."""

        def fetch(self, url, headers=None):
            raise ValueError(f"not fetched for the PDF: {url[:100]}")

    document = HTML(string=html, base_url=base_url, url_fetcher=NoFetching())
    return document.write_pdf(stylesheets=[CSS(filename=str(path)) for path in stylesheets])
