"""A fake eBay: OAuth token, Account API policies, Sell Inventory API (locations, inventory items,
offers, publish, withdraw, bulk price and quantity), Fulfillment API orders and shipping
fulfillments (create, list), the Post-Order API's cancellation, the Finances API's payouts and
transactions (getPayouts, getTransactions, offset paging; `settle` pays orders out), with eBay's
paths, bodies
and error shape
({"errors": [{"errorId", "domain", "category", "message", "longMessage", "parameters"}]}).

Each refresh token is one seller's consent: the access tokens it obtains act for that seller (an
eBay user name). The fake accepts `REFRESH_TOKEN` (user `SELLER`) and, for demos and tests, that
token with `#u^<user name>` appended, a different seller for each name. An inventory item
remembers the seller that created it; a buyer's order for its SKU is that seller's (its
`sellerId`); getOrders, getOrder, shipping fulfillments and the Post-Order cancellation see only
the caller's own orders (another seller's order id is not found).

Every seller starts with one fulfillment, payment and return policy on EBAY_US and one inventory
location, whose ids are the class constants below; tests drop them to see the checks fail.
`fail_after(method, path)` lets the next matching call do its work and then answer 503 (or answer
late, past the client's timeout), which is how a lost answer looks to the client.
"""

from __future__ import annotations

import base64
import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, unquote

from fakes.base import FakeMarketplace, Request, Response, route

INVENTORY = "/sell/inventory/v1"
SITES = {"EBAY_US": "www.ebay.com", "EBAY_GB": "www.ebay.co.uk"}


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def ebay_error(
    error_id: int,
    message: str,
    *,
    long_message: str = "",
    domain: str = "API_INVENTORY",
    category: str = "REQUEST",
    parameters: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "errorId": error_id,
        "domain": domain,
        "category": category,
        "message": message,
    }
    if long_message:
        error["longMessage"] = long_message
    if parameters:
        error["parameters"] = parameters
    return error


class FakeEbay(FakeMarketplace):
    name = "ebay"

    CLIENT_ID = "NiryatEDC-niryat-PRD-5a1b2c3d4-e5f6a7b8"
    # Made-up credentials the fake accepts (not secrets).
    CLIENT_SECRET = "PRD-a1b2c3d4e5f6-a7b8-c9d0-e1f2-a3b4"  # noqa: S105
    REFRESH_TOKEN = "v^1.1#i^1#r^1#f^0#I^3#p^3#t^Ul4xMF8xOkZBS0VfUkVGUkVTSA=="  # noqa: S105
    SELLER = "gorakhpur_edc"  # the user REFRESH_TOKEN acts for
    OTHER_SELLER = re.compile(r"^#u\^(?P<user>[a-z0-9_.-]{1,64})$")  # after REFRESH_TOKEN
    FULFILLMENT_POLICY_ID = "6196944000"
    PAYMENT_POLICY_ID = "6196947000"
    RETURN_POLICY_ID = "6196948000"
    LOCATION_KEY = "GKP-EDC-01"
    TOKEN_SECONDS = 7200

    # -- state ---------------------------------------------------------------------------------
    def reset_state(self) -> None:
        self.tokens: dict[str, float] = {}
        self.token_sellers: dict[str, str] = {}  # access token → the user it acts for
        self.item_sellers: dict[str, str] = {}  # SKU → the user whose inventory item it is
        self.policies: dict[str, list[dict[str, Any]]] = {
            "fulfillment_policy": [
                {
                    "fulfillmentPolicyId": self.FULFILLMENT_POLICY_ID,
                    "name": "India Post international, 5 days handling",
                    "marketplaceId": "EBAY_US",
                    "handlingTime": {"value": 5, "unit": "DAY"},
                }
            ],
            "payment_policy": [
                {
                    "paymentPolicyId": self.PAYMENT_POLICY_ID,
                    "name": "eBay managed payments",
                    "marketplaceId": "EBAY_US",
                    "immediatePay": True,
                }
            ],
            "return_policy": [
                {
                    "returnPolicyId": self.RETURN_POLICY_ID,
                    "name": "30 days, buyer pays",
                    "marketplaceId": "EBAY_US",
                    "returnsAccepted": True,
                }
            ],
        }
        self.locations: dict[str, dict[str, Any]] = {
            self.LOCATION_KEY: {
                "merchantLocationKey": self.LOCATION_KEY,
                "name": "Export Development Centre, Gorakhpur",
                "merchantLocationStatus": "ENABLED",
                "locationTypes": ["WAREHOUSE"],
                "location": {
                    "address": {
                        "addressLine1": "Udyog Bhawan, Civil Lines",
                        "city": "Gorakhpur",
                        "stateOrProvince": "Uttar Pradesh",
                        "postalCode": "273001",
                        "country": "IN",
                    }
                },
            }
        }
        self.items: dict[str, dict[str, Any]] = {}
        self.offers: dict[str, dict[str, Any]] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        self.cancellations: list[dict[str, Any]] = []
        self.fulfillments: dict[str, list[dict[str, Any]]] = {}  # order id → shipping fulfillments
        # Finances API: each payout with its seller and its monetary transactions.
        self.payouts: list[dict[str, Any]] = []
        self.traps: list[dict[str, Any]] = []
        self.next_id = 1

    @classmethod
    def seller_for(cls, refresh_token: str) -> str | None:
        """The user a refresh token was granted by, or None for a token eBay never issued."""
        if refresh_token == cls.REFRESH_TOKEN:
            return cls.SELLER
        if refresh_token.startswith(cls.REFRESH_TOKEN):
            other = cls.OTHER_SELLER.match(refresh_token[len(cls.REFRESH_TOKEN) :])
            if other:
                return other["user"]
        return None

    def seller(self, request: Request, scheme: str = "Bearer") -> str:
        """The user an authorised call acts for."""
        header = request.headers.get("authorization", "")
        with self.lock:
            return self.token_sellers.get(header.removeprefix(f"{scheme} "), "")

    def _own_order(self, order_id: str, seller: str) -> dict[str, Any] | None:
        """The caller's order with this id (call under the lock)."""
        order = self.orders.get(order_id)
        return order if order is not None and order["sellerId"] == seller else None

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def drop_policy(self, kind: str) -> None:
        """Forget the seeded policy of `kind` ("fulfillment_policy", "payment_policy"...)."""
        with self.lock:
            self.policies[kind] = []

    def drop_location(self, key: str = LOCATION_KEY) -> None:
        with self.lock:
            self.locations.pop(key, None)

    def fail_after(self, method: str, path: str, *, status: int = 503, delay: float = 0) -> None:
        """The next `method` call to `path` (a regex) does its work, then answers `status`, or
        with `delay` answers correctly only after that many seconds."""
        with self.lock:
            pattern = re.compile(f"^{path}$")
            self.traps.append({"method": method, "path": pattern, "status": status, "delay": delay})

    def state(self) -> dict[str, Any]:
        with self.lock:
            offers = list(self.offers.values())
            return {
                "inventory_items": dict(self.items),
                "offers": offers,
                "listings": [offer["listing"] for offer in offers if offer.get("listing")],
                "orders": list(self.orders.values()),
                "cancellations": list(self.cancellations),
                "fulfillments": {k: list(v) for k, v in self.fulfillments.items()},
            }

    def error_response(self, status: int, code: str, message: str) -> Response:
        error_id = int(code) if code.isdigit() else {429: 2001, 404: 2002, 401: 1001}.get(status)
        category = "REQUEST" if status < 500 else "APPLICATION"
        return Response(
            status, {"errors": [ebay_error(error_id or 2003, message, category=category)]}
        )

    # -- serving: lost answers -----------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        response = super().dispatch(request)
        if request.path.startswith("/_fake/"):
            return response
        if response.status >= 300:
            return response
        with self.lock:
            trap = next(
                (
                    trap
                    for trap in self.traps
                    if trap["method"] == request.method and trap["path"].match(request.path)
                ),
                None,
            )
            if trap is None:
                return response
            self.traps.remove(trap)
        if trap["delay"]:
            time.sleep(trap["delay"])
            return response
        return self.error_response(trap["status"], "", "Service temporarily unavailable.")

    # -- auth ----------------------------------------------------------------------------------
    @route("POST", "/identity/v1/oauth2/token")
    def token(self, request: Request) -> Response:
        expected = base64.b64encode(f"{self.CLIENT_ID}:{self.CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return Response(
                401,
                {"error": "invalid_client", "error_description": "client authentication failed"},
            )
        form = {key: values[0] for key, values in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "refresh_token":
            return Response(
                400, {"error": "unsupported_grant_type", "error_description": "grant type"}
            )
        seller = self.seller_for(form.get("refresh_token", ""))
        if seller is None:
            return Response(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "the provided authorization refresh token is invalid "
                    "or was issued to another client",
                },
            )
        token = "v^1.1#i^1#p^3#f^0#I^3#r^1#t^" + secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = time.monotonic() + self.TOKEN_SECONDS
            self.token_sellers[token] = seller
        return Response(
            200,
            {
                "access_token": token,
                "expires_in": self.TOKEN_SECONDS,
                "token_type": "User Access Token",
            },
        )

    def _unauthorised(self, request: Request, scheme: str = "Bearer") -> Response | None:
        header = request.headers.get("authorization", "")
        token = header[len(scheme) + 1 :] if header.startswith(f"{scheme} ") else ""
        with self.lock:
            valid = self.tokens.get(token, 0) > time.monotonic()
        if valid:
            return None
        return Response(
            401,
            {
                "errors": [
                    ebay_error(
                        1001,
                        "Invalid access token",
                        long_message="Invalid access token. Check the value of the "
                        "Authorization HTTP request header.",
                        domain="OAuth",
                    )
                ]
            },
        )

    # -- Account API ---------------------------------------------------------------------------
    @route("GET", "/sell/account/v1/(?P<kind>fulfillment_policy|payment_policy|return_policy)")
    def get_policies(self, request: Request) -> Response:
        if denied := self._unauthorised(request):
            return denied
        kind = request.params["kind"]
        marketplace = request.arg("marketplace_id")
        if not marketplace:
            return Response(
                400, {"errors": [ebay_error(20401, "Missing field marketplaceId.", domain="API")]}
            )
        list_key = {
            "fulfillment_policy": "fulfillmentPolicies",
            "payment_policy": "paymentPolicies",
            "return_policy": "returnPolicies",
        }[kind]
        with self.lock:
            policies = [p for p in self.policies[kind] if p["marketplaceId"] == marketplace]
        return Response(200, {"total": len(policies), list_key: policies})

    # -- Inventory API: locations and items ----------------------------------------------------
    @route("GET", f"{INVENTORY}/location/(?P<key>[^/]+)")
    def get_location(self, request: Request) -> Response:
        if denied := self._unauthorised(request):
            return denied
        with self.lock:
            location = self.locations.get(unquote(request.params["key"]))
        if location is None:
            return Response(404, {"errors": [ebay_error(25805, "Location not found.")]})
        return Response(200, location)

    @route("PUT", f"{INVENTORY}/inventory_item/(?P<sku>[^/]+)")
    def put_item(self, request: Request) -> Response:
        if denied := self._unauthorised(request):
            return denied
        if not request.headers.get("content-language"):
            return Response(
                400, {"errors": [ebay_error(25709, "Invalid value for header Content-Language.")]}
            )
        body = request.json() or {}
        product = body.get("product") or {}
        if not product.get("title") or body.get("condition") not in {"NEW", "USED_EXCELLENT"}:
            return Response(
                400,
                {
                    "errors": [
                        ebay_error(
                            25016,
                            "Invalid value for product.title or condition.",
                            parameters=[{"name": "text1", "value": "product.title"}],
                        )
                    ]
                },
            )
        sku = unquote(request.params["sku"])
        seller = self.seller(request)
        with self.lock:
            self.items[sku] = {"sku": sku, **body}
            self.item_sellers[sku] = seller
        return Response(204)

    @route("GET", f"{INVENTORY}/inventory_item/(?P<sku>[^/]+)")
    def get_item(self, request: Request) -> Response:
        if denied := self._unauthorised(request):
            return denied
        with self.lock:
            item = self.items.get(unquote(request.params["sku"]))
        if item is None:
            return Response(404, {"errors": [ebay_error(25702, "SKU could not be found.")]})
        return Response(200, item)

    # -- offers --------------------------------------------------------------------------------
    @route("GET", f"{INVENTORY}/offer")
    def get_offers(self, request: Request) -> Response:
        if denied := self._unauthorised(request):
            return denied
        sku = request.arg("sku")
        marketplace = request.arg("marketplace_id")
        with self.lock:
            offers = [
                offer
                for offer in self.offers.values()
                if offer["sku"] == sku
                and (not marketplace or offer["marketplaceId"] == marketplace)
            ]
        if not offers:  # eBay answers 404 when the SKU has no offer
            return Response(404, {"errors": [ebay_error(25713, "This Offer is not available.")]})
        return Response(
            200, {"total": len(offers), "size": len(offers), "limit": 100, "offers": offers}
        )

    @route("POST", f"{INVENTORY}/offer")
    def create_offer(self, request: Request) -> Response:
        if denied := self._unauthorised(request):
            return denied
        body = request.json() or {}
        sku = str(body.get("sku", ""))
        with self.lock:
            if sku not in self.items:
                return Response(404, {"errors": [ebay_error(25702, "SKU could not be found.")]})
            for offer in self.offers.values():
                if offer["sku"] == sku and offer["marketplaceId"] == body.get("marketplaceId"):
                    return Response(
                        400,
                        {
                            "errors": [
                                ebay_error(
                                    25002,
                                    "A user error has occurred. Offer entity already exists.",
                                    long_message="Offer entity already exists.",
                                    parameters=[{"name": "offerId", "value": offer["offerId"]}],
                                )
                            ]
                        },
                    )
            offer_id = str(9_000_000_000 + self._id())
            self.offers[offer_id] = {
                **body,
                "offerId": offer_id,
                "status": "UNPUBLISHED",
                "availableQuantity": body.get(
                    "availableQuantity",
                    self.items[sku]["availability"]["shipToLocationAvailability"]["quantity"],
                ),
            }
        return Response(201, {"offerId": offer_id})

    def _offer(self, request: Request) -> dict[str, Any] | None:
        return self.offers.get(request.params["offer_id"])

    def _no_offer(self) -> Response:
        return Response(404, {"errors": [ebay_error(25713, "This Offer is not available.")]})

    @route("GET", f"{INVENTORY}/offer/(?P<offer_id>[0-9]+)")
    def get_offer(self, request: Request) -> Response:
        if denied := self._unauthorised(request):
            return denied
        with self.lock:
            offer = self._offer(request)
            return self._no_offer() if offer is None else Response(200, offer)

    @route("PUT", f"{INVENTORY}/offer/(?P<offer_id>[0-9]+)")
    def update_offer(self, request: Request) -> Response:
        if denied := self._unauthorised(request):
            return denied
        body = request.json() or {}
        with self.lock:
            offer = self._offer(request)
            if offer is None:
                return self._no_offer()
            kept = {key: offer[key] for key in ("offerId", "status", "listing") if key in offer}
            offer.clear()
            offer.update({**body, **kept})
        return Response(204)

    def _publish_errors(self, offer: dict[str, Any]) -> list[dict[str, Any]]:
        item = self.items.get(offer["sku"])
        if item is None:
            return [ebay_error(25702, "SKU could not be found.")]
        errors = list(self.faults.reject.get(offer["sku"], []))
        title = item["product"].get("title", "")
        if len(title) > 80:
            errors.append(
                ebay_error(
                    25002,
                    "A user error has occurred. The title may not be longer than 80 characters.",
                    parameters=[{"name": "text0", "value": "title"}],
                )
            )
        if not item["product"].get("imageUrls"):
            errors.append(ebay_error(25014, "The pictures are invalid."))
        if not (offer.get("pricingSummary") or {}).get("price"):
            errors.append(ebay_error(25003, "Invalid price."))
        if not offer.get("categoryId"):
            errors.append(ebay_error(25005, "Invalid category ID."))
        policies = offer.get("listingPolicies") or {}
        for kind, key, error_id in (
            ("fulfillment_policy", "fulfillmentPolicyId", 25007),
            ("payment_policy", "paymentPolicyId", 25008),
            ("return_policy", "returnPolicyId", 25009),
        ):
            if policies.get(key) not in {p[key] for p in self.policies[kind]}:
                errors.append(ebay_error(error_id, f"Invalid {key}."))
        if offer.get("merchantLocationKey") not in self.locations:
            errors.append(ebay_error(25012, "Invalid location."))
        return errors

    @route("POST", f"{INVENTORY}/offer/(?P<offer_id>[0-9]+)/publish")
    def publish(self, request: Request) -> Response:
        if denied := self._unauthorised(request):
            return denied
        with self.lock:
            offer = self._offer(request)
            if offer is None:
                return self._no_offer()
            errors = self._publish_errors(offer)
            if errors:
                return Response(400, {"errors": errors})
            listing = offer.get("listing") or {
                "listingId": str(110_550_000_000 + self._id()),
                "listingStatus": "ACTIVE",
                "soldQuantity": 0,
            }
            if self.faults.never_live:
                # Accepted, yet the offer never shows as published: the listing is not active.
                offer["listing"] = {**listing, "listingStatus": "NOT_LISTED"}
            else:
                offer["status"] = "PUBLISHED"
                offer["listing"] = {**listing, "listingStatus": "ACTIVE"}
        return Response(200, {"listingId": listing["listingId"], "warnings": []})

    @route("POST", f"{INVENTORY}/offer/(?P<offer_id>[0-9]+)/withdraw")
    def withdraw(self, request: Request) -> Response:
        if denied := self._unauthorised(request):
            return denied
        with self.lock:
            offer = self._offer(request)
            if offer is None:
                return self._no_offer()
            if offer["status"] != "PUBLISHED":
                return Response(400, {"errors": [ebay_error(25002, "The offer is not published.")]})
            offer["status"] = "UNPUBLISHED"
            offer["listing"]["listingStatus"] = "ENDED"
            listing_id = offer["listing"]["listingId"]
        return Response(200, {"listingId": listing_id, "warnings": []})

    @route("POST", f"{INVENTORY}/bulk_update_price_quantity")
    def bulk_update(self, request: Request) -> Response:
        if denied := self._unauthorised(request):
            return denied
        responses = []
        with self.lock:
            for entry in (request.json() or {}).get("requests", []):
                sku = entry.get("sku", "")
                availability = entry.get("shipToLocationAvailability")
                if availability is not None and sku in self.items:
                    self.items[sku]["availability"]["shipToLocationAvailability"] = availability
                for change in entry.get("offers", []):
                    offer = self.offers.get(str(change.get("offerId")))
                    if offer is None:
                        responses.append(
                            {
                                "statusCode": 404,
                                "sku": sku,
                                "offerId": change.get("offerId"),
                                "errors": [ebay_error(25713, "This Offer is not available.")],
                            }
                        )
                        continue
                    if "availableQuantity" in change:
                        offer["availableQuantity"] = change["availableQuantity"]
                    if "price" in change:
                        offer.setdefault("pricingSummary", {})["price"] = change["price"]
                    responses.append(
                        {"statusCode": 200, "sku": offer["sku"], "offerId": offer["offerId"]}
                    )
        return Response(200, {"responses": responses})

    # -- orders --------------------------------------------------------------------------------
    def _add_back(self, sku: str, quantity: int) -> None:
        self.set_offered(sku, (self.offered(sku) or 0) + quantity)

    def offered(self, sku: str) -> int | None:
        with self.lock:
            item = self.items.get(sku)
            if item is None:
                return None
            return int(item["availability"]["shipToLocationAvailability"]["quantity"])

    def set_offered(self, sku: str, quantity: int) -> None:
        """As Seller Hub's quantity edit does: the item's and its published offers' quantity."""
        with self.lock:
            item = self.items.get(sku)
            if item is None:
                raise ValueError(f"no inventory item {sku}")
            item["availability"]["shipToLocationAvailability"]["quantity"] = quantity
            for offer in self.offers.values():
                if offer["sku"] == sku:
                    offer["availableQuantity"] = quantity

    def place_order(self, sku: str, quantity: int) -> dict[str, Any]:
        with self.lock:
            offer = next(
                (
                    o
                    for o in self.offers.values()
                    if o["sku"] == sku
                    and o["status"] == "PUBLISHED"
                    and o["listing"]["listingStatus"] == "ACTIVE"
                ),
                None,
            )
            if offer is None:
                raise ValueError(f"no live listing for {sku}")
            if offer["availableQuantity"] < quantity:
                raise ValueError(f"only {offer['availableQuantity']} of {sku} left")
            offer["availableQuantity"] -= quantity
            availability = self.items[sku]["availability"]["shipToLocationAvailability"]
            availability["quantity"] = max(0, availability["quantity"] - quantity)
            number = self._id()
            price = offer["pricingSummary"]["price"]
            currency = price["currency"]
            cost = f"{Decimal(price['value']) * quantity:.2f}"
            now = _now()
            order: dict[str, Any] = {
                "orderId": f"{number:02d}-{10000 + number:05d}-{20000 + number:05d}",
                "legacyOrderId": f"{offer['listing']['listingId']}-{3_000_000_000_000 + number}",
                "creationDate": _iso(now),
                "lastModifiedDate": _iso(now),
                "orderFulfillmentStatus": "NOT_STARTED",
                "orderPaymentStatus": "PAID",
                "sellerId": self.item_sellers.get(sku, self.SELLER),  # the listing seller's
                "buyer": {"username": f"buyer_{number}"},
                "pricingSummary": {
                    "priceSubtotal": {"value": cost, "currency": currency},
                    "deliveryCost": {"value": "0.00", "currency": currency},
                    "total": {"value": cost, "currency": currency},
                },
                "cancelStatus": {"cancelState": "NONE_REQUESTED", "cancelRequests": []},
                "fulfillmentStartInstructions": [
                    {
                        "fulfillmentInstructionsType": "SHIP_TO",
                        "shippingStep": {
                            "shipTo": {
                                "fullName": "Jane Doe",
                                "contactAddress": {
                                    "addressLine1": "1 Congress Ave",
                                    "city": "Austin",
                                    "stateOrProvince": "TX",
                                    "postalCode": "78701",
                                    "countryCode": "US",
                                },
                            },
                            "shippingServiceCode": "IN_IntlEconomyShipping",
                        },
                    }
                ],
                "lineItems": [
                    {
                        "lineItemId": str(10_000_000_000 + number),
                        "legacyItemId": offer["listing"]["listingId"],
                        "sku": sku,
                        "title": self.items[sku]["product"]["title"],
                        "quantity": quantity,
                        "lineItemCost": {"value": cost, "currency": currency},
                        "total": {"value": cost, "currency": currency},
                        "lineItemFulfillmentStatus": "NOT_STARTED",
                        "lineItemFulfillmentInstructions": {
                            "shipByDate": _iso(now + timedelta(days=5)),
                            "guaranteedDelivery": False,
                        },
                    }
                ],
            }
            self.orders[order["orderId"]] = order
            return order

    @route("GET", "/sell/fulfillment/v1/order")
    def get_orders(self, request: Request) -> Response:
        if denied := self._unauthorised(request):
            return denied
        match = re.match(r"lastmodifieddate:\[(?P<start>[^.\]]+\.\d+Z)?\.\.", request.arg("filter"))
        start = _parse_iso(match["start"]) if match and match["start"] else None
        limit = int(request.arg("limit", "50"))
        offset = int(request.arg("offset", "0"))
        seller = self.seller(request)
        with self.lock:
            orders = [
                order
                for order in sorted(self.orders.values(), key=lambda o: o["creationDate"])
                if order["sellerId"] == seller
                and (start is None or _parse_iso(order["lastModifiedDate"]) >= start)
            ]
            if self.faults.duplicate_orders:
                orders = [order for order in orders for _ in (1, 2)]
            page = orders[offset : offset + limit]
        body: dict[str, Any] = {
            "href": f"/sell/fulfillment/v1/order?limit={limit}&offset={offset}",
            "total": len(orders),
            "limit": limit,
            "offset": offset,
            "orders": page,
        }
        if offset + limit < len(orders):
            body["next"] = f"/sell/fulfillment/v1/order?limit={limit}&offset={offset + limit}"
        return Response(200, body)

    @route("GET", "/sell/fulfillment/v1/order/(?P<order_id>[^/]+)")
    def get_order(self, request: Request) -> Response:
        if denied := self._unauthorised(request):
            return denied
        with self.lock:
            order = self._own_order(unquote(request.params["order_id"]), self.seller(request))
        if order is None:
            return Response(
                404, {"errors": [ebay_error(32100, "Invalid order ID.", domain="API_FULFILLMENT")]}
            )
        return Response(200, order)

    FULFILLMENTS = "/sell/fulfillment/v1/order/(?P<order_id>[^/]+)/shipping_fulfillment"

    @route("GET", FULFILLMENTS)
    def get_fulfillments(self, request: Request) -> Response:
        if denied := self._unauthorised(request):
            return denied
        order_id = unquote(request.params["order_id"])
        with self.lock:
            if self._own_order(order_id, self.seller(request)) is None:
                return Response(
                    404,
                    {"errors": [ebay_error(32100, "Invalid order ID.", domain="API_FULFILLMENT")]},
                )
            found = list(self.fulfillments.get(order_id, []))
        return Response(200, {"fulfillments": found, "total": len(found), "warnings": []})

    @route("POST", FULFILLMENTS)
    def create_fulfillment(self, request: Request) -> Response:
        """createShippingFulfillment: 201 with the new fulfillment's URI in Location."""
        if denied := self._unauthorised(request):
            return denied
        order_id = unquote(request.params["order_id"])
        body = request.json() or {}

        def invalid(error_id: int, message: str, parameter: str) -> Response:
            error = ebay_error(
                error_id,
                message,
                domain="API_FULFILLMENT",
                parameters=[{"name": "field", "value": parameter}],
            )
            return Response(400, {"errors": [error]})

        with self.lock:
            order = self._own_order(order_id, self.seller(request))
            if order is None:
                return Response(
                    404,
                    {"errors": [ebay_error(32100, "Invalid order ID.", domain="API_FULFILLMENT")]},
                )
            if order["cancelStatus"]["cancelState"] == "CANCELED":
                return invalid(32800, "The order is cancelled.", "orderId")
            items = {item["lineItemId"]: item for item in order["lineItems"]}
            wanted = body.get("lineItems") or []
            if not wanted or any(i.get("lineItemId") not in items for i in wanted):
                return invalid(32200, "Invalid line item ID.", "lineItems.lineItemId")
            tracking = str(body.get("trackingNumber") or "")
            if not tracking or not tracking.isalnum():
                return invalid(32400, "Invalid tracking number.", "trackingNumber")
            if not body.get("shippingCarrierCode"):
                return invalid(32300, "Invalid shipping carrier code.", "shippingCarrierCode")
            try:
                _parse_iso(str(body.get("shippedDate") or ""))
            except ValueError:
                return invalid(32500, "Invalid shipped date.", "shippedDate")
            fulfillment_id = tracking
            self.fulfillments.setdefault(order_id, []).append(
                {
                    "fulfillmentId": fulfillment_id,
                    "lineItems": [
                        {"lineItemId": i["lineItemId"], "quantity": i.get("quantity", 1)}
                        for i in wanted
                    ],
                    "shipmentTrackingNumber": tracking,
                    "shippingCarrierCode": body["shippingCarrierCode"],
                    "shippedDate": body.get("shippedDate"),
                }
            )
            for wanted_item in wanted:
                items[wanted_item["lineItemId"]]["lineItemFulfillmentStatus"] = "FULFILLED"
            done = all(i["lineItemFulfillmentStatus"] == "FULFILLED" for i in items.values())
            order["orderFulfillmentStatus"] = "FULFILLED" if done else "IN_PROGRESS"
            order["lastModifiedDate"] = _iso(_now())
        location = f"/sell/fulfillment/v1/order/{order_id}/shipping_fulfillment/{fulfillment_id}"
        return Response(201, None, headers={"Location": location})

    def move_order(self, order_id: str, status: str) -> None:
        with self.lock:
            order = self.orders[order_id]
            now = _iso(_now())
            if status == "cancelled":
                if order["orderFulfillmentStatus"] != "NOT_STARTED":
                    raise ValueError("a shipped order cannot be cancelled")
                order["cancelStatus"] = {
                    "cancelState": "CANCELED",
                    "cancelledDate": now,
                    "cancelRequests": [
                        {
                            "cancelRequestId": str(5_000_000_000 + self._id()),
                            "cancelInitiator": "BUYER",
                            "cancelReason": "BUYER_CANCEL_ORDER",
                            "cancelRequestState": "COMPLETED",
                            "cancelRequestedDate": now,
                        }
                    ],
                }
            elif order["orderFulfillmentStatus"] != "FULFILLED":
                raise ValueError("create the shipping fulfillment first")
            elif status == "delivered":
                for item in order["lineItems"]:
                    item["deliveredDate"] = now
            elif status == "returned":
                order["orderPaymentStatus"] = "FULLY_REFUNDED"
                for item in order["lineItems"]:
                    item["refunds"] = [{"amount": item["total"], "refundDate": now}]
            order["lastModifiedDate"] = now

    @route("POST", "/post-order/v2/cancellation")
    def create_cancellation(self, request: Request) -> Response:
        # The Post-Order API takes the OAuth token as "IAF <token>", with the marketplace header.
        if denied := self._unauthorised(request, scheme="IAF"):
            return denied
        if not request.headers.get("x-ebay-c-marketplace-id"):
            return Response(
                400, {"errors": [ebay_error(1617, "Missing X-EBAY-C-MARKETPLACE-ID header.")]}
            )
        body = request.json() or {}
        seller = self.seller(request, scheme="IAF")
        with self.lock:
            legacy = body.get("legacyOrderId")
            order = next(
                (
                    o
                    for o in self.orders.values()
                    if o["legacyOrderId"] == legacy and o["sellerId"] == seller
                ),
                None,
            )
            if order is None:
                return Response(400, {"errors": [ebay_error(1616, "Invalid legacyOrderId.")]})
            if order["cancelStatus"]["cancelState"] == "CANCELED":
                return Response(
                    400, {"errors": [ebay_error(1623, "The order is already cancelled.")]}
                )
            cancel_id = str(5_000_000_000 + self._id())
            order["cancelStatus"] = {
                "cancelState": "CANCELED",
                "cancelRequests": [
                    {
                        "cancelRequestId": cancel_id,
                        "cancelInitiator": "SELLER",
                        "cancelReason": body.get("cancelReason", ""),
                        "cancelRequestState": "COMPLETED",
                    }
                ],
            }
            order["lastModifiedDate"] = _iso(_now())
            # eBay puts units back on sale only when the seller asks (relistLineItem); otherwise
            # the listing keeps the quantity it had after the sale.
            for relist in body.get("relistLineItem") or []:
                line = next(
                    (
                        li
                        for li in order["lineItems"]
                        if str(li["legacyItemId"]) == str(relist.get("itemId"))
                    ),
                    None,
                )
                if line is not None:
                    self._add_back(line["sku"], min(int(relist["quantity"]), line["quantity"]))
            self.cancellations.append({"cancelId": cancel_id, **body})
        return Response(201, {"cancelId": cancel_id})

    # -- Finances API (apiz.ebay.com in production; the same fake serves both hosts) -------------
    FINAL_VALUE_PERCENT = Decimal("13.25")  # the final value fee on most categories (EBAY_US)
    FIXED_PER_ORDER = Decimal("0.40")  # per order of up to $10; $0.30 above
    INTERNATIONAL_PERCENT = Decimal("1.65")  # buyer abroad (for a seller in India: every buyer)
    transactions_page_size = 200

    def settle(
        self,
        order_ids: list[str],
        *,
        returned: tuple[str, ...] = (),
        paid: bool = True,
        total_off: Decimal = Decimal(0),
        payout_date: datetime | None = None,
    ) -> str:
        """eBay pays out these orders: a SALE per order (the item price as the fee basis, the
        final value fee, its fixed part and the international fee per line item), a REFUND
        (the price back, the final value fee given back, the fixed and international fees kept)
        for each returned order. Returns the payout id."""
        with self.lock:
            number = self._id()
            when = payout_date or _now()
            transactions: list[dict[str, Any]] = []
            seller = self.SELLER
            currency = "USD"
            for order_id in order_ids:
                order = self.orders[order_id]
                seller = order["sellerId"]
                items = []
                basis_total = fee_total = Decimal(0)
                for line in order["lineItems"]:
                    basis = Decimal(line["lineItemCost"]["value"])
                    currency = line["lineItemCost"]["currency"]
                    fees = {
                        "FINAL_VALUE_FEE": basis * self.FINAL_VALUE_PERCENT / 100,
                        "FINAL_VALUE_FEE_FIXED_PER_ORDER": self.FIXED_PER_ORDER,
                        "INTERNATIONAL_FEE": basis * self.INTERNATIONAL_PERCENT / 100,
                    }
                    items.append(
                        {
                            "lineItemId": line["lineItemId"],
                            "feeBasisAmount": _money(basis, currency),
                            "marketplaceFees": [
                                {"feeType": kind, "amount": _money(fee, currency), "feeMemo": ""}
                                for kind, fee in fees.items()
                            ],
                        }
                    )
                    basis_total += basis
                    fee_total += sum(_cents(fee) for fee in fees.values())
                transactions.append(
                    self._transaction(order, "SALE", "CREDIT", basis_total, fee_total, items, when)
                )
                if order_id in returned:
                    back = [
                        {**item, "marketplaceFees": item["marketplaceFees"][:1]} for item in items
                    ]
                    fee_back = sum(
                        (_cents(Decimal(i["marketplaceFees"][0]["amount"]["value"])) for i in back),
                        Decimal(0),
                    )
                    transactions.append(
                        self._transaction(
                            order, "REFUND", "DEBIT", basis_total, fee_back, back, when
                        )
                    )
            net = sum(
                (
                    Decimal(t["amount"]["value"]) * (1 if t["bookingEntry"] == "CREDIT" else -1)
                    for t in transactions
                ),
                Decimal(0),
            )
            payout_id = str(7_000_000_000 + number)
            for transaction in transactions:
                transaction["payoutId"] = payout_id
                transaction["transactionStatus"] = (
                    "PAYOUT" if paid else "FUNDS_AVAILABLE_FOR_PAYOUT"
                )
            payout = {
                "payoutId": payout_id,
                "payoutStatus": "SUCCEEDED" if paid else "INITIATED",
                "payoutStatusDescription": "Funds sent" if paid else "Payout initiated",
                "amount": _money(net + total_off, currency),
                "payoutDate": _iso(when),
                "transactionCount": len(transactions),
                "payoutInstrument": {
                    "instrumentType": "BANK",
                    "nickname": "State Bank of India",
                    "accountLastFourDigits": "4321",
                },
            }
            self.payouts.append({"seller": seller, "payout": payout, "transactions": transactions})
            return payout_id

    def _transaction(
        self,
        order: dict[str, Any],
        kind: str,
        booking: str,
        basis: Decimal,
        fees: Decimal,
        items: list[dict[str, Any]],
        when: datetime,
    ) -> dict[str, Any]:
        currency = order["pricingSummary"]["total"]["currency"]
        net = basis - fees
        return {
            "transactionId": f"{self._id():02d}-{order['orderId']}",
            "orderId": order["orderId"],
            "salesRecordReference": str(self._id()),
            "buyer": dict(order["buyer"]),
            "transactionType": kind,
            "amount": _money(net, currency),
            "totalFeeBasisAmount": _money(basis, currency),
            "totalFeeAmount": _money(fees, currency),
            "orderLineItems": items,
            "bookingEntry": booking,
            "transactionDate": _iso(when),
            "transactionMemo": "",
        }

    def _payouts_of(self, request: Request) -> list[dict[str, Any]]:
        seller = self.seller(request)
        return [entry for entry in self.payouts if entry["seller"] == seller]

    @route("GET", "/sell/finances/v1/payout")
    def get_payouts(self, request: Request) -> Response:
        if denied := self._unauthorised(request):
            return denied
        match = re.match(r"payoutDate:\[(?P<start>[^.\]]+\.\d+Z)?\.\.", request.arg("filter"))
        start = _parse_iso(match["start"]) if match and match["start"] else None
        limit = min(int(request.arg("limit", "20")), 200)
        offset = int(request.arg("offset", "0"))
        with self.lock:
            found = [
                entry["payout"]
                for entry in self._payouts_of(request)
                if start is None or _parse_iso(entry["payout"]["payoutDate"]) >= start
            ]
        found.sort(key=lambda payout: payout["payoutDate"])
        return Response(200, _page("payout", found, "payouts", limit, offset))

    @route("GET", "/sell/finances/v1/transaction")
    def get_transactions(self, request: Request) -> Response:
        if denied := self._unauthorised(request):
            return denied
        match = re.match(r"payoutId:\{(?P<id>[0-9]+)\}", request.arg("filter"))
        limit = min(int(request.arg("limit", "20")), self.transactions_page_size)
        offset = int(request.arg("offset", "0"))
        with self.lock:
            found = [
                transaction
                for entry in self._payouts_of(request)
                if match is None or entry["payout"]["payoutId"] == match["id"]
                for transaction in entry["transactions"]
            ]
        return Response(200, _page("transaction", found, "transactions", limit, offset))


def _money(value: Decimal, currency: str) -> dict[str, str]:
    return {"value": f"{_cents(value):.2f}", "currency": currency}


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def _page(
    name: str, found: list[dict[str, Any]], key: str, limit: int, offset: int
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "href": f"/sell/finances/v1/{name}?limit={limit}&offset={offset}",
        "total": len(found),
        "limit": limit,
        "offset": offset,
        key: found[offset : offset + limit],
    }
    if offset + limit < len(found):
        body["next"] = f"/sell/finances/v1/{name}?limit={limit}&offset={offset + limit}"
    return body
