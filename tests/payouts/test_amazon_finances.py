"""Amazon's payouts through the Finances API, over HTTP against the fake Amazon: the documented
shapes, paging, a settlement recorded once, 429 and 5xx retried from where the pull stopped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.utils import timezone

from niryat.catalog.models import Sku
from niryat.channels.amazon import finances
from niryat.channels.amazon.channel import AmazonChannel
from niryat.channels.models import ChannelAccount
from niryat.channels.secrets import encrypt
from niryat.channels.settlements import Charge
from niryat.payouts import pulling
from niryat.payouts.actions import do_start_settlement_pull
from niryat.payouts.models import Settlement, SettlementLine, SettlementPull
from tests.payouts.conftest import book_fake_order, go_live

FIXTURES = Path(__file__).parent / "fixtures"
SINCE = datetime(2024, 1, 1, tzinfo=UTC)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def keys_within(expected: Any, actual: Any) -> bool:
    """Every key the fixture's objects have is in the fake's (recursively, first items)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and keys_within(value, actual[key])
            for key, value in expected.items()
            if key not in ("NextToken",)
        )
    if isinstance(expected, list) and expected and actual:
        return keys_within(expected[0], actual[0])
    return True


def test_the_fixture_events_become_one_line_per_charge() -> None:
    # when
    lines = finances.event_lines(
        fixture("amazon_financial_events.json")["payload"]["FinancialEvents"]
    )
    # then: the sale, its GST, three fees and GST on them, TCS and TDS; the refund and the fees
    # given back; the reserve against the SKU; the service fee kept as "other"
    assert [(line.kind, line.amount, line.code) for line in lines] == [
        (Charge.SALE, Decimal("1696.43"), "Principal"),
        (Charge.SALE_TAX, Decimal("203.57"), "Tax"),
        (Charge.COMMISSION, Decimal("-190.0"), "Commission"),
        (Charge.FIXED_FEE, Decimal("-20.0"), "FixedClosingFee"),
        (Charge.SHIPPING_FEE, Decimal("-50.0"), "ShippingChargeback"),
        (Charge.FEE_GST, Decimal("-46.8"), "CommissionIGST"),
        (Charge.TCS, Decimal("-16.96"), "TCS-IGST"),
        (Charge.TDS, Decimal("-16.96"), "TDS"),
        (Charge.REFUND, Decimal("-848.21"), "Principal"),
        (Charge.REFUND_TAX, Decimal("-101.79"), "Tax"),
        (Charge.FEE_REVERSAL, Decimal("95.0"), "Commission"),
        (Charge.COMMISSION, Decimal("-19.0"), "RefundCommission"),
        (Charge.TCS, Decimal("8.48"), "TCS-IGST"),
        (Charge.RESERVE, Decimal("-150.0"), "ReserveDebit"),
        (Charge.OTHER, Decimal("-99.0"), "ServiceFeeEvent"),
    ]
    assert {(line.channel_order_id, line.line_id) for line in lines[:8]} == {
        ("403-1234567-7654321", "52986411826454")
    }
    assert lines[13].seller_sku == "TERR-HORSE-01"
    assert lines[13].channel_order_id == ""
    assert sum((line.amount for line in lines), Decimal(0)) == Decimal("444.76")


def test_the_fakes_finances_answer_in_the_documented_shape(
    fake_amazon: Any, amazon_account: ChannelAccount, horse_sku: Sku
) -> None:
    # given: an order settled by the fake
    go_live(amazon_account, horse_sku)
    order = fake_amazon.place_order("TERR-HORSE-01", 1)
    fake_amazon.settle([order["AmazonOrderId"]], returned=(), reserve={"TERR-HORSE-01": 100})
    api = AmazonChannel(amazon_account).api()
    # when
    groups = api.call("GET", finances.GROUPS, params={"FinancialEventGroupStartedAfter": "2000"})
    group_id = groups["payload"]["FinancialEventGroupList"][0]["FinancialEventGroupId"]
    events = api.call("GET", f"{finances.GROUPS}/{group_id}/financialEvents")
    # then
    assert keys_within(fixture("amazon_financial_event_groups.json"), groups)
    expected = fixture("amazon_financial_events.json")
    expected["payload"]["FinancialEvents"].pop("RefundEventList")
    expected["payload"]["FinancialEvents"].pop("ServiceFeeEventList")
    assert keys_within(expected, events)


@pytest.fixture
def settled(
    fake_amazon: Any, amazon_account: ChannelAccount, horse_sku: Sku, khadi_sku: Sku
) -> list[str]:
    """Three orders (two horses, a kurta) in our book, settled by Amazon in two groups."""
    go_live(amazon_account, horse_sku, khadi_sku)
    placed = [
        fake_amazon.place_order("TERR-HORSE-01", 1)["AmazonOrderId"],
        fake_amazon.place_order("KHADI-KURTA-M", 2)["AmazonOrderId"],
        fake_amazon.place_order("TERR-HORSE-01", 1)["AmazonOrderId"],
    ]
    for order_id in placed:
        book_fake_order(amazon_account, fake_amazon.orders[order_id])
    fake_amazon.settle(placed[:2], reserve={"TERR-HORSE-01": Decimal(100)})
    fake_amazon.settle(placed[2:])
    return placed


def test_a_pull_reads_every_page_and_records_each_settlement_once(
    fake_amazon: Any, amazon_account: ChannelAccount, settled: list[str]
) -> None:
    # given: one group a page, and one event (an order's shipment) a page of a group
    fake_amazon.groups_page_size = 1
    fake_amazon.events_page_size = 1
    # when: pulled twice
    for _twice in range(2):
        pull = do_start_settlement_pull(amazon_account, since=SINCE, acting_user=None)
        assert pulling.run(pull.pk) == "done"
    # then: two settlements, each once, every line matched to its order line
    assert Settlement.objects.count() == 2
    first = Settlement.objects.order_by("id").first()
    assert first is not None
    assert first.lines.count() == 2 * 8 + 1  # two items, eight charges each; the reserve
    assert first.total == first.lines_total
    assert first.paid_on is not None
    assert first.reference.startswith("NEFT")
    assert not SettlementLine.objects.filter(order_line__isnull=True).exists()
    assert SettlementPull.objects.filter(state="done").count() == 2
    assert SettlementPull.objects.order_by("id").last().recorded == 0  # type: ignore[union-attr]
    pages = [r for r in fake_amazon.requests if "financialEvents" in r.path]
    assert any("NextToken" in r.query for r in pages)


def test_a_429_then_a_503_are_retried_from_where_the_pull_stopped(
    fake_amazon: Any, amazon_account: ChannelAccount, settled: list[str], fast_retries: None
) -> None:
    # given: one group a page; the second page of groups answers 429, then 503
    fake_amazon.groups_page_size = 1
    fake_amazon.set_faults(
        broken=r"GET /finances/v0/financialEventGroups\?.*NextToken",
        broken_kind="429",
        retry_after=30,
    )
    pull = do_start_settlement_pull(amazon_account, since=SINCE, acting_user=None)
    # when
    state = pulling.run(pull.pk)
    # then: the first group is recorded, and the pull waits at least Retry-After
    pull.refresh_from_db()
    assert state == "pending"
    assert Settlement.objects.count() == 1
    assert pull.next_try_at >= timezone.now() + timedelta(seconds=29)
    assert "QuotaExceeded" in pull.last_error
    # when: tried again when due, and the page fails with 503 this time
    fake_amazon.set_faults(broken_times=1, broken_kind="503")
    assert pulling.run(pull.pk, now=pull.next_try_at) == "pending"
    pull.refresh_from_db()
    assert "ServiceUnavailable" in pull.last_error
    # when: tried again
    assert pulling.run(pull.pk, now=pull.next_try_at) == "done"
    # then: it went on from the second page; the first page was read once
    assert Settlement.objects.count() == 2
    first_pages = [
        r
        for r in fake_amazon.requests
        if r.path == finances.GROUPS and "FinancialEventGroupStartedAfter" in r.query
    ]
    assert len(first_pages) == 1
    assert pull.attempts == 2  # the object as of the second run; the third made it done


def test_a_pull_that_is_not_due_does_nothing(
    fake_amazon: Any, amazon_account: ChannelAccount
) -> None:
    pull = do_start_settlement_pull(amazon_account, since=SINCE, acting_user=None)
    SettlementPull.objects.filter(pk=pull.pk).update(
        next_try_at=timezone.now() + timedelta(hours=1)
    )
    assert pulling.run(pull.pk) == "pending"
    assert fake_amazon.requests == []


def test_refused_credentials_leave_the_pull_for_staff(
    fake_amazon: Any, amazon_account: ChannelAccount
) -> None:
    # given: a refresh token Amazon does not accept
    amazon_account.credentials_encrypted = encrypt(
        {"client_id": "x", "client_secret": "y", "refresh_token": "bad"}
    )
    amazon_account.save()
    pull = do_start_settlement_pull(amazon_account, since=SINCE, acting_user=None)
    # when
    assert pulling.run(pull.pk) == "failed"
    # then
    pull.refresh_from_db()
    assert "invalid_client" in pull.last_error
    assert Settlement.objects.count() == 0


def test_the_fake_settles_through_its_control_path(
    fake_amazon: Any, amazon_account: ChannelAccount, horse_sku: Sku
) -> None:
    go_live(amazon_account, horse_sku)
    order = fake_amazon.place_order("TERR-HORSE-01", 1)["AmazonOrderId"]
    answer = httpx.post(
        f"{fake_amazon.url}/_fake/settlements",
        json={"orders": [order], "returned": [order], "reserve": {"TERR-HORSE-01": 50}},
    )
    assert answer.status_code == 201
    groups = httpx.get(f"{fake_amazon.url}/_fake/state").json()["event_groups"]
    assert [g["FinancialEventGroupId"] for g in groups] == [answer.json()["FinancialEventGroupId"]]


def test_the_daily_command_queues_one_read_per_amazon_account(
    amazon_account: ChannelAccount, flipkart_account: ChannelAccount
) -> None:
    from django.core.management import call_command

    call_command("pull_settlements")
    call_command("pull_settlements")  # the first is still waiting: not queued twice
    pulls = SettlementPull.objects.all()
    assert [(pull.account_id, pull.state) for pull in pulls] == [(amazon_account.pk, "pending")]
    assert pulls[0].since < timezone.now() - timedelta(days=179)
