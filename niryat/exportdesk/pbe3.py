"""The PBE-III data of an order's postal shipments, one row per item of each parcel, as a file
staff upload to the Dak Ghar Niryat Kendra portal. Columns follow the PBE-III form (Postal
Export (Electronic Declaration and Processing) Regulations, 2022), as EXPORT_FACTS.md §3 lists
them from https://web.lawcrux.com/…/curegu_pstexp_edp22_form.htm: the exporter's header, the
parcel's details (cols 1-15) and its valuation (cols 16-34). The portal's own upload layout is
not in our sources: the columns carry the form's names so staff can map them.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from niryat.core.countries import country_name_en
from niryat.exportdesk.models import Document, ExportOrder, ReadinessItem, Shipment

COLUMNS = [
    "IEC",
    "GSTIN",
    "State code",
    "AD code",
    "Sl.No",
    "Consignee name and address",
    "Country of destination",
    "Description",
    "CTH",
    "Quantity unit",
    "Quantity",
    "Invoice no.",
    "Invoice date",
    "Gross weight (kg)",
    "Net weight (kg)",
    "GSTIN of e-commerce operator",
    "URL (name) of website",
    "Payment transaction ID",
    "SKU No.",
    "Postal tracking number",
    "FOB",
    "Currency",
    "Exchange rate",
    "Amount in INR",
    "H.S. code",
    "Sl.No of item in invoice",
    "IGST rate",
    "IGST amount",
    "LUT/bond details",
]
CENT = Decimal("0.01")


def pbe3_rows(order: ExportOrder) -> list[dict[str, str]]:
    """The rows, or a ValidationError saying what is missing (no postal shipment, no invoice)."""
    shipments = list(order.shipments.filter(mode=Shipment.Mode.POST).order_by("shipped_on", "pk"))
    if not shipments:
        raise ValidationError(_("The order has no shipment by post."))
    invoice = (
        Document.objects.filter(order=order, kind=Document.Kind.INVOICE)
        .order_by("-version")
        .first()
    )
    if invoice is None:
        raise ValidationError(_("Issue the commercial invoice first: PBE-III names it."))
    producer = order.producer
    ad_code = (
        ReadinessItem.objects.filter(producer=producer, kind=ReadinessItem.Kind.AD_CODE)
        .values_list("reference", flat=True)
        .first()
        or ""
    )
    lut = (
        ReadinessItem.objects.filter(producer=producer, kind=ReadinessItem.Kind.LUT)
        .values_list("reference", flat=True)
        .first()
        or ""
    )
    rate = order.exchange_rate or Decimal(0)
    total = order.total
    share = order.fob / total if total else Decimal(0)  # FOB per item: its share of the total
    buyer = order.buyer
    consignee = ", ".join(part for part in [buyer.name, " ".join(buyer.address.split())] if part)
    rows = []
    number = 0
    for shipment in shipments:
        for index, line in enumerate(order.lines.all(), start=1):
            number += 1
            fob = (line.amount * share).quantize(CENT)
            igst = (fob * rate * order.igst_rate / 100).quantize(CENT) if order.igst_paid else 0
            rows.append(
                {
                    "IEC": producer.iec,
                    "GSTIN": producer.gstin,
                    "State code": "09",  # Uttar Pradesh's GST state code (EXPORT_FACTS.md §8)
                    "AD code": ad_code,
                    "Sl.No": str(number),
                    "Consignee name and address": consignee,
                    "Country of destination": f"{buyer.country} {country_name_en(buyer.country)}",
                    "Description": line.description,
                    "CTH": line.hs_code,
                    "Quantity unit": "PCS",
                    "Quantity": str(line.quantity),
                    "Invoice no.": invoice.number,
                    "Invoice date": invoice.created_at.date().strftime("%d.%m.%Y"),
                    "Gross weight (kg)": (
                        f"{order.gross_weight_kg:.3f}"
                        if order.gross_weight_kg and index == 1
                        else ""
                    ),
                    "Net weight (kg)": f"{line.net_weight_kg:.3f}" if line.net_weight_kg else "",
                    "GSTIN of e-commerce operator": "",
                    "URL (name) of website": "",
                    "Payment transaction ID": "",
                    "SKU No.": "",
                    "Postal tracking number": shipment.tracking_number,
                    "FOB": f"{fob:.2f}",
                    "Currency": order.currency,
                    "Exchange rate": f"{rate:.4f}",
                    "Amount in INR": f"{(fob * rate).quantize(CENT):.2f}",
                    "H.S. code": line.hs_code,
                    "Sl.No of item in invoice": str(index),
                    "IGST rate": f"{order.igst_rate:.2f}" if order.igst_paid else "",
                    "IGST amount": f"{igst:.2f}" if order.igst_paid else "",
                    "LUT/bond details": "" if order.igst_paid else f"LUT {lut}",
                }
            )
    return rows


def pbe3_csv(order: ExportOrder) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(pbe3_rows(order))
    return buffer.getvalue()
