"""eBay's payouts through the Finances API (getPayouts, getTransactions), over HTTP against the
fake eBay: the documented shapes, paging, a payout recorded once, a 503 retried from where the
pull stopped; amounts kept in dollars, in rupees only at the rate staff keep."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.test import Client
from django.urls import reverse

from niryat.catalog.models import Sku
from niryat.channels.actions import record_order
from niryat.channels.ebay import finances
from niryat.channels.ebay.api import forget_tokens
from niryat.channels.ebay.channel import EbayChannel
from niryat.channels.models import ChannelAccount, ExchangeRate, Listing, Order
from niryat.channels.settlements import Charge
from niryat.core.models import District, User
from niryat.payouts import pulling, reconcile
from niryat.payouts.actions import do_start_settlement_pull
from niryat.payouts.models import Settlement, SettlementLine
from tests.channels.conftest import ebay_server, fake_ebay  # noqa: F401 - fixtures
from tests.channels.test_ebay import live, make_account

FIXTURES = Path(__file__).parent / "fixtures"
SINCE = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
TODAY = dt.date(2026, 12, 7)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def keys_within(expected: Any, actual: Any) -> bool:
    """Every key the fixture's objects have is in the fake's (recursively, first items)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and keys_within(value, actual[key])
            for key, value in expected.items()
            if key not in ("next", "href", "lastAttemptedPayoutDate", "payoutMemo")
        )
    if isinstance(expected, list) and expected and actual:
        return keys_within(expected[0], actual[0])
    return True


@pytest.fixture(autouse=True)
def fresh_tokens() -> None:
    forget_tokens()


@pytest.fixture
def usd(db: None) -> ExchangeRate:
    return ExchangeRate.objects.create(currency="USD", inr_per_unit=Decimal("83.2500"))


@pytest.fixture
def ebay_account(gorakhpur: District, fake_ebay: Any, usd: ExchangeRate) -> ChannelAccount:  # noqa: F811
    return make_account(gorakhpur)


def sold(account: ChannelAccount, fake: Any, sku: Sku, *quantities: int) -> list[Order]:
    """Orders for the SKU placed on the fake eBay and pulled into our book, delivered."""
    listing = live(Listing.objects.create(sku=sku, account=account))
    listing.save()
    for quantity in quantities:
        fake.place_order(sku.seller_sku, quantity)
    orders = []
    for data in EbayChannel(account).pull_orders(SINCE):
        record_order(account, data)
        orders.append(record_order(account, replace(data, status="delivered")))
    return orders


def test_the_fixture_transactions_become_signed_lines_in_dollars() -> None:
    # when
    lines = [
        line
        for transaction in fixture("ebay_transactions.json")["transactions"]
        for line in finances.transaction_lines(transaction)
    ]
    # then: the sale and its three fees, the partial refund and the fee given back, the
    # shipping label, the promoted listing's fee kept as "other"
    assert [(line.kind, line.amount, line.code) for line in lines] == [
        (Charge.SALE, Decimal("86.00"), "SALE"),
        (Charge.COMMISSION, Decimal("-10.26"), "FINAL_VALUE_FEE"),
        (Charge.FIXED_FEE, Decimal("-0.40"), "FINAL_VALUE_FEE_FIXED_PER_ORDER"),
        (Charge.COLLECTION_FEE, Decimal("-1.42"), "INTERNATIONAL_FEE"),
        (Charge.REFUND, Decimal("-10.00"), "REFUND"),
        (Charge.FEE_REVERSAL, Decimal("0.45"), "FINAL_VALUE_FEE"),
        (Charge.SHIPPING_FEE, Decimal("-6.30"), "SHIPPING_LABEL"),
        (Charge.OTHER, Decimal("-1.00"), "NON_SALE_CHARGE:AD_FEE"),
    ]
    assert {line.currency for line in lines} == {"USD"}
    assert {(line.channel_order_id, line.line_id) for line in lines[:6]} == {
        ("01-10001-20001", "10000000001")
    }
    stated = Decimal(fixture("ebay_payouts.json")["payouts"][0]["amount"]["value"])
    assert sum((line.amount for line in lines), Decimal(0)) == stated


def test_the_finances_host_is_apiz_beside_api() -> None:
    assert finances.finances_url("https://api.ebay.com") == "https://apiz.ebay.com"
    assert finances.finances_url("https://api.sandbox.ebay.com") == "https://apiz.sandbox.ebay.com"
    assert finances.finances_url("http://127.0.0.1:8123") == "http://127.0.0.1:8123"


def test_the_fakes_finances_answer_in_the_documented_shape(
    fake_ebay: Any,  # noqa: F811
    ebay_account: ChannelAccount,
    horse_sku: Sku,
) -> None:
    # given
    orders = sold(ebay_account, fake_ebay, horse_sku, 2)
    fake_ebay.settle([orders[0].channel_order_id], returned=(orders[0].channel_order_id,))
    with finances.connect(ebay_account.pk, ebay_account.credentials()) as api:
        # when
        payouts = api.call("GET", finances.PAYOUTS, params={"limit": 5}).json()
        transactions = api.call(
            "GET",
            finances.TRANSACTIONS,
            params={"filter": f"payoutId:{{{payouts['payouts'][0]['payoutId']}}}"},
        ).json()
    # then
    assert keys_within(fixture("ebay_payouts.json"), payouts)
    sale = fixture("ebay_transactions.json")["transactions"][0]
    assert keys_within({**fixture("ebay_transactions.json"), "transactions": [sale]}, transactions)


def test_a_pull_reads_every_page_records_each_payout_once_and_matches_the_lines(
    fake_ebay: Any,  # noqa: F811
    ebay_account: ChannelAccount,
    horse_sku: Sku,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: three orders paid out in two payouts (one returned); one item a page
    monkeypatch.setattr(finances, "PAGE", 1)
    orders = sold(ebay_account, fake_ebay, horse_sku, 1, 2, 1)
    ids = [order.channel_order_id for order in orders]
    fake_ebay.settle(ids[:2], returned=(ids[1],))
    fake_ebay.settle(ids[2:])
    # when: pulled twice
    for _twice in range(2):
        pull = do_start_settlement_pull(ebay_account, since=SINCE, acting_user=None)
        assert pulling.run(pull.pk) == "done"
    # then: two payouts, each once, in dollars, every line matched to its order line
    assert Settlement.objects.count() == 2
    first = Settlement.objects.order_by("id").first()
    assert first is not None
    assert first.currency == "USD"
    assert first.total == first.lines_total
    assert first.paid_on is not None
    assert first.lines.count() == 2 * 4 + 2  # sale and three fees per order; refund, fee back
    assert not SettlementLine.objects.filter(order_line__isnull=True).exists()
    assert not SettlementLine.objects.filter(flagged=True).exists()
    offsets = {r.query["offset"][0] for r in fake_ebay.requests if r.path == finances.PAYOUTS}
    assert offsets >= {"0", "1"}
    # the Finances API's token asks for sell.finances alone; the listing calls' never do
    scopes = {
        parse_qs(r.body.decode())["scope"][0]
        for r in fake_ebay.requests
        if r.path == "/identity/v1/oauth2/token"
    }
    assert finances.SCOPE in scopes
    assert all("sell.finances" not in scope for scope in scopes - {finances.SCOPE})


def test_a_503_on_the_second_payout_is_retried_from_there(
    fake_ebay: Any,  # noqa: F811
    ebay_account: ChannelAccount,
    horse_sku: Sku,
    fast_retries: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: two payouts, one a page; the second page of payouts answers 503 once
    monkeypatch.setattr(finances, "PAGE", 1)
    orders = sold(ebay_account, fake_ebay, horse_sku, 1, 1)
    fake_ebay.settle([orders[0].channel_order_id])
    fake_ebay.settle([orders[1].channel_order_id])
    fake_ebay.set_faults(broken=r"GET /sell/finances/v1/payout\?.*offset=1", broken_times=1)
    pull = do_start_settlement_pull(ebay_account, since=SINCE, acting_user=None)
    # when
    assert pulling.run(pull.pk) == "pending"
    assert Settlement.objects.count() == 1
    pull.refresh_from_db()
    assert pulling.run(pull.pk, now=pull.next_try_at) == "done"
    # then: the first page of payouts was read once
    assert Settlement.objects.count() == 2
    firsts = [
        r for r in fake_ebay.requests if r.path == finances.PAYOUTS and r.query["offset"] == ["0"]
    ]
    assert len(firsts) == 1


def test_dollars_are_shown_as_dollars_and_counted_in_rupees_at_the_staff_rate(
    fake_ebay: Any,  # noqa: F811
    ebay_account: ChannelAccount,
    horse_sku: Sku,
    ganesh: User,
    client: Client,
) -> None:
    # given: an order paid out through eBay
    orders = sold(ebay_account, fake_ebay, horse_sku, 1)
    fake_ebay.settle([orders[0].channel_order_id])
    pull = do_start_settlement_pull(ebay_account, since=SINCE, acting_user=None)
    assert pulling.run(pull.pk) == "done"
    accounts = ChannelAccount.objects.filter(pk=ebay_account.pk)
    # when
    [line] = reconcile.reconcile(reconcile.lines_for(accounts=accounts), today=TODAY)
    totals = reconcile.by_producer([line])[horse_sku.producer_id]
    # then: the line in dollars, no Indian TCS or TDS expected of eBay, the totals in rupees
    assert line.currency == "USD"
    assert line.sale == Decimal(orders[0].lines.get().unit_price)
    assert not line.flags
    assert line.tcs_rate is None
    assert line.expected_tcs == 0
    assert totals.paid == (line.paid * Decimal("83.25")).quantize(Decimal("0.01"))
    # and the account's page writes the line's dollars with $, never ₹
    client.force_login(ganesh)
    page = client.get(reverse("payouts_account", args=[ebay_account.uuid])).content.decode()
    assert f"${line.paid:,.2f}" in page
    assert f"₹{line.paid:,.2f}" not in page


def test_without_a_rate_dollars_stay_out_of_the_rupee_totals_and_are_flagged(
    fake_ebay: Any,  # noqa: F811
    ebay_account: ChannelAccount,
    horse_sku: Sku,
    usd: ExchangeRate,
) -> None:
    # given: paid out, and the rate no longer kept
    orders = sold(ebay_account, fake_ebay, horse_sku, 1)
    fake_ebay.settle([orders[0].channel_order_id])
    pull = do_start_settlement_pull(ebay_account, since=SINCE, acting_user=None)
    assert pulling.run(pull.pk) == "done"
    usd.delete()
    accounts = ChannelAccount.objects.filter(pk=ebay_account.pk)
    # when
    [line] = reconcile.reconcile(reconcile.lines_for(accounts=accounts), today=TODAY)
    totals = reconcile.by_producer([line])[horse_sku.producer_id]
    # then
    assert line.paid > 0
    assert totals.paid == 0
    assert totals.sale == 0
    assert [flag.code for flag in line.flags] == [reconcile.FlagCode.NO_RATE]
    assert "USD" in line.flags[0].reason
