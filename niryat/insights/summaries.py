"""The dashboards' summary tables: per district × month × measure (× channel, country, ODOP
product or stage) totals, computed from the records that prove them and kept current by
background tasks (insights/tasks.py), so that a state dashboard reads a few thousand rows however
many orders the state has.

Two ways to bring them up to date, both written by `actions.do_refresh_summaries`:
- the day's changes: the (district, month) cells touched by the orders, shipments, merchant
  sales and check-ins changed since the last run, and the current counts (funnel, listings) of
  the districts whose producers or listings changed, are computed again; nothing else is read;
- a full rebuild: every cell, from every record (also what a deleted record leaves behind).

Measures, as the registry, events, channels and export desk record them:
- `stage`: producers by their current funnel stage (no month: the count as it stands);
- `listings`: listings by marketplace and state, key "channel:state" (no month);
- `trained`: producers checked in at a training session in the month (each once a month);
- `orders`, `sales`: orders placed in the month (India's months) by marketplace and their value
  in rupees, without cancelled and returned orders (as the export plan counts them);
- `export_direct`: export desk shipments' FOB value in rupees by the month shipped and the
  buyer's country (ISO alpha-2); `export_merchant`: sales to merchant exporters by the month sold
  and the destination; `export_product`: both together by the producer's ODOP product.

And the district export plan's actuals (insights/plans.py reads them, the dashboards do not):
- `reached`: producers whose stage history first reaches a funnel stage, or one beyond it, in the
  month, key "measure:ODOP product" (measure: onboarded, listed, sold, exporting);
- `pieces`: pieces ordered in the month by the producer's ODOP product, and `sales_product`: the
  orders' value by ODOP product (orders without one count only in `sales`), both without
  cancelled and returned orders;
- `export_market`: direct and merchant exports together, key "ODOP product:country".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Count, DateField, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from niryat.channels.models import Listing, Order, OrderLine
from niryat.core.dates import INDIA
from niryat.events.models import Attendance
from niryat.exportdesk.models import MerchantSale, Shipment
from niryat.insights.models import Measure, SummaryRow
from niryat.registry.models import STAGE_ORDER, Producer, Stage, StageChange

STAGE = "stage"
LISTINGS = "listings"
TRAINED = "trained"
ORDERS = "orders"
SALES = "sales"
EXPORT_DIRECT = "export_direct"
EXPORT_MERCHANT = "export_merchant"
EXPORT_PRODUCT = "export_product"
REACHED = "reached"
PIECES = "pieces"
SALES_PRODUCT = "sales_product"
EXPORT_MARKET = "export_market"
SNAPSHOT_MEASURES = (STAGE, LISTINGS)
DASHBOARD_MEASURES = (TRAINED, ORDERS, SALES, EXPORT_DIRECT, EXPORT_MERCHANT, EXPORT_PRODUCT)
PLAN_MEASURES = (REACHED, PIECES, SALES, SALES_PRODUCT, EXPORT_MARKET)
MONTHLY_MEASURES = (*DASHBOARD_MEASURES, REACHED, PIECES, SALES_PRODUCT, EXPORT_MARKET)
NOT_SALES = (Order.State.CANCELLED, Order.State.RETURNED)
# The stage whose first reaching counts for each producer measure of the export plan.
STAGE_OF = {
    Measure.ONBOARDED: Stage.REGISTERED,
    Measure.LISTED: Stage.LISTED,
    Measure.SOLD: Stage.SOLD,
    Measure.EXPORTING: Stage.EXPORTING,
}
BATCH = 5000

Cell = tuple[int, dt.date | None, str, str]  # district, month, measure, key


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def product_key(product: int | None) -> str:
    return "" if product is None else str(product)


def _month(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.astimezone(INDIA)
    return dt.date(value.year, value.month, 1)


def _scoped(
    records: QuerySet[Any],
    district: str,
    when: str | None,
    districts: Iterable[int] | None,
    months: tuple[dt.date, dt.date] | None,
    *,
    aware: bool,
) -> QuerySet[Any]:
    if districts is not None:
        records = records.filter(**{f"{district}__in": list(districts)})
    if months is not None and when is not None:
        low: dt.date | dt.datetime = months[0]
        high: dt.date | dt.datetime = months[1]
        if aware:
            low = dt.datetime(months[0].year, months[0].month, 1, tzinfo=INDIA)
            high = dt.datetime(months[1].year, months[1].month, 1, tzinfo=INDIA)
        records = records.filter(**{f"{when}__gte": low, f"{when}__lt": high})
    return records


def _by_month(when: str, *, aware: bool) -> TruncMonth:
    if aware:
        return TruncMonth(when, tzinfo=INDIA, output_field=DateField())
    return TruncMonth(when)


def monthly_cells(
    districts: Iterable[int] | None, months: tuple[dt.date, dt.date] | None
) -> Iterator[tuple[Cell, Decimal]]:
    """The monthly measures of `districts` (all when None) over `months` [first, after last)."""
    districts = None if districts is None else list(districts)
    orders = _scoped(
        Order.objects.exclude(state__in=NOT_SALES),
        "district_id",
        "ordered_at",
        districts,
        months,
        aware=True,
    )
    # One scan for both: by marketplace (the dashboards) and by ODOP product (the plan).
    for row in (
        orders.annotate(m=_by_month("ordered_at", aware=True))
        .values("district_id", "m", "account__channel", "producer__odop_product_id")
        .annotate(n=Count("id"), v=Sum("total_inr"))
        .order_by()
    ):
        channel = row["account__channel"] or ""
        district, month, value = row["district_id"], _month(row["m"]), row["v"] or Decimal(0)
        yield (district, month, ORDERS, channel), Decimal(row["n"])
        yield (district, month, SALES, channel), value
        if row["producer__odop_product_id"] is not None:
            product = product_key(row["producer__odop_product_id"])
            yield (district, month, SALES_PRODUCT, product), value
    lines = _scoped(
        OrderLine.objects.exclude(order__state__in=NOT_SALES),
        "order__district_id",
        "order__ordered_at",
        districts,
        months,
        aware=True,
    )
    for row in (
        lines.annotate(m=_by_month("order__ordered_at", aware=True))
        .values("order__district_id", "m", "order__producer__odop_product_id")
        .annotate(n=Sum("quantity"))
        .order_by()
    ):
        product = product_key(row["order__producer__odop_product_id"])
        month = _month(row["m"])
        yield (row["order__district_id"], month, PIECES, product), Decimal(row["n"] or 0)
    checked_in = _scoped(
        Attendance.objects.all(),
        "participant__programme__district_id",
        "checked_in_at",
        districts,
        months,
        aware=True,
    )
    for row in (
        checked_in.annotate(m=_by_month("checked_in_at", aware=True))
        .values("participant__programme__district_id", "m")
        .annotate(n=Count("participant__producer_id", distinct=True))
        .order_by()
    ):
        district = row["participant__programme__district_id"]
        yield (district, _month(row["m"]), TRAINED, ""), Decimal(row["n"])
    products: dict[tuple[int, dt.date, str], Decimal] = defaultdict(Decimal)
    shipments = _scoped(
        Shipment.objects.all(), "order__district_id", "shipped_on", districts, months, aware=False
    )
    for row in (
        shipments.annotate(m=_by_month("shipped_on", aware=False))
        .values(
            "order__district_id", "m", "order__buyer__country", "order__producer__odop_product_id"
        )
        .annotate(v=Sum("fob_inr"))
        .order_by()
    ):
        district, month = row["order__district_id"], _month(row["m"])
        product = product_key(row["order__producer__odop_product_id"])
        yield (district, month, EXPORT_DIRECT, row["order__buyer__country"]), row["v"]
        yield (
            (district, month, EXPORT_MARKET, f"{product}:{row['order__buyer__country']}"),
            row["v"],
        )
        products[district, month, product] += row["v"]
    sales = _scoped(
        MerchantSale.objects.all(), "district_id", "sold_on", districts, months, aware=False
    )
    for row in (
        sales.annotate(m=_by_month("sold_on", aware=False))
        .values("district_id", "m", "country", "producer__odop_product_id")
        .annotate(v=Sum("value_inr"))
        .order_by()
    ):
        district, month = row["district_id"], _month(row["m"])
        product = product_key(row["producer__odop_product_id"])
        yield (district, month, EXPORT_MERCHANT, row["country"]), row["v"]
        yield (district, month, EXPORT_MARKET, f"{product}:{row['country']}"), row["v"]
        products[district, month, product] += row["v"]
    for (district, month, product), value in products.items():
        yield (district, month, EXPORT_PRODUCT, product), value
    yield from reached_cells(districts, months)


def reached_cells(
    districts: list[int] | None, months: tuple[dt.date, dt.date] | None
) -> Iterator[tuple[Cell, Decimal]]:
    """Producers first reaching each plan stage (or one beyond it) in `months`: each producer's
    firsts in one grouped query over their stage history, keeping only the producers with at
    least one first in the months (a first is not a month's own: it depends on all the months
    before)."""
    firsts = {
        measure.value: Min(
            "created_at",
            filter=Q(to_stage__in=[s for s in Stage if STAGE_ORDER[s] >= STAGE_ORDER[stage]]),
        )
        for measure, stage in STAGE_OF.items()
    }
    changes = StageChange.objects.all()
    if districts is not None:
        changes = changes.filter(producer__district_id__in=districts)
    reached = (
        changes.values("producer_id", "producer__district_id", "producer__odop_product_id")
        .annotate(**firsts)
        .order_by()
    )
    low = high = None
    if months is not None:
        low = dt.datetime(months[0].year, months[0].month, 1, tzinfo=INDIA)
        high = dt.datetime(months[1].year, months[1].month, 1, tzinfo=INDIA)
        in_months = Q()
        for name in firsts:
            in_months |= Q(**{f"{name}__gte": low, f"{name}__lt": high})
        reached = reached.filter(in_months)
    for row in reached.iterator(chunk_size=BATCH):
        product = product_key(row["producer__odop_product_id"])
        for name in firsts:
            first = row[name]
            if first is None or (low is not None and high is not None and not low <= first < high):
                continue
            yield (
                (row["producer__district_id"], _month(first), REACHED, f"{name}:{product}"),
                Decimal(1),
            )


def snapshot_cells(districts: Iterable[int] | None) -> Iterator[tuple[Cell, Decimal]]:
    """The funnel and the listings of `districts` (all when None) as they stand."""
    districts = None if districts is None else list(districts)
    producers = _scoped(
        Producer.objects.active(), "district_id", None, districts, None, aware=False
    )
    for row in producers.values("district_id", "stage").annotate(n=Count("id")).order_by():
        yield (row["district_id"], None, STAGE, row["stage"]), Decimal(row["n"])
    listings = _scoped(
        Listing.objects.all(), "account__district_id", None, districts, None, aware=False
    )
    for row in (
        listings.values("account__district_id", "account__channel", "state")
        .annotate(n=Count("id"))
        .order_by()
    ):
        key = f"{row['account__channel']}:{row['state']}"
        yield (row["account__district_id"], None, LISTINGS, key), Decimal(row["n"])


def _merged(cells: Iterable[tuple[Cell, Decimal]]) -> list[SummaryRow]:
    totals: dict[Cell, Decimal] = defaultdict(Decimal)
    for cell, value in cells:
        totals[cell] += value
    return [
        SummaryRow(district_id=d, month=m, measure=measure, key=key, value=value)
        for (d, m, measure, key), value in totals.items()
        if value
    ]


def replace_monthly(districts: Iterable[int] | None, months: tuple[dt.date, dt.date] | None) -> int:
    """Compute the monthly cells of `districts` over `months` again; the number of rows written.
    The caller holds the transaction."""
    districts = None if districts is None else list(districts)
    old = SummaryRow.objects.filter(measure__in=MONTHLY_MEASURES)
    if districts is not None:
        old = old.filter(district_id__in=districts)
    if months is not None:
        old = old.filter(month__gte=months[0], month__lt=months[1])
    old.delete()
    rows = _merged(monthly_cells(districts, months))
    SummaryRow.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def replace_snapshots(districts: Iterable[int] | None) -> int:
    districts = None if districts is None else list(districts)
    old = SummaryRow.objects.filter(measure__in=SNAPSHOT_MEASURES)
    if districts is not None:
        old = old.filter(district_id__in=districts)
    old.delete()
    rows = _merged(snapshot_cells(districts))
    SummaryRow.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def changed_cells(since: dt.datetime) -> tuple[dict[dt.date, set[int]], set[int]]:
    """What changed since `since`: the districts per month whose monthly cells must be computed
    again, and the districts whose funnel or listings must."""
    months: dict[dt.date, set[int]] = defaultdict(set)
    sources: list[tuple[QuerySet[Any], str, str, bool]] = [
        (
            StageChange.objects.filter(created_at__gte=since),
            "producer__district_id",
            "created_at",
            True,
        ),
        (Order.objects.filter(updated_at__gte=since), "district_id", "ordered_at", True),
        (Shipment.objects.filter(updated_at__gte=since), "order__district_id", "shipped_on", False),
        (MerchantSale.objects.filter(updated_at__gte=since), "district_id", "sold_on", False),
        (
            Attendance.objects.filter(checked_in_at__gte=since),
            "participant__programme__district_id",
            "checked_in_at",
            True,
        ),
    ]
    for records, district, when, aware in sources:
        for row in (
            records.annotate(m=_by_month(when, aware=aware))
            .values(district, "m")
            .distinct()
            .order_by()
        ):
            months[_month(row["m"])].add(row[district])
    snapshots = set(
        StageChange.objects.filter(created_at__gte=since)
        .values_list("producer__district_id", flat=True)
        .distinct()
    )
    snapshots |= set(
        Producer.objects.filter(updated_at__gte=since)
        .values_list("district_id", flat=True)
        .distinct()
    )
    snapshots |= set(
        Listing.objects.filter(Q(updated_at__gte=since))
        .values_list("account__district_id", flat=True)
        .distinct()
    )
    return months, snapshots
