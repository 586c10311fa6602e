"""The data of a certificate of origin application for an export order: what the issuing agency
asks, from the order, its commercial invoice and its shipment.

Non-preferential (the goods' Indian origin, no tariff preference): the Handbook of Procedures
para 2.21.2 (as at http://eximkey.com/notification.php?Path=%2FSec%2FDGFT%2FHandBookofProcedures
%2FFTPupto2009%2F2_21_2.htm) has exporters apply to an agency of Appendix 4C with the details of
the quantum and origin of the inputs, two copies of the invoice and the packing list; the
certificate follows Annexure II to Appendix 4C.

Preferential (a tariff preference under a trade agreement with the destination): the forms'
boxes and origin criteria are kept as data (data/origin_agreements.csv), each with its source; a
form resting on one source is shown "to verify", as ExportRule does.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from niryat.core.countries import country_name_en
from niryat.exportdesk.models import Document, ExportOrder

AGREEMENTS_CSV = Path(__file__).parent / "data" / "origin_agreements.csv"


@dataclass(frozen=True)
class Agreement:
    country: str
    name: str
    form: str
    boxes: tuple[str, ...]
    criteria: tuple[str, ...]
    source: str
    second_source: str

    @property
    def verified(self) -> bool:
        return bool(self.second_source)


@cache
def agreements() -> tuple[Agreement, ...]:
    with AGREEMENTS_CSV.open(encoding="utf-8") as handle:
        return tuple(
            Agreement(
                country=row["country"],
                name=row["agreement"],
                form=row["form"],
                boxes=tuple(box.strip() for box in row["boxes"].split(";")),
                criteria=tuple(code.strip() for code in row["criteria"].split(";")),
                source=row["source"],
                second_source=row["second_source"],
            )
            for row in csv.DictReader(handle)
        )


def agreements_for(country: str) -> list[Agreement]:
    return [agreement for agreement in agreements() if agreement.country == country]


@dataclass(frozen=True)
class OriginApplication:
    problems: list[str]
    fields: list[tuple[str, str]]  # (label, value), in the order the forms ask them
    lines: list[dict[str, Any]]
    agreements: list[Agreement]


def origin_application(order: ExportOrder) -> OriginApplication:
    """The application's data; `problems` say what must come first (an HS code on every line,
    the commercial invoice the certificate names)."""
    invoice = (
        Document.objects.filter(order=order, kind=Document.Kind.INVOICE)
        .order_by("-version")
        .first()
    )
    lines = list(order.lines.all())
    problems = []
    for index, line in enumerate(lines, start=1):
        if not line.hs_code:
            problems.append(
                _("Line %(n)s (%(description)s) has no HS code.")
                % {"n": index, "description": line.description}
            )
    if invoice is None:
        problems.append(_("Issue the commercial invoice first: the certificate names it."))
    producer = order.producer
    shipment = order.shipments.order_by("-shipped_on", "-pk").first()
    rate = order.exchange_rate
    fields = [
        (_("Exporter"), producer.name_latin or producer.name_hi),
        (_("Exporter's IEC"), producer.iec),
        (_("Producer"), producer.name_hi or producer.name_latin),
        (_("Importer (consignee)"), f"{order.buyer.name}, {order.buyer.address}".strip(", ")),
        (_("Country of destination"), country_name_en(order.buyer.country)),
        (_("Country of origin of the goods"), "India"),
        (_("Means of transport"), shipment.get_mode_display() if shipment else ""),
        (_("Number of packages"), str(order.packages)),
        (
            _("Gross weight (kg)"),
            f"{order.gross_weight_kg:.3f}" if order.gross_weight_kg is not None else "",
        ),
        (_("Value (FOB)"), f"{order.fob:.2f} {order.currency}"),
        (
            _("FOB value in rupees"),
            f"{(order.fob * rate).quantize(Decimal('0.01')):.2f}" if rate is not None else "",
        ),
        (
            _("Invoice number and date"),
            f"{invoice.number}, {invoice.created_at:%d.%m.%Y}" if invoice else "",
        ),
    ]
    rows = [
        {
            "n": index,
            "description": f"{line.quantity} × {line.description}",
            "hs6": line.hs_code[:6],
            "hs8": line.hs_code,
        }
        for index, line in enumerate(lines, start=1)
    ]
    return OriginApplication(problems, fields, rows, agreements_for(order.buyer.country))
