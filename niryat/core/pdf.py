"""PDFs from HTML through WeasyPrint, with the bundled Noto Sans Devanagari (from its PyPI
package: a machine needs no system font, only Pango, which shapes the conjuncts). Labels,
export documents, certificates and statements all render here.

The renderer fetches the font and nothing else (inline `data:` images where a caller allows
them): nothing in a document, a buyer's address or a producer's name say, can make it read a
file or call a server."""

from __future__ import annotations

from typing import Any

import fontpkg
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

FONT_FAMILY = "Noto Sans Devanagari"
FONT_URL = path2url(str(fontpkg.path(FONT_FAMILY)))


class FontOnlyFetcher(URLFetcher):  # type: ignore[misc]
    def __init__(self, *, data_urls: bool = False) -> None:
        super().__init__()
        self.data_urls = data_urls

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url != FONT_URL and not (self.data_urls and url.startswith("data:")):
            raise ValueError(f"documents load no other resources: {url[:80]}")
        return super().fetch(url, headers)


def layout(html: str, *, data_urls: bool = False) -> Document:
    """The laid-out pages of `html` (its fonts: FONT_URL, as `font_context` gives it)."""
    document: Document = HTML(
        string=html, url_fetcher=FontOnlyFetcher(data_urls=data_urls)
    ).render()
    return document


def html_to_pdf(html: str, *, data_urls: bool = False) -> bytes:
    pdf: bytes = layout(html, data_urls=data_urls).write_pdf()
    return pdf


def font_context() -> dict[str, str]:
    """What a PDF template needs for its @font-face."""
    return {"font_url": FONT_URL, "font_family": FONT_FAMILY}
