"""Every marketplace's quantity converges to our stock, over real HTTP to the fake Amazon, Flipkart
and eBay: a stock push waits for an earlier cancellation of an order holding the SKU (Flipkart
and Amazon add a cancelled unit back on top of what they offer); a random mix of orders,
cancellations, returns, stock edits and pauses under 429s and 503s ends with every fake offering
what we hold; drift made behind our back is found by the quantity check and corrected, with a note
on the listing."""

from __future__ import annotations

import io
import random
from decimal import Decimal
from typing import Any

import httpx
import pytest
from django.core.management import call_command

from fakes.flipkart import APPLICATION_ID, APPLICATION_SECRET
from niryat.catalog.actions import do_update_sku
from niryat.catalog.models import Sku
from niryat.channels import outbox
from niryat.channels.actions import (
    do_pause_listing,
    do_push,
    do_request_orders,
    do_request_quantity_check,
    do_resume_listing,
    do_set_order_state,
    quantity_for,
)
from niryat.channels.amazon import api as amazon_api
from niryat.channels.amazon import channel as amazon_channel
from niryat.channels.ebay import channel as ebay_channel
from niryat.channels.ebay.api import forget_tokens
from niryat.channels.models import (
    ChannelAccount,
    ExchangeRate,
    Listing,
    ListingEvent,
    Order,
    OutboxEntry,
)
from niryat.channels.secrets import encrypt
from niryat.core.models import District, User
from tests.catalog.factories import add_sku
from tests.channels.factories import drain
from tests.conftest import client_for

FLIPKART_LOCATION = "LOC8bdd7abceca4423a839d935584ee6f19"
FSNS = {"TERR-HORSE-01": "TERFZ8GHYQ2HNXJM", "TERR-HORSE-02": "TERFZ8GHYQ2HNXJN"}


@pytest.fixture(autouse=True)
def fresh_tokens() -> None:
    amazon_api.tokens.clear()
    amazon_channel._order_items.clear()
    forget_tokens()
    ebay_channel._setup_checked.clear()


@pytest.fixture
def fakes(fake_amazon: Any, fake_flipkart: Any, fake_ebay: Any, fast_retries: None) -> dict:  # type: ignore[type-arg]
    return {"amazon": fake_amazon, "flipkart": fake_flipkart, "ebay": fake_ebay}


@pytest.fixture
def accounts(gorakhpur: District, fakes: dict[str, Any]) -> dict[str, ChannelAccount]:
    """The centre's accounts on the three fakes."""
    ExchangeRate.objects.create(currency="USD", inr_per_unit=Decimal("83.2500"))
    ebay = fakes["ebay"]
    made = {
        "amazon": (
            {
                "client_id": "amzn1.application-oa2-client.niryatgorakhpur",
                "client_secret": "amzn1.oa2-cs.v1.secret",
                "refresh_token": "Atzr|IwEBIGorakhpurEdc",
            },
            {"seller_id": "A2GORAKHPUR01", "marketplace_id": "A21TJRUUN4KGV"},
        ),
        "flipkart": (
            {"application_id": APPLICATION_ID, "application_secret": APPLICATION_SECRET},
            {"location_id": FLIPKART_LOCATION},
        ),
        "ebay": (
            {
                "client_id": ebay.CLIENT_ID,
                "client_secret": ebay.CLIENT_SECRET,
                "refresh_token": ebay.REFRESH_TOKEN,
            },
            {
                "marketplace_id": "EBAY_US",
                "currency": "USD",
                "merchant_location_key": ebay.LOCATION_KEY,
                "fulfillment_policy_id": ebay.FULFILLMENT_POLICY_ID,
                "payment_policy_id": ebay.PAYMENT_POLICY_ID,
                "return_policy_id": ebay.RETURN_POLICY_ID,
            },
        ),
    }
    return {
        code: ChannelAccount.objects.create(
            district=gorakhpur,
            channel=code,
            name=f"Gorakhpur EDC on {code}",
            credentials_encrypted=encrypt(credentials),
            settings=settings,
        )
        for code, (credentials, settings) in made.items()
    }


def list_everywhere(skus: list[Sku], accounts: dict[str, ChannelAccount], user: User) -> None:
    for sku in skus:
        # Flipkart knows the product from the catalogue sheet: its FSN is recorded.
        Listing.objects.create(
            sku=sku, account=accounts["flipkart"], external_id=FSNS[sku.seller_sku]
        )
    for account in accounts.values():
        result = do_push(skus, account, acting_user=user)
        assert result.not_ready == []
        assert result.waiting == []
    drain()
    assert set(Listing.objects.values_list("state", flat=True)) == {"live"}


def offered_everywhere(fakes: dict[str, Any], sku: Sku) -> dict[str, int | None]:
    return {code: fake.offered(sku.seller_sku) for code, fake in fakes.items()}


def stock(sku: Sku) -> int:
    return Sku.objects.values_list("stock", flat=True).get(pk=sku.pk)


@pytest.fixture
def horse(horse_sku: Sku, accounts: dict[str, ChannelAccount], ganesh: User) -> Sku:
    """The terracotta horse, 12 in stock, live on Amazon, Flipkart and eBay."""
    list_everywhere([horse_sku], accounts, ganesh)
    return horse_sku


def pull_orders(accounts: dict[str, ChannelAccount]) -> None:
    for account in accounts.values():
        do_request_orders(account, acting_user=None)
    drain()


def assert_converged(fakes: dict[str, Any]) -> None:
    """Every listing on the marketplace offers what we hold (0 while paused)."""
    offers = [
        (
            listing.account.channel,
            listing.sku.seller_sku,
            fakes[listing.account.channel].offered(listing.sku.seller_sku),
        )
        for listing in Listing.objects.select_related("account", "sku").order_by("pk")
    ]
    ours = [
        (listing.account.channel, listing.sku.seller_sku, quantity_for(listing))
        for listing in Listing.objects.select_related("account", "sku").order_by("pk")
    ]
    assert offers == ours


# -- the reproduced bug ------------------------------------------------------------------------
@pytest.mark.parametrize("fault", [False, True], ids=["calm", "cancellation-meets-503"])
def test_staff_cancel_a_flipkart_order_and_every_marketplace_offers_our_stock(
    fault: bool,
    horse: Sku,
    accounts: dict[str, ChannelAccount],
    fakes: dict[str, Any],
    ganesh: User,
) -> None:
    # given: a buyer orders one horse on Flipkart, and the order comes home: 12 → 11 everywhere
    fakes["flipkart"].place_order("TERR-HORSE-01", 1)
    pull_orders(accounts)
    order = Order.objects.get(account=accounts["flipkart"])
    assert stock(horse) == 11
    assert offered_everywhere(fakes, horse) == {"amazon": 11, "flipkart": 11, "ebay": 11}

    # when: staff cancel it (and, in the second run, Flipkart's first answer is a 503)
    do_set_order_state(order, "cancelled", acting_user=ganesh, reason="Broken in the kiln")
    if fault:
        fakes["flipkart"].set_faults(server_errors=1)
    drain()

    # then: our stock is back to 12, and every marketplace offers 12, Flipkart too (it added
    # the cancelled unit back, then heard our 12 after that)
    assert stock(horse) == 12
    assert offered_everywhere(fakes, horse) == {"amazon": 12, "flipkart": 12, "ebay": 12}
    paths = [r.path for r in fakes["flipkart"].requests]
    cancels = [i for i, path in enumerate(paths) if path == "/sellers/v3/shipments/cancel"]
    pushes = [i for i, path in enumerate(paths) if path == "/sellers/listings/v3/update/inventory"]
    # the cancellation (after the 503, on its second try) went before the push that followed
    assert OutboxEntry.objects.get(operation="cancel_order").attempts == int(fault)
    assert len(fakes["flipkart"].state()["cancellations"]) == 1
    assert pushes[-1] > cancels[-1]
    # and a second sync changes nothing
    pull_orders(accounts)
    assert offered_everywhere(fakes, horse) == {"amazon": 12, "flipkart": 12, "ebay": 12}


def test_a_stock_push_is_not_claimed_before_the_cancellation_it_follows(
    horse: Sku, accounts: dict[str, ChannelAccount], fakes: dict[str, Any], ganesh: User
) -> None:
    # given: an Amazon order, cancelled by staff
    fakes["amazon"].place_order("TERR-HORSE-01", 2)
    pull_orders(accounts)
    order = Order.objects.get(account=accounts["amazon"])
    do_set_order_state(order, "cancelled", acting_user=ganesh, reason="Buyer called")

    # then: Amazon's stock push waits for the cancellation, the others wait for nothing
    cancel = OutboxEntry.objects.get(operation="cancel_order")
    pending = OutboxEntry.objects.filter(operation="stock", state="pending")
    assert {e.account.channel: list(e.after.all()) for e in pending} == {
        "amazon": [cancel],
        "flipkart": [],
        "ebay": [],
    }
    push = pending.get(account=accounts["amazon"])
    assert outbox.claim(push.pk, push.next_try_at) is None
    # when the cancellation is made, the push is claimed and Amazon ends at our 12
    drain()
    push.refresh_from_db()
    assert (push.state, stock(horse)) == ("done", 12)
    assert offered_everywhere(fakes, horse) == {"amazon": 12, "flipkart": 12, "ebay": 12}


def test_fakes_add_a_cancelled_unit_back_as_their_apis_document(
    horse: Sku, accounts: dict[str, ChannelAccount], fakes: dict[str, Any], ganesh: User
) -> None:
    """Flipkart and Amazon offer a seller-cancelled unit again; eBay only when asked to relist
    it (relistLineItem), which we do not ask."""
    for code in ("amazon", "flipkart", "ebay"):
        fakes[code].place_order("TERR-HORSE-01", 1)
    pull_orders(accounts)
    assert stock(horse) == 9
    # when: the cancellations are made on their own, before any stock push
    for order in Order.objects.order_by("pk"):
        do_set_order_state(order, "cancelled", acting_user=ganesh, reason="Kiln broke")
    OutboxEntry.objects.filter(operation="stock", state="pending").update(state="superseded")
    drain()
    # then
    assert offered_everywhere(fakes, horse) == {"amazon": 10, "flipkart": 10, "ebay": 9}


# -- a random mix under faults -----------------------------------------------------------------
@pytest.mark.parametrize("seed", [7, 2026])
def test_a_random_mix_of_orders_cancellations_returns_edits_and_pauses_converges(
    seed: int,
    horse_sku: Sku,
    accounts: dict[str, ChannelAccount],
    fakes: dict[str, Any],
    ganesh: User,
) -> None:
    # given: two horses live everywhere
    second = add_sku(horse_sku.product, ganesh, seller_sku="TERR-HORSE-02", size="L")
    skus = [horse_sku, second]
    list_everywhere(skus, accounts, ganesh)
    chance = random.Random(seed)
    # and every marketplace answers a fifth of its calls with a 429 or a 503
    for n, fake in enumerate(fakes.values()):
        fake.set_faults(fault_ratio=0.2, timeout_delay=0.0, retry_after=1, seed=seed + n)

    # when: forty things happen, the worker draining after each
    for _step in range(40):
        sku = chance.choice(skus)
        code = chance.choice(sorted(fakes))
        what = chance.choice(["order", "order", "cancel", "return", "edit", "pause"])
        if what == "order":
            fake = fakes[code]
            if (fake.offered(sku.seller_sku) or 0) >= 1:
                try:
                    fake.place_order(sku.seller_sku, 1)
                except ValueError:
                    pass  # not buyable there now (paused on Amazon's side, say)
            do_request_orders(accounts[code], acting_user=None)
        elif what in ("cancel", "return"):
            open_orders = Order.objects.filter(state=Order.State.NEW).order_by("pk")
            order = open_orders.first() if open_orders.exists() else None
            if order is not None and what == "cancel":
                do_set_order_state(order, "cancelled", acting_user=ganesh, reason="Kiln broke")
            elif order is not None:
                do_set_order_state(order, "accepted", acting_user=ganesh)
                do_set_order_state(order, "packed", acting_user=ganesh)
                do_set_order_state(
                    order,
                    "shipped",
                    acting_user=ganesh,
                    carrier="India Post",
                    tracking_number=f"EM{order.pk:09d}IN",
                )
                do_set_order_state(order, "returned", acting_user=ganesh)
        elif what == "edit":
            do_update_sku(
                Sku.objects.get(pk=sku.pk), acting_user=ganesh, stock=chance.randint(0, 15)
            )
        else:
            listing = Listing.objects.get(sku=sku, account=accounts[code])
            if listing.state == Listing.State.LIVE:
                do_pause_listing(listing, acting_user=ganesh)
            elif listing.state == Listing.State.PAUSED:
                do_resume_listing(listing, acting_user=ganesh)
        drain()
        # then, after every step: every listing offers what we hold (0 while paused)
        assert_converged(fakes)

    # and no call needs attention; orders came, and some were cancelled and returned
    failed = OutboxEntry.objects.filter(state="failed").values_list("operation", "last_error")
    assert list(failed) == []
    states = set(Order.objects.values_list("state", flat=True))
    assert {"cancelled", "returned"} <= states, states


# -- the quantity check ------------------------------------------------------------------------
def test_the_quantity_check_corrects_drift_and_notes_it_on_the_listing(
    horse: Sku,
    accounts: dict[str, ChannelAccount],
    fakes: dict[str, Any],
    ganesh: User,
) -> None:
    # given: someone sets the horse to 6 in Flipkart's Seller Hub; we hold 12
    answer = httpx.post(
        f"{fakes['flipkart'].url}/_fake/quantity", json={"sku": "TERR-HORSE-01", "quantity": 6}
    )
    assert answer.json() == {"sku": "TERR-HORSE-01", "quantity": 6}

    # when: staff start a quantity check from the account page, and the worker runs
    client = client_for(ganesh)
    account = accounts["flipkart"]
    response = client.post(f"/channels/accounts/{account.uuid}/", {"check_quantities": "1"})
    assert response.status_code == 302
    drain()

    # then: Flipkart offers 12 again; the drift is on the listing, the others untouched
    assert offered_everywhere(fakes, horse) == {"amazon": 12, "flipkart": 12, "ebay": 12}
    listing = Listing.objects.get(account=account)
    assert listing.quantity_corrected_at is not None
    assert [(e.offered, e.held) for e in ListingEvent.objects.exclude(offered=None)] == [(6, 12)]
    assert Listing.objects.exclude(quantity_corrected_at=None).count() == 1
    page = client.get(f"/channels/listings/{listing.uuid}/").content.decode()
    assert "Flipkart offered 6, we hold 12: corrected" in page
    listings_page = client.get("/channels/listings/").content.decode()
    assert listings_page.count("quantity corrected") == 1
    # and in Hindi
    client.cookies["niryat_language"] = "hi"
    page = client.get(f"/channels/listings/{listing.uuid}/").content.decode()
    assert "Flipkart पर 6 दिख रहे थे, हमारे पास 12 हैं: ठीक किया गया" in page


def test_a_paused_listing_offers_nothing_and_a_pending_push_is_left_alone(
    horse: Sku, accounts: dict[str, ChannelAccount], fakes: dict[str, Any], ganesh: User
) -> None:
    # given: eBay paused (offers 0), and a staff edit to 10 whose push to Amazon has not gone
    # out yet (the others have)
    do_pause_listing(Listing.objects.get(account=accounts["ebay"]), acting_user=ganesh)
    drain()
    do_update_sku(Sku.objects.get(pk=horse.pk), acting_user=ganesh, stock=10)
    OutboxEntry.objects.filter(operation="stock", account=accounts["amazon"]).update(
        next_try_at="2100-01-01T00:00:00Z"
    )
    drain(rounds=3)
    # and then eBay shows 3 and Amazon 20, changed behind our back
    fakes["ebay"].set_offered("TERR-HORSE-01", 3)
    fakes["amazon"].set_offered("TERR-HORSE-01", 20)

    # when: the checks run on both
    for code in ("ebay", "amazon"):
        do_request_quantity_check(accounts[code], acting_user=ganesh)
    drain(rounds=3)

    # then: eBay's drift is noted (3 offered, 0 held while paused); Amazon's is not, its push
    # is still to come
    assert [
        (e.listing.account.channel, e.offered, e.held)
        for e in ListingEvent.objects.exclude(offered=None)
    ] == [("ebay", 3, 0)]
    OutboxEntry.objects.filter(operation="stock", state="pending").update(
        next_try_at="2000-01-01T00:00:00Z"
    )
    drain()
    assert offered_everywhere(fakes, horse) == {"amazon": 10, "flipkart": 10, "ebay": 0}


def test_channels_sync_queues_one_quantity_check_per_account(
    horse: Sku, accounts: dict[str, ChannelAccount], fakes: dict[str, Any], ganesh: User
) -> None:
    # given: Amazon drifted to 2
    fakes["amazon"].set_offered("TERR-HORSE-01", 2)
    # and a check already waits for eBay
    waiting = do_request_quantity_check(accounts["ebay"], acting_user=None)
    assert do_request_quantity_check(accounts["ebay"], acting_user=ganesh) == waiting

    # when: the command runs (once: it makes the due calls too)
    out = io.StringIO()
    call_command("channels_sync", stdout=out)
    assert out.getvalue().startswith("Orders requested from 3 accounts;")
    drain()

    # then: one check per account was made, and Amazon offers our 12 again
    checks = OutboxEntry.objects.filter(operation="reconcile")
    assert sorted(checks.values_list("account__channel", flat=True)) == [
        "amazon",
        "ebay",
        "flipkart",
    ]
    assert set(checks.values_list("state", flat=True)) == {"done"}
    assert offered_everywhere(fakes, horse) == {"amazon": 12, "flipkart": 12, "ebay": 12}
    assert [(e.offered, e.held) for e in ListingEvent.objects.exclude(offered=None)] == [(2, 12)]


def test_a_sale_not_yet_fetched_is_not_taken_for_drift(
    horse: Sku, accounts: dict[str, ChannelAccount], fakes: dict[str, Any]
) -> None:
    # given: a buyer takes 2 horses on Amazon (it offers 10) and we have not heard yet
    fakes["amazon"].place_order("TERR-HORSE-01", 2)

    # when: the order fetch and the quantity check are queued together, as channels_sync does
    pull = do_request_orders(accounts["amazon"], acting_user=None)
    check = do_request_quantity_check(accounts["amazon"], acting_user=None)
    drain()

    # then: the check waited for the fetch, so the sale is an order, not drift to "correct"
    assert list(check.after.all()) == [pull]
    assert stock(horse) == 10
    assert ListingEvent.objects.exclude(offered=None).count() == 0
    assert offered_everywhere(fakes, horse) == {"amazon": 10, "flipkart": 10, "ebay": 10}
