"""The monthly report for the DEPC meeting as a PDF, in Hindi or English: the district
dashboard's figures (the same `Chart` rows the page shows), drawn by WeasyPrint with Noto Sans
Devanagari from its PyPI package (embedded in the PDF), so no system font is needed."""

from __future__ import annotations

from typing import Any

import fontpkg
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

from niryat.core.models import District
from niryat.insights.dashboards import build

FONT_FAMILY = "Noto Sans Devanagari"
FONT_URL = path2url(str(fontpkg.path(FONT_FAMILY)))
LANGUAGES = ("hi", "en")


class _FontOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Fetches the bundled font only: nothing in the report can make the renderer read a file
    or call a server."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url != FONT_URL:
            raise ValueError(f"the report loads no other resources: {url[:80]}")
        return super().fetch(url, headers)


def monthly_report_pdf(district: District, language: str) -> bytes:
    """The district's report in `language` ("hi" or "en"), whatever the page's language."""
    with translation.override(language):
        dashboard = build(district)
        html = render_to_string(
            "insights/pdf/dashboard_report.html",
            {
                "font_url": FONT_URL,
                "font_family": FONT_FAMILY,
                "language": language,
                "district": district,
                "dashboard": dashboard,
                "month": dashboard.months[-1],
                "made_at": timezone.now(),
            },
        )
    pdf: bytes = HTML(string=html, url_fetcher=_FontOnlyFetcher()).write_pdf()
    return pdf
