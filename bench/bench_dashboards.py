"""The dashboards at state scale: the state and a district dashboard (`dashboards.build`, every
chart of the page from the summary rows), and the upkeep of those rows.

The generated state (producers and SKUs from bench/generate.py) gets an order book, export
shipments and merchant sales by bulk inserts: BENCH_DASH_ORDERS orders (default 10 M × scale,
spread over 75 districts and the last twelve months, 10 % cancelled), 200,000 × scale shipments
(each with its export order, to four countries) and as many merchant sales; then a full rebuild.

Measured, each against a baseline in the same run:
- the state dashboard and the first district's: p95 (target ≤ 200 ms), against reading the
  summary rows they use alone (the same rows, ungrouped, no labels, no charts);
- a day's changes (BENCH_DASH_DAY orders, default 50,000, placed today across the state) brought
  into the summaries, against the full rebuild;
- the full rebuild, against reading the raw rows it sums once, ungrouped.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from decimal import Decimal

from django.db import connection

from bench.harness import Result, Target, compare, queries, timeit
from niryat.channels.models import ChannelAccount, Order
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
from niryat.insights.dashboards import build, shown_months
from niryat.insights.models import SummaryRow
from niryat.insights.summaries import next_month
from niryat.registry.models import Producer

DESIGN_ORDERS = 10_000_000
DESIGN_SHIPMENTS = 200_000
DAY_ORDERS = 50_000
BATCH = 10_000
COUNTRIES = ("US", "DE", "GB", "AE")
CHANNELS = ("amazon", "flipkart", "ondc", "files")


def _producers() -> dict[int, list[int]]:
    by_district: dict[int, list[int]] = {}
    for pk, district in Producer.objects.values_list("pk", "district_id"):
        by_district.setdefault(district, []).append(pk)
    return by_district


def _orders(
    n: int,
    accounts: dict[int, list[ChannelAccount]],
    producers: dict[int, list[int]],
    *,
    today: bool,
    prefix: str = "B",
) -> None:
    rng = random.Random(n)
    districts = list(producers)
    now = dt.datetime.now(INDIA)
    made: list[Order] = []
    for i in range(n):
        district = districts[i % len(districts)]
        when = (
            now if today else now - dt.timedelta(days=rng.randrange(365), hours=rng.randrange(24))
        )
        made.append(
            Order(
                district_id=district,
                account=accounts[district][i % len(CHANNELS)],
                producer_id=producers[district][i % len(producers[district])],
                channel_order_id=f"{prefix}-{i}",
                state=Order.State.CANCELLED if i % 10 == 0 else Order.State.DELIVERED,
                ordered_at=when,
                total=Decimal(950),
                total_inr=Decimal(950),
            )
        )
        if len(made) == BATCH:
            Order.objects.bulk_create(made)
            made = []
    Order.objects.bulk_create(made)


def _exports(n: int, producers: dict[int, list[int]]) -> None:
    rng = random.Random(7)
    today = dt.datetime.now(INDIA).date()
    buyers = {
        d: [ForeignBuyer(district_id=d, name=f"Buyer {c}", country=c) for c in COUNTRIES]
        for d in producers
    }
    ForeignBuyer.objects.bulk_create([b for bs in buyers.values() for b in bs])
    merchants = {d: MerchantExporter(district_id=d, name="M", iec="AAACP1234C") for d in producers}
    MerchantExporter.objects.bulk_create(list(merchants.values()))
    districts = list(producers)
    for start in range(0, n, BATCH):
        orders, sales = [], []
        for i in range(start, min(n, start + BATCH)):
            district = districts[i % len(districts)]
            producer = producers[district][i % len(producers[district])]
            orders.append(
                ExportOrder(
                    district_id=district,
                    producer_id=producer,
                    buyer=buyers[district][i % 4],
                    incoterm="FOB",
                    currency="USD",
                    exchange_rate=Decimal("83.25"),
                )
            )
            sales.append(
                MerchantSale(
                    district_id=district,
                    producer_id=producer,
                    merchant=merchants[district],
                    country=COUNTRIES[(i + 1) % 4],
                    sold_on=today - dt.timedelta(days=rng.randrange(365)),
                    value_inr=Decimal(50000),
                )
            )
        ExportOrder.objects.bulk_create(orders)
        Shipment.objects.bulk_create(
            [
                Shipment(
                    order=o,
                    shipped_on=today - dt.timedelta(days=rng.randrange(365)),
                    mode="courier",
                    fob_inr=Decimal(20000),
                )
                for o in orders
            ]
        )
        MerchantSale.objects.bulk_create(sales)


def _analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def run(scale: float) -> list[Result]:
    producers = _producers()
    if not producers:
        raise AssertionError("no producers in the generated data")
    n_orders = int(os.environ.get("BENCH_DASH_ORDERS") or max(1000, round(DESIGN_ORDERS * scale)))
    n_exports = max(100, round(DESIGN_SHIPMENTS * scale))
    n_day = int(os.environ.get("BENCH_DASH_DAY") or DAY_ORDERS)
    accounts = {
        d: [
            ChannelAccount.objects.create(district_id=d, channel=c, name=f"bench {c}")
            for c in CHANNELS
        ]
        for d in producers
    }
    _orders(n_orders, accounts, producers, today=False)
    _exports(n_exports, producers)
    _analyze()
    full_run = do_refresh_summaries(full=True)
    _analyze()
    district = District.objects.get(
        pk=min(producers, key=lambda d: District.objects.get(pk=d).lgd_code)
    )
    months = shown_months()
    first, after = months[0], next_month(months[-1])
    size = (
        f"{len(producers)} districts · {sum(map(len, producers.values())):,} producers · "
        f"{n_orders:,} orders · {n_exports:,} shipments · {n_exports:,} merchant sales · "
        f"{SummaryRow.objects.count():,} summary rows"
    )

    def rows_alone(district_id: int | None) -> None:
        rows = SummaryRow.objects.filter(month__isnull=True) | SummaryRow.objects.filter(
            month__gte=first, month__lt=after
        )
        if district_id is not None:
            rows = rows.filter(district_id=district_id)
        list(rows.values_list("district_id", "month", "measure", "key", "value"))

    state_page, state_rows = compare(lambda: build(None), lambda: rows_alone(None), repeat=60)
    district_page, district_rows = compare(
        lambda: build(district), lambda: rows_alone(district.pk), repeat=60
    )

    day = {"n": 0}

    def a_day() -> None:
        day["n"] += 1
        _orders(n_day, accounts, producers, today=True, prefix=f"D{day['n']}")

    changes = timeit(do_refresh_summaries, repeat=3, warmup=0, setup=a_day)

    def full() -> None:
        do_refresh_summaries(full=True)

    def raw() -> None:
        list(Order.objects.values_list("district_id", "ordered_at", "state", "total_inr"))
        list(Shipment.objects.values_list("order__district_id", "shipped_on", "fob_inr"))
        list(MerchantSale.objects.values_list("district_id", "sold_on", "value_inr"))
        list(Producer.objects.values_list("district_id", "stage"))

    rebuild, raw_read = compare(full, raw, repeat=3, warmup=0)
    staff = User.objects.filter(role=Role.STATE_VIEWER).first()
    return [
        Result(
            "dashboards: the state dashboard (all charts, 75 districts' funnels and exports)",
            size,
            state_page,
            state_rows,
            "the summary rows the page uses read alone (one query, ungrouped)",
            Target("p95_ms", 200),
            note=f"{queries(lambda: build(None))} queries",
        ),
        Result(
            f"dashboards: a district dashboard ({district.name_en})",
            size,
            district_page,
            district_rows,
            "the summary rows the page uses read alone (one query, ungrouped)",
            Target("p95_ms", 200),
            note=f"{queries(lambda: build(district))} queries",
        ),
        Result(
            f"dashboards: a day's changes ({n_day:,} orders today) into the summaries",
            size,
            changes,
            rebuild,
            "the full rebuild, same run",
        ),
        Result(
            "dashboards: full rebuild of the summaries",
            size,
            rebuild,
            raw_read,
            "the raw rows it sums read once, ungrouped",
            note=f"first rebuild wrote {full_run.rows:,} rows; state viewer present: {bool(staff)}",
        ),
    ]
