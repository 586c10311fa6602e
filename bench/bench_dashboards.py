"""The dashboards at state scale: the state and a district dashboard (`dashboards.build`, every
chart of the page from the summary rows), and the upkeep of those rows.

The generated state (producers and SKUs from bench/generate.py) gets an order book, export
shipments and merchant sales by bulk inserts: BENCH_DASH_ORDERS orders (default 10 M × scale,
spread over 75 districts and the last twelve months, 10 % cancelled), 200,000 × scale shipments
(each with its export order, to four countries) and as many merchant sales; then a full rebuild.

BENCH_DASH_SCALE (default: --scale) sets this benchmark's own scale. On PostgreSQL the rows are
made by the server (`INSERT ... SELECT` over `generate_series`, copying a template row so that
every column keeps its model default): the producers are first brought to 20,000 × that scale per
district by copying the generated ones (the generic generator builds each producer in Python,
about 20 minutes for the whole state on two cores), each producer gets a stage change (for the
export plan's figures), then the orders, export orders, shipments and merchant sales. So
`BENCH_DASH_SCALE=1 python -m bench --only dashboards` measures the whole state (1.5 M producers,
10 M orders, 200,000 shipments) in well under half an hour. SQLite keeps the Python path.

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
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Model

from bench.generate import scaled
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
from niryat.insights.summaries import DASHBOARD_MEASURES, SNAPSHOT_MEASURES, next_month
from niryat.registry.models import Producer, StageChange

DESIGN_PRODUCERS = 20_000  # per district, as bench/generate.py's ProducerMix
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


def _say(message: str) -> None:
    print(f"bench_dashboards: {message}", file=sys.stderr, flush=True)


def _copy_rows(
    template: Model, n: int, overrides: dict[str, str], params: dict[str, object]
) -> None:
    """`n` copies of `template`'s row made by PostgreSQL, `g` running from 0 to n - 1: each column
    as the template has it, but `overrides` (column: SQL expression of g, with named `params`);
    unique UUIDs are drawn afresh and unique links left empty."""
    model = type(template)
    qn = connection.ops.quote_name
    columns, values = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(qn(f.column))
        if f.column in overrides:
            values.append(overrides[f.column])
        elif f.unique:
            values.append("gen_random_uuid()" if f.get_internal_type() == "UUIDField" else "NULL")
        else:
            values.append(f"t.{qn(f.column)}")
    table = qn(model._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {table} t, "  # noqa: S608 - names from the models, values as parameters
        f"generate_series(0, %(last)s) g WHERE t.{qn(model._meta.pk.column)} = %(template)s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "last": n - 1, "template": template.pk})


@contextmanager
def _indexes_built_after(*models: type[Model]) -> Iterator[None]:
    """Bulk inserts into `models`' tables with their plain indexes dropped, then built again
    (PostgreSQL sorts once, where inserting keeps every index, a trigram one among them, up to
    date row by row); the indexes behind constraints stay."""
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema() "
            "AND tablename = ANY(%(tables)s) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            {"tables": tables},
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")
        _say(f"{len(indexes)} indexes built again on {', '.join(tables)}")


def _numbered_producers() -> list[int]:
    """A temporary table of each district's producers numbered 0, 1, ... (rn), for the copies to
    pick from. Returns the producers per district, in the order of the districts' ids."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_producers")
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_producers AS SELECT id, district_id, "
            "row_number() OVER (PARTITION BY district_id ORDER BY id) - 1 AS rn "
            "FROM registry_producer"
        )
        cursor.execute("CREATE INDEX ON bench_producers (district_id, rn)")
        cursor.execute("ANALYZE bench_producers")
    counts = dict(Producer.objects.values_list("district_id").annotate(n=Count("id")).order_by())
    return [counts[d] for d in sorted(counts)]


def _pick_producer(number: str, districts: int) -> str:
    """SQL: the producer of order `number`'s district (the districts taken in turn), its
    producers taken in turn."""
    district = f"({number} %% {districts})"
    return (
        "(SELECT b.id FROM bench_producers b "  # noqa: S608 - numbers from the code, values as parameters
        f"WHERE b.district_id = (%(districts)s::bigint[])[{district} + 1] "
        f"AND b.rn = ({number} / {districts}) %% (%(counts)s::bigint[])[{district} + 1])"
    )


def _more_producers(per_district: int) -> int:
    """Bring every district to `per_district` producers by copying its generated ones (names,
    stages and ODOP products as generated; new UUIDs; no sign-in). Returns how many were made."""
    _numbered_producers()
    qn = connection.ops.quote_name
    columns, values = [], []
    for f in Producer._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(qn(f.column))
        if f.column == "uuid":
            values.append("gen_random_uuid()")
        elif f.column == "user_id":
            values.append("NULL")
        else:
            values.append(f"p.{qn(f.column)}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO registry_producer ({', '.join(columns)}) "  # noqa: S608 - names from the model
            f"SELECT {', '.join(values)} FROM "
            "(SELECT district_id, count(*) AS n FROM bench_producers GROUP BY district_id) d "
            "CROSS JOIN LATERAL generate_series(0, %(target)s - d.n - 1) g "
            "JOIN bench_producers b ON b.district_id = d.district_id AND b.rn = g %% d.n "
            "JOIN registry_producer p ON p.id = b.id",
            {"target": per_district},
        )
        return max(cursor.rowcount, 0)


def _stage_histories() -> int:
    """One stage change per producer, to its stage, at a time in the last two years."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_stagechange "
            "(producer_id, from_stage, to_stage, reason, reason_hi, changed_by_id, created_at) "
            "SELECT id, '', stage, 'bench', 'bench', NULL, "
            "now() - ((id::bigint * 7919) %% %(minutes)s) * interval '1 minute' "
            "FROM registry_producer",
            {"minutes": 2 * 365 * 24 * 60},
        )
        return cursor.rowcount


def _orders_sql(
    n: int, accounts: dict[int, list[ChannelAccount]], prefix: str, *, today: bool
) -> None:
    """`n` orders as `_orders` makes them, by PostgreSQL, a million at a time."""
    district_ids = sorted(accounts)
    counts = _numbered_producers()
    template = Order.objects.create(
        district_id=district_ids[0],
        account=accounts[district_ids[0]][0],
        channel_order_id=f"{prefix}-template",
        state=Order.State.DELIVERED,
        ordered_at=dt.datetime.now(INDIA),
        total=Decimal(950),
        total_inr=Decimal(950),
    )
    params: dict[str, object] = {
        "districts": district_ids,
        "counts": counts,
        "accounts": [a.pk for d in district_ids for a in accounts[d]],
    }
    step = 1_000_000
    for start in range(0, n, step):
        number = f"(g + {start})"  # the order's number
        district = f"({number} %% {len(district_ids)})"
        channels = len(CHANNELS)
        when = "now()"
        if not today:
            when = f"now() - (({number}::bigint * 7919) %% 525600) * interval '1 minute'"
        with transaction.atomic():
            _copy_rows(
                template,
                min(step, n - start),
                {
                    "district_id": f"(%(districts)s::bigint[])[{district} + 1]",
                    "account_id": (
                        f"(%(accounts)s::bigint[])[{district} * {channels} + {number} %% "
                        f"{channels} + 1]"
                    ),
                    "producer_id": _pick_producer(number, len(district_ids)),
                    "channel_order_id": f"'{prefix}-' || {number}",
                    "state": f"CASE WHEN {number} %% 10 = 0 THEN 'cancelled' ELSE 'delivered' END",
                    "ordered_at": when,
                },
                params,
            )
        _say(f"{min(n, start + step):,} orders ({prefix})")
    template.delete()


def _exports_sql(n: int, district_ids: list[int]) -> None:
    """`n` export orders with a shipment each, and `n` merchant sales, as `_exports` makes them,
    by PostgreSQL."""
    counts = _numbered_producers()
    buyers = [
        ForeignBuyer(district_id=d, name=f"Buyer {c}", country=c)
        for d in district_ids
        for c in COUNTRIES
    ]
    ForeignBuyer.objects.bulk_create(buyers)
    merchants = [MerchantExporter(district_id=d, name="M", iec="AAACP1234C") for d in district_ids]
    MerchantExporter.objects.bulk_create(merchants)
    first = Producer.objects.filter(district_id=district_ids[0]).order_by("pk").first()
    today = dt.datetime.now(INDIA).date()
    district = f"(g %% {len(district_ids)})"
    params: dict[str, object] = {
        "districts": district_ids,
        "counts": counts,
        "buyers": [b.pk for b in buyers],
        "merchants": [m.pk for m in merchants],
        "countries": list(COUNTRIES),
        "today": today,
    }
    days_ago = "((g::bigint * 7919) %% 365)::int"
    with transaction.atomic():
        order = ExportOrder.objects.create(
            district_id=district_ids[0],
            producer=first,
            buyer=buyers[0],
            incoterm="FOB",
            currency="USD",
            exchange_rate=Decimal("83.25"),
        )
        _copy_rows(
            order,
            n,
            {
                "district_id": f"(%(districts)s::bigint[])[{district} + 1]",
                "producer_id": _pick_producer("g", len(district_ids)),
                "buyer_id": f"(%(buyers)s::bigint[])[{district} * 4 + g %% 4 + 1]",
            },
            params,
        )
        # One insert numbers its rows in a row: the copies are the n ids after the template's.
        copies = ExportOrder.objects.filter(pk__gt=order.pk)
        if list(copies.aggregate(a=Min("pk"), b=Max("pk")).values()) != [
            order.pk + 1,
            order.pk + n,
        ]:
            raise AssertionError("the export orders' ids are not consecutive")
        shipment = Shipment.objects.create(
            order=order, shipped_on=today, mode="courier", fob_inr=Decimal(20000)
        )
        _copy_rows(
            shipment,
            n,
            {"order_id": "%(first)s + g", "shipped_on": f"%(today)s::date - {days_ago}"},
            {**params, "first": order.pk + 1},
        )
        sale = MerchantSale.objects.create(
            district_id=district_ids[0],
            producer=first,
            merchant=merchants[0],
            country=COUNTRIES[0],
            sold_on=today,
            value_inr=Decimal(50000),
        )
        _copy_rows(
            sale,
            n,
            {
                "district_id": f"(%(districts)s::bigint[])[{district} + 1]",
                "producer_id": _pick_producer("g", len(district_ids)),
                "merchant_id": f"(%(merchants)s::bigint[])[{district} + 1]",
                "country": "(%(countries)s::text[])[(g + 1) %% 4 + 1]",
                "sold_on": f"%(today)s::date - {days_ago}",
            },
            params,
        )
        shipment.delete()
        sale.delete()
        order.delete()


def _analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def run(scale: float) -> list[Result]:
    scale = float(os.environ.get("BENCH_DASH_SCALE") or scale)
    on_postgresql = connection.vendor == "postgresql"
    began = time.perf_counter()
    made = histories = 0
    if on_postgresql:
        with _indexes_built_after(Producer, StageChange):
            made = _more_producers(scaled(DESIGN_PRODUCERS, scale))
            _say(f"{made:,} producers copied")
            histories = _stage_histories()
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
    if on_postgresql:
        with _indexes_built_after(Order):
            _orders_sql(n_orders, accounts, "B", today=False)
        _exports_sql(n_exports, sorted(producers))
    else:
        _orders(n_orders, accounts, producers, today=False)
        _exports(n_exports, producers)
    _analyze()
    made_in = time.perf_counter() - began
    _say(f"records made in {made_in:.0f} s; the first full rebuild")
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
    dashboard_measures = [*SNAPSHOT_MEASURES, *DASHBOARD_MEASURES]

    def rows_alone(district_id: int | None) -> None:
        rows = SummaryRow.objects.filter(month__isnull=True) | SummaryRow.objects.filter(
            month__gte=first, month__lt=after
        )
        rows = rows.filter(measure__in=dashboard_measures)
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
        if on_postgresql:
            _orders_sql(n_day, accounts, f"D{day['n']}", today=True)
        else:
            _orders(n_day, accounts, producers, today=True, prefix=f"D{day['n']}")

    changes = timeit(do_refresh_summaries, repeat=3, warmup=0, setup=a_day)

    _say("the day's changes timed; the full rebuild against the raw rows")

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
            note=(
                f"first rebuild wrote {full_run.rows:,} rows; state viewer present: {bool(staff)}; "
                f"records made in {made_in:.0f} s"
                + (
                    f" by PostgreSQL ({made:,} producers copied, {histories:,} stage changes)"
                    if on_postgresql
                    else ""
                )
            ),
        ),
    ]
