"""Amazon (Amazon.in, and the Global Selling stores) through the Selling Partner API.

- One SKU is listed with the Listings Items API (`PUT /listings/2021-08-01/items/{seller}/{sku}`):
  the SKU is the key, so sending it again replaces the same listing and a retry never lists twice.
  Many SKUs go in one JSON_LISTINGS_FEED through the Feeds API (`submit_feed`, `feed_result`).
- What a product type needs comes from the Product Type Definitions API, a JSON Schema fetched on
  first use and kept in `SchemaCache`; listings are checked against it locally (schema.py) before
  they are sent, and `validate` uses it (or our bundled copy) with no network.
- Amazon "ACCEPTED" only means the submission was taken: the listing is live once its summary
  says BUYABLE, so `poll` reads the listing until it is buyable or has errors.
- Orders come from the Orders API v0. A seller cancels an order it cannot fill with an order
  acknowledgement feed (POST_ORDER_ACKNOWLEDGEMENT_DATA, StatusCode Failure, with a CancelReason),
  the documented way for seller-fulfilled orders.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar, cast
from xml.etree import ElementTree

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from niryat.catalog.completeness import Problem
from niryat.channels.amazon import finances
from niryat.channels.amazon import listing as amazon_listing
from niryat.channels.amazon.api import SellingPartnerApi
from niryat.channels.amazon.marketplaces import INDIA, MARKETPLACES, Marketplace
from niryat.channels.amazon.schema import (
    SchemaError,
    Validator,
    cache_key,
    compile_schema,
    schema_for,
)
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
from niryat.channels.english import devanagari_problems
from niryat.channels.settlements import PulledSettlements

if TYPE_CHECKING:
    from niryat.catalog.models import Sku
    from niryat.channels.models import ChannelAccount, Listing, Order

LISTINGS = "/listings/2021-08-01/items"
# Items of orders already fetched, by (account, order id); the oldest are forgotten first.
ORDER_ITEMS_KEPT = 10_000
_order_items: dict[tuple[int | None, str], list[OrderLineData]] = {}
FEED_VERSION = "2.0"
# Amazon's reasons for a seller's cancellation (order acknowledgement feed, CancelReason).
CANCEL_REASONS = (
    "NoInventory",
    "ShippingAddressUndeliverable",
    "CustomerExchange",
    "BuyerCanceled",
    "GeneralAdjustment",
    "CarrierCreditDecision",
    "RiskAssessmentInformationNotValid",
    "CarrierCoverageFailure",
    "CustomerReturn",
    "MerchandiseNotReceived",
)

# What to do about an issue, by Amazon's issue category.
EXPLANATIONS: dict[str, StrOrPromise] = {
    "MISSING_ATTRIBUTE": _("Fill this in and send the listing again."),
    "INVALID_ATTRIBUTE": _("Amazon did not accept this value. Correct it and send again."),
    "INVALID_IMAGE": _("Amazon did not accept the photo. Replace it and send again."),
    "MISSING_OFFER": _("Set the selling price and stock, then send again."),
    "QUALIFICATION_REQUIRED": _("Amazon must approve the seller for this category first."),
}
GTIN_NEEDED = _(
    "Amazon needs a barcode (GTIN) for branded or factory-made goods. Add it, or, if the product "
    "is handmade and has no brand, mark it handmade."
)


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _issue_error(issue: dict[str, Any], sku: Sku | None) -> FieldError:
    names = issue.get("attributeNames") or (
        [issue["attributeName"]] if issue.get("attributeName") else []
    )
    field = amazon_listing.our_field(names[0], sku) if names else ""
    categories = issue.get("categories") or []
    explanation = next((EXPLANATIONS[c] for c in categories if c in EXPLANATIONS), "")
    return FieldError(
        field=field,
        code=str(issue.get("code", "")),
        message=str(issue.get("message", "")),
        # Lazily translated: shown in the reader's language.
        explanation=cast("str", explanation),
    )


def _errors(issues: Sequence[dict[str, Any]], sku: Sku | None) -> list[FieldError]:
    return [_issue_error(i, sku) for i in issues if i.get("severity") == "ERROR"]


def _problem_message(error: SchemaError, attribute: str, product_type: str) -> StrOrPromise:
    keyword = error.keyword
    if keyword == "required" and attribute == "externally_assigned_product_identifier":
        return GTIN_NEEDED
    if keyword == "required":
        return format_lazy(
            _("Amazon needs this for a {product_type} listing ({attribute})."),
            product_type=product_type,
            attribute=attribute,
        )
    if keyword == "maxUtf8ByteLength":
        return format_lazy(
            _(
                "Too long for Amazon: {length} bytes in UTF-8, at most {maximum} (a Hindi letter "
                "takes 3)."
            ),
            length=error.actual,
            maximum=error.limit,
        )
    if keyword == "maxItems":
        return format_lazy(_("Amazon takes at most {maximum} of these."), maximum=error.limit)
    if keyword == "pattern" and "image_locator" in attribute:
        return _("Amazon fetches photos from a public https:// address; this one is not.")
    if keyword in ("minimum", "minItems"):
        return format_lazy(_("Amazon needs at least {minimum} here."), minimum=error.limit)
    return format_lazy(_("Amazon does not accept “{value}” here."), value=error.actual)


class AmazonChannel(Channel):
    """Amazon through the Selling Partner API, for one seller account and marketplace
    (`account.settings`: `seller_id`, `marketplace_id`, Amazon.in by default)."""

    code = "amazon"
    name = "Amazon"
    credential_fields: ClassVar[Sequence[CredentialField]] = (
        CredentialField(
            "client_id",
            _("LWA client ID"),
            secret=False,
            help_text=_("From the app in Seller Central: Develop Apps, Login with Amazon."),
        ),
        CredentialField("client_secret", _("LWA client secret")),
        CredentialField(
            "refresh_token",
            _("Refresh token"),
            help_text=_("Given when the seller authorises the app (starts with Atzr|)."),
        ),
    )
    setting_fields: ClassVar[Sequence[CredentialField]] = (
        CredentialField(
            "seller_id",
            _("Seller ID (merchant token)"),
            secret=False,
            help_text=_("In Seller Central: Settings, Account Info, Merchant Token."),
        ),
        CredentialField(
            "marketplace_id",
            _("Marketplace ID"),
            secret=False,
            help_text=_("A21TJRUUN4KGV for amazon.in."),
            default="A21TJRUUN4KGV",
        ),
    )
    # Listings Items API: 5 requests per second for one seller (burst 10).
    calls_per_second: ClassVar[float] = 5.0
    # Seller-fulfilled orders are confirmed with the courier and its tracking number.
    ships_through_api = True
    needs_waybill = True

    # -- the account ----------------------------------------------------------------------------
    @property
    def marketplace(self) -> Marketplace:
        wanted = INDIA
        if self.account is not None:
            wanted = str(self.account.settings.get("marketplace_id") or INDIA)
        if wanted not in MARKETPLACES:
            raise ChannelError(f"Amazon: marketplace {wanted} is not supported", permanent=True)
        return MARKETPLACES[wanted]

    def __init__(self, account: ChannelAccount | None = None) -> None:
        super().__init__(account)
        # Product type schemas, compiled, by (marketplace id, product type).
        self.validators: dict[tuple[str, str], Validator] = {}

    def api(self) -> SellingPartnerApi:
        if self.account is None:
            raise ChannelError("Amazon: no seller account", permanent=True)
        return SellingPartnerApi(self.account, self.marketplace)

    def check_account(self) -> None:
        self.api().token(fresh=True)

    # -- local work -----------------------------------------------------------------------------
    def _schema_problems(
        self, sku: Sku, attributes: dict[str, list[dict[str, Any]]], product_type: str
    ) -> list[Problem]:
        problems = []
        # One lookup and compilation per product type for this instance (a batch of SKUs), not
        # one per SKU.
        key = (self.marketplace.id, product_type)
        validator = self.validators.get(key)
        if validator is None:
            validator = compile_schema(schema_for(self.marketplace, product_type))
            self.validators[key] = validator
        for error in validator(attributes, ()):
            attribute = str(error.path[0]) if error.path else ""
            language = ""
            if len(error.path) > 1 and isinstance(error.path[1], int):
                language = attributes[attribute][error.path[1]].get("language_tag", "")
            problems.append(
                Problem(
                    self.code,
                    amazon_listing.our_field(attribute, sku, language),
                    _problem_message(error, attribute, product_type),
                )
            )
        return problems

    def validate(self, sku: Sku) -> list[Problem]:
        marketplace = self.marketplace
        product_type = amazon_listing.product_type(sku)
        problems = []
        for field in ("price", "mrp"):
            rupees = getattr(sku, field)
            if rupees is not None and amazon_listing.price_in(marketplace, rupees) is None:
                problems.append(
                    Problem(
                        self.code,
                        field,
                        format_lazy(
                            _("Set the rupee rate of {currency} to sell on {store}."),
                            currency=marketplace.currency,
                            store=marketplace.domain,
                        ),
                    )
                )
        if marketplace.country != "IN":
            # Amazon in India takes Hindi beside English (hi_IN); the stores abroad English only.
            problems += devanagari_problems(
                sku, check=self.code, marketplace=f"Amazon ({marketplace.domain})"
            )
        attributes = amazon_listing.attributes(sku, marketplace)
        problems += self._schema_problems(sku, attributes, product_type)
        # One problem per field: the first says what to do.
        seen: set[str] = set()
        unique = []
        for problem in problems:
            if problem.field not in seen:
                seen.add(problem.field)
                unique.append(problem)
        return unique

    def _message(self, sku: Sku, message_id: int) -> dict[str, Any]:
        return {
            "messageId": message_id,
            "sku": sku.seller_sku,
            "operationType": "UPDATE",
            "productType": amazon_listing.product_type(sku),
            "requirements": "LISTING",
            "attributes": amazon_listing.attributes(sku, self.marketplace),
        }

    def build(self, skus: Sequence[Sku]) -> dict[str, Any]:
        """The JSON_LISTINGS_FEED document for these SKUs (one UPDATE message each)."""
        seller_id = str(self.account.settings.get("seller_id", "")) if self.account else ""
        return {
            "header": {
                "sellerId": seller_id,
                "version": FEED_VERSION,
                "issueLocale": self.marketplace.language_tag,
            },
            "messages": [self._message(sku, number) for number, sku in enumerate(skus, start=1)],
        }

    # -- listings -------------------------------------------------------------------------------
    def _item_path(self, api: SellingPartnerApi, sku: Sku) -> str:
        return f"{LISTINGS}/{api.seller_id}/{sku.seller_sku}"

    def _params(self, **extra: str) -> dict[str, str]:
        marketplace = self.marketplace
        return {"marketplaceIds": marketplace.id, "issueLocale": marketplace.language_tag, **extra}

    def ensure_schema(self, api: SellingPartnerApi, product_type: str) -> None:
        """Fetch the product type's schema from Amazon once and keep it (SchemaCache)."""
        from niryat.channels.models import SchemaCache

        key = cache_key(self.marketplace, product_type)
        if SchemaCache.objects.filter(channel=self.code, key=key).exists():
            return
        definition = api.call(
            "GET",
            f"/definitions/2020-09-01/productTypes/{product_type}",
            params={
                "marketplaceIds": self.marketplace.id,
                "sellerId": api.seller_id,
                "requirements": "LISTING",
                "locale": "DEFAULT",
            },
            what="getDefinitionsProductType",
        )
        schema = json.loads(api.download(definition["schema"]["link"]["resource"]))
        SchemaCache.objects.update_or_create(
            channel=self.code, key=key, defaults={"schema": schema}
        )
        self.validators.pop((self.marketplace.id, product_type), None)

    def _submission(self, data: dict[str, Any], sku: Sku) -> ListingStatus:
        if data.get("status") == "INVALID":
            issues = data.get("issues") or []
            # INVALID with only warnings still failed: show them all then.
            errors = _errors(issues, sku) or [_issue_error(issue, sku) for issue in issues]
            return ListingStatus("rejected", errors=errors)
        asin = next((i.get("asin", "") for i in data.get("identifiers") or []), "")
        return ListingStatus(
            "submitted",
            external_id=asin,
            url=self.marketplace.product_url(asin) if asin else "",
            reference=str(data.get("submissionId", "")),
        )

    def submit(self, listing: Listing, *, key: str) -> ListingStatus:
        """PUT the whole listing (idempotent by SKU: `key` needs no place in the call)."""
        sku = listing.sku
        api = self.api()
        product_type = amazon_listing.product_type(sku)
        self.ensure_schema(api, product_type)
        attributes = amazon_listing.attributes(sku, self.marketplace)
        problems = self._schema_problems(sku, attributes, product_type)
        if problems:
            return ListingStatus(
                "rejected",
                errors=[
                    FieldError(p.field, "", "", explanation=cast("str", p.message))
                    for p in problems
                ],
            )
        data = api.call(
            "PUT",
            self._item_path(api, sku),
            params=self._params(),
            json={"productType": product_type, "requirements": "LISTING", "attributes": attributes},
            what="putListingsItem",
        )
        return self._submission(data, sku)

    def _status(self, item: dict[str, Any], sku: Sku | None, reference: str = "") -> ListingStatus:
        summaries = [
            s
            for s in item.get("summaries") or []
            if s.get("marketplaceId") in ("", None, self.marketplace.id)
        ]
        statuses = {status for s in summaries for status in s.get("status") or []}
        asin = next((s.get("asin", "") for s in summaries if s.get("asin")), "")
        url = self.marketplace.product_url(asin) if asin else ""
        errors = _errors(item.get("issues") or [], sku)
        if "BUYABLE" in statuses:
            return ListingStatus("live", asin, url, errors, reference)
        if errors:
            return ListingStatus("rejected", asin, url, errors, reference)
        return ListingStatus("submitted", asin, url, (), reference)

    def poll(self, listing: Listing) -> ListingStatus:
        api = self.api()
        try:
            item = api.call(
                "GET",
                self._item_path(api, listing.sku),
                params=self._params(includedData="summaries,issues,offers"),
                what="getListingsItem",
            )
        except ChannelError as exc:
            if exc.status == 404:  # accepted but not processed yet
                return ListingStatus("submitted", reference=listing.reference)
            raise
        return self._status(item, listing.sku, listing.reference)

    def _patch(self, listing: Listing, attributes: dict[str, list[dict[str, Any]]]) -> None:
        sku = listing.sku
        api = self.api()
        data = api.call(
            "PATCH",
            self._item_path(api, sku),
            params=self._params(),
            json={
                "productType": amazon_listing.product_type(sku),
                "patches": [
                    {"op": "replace", "path": f"/attributes/{name}", "value": value}
                    for name, value in attributes.items()
                ],
            },
            what="patchListingsItem",
        )
        if data.get("status") == "INVALID":
            raise ChannelError(
                f"Amazon refused the change to {sku.seller_sku}",
                permanent=True,
                field_errors=_errors(data.get("issues") or [], sku),
            )

    def push_stock(self, listing: Listing, quantity: int, *, key: str) -> None:
        self._patch(listing, amazon_listing.stock_attributes(listing.sku, quantity))

    def push_price(self, listing: Listing, *, key: str) -> None:
        offer = amazon_listing.offer_attributes(listing.sku, self.marketplace)
        if "purchasable_offer" not in offer:
            raise ChannelError(f"Amazon: no price to send for {listing.sku}", permanent=True)
        self._patch(listing, offer)

    def end(self, listing: Listing, *, key: str) -> None:
        api = self.api()
        try:
            api.call(
                "DELETE",
                self._item_path(api, listing.sku),
                params=self._params(),
                what="deleteListingsItem",
            )
        except ChannelError as exc:
            if exc.status != 404:  # already gone: what we wanted
                raise

    def read_quantities(self, listings: Sequence[Listing]) -> dict[int, int]:
        """getListingsItem with includedData=fulfillmentAvailability, one listing at a time: the
        quantity of the seller-fulfilled channel ("DEFAULT"). Amazon's own warehouses (FBA) count
        their stock themselves and are left out, like a SKU Amazon no longer has (404)."""
        api = self.api()
        quantities: dict[int, int] = {}
        for listing in listings:
            try:
                item = api.call(
                    "GET",
                    self._item_path(api, listing.sku),
                    params=self._params(includedData="fulfillmentAvailability"),
                    what="getListingsItem",
                )
            except ChannelError as exc:
                if exc.status == 404:
                    continue
                raise
            for availability in item.get("fulfillmentAvailability") or []:
                if availability.get("fulfillmentChannelCode") == "DEFAULT":
                    quantities[listing.pk] = int(availability.get("quantity") or 0)
        return quantities

    # -- many listings at once: the JSON_LISTINGS_FEED ------------------------------------------
    def submit_feed(self, listings: Sequence[Listing], *, key: str) -> str:
        """Send the listings in one JSON_LISTINGS_FEED; the feed id to ask `feed_result` with.
        Each message is an UPDATE by SKU, so a feed sent twice lists nothing twice."""
        document = self.build([listing.sku for listing in listings])
        # Ask the processing report for each item's summary and issues.
        document["header"]["report"] = {
            "includedData": ["summaries", "issues"],
            "apiVersion": "2021-08-01",
        }
        return self.api().create_feed(
            "JSON_LISTINGS_FEED", json.dumps(document).encode(), "application/json; charset=UTF-8"
        )

    def feed_result(self, feed_id: str) -> dict[str, ListingStatus]:
        """Each SKU's status from the feed's processing report ({} while Amazon is processing)."""
        api = self.api()
        feed = api.call("GET", f"/feeds/2021-06-30/feeds/{feed_id}", what="getFeed")
        state = feed.get("processingStatus")
        if state in ("IN_QUEUE", "IN_PROGRESS"):
            return {}
        if not feed.get("resultFeedDocumentId"):
            raise ChannelError(f"Amazon feed {feed_id} ended {state}", permanent=True)
        document = api.call(
            "GET",
            f"/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}",
            what="getFeedDocument",
        )
        raw = api.download(document["url"])
        if document.get("compressionAlgorithm") == "GZIP":
            raw = gzip.decompress(raw)
        report = json.loads(raw)
        items = {item["sku"]: item for item in report.get("items") or []}
        issues: dict[str, list[dict[str, Any]]] = {}
        for issue in report.get("issues") or []:
            issues.setdefault(str(issue.get("sku", "")), []).append(issue)
        result = {}
        for sku in [*items, *(s for s in issues if s and s not in items)]:
            item = items.get(sku, {"sku": sku})
            item = {**item, "issues": [*(item.get("issues") or []), *issues.get(sku, [])]}
            result[sku] = self._status(item, None, feed_id)
        return result

    # -- settlements (the Finances API) ---------------------------------------------------------
    def pull_settlement_parts(
        self, since: datetime, resume: dict[str, Any] | None = None
    ) -> Iterator[PulledSettlements]:
        return finances.pull_settlement_parts(self.api(), since, resume)

    # -- orders ---------------------------------------------------------------------------------
    def _order_lines(self, api: SellingPartnerApi, order_id: str) -> list[OrderLineData]:
        # An order's items do not change: a pull retried after a fault (getOrderItems allows
        # 0.5 calls a second) asks only for the orders it has not seen.
        key = (api.account.pk, order_id)
        if key in _order_items:
            return _order_items[key]
        lines = self._fetch_order_lines(api, order_id)
        if len(_order_items) >= ORDER_ITEMS_KEPT:
            _order_items.pop(next(iter(_order_items)))
        _order_items[key] = lines
        return lines

    def _fetch_order_lines(self, api: SellingPartnerApi, order_id: str) -> list[OrderLineData]:
        lines = []
        params: dict[str, Any] = {}
        while True:
            payload = api.call(
                "GET",
                f"/orders/v0/orders/{order_id}/orderItems",
                params=params,
                what="getOrderItems",
            )["payload"]
            for item in payload.get("OrderItems") or []:
                quantity = int(item.get("QuantityOrdered") or 0)
                # ItemPrice is for the whole quantity.
                total = Decimal(str((item.get("ItemPrice") or {}).get("Amount") or 0))
                lines.append(
                    OrderLineData(
                        seller_sku=str(item.get("SellerSKU", "")),
                        quantity=quantity,
                        unit_price=(total / quantity).quantize(Decimal("0.01"))
                        if quantity
                        else Decimal(0),
                        line_id=str(item.get("OrderItemId", "")),
                    )
                )
            if not payload.get("NextToken"):
                return lines
            params = {"NextToken": payload["NextToken"]}

    def pull_orders(self, since: datetime) -> list[OrderData]:
        """Orders updated since `since`, each once (Amazon may list one twice across pages)."""
        return each_order_once(self.pull_order_parts(since))

    def pull_order_parts(
        self, since: datetime, resume: dict[str, Any] | None = None
    ) -> Iterator[PulledOrders]:
        """getOrders page by page (NextToken), each order given with its items (getOrderItems,
        one call each) as a part of its own: a page holds up to 100 orders, too many calls to
        make again after every fault. `resume`: the NextToken of the page being read (None: the
        first) and the orders of that page already given."""
        api = self.api()
        first = {
            "MarketplaceIds": self.marketplace.id,
            "LastUpdatedAfter": _iso(since),
            "MaxResultsPerPage": 100,
        }
        token: str | None = (resume or {}).get("page")
        given: list[str] = list((resume or {}).get("given") or [])
        while True:
            params = {"MarketplaceIds": self.marketplace.id, "NextToken": token} if token else first
            payload = api.call("GET", "/orders/v0/orders", params=params, what="getOrders")[
                "payload"
            ]
            orders: dict[str, dict[str, Any]] = {}
            for order in payload.get("Orders") or []:
                orders[order["AmazonOrderId"]] = order  # a later copy is the newer state
            for order_id, order in orders.items():
                if order_id in given:
                    continue
                data = self._order_data(api, order_id, order)
                given.append(order_id)
                yield PulledOrders([data], resume={"page": token, "given": list(given)})
            token = payload.get("NextToken")
            if not token:
                return
            given = []
            yield PulledOrders([], resume={"page": token, "given": []})

    def _order_data(
        self, api: SellingPartnerApi, order_id: str, order: dict[str, Any]
    ) -> OrderData:
        total = order.get("OrderTotal") or {}
        return OrderData(
            channel_order_id=order_id,
            ordered_at=_when(order["PurchaseDate"]) or datetime.now(UTC),
            lines=self._order_lines(api, order_id),
            currency=str(total.get("CurrencyCode") or self.marketplace.currency),
            ship_by=_when(order.get("LatestShipDate")),
            cancelled=order.get("OrderStatus") == "Canceled",
            status=_status_of(order),
            fulfilled_by_marketplace=order.get("FulfillmentChannel") == "AFN",
            buyer_city=str((order.get("ShippingAddress") or {}).get("City", "")),
            raw=order,
        )

    def shipment_confirmation(self, order: Order, shipment: Shipment) -> dict[str, Any]:
        """The body of confirmShipment (Orders v0): one package with every item of the order."""
        carrier = shipment.carrier.strip()
        code = CARRIER_CODES.get(carrier.casefold(), "Other")
        detail: dict[str, Any] = {
            "packageReferenceId": "1",
            "carrierCode": code,
            "trackingNumber": shipment.tracking_number,
            "shipDate": _iso(shipment.shipped_at),
            "orderItems": [
                {"orderItemId": line.line_id, "quantity": line.quantity}
                for line in order.lines.all()
                if line.line_id
            ],
        }
        if code == "Other":
            detail["carrierName"] = carrier  # Amazon asks the name of a carrier it has no code for
        return {"packageDetail": detail, "marketplaceId": self.marketplace.id}

    def ship(self, order: Order, shipment: Shipment, *, key: str) -> Shipment:
        """Confirm the shipment with the courier and tracking number. The order is read first:
        one Amazon already shows shipped was confirmed by an earlier try whose answer was lost,
        so nothing is sent twice."""
        api = self.api()
        path = f"/orders/v0/orders/{order.channel_order_id}"
        current = api.call("GET", path, what="getOrder")["payload"]
        status = current.get("OrderStatus")
        if status == "Shipped":
            return shipment
        if status == "Canceled":
            raise ChannelError(
                f"Amazon: order {order.channel_order_id} was cancelled; do not send it",
                permanent=True,
            )
        try:
            api.call(
                "POST",
                f"{path}/shipmentConfirmation",
                json=self.shipment_confirmation(order, shipment),
                what="confirmShipment",
            )
        except ChannelError as exc:
            # An earlier try whose answer was lost to a timeout may have reached Amazon after
            # our read: the order then shows shipped, and this refusal is no refusal.
            if exc.status != HTTPStatus.BAD_REQUEST:
                raise
            current = api.call("GET", path, what="getOrder")["payload"]
            if current.get("OrderStatus") != "Shipped":
                raise
        return shipment

    def cancel_order(self, order: Order, reason: str, *, key: str) -> None:
        """Cancel with an order acknowledgement feed (StatusCode Failure). `reason` is one of
        Amazon's CancelReason codes, or our own words, sent as NoInventory (we cancel what we
        cannot fill). An order Amazon already shows as cancelled is left alone, so a retry sends
        nothing twice."""
        api = self.api()
        current = api.call("GET", f"/orders/v0/orders/{order.channel_order_id}", what="getOrder")[
            "payload"
        ]
        if current.get("OrderStatus") == "Canceled":
            return
        code = reason if reason in CANCEL_REASONS else "NoInventory"
        line_ids = [line.line_id for line in order.lines.all() if line.line_id]
        api.create_feed(
            "POST_ORDER_ACKNOWLEDGEMENT_DATA",
            acknowledgement_xml(api.seller_id, order.channel_order_id, line_ids, code),
            "text/xml; charset=UTF-8",
        )


# Amazon's carrier codes for couriers Indian sellers use; others go as "Other" with their name.
CARRIER_CODES = {
    "blue dart": "Blue Dart",
    "bluedart": "Blue Dart",
    "delhivery": "Delhivery",
    "dtdc": "DTDC",
    "india post": "India Post",
    "speed post": "India Post",
    "ecom express": "Ecom Express",
    "xpressbees": "Xpressbees",
    "dhl": "DHL",
    "fedex": "FedEx",
}
# Easy Ship's shipment states that end a seller-fulfilled order (Amazon's courier reports them).
EASY_SHIP_DELIVERED = {"Delivered"}
EASY_SHIP_RETURNED = {"ReturnedToSeller"}


def _status_of(order: dict[str, Any]) -> str:
    """Where an order stands: Orders v0 gives Shipped and Canceled; delivery and a return come
    from Easy Ship's `EasyShipShipmentStatus`, which Amazon's courier keeps (Amazon.in)."""
    status = order.get("OrderStatus")
    easy_ship = order.get("EasyShipShipmentStatus")
    if status == "Canceled":
        return OrderStatus.CANCELLED
    if easy_ship in EASY_SHIP_RETURNED:
        return OrderStatus.RETURNED
    if easy_ship in EASY_SHIP_DELIVERED:
        return OrderStatus.DELIVERED
    if status == "Shipped":
        return OrderStatus.SHIPPED
    return OrderStatus.OPEN


def acknowledgement_xml(seller_id: str, order_id: str, line_ids: Sequence[str], code: str) -> bytes:
    """An OrderAcknowledgement feed that cancels the order (all its items) with `code`."""
    envelope = ElementTree.Element(
        "AmazonEnvelope",
        {
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:noNamespaceSchemaLocation": "amzn-envelope.xsd",
        },
    )
    header = ElementTree.SubElement(envelope, "Header")
    ElementTree.SubElement(header, "DocumentVersion").text = "1.01"
    ElementTree.SubElement(header, "MerchantIdentifier").text = seller_id
    ElementTree.SubElement(envelope, "MessageType").text = "OrderAcknowledgement"
    message = ElementTree.SubElement(envelope, "Message")
    ElementTree.SubElement(message, "MessageID").text = "1"
    acknowledgement = ElementTree.SubElement(message, "OrderAcknowledgement")
    ElementTree.SubElement(acknowledgement, "AmazonOrderID").text = order_id
    ElementTree.SubElement(acknowledgement, "StatusCode").text = "Failure"
    for line_id in line_ids:
        item = ElementTree.SubElement(acknowledgement, "Item")
        ElementTree.SubElement(item, "AmazonOrderItemCode").text = line_id
        ElementTree.SubElement(item, "CancelReason").text = code
    return bytes(ElementTree.tostring(envelope, encoding="utf-8", xml_declaration=True))
