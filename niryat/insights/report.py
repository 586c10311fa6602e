"""The monthly report for the DEPC meeting as a PDF, in Hindi or English: the district
dashboard's figures (the same `Chart` rows the page shows), drawn by WeasyPrint with Noto Sans
Devanagari from its PyPI package (embedded in the PDF), so no system font is needed."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation

from niryat.core.models import District
from niryat.core.pdf import font_context, html_to_pdf
from niryat.insights.dashboards import build

LANGUAGES = ("hi", "en")


def monthly_report_pdf(district: District, language: str) -> bytes:
    """The district's report in `language` ("hi" or "en"), whatever the page's language."""
    with translation.override(language):
        dashboard = build(district)
        html = render_to_string(
            "insights/pdf/dashboard_report.html",
            {
                **font_context(),
                "language": language,
                "district": district,
                "dashboard": dashboard,
                "month": dashboard.months[-1],
                "made_at": timezone.now(),
            },
        )
    return html_to_pdf(html)
