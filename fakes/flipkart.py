"""A fake Flipkart Marketplace Seller API v3: the client-credentials token, Listing API v3
(create/overwrite, update, price, inventory, get), Search Shipments with nextPageUrl paging, get
shipments by order ids, shipment cancellation, and fulfilment: pack (label generation,
`POST /v3/shipments/labels`, which books E-kart and gives the tracking id), ready to dispatch
(`POST /v3/shipments/dispatch`) and shipment details (`GET /v3/shipments/{shipmentIds}`, the
courier and tracking id). `move_order` is the courier and the buyer: shipped, delivered, returned,
cancelled.

Each application is one seller: the tokens it obtains act for it. The fake knows the applications
in `self.applications` (`add_application` registers more) and, for demos, any `fk-app-NNNN` with
secret `fk-secret-NNNN` (four digits, the same in both). A listing remembers the application that
created it; a buyer's order for its SKU is that seller's; searching shipments, shipments by order
id, shipment details, cancel, pack and dispatch see only the caller's own shipments (another
seller's shipment id is not found).

Listings are kept by SKU id, so creating one twice overwrites it, as Flipkart documents. A listing
asked ACTIVE is in review (INACTIVE) until the first GET after its creation shows it ACTIVE;
with `never_live` it stays INACTIVE.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from fakes.base import FakeMarketplace, Request, Response, route

IST = "+05:30"
APPLICATION_ID = "fk-app-0001"
APPLICATION_SECRET = "fk-secret-0001"  # noqa: S105 - the fake's own test credentials
# Demo applications: fk-app-0002 with secret fk-secret-0002, and so on, each its own seller.
DEMO_APPLICATION = re.compile(r"^fk-app-(?P<number>\d{4})$")
TOKEN_LIFETIME = 5_183_999  # about 60 days, as Flipkart's tokens
CANCEL_REASONS = {"cannot_procure_item", "not_enough_inventory", "b2b_order"}
# The filter's cancellationType → who cancelled, as an order item's cancellationReason says.
CANCELLED_BY = {
    "buyerCancellation": "buyer_cancellation",
    "sellerCancellation": "seller_cancellation",
    "marketplaceCancellation": "marketplace_cancellation",
}
FSN = re.compile(r"^[A-Z0-9]{16}$")
DIMENSIONS = ("length", "breadth", "height", "weight")
# Order item states a buyer may still cancel from (before the parcel is handed over).
CANCELLABLE = ("APPROVED", "PACKING_IN_PROGRESS", "FORM_FAILED", "PACKED", "CANCELLED")


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class FakeFlipkart(FakeMarketplace):
    name = "flipkart"
    max_page_size = 20

    def reset_state(self) -> None:
        self.applications = {APPLICATION_ID: APPLICATION_SECRET}
        self.tokens: dict[str, str] = {}  # access token → its seller (the application id)
        self.listings: dict[str, dict[str, Any]] = {}  # SKU id → listing
        self.shipments: list[dict[str, Any]] = []
        self.owners: dict[str, str] = {}  # shipment id → its seller (the application id)
        self.cancellations: list[dict[str, Any]] = []
        self.item_ids = itertools.count(428295316844774100)
        self.tracking_ids = itertools.count(1_000_000_001)
        # shipment id → the label Flipkart made when it was packed (courier, tracking id, request)
        self.labels: dict[str, dict[str, Any]] = {}
        self.dispatched: list[str] = []  # shipment ids marked ready to dispatch, in order
        # The next N creations are stored, then answered 503: a reply lost after the work was
        # done, which a retry must not turn into a second listing.
        self.errors_after_create = 0

    def state(self) -> dict[str, Any]:
        return {
            "listings": copy.deepcopy(self.listings),
            "shipments": copy.deepcopy(self.shipments),
            "cancellations": copy.deepcopy(self.cancellations),
            "labels": copy.deepcopy(self.labels),
            "dispatched": list(self.dispatched),
            "tokens": len(self.tokens),
        }

    def add_application(self, app_id: str, secret: str) -> None:
        """Register another seller's application (a second centre, in tests)."""
        with self.lock:
            self.applications[app_id] = secret

    def _known(self, app_id: str, secret: str) -> bool:
        if app_id in self.applications:
            return self.applications[app_id] == secret
        demo = DEMO_APPLICATION.match(app_id)
        return demo is not None and secret == f"fk-secret-{demo['number']}"

    def seller(self, request: Request) -> str:
        """The application an authorised call acts for."""
        with self.lock:
            return self.tokens.get(
                request.headers.get("authorization", "").removeprefix("Bearer "), ""
            )

    def _own(self, shipment_id: Any, seller: str) -> dict[str, Any] | None:
        """The caller's shipment with this id (call under the lock)."""
        return next(
            (
                s
                for s in self.shipments
                if s["shipmentId"] == shipment_id and self.owners.get(s["shipmentId"]) == seller
            ),
            None,
        )

    def offered(self, sku: str) -> int | None:
        with self.lock:
            listing = self.listings.get(sku)
            if listing is None:
                return None
            return int(listing["locations"][0]["inventory"]) if listing["locations"] else 0

    def set_offered(self, sku: str, quantity: int) -> None:
        with self.lock:
            listing = self.listings.get(sku)
            if listing is None or not listing["locations"]:
                raise ValueError(f"no listing with a location for {sku}")
            listing["locations"][0]["inventory"] = quantity

    # Errors: gateway faults in the Listing API's error shape (severity, code, description).
    def error_response(self, status: int, code: str, message: str) -> Response:
        return Response(
            status, {"errors": [{"severity": "ERROR", "code": code, "description": message}]}
        )

    # -- auth --------------------------------------------------------------------------------------
    @route("GET", "/oauth-service/oauth/token")
    def token_get(self, request: Request) -> Response:
        return self._token(request)

    @route("POST", "/oauth-service/oauth/token")
    def token_post(self, request: Request) -> Response:
        return self._token(request)

    def _token(self, request: Request) -> Response:
        header = request.headers.get("authorization", "")
        try:
            app_id, _, secret = (
                base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
            )
        except ValueError:
            app_id = secret = ""
        if not header.startswith("Basic ") or not self._known(app_id, secret):
            return Response(
                401, {"error": "invalid_client", "error_description": "Bad client credentials"}
            )
        if request.arg("grant_type") != "client_credentials":
            return Response(
                400, {"error": "unsupported_grant_type", "error_description": "Unsupported grant"}
            )
        token = str(uuid.uuid4())
        with self.lock:
            self.tokens[token] = app_id
        return Response(
            200,
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": TOKEN_LIFETIME,
                "scope": request.arg("scope", "Seller_Api"),
            },
        )

    def _unauthorised(self, request: Request) -> Response | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return Response(
                401,
                {
                    "error": "unauthorized",
                    "error_description": "Full authentication is required to access this resource",
                },
            )
        token = header.removeprefix("Bearer ")
        with self.lock:
            known = token in self.tokens
        if not known:
            return Response(
                401,
                {"error": "invalid_token", "error_description": f"Invalid access token: {token}"},
            )
        return None

    # -- listings ----------------------------------------------------------------------------------
    def _rejected(self, sku_id: str, data: Any) -> dict[str, Any] | None:
        """Flipkart's per-SKU FAILURE for a bad request, or for a SKU the tests reject."""
        errors: list[dict[str, Any]] = []
        attribute_errors: list[dict[str, Any]] = []
        for error in self.faults.reject.get(sku_id, []):
            (attribute_errors if error.get("attribute") else errors).append(error)
        if not isinstance(data, dict):
            errors.append({"severity": "ERROR", "code": 1001, "description": "Invalid request"})
        else:
            if not FSN.match(str(data.get("product_id", ""))):
                attribute_errors.append(
                    {
                        "severity": "ERROR",
                        "code": 1102,
                        "description": "product_id is invalid",
                        "attribute": "product_id",
                    }
                )
            price = data.get("price") or {}
            if "selling_price" in price and price["selling_price"] > price.get("mrp", 0):
                attribute_errors.append(
                    {
                        "severity": "ERROR",
                        "code": 1201,
                        "description": "selling_price cannot be greater than mrp",
                        "attribute": "selling_price",
                    }
                )
        if errors or attribute_errors:
            return {"status": "FAILURE", "errors": errors, "attribute_errors": attribute_errors}
        return None

    def _answer(self, results: dict[str, Any]) -> Response:
        failed = all(result["status"] == "FAILURE" for result in results.values())
        return Response(400 if results and failed else 200, results)

    @route("POST", "/sellers/listings/v3")
    def create_listings(self, request: Request) -> Response:
        denied = self._unauthorised(request)
        if denied:
            return denied
        body = request.json()
        results: dict[str, Any] = {}
        seller = self.seller(request)
        with self.lock:
            for sku_id, data in body.items():
                rejection = self._rejected(sku_id, data)
                if rejection:
                    results[sku_id] = rejection
                    continue
                existing = self.listings.get(sku_id)
                listing = {
                    **copy.deepcopy(data),
                    "seller": seller,
                    "listing_id": f"LST{data['product_id']}{sku_id[:6].upper()}",
                    "requested_status": data.get("listing_status", "ACTIVE"),
                    "reviewed": bool(existing and existing["reviewed"]),
                    "creates": (existing["creates"] if existing else 0) + 1,
                }
                self.listings[sku_id] = listing
                results[sku_id] = {"status": "SUCCESS", "errors": [], "attribute_errors": []}
            if self.errors_after_create > 0:
                self.errors_after_create -= 1
                return self.error_response(503, "ServiceUnavailable", "Service unavailable.")
        return self._answer(results)

    def _update(self, request: Request, apply: Any) -> Response:
        denied = self._unauthorised(request)
        if denied:
            return denied
        results: dict[str, Any] = {}
        with self.lock:
            for sku_id, data in request.json().items():
                listing = self.listings.get(sku_id)
                if listing is None:
                    results[sku_id] = {
                        "status": "FAILURE",
                        "errors": [
                            {
                                "severity": "ERROR",
                                "code": 1100,
                                "description": f"Listing not found for sku {sku_id}",
                            }
                        ],
                        "attribute_errors": [],
                    }
                    continue
                if data.get("product_id") != listing["product_id"]:
                    results[sku_id] = self._rejected(sku_id, {"product_id": ""}) or {}
                    continue
                apply(listing, data)
                results[sku_id] = {"status": "SUCCESS", "errors": [], "attribute_errors": []}
        return self._answer(results)

    @route("POST", "/sellers/listings/v3/update")
    def update_listings(self, request: Request) -> Response:
        def apply(listing: dict[str, Any], data: dict[str, Any]) -> None:
            listing.update(copy.deepcopy(data))
            listing["requested_status"] = data.get("listing_status", listing["requested_status"])

        return self._update(request, apply)

    @route("POST", "/sellers/listings/v3/update/price")
    def update_price(self, request: Request) -> Response:
        def apply(listing: dict[str, Any], data: dict[str, Any]) -> None:
            listing["price"] = copy.deepcopy(data["price"])

        return self._update(request, apply)

    @route("POST", "/sellers/listings/v3/update/inventory")
    def update_inventory(self, request: Request) -> Response:
        def apply(listing: dict[str, Any], data: dict[str, Any]) -> None:
            for location in data["locations"]:
                for held in listing["locations"]:
                    if held["id"] == location["id"]:
                        held["inventory"] = location["inventory"]
                        break
                else:
                    listing["locations"].append({"status": "ENABLED", **location})

        return self._update(request, apply)

    def _shown_status(self, listing: dict[str, Any]) -> str:
        if listing["requested_status"] != "ACTIVE":
            return "INACTIVE"
        return "ACTIVE" if listing["reviewed"] else "INACTIVE"

    @route("GET", "/sellers/listings/v3/(?P<sku_ids>[^/]+)")
    def get_listings(self, request: Request) -> Response:
        denied = self._unauthorised(request)
        if denied:
            return denied
        available: dict[str, Any] = {}
        unavailable = []
        with self.lock:
            for sku_id in request.params["sku_ids"].split(","):
                listing = self.listings.get(sku_id)
                if listing is None:
                    unavailable.append(sku_id)
                    continue
                # Reviewed by the first look after creation, unless the test keeps it in review.
                if not self.faults.never_live:
                    listing["reviewed"] = True
                shown = self._shown_status(listing)
                available[sku_id] = {
                    "listing_id": listing["listing_id"],
                    "product_id": listing["product_id"],
                    "price": listing["price"],
                    "tax": listing.get("tax"),
                    "listing_status": shown,
                    "shipping_fees": listing.get("shipping_fees"),
                    "fulfillment_profile": listing.get("fulfillment_profile"),
                    "packages": listing.get("packages"),
                    "locations": listing.get("locations"),
                    "archived_status": "NONE",
                }
        return Response(200, {"available": available, "unavailable": unavailable, "invalid": []})

    # -- orders ------------------------------------------------------------------------------------
    def place_order(self, sku: str, quantity: int) -> dict[str, Any]:
        with self.lock:
            listing = self.listings.get(sku)
            if listing is None or self._shown_status(listing) != "ACTIVE":
                raise ValueError(f"no live listing for {sku}")
            location = listing["locations"][0] if listing["locations"] else None
            if location is not None:
                if location["inventory"] < quantity:
                    raise ValueError(f"only {location['inventory']} of {sku} in stock")
                location["inventory"] -= quantity
            item_id = str(next(self.item_ids))
            now = _now()
            selling = listing["price"]["selling_price"] * quantity
            shipment = {
                "shipmentId": str(uuid.uuid4()),
                "dispatchByDate": _iso(now + timedelta(days=2)),
                "dispatchAfterDate": _iso(now),
                "updatedAt": _iso(now),
                "locationId": location["id"] if location else "",
                "hold": False,
                "mps": False,
                "packagingPolicy": "DEFAULT",
                "subShipments": [{"subShipmentId": "SS-1", "packages": []}],
                "orderItems": [
                    {
                        "orderItemId": item_id,
                        "orderId": f"OD{item_id}",
                        "cancellationGroupId": f"grp{item_id}",
                        "orderDate": _iso(now),
                        "paymentType": "PREPAID",
                        "status": "APPROVED",
                        "quantity": quantity,
                        "fsn": listing["product_id"],
                        "sku": sku,
                        "listingId": listing["listing_id"],
                        "hsn": (listing.get("tax") or {}).get("hsn", ""),
                        "title": sku,
                        "packageIds": [f"PKG{listing['product_id']}"],
                        "priceComponents": {
                            "sellingPrice": float(selling),
                            "totalPrice": float(selling),
                            "shippingCharge": 0.0,
                            "customerPrice": float(selling),
                            "flipkartDiscount": 0.0,
                        },
                        "serviceProfile": (
                            "FBF" if listing.get("fulfillment_profile") == "FBF" else "NON_FBF"
                        ),
                        "is_replacement": False,
                    }
                ],
                "forms": [],
                "shipmentType": "NORMAL",
            }
            self.shipments.append(shipment)
            self.owners[str(shipment["shipmentId"])] = listing["seller"]  # the listing seller's
            return copy.deepcopy(shipment)

    def _matches(self, shipment: dict[str, Any], filter_: dict[str, Any]) -> bool:
        item = shipment["orderItems"][0]
        kind = filter_.get("type")
        if kind not in ("preDispatch", "postDispatch", "cancelled"):
            return False
        if kind == "cancelled":
            if item["status"] != "CANCELLED":
                return False
            by = CANCELLED_BY.get(str(filter_.get("cancellationType")))
            if item.get("cancellationReason") != by:
                return False
            window, moment = filter_.get("cancellationDate") or {}, item.get("cancellationDate")
        elif kind == "postDispatch":
            if item["status"] not in (filter_.get("states") or []):
                return False
            window, moment = filter_.get("modifiedDate") or {}, shipment["updatedAt"]
        else:
            if item["status"] not in (filter_.get("states") or []):
                return False
            window, moment = filter_.get("orderDate") or {}, item["orderDate"]
        if window and not moment:
            return False
        if window.get("from") and _parse(moment) < _parse(window["from"]):
            return False
        if window.get("to") and _parse(moment) > _parse(window["to"]):
            return False
        location = filter_.get("locationId")
        return not location or shipment["locationId"] == location

    def _page(self, filter_: dict[str, Any], offset: int, size: int, seller: str) -> Response:
        with self.lock:
            found = [
                s
                for s in self.shipments
                if self.owners.get(s["shipmentId"]) == seller and self._matches(s, filter_)
            ]
            if self.faults.duplicate_orders:
                found = [s for s in found for _ in (1, 2)]
            page = copy.deepcopy(found[offset : offset + size])
        more = offset + size < len(found)
        token = base64.urlsafe_b64encode(
            json.dumps({"filter": filter_, "offset": offset + size, "size": size}).encode()
        ).decode()
        return Response(
            200,
            {
                "hasMore": more,
                "nextPageUrl": f"/v3/shipments/filter?next_token={token}" if more else None,
                "shipments": page,
            },
        )

    @route("POST", "/sellers/v3/shipments/filter/?")
    def search_shipments(self, request: Request) -> Response:
        denied = self._unauthorised(request)
        if denied:
            return denied
        body = request.json() or {}
        filter_ = body.get("filter") or {}
        if filter_.get("type") == "cancelled" and not filter_.get("cancellationType"):
            return self.error_response(
                400, "INVALID_REQUEST", "cancellationType is mandatory for cancelled"
            )
        size = int((body.get("pagination") or {}).get("pageSize") or self.max_page_size)
        return self._page(filter_, 0, min(size, self.max_page_size), self.seller(request))

    @route("GET", "/sellers/v3/shipments/filter/?")
    def next_shipments(self, request: Request) -> Response:
        denied = self._unauthorised(request)
        if denied:
            return denied
        try:
            state = json.loads(base64.urlsafe_b64decode(request.arg("next_token")))
        except ValueError:
            return self.error_response(400, "INVALID_REQUEST", "next_token is invalid")
        return self._page(
            state["filter"], int(state["offset"]), int(state["size"]), self.seller(request)
        )

    @route("GET", "/sellers/v3/shipments/(?P<shipment_ids>(?!filter)[^/]+)")
    def shipment_details(self, request: Request) -> Response:
        """Shipping details: addresses and the courier's tracking ids (once the label is made)."""
        denied = self._unauthorised(request)
        if denied:
            return denied
        wanted = request.params["shipment_ids"].split(",")
        seller = self.seller(request)
        found = []
        with self.lock:
            for shipment in self.shipments:
                if shipment["shipmentId"] not in wanted:
                    continue
                if self.owners.get(shipment["shipmentId"]) != seller:
                    continue
                label = self.labels.get(shipment["shipmentId"]) or {}
                courier = {
                    "trackingId": label.get("trackingId"),
                    "vendorName": label.get("vendorName"),
                }
                found.append(
                    {
                        "orderId": shipment["orderItems"][0]["orderId"],
                        "shipmentId": shipment["shipmentId"],
                        "orderItems": copy.deepcopy(shipment["orderItems"]),
                        "weighingRequired": False,
                        "deliveryAddress": {
                            "firstName": "Asha",
                            "city": "Lucknow",
                            "state": "Uttar Pradesh",
                            "pincode": "226001",
                        },
                        "courierDetails": {
                            "pickupDetails": courier if label else None,
                            "deliveryDetails": courier if label else None,
                        },
                    }
                )
        return Response(200, {"shipments": found})

    @staticmethod
    def _failure(shipment_id: Any, code: str, message: str) -> dict[str, Any]:
        return {
            "shipmentId": shipment_id,
            "status": "FAILURE",
            "errorCode": code,
            "errorMessage": message,
        }

    def _pack_one(self, wanted: dict[str, Any], seller: str) -> dict[str, Any]:
        shipment_id = wanted.get("shipmentId")
        shipment = self._own(shipment_id, seller)
        if shipment is None:
            return self._failure(shipment_id, "INVALID_SHIPMENT_ID", "Shipment not found")
        items = [i for i in shipment["orderItems"] if i["status"] != "CANCELLED"]
        if not items or any(i["status"] != "APPROVED" for i in items):
            return self._failure(
                shipment_id, "INVALID_SHIPMENT_STATE", "Shipment is not in APPROVED state"
            )
        taxed = {str(t.get("orderItemId")) for t in wanted.get("taxItems") or []}
        if taxed != {i["orderItemId"] for i in items}:
            return self._failure(
                shipment_id, "INVALID_TAX_ITEMS", "taxItems must name every order item once"
            )
        for sub in wanted.get("subShipments") or [{}]:
            dimensions = sub.get("dimensions") or {}
            if not all(float(dimensions.get(k) or 0) > 0 for k in DIMENSIONS):
                return self._failure(
                    shipment_id,
                    "INVALID_DIMENSIONS",
                    "length, breadth, height (cm) and weight (kg) are mandatory",
                )
        now = _now()
        for item in items:
            item["status"] = "PACKED"
        shipment["updatedAt"] = _iso(now)
        self.labels[str(shipment_id)] = {
            "trackingId": f"FMPC{next(self.tracking_ids)}",
            "vendorName": "E-Kart Logistics",
            "packedAt": _iso(now),
            "request": copy.deepcopy(wanted),
        }
        return {"shipmentId": shipment_id, "status": "SUCCESS"}

    @route("POST", "/sellers/v3/shipments/labels")
    def pack(self, request: Request) -> Response:
        """Generate the label and invoice: the shipment is PACKED and E-kart is booked."""
        denied = self._unauthorised(request)
        if denied:
            return denied
        seller = self.seller(request)
        with self.lock:
            answers = [
                self._pack_one(w, seller) for w in (request.json() or {}).get("shipments") or []
            ]
        return Response(200, {"shipments": answers})

    @route("POST", "/sellers/v3/shipments/dispatch")
    def dispatch_shipments(self, request: Request) -> Response:
        """Mark packed shipments READY_TO_DISPATCH (handed over to E-kart on pickup)."""
        denied = self._unauthorised(request)
        if denied:
            return denied
        body = request.json() or {}
        seller = self.seller(request)
        answers = []
        with self.lock:
            for shipment_id in body.get("shipmentIds") or []:
                shipment = self._own(shipment_id, seller)
                if shipment is None:
                    answers.append(
                        self._failure(shipment_id, "INVALID_SHIPMENT_ID", "Shipment not found")
                    )
                    continue
                if body.get("locationId") and body["locationId"] != shipment["locationId"]:
                    answers.append(
                        self._failure(shipment_id, "INVALID_LOCATION_ID", "Wrong location id")
                    )
                    continue
                items = [i for i in shipment["orderItems"] if i["status"] != "CANCELLED"]
                if not items or any(i["status"] != "PACKED" for i in items):
                    answers.append(
                        self._failure(
                            shipment_id, "INVALID_SHIPMENT_STATE", "Shipment is not PACKED"
                        )
                    )
                    continue
                for item in items:
                    item["status"] = "READY_TO_DISPATCH"
                shipment["updatedAt"] = _iso(_now())
                self.dispatched.append(shipment_id)
                answers.append({"shipmentId": shipment_id, "status": "SUCCESS"})
        return Response(200, {"shipments": answers})

    def move_order(self, order_id: str, status: str) -> None:
        if status == "cancelled":
            with self.lock:
                if not any(
                    item["orderId"] == order_id for s in self.shipments for item in s["orderItems"]
                ):
                    raise KeyError(order_id)
                packed = any(
                    item["orderId"] == order_id and item["status"] not in CANCELLABLE
                    for s in self.shipments
                    for item in s["orderItems"]
                )
                if packed:
                    raise ValueError("only an order not yet dispatched can be cancelled")
            self.cancel_by_buyer(order_id)
            return
        allowed_from = {
            "shipped": ("READY_TO_DISPATCH",),
            "delivered": ("READY_TO_DISPATCH", "SHIPPED"),
            "returned": ("SHIPPED", "DELIVERED", "RETURN_REQUESTED"),
        }[status]
        with self.lock:
            items = [
                (shipment, item)
                for shipment in self.shipments
                for item in shipment["orderItems"]
                if item["orderId"] == order_id
            ]
            if not items:
                raise KeyError(order_id)
            for shipment, item in items:
                if item["status"] not in allowed_from:
                    raise ValueError(f"an item {item['status']} cannot become {status}")
                item["status"] = status.upper()
                shipment["updatedAt"] = _iso(_now())
                if status == "returned":
                    listing = self.listings.get(item["sku"])
                    if listing and listing["locations"]:
                        listing["locations"][0]["inventory"] += item["quantity"]

    @route("GET", "/sellers/v3/shipments")
    def shipments_by_order(self, request: Request) -> Response:
        denied = self._unauthorised(request)
        if denied:
            return denied
        order_ids = set(request.arg("orderIds").split(","))
        seller = self.seller(request)
        with self.lock:
            found = [
                copy.deepcopy(s)
                for s in self.shipments
                if self.owners.get(s["shipmentId"]) == seller
                and any(item["orderId"] in order_ids for item in s["orderItems"])
            ]
        return Response(200, {"shipments": found})

    @route("POST", "/sellers/v3/shipments/cancel")
    def cancel_shipments(self, request: Request) -> Response:
        denied = self._unauthorised(request)
        if denied:
            return denied
        answers = []
        seller = self.seller(request)
        with self.lock:
            for wanted in (request.json() or {}).get("shipments") or []:
                answer = {"shipmentId": wanted.get("shipmentId"), "processingStatus": "SUCCESS"}
                shipment = self._own(wanted.get("shipmentId"), seller)
                if wanted.get("reason") not in CANCEL_REASONS:
                    answer.update(
                        processingStatus="FAILURE",
                        errorCode="EMPTY_OR_INVALID_REASON_FOR_CANCELLATION",
                        errorMessage="Cancellation reason is empty or invalid",
                    )
                elif shipment is None:
                    answer.update(
                        processingStatus="FAILURE",
                        errorCode="INVALID_SHIPMENT_ID",
                        errorMessage="Shipment not found",
                    )
                else:
                    self._cancel(shipment, wanted)
                answers.append(answer)
        return Response(200, {"shipments": answers})

    def _cancel(self, shipment: dict[str, Any], wanted: dict[str, Any]) -> None:
        groups = set(wanted.get("cancellationGroupIds") or [])
        for item in shipment["orderItems"]:
            if item["cancellationGroupId"] not in groups or item["status"] == "CANCELLED":
                continue
            item.update(
                status="CANCELLED",
                cancellationDate=_iso(_now()),
                cancellationReason="seller_cancellation",
                cancellationSubReason=wanted["reason"],
            )
            listing = self.listings.get(item["sku"])
            if listing and listing["locations"]:
                listing["locations"][0]["inventory"] += item["quantity"]
            self.cancellations.append(
                {
                    "shipmentId": shipment["shipmentId"],
                    "orderItemId": item["orderItemId"],
                    "reason": wanted["reason"],
                }
            )
        shipment["updatedAt"] = _iso(_now())

    def cancel_by_buyer(self, order_id: str) -> None:
        """A buyer cancels an order (for tests of cancellations pulled with the orders)."""
        with self.lock:
            for shipment in self.shipments:
                for item in shipment["orderItems"]:
                    if item["orderId"] == order_id:
                        item.update(
                            status="CANCELLED",
                            cancellationDate=_iso(_now()),
                            cancellationReason="buyer_cancellation",
                        )
                        shipment["updatedAt"] = _iso(_now())


# -- Seller Hub's settlement report (Payments → Settlements → "Settled transactions") -----------
SETTLEMENT_REPORT_HEADER = (
    "NEFT ID,Neft Type,Payment Date,Bank Settlement Value (Rs.),Order ID,Order item ID,"
    "Sale Amount (Rs.),Total Offer Amount (Rs.),My share (Rs.),Customer Shipping Amount (Rs.),"
    "Marketplace Fee (Rs.),TCS (Rs.),TDS (Rs.),GST on MP Fees (Rs.),Refund (Rs.),"
    "Commission Rate (%),Commission (Rs.),Fixed Fee  (Rs.),Collection Fee (Rs.),"
    "Pick And Pack Fee (Rs.),Shipping Fee (Rs.),Reverse Shipping Fee (Rs.),"
    "Protection Fund (Rs.),Order Date,Seller SKU,Quantity"
).split(",")
FEE_COLUMNS = (
    "Commission (Rs.)",
    "Fixed Fee  (Rs.)",
    "Collection Fee (Rs.)",
    "Pick And Pack Fee (Rs.)",
    "Shipping Fee (Rs.)",
    "Reverse Shipping Fee (Rs.)",
)


def settlement_report(rows: list[dict[str, Any]]) -> bytes:
    """The settlement report as Seller Hub exports it (CSV): one row per order item per
    payment. Each row gives the NEFT ID, Payment Date, Order ID, Order item ID, Seller SKU,
    Order Date and its amounts (signed as Flipkart writes them: fees, taxes and refunds
    negative); the Marketplace Fee and the Bank Settlement Value are worked out as Flipkart's
    are, the columns not given are 0."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SETTLEMENT_REPORT_HEADER)
    for given in rows:
        row: dict[str, Any] = {header: "0.00" for header in SETTLEMENT_REPORT_HEADER}
        row.update({"Neft Type": "prepaid", "Commission Rate (%)": "0", "Quantity": "1"})
        row.update({key: str(value) for key, value in given.items()})
        fees = sum((Decimal(str(row[name])) for name in FEE_COLUMNS), Decimal(0))
        row["Marketplace Fee (Rs.)"] = f"{fees:.2f}"
        bank = sum(
            (
                Decimal(str(row[name]))
                for name in (
                    "Sale Amount (Rs.)",
                    "Total Offer Amount (Rs.)",
                    "Customer Shipping Amount (Rs.)",
                    "TCS (Rs.)",
                    "TDS (Rs.)",
                    "GST on MP Fees (Rs.)",
                    "Refund (Rs.)",
                    "Protection Fund (Rs.)",
                )
            ),
            fees,
        )
        row["Bank Settlement Value (Rs.)"] = f"{bank:.2f}"
        writer.writerow([row[header] for header in SETTLEMENT_REPORT_HEADER])
    return out.getvalue().encode()
