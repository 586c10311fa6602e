"""Who really exports: a district's exports direct (the producer's own shipments, FOB in rupees)
against those through merchant exporters (sales staff record), by destination country and by
producer, so the district sees how much goes through intermediaries and whom to help export
directly (seed 001)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet, Sum

from niryat.core.countries import country_name
from niryat.core.models import District
from niryat.exportdesk.models import (
    REALISATION_MONTHS,
    ExportOrder,
    MerchantSale,
    Shipment,
    add_months,
)
from niryat.registry.models import Producer


@dataclass
class ExportSplit:
    """Exports direct and through merchant exporters, in rupees."""

    label: str
    direct: Decimal = Decimal(0)
    via_merchants: Decimal = Decimal(0)
    merchants: set[str] = field(default_factory=set)

    @property
    def total(self) -> Decimal:
        return self.direct + self.via_merchants

    @property
    def merchant_share(self) -> int | None:
        """Percent of the total that went through merchant exporters."""
        return round(100 * self.via_merchants / self.total) if self.total else None


def _sorted(rows: dict[object, ExportSplit]) -> list[ExportSplit]:
    return sorted(rows.values(), key=lambda row: (-row.total, row.label))


def exports_by_country(district: District) -> list[ExportSplit]:
    return exports_by_country_in(District.objects.filter(pk=district.pk))


def exports_by_country_in(districts: QuerySet[District]) -> list[ExportSplit]:
    """Exports of `districts` together, direct against through merchant exporters, by country."""
    rows: dict[object, ExportSplit] = {}
    direct = (
        Shipment.objects.filter(order__district__in=districts)
        .values("order__buyer__country")
        .annotate(value=Sum("fob_inr"))
        .order_by()
    )
    for row in direct:
        code = row["order__buyer__country"]
        rows.setdefault(code, ExportSplit(country_name(code))).direct += row["value"]
    merchant = (
        MerchantSale.objects.filter(district__in=districts)
        .values("country")
        .annotate(value=Sum("value_inr"))
        .order_by()
    )
    for row in merchant:
        code = row["country"]
        rows.setdefault(code, ExportSplit(country_name(code))).via_merchants += row["value"]
    return _sorted(rows)


def exports_by_district(districts: QuerySet[District]) -> list[tuple[District, ExportSplit]]:
    """For the state: each district's exports direct against through merchant exporters, with
    the countries they went to; districts with no export are left out."""
    splits: dict[int, ExportSplit] = defaultdict(lambda: ExportSplit(""))
    countries: dict[int, set[str]] = defaultdict(set)
    direct = (
        Shipment.objects.filter(order__district__in=districts)
        .values("order__district", "order__buyer__country")
        .annotate(value=Sum("fob_inr"))
        .order_by()
    )
    for row in direct:
        splits[row["order__district"]].direct += row["value"]
        countries[row["order__district"]].add(row["order__buyer__country"])
    merchant = (
        MerchantSale.objects.filter(district__in=districts)
        .values("district", "country")
        .annotate(value=Sum("value_inr"))
        .order_by()
    )
    for row in merchant:
        splits[row["district"]].via_merchants += row["value"]
        countries[row["district"]].add(row["country"])
    by_pk = districts.in_bulk(list(splits))
    rows = []
    for pk, split in splits.items():
        if pk in by_pk:
            split.label = ", ".join(sorted(country_name(code) for code in countries[pk]))
            rows.append((by_pk[pk], split))
    return sorted(rows, key=lambda item: (-item[1].total, str(item[0])))


def exports_by_producer(district: District) -> list[tuple[Producer, ExportSplit]]:
    splits: dict[int, ExportSplit] = defaultdict(lambda: ExportSplit(""))
    direct = (
        Shipment.objects.filter(order__district=district)
        .values("order__producer")
        .annotate(value=Sum("fob_inr"))
        .order_by()
    )
    for row in direct:
        splits[row["order__producer"]].direct += row["value"]
    for sale in MerchantSale.objects.filter(district=district).select_related("merchant"):
        split = splits[sale.producer_id]
        split.via_merchants += sale.value_inr
        split.merchants.add(str(sale.merchant))
    producers = Producer.objects.active().in_bulk(list(splits))
    rows = [(producers[pk], split) for pk, split in splits.items() if pk in producers]
    return sorted(rows, key=lambda item: (-item[1].total, str(item[0])))


def overdue_realisations(orders: QuerySet[ExportOrder], today: datetime.date) -> list[Shipment]:
    """Shipments of `orders` whose payment is not realised after the RBI period, oldest first."""
    cutoff = add_months(today, -REALISATION_MONTHS)
    shipments = (
        Shipment.objects.filter(order__in=orders, realised_on__isnull=True, shipped_on__lte=cutoff)
        .select_related("order__producer", "order__buyer")
        .order_by("shipped_on", "pk")
    )
    return [shipment for shipment in shipments if shipment.realisation_overdue(today)]
