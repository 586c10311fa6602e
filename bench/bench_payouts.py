"""What reconciling a month of payouts costs: N order lines of one centre-operated Amazon
account (issue 19: a month at state scale is 1 M order lines and 3 M settlement lines; here N is
1 M × scale, at least 500, with three settlement lines each, in payouts of 200 lines), through
`reconcile.reconcile` and `reconcile.by_producer` (the figures of every order line, the tax rates
of its date, the delivered-but-unpaid, fee, return and tax checks, the split per producer),
against the baseline of the same join written directly in SQL in the same run: order lines,
orders and SKUs joined to their settlement lines and payouts, summed by kind and by paid or not,
every row fetched.

N is BENCH_PAYOUT_LINES, or 1,000,000 × scale.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from bench.harness import Result, Target, compare, queries, rate
from niryat.catalog.models import Sku
from niryat.channels.models import ChannelAccount, Order, OrderLine
from niryat.channels.settlements import Charge
from niryat.payouts import reconcile
from niryat.payouts.models import PayoutTerms, Settlement, SettlementLine, TaxRate

DESIGN_LINES = 1_000_000
PER_SETTLEMENT = 200
TODAY = dt.date(2026, 12, 7)

SQL = """
SELECT ol.id, o.channel_order_id, COALESCE(s.producer_id, o.producer_id), o.state,
       SUM(CASE WHEN sl.kind IN ('sale', 'sale_tax', 'shipping') THEN sl.amount ELSE 0 END),
       SUM(CASE WHEN sl.kind IN ('commission', 'fixed_fee', 'shipping_fee', 'collection_fee')
                THEN sl.amount ELSE 0 END),
       SUM(CASE WHEN sl.kind = 'fee_gst' THEN sl.amount ELSE 0 END),
       SUM(CASE WHEN sl.kind = 'tcs' THEN sl.amount ELSE 0 END),
       SUM(CASE WHEN sl.kind = 'tds' THEN sl.amount ELSE 0 END),
       SUM(CASE WHEN sl.kind IN ('refund', 'refund_tax') THEN sl.amount ELSE 0 END),
       SUM(CASE WHEN sl.kind = 'reserve' THEN sl.amount ELSE 0 END),
       SUM(CASE WHEN st.paid_on IS NOT NULL THEN sl.amount ELSE 0 END),
       SUM(CASE WHEN st.paid_on IS NULL THEN sl.amount ELSE 0 END)
FROM channels_orderline ol
JOIN channels_order o ON o.id = ol.order_id
LEFT JOIN catalog_sku s ON s.id = ol.sku_id
LEFT JOIN payouts_settlementline sl ON sl.order_line_id = ol.id AND NOT sl.foreign_currency
LEFT JOIN payouts_settlement st ON st.id = sl.settlement_id
WHERE o.account_id = %s AND o.state <> 'cancelled'
GROUP BY ol.id, o.channel_order_id, COALESCE(s.producer_id, o.producer_id), o.state
"""


def month(n: int) -> ChannelAccount:
    """N order lines of one account (delivered, a tenth returned), each sold, charged a
    commission and TCS in payouts of PER_SETTLEMENT lines; every tenth not settled."""
    skus = list(Sku.objects.select_related("product").order_by("pk")[:200])
    if not skus:
        raise AssertionError("no SKUs in the generated data")
    district_id = skus[0].product.district_id
    account = ChannelAccount.objects.create(
        district_id=district_id, channel="amazon", name="bench payouts", settings={}
    )
    PayoutTerms.objects.create(account=account, commission_percent=Decimal(10))
    now = timezone.now()
    orders = Order.objects.bulk_create(
        [
            Order(
                district_id=district_id,
                account=account,
                producer_id=skus[i % len(skus)].producer_id,
                channel_order_id=f"403-{i:07d}",
                state=Order.State.RETURNED if i % 10 == 5 else Order.State.DELIVERED,
                ordered_at=now - dt.timedelta(days=20),
                shipped_at=now - dt.timedelta(days=18),
                total=Decimal(1120),
                uuid=uuid.uuid4(),
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    lines = OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                sku=skus[i % len(skus)],
                seller_sku=skus[i % len(skus)].seller_sku,
                line_id=f"I{i}",
                quantity=1,
                unit_price=Decimal(1120),
            )
            for i, order in enumerate(orders)
        ],
        batch_size=2000,
    )
    settlements = Settlement.objects.bulk_create(
        [
            Settlement(
                account=account,
                settlement_id=f"FEG-{k}",
                source="api",
                total=None,
                paid_on=TODAY - dt.timedelta(days=3),
                digest="",
            )
            for k in range(n // PER_SETTLEMENT + 1)
        ]
    )
    rows = []
    for i, line in enumerate(lines):
        if i % 10 == 9:
            continue  # not settled yet
        settlement = settlements[i // PER_SETTLEMENT]
        for kind, amount in (
            (Charge.SALE, "1000"),
            (Charge.COMMISSION, "-100"),
            (Charge.TCS, "-5"),
        ):
            rows.append(
                SettlementLine(
                    settlement=settlement,
                    order_id=line.order_id,
                    order_line=line,
                    producer_id=line.sku.producer_id if line.sku else None,
                    kind=kind,
                    code=kind,
                    amount=Decimal(amount),
                    currency="INR",
                    channel_order_id=f"403-{i:07d}",
                    line_id=line.line_id,
                )
            )
    SettlementLine.objects.bulk_create(rows, batch_size=5000)
    return account


def run(scale: float) -> list[Result]:
    n = int(os.environ.get("BENCH_PAYOUT_LINES") or max(500, round(DESIGN_LINES * scale)))
    account = month(n)
    accounts = ChannelAccount.objects.filter(pk=account.pk)
    rates = TaxRate.objects.table()
    settled = SettlementLine.objects.filter(settlement__account=account).count()

    def ours() -> None:
        lines = reconcile.reconcile(
            reconcile.lines_for(accounts=accounts), today=TODAY, rates=rates
        )
        reconcile.by_producer(lines)

    def plain_sql() -> None:
        with connection.cursor() as cursor:
            cursor.execute(SQL, [account.pk])
            cursor.fetchall()

    found = reconcile.reconcile(reconcile.lines_for(accounts=accounts), today=TODAY, rates=rates)
    if len(found) != n:
        raise AssertionError(f"{len(found)} lines reconciled of {n}")
    with connection.cursor() as cursor:
        cursor.execute(SQL, [account.pk])
        if len(cursor.fetchall()) != n:
            raise AssertionError("the SQL baseline does not see every order line")
    if os.environ.get("BENCH_PROFILE"):  # where the time goes, printed to stderr
        import cProfile
        import pstats
        import sys

        profile = cProfile.Profile()
        profile.runcall(ours)
        pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(18)
    statements = queries(ours)
    measured, baseline = compare(ours, plain_sql, repeat=10, warmup=1, max_seconds=20)
    size = f"{n:,} order lines · {settled:,} settlement lines · {len(found[0].payouts)} payout each"
    return [
        Result(
            "payouts: reconcile a month (order lines/s)",
            size,
            rate(measured, n),
            rate(baseline, n),
            "the same join in plain SQL: order lines × settlement lines summed by kind and paid, "
            "fetched, no checks, rates or split",
            target=Target("ratio", 2.0),
            note=f"{statements} queries",
        )
    ]
