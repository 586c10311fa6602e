"""Whole ONDC flows between the fake buyer app (fakes/ondc_bap.py) and Niryat on a live server,
over real HTTP with real signatures, keys looked up at the fake registry: search → on_search →
select → init → confirm → the order in the one order book, its stock taken on every channel →
staff pack, ship, send out for delivery and deliver → the buyer app hears each as an
unsolicited on_status. Also the out-of-stock reselect and a buyer's cancel, for a RET16
terracotta horse and a RET12 kurta.

Each flow's message log is written by `manage.py ondc_flow_logs` in the layout of ONDC's
log-validation utility, which CI cannot install; the rules it found broken in our logs are
checked here instead (`assert_utility_rules`). Set ONDC_FLOW_LOGS to a folder to keep the
written flows (to POST them to the utility by hand)."""

from __future__ import annotations

import json
import os
import re
import socket
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from fakes.ondc_bap import BAP_TERMS, FINDER_FEE, FakeOndcBuyerApp, now_timestamp
from fakes.ondc_registry import FakeOndcRegistry
from niryat.catalog.models import Category, Sku
from niryat.channels.actions import do_push, do_set_order_state
from niryat.channels.models import ChannelAccount, Listing, OndcNode, Order, StockMove
from niryat.channels.secrets import encrypt
from niryat.core.models import District, User
from niryat.core.reference_data import load_reference_data
from niryat.registry.models import Producer
from tests.catalog.factories import add_sku, make_product, run_tasks
from tests.channels.factories import add_ready_photo, drain
from tests.channels.ondc import requests as r
from tests.channels.ondc.conftest import connect_buyer_app, list_in_registry, pickup, ready_for_ondc
from tests.conftest import hindi
from tests.registry.factories import give_listing_consent, register

SUBSCRIBER = "edc-gorakhpur.niryat.test"
# The buyer app's own name for itself, on loopback: ONDC's utility refuses a bap_uri at a bare IP
# address, and *.localhost is loopback by RFC 6761 (resolved so by `loopback_names`).
BAP_HOST = "bap.localhost"
AMAZON = {
    "client_id": "amzn1.application-oa2-client.niryatgorakhpur",
    "client_secret": "amzn1.oa2-cs.v1.secret",
    "refresh_token": "Atzr|IwEBIGorakhpurEdc",
}


# -- the network: registry, buyer app, Niryat on a live server ---------------------------------
@pytest.fixture(scope="module")
def registry_server():  # type: ignore[no-untyped-def]
    fake = FakeOndcRegistry()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def bap_server():  # type: ignore[no-untyped-def]
    fake = FakeOndcBuyerApp()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def loopback_names(monkeypatch):  # type: ignore[no-untyped-def]
    """Names under .localhost resolve to 127.0.0.1, as RFC 6761 says (not every resolver does)."""
    resolve = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(host, str) and host.endswith(".localhost"):
            host = "127.0.0.1"
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(autouse=True)
def site(live_server):  # type: ignore[no-untyped-def]
    """Niryat on loopback; its database is emptied after each test, so the districts are loaded
    before anything asks for one."""
    load_reference_data(settings.REFERENCE_DATA_DIR)
    return live_server


@pytest.fixture
def registry(registry_server, settings):  # type: ignore[no-untyped-def]
    registry_server.reset()
    cache.clear()
    settings.ONDC_REGISTRY_URL = registry_server.url
    settings.ONDC_REGISTRY_ENCRYPTION_KEY = registry_server.encryption_public_key
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SUBSCRIBER]
    settings.ONDC_CALLBACK_RETRY_SECONDS = 0
    settings.CHANNEL_HTTP_TIMEOUT = 2.0
    settings.CHANNEL_RETRY_SECONDS = 0.01
    settings.CHANNEL_POLL_SECONDS = 0.01
    return registry_server


@pytest.fixture
def node(live_server, registry, ondc_node: OndcNode) -> OndcNode:  # type: ignore[no-untyped-def]
    """The centre's node (conftest's terms), known to the registry in both domains."""
    return list_in_registry(registry, ondc_node)


@pytest.fixture
def bap(bap_server, registry, live_server, node):  # type: ignore[no-untyped-def]
    return connect_buyer_app(bap_server, registry, SUBSCRIBER, live_server.url)


# -- what is sold ------------------------------------------------------------------------------
@pytest.fixture
def horse(horse_sku: Sku, ganesh: User) -> Sku:
    """Ramu's terracotta horse (RET16), 12 in stock, ₹950; Ramu's PAN is his tax number."""
    Producer.objects.filter(pk=horse_sku.producer.pk).update(pan="ABCPP1234K")
    return ready_for_ondc(horse_sku, ganesh)


@pytest.fixture
def kurta(gorakhpur: District, ganesh: User) -> Sku:
    """Sita's hand-embroidered red cotton kurta, size M (RET12), 12 in stock."""
    sita = register(gorakhpur, ganesh, name_hi="सीता देवी", mobile="+919839011111", pin="273001")
    Producer.objects.filter(pk=sita.pk).update(pan="BCDPS5678L")
    give_listing_consent(sita, ganesh)
    pickup(sita, ganesh)
    product = make_product(
        sita,
        ganesh,
        odop_product=None,
        category=Category.GARMENTS,
        name_en="Embroidered kurta",
        name_hi="कढ़ाईदार कुर्ता",
        hs_code="62114290",
        generic_name="Cotton kurta",
        manufacturer_name="Sita Devi",
    )
    add_ready_photo(product)
    return add_sku(
        product,
        ganesh,
        seller_sku="KURTA-M",
        size="M",
        colour="red",
        material="cotton",
        title_en="Hand-embroidered red mulmul kurta, M",
        title_hi="कढ़ाईदार लाल कुर्ता, M",
        attributes={
            "size_chart": "M: chest 96, length 104",
            "fabric": "100% cotton mulmul",
            "fit": "regular",
            "care": "hand wash cold",
            "gender": "female",
        },
    )


@pytest.fixture
def amazon(gorakhpur: District, fake_amazon) -> ChannelAccount:  # type: ignore[no-untyped-def]
    return ChannelAccount.objects.create(
        district=gorakhpur,
        channel="amazon",
        name="Gorakhpur EDC on Amazon.in",
        credentials_encrypted=encrypt(AMAZON),
        settings={"seller_id": "A2GORAKHPUR01", "marketplace_id": "A21TJRUUN4KGV"},
    )


def live_on(account: ChannelAccount, sku: Sku, user: User) -> None:
    result = do_push([sku], account, acting_user=user)
    assert (result.not_ready, result.waiting) == ([], [])
    drain()
    assert Listing.objects.get(sku=sku, account=account).state == "live"


# -- the buyer app's side of a flow ------------------------------------------------------------
class Buyer:
    """One buyer app session with the node: each request signed and sent over HTTP, ACKed, then
    the worker runs and the callback is read as the buyer app verified it."""

    def __init__(self, bap: FakeOndcBuyerApp, domain: str) -> None:
        self.bap = bap
        self.domain = domain
        self.transaction_id = str(uuid.uuid4())
        port = bap.url.rsplit(":", 1)[1]
        self.bap_uri = f"http://{BAP_HOST}:{port}/{bap.SUBSCRIBER_ID}/"
        self.callbacks: dict[str, dict[str, Any]] = {}

    def ask(
        self, action: str, message: dict[str, Any], *, transaction_id: str = "", **context: Any
    ) -> dict[str, Any]:
        """Send `action`, run the worker, and the callback as the buyer app verified it."""
        return self.bap.ask(
            SUBSCRIBER,
            action,
            message,
            between=run_tasks,
            domain=self.domain,
            bap_uri=self.bap_uri,
            transaction_id=transaction_id or self.transaction_id,
            **context,
        )

    def search(self, **context: Any) -> dict[str, Any]:
        return self.ask("search", {"intent": {"payment": FINDER_FEE}}, **context)

    def told(self, action: str) -> list[dict[str, Any]]:
        """The unsolicited callbacks `action` of this transaction, as they arrived."""
        return [
            c.data
            for c in self.bap.received(action)
            if c.verified and c.context.get("transaction_id") == self.transaction_id
        ]


def offered_item(on_search: dict[str, Any], sku: Sku) -> tuple[dict, dict]:
    """The provider and item on_search offers `sku` as."""
    return FakeOndcBuyerApp.find_item(on_search, str(sku.uuid))


def place(buyer: Buyer, sku: Sku, count: int, *, too_many: int = 0) -> dict[str, Any]:
    """search → (a select of `too_many` → 40002) → select → init → confirm; on_confirm."""
    on_search = buyer.search(city="std:0551")
    provider, item = offered_item(on_search, sku)
    assert item["quantity"]["available"]["count"] == "99"
    if too_many:
        short = buyer.ask("select", buyer.bap.select_order(provider, item, too_many))
        assert short["error"]["code"] == "40002"
        assert json.loads(short["error"]["message"]) == [{"item_id": item["id"], "error": "40002"}]
    on_select = buyer.ask("select", buyer.bap.select_order(provider, item, count))
    assert "error" not in on_select, on_select.get("error")
    quote = on_select["message"]["order"]["quote"]
    assert quote["ttl"] == "P1D"
    on_init = buyer.ask("init", buyer.bap.init_order(provider, item, count))
    assert "error" not in on_init, on_init.get("error")
    order_id = f"ORD-{uuid.uuid4().hex[:10].upper()}"
    sent_at = now_timestamp()  # the order is created as the confirm is sent
    confirm = buyer.bap.confirm_order(on_init, order_id, sent_at)
    on_confirm = buyer.ask("confirm", confirm, timestamp=sent_at)
    assert "error" not in on_confirm, on_confirm.get("error")
    return on_confirm


def write_flow(tmp_path: Path, name: str, flow: str, *transactions: str) -> dict[str, Any]:
    out = tmp_path / f"{name}.json"
    call_command("ondc_flow_logs", *transactions, flow=flow, output=str(out), stdout=None)
    written = json.loads(out.read_text())
    keep = os.environ.get("ONDC_FLOW_LOGS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / out.name).write_text(out.read_text())
    return dict(written)


ORDER_TO_DELIVERED = [
    "search_full_catalog_refresh",
    "on_search_full_catalog_refresh",
    "select",
    "on_select",
    "init",
    "on_init",
    "confirm",
    "on_confirm",
    "on_status_pending",
    "on_status_packed",
    "on_status_picked",
    "on_status_out_for_delivery",
    "on_status_delivered",
]


def deliver(order: Order, user: User) -> None:
    """Staff accept, pack, ship (India Post), mark out for delivery (the courier's report) and
    deliver the order; the worker tells the buyer."""
    for state in ("accepted", "packed", "shipped", "out_for_delivery", "delivered"):
        extra = {"carrier": "India Post", "tracking_number": "EK123456789IN"}
        order = do_set_order_state(
            order, state, acting_user=user, **(extra if state == "shipped" else {})
        )
        drain()


def fetch(site, url: str) -> httpx.Response:  # type: ignore[no-untyped-def]
    """GET a node address (https://<subscriber id>/...) from the live server, by its Host."""
    path = url.removeprefix(f"https://{SUBSCRIBER}")
    return httpx.get(f"{site.url}{path}", headers={"Host": SUBSCRIBER}, timeout=10)


def fulfilment_of(callback: dict[str, Any]) -> dict[str, Any]:
    return dict(callback["message"]["order"]["fulfillments"][0])


# -- flow 2: order to delivered ------------------------------------------------------------------
@pytest.mark.parametrize("domain", ["ONDC:RET16", "ONDC:RET12"])
def test_an_order_from_search_to_delivered_over_real_http(  # type: ignore[no-untyped-def]
    site, bap, node, horse, kurta, amazon, fake_amazon, ganesh, domain, tmp_path
):
    sku = horse if domain == "ONDC:RET16" else kurta
    live_on(amazon, sku, ganesh)
    assert fake_amazon.offered(sku.seller_sku) == 12
    buyer = Buyer(bap, domain)

    on_confirm = place(buyer, sku, 2)

    # the order is in the one order book, its stock taken, and Amazon offers what is left
    confirmed = on_confirm["message"]["order"]
    assert confirmed["state"] == "Created"
    order = Order.objects.get(channel_order_id=confirmed["id"])
    assert (order.account.channel, order.state, order.ondc.transaction_id) == (
        "ondc",
        "new",
        buyer.transaction_id,
    )
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [(sku, 2)]
    assert Sku.objects.get(pk=sku.pk).stock == 10
    assert list(StockMove.objects.filter(order=order).values_list("change", "balance")) == [
        (-2, 10)
    ]
    drain()
    assert fake_amazon.offered(sku.seller_sku) == 10

    # when staff accept, pack, ship, send out for delivery and deliver it through the
    # fulfilment actions
    deliver(order, ganesh)

    # then the buyer app heard each step, signed, the last "Order-delivered"
    told = buyer.told("on_status")
    assert [
        (c["message"]["order"]["state"], fulfilment_of(c)["state"]["descriptor"]["code"])
        for c in told
    ] == [
        ("Accepted", "Pending"),
        ("In-progress", "Packed"),
        ("In-progress", "Order-picked-up"),
        ("In-progress", "Out-for-delivery"),
        ("Completed", "Order-delivered"),
    ]
    assert len({c["context"]["message_id"] for c in told}) == 5
    assert Order.objects.get(pk=order.pk).state == "delivered"
    # and the invoice the buyer app is pointed to (once the order left) is served by the node
    [invoice] = told[-1]["message"]["order"]["documents"]
    page = fetch(site, invoice["url"])
    assert page.status_code == 200
    assert confirmed["id"] in page.text
    assert told[-1]["message"]["order"]["quote"]["price"]["value"] in page.text
    assert fetch(site, invoice["url"][:-2]).status_code == 404  # a token not ours
    assert "documents" not in told[1]["message"]["order"]  # packed: not yet
    flow = write_flow(tmp_path, f"flow2-{domain[-5:]}", "2", buyer.transaction_id)
    assert list(flow["payload"]) == ORDER_TO_DELIVERED
    assert_utility_rules(flow, node, sku)


# -- flow 3: out of stock, then a smaller reselect -----------------------------------------------
@pytest.mark.parametrize("domain", ["ONDC:RET16", "ONDC:RET12"])
def test_a_select_beyond_the_stock_is_40002_and_a_smaller_reselect_is_ordered(  # type: ignore[no-untyped-def]
    bap, node, horse, kurta, ganesh, domain, tmp_path
):
    sku = horse if domain == "ONDC:RET16" else kurta
    buyer = Buyer(bap, domain)

    on_confirm = place(buyer, sku, 2, too_many=20)

    assert on_confirm["message"]["order"]["state"] == "Created"
    assert Sku.objects.get(pk=sku.pk).stock == 10
    deliver(Order.objects.get(channel_order_id=on_confirm["message"]["order"]["id"]), ganesh)
    flow = write_flow(tmp_path, f"flow3-{domain[-5:]}", "3", buyer.transaction_id)
    assert list(flow["payload"]) == [
        *ORDER_TO_DELIVERED[:2],
        "select_out_of_stock",
        "on_select_out_of_stock",
        *ORDER_TO_DELIVERED[2:],
    ]
    out = flow["payload"]["on_select_out_of_stock"]
    [item_line] = [
        line
        for line in out["message"]["order"]["quote"]["breakup"]
        if line["@ondc/org/title_type"] == "item"
    ]
    assert item_line["@ondc/org/item_quantity"]["count"] == 12  # what is there to have
    assert_utility_rules(flow, node, sku)


# -- flow 4: the buyer cancels -----------------------------------------------------------------
@pytest.mark.parametrize("domain", ["ONDC:RET16", "ONDC:RET12"])
def test_a_buyer_cancel_gives_the_stock_back_on_every_channel(  # type: ignore[no-untyped-def]
    bap, node, horse, kurta, amazon, fake_amazon, ganesh, domain, tmp_path
):
    sku = horse if domain == "ONDC:RET16" else kurta
    live_on(amazon, sku, ganesh)
    buyer = Buyer(bap, domain)
    on_confirm = place(buyer, sku, 3)
    drain()
    assert fake_amazon.offered(sku.seller_sku) == 9
    order_id = on_confirm["message"]["order"]["id"]

    on_cancel = buyer.ask("cancel", {"order_id": order_id, "cancellation_reason_id": "010"})

    cancelled = on_cancel["message"]["order"]
    assert cancelled["state"] == "Cancelled"
    assert Order.objects.get(channel_order_id=order_id).state == "cancelled"
    assert Sku.objects.get(pk=sku.pk).stock == 12
    drain()
    assert fake_amazon.offered(sku.seller_sku) == 12
    # the state before the cancellation is the one on_confirm gave
    forward = fulfilment_of(on_cancel)
    precancel = {
        entry["code"]: entry["value"]
        for tag in forward["tags"]
        if tag["code"] == "precancel_state"
        for entry in tag["list"]
    }
    assert precancel == {
        "fulfillment_state": fulfilment_of(on_confirm)["state"]["descriptor"]["code"],
        "updated_at": on_confirm["message"]["order"]["updated_at"],
    }
    flow = write_flow(tmp_path, f"flow4-{domain[-5:]}", "4", buyer.transaction_id)
    assert list(flow["payload"])[-2:] == ["cancel", "on_cancel"]
    assert_utility_rules(flow, node, sku)


# -- flow 1: full and incremental search ----------------------------------------------------------
@pytest.mark.parametrize("domain", ["ONDC:RET16", "ONDC:RET12"])
def test_a_full_and_an_incremental_search_over_real_http(  # type: ignore[no-untyped-def]
    bap, node, horse, kurta, ganesh, domain, tmp_path
):  # type: ignore[no-untyped-def]
    from niryat.catalog.actions import do_update_sku

    sku = horse if domain == "ONDC:RET16" else kurta
    buyer = Buyer(bap, domain)
    buyer.search(city="std:0551")
    start = timezone.now() - timedelta(seconds=1)
    do_update_sku(sku, acting_user=ganesh, price=sku.price - 50)
    end = timezone.now()
    incremental = Buyer(bap, domain)

    pulled = incremental.ask(
        "search",
        {
            "intent": {
                "payment": FINDER_FEE,
                "tags": [
                    {
                        "code": "catalog_inc",
                        "list": [
                            {"code": "start_time", "value": r.timestamp(start)},
                            {"code": "end_time", "value": r.timestamp(end)},
                        ],
                    }
                ],
            }
        },
        city="*",
    )

    [provider] = pulled["message"]["catalog"]["bpp/providers"]
    [item] = provider["items"]
    assert item["price"]["value"] == f"{sku.price - 50:.2f}"
    flow = write_flow(
        tmp_path, f"flow1-{domain[-5:]}", "1", buyer.transaction_id, incremental.transaction_id
    )
    assert list(flow["payload"]) == [
        "search_full_catalog_refresh",
        "on_search_full_catalog_refresh",
        "search_inc_refresh",
        "on_search_inc_refresh",
    ]
    assert_utility_rules(flow, node, sku)


# -- the utility's rules, checked here -------------------------------------------------------------
def assert_utility_rules(flow: dict[str, Any], node: OndcNode, sku: Sku) -> None:
    """What ONDC's log-validation utility found missing or wrong in our logs, checked without it."""
    payload = flow["payload"]
    for key, data in payload.items():
        if not data:
            continue
        context = data["context"]
        # bap_uri is a URL the utility's format check takes (a host name, not a bare IP)
        assert context["bap_uri"].startswith(f"http://{BAP_HOST}:"), key
        if key.startswith("on_"):
            assert context["ttl"] == "PT30S", key
            assert context["bpp_uri"] == f"https://{node.subscriber_id}/ondc", key
        order = (data.get("message") or {}).get("order") or {}
        for fulfilment in order.get("fulfillments") or []:
            start = fulfilment.get("start")
            if start is not None and key not in ("init", "confirm"):
                # the pickup place's GPS, as the catalogue gives it (six decimals)
                location = sku.producer.ondc_location
                assert start["location"]["gps"] == (
                    f"{location.latitude:.6f},{location.longitude:.6f}"
                ), key
        if key in ("on_status_picked", "on_status_out_for_delivery", "on_status_delivered"):
            # the invoice, once the order has left, and not before
            [invoice] = order["documents"]
            assert invoice["label"] == "Invoice"
            assert invoice["url"].startswith(f"https://{node.subscriber_id}/ondc/invoice/")
        elif key.startswith("on_status"):
            assert "documents" not in order, key
        if key in ("on_init", "on_confirm"):
            # the provider's tax number is the producer's PAN (ten letters and digits)
            terms = {
                entry["code"]: entry["value"]
                for tag in order["tags"]
                if tag["code"] == "bpp_terms"
                for entry in tag["list"]
            }
            assert terms["provider_tax_number"] == sku.producer.pan, key
            assert re.fullmatch(r"[A-Z]{5}[0-9]{4}[A-Z]", terms["provider_tax_number"]), key
            assert terms["np_type"] == "MSN"
        if key == "on_confirm":
            # created until staff accept it; its updated_at is the callback's moment
            assert order["state"] == "Created"
            assert order["updated_at"] == context["timestamp"]
            assert order["fulfillments"][0]["state"]["descriptor"]["code"] == "Pending"
            # the buyer app's GSTIN is repeated
            assert BAP_TERMS in order["tags"]
        if key == "on_status_pending":
            assert order["state"] == "Accepted"


def test_the_invoice_and_the_pan_asked_for_speak_hindi() -> None:
    for label in (
        "Invoice for order %(id)s",
        "Seller",
        "Bill to",
        "Prices include GST.",
        "ONDC gives buyers the producer's PAN (or GSTIN) as the seller's: add it.",
    ):
        hindi(label)


# -- grievances (IGM 1.0.0) ----------------------------------------------------------------------
def test_a_grievance_is_answered_and_resolved_over_real_http(  # type: ignore[no-untyped-def]
    bap, node, horse, ganesh, tmp_path
):
    from niryat.channels.models import Grievance
    from niryat.channels.ondc.actions import do_resolve_grievance, do_respond_to_grievance

    buyer = Buyer(bap, "ONDC:RET16")
    on_confirm = place(buyer, horse, 1)
    order = Order.objects.get(channel_order_id=on_confirm["message"]["order"]["id"])
    deliver(order, ganesh)
    complaint = Buyer(bap, "ONDC:RET16")  # a transaction of its own
    issue_id = str(uuid.uuid4())  # IGM wants issue ids as UUIDs
    issue = r.issue(order.channel_order_id, horse, issue_id=issue_id)["message"]
    issue["issue"]["source"]["network_participant_id"] = bap.SUBSCRIBER_ID
    actions = issue["issue"]["issue_actions"]["complainant_actions"]
    actions[0]["updated_by"]["org"]["name"] = f"{bap.SUBSCRIBER_ID}::ONDC:RET16"

    on_issue = complaint.ask("issue", issue)

    assert on_issue["message"]["issue"]["id"] == issue_id
    grievance = Grievance.objects.get(issue_id=issue_id)
    do_respond_to_grievance(grievance, "The producer is sending a new horse", acting_user=ganesh)
    drain()
    on_status = complaint.ask("issue_status", {"issue_id": issue_id})
    assert on_status["message"]["issue"]["issue_actions"]["respondent_actions"][-1][
        "respondent_action"
    ] == ("PROCESSING")
    do_resolve_grievance(grievance, "A new horse was sent", "REPLACEMENT", acting_user=ganesh)
    drain()
    [*_, resolved] = complaint.told("on_issue_status")
    assert resolved["message"]["issue"]["resolution"]["action_triggered"] == "REPLACEMENT"
    flow = write_flow(tmp_path, "igm-RET16", "IGM", complaint.transaction_id)
    assert flow["version"] == "1.0.0"
    assert set(flow["payload"]) >= {
        "ret_issue",
        "ret_on_issue",
        "ret_issue_status",
        "ret_on_issue_status",
        "ret_on_issue_status_unsolicited",
    }
    # the unsolicited on_issue_status the utility reads is the one with the resolution
    last = flow["payload"]["ret_on_issue_status_unsolicited"]["message"]["issue"]
    assert last["issue_actions"]["respondent_actions"][-1]["respondent_action"] == "RESOLVED"
    assert last["resolution"]["short_desc"] == "A new horse was sent"
    for data in flow["payload"].values():
        issue_of = data["message"].get("issue") or {}
        uuid.UUID(str(issue_of.get("id") or data["message"].get("issue_id")))
