"""A buyer's app orders from a centre's producers over ONDC (retail 1.2.0, RET12 and RET16).

Each handler takes the node and the whole request (context and message) and gives the `Reply`
the protocol server sends as the signed `on_<action>` callback (niryat/channels/ondc/protocol.py):

- `answer_select`: a quote with its breakup (each item, delivery, packing, tax) and ttl, and the
  fulfilment with its serviceability. Too little stock: error 40002 naming the items, with what is
  available in the quote. A PIN code the centre does not deliver to: fulfilment "Non-serviceable",
  no delivery line, error 30009. An item we do not sell: 30004.
- `answer_init`: the same quote, with billing, fulfilment, payment and settlement terms.
- `answer_confirm`: the order in the one order book (channel "ondc"), stock taken under row locks
  exactly as every channel's order takes it (never oversold), the producer told by SMS.
- `answer_status`, `answer_track`, `answer_cancel`, `answer_update`: from the order's real state.
- `answer_rating`, `answer_support`: recorded and shown to staff on the order.

Ids: an ONDC item id is the SKU's uuid, a provider id its producer's uuid (one provider per
producer: the node is a marketplace seller node, np_type MSN). Prices are GST-inclusive (the
catalogue's selling price, as on the MRP label), so each item's tax line is 0.00.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from niryat.catalog.models import Sku
from niryat.channels import actions
from niryat.channels.base import OrderData, OrderLineData
from niryat.channels.models import (
    ChannelAccount,
    ChannelCode,
    OndcFeedback,
    OndcLocation,
    OndcMessage,
    OndcNode,
    OndcOrder,
    Order,
)
from niryat.channels.ondc.callbacks import timestamp
from niryat.channels.ondc.channel import TOLD_AS_STATUS, OndcChannel
from niryat.channels.ondc.items import provider_tax_number
from niryat.channels.ondc.protocol import (
    CONTEXT_ERROR,
    DOMAIN_ERROR,
    POLICY_ERROR,
    OndcError,
    Reply,
)
from niryat.channels.ondc.views import invoice_url
from niryat.core.models import District

CURRENCY = "INR"
QUOTE_TTL = "P1D"
FULFILMENT_ID = "F1"
FULFILMENT_TYPE = "Delivery"
DELIVERY_CATEGORY = "Standard Delivery"
# Units one order may hold of an item (ONDC's default maximum.count), and the catalogue's
# in-stock count.
MAX_PER_ORDER = 99
# Pack and hand over within this long of the order (the catalogue's @ondc/org/time_to_ship).
TIME_TO_SHIP = timedelta(days=2)
# Buyer apps settle the centre's sales after delivery, within this window (ISO 8601).
SETTLEMENT_WINDOW = f"P{OndcChannel.payment_cycle_days}D"

# ONDC's cancellation reasons a buyer may give (the log-validation utility's
# buyerCancellationRid), and what each says, for staff.
BUYER_CANCEL_REASONS = {
    "001": "Price of one or more items have changed due to which buyer was asked to make "
    "additional payment",
    "003": "Product available at lower than order price",
    "006": "Order not shipped as per buyer app SLA",
    "009": "Wrong product delivered",
    "010": "Buyer wants to modify address / other order details",
}
# The reason given when staff cancel: "Merchant rejected the order".
SELLER_CANCEL_REASON = "005"
# Reason 006 holds only once the order is late to ship.
LATE_SHIPMENT_REASON = "006"
# ONDC's return reasons (buyerReturnId).
RETURN_REASONS = {
    "001": "Buyer does not want product any more",
    "002": "Product available at lower than order price",
    "003": "Product damaged or not in usable state",
    "004": "Product is of incorrect quantity or size",
    "005": "Product delivered is different from what was shown and ordered",
}
RATING_CATEGORIES = ("Order", "Item", "Provider", "Fulfillment", "Agent")

# Our order state → ONDC's order state and fulfilment state. A confirmed order is "Created" until
# staff accept it (the buyer's app hears "Accepted" then, as on_status "Pending"). Shipped is the
# courier's pickup; out for delivery is staff's record of the courier's report that the parcel is
# on its way to the buyer.
ONDC_STATES: dict[str, tuple[str, str]] = {
    Order.State.NEW: ("Created", "Pending"),
    Order.State.ACCEPTED: ("Accepted", "Pending"),
    Order.State.PACKED: ("In-progress", "Packed"),
    Order.State.SHIPPED: ("In-progress", "Order-picked-up"),
    Order.State.OUT_FOR_DELIVERY: ("In-progress", "Out-for-delivery"),
    Order.State.DELIVERED: ("Completed", "Order-delivered"),
    Order.State.CANCELLED: ("Cancelled", "Cancelled"),
    Order.State.RETURNED: ("Completed", "Order-delivered"),
}

# The order has left with the courier: its invoice is given from then on.
HAS_LEFT = (
    Order.State.SHIPPED,
    Order.State.OUT_FOR_DELIVERY,
    Order.State.DELIVERED,
    Order.State.RETURNED,
)

# Couriers whose tracking page takes the waybill in its address.
TRACKING_PAGES = {
    "india post": "https://www.indiapost.gov.in/_layouts/15/DOP.Portal.Tracking/"
    "TrackConsignment.aspx?consignmentnumber={}",
    "speed post": "https://www.indiapost.gov.in/_layouts/15/DOP.Portal.Tracking/"
    "TrackConsignment.aspx?consignmentnumber={}",
    "delhivery": "https://www.delhivery.com/track/package/{}",
    "dtdc": "https://www.dtdc.in/tracking.asp?strCnno={}",
    "blue dart": "https://www.bluedart.com/tracking?trackFor=0&trackNo={}",
}

PIN = re.compile(r"^[1-9][0-9]{5}$")


def _money(value: Decimal) -> dict[str, str]:
    return {"currency": CURRENCY, "value": f"{value:.2f}"}


def _error_items(item_ids: Sequence[str], code: str) -> str:
    """ONDC's item-level error message: a JSON list of {item_id, error}."""
    return orjson.dumps([{"item_id": item_id, "error": code} for item_id in item_ids]).decode()


def ondc_account(district: District) -> ChannelAccount:
    """The centre's ONDC account in the order book (operated for all its producers)."""
    account, _created = ChannelAccount.objects.get_or_create(
        district=district,
        channel=ChannelCode.ONDC,
        producer=None,
        defaults={"name": f"EDC {district.name_en}"},  # shown as "ONDC: EDC Gorakhpur"
    )
    return account


def serves(node: OndcNode, pin: str) -> bool:
    """Whether the centre delivers to a PIN code: any Indian PIN, or only those its prefixes
    and ranges name."""
    if not PIN.match(pin):
        return False
    rules = [rule.strip() for rule in node.serviceable_pins.split(",") if rule.strip()]
    if not rules:
        return True
    for rule in rules:
        low, _dash, high = rule.partition("-")
        if high and low.strip().isdigit() and high.strip().isdigit():
            if int(low) <= int(pin) <= int(high):
                return True
        elif pin.startswith(rule):
            return True
    return False


# --- reading a request ------------------------------------------------------------------------


def _order_of(request: dict[str, Any]) -> dict[str, Any]:
    order = (request.get("message") or {}).get("order")
    if not isinstance(order, dict):
        raise OndcError("30000", "message.order is required", type=CONTEXT_ERROR)
    return order


def _drop_pin(order: dict[str, Any]) -> str:
    for fulfilment in order.get("fulfillments") or []:
        address = ((fulfilment.get("end") or {}).get("location") or {}).get("address") or {}
        if address.get("area_code"):
            return str(address["area_code"]).strip()
    return ""


def _buyer_city(order: dict[str, Any]) -> str:
    for fulfilment in order.get("fulfillments") or []:
        address = ((fulfilment.get("end") or {}).get("location") or {}).get("address") or {}
        if address.get("city"):
            return str(address["city"])
    return str(((order.get("billing") or {}).get("address") or {}).get("city") or "")


@dataclass
class Line:
    item_id: str
    sku: Sku
    wanted: int
    location_id: str


def _lines(node: OndcNode, order: dict[str, Any]) -> tuple[str, list[Line]]:
    """The provider and the items a request asks for, as our SKUs: 30001 for a provider that is
    not one of this centre's producers, 30004 for items it does not sell (unknown, another
    producer's, not ready or without consent)."""
    provider_id = str((order.get("provider") or {}).get("id") or "")
    items = order.get("items") or []
    if not items:
        raise OndcError("30004", "no items ordered")
    found: dict[str, Sku] = {}
    ids: list[str] = []
    for item in items:
        item_id = str(item.get("id") or "")
        ids.append(item_id)
        try:
            found_id = uuid.UUID(item_id)
        except ValueError:
            continue
        sku = (
            Sku.objects.filter(uuid=found_id, product__producer__district=node.district_id)
            .select_related("product__producer__district__state")
            .first()
        )
        if sku is not None:
            found[item_id] = sku
    try:
        provider_uuid = uuid.UUID(provider_id)
    except ValueError:
        provider_uuid = None
    if provider_uuid is None or not any(
        sku.product.producer.uuid == provider_uuid for sku in found.values()
    ):
        from niryat.registry.models import Producer

        if (
            provider_uuid is None
            or not Producer.objects.filter(uuid=provider_uuid, district=node.district_id).exists()
        ):
            raise OndcError("30001", f"provider {provider_id} not found")
    channel = OndcChannel()
    unknown = [
        item_id
        for item_id in ids
        if item_id not in found
        or found[item_id].product.producer.uuid != provider_uuid
        or actions.consent_problems(found[item_id])
        or channel.validate(found[item_id])
    ]
    if unknown:
        raise OndcError("30004", _error_items(unknown, "30004"))
    lines = []
    for item in items:
        try:
            wanted = int((item.get("quantity") or {}).get("count", 1))
        except (TypeError, ValueError):
            wanted = 0
        if wanted < 1:
            raise OndcError("30000", f"item {item.get('id')}: quantity.count must be 1 or more")
        if wanted > MAX_PER_ORDER:
            raise OndcError("40009", _error_items([str(item.get("id"))], "40009"))
        lines.append(
            Line(str(item["id"]), found[str(item["id"])], wanted, str(item.get("location_id", "")))
        )
    return provider_id, lines


# --- the quote --------------------------------------------------------------------------------


@dataclass
class Quote:
    body: dict[str, Any]
    short: list[str]  # item ids with too little stock
    total: Decimal


def _quote(
    node: OndcNode, lines: Sequence[Line], *, serviceable: bool, selecting: bool = False
) -> Quote:
    """The quote for `lines` at today's prices and stock: each item at the units available (up
    to what was asked), its tax (included in the price, so 0.00), then the order's delivery
    (only where delivered) and packing charges. Only on_select's quote says whether each item
    is in stock (ONDC's "99" or "0", as the catalogue does); init and confirm repeat the rest."""
    breakup: list[dict[str, Any]] = []
    short: list[str] = []
    total = Decimal(0)
    for line in lines:
        price = line.sku.price or Decimal(0)
        available = max(line.sku.stock or 0, 0)
        quoted = min(line.wanted, available)
        if quoted < line.wanted:
            short.append(line.item_id)
        item: dict[str, Any] = {"price": _money(price)}
        if selecting:
            in_stock = str(MAX_PER_ORDER) if available > 0 else "0"
            item = {
                "quantity": {"available": {"count": in_stock}, "maximum": {"count": in_stock}},
                **item,
            }
        breakup.append(
            {
                "@ondc/org/item_id": line.item_id,
                "@ondc/org/item_quantity": {"count": quoted},
                "title": line.sku.title_en or line.sku.seller_sku,
                "@ondc/org/title_type": "item",
                "price": _money(price * quoted),
                "item": item,
            }
        )
        breakup.append(
            {
                "@ondc/org/item_id": line.item_id,
                "title": "Tax",
                "@ondc/org/title_type": "tax",
                "price": _money(Decimal(0)),
            }
        )
        total += price * quoted
    if serviceable:
        breakup.append(
            {
                "@ondc/org/item_id": FULFILMENT_ID,
                "title": "Delivery charges",
                "@ondc/org/title_type": "delivery",
                "price": _money(node.delivery_charge),
            }
        )
        total += node.delivery_charge
    breakup.append(
        {
            "@ondc/org/item_id": FULFILMENT_ID,
            "title": "Packing charges",
            "@ondc/org/title_type": "packing",
            "price": _money(node.packing_charge),
        }
    )
    total += node.packing_charge
    return Quote({"price": _money(total), "breakup": breakup, "ttl": QUOTE_TTL}, short, total)


def _fulfilment(node: OndcNode, lines: Sequence[Line], *, serviceable: bool) -> dict[str, Any]:
    producer = lines[0].sku.product.producer
    return {
        "id": FULFILMENT_ID,
        "type": FULFILMENT_TYPE,
        "@ondc/org/provider_name": producer.name_latin or producer.name_hi,
        "tracking": False,
        "@ondc/org/category": DELIVERY_CATEGORY,
        "@ondc/org/TAT": f"P{node.days_to_deliver}D",
        "state": {"descriptor": {"code": "Serviceable" if serviceable else "Non-serviceable"}},
    }


def _items(lines: Sequence[Line], *, with_quantity: bool = False) -> list[dict[str, Any]]:
    items = []
    for line in lines:
        item: dict[str, Any] = {"id": line.item_id, "fulfillment_id": FULFILMENT_ID}
        if line.location_id:
            item["location_id"] = line.location_id
        if with_quantity:
            item["quantity"] = {"count": line.wanted}
        items.append(item)
    return items


def _priced(node: OndcNode, request: dict[str, Any]) -> tuple[dict[str, Any], list[Line], Quote]:
    """The request's order, its lines and their quote; OndcError where the order cannot be had
    (item unknown, too little stock, PIN code not delivered to)."""
    order = _order_of(request)
    _provider, lines = _lines(node, order)
    serviceable = serves(node, _drop_pin(order))
    quote = _quote(node, lines, serviceable=serviceable)
    if not serviceable:
        raise OndcError("30009", "the delivery PIN code is not serviceable")
    if quote.short:
        raise OndcError("40002", _error_items(quote.short, "40002"))
    return order, lines, quote


# --- select, init, confirm --------------------------------------------------------------------


def answer_select(node: OndcNode, request: dict[str, Any]) -> Reply:
    order = _order_of(request)
    provider_id, lines = _lines(node, order)
    serviceable = serves(node, _drop_pin(order))
    quote = _quote(node, lines, serviceable=serviceable, selecting=True)
    locations = sorted({line.location_id for line in lines if line.location_id})
    message = {
        "order": {
            "provider": {"id": provider_id, "locations": [{"id": loc} for loc in locations]},
            "items": _items(lines),
            "fulfillments": [_fulfilment(node, lines, serviceable=serviceable)],
            "quote": quote.body,
        }
    }
    if quote.short:
        error = OndcError("40002", _error_items(quote.short, "40002"))
        return Reply(message, error.as_error())
    if not serviceable:
        error = OndcError("30009", "the delivery PIN code is not serviceable")
        return Reply(message, error.as_error())
    return Reply(message)


def _payment_terms(node: OndcNode, asked: dict[str, Any]) -> dict[str, Any]:
    """The buyer app collects the payment (prepaid, ON-ORDER) and settles it to the centre's
    account after delivery; the finder fee is what the buyer app asked for in its search."""
    if not (node.settlement_account and node.settlement_ifsc and node.settlement_beneficiary):
        raise OndcError("40000", "the seller's settlement account is not set up", type=DOMAIN_ERROR)
    terms = {
        key: value
        for key, value in asked.items()
        if key.startswith("@ondc/org/buyer_app_finder_fee") or key in ("uri", "tl_method")
    }
    terms.update(
        {
            "type": "ON-ORDER",
            "collected_by": "BAP",
            "@ondc/org/settlement_basis": "delivery",
            "@ondc/org/settlement_window": SETTLEMENT_WINDOW,
            "@ondc/org/withholding_amount": "0.00",
            "@ondc/org/settlement_details": [
                {
                    "settlement_counterparty": "seller-app",
                    "settlement_phase": "sale-amount",
                    "settlement_type": "neft",
                    "beneficiary_name": node.settlement_beneficiary,
                    "settlement_bank_account_no": node.settlement_account,
                    "settlement_ifsc_code": node.settlement_ifsc,
                    "bank_name": node.settlement_bank,
                    "branch_name": node.settlement_branch,
                }
            ],
        }
    )
    return terms


def _payment_type_allowed(payment: dict[str, Any]) -> None:
    kind = payment.get("type", "ON-ORDER")
    if kind != "ON-ORDER":
        raise OndcError("40004", f"payment type {kind} is not supported; pay on order")


def _bpp_terms(node: OndcNode, lines: Sequence[Line]) -> list[dict[str, Any]]:
    """The seller's tax numbers: the centre's GSTIN (the node operates the sale) and the
    producer's PAN (their own legal entity: the provider of an MSN)."""
    producer = lines[0].sku.product.producer
    pan = provider_tax_number(producer)
    return [
        {
            "code": "bpp_terms",
            "list": [
                {"code": "tax_number", "value": node.gstin or producer.gstin},
                {"code": "provider_tax_number", "value": pan},
                {"code": "np_type", "value": "MSN"},
            ],
        }
    ]


def answer_init(node: OndcNode, request: dict[str, Any]) -> Reply:
    order, lines, quote = _priced(node, request)
    _payment_type_allowed(order.get("payment") or {})
    fulfilments = []
    for asked in order.get("fulfillments") or [{}]:
        fulfilment = {**asked, **_fulfilment(node, lines, serviceable=True)}
        fulfilment.pop("state", None)
        fulfilments.append(fulfilment)
    message = {
        "order": {
            "provider": order.get("provider") or {},
            "items": _items(lines, with_quantity=True),
            "billing": order.get("billing") or {},
            "fulfillments": fulfilments,
            "quote": quote.body,
            "payment": _payment_terms(node, order.get("payment") or {}),
            "tags": _bpp_terms(node, lines),
        }
    }
    return Reply(message)


def _quoted_total(order: dict[str, Any]) -> Decimal | None:
    try:
        return Decimal(str(((order.get("quote") or {}).get("price") or {})["value"]))
    except (KeyError, InvalidOperation):
        return None


def answer_confirm(node: OndcNode, request: dict[str, Any]) -> Reply:
    """The order lands in the order book with its stock taken, or is refused (40002 with the
    items short) without touching anything. The same confirm twice is the same order."""
    context = request.get("context") or {}
    order_json = _order_of(request)
    order_id = str(order_json.get("id") or "").strip()
    if not order_id or len(order_id) > 80:
        raise OndcError("30000", "message.order.id is required (at most 80 characters)")
    existing = (
        OndcOrder.objects.filter(node=node, order__channel_order_id=order_id)
        .select_related("order__account", "node")
        .first()
    )
    if existing is not None:
        return Reply(order_message(existing))
    order, lines, quote = _priced(node, request)
    payment = order.get("payment") or {}
    _payment_type_allowed(payment)
    asked_total = _quoted_total(order)
    if asked_total is not None and asked_total != quote.total:
        raise OndcError("40008", f"the quote has changed: it is now {quote.total:.2f}")
    created = parse_datetime(str(order.get("created_at") or "")) or timezone.now()
    data = OrderData(
        channel_order_id=order_id,
        ordered_at=created,
        ship_by=created + TIME_TO_SHIP,
        lines=[
            OrderLineData(
                seller_sku=line.sku.seller_sku,
                quantity=line.wanted,
                unit_price=line.sku.price or Decimal(0),
                line_id=line.item_id,
            )
            for line in lines
        ],
        buyer_city=_buyer_city(order),
        raw={"bap_id": context.get("bap_id", ""), "transaction_id": context.get("transaction_id")},
    )
    account = ondc_account(node.district)
    now = timestamp()
    confirmed = {
        **order,
        "id": order_id,
        "items": _items(lines, with_quantity=True),
        "fulfillments": [
            _confirmed_fulfilment(node, lines, (order.get("fulfillments") or [{}])[0], created)
        ],
        "quote": quote.body,
        # What the buyer's app confirmed, over our terms (it repeats on_init's).
        "payment": {**_payment_terms(node, payment), **payment},
        "tags": [
            *(tag for tag in order.get("tags") or [] if tag.get("code") != "bpp_terms"),
            *_bpp_terms(node, lines),
        ],
        "created_at": order.get("created_at") or context.get("timestamp") or now,
        "updated_at": now,
    }
    with transaction.atomic():
        try:
            placed = actions.record_placed_order(account, data, [line.sku for line in lines])
        except actions.NotEnoughStock as exc:
            short = [line.item_id for line in lines if line.sku.pk in exc.short]
            raise OndcError("40002", _error_items(short, "40002")) from exc
        ondc, _created = OndcOrder.objects.get_or_create(
            order=placed,
            defaults={
                "node": node,
                "bap_id": str(context.get("bap_id", ""))[:200],
                "bap_uri": str(context.get("bap_uri", ""))[:500],
                "transaction_id": str(context.get("transaction_id", ""))[:100],
                "domain": str(context.get("domain", ""))[:20],
                "city": str(context.get("city", ""))[:20],
                "context": context,
                "confirmed": confirmed,
            },
        )
    return Reply(order_message(ondc))


def _confirmed_fulfilment(
    node: OndcNode, lines: Sequence[Line], asked: dict[str, Any], created: datetime
) -> dict[str, Any]:
    """The delivery as confirmed: from the producer's place (handed over within TIME_TO_SHIP),
    to the buyer's address (within the days the centre delivers in), point to point."""
    producer = lines[0].sku.product.producer
    handed_over = created + TIME_TO_SHIP
    fulfilment = {**asked, **_fulfilment(node, lines, serviceable=True)}
    fulfilment.pop("state", None)
    district = producer.district
    pickup = OndcLocation.objects.filter(producer=producer).first()
    location: dict[str, Any] = {
        "id": lines[0].location_id,
        "descriptor": {"name": producer.name_latin or producer.name_hi},
    }
    address = {
        "locality": producer.village,
        "city": district.name_en,
        "area_code": producer.pin,
        "state": district.state.name_en,
    }
    if pickup is not None:
        # Where the courier collects, as the catalogue's location gives it (ONDC wants the GPS).
        location["gps"] = f"{pickup.latitude:.6f},{pickup.longitude:.6f}"
        address = {**address, "locality": pickup.locality, "street": pickup.street}
    fulfilment["start"] = {
        "location": {**location, "address": address},
        "time": {"range": {"start": timestamp(created), "end": timestamp(handed_over)}},
        "contact": {"phone": node.support_phone, "email": node.support_email},
    }
    end = dict(asked.get("end") or {})
    end["time"] = {
        "range": {
            "start": timestamp(handed_over),
            "end": timestamp(created + timedelta(days=node.days_to_deliver)),
        }
    }
    fulfilment["end"] = end
    fulfilment["tags"] = [{"code": "routing", "list": [{"code": "type", "value": "P2P"}]}]
    return fulfilment


# --- the order as it stands -------------------------------------------------------------------


def _find(node: OndcNode, request: dict[str, Any]) -> OndcOrder:
    message = request.get("message") or {}
    order_id = str(message.get("order_id") or (message.get("order") or {}).get("id") or "").strip()
    ondc = (
        OndcOrder.objects.filter(node=node, order__channel_order_id=order_id)
        .select_related("order__account", "order__district", "node")
        .first()
    )
    if ondc is None:
        raise OndcError("30018", f"order {order_id} not found")
    transaction_id = (request.get("context") or {}).get("transaction_id")
    if transaction_id and transaction_id != ondc.transaction_id:
        raise OndcError("30018", f"order {order_id} is not of this transaction", type=CONTEXT_ERROR)
    return ondc


def _state_times(order: Order) -> dict[str, datetime]:
    """When the order first reached each state."""
    times: dict[str, datetime] = {}
    for change in order.status_changes():
        times.setdefault(change.state_to, change.at)
    return times


def order_message(ondc: OndcOrder) -> dict[str, Any]:
    """The order as ONDC sees it now, for on_confirm, on_status, on_cancel and on_update: the
    order as confirmed, with its state, its fulfilment's state and times, and its quote as the
    order book holds it (after part-cancellations)."""
    order = ondc.order
    state, fulfilment_state = ONDC_STATES[order.state]
    confirmed = dict(ondc.confirmed)
    fulfilment = dict((confirmed.get("fulfillments") or [{}])[0])
    fulfilment["state"] = {"descriptor": {"code": fulfilment_state}}
    times = _state_times(order)
    if order.shipped_at is not None:
        start = dict(fulfilment.get("start") or {})
        start["time"] = {**(start.get("time") or {}), "timestamp": timestamp(order.shipped_at)}
        fulfilment["start"] = start
    if Order.State.DELIVERED in times:
        end = dict(fulfilment.get("end") or {})
        end["time"] = {
            **(end.get("time") or {}),
            "timestamp": timestamp(times[Order.State.DELIVERED]),
        }
        fulfilment["end"] = end
    if order.tracking_number:
        fulfilment["tags"] = [
            *(tag for tag in fulfilment.get("tags") or [] if tag.get("code") != "tracking"),
            {
                "code": "tracking",
                "list": [
                    {"code": "carrier", "value": order.carrier},
                    {"code": "awb", "value": order.tracking_number},
                ],
            },
        ]
    fulfilments = [fulfilment, *_return_fulfilments(ondc)]
    # The order changed last with its last step (a part-cancellation is one too): the
    # buyer's app compares a cancellation's precancel_state with it.
    last_change = order.status_changes()[-1].at
    confirmed.update(
        state=state,
        fulfillments=fulfilments,
        quote=current_quote(ondc),
        updated_at=timestamp(last_change),
    )
    confirmed["items"] = [
        {"id": line.line_id, "fulfillment_id": FULFILMENT_ID, "quantity": {"count": line.quantity}}
        for line in order.lines.all()
    ]
    if order.state in HAS_LEFT:
        # ONDC wants the invoice once the courier has the order, and not before.
        confirmed["documents"] = [
            {"url": invoice_url(ondc.node.subscriber_id, order.pk), "label": "Invoice"}
        ]
    else:
        confirmed.pop("documents", None)
    if order.state == Order.State.CANCELLED:
        _as_cancelled(ondc, confirmed)
    return {"order": confirmed}


CANCEL_FULFILMENT_ID = "C1"


def _as_cancelled(ondc: OndcOrder, confirmed: dict[str, Any]) -> None:
    """A cancelled order as ONDC's on_cancel gives it: the delivery cancelled with who asked and
    why and where it stood before, its items at 0 and the units moved to a Cancel fulfilment
    whose quote trail takes every confirmed amount back out (the quote is then 0)."""
    order = ondc.order
    reason = ondc.cancellation_reason_id or SELLER_CANCEL_REASON
    by = ondc.bap_id if reason in BUYER_CANCEL_REASONS else ondc.node.subscriber_id
    changes = order.status_changes()
    at = next((i for i in range(len(changes) - 1, 0, -1) if changes[i].state_to == order.state), 0)
    # Where it stood, and since when, before the cancellation (what the buyer's app last heard).
    before = changes[at].state_from or Order.State.NEW
    was = ONDC_STATES[before][1]
    before_at = timestamp(changes[max(at - 1, 0)].at)
    if before not in TOLD_AS_STATUS:
        # Nothing told since on_confirm: the buyer's app compares with that callback's moment.
        before_at = _on_confirm_moment(ondc) or before_at
    cancel_request = {
        "code": "cancel_request",
        "list": [{"code": "reason_id", "value": reason}, {"code": "initiated_by", "value": by}],
    }
    precancel = {
        "code": "precancel_state",
        "list": [
            {"code": "fulfillment_state", "value": was},
            {"code": "updated_at", "value": before_at},
        ],
    }
    forward = dict(confirmed["fulfillments"][0])
    forward["tags"] = [cancel_request, precancel]
    trail = [
        {
            "code": "quote_trail",
            "list": [
                {"code": "type", "value": entry["@ondc/org/title_type"]},
                {"code": "id", "value": entry["@ondc/org/item_id"]},
                {"code": "currency", "value": CURRENCY},
                {"code": "value", "value": f"-{Decimal(str(entry['price']['value'])):.2f}"},
            ],
        }
        for entry in (ondc.confirmed.get("quote") or {}).get("breakup") or []
        if Decimal(str(entry["price"]["value"])) != 0
    ]
    cancel = {
        "id": CANCEL_FULFILMENT_ID,
        "type": "Cancel",
        "state": {"descriptor": {"code": "Cancelled"}},
        "tags": [cancel_request, precancel, *trail],
    }
    confirmed["fulfillments"] = [forward, cancel, *confirmed["fulfillments"][1:]]
    items = confirmed["items"]
    confirmed["items"] = [
        *({**item, "quantity": {"count": 0}} for item in items),
        *({**item, "fulfillment_id": CANCEL_FULFILMENT_ID} for item in items),
    ]
    confirmed.pop("tags", None)
    confirmed["cancellation"] = {"cancelled_by": by, "reason": {"id": reason}}


def _on_confirm_moment(ondc: OndcOrder) -> str:
    """When on_confirm was sent (its context.timestamp, which is its order's updated_at), as the
    message log holds it; "" if it is not there (pruned)."""
    sent = (
        OndcMessage.objects.filter(
            node=ondc.node_id,
            direction=OndcMessage.Direction.SENT,
            action="on_confirm",
            transaction_id=ondc.transaction_id,
        )
        .order_by("pk")
        .values_list("body", flat=True)
        .first()
    )
    if sent is None:
        return ""
    return str((orjson.loads(sent).get("context") or {}).get("timestamp") or "")


def current_quote(ondc: OndcOrder) -> dict[str, Any]:
    """The confirmed quote, each item line at the units the order holds now."""
    quote = dict(ondc.confirmed.get("quote") or {})
    held = {line.line_id: line.quantity for line in ondc.order.lines.all()}
    if ondc.order.state == Order.State.CANCELLED:
        held = dict.fromkeys(held, 0)
    breakup = []
    total = Decimal(0)
    for entry in quote.get("breakup") or []:
        entry = dict(entry)
        if entry.get("@ondc/org/title_type") == "item" and entry.get("@ondc/org/item_id") in held:
            unit = Decimal(str(entry["item"]["price"]["value"]))
            count = held[entry["@ondc/org/item_id"]]
            entry["@ondc/org/item_quantity"] = {"count": count}
            entry["price"] = _money(unit * count)
        if ondc.order.state == Order.State.CANCELLED:
            entry["price"] = _money(Decimal(0))
        total += Decimal(str(entry["price"]["value"]))
        breakup.append(entry)
    quote.update(price=_money(total), breakup=breakup)
    return quote


def _return_fulfilments(ondc: OndcOrder) -> list[dict[str, Any]]:
    return [
        {
            "id": update["fulfillment_id"],
            "type": "Return" if update["kind"] == "return" else "Cancel",
            "state": {"descriptor": {"code": update["state"]}},
            "tags": [
                {
                    "code": "return_request" if update["kind"] == "return" else "cancel_request",
                    "list": [
                        {"code": "item_id", "value": update["item_id"]},
                        {"code": "item_quantity", "value": str(update["quantity"])},
                        {"code": "reason_id", "value": update["reason_code"]},
                    ],
                }
            ],
        }
        for update in ondc.updates
    ]


def answer_status(node: OndcNode, request: dict[str, Any]) -> Reply:
    return Reply(order_message(_find(node, request)))


def tracking_url(carrier: str, waybill: str) -> str:
    page = TRACKING_PAGES.get(carrier.strip().lower())
    return page.format(waybill) if page and waybill else ""


def answer_track(node: OndcNode, request: dict[str, Any]) -> Reply:
    """Tracking once the order has left with a courier whose tracking page we know; 40005
    (tracking not enabled) before, or for a courier without one."""
    order = _find(node, request).order
    url = tracking_url(order.carrier, order.tracking_number)
    on_the_way = (Order.State.SHIPPED, Order.State.OUT_FOR_DELIVERY)
    if order.state not in (*on_the_way, Order.State.DELIVERED) or not url:
        raise OndcError("40005", "tracking is not available for this order yet")
    status = "active" if order.state in on_the_way else "inactive"
    return Reply({"tracking": {"id": FULFILMENT_ID, "url": url, "status": status}})


def answer_cancel(node: OndcNode, request: dict[str, Any]) -> Reply:
    """The buyer cancels, before the order leaves, with one of ONDC's buyer reasons (30012
    otherwise); 006 (not shipped in time) only once it is late (30014). Shipped: 50001."""
    ondc = _find(node, request)
    message = request.get("message") or {}
    reason = str(message.get("cancellation_reason_id") or "")
    if reason not in BUYER_CANCEL_REASONS:
        raise OndcError("30012", f"cancellation reason {reason!r} is not a buyer's reason")
    order = ondc.order
    if order.state == Order.State.CANCELLED:
        return Reply(order_message(ondc))
    if reason == LATE_SHIPMENT_REASON and (order.ship_by is None or timezone.now() < order.ship_by):
        raise OndcError("30014", "the order is not late: it may be shipped until its ship-by time")
    with transaction.atomic():
        try:
            ondc.order = actions.record_buyer_cancellation(
                order,
                _("Cancelled by the buyer (ONDC reason %(code)s: %(reason)s)")
                % {"code": reason, "reason": BUYER_CANCEL_REASONS[reason]},
            )
        except ValidationError as exc:
            raise OndcError(
                "50001", "the order has left and cannot be cancelled", type=POLICY_ERROR
            ) from exc
        ondc.cancellation_reason_id = reason
        ondc.save(update_fields=["cancellation_reason_id", "updated_at"])
    return Reply(order_message(ondc))


def _update_tags(item: dict[str, Any]) -> dict[str, str]:
    """An updated item's tags, given as 1.2.0's object or as a code/list array."""
    tags = item.get("tags") or {}
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    flat: dict[str, str] = {}
    for tag in tags:
        for entry in tag.get("list") or []:
            flat[str(entry.get("code"))] = str(entry.get("value"))
    return flat


def answer_update(node: OndcNode, request: dict[str, Any]) -> Reply:
    """Returns (of a delivered order, with ONDC's return reasons) and part-cancellations (before
    the order leaves): each updated item names its `update_type`, `reason_code` and quantity."""
    ondc = _find(node, request)
    order = ondc.order
    asked = (request.get("message") or {}).get("order") or {}
    lines = {line.line_id: line for line in order.lines.all()}
    returns: list[tuple[str, int, str]] = []
    cancels: dict[int, int] = {}
    cancel_reasons: list[tuple[str, int, str]] = []
    for item in asked.get("items") or []:
        item_id = str(item.get("id") or "")
        tags = _update_tags(item)
        kind, reason = tags.get("update_type", ""), tags.get("reason_code", "")
        try:
            quantity = int((item.get("quantity") or {}).get("count", 0))
        except (TypeError, ValueError):
            quantity = 0
        line = lines.get(item_id)
        if line is None or not 0 < quantity <= line.quantity:
            raise OndcError("30004", _error_items([item_id], "30004"))
        if kind == "return":
            if reason not in RETURN_REASONS:
                raise OndcError("30005", f"return reason {reason!r} is not one of ONDC's")
            if order.state != Order.State.DELIVERED:
                raise OndcError(
                    "50002", "only a delivered order can be returned", type=POLICY_ERROR
                )
            returns.append((item_id, quantity, reason))
        elif kind == "cancel":
            if reason not in BUYER_CANCEL_REASONS:
                raise OndcError("30012", f"cancellation reason {reason!r} is not a buyer's reason")
            cancels[line.pk] = quantity
            cancel_reasons.append((item_id, quantity, reason))
        else:
            raise OndcError("50002", f"update_type {kind!r} is not supported", type=POLICY_ERROR)
    if not returns and not cancels:
        raise OndcError("30000", "no item to update")
    with transaction.atomic():
        if cancels:
            try:
                ondc.order = actions.record_part_cancellation(
                    order,
                    cancels,
                    _("Part cancelled by the buyer (ONDC reason %(code)s)")
                    % {"code": cancel_reasons[0][2]},
                )
            except ValidationError as exc:
                raise OndcError(
                    "50002",
                    "the order has left: units can no longer be cancelled",
                    type=POLICY_ERROR,
                ) from exc
            if ondc.order.state == Order.State.CANCELLED:
                ondc.cancellation_reason_id = cancel_reasons[0][2]
        now = timestamp()
        for item_id, quantity, reason in returns:
            ondc.updates.append(
                {
                    "kind": "return",
                    "fulfillment_id": f"R{len(ondc.updates) + 1}",
                    "item_id": item_id,
                    "quantity": quantity,
                    "reason_code": reason,
                    "state": "Return_Initiated",
                    "at": now,
                }
            )
        for item_id, quantity, reason in cancel_reasons:
            ondc.updates.append(
                {
                    "kind": "cancel",
                    "fulfillment_id": f"C{len(ondc.updates) + 1}",
                    "item_id": item_id,
                    "quantity": quantity,
                    "reason_code": reason,
                    "state": "Cancelled",
                    "at": now,
                }
            )
        ondc.save(update_fields=["updates", "cancellation_reason_id", "updated_at"])
    return Reply(order_message(ondc))


# --- rating and support -----------------------------------------------------------------------


def _order_by_id(node: OndcNode, order_id: str) -> Order | None:
    ondc = (
        OndcOrder.objects.filter(node=node, order__channel_order_id=order_id)
        .select_related("order")
        .first()
    )
    if ondc is None:
        ondc = (
            OndcOrder.objects.filter(node=node, transaction_id=order_id)
            .select_related("order")
            .first()
        )
    return ondc.order if ondc is not None else None


def answer_rating(node: OndcNode, request: dict[str, Any]) -> Reply:
    """Ratings (1 to 5) of an order, its items, provider or fulfilment, kept on the order."""
    context = request.get("context") or {}
    message = request.get("message") or {}
    ratings = message.get("ratings") or ([message] if message.get("rating_category") else [])
    if not ratings:
        raise OndcError("30015", "no rating given")
    transaction_order = (
        OndcOrder.objects.filter(node=node, transaction_id=context.get("transaction_id"))
        .select_related("order")
        .first()
    )
    rows = []
    for rating in ratings:
        category = str(rating.get("rating_category") or "")
        if category not in RATING_CATEGORIES:
            raise OndcError(
                "50003", f"rating category {category!r} is not supported", type=POLICY_ERROR
            )
        try:
            value = int(str(rating.get("value")))
        except ValueError:
            value = 0
        if not 1 <= value <= 5:
            raise OndcError("30015", f"rating {rating.get('value')!r} is not 1 to 5")
        reference = str(rating.get("id") or "")
        order = _order_by_id(node, reference) or (
            transaction_order.order if transaction_order is not None else None
        )
        rows.append(
            OndcFeedback(
                node=node,
                order=order,
                kind=OndcFeedback.Kind.RATING,
                bap_id=str(context.get("bap_id", ""))[:200],
                reference=reference[:100],
                category=category,
                value=value,
                raw=rating,
            )
        )
    OndcFeedback.objects.bulk_create(rows)
    return Reply({"feedback_ack": True, "rating_ack": True})


def answer_support(node: OndcNode, request: dict[str, Any]) -> Reply:
    """The centre's phone and email for an order (or transaction); the request is kept on it."""
    context = request.get("context") or {}
    message = request.get("message") or {}
    reference = str(message.get("ref_id") or (message.get("support") or {}).get("ref_id") or "")
    if not (node.support_phone or node.support_email):
        raise OndcError("50004", "support is not available", type=POLICY_ERROR)
    OndcFeedback.objects.create(
        node=node,
        order=_order_by_id(node, reference),
        kind=OndcFeedback.Kind.SUPPORT,
        bap_id=str(context.get("bap_id", ""))[:200],
        reference=reference[:100],
        raw=message,
    )
    answer: dict[str, Any] = {"phone": node.support_phone, "email": node.support_email}
    if node.support_phone:
        answer["uri"] = f"tel:{node.support_phone}"
    return Reply(answer)
