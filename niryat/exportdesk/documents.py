"""Export documents as PDFs: proforma and commercial invoice, packing list and the CN 23 customs
declaration, in English, with the producer's name also in Hindi where they choose.

What each document must hold, and why it can be refused, is here; numbering and versions are in
`actions.do_issue_document`. The PDF is drawn by WeasyPrint from a Django template, with Noto Sans
Devanagari from its PyPI package (embedded in the PDF), so no system font is needed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from niryat.core.countries import country_name_en
from niryat.core.pdf import font_context, html_to_pdf
from niryat.exportdesk.models import (
    CN22_LIMIT_SDR,
    SDR,
    Document,
    ExportOrder,
    ReadinessItem,
    ReferenceRate,
)
from niryat.exportdesk.readiness import clean_iec_as_pan

Kind = Document.Kind

# Number prefixes, per kind (the centre's LGD code and the financial year go around it).
PREFIXES: dict[str, str] = {
    Kind.PROFORMA: "PI",
    Kind.INVOICE: "INV",
    Kind.PACKING_LIST: "PL",
    Kind.CN22: "CN22",
    Kind.CN23: "CN23",
}

# The invoice's endorsement for an export, word for word from the second proviso of CGST Rule 46
# (as in force, quoted at https://www.taxmanagementindia.com/visitor/detail_act.asp?ID=28366 and
# in the rule's text at https://www.gstzen.in/a/tax-invoice-cgst-rule-46.html): "SUPPLY MEANT FOR
# EXPORT/SUPPLY TO SEZ UNIT OR SEZ DEVELOPER FOR AUTHORISED OPERATIONS ON PAYMENT OF INTEGRATED
# TAX" or "... UNDER BOND OR LETTER OF UNDERTAKING WITHOUT PAYMENT OF INTEGRATED TAX", "as the
# case may be": for an export, the export alternative of each.
ENDORSEMENT_IGST_PAID = "SUPPLY MEANT FOR EXPORT ON PAYMENT OF INTEGRATED TAX"
ENDORSEMENT_LUT = (
    "SUPPLY MEANT FOR EXPORT UNDER BOND OR LETTER OF UNDERTAKING WITHOUT PAYMENT OF INTEGRATED TAX"
)

# CN 23 box (15), word for word (EXPORT_FACTS.md §2, OECD 2018 Annex A).
CN23_CERTIFICATION = (
    "I certify that the particulars given in this customs declaration are correct and that this "
    "item does not contain any dangerous article or articles prohibited by legislation or by "
    "postal or customs regulations."
)


def current_lut(order: ExportOrder, on: datetime.date) -> ReadinessItem | None:
    """The producer's LUT if it is done and covers `on`."""
    lut = ReadinessItem.objects.filter(
        producer_id=order.producer_id, kind=ReadinessItem.Kind.LUT, rule__isnull=True
    ).first()
    if lut is None or lut.status != ReadinessItem.Status.DONE:
        return None
    if lut.valid_from and lut.valid_from > on:
        return None
    if lut.expires_on is None or lut.expires_on < on:
        return None
    return lut


def cn22_limit_inr(on: datetime.date) -> Decimal | None:
    """300 SDR in rupees at the SDR rate in force on `on` (None: no SDR rate is kept for it)."""
    rate = ReferenceRate.objects.rate_for(SDR, on)
    if rate is None:
        return None
    return (CN22_LIMIT_SDR * rate.inr_per_unit).quantize(Decimal("0.01"))


def postal_declaration(order: ExportOrder, on: datetime.date) -> str | None:
    """The customs declaration a postal parcel of the order takes: CN 22 up to 300 SDR, CN 23
    above (None while the value in rupees or the SDR rate is unknown)."""
    limit = cn22_limit_inr(on)
    if limit is None or order.exchange_rate is None:
        return None
    value_inr = order.total * order.exchange_rate
    return Kind.CN22 if value_inr <= limit else Kind.CN23


def _cn22_problems(order: ExportOrder, on: datetime.date) -> list[str]:
    limit = cn22_limit_inr(on)
    if limit is None:
        return [
            _(
                "There is no SDR rate for %(date)s: record the rupee rate of the SDR (XDR) "
                "among the reference rates."
            )
            % {"date": on.strftime("%d.%m.%Y")}
        ]
    if order.exchange_rate is None:
        return []  # the missing exchange rate is already a reason
    value_inr = (order.total * order.exchange_rate).quantize(Decimal("0.01"))
    if value_inr > limit:
        return [
            _(
                "CN 22 is for contents up to 300 SDR (₹%(limit)s on %(date)s); this parcel is "
                "worth ₹%(value)s: issue a CN 23."
            )
            % {"limit": limit, "date": on.strftime("%d.%m.%Y"), "value": value_inr}
        ]
    return []


def document_problems(order: ExportOrder, kind: str, on: datetime.date) -> list[str]:
    """Why `kind` cannot be issued for `order` on `on`, one sentence each (nothing: it can)."""
    problems: list[str] = []
    lines = list(order.lines.all())
    if not lines:
        problems.append(_("The order has no lines."))
    for index, line in enumerate(lines, start=1):
        if not line.hs_code:
            problems.append(
                _("Line %(n)s (%(description)s) has no HS code.")
                % {"n": index, "description": line.description}
            )
        if kind in {Kind.PACKING_LIST, Kind.CN22, Kind.CN23} and line.net_weight_kg is None:
            problems.append(
                _("Line %(n)s (%(description)s) has no net weight.")
                % {"n": index, "description": line.description}
            )
    if order.exchange_rate is None:
        problems.append(
            _(
                "There is no exchange rate for %(currency)s: enter the customs notified rate on "
                "the order, or record it among the reference rates."
            )
            % {"currency": order.currency}
        )
    if kind == Kind.CN22:
        problems.extend(_cn22_problems(order, on))
    try:
        clean_iec_as_pan(order.producer.iec)
    except Exception as exc:  # a ValidationError; its message says what is wrong
        if not order.producer.iec:
            problems.append(_("The producer has no IEC: record it on their export readiness."))
        else:
            problems.append(" ".join(getattr(exc, "messages", [str(exc)])))
    total = order.total
    if lines and total <= 0:
        problems.append(_("The invoice total must be more than zero."))
    if order.freight + order.insurance > total:
        problems.append(_("Freight and insurance are more than the order's total."))
    if kind in {Kind.PROFORMA, Kind.INVOICE}:
        if order.igst_paid and order.igst_rate <= 0:
            problems.append(_("IGST is paid: enter its rate."))
        if not order.igst_paid and current_lut(order, on) is None:
            problems.append(
                _(
                    "Without IGST, the invoice needs a LUT valid on %(date)s; the producer's LUT "
                    "is missing or past its financial year."
                )
                % {"date": on.strftime("%d.%m.%Y")}
            )
    if kind == Kind.PACKING_LIST and order.gross_weight_kg is None:
        problems.append(_("Enter the gross weight of the packages."))
    return problems


def _producer_address(order: ExportOrder) -> str:
    producer = order.producer
    parts = [producer.village, producer.tehsil, order.district.name_en, producer.pin]
    return ", ".join(part for part in parts if part) + ", Uttar Pradesh, India"


def document_context(
    order: ExportOrder,
    kind: str,
    *,
    number: str,
    version: int,
    on: datetime.date,
    hindi_name: bool,
    invoice_number: str = "",
) -> dict[str, Any]:
    """What the document's template shows. Values are worked out here, not in the template."""
    rate = order.exchange_rate or Decimal(0)
    lines = []
    for index, line in enumerate(order.lines.all(), start=1):
        lines.append(
            {
                "n": index,
                "description": line.description,
                "hs_code": line.hs_code,
                "quantity": line.quantity,
                "unit_price": f"{line.unit_price:.2f}",
                "amount": f"{line.amount:.2f}",
                "net_weight": f"{line.net_weight_kg:.3f}" if line.net_weight_kg is not None else "",
            }
        )
    net_weight = sum((line.net_weight_kg or Decimal(0) for line in order.lines.all()), Decimal(0))
    fob_inr = (order.fob * rate).quantize(Decimal("0.01"))
    igst_inr = (order.total * rate * order.igst_rate / 100).quantize(Decimal("0.01"))
    lut = current_lut(order, on) if not order.igst_paid else None
    producer = order.producer
    return {
        **font_context(),
        "kind": kind,
        "title": Kind(kind).label,  # lazy: render_pdf renders it in English
        "number": number,
        "version": version,
        "date": on.strftime("%d.%m.%Y"),
        "exporter_name": producer.name_latin or producer.name_hi,
        "exporter_name_hi": producer.name_hi if hindi_name else "",
        "exporter_address": _producer_address(order),
        "iec": producer.iec,
        "gstin": producer.gstin,
        "buyer": order.buyer,
        "buyer_country": country_name_en(order.buyer.country),
        "buyer_order_ref": order.buyer_order_ref,
        "incoterm": order.incoterm,
        "currency": order.currency,
        "exchange_rate": f"{rate:.4f}",
        "lines": lines,
        "total": f"{order.total:.2f}",
        "freight": f"{order.freight:.2f}",
        "insurance": f"{order.insurance:.2f}",
        "fob": f"{order.fob:.2f}",
        "fob_inr": f"{fob_inr:.2f}",
        "igst_paid": order.igst_paid,
        "igst_rate": f"{order.igst_rate:.2f}",
        "igst_inr": f"{igst_inr:.2f}",
        "lut": lut,
        "lut_until": lut.expires_on.strftime("%d.%m.%Y") if lut and lut.expires_on else "",
        "packages": order.packages,
        "net_weight": f"{net_weight:.3f}",
        "gross_weight": f"{order.gross_weight_kg:.3f}" if order.gross_weight_kg else "",
        "invoice_number": invoice_number,
        "certification": CN23_CERTIFICATION,
        "endorsement": ENDORSEMENT_IGST_PAID if order.igst_paid else ENDORSEMENT_LUT,
    }


def render_pdf(context: dict[str, Any]) -> bytes:
    """The document as a PDF, in English whatever the language of the page that asked."""
    with translation.override("en"):
        html = render_to_string(f"exportdesk/pdf/{context['kind']}.html", context)
    return html_to_pdf(html)
