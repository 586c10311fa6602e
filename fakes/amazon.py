"""A fake Amazon Selling Partner API, with Login with Amazon, on loopback.

It follows the documented shapes: LWA `POST /auth/o2/token` (refresh_token grant); every SP-API
call needs `x-amz-access-token` with a token it issued (403 `Unauthorized` otherwise); errors are
`{"errors": [{"code", "message", "details"}]}`. It implements:

- Product Type Definitions `GET /definitions/2020-09-01/productTypes/{productType}`, whose
  `schema.link.resource` is a pre-signed URL (served here without a token) to the JSON Schema;
- Listings Items 2021-08-01: PUT (ACCEPTED, or INVALID with issues), GET (summaries, issues,
  offers, fulfillmentAvailability), PATCH (replace/merge/delete patches), DELETE;
- Feeds 2021-06-30: createFeedDocument, the upload and download URLs, createFeed, getFeed,
  getFeedDocument; JSON_LISTINGS_FEED feeds are applied like PUTs and answered with a processing
  report, POST_ORDER_ACKNOWLEDGEMENT_DATA feeds with StatusCode Failure cancel orders;
- Orders v0: getOrders (NextToken pages), getOrder, getOrderItems, confirmShipment (the order is
  Shipped with the package's carrier and tracking number; Easy Ship's `EasyShipShipmentStatus`
  then carries delivery and returns, moved by `move_order` as Amazon's courier would).
- Finances v0: listFinancialEventGroups and listFinancialEventsByGroupId (NextToken pages);
  `settle` (or `POST /_fake/settlements`) settles orders in a group as Amazon.in would: the
  sale and its GST, commission, closing and shipping fees with GST on them, TCS and TDS at the
  rates of the order's date, refunds of returns, and a reserve held against a SKU.

Each LWA refresh token is one seller's authorisation: the access tokens it obtains act for that
seller (any `Atzr|...` refresh token is accepted, each a different seller). A listing remembers the
seller that wrote it; a buyer's order for its SKU is that seller's; getOrders, getOrder,
getOrderItems, confirmShipment and order acknowledgement feeds see only the caller's own orders
(another seller's order id is not found).

A listing accepted normally is BUYABLE from the first GET after its submission; with the
`never_live` fault it stays DISCOVERABLE only. `lost_responses` (set on the object) makes the next
N listing writes take effect and then answer 503, as if the answer were lost on the way.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from xml.etree import ElementTree

from fakes.base import FakeMarketplace, Request, Response, route

SCHEMAS = Path(__file__).resolve().parent.parent / "niryat" / "channels" / "amazon" / "schemas"
LISTINGS = r"/listings/2021-08-01/items/(?P<seller>[^/]+)/(?P<sku>[^/]+)"


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _first(attributes: dict[str, Any], name: str, key: str = "value") -> Any:
    values = attributes.get(name) or [{}]
    return values[0].get(key)


# -- the Finances API ------------------------------------------------------------------------------
# Tax withheld on Amazon.in, by the date the order was placed: TCS under section 52 of the CGST
# Act (1% until 9 July 2024, 0.5% from 10 July 2024, notification 15/2024-Central Tax) and TDS
# under section 194-O (1% until 30 September 2024, 0.1% from 1 October 2024).
TCS_RATES = (("2024-07-10", Decimal("0.5")), ("", Decimal("1")))
TDS_RATES = (("2024-10-01", Decimal("0.1")), ("", Decimal("1")))
GROUPS = "/finances/v0/financialEventGroups"


def _rate(rates: tuple[tuple[str, Decimal], ...], ordered_on: str) -> Decimal:
    return next(rate for since, rate in rates if ordered_on >= since)


def _amount(value: Decimal, currency: str) -> dict[str, Any]:
    return {"CurrencyCode": currency, "CurrencyAmount": float(value.quantize(Decimal("0.01")))}


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


class FakeAmazonFinances:
    """Mixed into FakeAmazon: financial event groups and their events, as Amazon settles a
    seller's orders (`settle`), or as a test gives them (`add_group`)."""

    groups_page_size = 100  # listFinancialEventGroups page size at most
    events_page_size = 100  # listFinancialEventsByGroupId: events (of all lists) per page

    def add_group(
        self: Any,
        seller: str,
        events: dict[str, list[dict[str, Any]]],
        *,
        currency: str = "INR",
        total: Decimal | None = None,
        transferred: bool = True,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> str:
        """A group of `events` (FinancialEvents lists) for `seller`; its OriginalTotal is what
        the events add up to unless `total` says otherwise. Returns the group id."""

        def amounts(value: Any) -> Decimal:
            if isinstance(value, dict):
                if "CurrencyAmount" in value:
                    return Decimal(str(value["CurrencyAmount"]))
                # An adjustment's amount and its items' per-unit amounts repeat its items' totals.
                return sum(
                    (
                        amounts(v)
                        for k, v in value.items()
                        if k not in ("AdjustmentAmount", "PerUnitAmount")
                    ),
                    Decimal(0),
                )
            if isinstance(value, list):
                return sum((amounts(v) for v in value), Decimal(0))
            return Decimal(0)

        with self.lock:
            number = self._next()
            start = start or _now() - timedelta(days=14)
            end = end or _now() - timedelta(days=1)
            group_id = f"FEG-{number:06d}-{uuid.uuid4().hex[:8]}"
            group: dict[str, Any] = {
                "FinancialEventGroupId": group_id,
                "ProcessingStatus": "Closed" if transferred else "Open",
                "FundTransferStatus": "Succeeded" if transferred else "Processing",
                "OriginalTotal": _amount(total if total is not None else amounts(events), currency),
                "ConvertedTotal": _amount(
                    total if total is not None else amounts(events), currency
                ),
                "BeginningBalance": _amount(Decimal(0), currency),
                "FinancialEventGroupStart": _iso(start),
                "FinancialEventGroupEnd": _iso(end),
                "AccountTail": "4321",
            }
            if transferred:
                group["FundTransferDate"] = _iso(end + timedelta(days=1))
                group["TraceId"] = f"NEFT{number:010d}"
            self.event_groups.append({"group": group, "events": events, "_seller": seller})
            return group_id

    def settle(
        self: Any,
        order_ids: list[str],
        *,
        returned: tuple[str, ...] = (),
        reserve: dict[str, Decimal] | None = None,
        commission_percent: Decimal = Decimal("10"),
        fixed_fee: Decimal = Decimal("20"),
        shipping_fee: Decimal = Decimal("50"),
        gst_percent: Decimal = Decimal("12"),
        total_off: Decimal = Decimal(0),
        transferred: bool = True,
    ) -> str:
        """Amazon settles these orders in one group: for each item the sale (Principal and its
        GST), the commission, closing and shipping fees with 18% GST on them, and TCS and TDS at
        the rates of the order's date; for each order in `returned` a refund (the fees given
        back less a refund commission, the tax withheld given back); `reserve` holds back an
        amount against a SKU. `total_off` makes the stated total differ from the events."""
        with self.lock:
            orders = [self.orders[order_id] for order_id in order_ids]
            seller = orders[0]["_seller"]
        shipments, refunds = [], []
        for order in orders:
            currency = order["OrderTotal"]["CurrencyCode"]
            ordered_on = order["PurchaseDate"][:10]
            items, refund_items = [], []
            for item in order["_items"]:
                price = Decimal(str(item["ItemPrice"]["Amount"]))
                principal = _cents(price * 100 / (100 + gst_percent))
                tax = price - principal
                commission = _cents(price * commission_percent / 100)
                fees = {
                    "Commission": commission,
                    "FixedClosingFee": fixed_fee,
                    "ShippingChargeback": shipping_fee,
                }
                fee_gst = _cents(sum(fees.values(), Decimal(0)) * Decimal("0.18"))
                tcs = _cents(principal * _rate(TCS_RATES, ordered_on) / 100)
                tds = _cents(principal * _rate(TDS_RATES, ordered_on) / 100)
                common = {"SellerSKU": item["SellerSKU"], "OrderItemId": item["OrderItemId"]}
                items.append(
                    {
                        **common,
                        "QuantityShipped": item["QuantityOrdered"],
                        "ItemChargeList": [
                            {
                                "ChargeType": "Principal",
                                "ChargeAmount": _amount(principal, currency),
                            },
                            {"ChargeType": "Tax", "ChargeAmount": _amount(tax, currency)},
                        ],
                        "ItemFeeList": [
                            *(
                                {"FeeType": name, "FeeAmount": _amount(-fee, currency)}
                                for name, fee in fees.items()
                            ),
                            {"FeeType": "CommissionIGST", "FeeAmount": _amount(-fee_gst, currency)},
                        ],
                        "ItemTaxWithheldList": [
                            {
                                "TaxCollectionModel": "MarketplaceFacilitator",
                                "TaxesWithheld": [
                                    {
                                        "ChargeType": "TCS-IGST",
                                        "ChargeAmount": _amount(-tcs, currency),
                                    },
                                    {"ChargeType": "TDS", "ChargeAmount": _amount(-tds, currency)},
                                ],
                            }
                        ],
                        "PromotionList": [],
                    }
                )
                if order["AmazonOrderId"] in returned:
                    refund_fee = _cents(commission * Decimal("0.2"))
                    refund_items.append(
                        {
                            **common,
                            "OrderAdjustmentItemId": f"A{item['OrderItemId']}",
                            "QuantityShipped": item["QuantityOrdered"],
                            "ItemChargeAdjustmentList": [
                                {
                                    "ChargeType": "Principal",
                                    "ChargeAmount": _amount(-principal, currency),
                                },
                                {"ChargeType": "Tax", "ChargeAmount": _amount(-tax, currency)},
                            ],
                            "ItemFeeAdjustmentList": [
                                {
                                    "FeeType": "Commission",
                                    "FeeAmount": _amount(commission, currency),
                                },
                                {
                                    "FeeType": "RefundCommission",
                                    "FeeAmount": _amount(-refund_fee, currency),
                                },
                            ],
                            "ItemTaxWithheldList": [
                                {
                                    "TaxCollectionModel": "MarketplaceFacilitator",
                                    "TaxesWithheld": [
                                        {
                                            "ChargeType": "TCS-IGST",
                                            "ChargeAmount": _amount(tcs, currency),
                                        },
                                        {
                                            "ChargeType": "TDS",
                                            "ChargeAmount": _amount(tds, currency),
                                        },
                                    ],
                                }
                            ],
                        }
                    )
            posted = _iso(_now() - timedelta(days=2))
            shipments.append(
                {
                    "AmazonOrderId": order["AmazonOrderId"],
                    "MarketplaceName": "Amazon.in",
                    "PostedDate": posted,
                    "ShipmentItemList": items,
                }
            )
            if refund_items:
                refunds.append(
                    {
                        "AmazonOrderId": order["AmazonOrderId"],
                        "MarketplaceName": "Amazon.in",
                        "PostedDate": _iso(_now() - timedelta(days=1)),
                        "ShipmentItemAdjustmentList": refund_items,
                    }
                )
        adjustments = [
            {
                "AdjustmentType": "ReserveDebit",
                "PostedDate": _iso(_now() - timedelta(days=1)),
                "AdjustmentAmount": _amount(-Decimal(str(amount)), "INR"),
                "AdjustmentItemList": [
                    {
                        "SellerSKU": sku,
                        "Quantity": "1",
                        "PerUnitAmount": _amount(-Decimal(str(amount)), "INR"),
                        "TotalAmount": _amount(-Decimal(str(amount)), "INR"),
                        "ProductDescription": self.listings.get(sku, {}).get("asin", sku),
                    }
                ],
            }
            for sku, amount in (reserve or {}).items()
        ]
        events = {
            "ShipmentEventList": shipments,
            "RefundEventList": refunds,
            "AdjustmentEventList": adjustments,
        }
        group_id = self.add_group(seller, events, transferred=transferred)
        if total_off:
            with self.lock:
                group = self.event_groups[-1]["group"]
                stated = Decimal(str(group["OriginalTotal"]["CurrencyAmount"])) + total_off
                group["OriginalTotal"] = _amount(stated, group["OriginalTotal"]["CurrencyCode"])
        return group_id

    def control(self: Any, request: Request) -> Response:
        """`POST /_fake/settlements {"orders": [...], "returned": [...], "reserve": {"SKU": 100},
        "total_off": 0, "transferred": true}`: Amazon settles these orders (`settle`)."""
        if request.path == "/_fake/settlements" and request.method == "POST":
            data = request.json() or {}
            try:
                group_id = self.settle(
                    list(data["orders"]),
                    returned=tuple(data.get("returned") or ()),
                    reserve={k: Decimal(str(v)) for k, v in (data.get("reserve") or {}).items()},
                    total_off=Decimal(str(data.get("total_off") or 0)),
                    transferred=bool(data.get("transferred", True)),
                )
            except (KeyError, IndexError, ValueError) as exc:
                return Response(400, {"error": str(exc)})
            return Response(201, {"FinancialEventGroupId": group_id})
        return super().control(request)  # type: ignore[misc]

    @route("GET", GROUPS)
    def list_groups(self: Any, request: Request) -> Response:
        if denied := self.denied(request):
            return denied
        token = request.arg("NextToken")
        if token:
            offset, since = json.loads(base64.b64decode(token))
        else:
            offset, since = 0, request.arg("FinancialEventGroupStartedAfter")
        size = min(self.groups_page_size, int(request.arg("MaxResultsPerPage", "100")))
        seller = self.seller(request)
        with self.lock:
            groups = [
                dict(g["group"])
                for g in self.event_groups
                if g["_seller"] == seller and g["group"]["FinancialEventGroupStart"] >= since
            ]
        payload: dict[str, Any] = {"FinancialEventGroupList": groups[offset : offset + size]}
        if offset + size < len(groups):
            payload["NextToken"] = base64.b64encode(
                json.dumps([offset + size, since]).encode()
            ).decode()
        return Response(200, {"payload": payload})

    @route("GET", GROUPS + r"/(?P<group>[^/]+)/financialEvents")
    def list_group_events(self: Any, request: Request) -> Response:
        if denied := self.denied(request):
            return denied
        seller = self.seller(request)
        with self.lock:
            found = [
                g
                for g in self.event_groups
                if g["group"]["FinancialEventGroupId"] == request.params["group"]
                and g["_seller"] == seller
            ]
            if not found:
                return self.error_response(404, "NotFound", "Financial event group not found")
            # Every event of the group in one list, paged across the lists as Amazon does.
            flat = [
                (name, event) for name, events in found[0]["events"].items() for event in events
            ]
        token = request.arg("NextToken")
        offset = int(base64.b64decode(token)) if token else 0
        size = min(self.events_page_size, int(request.arg("MaxResultsPerPage", "100")))
        events: dict[str, list[dict[str, Any]]] = {}
        for name, event in flat[offset : offset + size]:
            events.setdefault(name, []).append(event)
        payload: dict[str, Any] = {"FinancialEvents": events}
        if offset + size < len(flat):
            payload["NextToken"] = base64.b64encode(str(offset + size).encode()).decode()
        return Response(200, {"payload": payload})


class FakeAmazon(FakeAmazonFinances, FakeMarketplace):
    name = "amazon"
    page_size = 100  # getOrders page size at most (tests lower it to see NextToken at work)

    def reset_state(self) -> None:
        self.tokens: dict[str, str] = {}  # access token → its seller (the LWA refresh token)
        self.listings: dict[str, dict[str, Any]] = {}  # seller SKU -> listing
        self.documents: dict[str, dict[str, Any]] = {}  # feed document id -> {content, type}
        self.feeds: dict[str, dict[str, Any]] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        self.cancellations: list[dict[str, Any]] = []
        self.shipments: dict[str, list[dict[str, Any]]] = {}  # order id → confirmed packages
        self.lost_responses = 0
        self.counter = 0
        self.event_groups: list[dict[str, Any]] = []  # financial event groups, oldest first

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    # -- errors and auth -----------------------------------------------------------------------
    def error_response(self, status: int, code: str, message: str) -> Response:
        return Response(status, {"errors": [{"code": code, "message": message, "details": ""}]})

    def denied(self, request: Request) -> Response | None:
        with self.lock:
            if request.headers.get("x-amz-access-token", "") in self.tokens:
                return None
        response = self.error_response(
            403, "Unauthorized", "Access to requested resource is denied."
        )
        response.body["errors"][0]["details"] = (
            "The access token you provided is revoked, malformed or invalid."
        )
        return response

    def seller(self, request: Request) -> str:
        """The seller an authorised call acts for."""
        with self.lock:
            return self.tokens.get(request.headers.get("x-amz-access-token", ""), "")

    def _own_order(self, request: Request) -> dict[str, Any] | None:
        """The order of the path, if it is the caller's (call under the lock)."""
        order = self.orders.get(request.params["order"])
        return order if order is not None and order["_seller"] == self.seller(request) else None

    @route("POST", "/auth/o2/token")
    def token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "refresh_token":
            return Response(400, {"error": "unsupported_grant_type", "error_description": ""})
        if not form.get("client_id", "").startswith(
            "amzn1.application-oa2-client."
        ) or not form.get("client_secret"):
            return Response(
                401,
                {"error": "invalid_client", "error_description": "Client authentication failed"},
            )
        if not form.get("refresh_token", "").startswith("Atzr|"):
            return Response(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "The request has an invalid grant parameter",
                },
            )
        token = f"Atza|{uuid.uuid4().hex}"
        with self.lock:
            self.tokens[token] = form["refresh_token"]
        return Response(
            200,
            {
                "access_token": token,
                "refresh_token": form["refresh_token"],
                "token_type": "bearer",
                "expires_in": 3600,
            },
        )

    # -- product type definitions --------------------------------------------------------------
    @route("GET", r"/definitions/2020-09-01/productTypes/(?P<product_type>[A-Z_]+)")
    def definition(self, request: Request) -> Response:
        if denied := self.denied(request):
            return denied
        product_type = request.params["product_type"]
        path = SCHEMAS / f"{product_type}.json"
        if not path.exists():
            return self.error_response(404, "NotFound", f"Product type {product_type} not found")
        checksum = base64.b64encode(hashlib.md5(path.read_bytes()).digest()).decode()  # noqa: S324
        link = {"resource": f"{self.url}/ptd-schemas/{product_type}.json", "verb": "GET"}
        return Response(
            200,
            {
                "metaSchema": {
                    "link": {"resource": f"{self.url}/ptd-schemas/meta-schema.json", "verb": "GET"},
                    "checksum": "",
                },
                "schema": {"link": link, "checksum": checksum},
                "requirements": request.arg("requirements", "LISTING"),
                "requirementsEnforced": "ENFORCED",
                "propertyGroups": {
                    "offer": {
                        "title": "Offer",
                        "propertyNames": ["purchasable_offer", "list_price", "condition_type"],
                    }
                },
                "locale": request.arg("locale", "DEFAULT"),
                "marketplaceIds": request.arg("marketplaceIds").split(","),
                "productType": product_type,
                "displayName": product_type.title(),
                "productTypeVersion": {
                    "version": "U1.0",
                    "latest": True,
                    "releaseCandidate": False,
                },
            },
        )

    @route("GET", r"/ptd-schemas/(?P<product_type>[A-Z_]+)\.json")
    def schema(self, request: Request) -> Response:
        path = SCHEMAS / f"{request.params['product_type']}.json"
        if not path.exists():
            return Response(404, b"<Error><Code>NoSuchKey</Code></Error>", content_type="text/xml")
        return Response(200, path.read_bytes())

    # -- listings ------------------------------------------------------------------------------
    def _required_missing(self, attributes: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {
                "code": "90220",
                "message": f"'{name}' is required but not supplied.",
                "severity": "ERROR",
                "attributeNames": [name],
                "categories": ["MISSING_ATTRIBUTE"],
            }
            for name in ("item_name", "purchasable_offer", "main_product_image_locator")
            if name not in attributes
        ]

    def _apply(
        self, sku: str, product_type: str, attributes: dict[str, Any], seller: str
    ) -> tuple[str, list[dict[str, Any]], str]:
        """Store a whole listing as Amazon would after a PUT: (status, issues, asin)."""
        issues = list(self.faults.reject.get(sku, [])) or self._required_missing(attributes)
        if issues:
            return "INVALID", issues, ""
        existing = self.listings.get(sku)
        asin = existing["asin"] if existing else f"B0FAKE{self._next():04d}"
        self.listings[sku] = {
            "sku": sku,
            "seller": seller,
            "asin": asin,
            "productType": product_type,
            "attributes": attributes,
            "status": [],  # no status until processed: the first GET makes it so
            "submissions": (existing or {}).get("submissions", 0) + 1,
            "createdDate": existing["createdDate"] if existing else _iso(_now()),
            "lastUpdatedDate": _iso(_now()),
        }
        return "ACCEPTED", [], asin

    def _lost(self) -> Response | None:
        with self.lock:
            if self.lost_responses <= 0:
                return None
            self.lost_responses -= 1
        return self.error_response(503, "ServiceUnavailable", "Service temporarily unavailable.")

    @route("PUT", LISTINGS)
    def put_listing(self, request: Request) -> Response:
        if denied := self.denied(request):
            return denied
        body = request.json() or {}
        if "productType" not in body or "attributes" not in body:
            return self.error_response(
                400, "InvalidInput", "productType and attributes are required"
            )
        sku = request.params["sku"]
        with self.lock:
            status, issues, asin = self._apply(
                sku, body["productType"], body["attributes"], self.seller(request)
            )
        if lost := self._lost():
            return lost
        answer: dict[str, Any] = {
            "sku": sku,
            "status": status,
            "submissionId": uuid.uuid4().hex,
            "issues": issues,
        }
        if asin:
            answer["identifiers"] = [{"marketplaceId": request.arg("marketplaceIds"), "asin": asin}]
        return Response(200, answer)

    def _process(self, listing: dict[str, Any]) -> None:
        if not listing["status"]:
            listing["status"] = (
                ["DISCOVERABLE"] if self.faults.never_live else ["BUYABLE", "DISCOVERABLE"]
            )

    def _item(self, listing: dict[str, Any], marketplace: str) -> dict[str, Any]:
        attributes = listing["attributes"]
        offer = _first(attributes, "purchasable_offer", "our_price") or [{"schedule": [{}]}]
        price = offer[0]["schedule"][0].get("value_with_tax")
        currency = _first(attributes, "purchasable_offer", "currency") or "INR"
        item: dict[str, Any] = {
            "sku": listing["sku"],
            "summaries": [
                {
                    "marketplaceId": marketplace,
                    "asin": listing["asin"],
                    "productType": listing["productType"],
                    "conditionType": "new_new",
                    "status": listing["status"],
                    "itemName": _first(attributes, "item_name") or "",
                    "createdDate": listing["createdDate"],
                    "lastUpdatedDate": listing["lastUpdatedDate"],
                    "mainImage": {
                        "link": _first(attributes, "main_product_image_locator", "media_location"),
                        "height": 1200,
                        "width": 1200,
                    },
                }
            ],
            "attributes": attributes,
            "issues": [],
            "offers": [],
            "fulfillmentAvailability": [
                {
                    "fulfillmentChannelCode": "DEFAULT",
                    "quantity": _first(attributes, "fulfillment_availability", "quantity") or 0,
                }
            ],
        }
        if price is not None:
            item["offers"] = [
                {
                    "marketplaceId": marketplace,
                    "offerType": "B2C",
                    "price": {"currencyCode": currency, "amount": f"{price:.2f}"},
                }
            ]
        return item

    @route("GET", LISTINGS)
    def get_listing(self, request: Request) -> Response:
        if denied := self.denied(request):
            return denied
        with self.lock:
            listing = self.listings.get(request.params["sku"])
            if listing is None:
                return self.error_response(404, "NOT_FOUND", "SKU not found")
            self._process(listing)
            item = self._item(listing, request.arg("marketplaceIds"))
        included = request.arg("includedData", "summaries").split(",")
        return Response(200, {k: v for k, v in item.items() if k == "sku" or k in included})

    @route("PATCH", LISTINGS)
    def patch_listing(self, request: Request) -> Response:
        if denied := self.denied(request):
            return denied
        body = request.json() or {}
        sku = request.params["sku"]
        with self.lock:
            listing = self.listings.get(sku)
            if listing is None:
                return self.error_response(404, "NOT_FOUND", "SKU not found")
            for patch in body.get("patches", []):
                name = patch["path"].removeprefix("/attributes/")
                if patch["op"] == "delete":
                    listing["attributes"].pop(name, None)
                else:
                    listing["attributes"][name] = patch["value"]
            listing["lastUpdatedDate"] = _iso(_now())
        if lost := self._lost():
            return lost
        return Response(
            200, {"sku": sku, "status": "ACCEPTED", "submissionId": uuid.uuid4().hex, "issues": []}
        )

    @route("DELETE", LISTINGS)
    def delete_listing(self, request: Request) -> Response:
        if denied := self.denied(request):
            return denied
        sku = request.params["sku"]
        with self.lock:
            if self.listings.pop(sku, None) is None:
                return self.error_response(404, "NOT_FOUND", "SKU not found")
        return Response(
            200, {"sku": sku, "status": "ACCEPTED", "submissionId": uuid.uuid4().hex, "issues": []}
        )

    # -- feeds ---------------------------------------------------------------------------------
    @route("POST", "/feeds/2021-06-30/documents")
    def create_document(self, request: Request) -> Response:
        if denied := self.denied(request):
            return denied
        document_id = f"amzn1.tortuga.4.eu.{uuid.uuid4()}"
        with self.lock:
            self.documents[document_id] = {
                "contentType": (request.json() or {}).get("contentType", ""),
                "content": None,
            }
        url = f"{self.url}/feed-documents/{document_id}?X-Amz-Signature={uuid.uuid4().hex}"
        return Response(201, {"feedDocumentId": document_id, "url": url})

    @route("PUT", r"/feed-documents/(?P<document>[^/]+)")
    def upload(self, request: Request) -> Response:
        with self.lock:
            document = self.documents.get(request.params["document"])
            if document is None:
                return Response(
                    404, b"<Error><Code>NoSuchKey</Code></Error>", content_type="text/xml"
                )
            document["content"] = request.body
        return Response(200, b"", content_type="text/plain")

    @route("GET", r"/feed-documents/(?P<document>[^/]+)")
    def download(self, request: Request) -> Response:
        with self.lock:
            document = self.documents.get(request.params["document"])
        if document is None or document["content"] is None:
            return Response(404, b"<Error><Code>NoSuchKey</Code></Error>", content_type="text/xml")
        return Response(200, document["content"], content_type=document["contentType"])

    @route("POST", "/feeds/2021-06-30/feeds")
    def create_feed(self, request: Request) -> Response:
        if denied := self.denied(request):
            return denied
        body = request.json() or {}
        with self.lock:
            document = self.documents.get(body.get("inputFeedDocumentId", ""))
            if document is None or document["content"] is None:
                return self.error_response(400, "InvalidInput", "inputFeedDocumentId is not valid")
            feed_id = str(50000 + self._next())
            self.feeds[feed_id] = {
                "feedId": feed_id,
                "feedType": body.get("feedType", ""),
                "seller": self.seller(request),
                "marketplaceIds": body.get("marketplaceIds", []),
                "createdTime": _iso(_now()),
                "processingStatus": "IN_QUEUE",
                "input": document["content"],
            }
            # Amazon takes minutes; the fake is done at once (no test waits).
            self._process_feed(self.feeds[feed_id])
        return Response(202, {"feedId": feed_id})

    @route("GET", r"/feeds/2021-06-30/feeds/(?P<feed>[0-9]+)")
    def get_feed(self, request: Request) -> Response:
        if denied := self.denied(request):
            return denied
        with self.lock:
            feed = self.feeds.get(request.params["feed"])
            if feed is None:
                return self.error_response(404, "NotFound", "Feed not found")
            return Response(200, {k: v for k, v in feed.items() if k not in ("input", "seller")})

    def _process_feed(self, feed: dict[str, Any]) -> None:
        """Process a feed and write its processing report."""
        feed["processingStartTime"] = feed["processingEndTime"] = _iso(_now())
        feed["processingStatus"] = "DONE"
        if feed["feedType"] == "JSON_LISTINGS_FEED":
            report = self._listings_report(feed)
            content, kind = json.dumps(report).encode(), "application/json"
        elif feed["feedType"] == "POST_ORDER_ACKNOWLEDGEMENT_DATA":
            content, kind = self._acknowledge(feed["input"], feed["seller"]), "text/xml"
        else:
            feed["processingStatus"] = "FATAL"
            return
        document_id = f"amzn1.tortuga.4.eu.{uuid.uuid4()}"
        self.documents[document_id] = {"contentType": kind, "content": content}
        feed["resultFeedDocumentId"] = document_id

    def _listings_report(self, feed: dict[str, Any]) -> dict[str, Any]:
        document = json.loads(feed["input"])
        marketplace = (feed["marketplaceIds"] or [""])[0]
        issues, items, accepted = [], [], 0
        for message in document.get("messages", []):
            sku = message["sku"]
            status, found, _ = self._apply(
                sku, message["productType"], message["attributes"], feed["seller"]
            )
            issues += [{"messageId": message["messageId"], "sku": sku, **i} for i in found]
            if status == "ACCEPTED":
                accepted += 1
                items.append(
                    {
                        "sku": sku,
                        **{
                            k: v
                            for k, v in self._item(self.listings[sku], marketplace).items()
                            if k in ("summaries", "issues")
                        },
                    }
                )
        count = len(document.get("messages", []))
        return {
            "header": {
                "sellerId": document["header"]["sellerId"],
                "version": "2.0",
                "feedId": feed["feedId"],
            },
            "issues": issues,
            "summary": {
                "errors": sum(i["severity"] == "ERROR" for i in issues),
                "warnings": sum(i["severity"] == "WARNING" for i in issues),
                "messagesProcessed": count,
                "messagesAccepted": accepted,
                "messagesInvalid": count - accepted,
            },
            "items": items,
        }

    def _acknowledge(self, content: bytes, seller: str) -> bytes:
        envelope = ElementTree.fromstring(content)  # noqa: S314 (our own client's feed)
        for acknowledgement in envelope.iter("OrderAcknowledgement"):
            order_id = acknowledgement.findtext("AmazonOrderID", "")
            if acknowledgement.findtext("StatusCode") != "Failure" or order_id not in self.orders:
                continue
            if self.orders[order_id]["_seller"] != seller:
                continue  # another seller's order: as unknown to this feed's seller
            items = [
                {
                    "order_item_id": item.findtext("AmazonOrderItemCode", ""),
                    "reason": item.findtext("CancelReason", ""),
                }
                for item in acknowledgement.iter("Item")
            ]
            self.cancellations.append({"order_id": order_id, "items": items})
            order = self.orders[order_id]
            if order["OrderStatus"] != "Canceled" and order["FulfillmentChannel"] == "MFN":
                # A seller-fulfilled order holds its units until it ships; cancelled, they are
                # offered again (Seller Central: a cancelled order's quantity is released).
                for item in order["_items"]:
                    self._add_back(item["SellerSKU"], int(item["QuantityOrdered"]))
            order["OrderStatus"] = "Canceled"
            order["LastUpdateDate"] = _iso(_now())
        return (
            b'<?xml version="1.0" encoding="UTF-8"?><AmazonEnvelope><MessageType>ProcessingReport'
            b"</MessageType><Message><MessageID>1</MessageID><ProcessingReport>"
            b"<StatusCode>Complete</StatusCode></ProcessingReport></Message></AmazonEnvelope>"
        )

    @route("GET", r"/feeds/2021-06-30/documents/(?P<document>[^/]+)")
    def get_document(self, request: Request) -> Response:
        if denied := self.denied(request):
            return denied
        document_id = request.params["document"]
        if document_id not in self.documents:
            return self.error_response(404, "NotFound", "Feed document not found")
        url = f"{self.url}/feed-documents/{document_id}?X-Amz-Signature={uuid.uuid4().hex}"
        return Response(200, {"feedDocumentId": document_id, "url": url})

    # -- orders --------------------------------------------------------------------------------
    def place_order(
        self, sku: str, quantity: int, *, fulfillment_channel: str = "MFN"
    ) -> dict[str, Any]:
        with self.lock:
            listing = self.listings.get(sku)
            if listing is None or "BUYABLE" not in listing["status"]:
                raise ValueError(f"{sku} is not buyable")
            attributes = listing["attributes"]
            stock = int(_first(attributes, "fulfillment_availability", "quantity") or 0)
            if stock < quantity:
                raise ValueError(f"only {stock} of {sku} left")
            attributes["fulfillment_availability"][0]["quantity"] = stock - quantity
            offer = _first(attributes, "purchasable_offer", "our_price")
            price = Decimal(str(offer[0]["schedule"][0]["value_with_tax"]))
            currency = _first(attributes, "purchasable_offer", "currency")
            number = self._next()
            order_id = f"403-{number:07d}-{7654321 + number:07d}"
            now = _now()
            total = f"{price * quantity:.2f}"
            order = {
                "AmazonOrderId": order_id,
                "PurchaseDate": _iso(now),
                "LastUpdateDate": _iso(now),
                "OrderStatus": "Unshipped",
                "FulfillmentChannel": fulfillment_channel,
                "SalesChannel": "Amazon.in",
                "ShipServiceLevel": "Std IN Dom_1",
                "OrderTotal": {"CurrencyCode": currency, "Amount": total},
                "NumberOfItemsShipped": 0,
                "NumberOfItemsUnshipped": quantity,
                "PaymentMethod": "Other",
                "MarketplaceId": "A21TJRUUN4KGV",
                "ShipmentServiceLevelCategory": "Standard",
                "OrderType": "StandardOrder",
                "EarliestShipDate": _iso(now),
                "LatestShipDate": _iso(now + timedelta(days=2)),
                "IsBusinessOrder": False,
                "IsPrime": False,
                "IsPremiumOrder": False,
                "IsGlobalExpressEnabled": False,
                "IsReplacementOrder": False,
                "IsSoldByAB": False,
                "ShippingAddress": {
                    "City": "LUCKNOW",
                    "StateOrRegion": "UTTAR PRADESH",
                    "PostalCode": "226001",
                    "CountryCode": "IN",
                },
                "_items": [
                    {
                        "ASIN": listing["asin"],
                        "SellerSKU": sku,
                        "OrderItemId": f"{number:014d}",
                        "Title": _first(attributes, "item_name") or "",
                        "QuantityOrdered": quantity,
                        "QuantityShipped": 0,
                        "ItemPrice": {"CurrencyCode": currency, "Amount": total},
                        "ItemTax": {"CurrencyCode": currency, "Amount": "0.00"},
                        "IsGift": "false",
                        "ConditionId": "New",
                        "IsTransparency": False,
                    }
                ],
            }
            order["_seller"] = listing["seller"]  # the order is the listing seller's
            self.orders[order_id] = order
            return self._public(order)

    def buyer_cancels(self, order_id: str) -> None:
        with self.lock:
            order = self.orders[order_id]
            if order["OrderStatus"] != "Canceled" and order["FulfillmentChannel"] == "MFN":
                for item in order["_items"]:
                    self._add_back(item["SellerSKU"], int(item["QuantityOrdered"]))
            order["OrderStatus"] = "Canceled"
            order["LastUpdateDate"] = _iso(_now())

    def _add_back(self, sku: str, quantity: int) -> None:
        listing = self.listings.get(sku)
        if listing is None:
            return
        availability = listing["attributes"].get("fulfillment_availability")
        if availability:
            availability[0]["quantity"] = int(availability[0].get("quantity") or 0) + quantity

    def offered(self, sku: str) -> int | None:
        with self.lock:
            listing = self.listings.get(sku)
            if listing is None:
                return None
            return int(_first(listing["attributes"], "fulfillment_availability", "quantity") or 0)

    def set_offered(self, sku: str, quantity: int) -> None:
        with self.lock:
            listing = self.listings.get(sku)
            if listing is None:
                raise ValueError(f"no listing for {sku}")
            availability = listing["attributes"].setdefault(
                "fulfillment_availability", [{"fulfillment_channel_code": "DEFAULT"}]
            )
            availability[0]["quantity"] = quantity

    def move_order(self, order_id: str, status: str) -> None:
        with self.lock:
            order = self.orders[order_id]
            if status == "cancelled":
                if order["OrderStatus"] not in ("Pending", "Unshipped"):
                    raise ValueError(f"a {order['OrderStatus']} order cannot be cancelled")
                self.buyer_cancels(order_id)
                return
            if order["OrderStatus"] != "Shipped" and status != "shipped":
                raise ValueError("confirm the shipment first")
            order["OrderStatus"] = "Shipped"
            order["EasyShipShipmentStatus"] = {
                "shipped": "PickedUp",
                "delivered": "Delivered",
                "returned": "ReturnedToSeller",
            }[status]
            order["LastUpdateDate"] = _iso(_now())

    @route("POST", r"/orders/v0/orders/(?P<order>[0-9-]+)/shipmentConfirmation")
    def confirm_shipment(self, request: Request) -> Response:
        """confirmShipment: 204 with no body, or 400 with the errors."""
        if denied := self.denied(request):
            return denied
        body = request.json() or {}
        detail = body.get("packageDetail") or {}
        with self.lock:
            order = self._own_order(request)
            if order is None:
                return self.error_response(404, "NotFound", "Order not found")
            missing = [
                name
                for name in ("packageReferenceId", "carrierCode", "shipDate", "orderItems")
                if not detail.get(name)
            ]
            if not body.get("marketplaceId"):
                missing.append("marketplaceId")
            if detail.get("carrierCode") == "Other" and not detail.get("carrierName"):
                missing.append("carrierName")
            if missing:
                return self.error_response(
                    400, "InvalidInput", f"Missing required fields: {', '.join(missing)}"
                )
            if not detail.get("trackingNumber"):
                return self.error_response(
                    400, "InvalidInput", "trackingNumber is required for this carrier"
                )
            items = {item["OrderItemId"]: item for item in order["_items"]}
            unknown = [
                i.get("orderItemId")
                for i in detail["orderItems"]
                if i.get("orderItemId") not in items
            ]
            if unknown:
                return self.error_response(
                    400, "InvalidInput", f"Invalid orderItemId: {', '.join(map(str, unknown))}"
                )
            if order["OrderStatus"] not in ("Unshipped", "PartiallyShipped"):
                return self.error_response(
                    400, "InvalidInput", f"Order is {order['OrderStatus']}: it cannot be shipped"
                )
            for wanted in detail["orderItems"]:
                items[wanted["orderItemId"]]["QuantityShipped"] = int(wanted.get("quantity") or 0)
            shipped = sum(item["QuantityShipped"] for item in order["_items"])
            ordered = sum(item["QuantityOrdered"] for item in order["_items"])
            order["NumberOfItemsShipped"] = shipped
            order["NumberOfItemsUnshipped"] = ordered - shipped
            order["OrderStatus"] = "Shipped" if shipped >= ordered else "PartiallyShipped"
            order["LastUpdateDate"] = _iso(_now())
            self.shipments.setdefault(order["AmazonOrderId"], []).append(dict(detail))
        return Response(204)

    @staticmethod
    def _public(order: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in order.items() if not k.startswith("_")}

    @route("GET", "/orders/v0/orders")
    def get_orders(self, request: Request) -> Response:
        if denied := self.denied(request):
            return denied
        token = request.arg("NextToken")
        if token:
            offset, since = json.loads(base64.b64decode(token))
        else:
            if not request.arg("MarketplaceIds"):
                return self.error_response(400, "InvalidInput", "MarketplaceIds is required")
            if not request.arg("LastUpdatedAfter") and not request.arg("CreatedAfter"):
                return self.error_response(
                    400, "InvalidInput", "One of CreatedAfter or LastUpdatedAfter is required"
                )
            offset, since = 0, request.arg("LastUpdatedAfter") or request.arg("CreatedAfter")
        size = min(self.page_size, int(request.arg("MaxResultsPerPage", "100")))
        seller = self.seller(request)
        with self.lock:
            orders = [
                self._public(o)
                for o in self.orders.values()
                if o["_seller"] == seller and o["LastUpdateDate"] >= since
            ]
            if self.faults.duplicate_orders:
                orders = [copy for order in orders for copy in (order, dict(order))]
        page = orders[offset : offset + size]
        payload: dict[str, Any] = {"Orders": page, "LastUpdatedBefore": _iso(_now())}
        if offset + size < len(orders):
            payload["NextToken"] = base64.b64encode(
                json.dumps([offset + size, since]).encode()
            ).decode()
        return Response(200, {"payload": payload})

    @route("GET", r"/orders/v0/orders/(?P<order>[0-9-]+)")
    def get_order(self, request: Request) -> Response:
        if denied := self.denied(request):
            return denied
        with self.lock:
            order = self._own_order(request)
            if order is None:
                return self.error_response(404, "NotFound", "Order not found")
            return Response(200, {"payload": self._public(order)})

    @route("GET", r"/orders/v0/orders/(?P<order>[0-9-]+)/orderItems")
    def get_order_items(self, request: Request) -> Response:
        if denied := self.denied(request):
            return denied
        with self.lock:
            order = self._own_order(request)
            if order is None:
                return self.error_response(404, "NotFound", "Order not found")
            items = [dict(item) for item in order["_items"]]
        return Response(
            200, {"payload": {"AmazonOrderId": order["AmazonOrderId"], "OrderItems": items}}
        )

    # -- for tests and demos -------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        listings = {}
        for sku, listing in self.listings.items():
            attributes = listing["attributes"]
            offer = _first(attributes, "purchasable_offer", "our_price") or [{"schedule": [{}]}]
            listings[sku] = {
                "asin": listing["asin"],
                "product_type": listing["productType"],
                "status": listing["status"],
                "submissions": listing["submissions"],
                "quantity": _first(attributes, "fulfillment_availability", "quantity"),
                "price": offer[0]["schedule"][0].get("value_with_tax"),
                "mrp": _first(attributes, "list_price", "value_with_tax"),
                "attributes": attributes,
            }
        return {
            "listings": listings,
            "orders": {k: self._public(v) for k, v in self.orders.items()},
            "cancellations": self.cancellations,
            "shipments": {k: list(v) for k, v in self.shipments.items()},
            "feeds": {
                k: {f: v for f, v in feed.items() if f != "input"} for k, feed in self.feeds.items()
            },
            "event_groups": [g["group"] for g in self.event_groups],
        }
