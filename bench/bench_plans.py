"""What the district export plan's "targets against actuals" costs for one district and year:
`plans.progress(plan)` (every measure, month by month, by product and market, from the summary
rows the dashboards read, insights/summaries.py), against the baseline of reading those summary
rows alone, ungrouped, in the same run, as bench/bench_dashboards.py measures the dashboards:
above 1, the targets, labels and the page's arithmetic cost more than fetching the rows would.
The raw records the summaries are computed from are read once too, for the scale of what the
page no longer reads.

The first generated district gets a year of records: each of its producers a stage history
(registered, and a share listed, sold, exporting, spread over the months), and
BENCH_PLAN_ORDERS orders (default: 133,000 × scale, the design's 10 M orders a year over 75
districts), with a few hundred export shipments and merchant sales; then the summaries are
rebuilt, as the background task would.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from decimal import Decimal

from django.db.models import Q

from bench.harness import Result, compare, queries, timeit
from niryat.channels.models import ChannelAccount, Order, OrderLine
from niryat.core.dates import INDIA
from niryat.core.models import District, Role, User
from niryat.exportdesk.models import (
    ExportOrder,
    ForeignBuyer,
    MerchantExporter,
    MerchantSale,
    Shipment,
)
from niryat.insights.actions import do_refresh_summaries
from niryat.insights.models import ExportPlan, Measure, PlanTarget, SummaryRow
from niryat.insights.plans import progress, year_months
from niryat.insights.summaries import PLAN_MEASURES, next_month
from niryat.registry.models import Producer, Stage, StageChange

DESIGN_ORDERS_PER_DISTRICT = 133_000
START_YEAR = 2026
TODAY = dt.date(2027, 3, 31)  # the whole year shown


def _when(rng: random.Random) -> dt.datetime:
    day = dt.date(START_YEAR, 4, 1) + dt.timedelta(days=rng.randrange(365))
    return dt.datetime(day.year, day.month, day.day, rng.randrange(24), tzinfo=INDIA)


def year_of_records(district: District, n_orders: int) -> int:
    rng = random.Random(15)
    producers = list(
        Producer.objects.filter(district=district).values_list("pk", "odop_product_id")
    )
    changes = []
    for pk, _odop in producers:
        changes.append(StageChange(producer_id=pk, to_stage=Stage.REGISTERED))
        for stage, share in ((Stage.LISTED, 0.4), (Stage.SOLD, 0.2), (Stage.EXPORTING, 0.05)):
            if rng.random() < share:
                changes.append(StageChange(producer_id=pk, to_stage=stage))
    StageChange.objects.bulk_create(changes, batch_size=2000)
    # auto_now_add stamped them now: spread them over the year.
    for change in StageChange.objects.filter(producer__district=district).only("pk"):
        change.created_at = _when(rng)
    StageChange.objects.bulk_update(
        list(StageChange.objects.filter(producer__district=district)), ["created_at"], 2000
    )
    account = ChannelAccount.objects.create(district=district, channel="files", name="bench")
    orders = [
        Order(
            district=district,
            account=account,
            producer_id=producers[i % len(producers)][0],
            channel_order_id=f"B{i}",
            state=Order.State.DELIVERED if i % 10 else Order.State.CANCELLED,
            ordered_at=_when(rng),
            total=Decimal(950),
            total_inr=Decimal(950),
        )
        for i in range(n_orders)
    ]
    Order.objects.bulk_create(orders, batch_size=2000)
    OrderLine.objects.bulk_create(
        [
            OrderLine(order=o, seller_sku="S", quantity=1 + o.pk % 3, unit_price=Decimal(950))
            for o in Order.objects.filter(account=account).only("pk")
        ],
        batch_size=2000,
    )
    staff = User.objects.filter(role=Role.CENTRE_STAFF, district=district).first()
    buyers = [
        ForeignBuyer.objects.create(district=district, name=f"Buyer {c}", country=c)
        for c in ("US", "DE", "GB", "AE")
    ]
    # The dashboards bench, run before this one, may have given the district this merchant.
    merchant, _ = MerchantExporter.objects.get_or_create(
        district=district, iec="AAACP1234C", defaults={"name": "M"}
    )
    for i in range(300):
        producer_id = producers[i % len(producers)][0]
        order = ExportOrder.objects.create(
            district=district,
            producer_id=producer_id,
            buyer=buyers[i % 4],
            incoterm="FOB",
            currency="USD",
            exchange_rate=Decimal("83.25"),
            created_by=staff,
        )
        Shipment.objects.create(
            order=order, shipped_on=_when(rng).date(), mode="courier", fob_inr=Decimal(20000)
        )
        MerchantSale.objects.create(
            district=district,
            producer_id=producer_id,
            merchant=merchant,
            country=buyers[(i + 1) % 4].country,
            sold_on=_when(rng).date(),
            value_inr=Decimal(50000),
        )
    return len(changes)


def run(scale: float) -> list[Result]:
    district = (
        District.objects.filter(pk__in=Producer.objects.values("district"))
        .order_by("lgd_code")
        .first()
    )
    if district is None:
        raise AssertionError("no producers in the generated data")
    n_orders = int(
        os.environ.get("BENCH_PLAN_ORDERS") or max(1000, round(DESIGN_ORDERS_PER_DISTRICT * scale))
    )
    n_changes = year_of_records(district, n_orders)
    plan = ExportPlan.objects.create(district=district, financial_year=f"{START_YEAR}-27")
    for measure in Measure:
        PlanTarget.objects.create(plan=plan, measure=measure, value=Decimal(100))
    do_refresh_summaries(full=True)
    months = year_months(START_YEAR)
    start = dt.datetime(START_YEAR, 4, 1, tzinfo=INDIA)
    end = dt.datetime(START_YEAR + 1, 4, 1, tzinfo=INDIA)

    def page() -> None:
        progress(plan, TODAY)

    def summary_rows() -> None:
        list(
            SummaryRow.objects.filter(
                district=district,
                measure__in=PLAN_MEASURES,
                month__gte=months[0],
                month__lt=next_month(months[-1]),
            ).values_list("measure", "month", "key", "value")
        )

    def raw_rows() -> None:
        list(
            StageChange.objects.filter(producer__district=district).values_list(
                "producer_id", "to_stage", "created_at"
            )
        )
        year = Q(ordered_at__gte=start, ordered_at__lt=end)
        list(Order.objects.filter(year, district=district).values_list("pk", "total_inr"))
        list(
            OrderLine.objects.filter(order__district=district)
            .filter(order__ordered_at__gte=start, order__ordered_at__lt=end)
            .values_list("order_id", "quantity")
        )
        list(Shipment.objects.filter(order__district=district).values_list("fob_inr", "shipped_on"))
        list(MerchantSale.objects.filter(district=district).values_list("value_inr", "sold_on"))

    ours, bare = compare(page, summary_rows, repeat=30, warmup=2)
    raw = timeit(raw_rows, repeat=3, warmup=0)
    producers = Producer.objects.filter(district=district).count()
    size = (
        f"1 district · {producers:,} producers · {n_changes:,} stage changes · "
        f"{n_orders:,} orders · 300 shipments · 300 merchant sales"
    )
    return [
        Result(
            "plan: targets against actuals, month by month",
            size,
            ours,
            bare,
            "the summary rows the page uses read alone (one query, ungrouped)",
            note=(
                f"{queries(page)} queries per page's progress table; reading the year's raw "
                f"records instead (5 queries, ungrouped): {raw}"
            ),
        )
    ]
