"""A year of Gorakhpur's records for the export plan's actuals, made through the apps' own actions
where they exist (registry, export desk); orders are written as the order book stores them.

Dates are relative to the current financial year, so the numbers hold whatever day the tests
run: "April" is the first month of the current year (always past), "now" is today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from niryat.channels.models import ChannelAccount, Order, OrderLine
from niryat.core.dates import INDIA
from niryat.core.models import District, OdopProduct, User
from niryat.exportdesk.actions import (
    LineInput,
    do_create_export_order,
    do_record_merchant_sale,
    do_record_shipment,
)
from niryat.insights.plans import current_financial_year, parse_financial_year
from niryat.registry.actions import do_advance_stage, do_move_stage
from niryat.registry.models import Producer, Stage, StageChange
from tests.registry.factories import register


@dataclass
class Seeded:
    start_year: int
    april: dt.date
    today: dt.date
    terracotta: OdopProduct
    garments: OdopProduct
    producers: list[Producer]

    @property
    def this_month(self) -> int:
        """Index of today's month in the year (0 is April)."""
        return (self.today.month - 4) % 12


def _backdate(producer: Producer, when: dt.datetime) -> None:
    StageChange.objects.filter(producer=producer).update(created_at=when)


def seed_year(district: District, staff: User) -> Seeded:
    """In the current financial year, for Gorakhpur:
    - onboarded: 3 in April (2 terracotta, 1 readymade garments), 1 now (terracotta); a fifth
      producer was registered in March of the year before, so is not onboarded this year;
    - listed: the fifth producer in April (terracotta), one April producer now (terracotta);
    - order book: in April a delivered order of 2 pieces for ₹1,900 (terracotta) and a cancelled
      one (not counted);
    - exports: a shipment to the USA now (10 × $25 at ₹83.25 = ₹20,812.50, terracotta) and a sale
      to a merchant exporter for Germany in April (₹50,000, readymade garments).
    """
    start_year = parse_financial_year(current_financial_year())
    april = dt.date(start_year, 4, 1)
    today = timezone.localdate()
    in_april = dt.datetime(start_year, 4, 10, 11, 0, tzinfo=INDIA)
    terracotta = OdopProduct.objects.get(district=district, name_en="Terracotta")
    garments = OdopProduct.objects.get(district=district, name_en="Readymade garments")

    def registered(name: str, mobile: str, product: OdopProduct) -> Producer:
        return register(
            district, staff, name_hi=name, odop_product=product, mobile=mobile, stage="registered"
        )

    ramu = registered("रामू प्रजापति", "+919839000001", terracotta)
    sita = registered("सीता देवी", "+919839000002", terracotta)
    kamla = registered("कमला सिलाई", "+919839000003", garments)
    for producer in (ramu, sita, kamla):
        _backdate(producer, in_april)
    mohan = registered("मोहन कुम्हार", "+919839000004", terracotta)  # now
    old = registered("पुराना कारीगर", "+919839000005", terracotta)
    _backdate(old, dt.datetime(start_year, 3, 20, 11, 0, tzinfo=INDIA))
    do_advance_stage(old, Stage.LISTED, cause=lambda: "First live listing")
    StageChange.objects.filter(producer=old, to_stage=Stage.LISTED).update(created_at=in_april)
    do_advance_stage(sita, Stage.LISTED, cause=lambda: "First live listing")  # now
    # A stage moved back and forward again counts once, when first reached (April's registering).
    do_move_stage(kamla, Stage.CONTACTED, reason="Entered by mistake", acting_user=staff)
    do_move_stage(kamla, Stage.REGISTERED, reason="Papers checked", acting_user=staff)

    account = ChannelAccount.objects.create(district=district, channel="files", name="Centre files")
    delivered = Order.objects.create(
        district=district,
        account=account,
        producer=ramu,
        channel_order_id="GKP-1",
        state=Order.State.DELIVERED,
        ordered_at=in_april,
        total=Decimal("1900.00"),
        total_inr=Decimal("1900.00"),
    )
    OrderLine.objects.create(
        order=delivered, seller_sku="TC-HORSE", quantity=2, unit_price=Decimal("950.00")
    )
    cancelled = Order.objects.create(
        district=district,
        account=account,
        producer=ramu,
        channel_order_id="GKP-2",
        state=Order.State.CANCELLED,
        ordered_at=in_april,
        total=Decimal("950.00"),
        total_inr=Decimal("950.00"),
    )
    OrderLine.objects.create(
        order=cancelled, seller_sku="TC-HORSE", quantity=1, unit_price=Decimal("950.00")
    )

    order = do_create_export_order(
        mohan,
        buyer={"name": "Hudson Home Goods", "country": "US"},
        order={
            "incoterm": "FOB",
            "currency": "USD",
            "exchange_rate": Decimal("83.2500"),
            "igst_paid": True,
        },
        lines=[LineInput("Terracotta horse, 30 cm", "69139000", 10, Decimal("25.00"))],
        acting_user=staff,
    )
    do_record_shipment(
        order, shipped_on=today, mode="courier", tracking_number="DHL1", acting_user=staff
    )
    do_record_merchant_sale(
        kamla,
        merchant_name="Purvanchal Exports",
        merchant_iec="AAACP1234C",
        country="DE",
        sold_on=dt.date(start_year, 4, 20) if today >= dt.date(start_year, 4, 20) else april,
        value_inr=Decimal("50000"),
        acting_user=staff,
    )
    return Seeded(start_year, april, today, terracotta, garments, [ramu, sita, kamla, mohan, old])
