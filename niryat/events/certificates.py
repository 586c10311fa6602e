"""Certificates as PDFs, in Hindi or English: WeasyPrint draws them from a Django template with
Noto Sans Devanagari from its PyPI package (embedded in the PDF), and a QR code that opens the
public verification page."""

from __future__ import annotations

import segno
from django.template.loader import render_to_string
from django.utils import translation

from niryat.core.dates import format_date
from niryat.core.pdf import font_context, html_to_pdf
from niryat.events.models import Certificate


def qr_svg(text: str, scale: int = 4) -> str:
    """A QR code as inline SVG (no file, no fetch)."""
    svg: str = segno.make(text, error="m", micro=False).svg_inline(scale=scale, border=2)
    return svg


def certificate_pdf(certificate: Certificate, language: str, verify_url: str) -> bytes:
    """The certificate in `language` ("hi" or "en"), whatever the language of the page."""
    participant = certificate.participant
    programme = participant.programme
    producer = participant.producer
    sessions = list(programme.sessions.all())
    with translation.override(language):
        name = producer.name_hi if language == "hi" else (producer.name_latin or producer.name_hi)
        context = {
            **font_context(),
            "language": language,
            "name": name,
            "programme": programme.title,
            "kind": programme.get_kind_display(),
            "partner": programme.partner.name if programme.partner else "",
            "district": programme.district.name,
            "from_date": format_date(sessions[0].date) if sessions else "",
            "to_date": format_date(sessions[-1].date) if len(sessions) > 1 else "",
            "issued_on": format_date(certificate.issued_on),
            "number": certificate.number,
            "verify_url": verify_url,
            "qr": qr_svg(verify_url, scale=3),
        }
        html = render_to_string("events/pdf/certificate.html", context)
    return html_to_pdf(html)
