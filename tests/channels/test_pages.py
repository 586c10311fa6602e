"""Marketplace pages as staff and producers use them: connect an account, push, follow listings,
retry what needs attention, move orders on, send consignments, read the numbers."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fakes.flipkart import APPLICATION_ID, APPLICATION_SECRET
from niryat.catalog.models import Sku
from niryat.channels import actions
from niryat.channels.base import OrderData, OrderLineData
from niryat.channels.models import (
    ChannelAccount,
    Consignment,
    ExchangeRate,
    Listing,
    Order,
    OutboxEntry,
    SkuSelection,
    StockMove,
    Warehouse,
    WarehouseStock,
)
from niryat.channels.secrets import encrypt
from niryat.channels.views import rupees
from niryat.core.models import District, User
from niryat.registry.models import Producer
from tests.catalog.factories import add_sku, make_product
from tests.conftest import client_for, hindi

FSN = "TSHFZ6Y3ZGBYHXVZ"


def text(response: Any) -> str:
    return response.content.decode()


def make_account(
    district: District, channel: str = "flipkart", *, producer: Producer | None = None, **kw: Any
) -> ChannelAccount:
    credentials = (
        {"application_id": APPLICATION_ID, "application_secret": APPLICATION_SECRET}
        if channel == "flipkart"
        else {}
    )
    return ChannelAccount.objects.create(
        district=district,
        channel=channel,
        name=kw.pop("name", f"Centre {channel}"),
        producer=producer,
        credentials_encrypted=encrypt(credentials) if credentials else "",
        settings=kw.pop("settings", {"location_id": "LOC-GKP-1"} if channel == "flipkart" else {}),
    )


def make_order(
    account: ChannelAccount,
    sku: Sku,
    *,
    number: str,
    quantity: int = 1,
    unit_price: str = "950.00",
    ship_by: datetime.datetime | None = None,
) -> Order:
    """An order as the outbox brings it home (stock taken, producer told)."""
    Listing.objects.get_or_create(sku=sku, account=account, defaults={"state": "live"})
    now = timezone.now()
    return actions.record_order(
        account,
        OrderData(
            channel_order_id=number,
            ordered_at=now - datetime.timedelta(hours=5),
            ship_by=ship_by,
            lines=[OrderLineData(sku.seller_sku, quantity, Decimal(unit_price), line_id="1")],
        ),
    )


@pytest.fixture
def flipkart_account(gorakhpur: District) -> ChannelAccount:
    return make_account(gorakhpur)


# --- accounts ----------------------------------------------------------------------------------


def test_connect_flipkart_refuses_bad_credentials_and_keeps_no_secret(
    ganesh: User, fake_flipkart: Any
) -> None:
    client = client_for(ganesh)
    url = reverse("account_connect") + "?channel=flipkart"
    form = text(client.get(url))
    assert 'type="password" name="cred_application_secret"' in form
    assert 'name="set_location_id"' in form
    # when the secret is wrong
    refused = client.post(
        url,
        {
            "channel": "flipkart",
            "name": "Centre Flipkart",
            "cred_application_id": APPLICATION_ID,
            "cred_application_secret": "not-the-secret-42",
            "set_location_id": "LOC-GKP-1",
        },
    )
    page = text(refused)
    # then the reason is shown, what was typed (not secret) is kept, the secret is not echoed
    assert refused.status_code == 200
    assert "The marketplace refused these credentials" in page
    assert 'value="LOC-GKP-1"' in page
    assert f'value="{APPLICATION_ID}"' in page
    assert "not-the-secret-42" not in page
    assert not ChannelAccount.objects.exists()
    # when the credentials are right
    saved = client.post(
        url,
        {
            "channel": "flipkart",
            "name": "Centre Flipkart",
            "cred_application_id": APPLICATION_ID,
            "cred_application_secret": APPLICATION_SECRET,
            "set_location_id": "LOC-GKP-1",
        },
    )
    account = ChannelAccount.objects.get()
    assert saved.url == reverse("account_detail", args=[account.uuid])
    assert (account.district, account.channel, account.producer, account.settings) == (
        ganesh.district,
        "flipkart",
        None,
        {"location_id": "LOC-GKP-1"},
    )
    assert APPLICATION_SECRET not in account.credentials_encrypted
    assert account.credentials() == {
        "application_id": APPLICATION_ID,
        "application_secret": APPLICATION_SECRET,
    }
    detail = text(client.get(saved.url))
    assert APPLICATION_SECRET not in detail
    assert "stored, encrypted" in detail
    assert "LOC-GKP-1" in detail
    assert "centre account" in text(client.get(reverse("channels_home")))


def test_producer_own_account_and_settings_update(
    ganesh: User, ramu: Producer, fake_flipkart: Any
) -> None:
    client = client_for(ganesh)
    picker = text(client.get(reverse("account_connect"), {"channel": "gem", "q": "रामू"}))
    assert f"producer={ramu.uuid}" in picker
    client.post(
        reverse("account_connect") + f"?channel=gem&producer={ramu.uuid}",
        {"channel": "gem", "producer": str(ramu.uuid), "name": "Ramu on GeM"},
    )
    account = ChannelAccount.objects.get()
    assert (account.channel, account.producer, account.credentials_encrypted) == ("gem", ramu, "")
    home = text(client.get(reverse("channels_home")))
    assert "Ramu on GeM" in home
    # disconnect
    client.post(reverse("account_detail", args=[account.uuid]), {"disconnect": "1"})
    account.refresh_from_db()
    assert account.status == "disconnected"


def test_fetch_orders_now_and_new_credentials_are_checked(
    ganesh: User, flipkart_account: ChannelAccount, fake_flipkart: Any
) -> None:
    client = client_for(ganesh)
    url = reverse("account_detail", args=[flipkart_account.uuid])
    client.post(url, {"fetch_orders": "1"})
    assert list(flipkart_account.outbox.values_list("operation", "state")) == [
        ("pull_orders", "pending")
    ]
    before = flipkart_account.credentials_encrypted
    page = client.post(
        url,
        {
            "save_credentials": "1",
            "cred_application_id": APPLICATION_ID,
            "cred_application_secret": "wrong-again-77",
        },
    )
    assert "The marketplace refused these credentials" in text(page)
    assert "wrong-again-77" not in text(page)
    flipkart_account.refresh_from_db()
    assert flipkart_account.credentials_encrypted == before


# --- push --------------------------------------------------------------------------------------


def test_push_page_shows_reasons_and_queues_the_ready_sku(
    ganesh: User,
    flipkart_account: ChannelAccount,
    horse_sku: Sku,
    khadi_sku: Sku,
    fake_flipkart: Any,
) -> None:
    # given the horse is in Flipkart's catalogue (its FSN recorded), the kurta lacks a title
    Listing.objects.create(sku=horse_sku, account=flipkart_account, external_id=FSN)
    Sku.objects.filter(pk=khadi_sku.pk).update(title_en="")
    client = client_for(ganesh)
    page = text(client.get(reverse("push"), {"account": str(flipkart_account.uuid)}))
    # the incomplete SKU says why, with a link to its form; the other is ready
    assert "Write the English title." in page
    assert "Flipkart does not know this product yet" in page
    assert reverse("sku_edit", args=[khadi_sku.uuid]) in page
    assert page.count(">ready<") == 1
    # when both are pushed
    response = client.post(
        reverse("push"),
        {
            "account": str(flipkart_account.uuid),
            "sku": [str(horse_sku.uuid), str(khadi_sku.uuid)],
            "push": "1",
            "query": f"account={flipkart_account.uuid}",
        },
        follow=True,
    )
    shown = text(response)
    assert "1 SKU sent to Flipkart: Centre flipkart." in shown
    assert "KHADI-KURTA-M is not ready: Write the English title." in shown
    # the FSN reason now links to the draft listing, where the sheet and the FSN form are
    draft = Listing.objects.get(sku=khadi_sku)
    again = text(client.get(reverse("push"), {"account": str(flipkart_account.uuid)}))
    assert reverse("listing_detail", args=[draft.uuid]) in again
    listings = dict(Listing.objects.values_list("sku__seller_sku", "state"))
    assert listings == {"TERR-HORSE-01": "ready", "KHADI-KURTA-M": "draft"}
    assert list(OutboxEntry.objects.values_list("operation", "listing__sku__seller_sku")) == [
        ("submit", "TERR-HORSE-01")
    ]


def test_save_a_selection_and_filter_by_it(
    ganesh: User, flipkart_account: ChannelAccount, horse_sku: Sku, khadi_sku: Sku
) -> None:
    client = client_for(ganesh)
    response = client.post(
        reverse("push"),
        {"sku": [str(khadi_sku.uuid)], "save_selection": "1", "selection_name": "Khadi for FK"},
    )
    selection = SkuSelection.objects.get()
    assert response.url == reverse("push") + f"?selection={selection.uuid}"
    assert (selection.name, list(selection.skus.all())) == ("Khadi for FK", [khadi_sku])
    page = text(client.get(response.url))
    assert "KHADI-KURTA-M" in page
    assert "TERR-HORSE-01" not in page
    client.post(reverse("selection_delete", args=[selection.uuid]))
    assert not SkuSelection.objects.exists()


# --- listings and needs attention --------------------------------------------------------------


def test_rejected_listing_explains_errors_and_can_be_paused_when_live(
    ganesh: User, flipkart_account: ChannelAccount, horse_sku: Sku
) -> None:
    listing = Listing.objects.create(
        sku=horse_sku,
        account=flipkart_account,
        state="rejected",
        external_id=FSN,
        errors=[
            {
                "field": "title_en",
                "code": "TITLE_TOO_LONG",
                "message": "title exceeds limit",
                "explanation": "Shorten the English title.",
            }
        ],
    )
    client = client_for(ganesh)
    listed = text(client.get(reverse("listing_list"), {"state": "rejected"}))
    assert "TERR-HORSE-01" in listed
    assert "TERR-HORSE-01" not in text(client.get(reverse("listing_list"), {"state": "live"}))
    page = text(client.get(reverse("listing_detail", args=[listing.uuid])))
    assert "title exceeds limit" in page
    assert "TITLE_TOO_LONG" in page
    assert "Shorten the English title." in page
    assert reverse("sku_edit", args=[horse_sku.uuid]) in page
    # when the listing is live, staff pause and resume it
    actions.record_listing_status(listing, actions.ListingStatus("live"))
    client.post(reverse("listing_detail", args=[listing.uuid]), {"pause": "1"})
    listing.refresh_from_db()
    assert listing.state == "paused"
    client.post(reverse("listing_detail", args=[listing.uuid]), {"resume": "1"})
    listing.refresh_from_db()
    assert listing.state == "live"
    history = text(client.get(reverse("listing_detail", args=[listing.uuid])))
    assert "paused → live" in history


def test_flipkart_listing_without_fsn_gets_its_sheet_and_fsn(
    ganesh: User, flipkart_account: ChannelAccount, khadi_sku: Sku
) -> None:
    listing = Listing.objects.create(sku=khadi_sku, account=flipkart_account)
    client = client_for(ganesh)
    page = text(client.get(reverse("listing_detail", args=[listing.uuid])))
    assert 'name="fsn"' in page
    sheet = client.get(reverse("listing_sheet", args=[listing.uuid]), {"kind": "flipkart"})
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    load_workbook(io.BytesIO(sheet.content))  # a real workbook
    client.post(reverse("listing_detail", args=[listing.uuid]), {"record_fsn": "1", "fsn": FSN})
    listing.refresh_from_db()
    assert (listing.external_id, listing.state) == (FSN, "ready")
    assert 'name="fsn"' not in text(client.get(reverse("listing_detail", args=[listing.uuid])))


def test_gem_listing_recorded_by_hand_with_documents(
    ganesh: User, gorakhpur: District, horse_sku: Sku
) -> None:
    account = make_account(gorakhpur, "gem")
    listing = Listing.objects.create(sku=horse_sku, account=account, state="ready")
    client = client_for(ganesh)
    page = text(client.get(reverse("listing_detail", args=[listing.uuid])))
    assert "Documents GeM asks for" in page
    assert 'name="record_by_hand"' in page
    gem = client.get(reverse("listing_sheet", args=[listing.uuid]), {"kind": "gem"})
    load_workbook(io.BytesIO(gem.content))
    plain = client.get(reverse("listing_sheet", args=[listing.uuid]))
    load_workbook(io.BytesIO(plain.content))
    assert (
        client.get(reverse("listing_sheet", args=[listing.uuid]), {"kind": "flipkart"}).status_code
        == 404
    )
    client.post(
        reverse("listing_detail", args=[listing.uuid]),
        {"record_by_hand": "1", "external_id": "GEM-5116877-8", "state": "live"},
    )
    listing.refresh_from_db()
    assert (listing.external_id, listing.state) == ("GEM-5116877-8", "live")


def test_needs_attention_and_retry(
    ganesh: User, flipkart_account: ChannelAccount, horse_sku: Sku
) -> None:
    listing = Listing.objects.create(sku=horse_sku, account=flipkart_account, state="ready")
    entry = OutboxEntry.objects.create(
        account=flipkart_account,
        listing=listing,
        operation="submit",
        idempotency_key="submit:x:1",
        state="failed",
        attempts=8,
        next_try_at=timezone.now(),
        last_error="503 Service Unavailable",
        last_status=503,
    )
    client = client_for(ganesh)
    assert "1 call needs attention" in text(client.get(reverse("channels_home")))
    page = text(client.get(reverse("attention_list")))
    assert "503: 503 Service Unavailable" in page
    assert "TERR-HORSE-01" in page
    client.post(reverse("entry_retry", args=[entry.pk]))
    entry.refresh_from_db()
    assert (entry.state, entry.attempts) == ("pending", 0)
    assert "Nothing needs attention." in text(client.get(reverse("attention_list")))


# --- orders ------------------------------------------------------------------------------------


def test_order_book_and_state_buttons(
    ganesh: User, flipkart_account: ChannelAccount, horse_sku: Sku
) -> None:
    late = timezone.now() - datetime.timedelta(hours=1)
    order = make_order(flipkart_account, horse_sku, number="OD-1001", quantity=2, ship_by=late)
    client = client_for(ganesh)
    listed = text(client.get(reverse("order_list"), {"state": "open"}))
    assert "OD-1001" in listed
    assert "2 × TERR-HORSE-01" in listed
    assert 'class="overdue"' in listed
    page = text(client.get(reverse("order_detail", args=[order.uuid])))
    assert 'value="accepted"' in page
    assert 'value="shipped"' not in page
    for state in ("accepted", "packed", "shipped"):
        client.post(reverse("order_detail", args=[order.uuid]), {"state": state})
    order.refresh_from_db()
    assert order.state == "shipped"
    assert "OD-1001" not in text(client.get(reverse("order_list"), {"state": "open"}))


def test_out_for_delivery_is_a_step_staff_may_take_or_skip(
    ganesh: User, flipkart_account: ChannelAccount, horse_sku: Sku
) -> None:
    """Once shipped, the courier's "out for delivery" may be marked, in Hindi too; delivered
    may still follow shipped directly."""
    ganesh.language = "hi"
    ganesh.save()
    client = client_for(ganesh)
    orders = [make_order(flipkart_account, horse_sku, number=f"OD-OFD-{n}") for n in (1, 2)]
    for order in orders:
        for state in ("accepted", "packed", "shipped"):
            client.post(reverse("order_detail", args=[order.uuid]), {"state": state})
    first, second = orders
    page = text(client.get(reverse("order_detail", args=[first.uuid])))
    assert 'value="out_for_delivery"' in page
    assert hindi("Mark as %(label)s") % {"label": hindi("out for delivery")} in page
    moved = client.post(
        reverse("order_detail", args=[first.uuid]), {"state": "out_for_delivery"}, follow=True
    )
    assert hindi("The order is now %(state)s.") % {"state": hindi("out for delivery")} in text(
        moved
    )
    first.refresh_from_db()
    assert first.state == "out_for_delivery"
    page = text(moved)
    assert 'value="out_for_delivery"' not in page
    assert 'value="delivered"' in page
    client.post(reverse("order_detail", args=[first.uuid]), {"state": "delivered"})
    client.post(reverse("order_detail", args=[second.uuid]), {"state": "delivered"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("delivered", "delivered")
    # a parcel not yet shipped cannot be out for delivery
    third = make_order(flipkart_account, horse_sku, number="OD-OFD-3")
    client.post(reverse("order_detail", args=[third.uuid]), {"state": "out_for_delivery"})
    third.refresh_from_db()
    assert third.state == "new"


def test_cancel_asks_a_reason_and_returns_stock(
    ganesh: User, flipkart_account: ChannelAccount, horse_sku: Sku
) -> None:
    order = make_order(flipkart_account, horse_sku, number="OD-2002", quantity=3)
    horse_sku.refresh_from_db()
    assert horse_sku.stock == 9
    client = client_for(ganesh)
    refused = client.post(
        reverse("order_detail", args=[order.uuid]),
        {"state": "cancelled", "reason": ""},
        follow=True,
    )
    assert "Say why the order is cancelled." in text(refused)
    order.refresh_from_db()
    assert order.state == "new"
    client.post(
        reverse("order_detail", args=[order.uuid]),
        {"state": "cancelled", "reason": "Broken in the kiln"},
    )
    order.refresh_from_db()
    horse_sku.refresh_from_db()
    assert (order.state, order.cancel_reason, horse_sku.stock) == (
        "cancelled",
        "Broken in the kiln",
        12,
    )


def test_producer_sees_only_their_own_orders_in_hindi(
    prem: User,
    ramu: Producer,
    ganesh: User,
    flipkart_account: ChannelAccount,
    horse_sku: Sku,
    khadi_sku: Sku,
) -> None:
    Producer.objects.filter(pk=ramu.pk).update(user=prem)
    make_order(flipkart_account, horse_sku, number="OD-RAMU-1", quantity=2)
    make_order(flipkart_account, khadi_sku, number="OD-KHADI-1")
    page = text(client_for(prem).get(reverse("order_list")))
    assert "OD-RAMU-1" in page
    assert "OD-KHADI-1" not in page
    assert "गोरखपुर टेराकोटा घोड़ा" in page  # the Hindi title of what to pack
    assert 'lang="hi"' in page
    order = Order.objects.get(channel_order_id="OD-RAMU-1")
    assert client_for(prem).get(reverse("order_detail", args=[order.uuid])).status_code == 403
    assert client_for(prem).get(reverse("push")).status_code == 403


# --- consignments, numbers, rates ----------------------------------------------------------------


def test_consignment_moves_stock_to_the_warehouse(ganesh: User, horse_sku: Sku) -> None:
    client = client_for(ganesh)
    client.post(
        reverse("consignment_list"),
        {"add_warehouse": "1", "channel": "flipkart", "code": "blr_wfl", "city": "Lucknow"},
    )
    warehouse = Warehouse.objects.get()
    assert (warehouse.code, warehouse.name) == ("BLR_WFL", "BLR_WFL")
    # an unknown code is named and nothing moves
    page = client.post(
        reverse("consignment_list"),
        {
            "send_consignment": "1",
            "warehouse": warehouse.pk,
            "sent_on": "2026-11-20",
            "code_0": "NO-SUCH",
            "quantity_0": "2",
        },
    )
    assert "No SKU has the code NO-SUCH." in text(page)
    assert not Consignment.objects.exists()
    response = client.post(
        reverse("consignment_list"),
        {
            "send_consignment": "1",
            "warehouse": warehouse.pk,
            "sent_on": "2026-11-20",
            "reference": "DTDC-123",
            "code_0": "terr-horse-01",
            "quantity_0": "5",
        },
    )
    consignment = Consignment.objects.get()
    assert response.url == reverse("consignment_detail", args=[consignment.uuid])
    horse_sku.refresh_from_db()
    assert horse_sku.stock == 7
    assert WarehouseStock.objects.get(sku=horse_sku, warehouse=warehouse).quantity == 5
    assert list(StockMove.objects.values_list("change", "reason")) == [(-5, "consignment")]
    client.post(response.url, {"receive": "1"})
    consignment.refresh_from_db()
    assert consignment.state == "received"
    assert "DTDC-123" in text(client.get(reverse("consignment_list")))


def test_numbers_show_exact_counts_and_rupees(
    ganesh: User, alice: User, flipkart_account: ChannelAccount, horse_sku: Sku, khadi_sku: Sku
) -> None:
    make_order(flipkart_account, horse_sku, number="OD-1", quantity=2, unit_price="950.00")
    make_order(flipkart_account, horse_sku, number="OD-2", quantity=1, unit_price="1234567.50")
    Listing.objects.create(sku=khadi_sku, account=flipkart_account, state="rejected")
    page = text(client_for(ganesh).get(reverse("channel_numbers")))
    assert '<span class="big" id="order-count">2</span>' in page
    assert '<span class="big" id="live-products">1</span>' in page
    assert "₹12,36,467.50" in page  # 2 × 950 + 12,34,567.50
    assert '<td>Flipkart</td><td>live</td><td class="num">1</td>' in page
    assert "<td>Terracotta</td>" in page
    state = text(client_for(alice).get(reverse("channel_numbers")))
    assert "By district" in state
    assert "Gorakhpur" in state
    assert rupees(Decimal("1234567.5")) == "₹12,34,567.50"
    assert rupees(Decimal("950")) == "₹950"


def test_exchange_rates(ganesh: User, sam: User) -> None:
    client = client_for(ganesh)
    bad = client.post(reverse("exchange_rates"), {"currency": "U1", "inr_per_unit": "83"})
    assert bad.status_code == 200
    assert not ExchangeRate.objects.exists()
    client.post(reverse("exchange_rates"), {"currency": "usd", "inr_per_unit": "83.2500"})
    assert list(ExchangeRate.objects.values_list("currency", "inr_per_unit")) == [
        ("USD", Decimal("83.2500"))
    ]
    page = text(client_for(sam).get(reverse("exchange_rates")))
    assert "₹83.2500" in page
    assert 'name="inr_per_unit"' not in page
    assert (
        client_for(sam).post(reverse("exchange_rates"), {"currency": "EUR", "inr_per_unit": "90"})
    ).status_code == 403


# --- scoping -----------------------------------------------------------------------------------


@pytest.fixture
def gorakhpur_records(
    ganesh: User, flipkart_account: ChannelAccount, horse_sku: Sku
) -> dict[str, Any]:
    order = make_order(flipkart_account, horse_sku, number="OD-GKP-1")
    listing = Listing.objects.get(sku=horse_sku, account=flipkart_account)
    warehouse = actions.do_add_warehouse(
        channel="flipkart", code="LKO", name="Lucknow FC", city="Lucknow", acting_user=ganesh
    )
    consignment = actions.do_send_consignment(
        district=flipkart_account.district,
        warehouse=warehouse,
        lines=[(horse_sku, 1)],
        sent_on=datetime.date(2026, 11, 20),
        reference="R1",
        acting_user=ganesh,
    )
    entry = OutboxEntry.objects.create(
        account=flipkart_account,
        listing=listing,
        operation="submit",
        idempotency_key="submit:gkp:1",
        state="failed",
        next_try_at=timezone.now(),
    )
    selection = actions.do_save_selection(
        district=flipkart_account.district, name="GKP", skus=[horse_sku], acting_user=ganesh
    )
    return {
        "account_detail": [flipkart_account.uuid],
        "listing_detail": [listing.uuid],
        "listing_sheet": [listing.uuid],
        "order_detail": [order.uuid],
        "consignment_detail": [consignment.uuid],
        "entry_retry": [entry.pk],
        "selection_delete": [selection.uuid],
    }


def test_another_district_gets_404_and_read_only_roles_get_403(
    vani: User, gita: User, sam: User, gorakhpur_records: dict[str, Any]
) -> None:
    for name, args in gorakhpur_records.items():
        url = reverse(name, args=args)
        method = "post" if name in {"entry_retry", "selection_delete"} else "get"
        assert getattr(client_for(vani), method)(url).status_code == 404, name
        assert client_for(vani).post(url, {"receive": "1", "state": "accepted"}).status_code in {
            404,
            405,
        }, name
        if name != "listing_sheet":
            posted = client_for(gita).post(url, {"fetch_orders": "1", "state": "accepted"})
            assert posted.status_code == 403, name
    # the district officer and the state viewer read the pages, without forms
    for user in (gita, sam):
        client = client_for(user)
        order = Order.objects.get()
        page = text(client.get(reverse("order_detail", args=[order.uuid])))
        assert "OD-GKP-1" in page
        assert 'name="state"' not in page
        account_page = text(
            client.get(reverse("account_detail", args=gorakhpur_records["account_detail"]))
        )
        assert "fetch_orders" not in account_page
        assert "<form" not in text(client.get(reverse("attention_list"))).split("<main")[1]
        assert client.post(reverse("push"), {"push": "1"}).status_code == 403
    # nothing changed
    assert Order.objects.get().state == "new"
    assert OutboxEntry.objects.filter(state="failed").count() == 1
    # Varanasi's staff see none of it in their lists
    client = client_for(vani)
    for name in ("channels_home", "listing_list", "order_list", "attention_list", "push"):
        page = text(client.get(reverse(name)))
        assert "TERR-HORSE-01" not in page, name
        assert "OD-GKP-1" not in page, name


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 12])
def test_list_pages_query_counts_do_not_grow(
    django_assert_max_num_queries: Any,
    ganesh: User,
    ramu: Producer,
    flipkart_account: ChannelAccount,
    count: int,
) -> None:
    from tests.channels.conftest import add_ready_photo

    for number in range(count):
        product = make_product(ramu, ganesh, name_en=f"Pot {number}")
        add_ready_photo(product)
        sku = add_sku(product, ganesh, seller_sku=f"POT-{number}")
        order = make_order(flipkart_account, sku, number=f"OD-{number}")
        listing = Listing.objects.get(sku=sku)
        OutboxEntry.objects.create(
            account=flipkart_account,
            listing=listing,
            order=order,
            operation="submit",
            idempotency_key=f"k{number}",
            state="failed",
            next_try_at=timezone.now(),
        )
    files_account = make_account(flipkart_account.district, "files")
    client = client_for(ganesh)
    pages = [
        (reverse("channels_home"), 8),
        (reverse("push"), 14),
        (reverse("push") + f"?account={files_account.uuid}", 14),
        (reverse("listing_list"), 8),
        (reverse("order_list"), 9),
        (reverse("attention_list"), 7),
        (reverse("consignment_list"), 8),
        (reverse("channel_numbers"), 11),
    ]
    for url, most in pages:
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200


def test_every_page_opens_for_every_staff_role_and_in_hindi(
    alice: User, sam: User, gita: User, ganesh: User, gorakhpur_records: dict[str, Any]
) -> None:
    lists = [
        "channels_home",
        "push",
        "listing_list",
        "attention_list",
        "order_list",
        "consignment_list",
        "channel_numbers",
        "exchange_rates",
    ]
    details = ["account_detail", "listing_detail", "order_detail", "consignment_detail"]
    ganesh.language = "hi"
    ganesh.save()
    for user in (alice, sam, gita, ganesh):
        client = client_for(user)
        for name in lists:
            assert client.get(reverse(name)).status_code == 200, (user.username, name)
        for name in details:
            url = reverse(name, args=gorakhpur_records[name])
            assert client.get(url).status_code == 200, (user.username, name)
        connect = client.get(reverse("account_connect"), {"channel": "ebay"})
        assert connect.status_code == (200 if user.can_write else 403), user.username
    # the state admin picks the district of a new account
    page = text(client_for(alice).get(reverse("account_connect"), {"channel": "files"}))
    assert 'name="district"' in page
    client_for(alice).post(
        reverse("account_connect") + "?channel=files",
        {"channel": "files", "district": "148", "name": "Sheets for Gorakhpur"},
    )
    assert ChannelAccount.objects.get(channel="files").district.lgd_code == 148
