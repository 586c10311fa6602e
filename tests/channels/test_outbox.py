"""The outbox and the order book, over real HTTP to small fake markets: pushes that go live,
faults that retry (honouring Retry-After) and never duplicate, calls that need attention, orders
that arrive once, stock taken under row locks and pushed to every other channel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from niryat.catalog.actions import do_update_sku
from niryat.catalog.models import Sku
from niryat.channels import outbox, registry
from niryat.channels.actions import (
    do_add_warehouse,
    do_disconnect_account,
    do_pause_listing,
    do_push,
    do_request_orders,
    do_resume_listing,
    do_retry_entry,
    do_send_consignment,
    do_set_order_state,
    record_order,
)
from niryat.channels.base import OrderData, OrderLineData
from niryat.channels.models import (
    ChannelAccount,
    Listing,
    ListingEvent,
    Order,
    OutboxEntry,
    StockMove,
    WarehouseStock,
)
from niryat.core.models import District, User
from niryat.messaging.backends import local
from tests.channels.factories import drain
from tests.channels.market import FakeMarket


@pytest.fixture(scope="module")
def markets() -> Iterator[list[FakeMarket]]:
    fakes = [FakeMarket(), FakeMarket(), FakeMarket()]
    for fake in fakes:
        fake.start()
    yield fakes
    for fake in fakes:
        fake.stop()


@pytest.fixture
def accounts(markets, gorakhpur: District, monkeypatch, settings) -> list[ChannelAccount]:  # type: ignore[no-untyped-def]
    """Three centre accounts (as Amazon, Flipkart and eBay), each on its own fake market."""
    settings.CHANNEL_RETRY_SECONDS = 0.01
    settings.CHANNEL_POLL_SECONDS = 0.0
    settings.CHANNEL_HTTP_TIMEOUT = 0.5
    for code in ("amazon", "flipkart", "ebay"):
        monkeypatch.setitem(registry.CHANNEL_CLASSES, code, "tests.channels.market.MarketChannel")
    made = []
    for code, fake in zip(("amazon", "flipkart", "ebay"), markets, strict=True):
        fake.reset()
        made.append(
            ChannelAccount.objects.create(
                district=gorakhpur, channel=code, name="Centre", settings={"url": fake.url}
            )
        )
    return made


def listed_everywhere(sku: Sku, accounts: list[ChannelAccount], ganesh: User) -> None:
    for account in accounts:
        do_push([sku], account, acting_user=ganesh)
    drain()


def test_a_push_goes_live_after_the_marketplace_reviews_it(
    accounts, markets, horse_sku: Sku, ganesh: User
) -> None:  # type: ignore[no-untyped-def]
    # when
    result = do_push([horse_sku], accounts[0], acting_user=ganesh)
    # then it waits in the outbox, ready
    listing = Listing.objects.get(sku=horse_sku, account=accounts[0])
    assert (result.queued, result.not_ready) == ([listing], [])
    assert listing.state == "ready"
    # when the worker makes the calls: accepted (submitted), then polled (live)
    drain()
    listing.refresh_from_db()
    assert (listing.state, listing.external_id) == ("live", "MTERR-HORSE-01")
    history = list(listing.events.order_by("id").values_list("state_from", "state_to"))
    assert history == [("draft", "ready"), ("ready", "submitted"), ("submitted", "live")]
    assert markets[0].listings["TERR-HORSE-01"]["quantity"] == 12


def test_a_sku_that_fails_the_marketplace_rules_is_not_sent(
    accounts, markets, horse_sku: Sku, ganesh: User
) -> None:  # type: ignore[no-untyped-def]
    # given a title too long for this market
    do_update_sku(horse_sku, acting_user=ganesh, title_en="Terracotta horse " * 5)
    # when
    result = do_push([horse_sku], accounts[0], acting_user=ganesh)
    drain()
    # then
    assert result.queued == []
    [(sku, problems)] = result.not_ready
    assert (sku, [(p.field, str(p.message)) for p in problems]) == (
        horse_sku,
        [("title_en", "Market titles are at most 60 characters.")],
    )
    assert Listing.objects.get(sku=horse_sku).state == "draft"
    assert markets[0].listings == {}


def test_429s_are_retried_after_retry_after_and_the_listing_is_created_once(
    accounts, markets, horse_sku: Sku, ganesh: User
) -> None:  # type: ignore[no-untyped-def]
    # given the market answers 429 (Retry-After 30 s) twice, then a 503
    markets[0].set_faults(rate_limited=2, retry_after=30, server_errors=1)
    do_push([horse_sku], accounts[0], acting_user=ganesh)
    entry = OutboxEntry.objects.get(operation="submit")
    # when the worker tries now
    before = timezone.now()
    outbox.run(entry.pk)
    # then the call waits at least Retry-After, and so does the whole account
    entry.refresh_from_db()
    accounts[0].refresh_from_db()
    assert (entry.state, entry.attempts, entry.last_status) == ("pending", 1, 429)
    assert entry.next_try_at >= before + timedelta(seconds=30)
    assert accounts[0].next_call_at >= before + timedelta(seconds=30)
    assert outbox.run(entry.pk) is False  # not due yet: nothing is sent
    assert len(markets[0].requests) == 1
    # when the account's turn comes (the test moves its clock rather than sleeping)
    ChannelAccount.objects.filter(pk=accounts[0].pk).update(next_call_at=None)
    drain()
    # then it is live, once, after 4 calls to submit (429, 429, 503, accepted) and one poll
    listing = Listing.objects.get(sku=horse_sku)
    assert listing.state == "live"
    assert markets[0].creations == 1
    submits = [r for r in markets[0].requests if r.method == "PUT"]
    assert len(submits) == 4
    assert {r.headers["idempotency-key"] for r in submits} == {entry.idempotency_key}
    assert listing.events.filter(state_to="live").count() == 1


def test_a_call_that_got_no_answer_is_not_asked_again_sooner_than_we_waited_for_it(
    accounts, markets, horse_sku: Sku, ganesh: User, settings
) -> None:  # type: ignore[no-untyped-def]
    # given the market takes longer than our timeout over a submission (it may still make it)
    settings.CHANNEL_HTTP_TIMEOUT = 0.3
    markets[0].set_faults(broken="PUT /items", broken_kind="timeout", timeout_delay=0.6)
    do_push([horse_sku], accounts[0], acting_user=ganesh)
    entry = OutboxEntry.objects.get(operation="submit")
    # when the worker tries, and gets no answer (after 0.3 s)
    before = timezone.now()
    outbox.run(entry.pk)
    # then the retry waits at least as long again, however short its backoff
    entry.refresh_from_db()
    assert (entry.state, entry.attempts, entry.last_status) == ("pending", 1, None)
    assert entry.next_try_at >= before + timedelta(seconds=0.6)


def test_a_lost_worker_is_covered_by_its_lease_and_the_retry_changes_nothing(
    accounts, markets, horse_sku: Sku, ganesh: User
) -> None:  # type: ignore[no-untyped-def]
    # given a worker claimed the submission, made the call and died before recording it
    do_push([horse_sku], accounts[0], acting_user=ganesh)
    entry = OutboxEntry.objects.get(operation="submit")
    assert outbox.claim(entry.pk, timezone.now()) is not None
    markets[0].listings["TERR-HORSE-01"] = {"status": "IN_REVIEW", "quantity": 12, "id": "M1"}
    markets[0].creations = 1
    assert outbox.run(entry.pk) is False  # another worker leaves it alone while leased
    # when the lease runs out
    drain()
    # then the same call was made again, and the market still holds one listing
    assert OutboxEntry.objects.get(pk=entry.pk).state == "done"
    assert markets[0].creations == 1
    assert Listing.objects.get(sku=horse_sku).state == "live"


def test_permanent_errors_need_attention_and_staff_retry_them(
    accounts, markets, horse_sku: Sku, ganesh: User, settings
) -> None:  # type: ignore[no-untyped-def]
    # given a market that answers 503 more times than the outbox tries
    settings.CHANNEL_MAX_ATTEMPTS = 3
    markets[0].set_faults(server_errors=3)
    do_push([horse_sku], accounts[0], acting_user=ganesh)
    drain()
    entry = OutboxEntry.objects.get(operation="submit")
    assert (entry.state, entry.attempts, entry.last_status) == ("failed", 3, 503)
    assert list(OutboxEntry.objects.visible_to(ganesh).needs_attention()) == [entry]
    # when staff retry
    do_retry_entry(entry, acting_user=ganesh)
    drain()
    # then
    assert OutboxEntry.objects.get(pk=entry.pk).state == "done"
    assert Listing.objects.get(sku=horse_sku).state == "live"


def test_a_listing_that_never_goes_live_ends_up_needing_attention(
    accounts, markets, horse_sku: Sku, ganesh: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.CHANNEL_MAX_POLLS = 3
    markets[0].set_faults(never_live=True)
    do_push([horse_sku], accounts[0], acting_user=ganesh)
    drain()
    poll = OutboxEntry.objects.get(operation="poll")
    assert poll.state == "failed"
    assert "still in review" in poll.last_error
    assert Listing.objects.get(sku=horse_sku).state == "submitted"


def test_a_rejection_is_shown_with_the_marketplace_errors(
    accounts, markets, horse_sku: Sku, ganesh: User
) -> None:  # type: ignore[no-untyped-def]
    markets[0].set_faults(
        reject={"TERR-HORSE-01": [{"code": "90220", "message": "item_name is required"}]}
    )
    do_push([horse_sku], accounts[0], acting_user=ganesh)
    drain()
    listing = Listing.objects.get(sku=horse_sku)
    assert listing.state == "rejected"
    assert listing.errors == [
        {
            "field": "title_en",
            "code": "90220",
            "message": "item_name is required",
            "explanation": "",
        }
    ]
    assert ListingEvent.objects.filter(listing=listing, state_to="rejected").count() == 1


def test_an_order_arrives_once_takes_stock_and_every_other_channel_hears(
    accounts, markets, horse_sku: Sku, ganesh: User, ramu
) -> None:  # type: ignore[no-untyped-def]
    # given the horse live on three markets, 12 in stock
    listed_everywhere(horse_sku, accounts, ganesh)
    local.outbox.clear()
    # when a buyer orders 2 on the first, reported twice
    markets[0].place_order("TERR-HORSE-01", 2)
    markets[0].set_faults(duplicate_orders=True)
    do_request_orders(accounts[0], acting_user=ganesh)
    drain()
    # then one order, stock 10, and the other two markets offer 10
    order = Order.objects.get()
    assert (order.channel_order_id, order.state, order.total, order.producer) == (
        "MKT-00001",
        "new",
        Decimal("1900.00"),
        ramu,
    )
    horse_sku.refresh_from_db()
    assert horse_sku.stock == 10
    assert [m.listings["TERR-HORSE-01"]["quantity"] for m in markets[1:]] == [10, 10]
    assert list(StockMove.objects.values_list("change", "balance", "reason")) == [(-2, 10, "order")]
    # and Ramu hears of it in Hindi
    from tests.catalog.factories import run_tasks

    run_tasks()
    [message] = local.outbox
    assert message.to == "+919839012345"
    assert message.text.startswith("Amazon पर नया ऑर्डर")
    assert "× 2" in message.text


def test_the_last_unit_sold_twice_is_accepted_once_and_cancelled_back_once(
    accounts, markets, horse_sku: Sku, ganesh: User
) -> None:  # type: ignore[no-untyped-def]
    # given one unit left, live on two markets
    do_update_sku(horse_sku, acting_user=ganesh, stock=1)
    listed_everywhere(horse_sku, accounts[:2], ganesh)
    markets[0].place_order("TERR-HORSE-01", 1)
    markets[1].place_order("TERR-HORSE-01", 1)
    # when both orders come home
    do_request_orders(accounts[0], acting_user=ganesh)
    do_request_orders(accounts[1], acting_user=ganesh)
    drain()
    # then the first is taken, the second cancelled back to its market with the reason
    first, second = Order.objects.order_by("account_id")
    assert (first.state, second.state) == ("new", "cancelled")
    assert second.cancel_reason == "Out of stock: TERR-HORSE-01"
    assert markets[1].cancelled == {"MKT-00001": "Out of stock: TERR-HORSE-01"}
    horse_sku.refresh_from_db()
    assert horse_sku.stock == 0


def test_an_order_cancelled_by_staff_gives_the_stock_back(
    accounts, horse_sku: Sku, ganesh: User
) -> None:  # type: ignore[no-untyped-def]
    listed_everywhere(horse_sku, accounts[:1], ganesh)
    line = OrderLineData("terr-horse-01", 3, Decimal("950.00"))
    order = record_order(accounts[0], OrderData("A-1", timezone.now(), [line]))
    assert Sku.objects.get(pk=horse_sku.pk).stock == 9
    with pytest.raises(ValidationError):
        do_set_order_state(order, "cancelled", acting_user=ganesh)  # no reason
    do_set_order_state(order, "cancelled", acting_user=ganesh, reason="Buyer asked")
    assert Sku.objects.get(pk=horse_sku.pk).stock == 12
    assert Order.objects.get(pk=order.pk).state == "cancelled"
    with pytest.raises(ValidationError):
        do_set_order_state(order, "shipped", acting_user=ganesh)


def test_staff_changing_price_and_stock_reaches_every_live_listing(
    accounts, markets, horse_sku: Sku, ganesh: User
) -> None:  # type: ignore[no-untyped-def]
    # given the horse live on two markets
    listed_everywhere(horse_sku, accounts[:2], ganesh)
    # when staff change its price twice and its stock once
    do_update_sku(horse_sku, acting_user=ganesh, price=Decimal("990.00"))
    do_update_sku(horse_sku, acting_user=ganesh, price=Decimal("1000.00"), stock=7)
    drain()
    # then both markets have the latest price and the stock; the first price call was replaced
    for market in markets[:2]:
        assert market.listings["TERR-HORSE-01"]["price"] == "1000.00"
        assert market.listings["TERR-HORSE-01"]["quantity"] == 7
    assert OutboxEntry.objects.filter(operation="price", state="superseded").count() == 2
    assert list(StockMove.objects.values_list("change", "balance", "reason")) == [(-5, 7, "edit")]


def test_a_paused_listing_offers_nothing_until_resumed(
    accounts, markets, horse_sku: Sku, ganesh: User
) -> None:  # type: ignore[no-untyped-def]
    listed_everywhere(horse_sku, accounts[:1], ganesh)
    listing = Listing.objects.get(sku=horse_sku)
    do_pause_listing(listing, acting_user=ganesh)
    drain()
    assert markets[0].listings["TERR-HORSE-01"]["quantity"] == 0
    do_resume_listing(listing, acting_user=ganesh)
    drain()
    assert markets[0].listings["TERR-HORSE-01"]["quantity"] == 12
    assert Listing.objects.get(pk=listing.pk).state == "live"


def test_calls_to_one_account_keep_to_its_rate(
    accounts, markets, horse_sku: Sku, ganesh: User, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # given a marketplace that takes one call every 10 seconds
    monkeypatch.setattr("tests.channels.market.MarketChannel.calls_per_second", 0.1)
    listed_everywhere(horse_sku, accounts[:1], ganesh)
    ChannelAccount.objects.update(next_call_at=None)
    do_update_sku(horse_sku, acting_user=ganesh, price=Decimal("990.00"), stock=7)
    price, stock = OutboxEntry.objects.filter(state="pending").order_by("id")
    now = timezone.now()
    # when both calls are due at once
    assert outbox.run(price.pk, now) is True
    assert outbox.run(stock.pk, now) is False
    # then the second waits its turn, 10 s later
    stock.refresh_from_db()
    assert stock.state == "pending"
    assert stock.next_try_at == now + timedelta(seconds=10)


def test_a_disconnected_account_is_not_called_and_forgets_its_credentials(
    accounts, markets, horse_sku: Sku, ganesh: User
) -> None:  # type: ignore[no-untyped-def]
    do_push([horse_sku], accounts[0], acting_user=ganesh)
    do_disconnect_account(accounts[0], acting_user=ganesh)
    drain()
    assert markets[0].requests == []
    assert OutboxEntry.objects.get().state == "superseded"
    assert ChannelAccount.objects.get(pk=accounts[0].pk).credentials_encrypted == ""
    with pytest.raises(ValidationError):
        do_push([horse_sku], accounts[0], acting_user=ganesh)


def test_an_order_shipped_from_a_marketplace_warehouse_leaves_the_producers_stock(
    accounts, horse_sku: Sku, ganesh: User, gorakhpur: District
) -> None:  # type: ignore[no-untyped-def]
    # given 5 horses sent to the marketplace's warehouse
    listed_everywhere(horse_sku, accounts[:1], ganesh)
    warehouse = do_add_warehouse(
        channel="amazon", code="LKO1", name="Fulfilment centre", city="Lucknow", acting_user=ganesh
    )
    do_send_consignment(
        district=gorakhpur,
        warehouse=warehouse,
        lines=[(horse_sku, 5)],
        sent_on=timezone.localdate(),
        reference="GKP-2026-11",
        acting_user=ganesh,
    )
    assert Sku.objects.get(pk=horse_sku.pk).stock == 7
    # when the marketplace ships 2 from there
    line = OrderLineData("TERR-HORSE-01", 2, Decimal("950.00"))
    record_order(
        accounts[0], OrderData("A-9", timezone.now(), [line], fulfilled_by_marketplace=True)
    )
    # then the warehouse has 3 and the producer still 7
    assert WarehouseStock.objects.get().quantity == 3
    assert Sku.objects.get(pk=horse_sku.pk).stock == 7


def test_a_pull_that_brings_orders_home_before_a_fault_starts_its_attempts_again(
    accounts, markets, horse_sku: Sku, ganesh: User, settings
) -> None:  # type: ignore[no-untyped-def]
    # given two orders, the second of which the market cannot show for now
    settings.CHANNEL_MAX_ATTEMPTS = 2
    listed_everywhere(horse_sku, accounts[:1], ganesh)
    markets[0].place_order("TERR-HORSE-01", 1)
    second = markets[0].place_order("TERR-HORSE-01", 1)
    markets[0].broken_orders.add(second["id"])
    entry = do_request_orders(accounts[0], acting_user=ganesh)
    OutboxEntry.objects.filter(pk=entry.pk).update(attempts=1)  # one failure already
    ChannelAccount.objects.update(next_call_at=None)  # its turn now (drain moved the clock)
    # when the pull records the first order, then fails
    outbox.run(entry.pk)
    # then it is not given up: it made progress
    entry.refresh_from_db()
    assert (entry.state, entry.attempts) == ("pending", 1)
    assert list(Order.objects.values_list("channel_order_id", flat=True)) == ["MKT-00001"]
    # and once the market recovers, the second comes home too
    markets[0].broken_orders.clear()
    drain()
    assert Order.objects.count() == 2
    assert OutboxEntry.objects.get(pk=entry.pk).state == "done"
