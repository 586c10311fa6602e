"""eBay as a Niryat channel: cross-border listings through the Sell Inventory API.

A listing is three steps on eBay: an inventory item (PUT by SKU, so repeating it is harmless), an
offer for one marketplace (looked up by SKU before one is created, so a retried submission never
makes a second offer) and the offer's publication, which eBay does at once and which gives the
listing id. Before the first step we check that the seller's business policies and inventory
location named in the account's settings exist: without them eBay refuses to publish, and saying so
before anything is sent tells staff what to fix.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar, cast
from urllib.parse import quote

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from niryat.catalog.completeness import Problem
from niryat.catalog.models import Sku
from niryat.channels.base import (
    Channel,
    ChannelError,
    CredentialField,
    FieldError,
    ListingStatus,
    OrderData,
    OrderLineData,
    OrderStatus,
    PulledOrders,
    Shipment,
    each_order_once,
)
from niryat.channels.ebay import finances
from niryat.channels.ebay import listing as rules
from niryat.channels.ebay.api import EbayApi, connect, field_errors
from niryat.channels.models import ChannelAccount, Listing, Order
from niryat.channels.settlements import PulledSettlements

INVENTORY = "/sell/inventory/v1"
ORDERS_PAGE = 50
# eBay's Account API: the policy kinds a listing needs, as (path, list key, id key, setting).
POLICIES = (
    ("fulfillment_policy", "fulfillmentPolicies", "fulfillmentPolicyId", "fulfillment_policy_id"),
    ("payment_policy", "paymentPolicies", "paymentPolicyId", "payment_policy_id"),
    ("return_policy", "returnPolicies", "returnPolicyId", "return_policy_id"),
)
# Lazily translated, shown in the reader's language (FieldError.explanation).
SETUP_EXPLANATION = cast(
    "str",
    _(
        "Create it in the seller's eBay account (business policies, inventory locations) and "
        "enter its id in the Niryat account's settings."
    ),
)


class NoOffer(ChannelError):
    """The SKU has no offer on eBay (never submitted, or deleted there)."""


# eBay's carrier codes (ShippingCarrierCodeEnum) for couriers Indian sellers ship abroad with;
# another courier is sent by its name without spaces, which eBay shows as it is.
CARRIER_CODES = {
    "india post": "IndiaPost",
    "speed post": "IndiaPost",
    "dhl": "DHL",
    "fedex": "FedEx",
    "ups": "UPS",
    "aramex": "Aramex",
    "blue dart": "BlueDart",
    "dtdc": "DTDC",
}


def _status_of(order: dict[str, Any]) -> str:
    """Where an order stands. The Fulfillment API gives cancellation and shipment
    (orderFulfillmentStatus); a return shows as the order refunded in full after shipment. eBay
    gives no delivery state for a seller-shipped order in this API: we read the delivery date
    the carrier's scan leaves on the line items (`deliveredDate`), to be checked against a live
    account."""
    if (order.get("cancelStatus") or {}).get("cancelState") == "CANCELED":
        return OrderStatus.CANCELLED
    if order.get("orderFulfillmentStatus") != "FULFILLED":
        return OrderStatus.OPEN
    if order.get("orderPaymentStatus") == "FULLY_REFUNDED":
        return OrderStatus.RETURNED
    items = order.get("lineItems") or []
    if items and all(item.get("deliveredDate") for item in items):
        return OrderStatus.DELIVERED
    return OrderStatus.SHIPPED


def _rejected(exc: ChannelError) -> bool:
    """eBay refused the content (HTTP 400 with errors): the listing is rejected, not retried."""
    return exc.status == 400 and bool(exc.field_errors)


def _local_errors(problems: Sequence[Problem]) -> list[FieldError]:
    return [
        FieldError(field=p.field, code="", message="", explanation=cast("str", p.message))
        for p in problems
    ]


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# How long a found account setup (policies, location) is trusted before it is checked again.
SETUP_CHECK_SECONDS = 600.0
_setup_checked: dict[tuple[int | None, str], float] = {}


class EbayChannel(Channel):
    """eBay for one seller account. `account.settings` holds the marketplace (EBAY_US by default),
    its currency, the inventory location key, the three business policy ids and optionally a
    category id; prices are converted from rupees at the staff's exchange rate."""

    code: ClassVar[str] = "ebay"
    name: ClassVar[StrOrPromise] = "eBay"
    credential_fields: ClassVar[Sequence[CredentialField]] = (
        CredentialField("client_id", _("App ID (client ID)"), secret=False),
        CredentialField("client_secret", _("Cert ID (client secret)")),
        CredentialField(
            "refresh_token",
            _("User refresh token"),
            help_text=_("From eBay's consent page for the seller, valid for 18 months."),
        ),
    )
    setting_fields: ClassVar[Sequence[CredentialField]] = (
        CredentialField(
            "marketplace_id",
            _("eBay site"),
            secret=False,
            help_text=_("For example EBAY_US or EBAY_GB."),
            default="EBAY_US",
        ),
        CredentialField(
            "currency",
            _("Currency"),
            secret=False,
            help_text=_("The site's currency, for example USD."),
            default="USD",
        ),
        CredentialField(
            "merchant_location_key",
            _("Inventory location key"),
            secret=False,
        ),
        CredentialField("fulfillment_policy_id", _("Shipping policy ID"), secret=False),
        CredentialField("payment_policy_id", _("Payment policy ID"), secret=False),
        CredentialField("return_policy_id", _("Return policy ID"), secret=False),
        CredentialField(
            "category_id",
            _("eBay category ID"),
            secret=False,
            help_text=_("The leaf category the products are listed in."),
        ),
    )
    # eBay documents daily call limits per application (Inventory API 2,000,000, Fulfillment API
    # 100,000 a day), not a per-second rate; two calls a second per seller stays well inside them.
    calls_per_second: ClassVar[float] = 2.0
    # A shipping fulfillment carries the courier and tracking number to the buyer.
    ships_through_api = True
    needs_waybill = True

    def __init__(self, account: ChannelAccount | None = None) -> None:
        super().__init__(account)
        # Exchange rates looked up by this instance: a batch of SKUs asks once per currency.
        self.rates: rules.Rates = {}

    # -- local ---------------------------------------------------------------------------------
    def settings(self) -> dict[str, str]:
        return rules.account_settings(self.account.settings if self.account else None)

    def validate(self, sku: Sku) -> list[Problem]:
        return rules.validate(sku, self.settings(), self.rates)

    def build(self, skus: Sequence[Sku]) -> list[dict[str, Any]]:
        settings = self.settings()
        return [
            {
                "inventory_item": rules.inventory_item(sku, settings),
                "offer": rules.offer(sku, settings, self.rates),
            }
            for sku in skus
        ]

    # -- calls ---------------------------------------------------------------------------------
    def _account(self) -> ChannelAccount:
        if self.account is None:
            raise ChannelError("eBay: no seller account", permanent=True)
        return self.account

    def _connect(self) -> Any:
        account = self._account()
        return connect(account.pk, account.credentials())

    def _language(self, settings: dict[str, str]) -> str:
        return rules.MARKETPLACES.get(settings["marketplace_id"], ("", "en-US"))[1]

    def _listing_url(self, settings: dict[str, str], listing_id: str) -> str:
        site = rules.MARKETPLACES.get(settings["marketplace_id"], ("www.ebay.com", ""))[0]
        return f"https://{site}/itm/{listing_id}"

    def check_account(self) -> None:
        settings = self.settings()
        with self._connect() as api:
            api.token(fresh=True)
            missing = self.setup_errors(api, settings)
        if missing:
            raise ChannelError(
                "eBay: " + "; ".join(error.message for error in missing),
                permanent=True,
                field_errors=missing,
            )

    def _setup_key(self, settings: dict[str, str]) -> tuple[int | None, str]:
        return (self._account().pk, json.dumps(settings, sort_keys=True))

    def _setup_known_good(self, settings: dict[str, str]) -> bool:
        """The policies and location were found a little while ago: a batch of submissions
        checks them once (about 4 calls), not once per SKU."""
        return _setup_checked.get(self._setup_key(settings), 0.0) > time.monotonic()

    def _remember_setup(self, settings: dict[str, str]) -> None:
        _setup_checked[self._setup_key(settings)] = time.monotonic() + SETUP_CHECK_SECONDS

    def setup_errors(self, api: EbayApi, settings: dict[str, str]) -> list[FieldError]:
        """What the account lacks to publish: its business policies and inventory location."""
        marketplace = settings["marketplace_id"]
        missing = []
        for path, list_key, id_key, setting in POLICIES:
            wanted = settings[setting]
            if not wanted:
                missing.append(
                    FieldError("account", "", f"{setting} is not set", SETUP_EXPLANATION)
                )
                continue
            data = api.call(
                "GET", f"/sell/account/v1/{path}", params={"marketplace_id": marketplace}
            ).json()
            ids = {str(policy.get(id_key)) for policy in data.get(list_key) or []}
            if wanted not in ids:
                missing.append(
                    FieldError(
                        "account",
                        "",
                        f"{setting} {wanted} is not among the seller's {marketplace} policies",
                        SETUP_EXPLANATION,
                    )
                )
        key = settings["merchant_location_key"]
        if not key:
            missing.append(
                FieldError("account", "", "merchant_location_key is not set", SETUP_EXPLANATION)
            )
            return missing
        try:
            location = api.call("GET", f"{INVENTORY}/location/{quote(key, safe='')}").json()
        except ChannelError as exc:
            if exc.status != 404:
                raise
            missing.append(
                FieldError(
                    "account",
                    exc.field_errors[0].code if exc.field_errors else "",
                    f"inventory location {key} does not exist",
                    SETUP_EXPLANATION,
                )
            )
            return missing
        if location.get("merchantLocationStatus", "ENABLED") != "ENABLED":
            missing.append(
                FieldError(
                    "account",
                    "",
                    f"inventory location {key} is disabled",
                    cast("str", _("Enable the inventory location in the seller's eBay account.")),
                )
            )
        return missing

    def find_offer(self, api: EbayApi, seller_sku: str, marketplace: str) -> dict[str, Any] | None:
        """The SKU's fixed-price offer on the marketplace, if there is one (eBay answers 404 when
        the SKU has no offer)."""
        try:
            data = api.call(
                "GET",
                f"{INVENTORY}/offer",
                params={"sku": seller_sku, "marketplace_id": marketplace},
            ).json()
        except ChannelError as exc:
            if exc.status == 404:
                return None
            raise
        for offer in data.get("offers") or []:
            if offer.get("marketplaceId") == marketplace and offer.get("format") == "FIXED_PRICE":
                return cast("dict[str, Any]", offer)
        return None

    def _put_offer(self, api: EbayApi, body: dict[str, Any], language: str) -> str:
        """Update the SKU's offer, or create it: the lookup comes first so that a retry after a
        lost answer updates the offer the first attempt created."""
        existing = self.find_offer(api, body["sku"], body["marketplaceId"])
        headers = {"Content-Language": language}
        if existing is None:
            try:
                data = api.call("POST", f"{INVENTORY}/offer", json=body, headers=headers).json()
                return str(data["offerId"])
            except ChannelError as exc:
                # Created meanwhile (eBay: 25002 "Offer entity already exists"): update it.
                if not any("already exists" in error.message for error in exc.field_errors):
                    raise
                existing = self.find_offer(api, body["sku"], body["marketplaceId"])
                if existing is None:
                    raise
        offer_id = str(existing["offerId"])
        api.call("PUT", f"{INVENTORY}/offer/{offer_id}", json=body, headers=headers)
        return offer_id

    def _status(self, offer: dict[str, Any], settings: dict[str, str]) -> ListingStatus:
        offer_id = str(offer.get("offerId", ""))
        listing = offer.get("listing") or {}
        listing_id = str(listing.get("listingId") or "")
        if listing_id and listing.get("listingStatus") in {"ENDED", "EBAY_ENDED"}:
            return ListingStatus(state="ended", external_id=listing_id, reference=offer_id)
        if offer.get("status") == "PUBLISHED" and listing_id:
            state = {
                "ACTIVE": "live",
                "OUT_OF_STOCK": "paused",
                "ENDED": "ended",
                "EBAY_ENDED": "ended",
            }.get(str(listing.get("listingStatus", "ACTIVE")), "submitted")
            return ListingStatus(
                state=state,
                external_id=listing_id,
                url=self._listing_url(settings, listing_id),
                reference=offer_id,
            )
        return ListingStatus(state="submitted", external_id=listing_id, reference=offer_id)

    def submit(self, listing: Listing, *, key: str) -> ListingStatus:
        """Inventory item, offer, publish. Every step is safe to repeat: the item is PUT by SKU,
        the offer is looked up by SKU before one is created, and publishing a published offer
        revises the same listing."""
        sku = listing.sku
        settings = self.settings()
        problems = rules.validate(sku, settings)
        if problems:  # nothing eBay would accept: say so without sending anything
            return ListingStatus(state="rejected", errors=_local_errors(problems))
        language = self._language(settings)
        with self._connect() as api:
            missing = [] if self._setup_known_good(settings) else self.setup_errors(api, settings)
            if missing:
                return ListingStatus(state="rejected", errors=missing)
            self._remember_setup(settings)
            try:
                api.call(
                    "PUT",
                    f"{INVENTORY}/inventory_item/{quote(sku.seller_sku, safe='')}",
                    json=rules.inventory_item(sku, settings),
                    headers={"Content-Language": language},
                )
                offer_id = self._put_offer(api, rules.offer(sku, settings), language)
                api.call("POST", f"{INVENTORY}/offer/{offer_id}/publish")
            except ChannelError as exc:
                if _rejected(exc):
                    return ListingStatus(state="rejected", errors=exc.field_errors)
                raise
            offer = api.call("GET", f"{INVENTORY}/offer/{offer_id}").json()
        return self._status(offer, settings)

    def _offer_id(self, api: EbayApi, listing: Listing, settings: dict[str, str]) -> str:
        if listing.reference:
            return listing.reference
        offer = self.find_offer(api, listing.sku.seller_sku, settings["marketplace_id"])
        if offer is None:
            raise NoOffer(f"eBay: no offer for {listing.sku.seller_sku}", permanent=True)
        return str(offer["offerId"])

    def poll(self, listing: Listing) -> ListingStatus:
        settings = self.settings()
        with self._connect() as api:
            try:
                offer_id = self._offer_id(api, listing, settings)
                offer = api.call("GET", f"{INVENTORY}/offer/{offer_id}").json()
            except ChannelError as exc:
                if exc.status == 404 or isinstance(exc, NoOffer):
                    return ListingStatus(state="ended", external_id=listing.external_id)
                raise
        return self._status(offer, settings)

    def _bulk_update(self, api: EbayApi, request: dict[str, Any]) -> None:
        data = api.call(
            "POST", f"{INVENTORY}/bulk_update_price_quantity", json={"requests": [request]}
        ).json()
        for response in data.get("responses") or []:
            if int(response.get("statusCode", 200)) != 200:
                errors = field_errors({"errors": response.get("errors") or []})
                raise ChannelError(
                    "eBay: " + "; ".join(f"{e.code} {e.message}" for e in errors),
                    permanent=True,
                    field_errors=errors,
                    status=int(response["statusCode"]),
                )

    def push_stock(self, listing: Listing, quantity: int, *, key: str) -> None:
        """The quantity is absolute, so a repeated call changes nothing."""
        settings = self.settings()
        with self._connect() as api:
            offer_id = self._offer_id(api, listing, settings)
            self._bulk_update(
                api,
                {
                    "sku": listing.sku.seller_sku,
                    "shipToLocationAvailability": {"quantity": quantity},
                    "offers": [{"offerId": offer_id, "availableQuantity": quantity}],
                },
            )

    def read_quantities(self, listings: Sequence[Listing]) -> dict[int, int]:
        """Inventory API getInventoryItem for each SKU: the quantity it offers is
        availability.shipToLocationAvailability.quantity. A SKU eBay does not know (404) is
        left out."""
        quantities: dict[int, int] = {}
        with self._connect() as api:
            for listing in listings:
                try:
                    item = api.call(
                        "GET",
                        f"{INVENTORY}/inventory_item/{quote(listing.sku.seller_sku, safe='')}",
                    ).json()
                except ChannelError as exc:
                    if exc.status == 404:
                        continue
                    raise
                availability = (item.get("availability") or {}).get(
                    "shipToLocationAvailability"
                ) or {}
                quantities[listing.pk] = int(availability.get("quantity") or 0)
        return quantities

    def push_price(self, listing: Listing, *, key: str) -> None:
        settings = self.settings()
        price = rules.price_amount(listing.sku, settings["currency"])
        if price is None:
            raise ChannelError(
                f"eBay: no price in {settings['currency']} (price or exchange rate missing)",
                permanent=True,
                field_errors=[
                    FieldError(
                        "price",
                        "",
                        "",
                        cast(
                            "str",
                            format_lazy(
                                _("Staff must set the exchange rate for {currency}."),
                                currency=settings["currency"],
                            ),
                        ),
                    )
                ],
            )
        with self._connect() as api:
            offer_id = self._offer_id(api, listing, settings)
            self._bulk_update(
                api,
                {"sku": listing.sku.seller_sku, "offers": [{"offerId": offer_id, "price": price}]},
            )

    def end(self, listing: Listing, *, key: str) -> None:
        """Withdraw the offer: the listing ends, the offer and the inventory item stay for a
        later relisting. An offer that is gone already counts as ended."""
        settings = self.settings()
        with self._connect() as api:
            try:
                offer_id = self._offer_id(api, listing, settings)
                offer = api.call("GET", f"{INVENTORY}/offer/{offer_id}").json()
            except ChannelError as exc:
                if exc.status == 404 or isinstance(exc, NoOffer):
                    return
                raise
            if offer.get("status") == "PUBLISHED":  # a retry finds it withdrawn already
                api.call("POST", f"{INVENTORY}/offer/{offer_id}/withdraw")

    # -- settlements (the Finances API) -------------------------------------------------------
    def pull_settlement_parts(
        self, since: datetime, resume: dict[str, Any] | None = None
    ) -> Iterator[PulledSettlements]:
        account = self._account()
        with finances.connect(account.pk, account.credentials()) as api:
            yield from finances.pull_settlement_parts(api, since, resume)

    # -- orders --------------------------------------------------------------------------------
    def pull_orders(self, since: datetime) -> list[OrderData]:
        """Orders changed since `since`. An order that eBay lists twice is returned once."""
        return each_order_once(self.pull_order_parts(since))

    def pull_order_parts(
        self, since: datetime, resume: dict[str, Any] | None = None
    ) -> Iterator[PulledOrders]:
        """getOrders (Fulfillment API) page by page, each page a part (an order comes whole,
        with its line items); `resume` holds the offset of the next page."""
        start = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        offset = int((resume or {}).get("offset", 0))
        with self._connect() as api:
            while True:
                data = api.call(
                    "GET",
                    "/sell/fulfillment/v1/order",
                    params={
                        "filter": f"lastmodifieddate:[{start}..]",
                        "limit": ORDERS_PAGE,
                        "offset": offset,
                    },
                ).json()
                orders = data.get("orders") or []
                offset += len(orders)
                yield PulledOrders(
                    [self._order(order) for order in orders], resume={"offset": offset}
                )
                if not orders or offset >= int(data.get("total", 0)):
                    return

    def _order(self, order: dict[str, Any]) -> OrderData:
        total = (order.get("pricingSummary") or {}).get("total") or {}
        lines = []
        ship_by: list[datetime] = []
        for item in order.get("lineItems") or []:
            quantity = int(item.get("quantity", 1))
            cost = Decimal(str((item.get("lineItemCost") or {}).get("value", "0")))
            lines.append(
                OrderLineData(
                    seller_sku=str(item.get("sku", "")),
                    quantity=quantity,
                    # lineItemCost is the unit price times the quantity
                    unit_price=(cost / quantity).quantize(rules.CENT) if quantity else cost,
                    line_id=str(item.get("lineItemId", "")),
                )
            )
            instructions = item.get("lineItemFulfillmentInstructions") or {}
            when = _when(instructions.get("shipByDate"))
            if when:
                ship_by.append(when)
        ship_to: dict[str, Any] = {}
        for instruction in order.get("fulfillmentStartInstructions") or []:
            ship_to = (instruction.get("shippingStep") or {}).get("shipTo") or {}
        ordered_at = _when(order.get("creationDate")) or datetime.now(UTC)
        return OrderData(
            channel_order_id=str(order["orderId"]),
            ordered_at=ordered_at,
            lines=lines,
            currency=str(total.get("currency") or self.settings()["currency"]),
            ship_by=min(ship_by) if ship_by else None,
            cancelled=(order.get("cancelStatus") or {}).get("cancelState") == "CANCELED",
            status=_status_of(order),
            cancelled_by_buyer=any(
                request.get("cancelInitiator") == "BUYER"
                for request in (order.get("cancelStatus") or {}).get("cancelRequests") or []
            ),
            buyer_city=str((ship_to.get("contactAddress") or {}).get("city", "")),
            raw=order,
        )

    @staticmethod
    def shipping_fulfillment(order: Order, shipment: Shipment) -> dict[str, Any]:
        """The body of createShippingFulfillment: every line item of the order in one package."""
        carrier = shipment.carrier.strip()
        return {
            "lineItems": [
                {"lineItemId": line.line_id, "quantity": line.quantity}
                for line in order.lines.all()
                if line.line_id
            ],
            "shippedDate": shipment.shipped_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "shippingCarrierCode": CARRIER_CODES.get(carrier.casefold(), carrier.replace(" ", "")),
            "trackingNumber": shipment.tracking_number.replace(" ", "").replace("-", ""),
        }

    def ship(self, order: Order, shipment: Shipment, *, key: str) -> Shipment:
        """Create the shipping fulfillment. The order's fulfillments are read first: one with this
        tracking number was made by an earlier try whose answer was lost, and is not made twice."""
        path = f"/sell/fulfillment/v1/order/{quote(order.channel_order_id, safe='')}"
        body = self.shipping_fulfillment(order, shipment)
        with self._connect() as api:
            known = api.call("GET", f"{path}/shipping_fulfillment").json()
            if any(
                f.get("shipmentTrackingNumber") == body["trackingNumber"]
                for f in known.get("fulfillments") or []
            ):
                return shipment
            api.call("POST", f"{path}/shipping_fulfillment", json=body)
        return shipment

    def cancel_order(self, order: Order, reason: str, *, key: str) -> None:
        """Cancel through the Post-Order API, seller-initiated with eBay's out-of-stock reason
        (eBay takes a reason code, not our text). An order eBay shows as cancelled already is
        left alone, so a retry after a lost answer cancels nothing twice."""
        settings = self.settings()
        with self._connect() as api:
            current = api.call(
                "GET", f"/sell/fulfillment/v1/order/{quote(order.channel_order_id, safe='')}"
            ).json()
            if (current.get("cancelStatus") or {}).get("cancelState") == "CANCELED":
                return
            api.call(
                "POST",
                "/post-order/v2/cancellation",
                # The Post-Order API takes the OAuth token as "IAF <token>".
                scheme="IAF",
                headers={"X-EBAY-C-MARKETPLACE-ID": settings["marketplace_id"]},
                json={
                    "legacyOrderId": str(current.get("legacyOrderId") or order.channel_order_id),
                    "cancelReason": "OUT_OF_STOCK_OR_CANNOT_FULFILL",
                },
            )
