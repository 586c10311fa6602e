"""Flipkart: rules, payloads, the catalogue sheet and FSN report, and every call over HTTP to the
fake Marketplace Seller API, faults included."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from fakes.flipkart import APPLICATION_ID, APPLICATION_SECRET
from niryat.catalog.models import Sku
from niryat.channels import outbox
from niryat.channels.actions import do_request_orders
from niryat.channels.base import ChannelError, FieldError
from niryat.channels.flipkart import FlipkartChannel, api
from niryat.channels.flipkart.channel import orders_from_shipments
from niryat.channels.models import ChannelAccount, Listing, Order, OutboxEntry
from niryat.channels.secrets import encrypt
from niryat.core.http import HttpError
from tests.channels.factories import PAYLOADS

FIXTURES = PAYLOADS / "flipkart"
LOCATION = "LOC8bdd7abceca4423a839d935584ee6f19"
KURTA_FSN = "KTAFZ8GHYQ2HNXJM"
HORSE_FSN = "SPTFZ8GHYQ2HNXJN"


def payload(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def keys(value: Any) -> Any:
    """The key structure of a JSON value (dict keys all the way down)."""
    if isinstance(value, dict):
        return {key: keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [keys(item) for item in value]
    return type(value).__name__


@pytest.fixture(autouse=True)
def no_cached_tokens() -> None:
    api.forget_tokens()


@pytest.fixture
def account(gorakhpur) -> ChannelAccount:  # type: ignore[no-untyped-def]
    return ChannelAccount.objects.create(
        district=gorakhpur,
        channel="flipkart",
        name="Gorakhpur EDC on Flipkart",
        credentials_encrypted=encrypt(
            {"application_id": APPLICATION_ID, "application_secret": APPLICATION_SECRET}
        ),
        settings={"location_id": LOCATION},
    )


@pytest.fixture
def kurta(khadi_sku: Sku, account: ChannelAccount) -> Listing:
    return Listing.objects.create(sku=khadi_sku, account=account, external_id=KURTA_FSN)


def channel(account: ChannelAccount) -> FlipkartChannel:
    return FlipkartChannel(account)


def live(fake: Any, listing: Listing) -> None:
    """Submit and poll once: the fake shows a listing ACTIVE from the first look."""
    channel(listing.account).submit(listing, key="submit-1")
    assert channel(listing.account).poll(listing).state == "live"


# -- local: rules, payload, files --------------------------------------------------------------
def test_khadi_kurta_is_ready_for_flipkart(khadi_sku: Sku) -> None:
    # when
    problems = FlipkartChannel().validate(khadi_sku)

    # then
    assert problems == []


def test_validate_names_flipkarts_rules_by_our_fields(horse_sku: Sku) -> None:
    # given: paise in the MRP, no weight, a long title, no material (unsaved changes)
    horse_sku.mrp = Decimal("1200.50")
    horse_sku.weight_g = None
    horse_sku.title_en = "Terracotta horse " * 7
    horse_sku.material = ""

    # when
    problems = FlipkartChannel().validate(horse_sku)

    # then
    assert [(p.check, p.field) for p in problems] == [
        ("flipkart", "mrp"),
        ("flipkart", "weight_g"),
        ("flipkart", "title_en"),
        ("flipkart", "material"),
    ]
    assert str(problems[2].message) == "Too long for Flipkart: 118 characters, at most 100."
    assert str(problems[3].message) == "Flipkart's Showpiece catalogue needs the material."


def test_validate_asks_for_whole_rupees_and_price_within_mrp(khadi_sku: Sku) -> None:
    # given
    khadi_sku.price = Decimal("1250.75")

    # when
    problems = FlipkartChannel().validate(khadi_sku)

    # then
    assert [(p.field, str(p.message)) for p in problems] == [
        ("price", "On Flipkart the selling price may not be above the MRP."),
        ("price", "Flipkart takes prices in whole rupees: remove the paise."),
    ]


def test_build_is_the_listing_api_create_request(
    kurta: Listing, horse_sku: Sku, account: ChannelAccount
) -> None:
    # when: the horse has no FSN yet, so it goes through the catalogue sheet instead
    built = channel(account).build([kurta.sku, horse_sku])

    # then
    assert built == payload("create_listing_request.json")


def test_build_for_flipkart_fulfilment_sends_no_location(kurta: Listing) -> None:
    # given
    kurta.account.settings = {"fulfilment": "flipkart"}

    # when
    built = channel(kurta.account).build([kurta.sku])["KHADI-KURTA-M"]

    # then
    assert (built["fulfillment_profile"], built["locations"]) == ("FBF", [])
    assert keys(built) | {"locations": []} == keys(
        payload("create_listing_request.json")["KHADI-KURTA-M"]
    ) | {"locations": []}


def test_catalogue_sheet_reads_back_like_seller_hubs_template(
    khadi_sku: Sku, horse_sku: Sku
) -> None:
    # when
    content = FlipkartChannel().catalogue_sheet([khadi_sku, horse_sku])

    # then: one sheet per vertical, with the template's header rows
    produced = load_workbook(BytesIO(content))
    sample = load_workbook(FIXTURES / "catalogue_sheet.xlsx")
    assert produced.sheetnames == ["kurta", "showpiece"] == sample.sheetnames
    for name in produced.sheetnames:
        ours = list(produced[name].iter_rows(max_row=2, values_only=True))
        theirs = list(sample[name].iter_rows(max_row=2, values_only=True))
        assert ours == theirs
    header = [cell.value for cell in produced["kurta"][1]]
    row = dict(zip(header, [cell.value for cell in produced["kurta"][3]], strict=True))
    assert {
        name: row[name]
        for name in (
            "Seller SKU ID",
            "MRP (INR)",
            "Your selling price (INR)",
            "HSN",
            "Tax Code",
            "Stock",
            "Procurement SLA (DAY)",
            "Weight (KG)",
            "Size",
            "Color",
            "Fabric",
            "Brand",
            "Model Name",
            "Other Image URL 1",
        )
    } == {
        "Seller SKU ID": "KHADI-KURTA-M",
        "MRP (INR)": 1200,
        "Your selling price (INR)": 950,
        "HSN": "62052000",
        "Tax Code": "GST_APPAREL",
        "Stock": 12,
        "Procurement SLA (DAY)": 2,
        "Weight (KG)": 1.8,
        "Size": "M",
        "Color": "white",
        "Fabric": "cotton",
        "Brand": "Generic",
        "Model Name": "Handspun khadi cotton kurta, white, M",
        "Other Image URL 1": None,
    }
    assert row["Main Image URL"].startswith("https://niryat.example.org/")
    assert produced["showpiece"].cell(3, 1).value == "TERR-HORSE-01"
    assert produced["showpiece"].cell(4, 1).value is None


def test_fsn_report_gives_each_seller_sku_its_fsn() -> None:
    # when
    fsns = FlipkartChannel.parse_fsn_report((FIXTURES / "listing_report.xlsx").read_bytes())

    # then: the dhoti has no FSN yet (in quality check), so it is not there
    assert fsns == {"KHADI-KURTA-M": KURTA_FSN, "TERR-HORSE-01": HORSE_FSN}


def test_fsn_report_refuses_another_workbook() -> None:
    # given
    content = (FIXTURES / "catalogue_sheet.xlsx").read_bytes()

    # when / then
    with pytest.raises(ValueError, match="Seller SKU Id"):
        FlipkartChannel.parse_fsn_report(content)
    with pytest.raises(ValueError, match="not an Excel"):
        FlipkartChannel.parse_fsn_report(b"Seller SKU Id,Flipkart Serial Number\n")


def test_shipments_become_orders_from_the_documented_sample() -> None:
    # when
    (order,) = orders_from_shipments(payload("shipments_filter_response.json")["shipments"])

    # then
    assert order.channel_order_id == "OD428295316844774100"
    assert [
        (line.seller_sku, line.quantity, line.unit_price, line.line_id) for line in order.lines
    ] == [("KHADI-KURTA-M", 2, Decimal("950.00"), "428295316844774100")]
    assert order.ship_by is not None
    assert order.ship_by.isoformat() == "2026-11-03T16:00:00+05:30"
    assert (order.cancelled, order.fulfilled_by_marketplace) == (False, False)


# -- the fake parses the documented samples ------------------------------------------------------
def test_fake_accepts_the_documented_create_request(fake_flipkart: Any) -> None:
    # given
    credentials = {"application_id": APPLICATION_ID, "application_secret": APPLICATION_SECRET}
    with api.connect(None, credentials) as client:
        # when
        answer = client.call("POST", "/listings/v3", json=payload("create_listing_request.json"))
        inventory = client.call(
            "POST", "/listings/v3/update/inventory", json=payload("update_inventory_request.json")
        )
        price = client.call(
            "POST", "/listings/v3/update/price", json=payload("update_price_request.json")
        )

    # then
    assert answer == {"KHADI-KURTA-M": {"status": "SUCCESS", "errors": [], "attribute_errors": []}}
    assert inventory["KHADI-KURTA-M"]["status"] == price["KHADI-KURTA-M"]["status"] == "SUCCESS"
    held = fake_flipkart.state()["listings"]["KHADI-KURTA-M"]
    assert held["locations"][0]["inventory"] == 7


def test_listing_errors_map_to_our_fields_and_leave_warnings_out() -> None:
    # when
    errors = api.field_errors(payload("listing_change_response.json")["TERR-HORSE-01"])

    # then
    assert errors == [
        FieldError(
            field="price",
            code="1201",
            message="selling_price cannot be greater than mrp",
            explanation="Check the selling price: whole rupees, not above the MRP.",
        )
    ]


# -- listings over HTTP --------------------------------------------------------------------------
def test_submit_then_poll_goes_live(fake_flipkart: Any, kurta: Listing) -> None:
    # when
    submitted = channel(kurta.account).submit(kurta, key="submit-1")
    polled = channel(kurta.account).poll(kurta)

    # then
    assert (submitted.state, submitted.external_id) == ("submitted", KURTA_FSN)
    assert (polled.state, polled.url) == (
        "live",
        f"https://www.flipkart.com/product/p/itme?pid={KURTA_FSN}",
    )
    held = fake_flipkart.state()["listings"]
    assert list(held) == ["KHADI-KURTA-M"]
    assert held["KHADI-KURTA-M"]["price"] == {"mrp": 1200, "selling_price": 950, "currency": "INR"}


def test_submit_without_fsn_sends_staff_to_the_catalogue_sheet(
    fake_flipkart: Any, khadi_sku: Sku, account: ChannelAccount
) -> None:
    # given
    listing = Listing.objects.create(sku=khadi_sku, account=account)

    # when / then
    with pytest.raises(ChannelError, match="upload the catalogue sheet") as raised:
        channel(account).submit(listing, key="submit-1")
    assert raised.value.permanent
    assert fake_flipkart.requests == []


def test_rejection_is_mapped_to_our_fields(fake_flipkart: Any, kurta: Listing) -> None:
    # given
    fake_flipkart.set_faults(
        reject={
            "KHADI-KURTA-M": [
                {
                    "severity": "ERROR",
                    "code": 1402,
                    "description": "hsn 62052000 is not allowed for vertical kurta",
                    "attribute": "hsn",
                }
            ]
        }
    )

    # when
    status = channel(kurta.account).submit(kurta, key="submit-1")

    # then
    assert status.state == "rejected"
    assert status.errors == [
        FieldError(
            field="hs_code",
            code="1402",
            message="hsn 62052000 is not allowed for vertical kurta",
            explanation="Check the HS (HSN) code.",
        )
    ]
    assert fake_flipkart.state()["listings"] == {}


def test_never_live_stays_submitted(fake_flipkart: Any, kurta: Listing) -> None:
    # given
    fake_flipkart.set_faults(never_live=True)
    channel(kurta.account).submit(kurta, key="submit-1")

    # when
    polls = [channel(kurta.account).poll(kurta).state for _ in range(3)]

    # then
    assert polls == ["submitted", "submitted", "submitted"]


def test_retried_submit_after_a_lost_reply_keeps_one_listing(
    fake_flipkart: Any, kurta: Listing
) -> None:
    # given: Flipkart creates the listing, then the reply is lost (503)
    fake_flipkart.errors_after_create = 1
    with pytest.raises(HttpError) as raised:
        channel(kurta.account).submit(kurta, key="submit-1")
    assert (raised.value.status, raised.value.permanent) == (503, False)
    assert list(fake_flipkart.state()["listings"]) == ["KHADI-KURTA-M"]

    # when: the outbox retries with the same key
    status = channel(kurta.account).submit(kurta, key="submit-1")

    # then
    assert status.state == "submitted"
    held = fake_flipkart.state()["listings"]
    assert list(held) == ["KHADI-KURTA-M"]
    assert held["KHADI-KURTA-M"]["creates"] == 2


def test_rate_limit_carries_retry_after(fake_flipkart: Any, kurta: Listing) -> None:
    # given: a token already held, then Flipkart throttles
    channel(kurta.account).check_account()
    fake_flipkart.set_faults(rate_limited=1, retry_after=7)

    # when / then
    with pytest.raises(HttpError) as raised:
        channel(kurta.account).push_price(kurta, key="price-1")
    assert (raised.value.status, raised.value.permanent, raised.value.retry_after) == (
        429,
        False,
        7.0,
    )


def test_server_error_is_transient(fake_flipkart: Any, kurta: Listing) -> None:
    # given
    channel(kurta.account).check_account()
    fake_flipkart.set_faults(server_errors=1)

    # when / then
    with pytest.raises(HttpError) as raised:
        channel(kurta.account).poll(kurta)
    assert (raised.value.status, raised.value.permanent) == (503, False)


def test_timeout_is_transient(fake_flipkart: Any, kurta: Listing, fast_retries: None) -> None:
    # given: answers slower than our timeout (a search, which changes nothing on the fake)
    channel(kurta.account).check_account()
    fake_flipkart.set_faults(delay=1.3)

    # when / then
    with pytest.raises(HttpError) as raised:
        channel(kurta.account).pull_orders(timezone.now() - timedelta(days=1))
    assert (raised.value.status, raised.value.permanent) == (None, False)


def test_wrong_secret_is_permanent(fake_flipkart: Any, account: ChannelAccount) -> None:
    # given
    account.credentials_encrypted = encrypt(
        {"application_id": APPLICATION_ID, "application_secret": "wrong"}
    )

    # when / then
    with pytest.raises(ChannelError, match="refused the application id or secret") as raised:
        channel(account).check_account()
    assert (raised.value.permanent, raised.value.status) == (True, 401)


def test_token_is_cached_and_fetched_again_when_flipkart_forgets_it(
    fake_flipkart: Any, kurta: Listing
) -> None:
    # given
    channel(kurta.account).submit(kurta, key="submit-1")
    channel(kurta.account).poll(kurta)
    assert fake_flipkart.state()["tokens"] == 1
    fake_flipkart.tokens.clear()

    # when
    status = channel(kurta.account).poll(kurta)

    # then
    assert status.state == "live"
    token_calls = [r for r in fake_flipkart.requests if r.path.startswith("/oauth-service/")]
    assert len(token_calls) == 2
    assert token_calls[0].query == {"grant_type": ["client_credentials"], "scope": ["Seller_Api"]}


def test_stock_price_and_end(fake_flipkart: Any, kurta: Listing) -> None:
    # given
    live(fake_flipkart, kurta)
    kurta.sku.price = Decimal("900.00")

    # when
    channel(kurta.account).push_stock(kurta, 7, key="stock-1")
    channel(kurta.account).push_price(kurta, key="price-1")
    stocked = fake_flipkart.state()["listings"]["KHADI-KURTA-M"]
    channel(kurta.account).end(kurta, key="end-1")

    # then
    assert stocked["locations"] == [{"id": LOCATION, "status": "ENABLED", "inventory": 7}]
    assert stocked["price"] == {"mrp": 1200, "selling_price": 900, "currency": "INR"}
    ended = fake_flipkart.state()["listings"]["KHADI-KURTA-M"]
    assert (ended["listing_status"], ended["locations"][0]["inventory"]) == ("INACTIVE", 0)
    assert channel(kurta.account).poll(kurta).state == "submitted"


def test_stock_without_location_needs_attention(fake_flipkart: Any, kurta: Listing) -> None:
    # given
    kurta.account.settings = {}

    # when / then
    with pytest.raises(ChannelError, match="location id") as raised:
        channel(kurta.account).push_stock(kurta, 7, key="stock-1")
    assert raised.value.permanent
    assert fake_flipkart.requests == []


# -- orders --------------------------------------------------------------------------------------
def test_pull_orders_follows_next_page_url(fake_flipkart: Any, kurta: Listing) -> None:
    # given: three orders, two per page
    live(fake_flipkart, kurta)
    fake_flipkart.max_page_size = 2
    placed = [fake_flipkart.place_order("KHADI-KURTA-M", 1) for _ in range(3)]

    # when
    orders = channel(kurta.account).pull_orders(timezone.now() - timedelta(hours=1))

    # then
    assert sorted(o.channel_order_id for o in orders) == sorted(
        s["orderItems"][0]["orderId"] for s in placed
    )
    assert {
        (line.seller_sku, line.quantity, line.unit_price) for o in orders for line in o.lines
    } == {("KHADI-KURTA-M", 1, Decimal("950.00"))}
    assert all(o.ship_by is not None and not o.cancelled for o in orders)
    pages = [r for r in fake_flipkart.requests if r.method == "GET" and "filter" in r.path]
    assert len(pages) == 1
    held = fake_flipkart.state()["listings"]["KHADI-KURTA-M"]
    assert held["locations"][0]["inventory"] == 9


def test_duplicate_shipments_make_one_order(fake_flipkart: Any, kurta: Listing) -> None:
    # given
    live(fake_flipkart, kurta)
    fake_flipkart.set_faults(duplicate_orders=True)
    fake_flipkart.place_order("KHADI-KURTA-M", 2)

    # when
    orders = channel(kurta.account).pull_orders(timezone.now() - timedelta(hours=1))

    # then
    assert len(orders) == 1
    assert [(line.quantity, line.unit_price) for line in orders[0].lines] == [
        (2, Decimal("950.00"))
    ]


def test_buyer_cancellation_comes_with_the_orders(fake_flipkart: Any, kurta: Listing) -> None:
    # given
    live(fake_flipkart, kurta)
    order_id = fake_flipkart.place_order("KHADI-KURTA-M", 1)["orderItems"][0]["orderId"]
    fake_flipkart.cancel_by_buyer(order_id)

    # when
    orders = channel(kurta.account).pull_orders(timezone.now() - timedelta(hours=1))

    # then
    assert [(o.channel_order_id, o.cancelled) for o in orders] == [(order_id, True)]


def test_cancel_order_once(fake_flipkart: Any, kurta: Listing, gorakhpur) -> None:  # type: ignore[no-untyped-def]
    # given
    live(fake_flipkart, kurta)
    shipment = fake_flipkart.place_order("KHADI-KURTA-M", 2)
    item = shipment["orderItems"][0]
    order = Order.objects.create(
        district=gorakhpur,
        account=kurta.account,
        channel_order_id=item["orderId"],
        ordered_at=timezone.now(),
    )

    # when: cancelled, then the outbox retries the same call
    channel(kurta.account).cancel_order(order, "out of stock", key="cancel-1")
    channel(kurta.account).cancel_order(order, "out of stock", key="cancel-1")

    # then
    state = fake_flipkart.state()
    assert state["cancellations"] == [
        {
            "shipmentId": shipment["shipmentId"],
            "orderItemId": item["orderItemId"],
            "reason": "not_enough_inventory",
        }
    ]
    assert state["listings"]["KHADI-KURTA-M"]["locations"][0]["inventory"] == 12
    cancels = [r for r in fake_flipkart.requests if r.path == "/sellers/v3/shipments/cancel"]
    assert [json.loads(r.body) for r in cancels] == [
        {
            "shipments": [
                {
                    "shipmentId": shipment["shipmentId"],
                    "locationId": LOCATION,
                    "cancellationGroupIds": [item["cancellationGroupId"]],
                    "reason": "not_enough_inventory",
                }
            ]
        }
    ]
    assert keys(json.loads(cancels[0].body)) == keys(payload("shipments_cancel_request.json"))


# -- an order pull interrupted half-way -------------------------------------------------------


def test_a_pull_broken_on_page_two_goes_on_from_there_and_records_each_order_once(
    fake_flipkart: Any, kurta: Listing, khadi_sku: Sku
) -> None:
    # given: three open shipments (each listed twice), two a page, and the second page of the
    # search answers 503 once
    live(fake_flipkart, kurta)
    held = khadi_sku.stock or 0
    placed = [fake_flipkart.place_order("KHADI-KURTA-M", 1) for _ in range(3)]
    fake_flipkart.set_faults(duplicate_orders=True)
    fake_flipkart.max_page_size = 2
    fake_flipkart.set_faults(broken=r"GET /sellers/v3/shipments/filter\?next_token", broken_after=1)
    entry = do_request_orders(kurta.account, acting_user=None)
    # when the pull runs: the first two pages come home, the third fails
    outbox.run(entry.pk)
    # then it waits to retry, and has not moved the account's pulled-until time
    entry.refresh_from_db()
    assert (entry.state, entry.last_status) == ("pending", 503)
    assert ChannelAccount.objects.get().orders_pulled_until is None
    # when it is tried again
    OutboxEntry.objects.filter(pk=entry.pk).update(next_try_at=timezone.now())
    ChannelAccount.objects.update(next_call_at=None)
    outbox.run(entry.pk)
    # then it went on from the third page: every order once, its stock taken once
    entry.refresh_from_db()
    assert entry.state == "done"
    assert sorted(Order.objects.values_list("channel_order_id", flat=True)) == sorted(
        s["orderItems"][0]["orderId"] for s in placed
    )
    assert Sku.objects.get(pk=khadi_sku.pk).stock == held - 3
    searches = [
        r.json()["filter"]["type"]
        for r in fake_flipkart.requests
        if r.method == "POST" and "shipments/filter" in r.path
    ]
    assert searches.count("preDispatch") == 1
    assert ChannelAccount.objects.get().orders_pulled_until is not None


def test_a_pull_whose_next_page_flipkart_no_longer_knows_reads_the_window_again(
    fake_flipkart: Any, kurta: Listing
) -> None:
    # given: a pull that stopped on a page whose token Flipkart now refuses
    live(fake_flipkart, kurta)
    placed = [fake_flipkart.place_order("KHADI-KURTA-M", 1) for _ in range(2)]
    entry = do_request_orders(kurta.account, acting_user=None)
    now = timezone.now()
    window = {"from": (now - timedelta(hours=1)).isoformat(), "to": now.isoformat()}
    OutboxEntry.objects.filter(pk=entry.pk).update(
        payload={
            "since": window["from"],
            "started": window["to"],
            "resume": {
                "window": window,
                "search": 0,
                "next": "/v3/shipments/filter?next_token=expired",
                "shipments": {},
            },
        }
    )
    # when it is tried
    outbox.run(entry.pk)
    # then it is not given up: it will read from the start
    entry.refresh_from_db()
    assert (entry.state, entry.last_status) == ("pending", 400)
    # and on its next try it does, and every order comes home
    OutboxEntry.objects.filter(pk=entry.pk).update(next_try_at=timezone.now())
    ChannelAccount.objects.update(next_call_at=None)
    outbox.run(entry.pk)
    assert OutboxEntry.objects.get(pk=entry.pk).state == "done"
    assert sorted(Order.objects.values_list("channel_order_id", flat=True)) == sorted(
        s["orderItems"][0]["orderId"] for s in placed
    )
