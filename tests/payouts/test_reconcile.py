"""Reconciliation per order line and the split per producer, with exact figures: a month in
which Amazon paid one order (with a reserve against its SKU), refunded a return, and has not
paid a delivered order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from niryat.catalog.models import Sku
from niryat.channels.models import ChannelAccount, OrderLine
from niryat.channels.settlements import Charge, SettlementData, SettlementLineData
from niryat.core.models import User
from niryat.payouts import reconcile
from niryat.payouts.actions import do_record_settlement, do_save_payout_terms
from niryat.payouts.models import Settlement, SettlementLine
from niryat.registry.models import Producer
from tests.payouts.conftest import SALE_A, at, book, charges, settlement

TODAY = dt.date(2026, 12, 7)
D = Decimal


def figures(account: ChannelAccount) -> dict[str, reconcile.LineFigures]:
    lines = reconcile.reconcile(
        reconcile.lines_for(accounts=ChannelAccount.objects.filter(pk=account.pk)), today=TODAY
    )
    return {line.channel_order_id: line for line in lines}


def test_each_order_line_reconciles_with_its_charges_and_payout(
    amazon_account: ChannelAccount, month: dict[str, Any]
) -> None:
    # when
    found = figures(amazon_account)
    # then
    a, b, c = found["403-A"], found["403-B"], found["403-C"]
    assert (a.sale, a.fees, a.fee_gst, a.tcs, a.tds, a.reserve) == (
        D("1120"),
        D("-132"),
        D("-23.76"),
        D("-5"),
        D("-1"),
        D("-100"),
    )
    assert (a.net, a.paid, a.pending) == (D("858.24"), D("858.24"), D(0))
    assert [(p.settlement_id, p.paid_on) for p in a.payouts] == [("FEG-1", dt.date(2026, 11, 20))]
    assert (a.tcs_rate.percent, a.tds_rate.percent) == (D("0.500"), D("0.100"))  # type: ignore[union-attr]
    assert (a.expected_tcs, a.expected_tds) == (D("5.00"), D("1.00"))
    assert a.flags == []
    assert (b.refunds, b.fee_reversals, b.net, b.tcs, b.tds) == (
        D("-1120"),
        D("112"),
        D("-42.56"),
        D(0),
        D(0),
    )
    assert b.flags == []
    assert (c.paid, c.owed) == (D(0), D("1120"))
    assert [flag.code for flag in c.flags] == ["unpaid"]
    assert c.flags[0].reason == (
        "Delivered on 10 November 2026 and not paid after the payment cycle of 7 days "
        "(due by 17 November 2026)."
    )


def test_a_line_in_two_payouts_shows_each_and_what_is_still_to_come(
    amazon_account: ChannelAccount, month: dict[str, Any]
) -> None:
    # given: a later payout, not paid yet, releases the reserve held on horse A
    release = [*charges("403-A", "IA", "TERR-HORSE-01", (Charge.RESERVE, "100"))]
    do_record_settlement(
        amazon_account, settlement("FEG-2", release, paid=False), source="api", acting_user=None
    )
    # when
    a = figures(amazon_account)["403-A"]
    # then
    assert [(p.settlement_id, p.paid_on, p.amount) for p in a.payouts] == [
        ("FEG-1", dt.date(2026, 11, 20), D("858.24")),
        ("FEG-2", None, D("100")),
    ]
    assert (a.reserve, a.paid, a.pending, a.owed) == (D(0), D("858.24"), D("100"), D("100"))
    assert a.owed_reason == "In a payout the marketplace has not paid yet."
    assert a.flags == []


def test_the_split_per_producer_follows_the_order_lines(
    amazon_account: ChannelAccount, month: dict[str, Any], ramu: Producer, khadi_sku: Sku
) -> None:
    # when
    split = reconcile.by_producer(figures(amazon_account).values())
    # then
    ramus, units = split[ramu.pk], split[khadi_sku.product.producer_id]
    assert (ramus.sale, ramus.paid, ramus.withheld, ramus.owed) == (
        D("1120"),
        D("858.24"),
        D("106"),
        D("1120"),
    )
    assert ramus.reasons() == [
        "₹100 held in reserve by the marketplace.",
        "₹5 TCS (GST, section 52): claim it in your GST return.",
        "₹1 TDS (section 194-O): claim it in your income-tax return.",
        "Order #403-C: ₹1,120 owed. Delivered; no payout yet (order value, before fees).",
    ]
    assert (units.paid, units.withheld, units.owed) == (D("-42.56"), D(0), D(0))
    # the khadi unit's return: what went back to the buyer is said apart from the fees
    assert (units.refunded, ramus.refunded) == (D("1120"), D(0))
    assert units.reasons() == ["₹1,120 given back to buyers for returns, out of what was paid."]


def test_a_delivered_order_still_within_its_payment_cycle_is_owed_but_not_flagged(
    amazon_account: ChannelAccount, month: dict[str, Any], ganesh: User
) -> None:
    # given: Amazon pays 30 days after delivery on this account
    do_save_payout_terms(amazon_account, {"payment_cycle_days": 30}, acting_user=ganesh)
    # when
    c = figures(amazon_account)["403-C"]
    # then
    assert c.owed == D("1120")
    assert c.flags == []


def test_a_fee_above_the_rate_card_is_flagged(
    amazon_account: ChannelAccount, month: dict[str, Any], ganesh: User
) -> None:
    # given: the account's rate card allows 8% commission and a ₹20 closing fee
    do_save_payout_terms(
        amazon_account, {"commission_percent": D("8"), "fixed_fee": D("20")}, acting_user=ganesh
    )
    # when
    a = figures(amazon_account)["403-A"]
    # then
    assert [flag.reason for flag in a.flags] == [
        "Commission of ₹112 is above the rate card's ₹89.60."
    ]


def test_a_return_without_a_refund_line_is_flagged(
    amazon_account: ChannelAccount, horse_sku: Sku
) -> None:
    # given: a returned horse whose sale was paid, and no refund in any payout
    amazon_account.listings.create(sku=horse_sku, state="live")
    book(
        amazon_account,
        "403-D",
        [("TERR-HORSE-01", 1, D("1120"), "ID")],
        ordered_at=at(2),
        status="returned",
    )
    do_record_settlement(
        amazon_account,
        settlement("FEG-2", charges("403-D", "ID", "TERR-HORSE-01", *SALE_A)),
        source="api",
        acting_user=None,
    )
    # when
    d = figures(amazon_account)["403-D"]
    # then
    assert [flag.reason for flag in d.flags] == [
        "Returned, but no payout has a refund line for it."
    ]


@pytest.mark.parametrize(("off", "flagged"), [("5", True), ("0.50", False)])
def test_a_payout_that_does_not_add_up_is_flagged_beyond_rounding(
    amazon_account: ChannelAccount, horse_sku: Sku, off: str, flagged: bool
) -> None:
    # given: a payout whose stated total is `off` rupees above its lines
    recorded = do_record_settlement(
        amazon_account,
        settlement("FEG-3", charges("403-X", "IX", "TERR-HORSE-01", *SALE_A), off=off),
        source="api",
        acting_user=None,
    )
    # when
    flags = reconcile.settlement_flags(recorded.settlement)
    # then
    if flagged:
        assert [flag.reason for flag in flags] == [
            "The payout says ₹963.24; its lines add up to ₹958.24 (₹5 apart)."
        ]
    else:
        assert flags == []


@pytest.mark.parametrize(
    ("ordered", "tcs", "tds", "reasons"),
    [
        # 1 June 2024: TCS 1% and TDS 1% were in force
        (at(1, 6, 2024), "-10", "-10", []),
        (
            at(1, 6, 2024),
            "-5",
            "-10",
            [
                "TCS withheld ₹5; 1% in force on 1 June 2024 (CGST Act s. 52; notifications "
                "51/2018 and 52/2018-Central Tax) gives ₹10."
            ],
        ),
        # 15 July 2024: TCS 0.5% (notification 15/2024-Central Tax), TDS still 1%
        (at(15, 7, 2024), "-5", "-10", []),
        # 2 October 2024: TDS 0.1%
        (at(2, 10, 2024), "-5", "-1", []),
        (
            at(2, 10, 2024),
            "-5",
            "-10",
            [
                "TDS withheld ₹10; 0.1% in force on 2 October 2024 (s. 194-O; Finance (No. 2) "
                "Act, 2024) gives ₹1."
            ],
        ),
    ],
)
def test_old_orders_reconcile_at_the_tax_rates_of_their_date(
    amazon_account: ChannelAccount,
    horse_sku: Sku,
    ordered: dt.datetime,
    tcs: str,
    tds: str,
    reasons: list[str],
) -> None:
    # given: an order of ₹1,000 before GST, and the TCS and TDS Amazon withheld on it
    amazon_account.listings.create(sku=horse_sku, state="live")
    book(amazon_account, "403-OLD", [("TERR-HORSE-01", 1, D("1120"), "IO")], ordered_at=ordered)
    lines = charges(
        "403-OLD",
        "IO",
        "TERR-HORSE-01",
        (Charge.SALE, "1000"),
        (Charge.SALE_TAX, "120"),
        (Charge.TCS, tcs),
        (Charge.TDS, tds),
    )
    do_record_settlement(
        amazon_account, settlement("FEG-OLD", lines), source="api", acting_user=None
    )
    # when
    line = figures(amazon_account)["403-OLD"]
    # then
    assert [flag.reason for flag in line.flags] == reasons


def test_the_same_settlement_twice_is_recorded_once(
    amazon_account: ChannelAccount, month: dict[str, Any]
) -> None:
    # given
    before = SettlementLine.objects.count()
    data = settlement("FEG-1", [])  # the same id, read again: changed lines replace the old
    first = month["settlement"]
    # when: recorded again exactly as before
    again = do_record_settlement(
        amazon_account,
        SettlementData(
            settlement_id="FEG-1",
            currency="INR",
            total=first.total,
            lines=[
                SettlementLineData(
                    line.kind,
                    line.amount,
                    line.currency,
                    line.code,
                    line.channel_order_id,
                    line.line_id,
                    line.seller_sku,
                )
                for line in first.lines.order_by("id")
            ],
            paid_on=first.paid_on,
        ),
        source="api",
        acting_user=None,
    )
    # then
    assert (again.created, again.changed) == (False, False)
    assert Settlement.objects.count() == 1
    assert SettlementLine.objects.count() == before
    # when: the marketplace changed it (an open group that closed with fewer lines)
    changed = do_record_settlement(amazon_account, data, source="api", acting_user=None)
    # then: still one settlement, its lines replaced
    assert (changed.created, changed.changed) == (False, True)
    assert Settlement.objects.count() == 1
    assert SettlementLine.objects.count() == 0


def test_unknown_charges_other_currencies_and_orders_we_do_not_have_are_kept_and_flagged(
    amazon_account: ChannelAccount, month: dict[str, Any]
) -> None:
    # given: a payout with a fee type we do not know, a line in dollars, an order not in our book
    lines = [
        SettlementLineData(
            Charge.OTHER, D("-15"), "INR", "StorageRenewalBilling", "403-A", "IA", "TERR-HORSE-01"
        ),
        SettlementLineData(
            Charge.SALE, D("12.50"), "USD", "Principal", "403-A", "IA", "TERR-HORSE-01"
        ),
        SettlementLineData(
            Charge.SALE, D("700"), "INR", "Principal", "171-9999999-0000000", "IZ", "TERR-ZEBRA-01"
        ),
    ]
    recorded = do_record_settlement(
        amazon_account, settlement("FEG-4", lines), source="api", acting_user=None
    )
    # when
    kept = list(recorded.settlement.lines.order_by("id"))
    a = figures(amazon_account)["403-A"]
    # then: every line kept, with its flag and the marketplace's ids
    assert [(line.code, line.flags) for line in kept] == [
        ("StorageRenewalBilling", ["unknown"]),
        ("Principal", ["currency"]),
        ("Principal", ["unmatched"]),
    ]
    assert (kept[2].channel_order_id, kept[2].line_id, kept[2].seller_sku) == (
        "171-9999999-0000000",
        "IZ",
        "TERR-ZEBRA-01",
    )
    assert kept[2].order_line is None
    # the unknown charge counts in the order line's money; the dollars are left out of it
    assert a.other == D("-15")
    assert a.sale == D("1120")
    unmatched = reconcile.unmatched_lines(ChannelAccount.objects.filter(pk=amazon_account.pk))
    assert [line.code for line in unmatched] == ["StorageRenewalBilling", "Principal", "Principal"]


def test_reading_a_page_of_lines_takes_a_fixed_number_of_queries(
    amazon_account: ChannelAccount, month: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    # the order lines, their settlement lines summed, the payouts, the delivery dates, the
    # accounts' terms, the tax rates: however many lines
    with django_assert_max_num_queries(6):
        reconcile.reconcile(OrderLine.objects.filter(order__account=amazon_account), today=TODAY)
