"""What reconciling a month of payouts costs: N order lines of one centre-operated Amazon
account (issue 19: a month at state scale is 1 M order lines and 3 M settlement lines; here N is
1 M × scale, at least 500, nine in ten settled with four settlement lines each, so 3.6 M at
state scale, in payouts of 200 lines), through
`reconcile.reconcile` and `reconcile.by_producer` (the figures of every order line, the tax rates
of its date, the delivered-but-unpaid, fee, return and tax checks, the split per producer),
against the baseline of the same join written directly in SQL in the same run: one statement
that gives every order line the same figures (its settlement lines summed by kind, paid and
pending, its payouts, the TCS and TDS rates of its date and the tax they give, what the rate
card allows, the tax, fee and return flags), every row fetched. The run checks that both give
the same figures line by line before timing them.

N is BENCH_PAYOUT_LINES, or 1,000,000 × scale. On PostgreSQL, from SQL_FROM lines up, the rows
are made in the database (`INSERT ... SELECT generate_series`), the same rows the small run
makes in Python: a state-scale month takes minutes to make that way instead of an hour.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from bench.harness import Result, Target, compare, queries, rate
from niryat.catalog.models import Sku
from niryat.channels.models import ChannelAccount, Order, OrderLine
from niryat.channels.settlements import Charge
from niryat.payouts import reconcile
from niryat.payouts.models import PayoutTerms, Settlement, SettlementLine, TaxKind, TaxRate

DESIGN_LINES = 1_000_000
PER_SETTLEMENT = 200
SQL_FROM = 100_000
TODAY = dt.date(2026, 12, 7)
CHARGES = (
    (Charge.SALE, "1000"),
    (Charge.COMMISSION, "-100"),
    (Charge.TCS, "-5"),
    (Charge.TDS, "-1"),
)

# The baseline: the same figures as `reconcile`, written directly in SQL that runs on SQLite and
# PostgreSQL (0.01 × rather than ÷ 100: SQLite truncates an integer divided by an integer).
SQL = """
WITH sums AS (
  SELECT sl.order_line_id, {kinds}, {agreed},
         MIN(sl.settlement_id) AS first_payout, MAX(sl.settlement_id) AS last_payout,
         SUM(CASE WHEN st.paid_on IS NOT NULL THEN sl.amount ELSE 0 END) AS paid,
         SUM(CASE WHEN st.paid_on IS NULL THEN sl.amount ELSE 0 END) AS pending
  FROM payouts_settlementline sl JOIN payouts_settlement st ON st.id = sl.settlement_id
  WHERE st.account_id = %s AND NOT sl.foreign_currency
  GROUP BY sl.order_line_id
), line AS (
  SELECT ol.id, ol.order_id, o.channel_order_id, ol.seller_sku, ol.quantity, ol.unit_price,
         o.currency, s.producer_id AS sku_producer_id, o.producer_id, o.account_id, o.ordered_at,
         o.state, a.channel, t.payment_cycle_days, sums.*,
         (sums.first_payout IS NOT NULL AND o.currency = 'INR') AS checked,
         ({tcs_percent}) AS tcs_percent, ({tcs_rate}) AS tcs_rate,
         ({tds_percent}) AS tds_percent, ({tds_rate}) AS tds_rate,
         COALESCE(sums.kind_sale, 0) + COALESCE(sums.kind_shipping, 0)
           + COALESCE(sums.kind_refund, 0) AS gross,
         COALESCE(sums.kind_sale, 0) + COALESCE(sums.kind_sale_tax, 0)
           + COALESCE(sums.kind_shipping, 0) AS sale,
         COALESCE(CAST(NULLIF(p.gst_rate, '') AS NUMERIC), 0) AS gst,
         t.commission_percent, t.fixed_fee, t.shipping_fee, t.collection_fee
  FROM channels_orderline ol
  JOIN channels_order o ON o.id = ol.order_id
  JOIN channels_channelaccount a ON a.id = o.account_id
  LEFT JOIN payouts_payoutterms t ON t.account_id = o.account_id
  LEFT JOIN catalog_sku s ON s.id = ol.sku_id
  LEFT JOIN catalog_product p ON p.id = s.product_id
  LEFT JOIN sums ON sums.order_line_id = ol.id
  WHERE o.account_id = %s AND o.state <> 'cancelled'
), taxed AS (
  SELECT line.*,
         CASE WHEN ABS(COALESCE(kind_sale_tax, 0)) + ABS(COALESCE(kind_refund_tax, 0)) > 0
              THEN gross ELSE gross / (1 + gst * 0.01) END AS taxable
  FROM line
), due AS (
  SELECT taxed.*,
         ROUND(taxable * tcs_percent * 0.01, 2) AS tcs_due,
         ROUND(taxable * tds_percent * 0.01, 2) AS tds_due,
         ROUND(sale * commission_percent * 0.01, 2) AS card_commission,
         ROUND(fixed_fee * quantity, 2) AS card_fixed_fee,
         ROUND(shipping_fee * quantity, 2) AS card_shipping_fee,
         ROUND(collection_fee * quantity, 2) AS card_collection_fee
  FROM taxed
)
SELECT id, order_id, channel_order_id, seller_sku, quantity, unit_price, currency,
       sku_producer_id, producer_id, account_id, ordered_at, state, channel, payment_cycle_days,
       {kind_columns}, first_payout, last_payout, COALESCE(paid, 0), COALESCE(pending, 0),
       CASE WHEN currency = 'INR' THEN tcs_rate END, CASE WHEN currency = 'INR' THEN tds_rate END,
       taxable, CASE WHEN checked THEN tcs_due END, CASE WHEN checked THEN tds_due END,
       card_commission, card_fixed_fee, card_shipping_fee, card_collection_fee,
       agreed_commission, agreed_fixed_fee, agreed_shipping_fee, agreed_collection_fee,
         (CASE WHEN checked AND ABS(COALESCE(kind_tcs, 0) + tcs_due) - {tolerance} > 0
               THEN 1 ELSE 0 END)
       + (CASE WHEN checked AND ABS(COALESCE(kind_tds, 0) + tds_due) - {tolerance} > 0
               THEN 2 ELSE 0 END)
       + {fee_flags}
       + (CASE WHEN state = 'returned' AND ABS(COALESCE(kind_sale, 0)) > 0
                AND COALESCE(kind_refund, 0) + COALESCE(kind_refund_tax, 0) = 0
               THEN 1024 ELSE 0 END)
FROM due
ORDER BY ordered_at, id
"""


def baseline_sql(rates: dict[str, list[TaxRate]]) -> tuple[str, list[Any]]:
    """SQL and its parameters (the moments each rate came into force, as India's midnights)."""
    params: list[Any] = []

    def in_force(kind: str, value: str) -> str:
        whens = []
        for found in rates.get(kind, []):
            moment = dt.datetime.combine(found.valid_from, dt.time(), tzinfo=reconcile.INDIA)
            params.append(connection.ops.adapt_datetimefield_value(moment))
            whens.append(f"WHEN o.ordered_at >= %s THEN {getattr(found, value)}")
        return f"CASE {' '.join(whens)} END" if whens else "NULL"

    fees = list(reconcile.CARD)
    fee_flags = " + ".join(
        f"(CASE WHEN {check} AND -COALESCE(kind_{kind}, 0) - {source}_{kind} - %s > 0 "
        f"THEN {1 << (2 + at + len(fees) * n)} ELSE 0 END)"
        for n, (source, check) in enumerate(
            (("card", "checked"), ("agreed", "first_payout IS NOT NULL"))
        )
        for at, kind in enumerate(fees)
    )
    parts = {
        "kinds": ", ".join(
            f"SUM(CASE WHEN sl.kind = '{kind}' THEN sl.amount END) AS kind_{kind}"
            for kind in Charge.ALL
        ),
        "agreed": ", ".join(
            f"SUM(CASE WHEN sl.kind = '{kind}' THEN sl.agreed END) AS agreed_{kind}"
            for kind in fees
        ),
        "kind_columns": ", ".join(f"kind_{kind}" for kind in Charge.ALL),
        "tolerance": str(reconcile.tolerance()),
        "fee_flags": fee_flags.replace("%s", str(reconcile.tolerance())),
    }
    # in the order the placeholders come in the statement
    rate_parts = {}
    for kind in (TaxKind.TCS, TaxKind.TDS):
        rate_parts[f"{kind}_percent"] = in_force(kind, "percent")
        rate_parts[f"{kind}_rate"] = in_force(kind, "pk")
    return SQL.format(**parts, **rate_parts), params


def month(n: int) -> ChannelAccount:
    """N order lines of one account (delivered, a tenth returned), each sold, charged a
    commission, TCS and TDS in payouts of PER_SETTLEMENT lines; every tenth not settled."""
    skus = list(Sku.objects.select_related("product").order_by("pk")[:200])
    if not skus:
        raise AssertionError("no SKUs in the generated data")
    district_id = skus[0].product.district_id
    account = ChannelAccount.objects.create(
        district_id=district_id, channel="amazon", name="bench payouts", settings={}
    )
    PayoutTerms.objects.create(account=account, commission_percent=Decimal(10))
    in_database = connection.vendor == "postgresql" and n >= SQL_FROM
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
            # in the database, the first order is the pattern of the others
            for i in range(1 if in_database else n)
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
    if in_database:
        _month_in_postgresql(account, orders[0], n, skus)
        return account
    rows = []
    for i, line in enumerate(lines):
        if i % 10 == 9:
            continue  # not settled yet
        settlement = settlements[i // PER_SETTLEMENT]
        for kind, amount in CHARGES:
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


def _month_in_postgresql(account: ChannelAccount, first: Order, n: int, skus: list[Sku]) -> None:
    """The rows `month` makes in Python, made by PostgreSQL: orders 1 … N-1 copied from the
    first (new ids, uuids and order ids), a line each, and the settlement lines of every order
    not numbered …9."""
    columns = [f.column for f in Order._meta.concrete_fields if f.column != "id"]
    made = {
        "uuid": "gen_random_uuid()",
        "channel_order_id": "'403-' || lpad(g::text, 7, '0')",
        "state": "CASE WHEN g %% 10 = 5 THEN 'returned' ELSE 'delivered' END",
        "producer_id": "(%(producers)s::bigint[])[g %% %(count)s + 1]",
    }
    pick = ", ".join(made.get(column, f"t.{column}") for column in columns)
    values = {
        "first": first.pk,
        "account": account.pk,
        "n": n,
        "count": len(skus),
        "producers": [sku.producer_id for sku in skus],
        "skus": [sku.pk for sku in skus],
        "seller_skus": [sku.seller_sku for sku in skus],
    }
    number = "substring(o.channel_order_id from 5)::int"
    charges = ", ".join(f"('{kind}', {amount})" for kind, amount in CHARGES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO channels_order ({', '.join(columns)}) "  # noqa: S608 - names and numbers of our own; values as parameters
            f"SELECT {pick} FROM channels_order t, generate_series(1, %(n)s - 1) AS g "
            "WHERE t.id = %(first)s",
            values,
        )
        cursor.execute(
            "INSERT INTO channels_orderline "  # noqa: S608 - names and numbers of our own; values as parameters
            "(order_id, sku_id, seller_sku, line_id, quantity, unit_price) "
            "SELECT id, (%(skus)s::bigint[])[i %% %(count)s + 1], "
            "(%(seller_skus)s::text[])[i %% %(count)s + 1], 'I' || i, 1, 1120 "
            f"FROM (SELECT o.id, {number} AS i FROM channels_order o "
            "WHERE o.account_id = %(account)s AND o.id <> %(first)s) AS o",
            values,
        )
        cursor.execute(
            "INSERT INTO payouts_settlementline (settlement_id, order_id, order_line_id, "  # noqa: S608 - names and numbers of our own; values as parameters
            "producer_id, kind, code, amount, currency, channel_order_id, line_id, seller_sku, "
            "flags, flagged, foreign_currency) "
            "SELECT st.id, o.id, ol.id, s.producer_id, c.kind, c.kind, c.amount, 'INR', "
            "o.channel_order_id, ol.line_id, '', '[]', false, false "
            "FROM channels_order o JOIN channels_orderline ol ON ol.order_id = o.id "
            "LEFT JOIN catalog_sku s ON s.id = ol.sku_id "
            "JOIN payouts_settlement st ON st.account_id = o.account_id "
            f"AND st.settlement_id = 'FEG-' || ({number} / {PER_SETTLEMENT}) "
            f"CROSS JOIN (VALUES {charges}) AS c(kind, amount) "
            f"WHERE o.account_id = %(account)s AND {number} %% 10 <> 9",
            values,
        )
        cursor.execute("ANALYZE")


def _same_figures(found: list[reconcile.LineFigures], rows: list[tuple[Any, ...]]) -> None:
    """The baseline gives every line the figures `reconcile` gives it, and the flags the query
    decides (the unpaid check reads the history, outside both)."""
    at_kinds = len(reconcile._COLUMNS)
    at_payout = at_kinds + len(Charge.ALL)
    for line, row in zip(found, rows, strict=True):
        kinds = row[at_kinds:at_payout]
        theirs = (
            row[0],
            sum((Decimal(str(k)) for k in kinds if k is not None), Decimal(0)),
            Decimal(str(row[at_payout + 2])),
            Decimal(str(row[at_payout + 3])),
            Decimal(str(row[at_payout + 7] or 0)),
            bin(row[-1]).count("1"),
        )
        ours = (
            line.order_line_id,
            line.net,
            line.paid,
            line.pending,
            line.expected_tcs,
            sum(1 for flag in line.flags if flag.code != reconcile.FlagCode.UNPAID),
        )
        if ours != theirs:
            raise AssertionError(f"the baseline differs: ours {ours}, theirs {theirs}")


def run(scale: float) -> list[Result]:
    n = int(os.environ.get("BENCH_PAYOUT_LINES") or max(500, round(DESIGN_LINES * scale)))
    account = month(n)
    accounts = ChannelAccount.objects.filter(pk=account.pk)
    rates = TaxRate.objects.table()
    settled = SettlementLine.objects.filter(settlement__account=account).count()
    sql, params = baseline_sql(rates)
    params = [account.pk, *params, account.pk]

    def ours() -> list[reconcile.LineFigures]:
        lines = reconcile.reconcile(
            reconcile.lines_for(accounts=accounts), today=TODAY, rates=rates
        )
        reconcile.by_producer(lines)
        return lines

    def plain_sql() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    found: list[reconcile.LineFigures] = []
    statements = queries(lambda: found.extend(ours()))
    if len(found) != n:
        raise AssertionError(f"{len(found)} lines reconciled of {n}")
    _same_figures(found, plain_sql())
    payouts = len(found[0].payouts)
    found.clear()  # a state-scale month holds a gigabyte
    if os.environ.get("BENCH_PROFILE"):  # where the time goes, printed to stderr
        import cProfile
        import pstats
        import sys

        profile = cProfile.Profile()
        profile.runcall(ours)
        pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(18)
    # a state-scale month takes a minute a call: fewer pairs
    repeat = 10 if n < SQL_FROM else 3
    measured, baseline = compare(ours, plain_sql, repeat=repeat, warmup=1, max_seconds=20)
    size = f"{n:,} order lines · {settled:,} settlement lines · {payouts} payout each"
    return [
        Result(
            "payouts: reconcile a month (order lines/s)",
            size,
            rate(measured, n),
            rate(baseline, n),
            "the same figures in one SQL statement: order lines × settlement lines summed by "
            "kind, paid and pending, dated TCS/TDS rates and tax, rate card, tax, fee and "
            "return flags, fetched",
            target=Target("ratio", 2.0),
            note=f"{statements} queries",
        )
    ]
