"""Flipkart through the Marketplace Seller API v3."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

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
from niryat.channels.flipkart import api, sheet
from niryat.channels.flipkart import listing as rules

if TYPE_CHECKING:
    from niryat.catalog.completeness import Problem
    from niryat.catalog.models import Sku
    from niryat.channels.models import Listing, Order

# Shipment states before dispatch, which are the orders to fill (Search Shipments API).
OPEN_STATES = ["APPROVED", "PACKING_IN_PROGRESS", "FORM_FAILED", "PACKED", "READY_TO_DISPATCH"]
# Cancellations others made (ours are recorded when we make them).
CANCELLATION_TYPES = ["buyerCancellation", "marketplaceCancellation"]
PAGE_SIZE = 20
# SKU ids in one listings GET (the API takes a short comma-separated list).
READ_BATCH = 10
# Flipkart's reasons for a seller's cancellation; anything else is sent as the first.
CANCEL_REASONS = ("not_enough_inventory", "cannot_procure_item", "b2b_order")
FLIPKART_FULFILLED = {"FBF", "Flipkart_Fulfilment"}
# Shipment states after dispatch: where the courier or the buyer took the order (Search
# Shipments, type postDispatch, by modifiedDate).
POST_DISPATCH_STATES = ["SHIPPED", "DELIVERED", "RETURN_REQUESTED", "RETURNED"]


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)


class FlipkartChannel(Channel):
    """Flipkart lists offers on products of its own catalogue, each named by an FSN. A product not
    yet in the catalogue goes in through Seller Hub's bulk catalogue sheet (`catalogue_sheet`);
    staff record the FSN it comes back with (`parse_fsn_report` reads Seller Hub's listing report)
    on the listing, and from then on the API creates, prices, stocks and ends the listing by our
    seller SKU, which is Flipkart's SKU id.

    Creating a listing for a SKU that already exists overwrites it (Listing API v3), so a retried
    submission never makes a second listing. A created listing is "submitted" until Flipkart shows
    it ACTIVE."""

    code = "flipkart"
    name: ClassVar[StrOrPromise] = "Flipkart"
    credential_fields: ClassVar[Sequence[CredentialField]] = (
        CredentialField("application_id", _("Application ID"), secret=False),
        CredentialField(
            "application_secret",
            _("Application secret"),
            help_text=_("From Seller Hub: Manage Profile → Developer Access (self access)."),
        ),
    )
    setting_fields: ClassVar[Sequence[CredentialField]] = (
        CredentialField(
            "location_id",
            _("Pickup location ID"),
            secret=False,
            help_text=_("In Seller Hub: Manage Profile, Pickup Address."),
        ),
    )
    # Flipkart publishes no steady rate for the seller APIs; a conservative pace for one seller.
    calls_per_second = 5.0
    quantities_per_call = READ_BATCH
    # Packing makes the label and books E-kart, whose tracking id Flipkart gives back.
    ships_through_api = True
    packs_through_api = True
    label_from_marketplace = True

    # -- local -----------------------------------------------------------------------------------
    @property
    def settings(self) -> dict[str, Any]:
        return dict(self.account.settings) if self.account is not None else {}

    def validate(self, sku: Sku) -> list[Problem]:
        return rules.problems(sku)

    def listing_problems(self, listing: Listing) -> list[Problem]:
        from niryat.catalog.completeness import Problem

        # An FSN names the product in Flipkart's catalogue: another account's listing may know it.
        if listing.external_id or (self.account is None and self._fsns([listing.sku])):
            return []
        return [
            Problem(
                "flipkart",
                "fsn",
                _(
                    "Flipkart does not know this product yet: download the catalogue sheet, "
                    "upload it in Seller Hub, then record the FSN Flipkart gives."
                ),
            )
        ]

    def _fsns(self, skus: Sequence[Sku]) -> dict[int, str]:
        """The FSN recorded for each SKU: on this account's listing, or (with no account) on any
        Flipkart listing, since an FSN names the product in Flipkart's catalogue, not the offer."""
        from niryat.channels.models import Listing

        listings = Listing.objects.filter(sku__in=[sku.pk for sku in skus]).exclude(external_id="")
        if self.account is not None:
            listings = listings.filter(account=self.account)
        else:
            listings = listings.filter(account__channel=self.code)
        return dict(listings.values_list("sku_id", "external_id"))

    def build(self, skus: Sequence[Sku]) -> dict[str, Any]:
        """The Listing API v3 create request for the SKUs whose FSN is known, keyed by SKU id.
        The others go through the catalogue sheet."""
        fsns = self._fsns(skus)
        return {
            sku.seller_sku: rules.listing_payload(
                sku, fsns[sku.pk], self.settings, quantity=sku.stock
            )
            for sku in skus
            if sku.pk in fsns
        }

    def catalogue_sheet(self, skus: Sequence[Sku]) -> bytes:
        """Seller Hub's bulk catalogue workbook for SKUs not yet in Flipkart's catalogue."""
        return sheet.catalogue_sheet(skus, self.settings)

    @staticmethod
    def parse_fsn_report(content: bytes) -> dict[str, str]:
        return sheet.parse_fsn_report(content)

    # -- calls -------------------------------------------------------------------------------------
    def _api(self) -> AbstractContextManager[api.FlipkartApi]:
        if self.account is None:
            raise ChannelError("flipkart: no seller account", permanent=True)
        return api.connect(self.account.pk, self.account.credentials())

    def _fsn(self, target: Listing) -> str:
        fsn = target.external_id.strip().upper()
        if not fsn:
            raise ChannelError(
                str(
                    _(
                        "Flipkart has no FSN for this SKU yet: upload the catalogue sheet in "
                        "Seller Hub, then record the FSN Flipkart gives on the listing."
                    )
                ),
                permanent=True,
            )
        if not rules.FSN_PATTERN.match(fsn):
            raise ChannelError(
                str(_("The recorded FSN is not 16 letters and digits: correct it.")),
                permanent=True,
            )
        return fsn

    def _location(self) -> str:
        location = str(self.settings.get("location_id", "")).strip()
        if not location:
            raise ChannelError(
                str(_("Set the Flipkart location id (pickup warehouse) in the account settings.")),
                permanent=True,
            )
        return location

    def check_account(self) -> None:
        with self._api() as client:
            client.token(fresh=True)

    def _send_listing(
        self, target: Listing, path: str, status: str, *, quantity: int
    ) -> dict[str, Any]:
        fsn = self._fsn(target)
        if not rules.fulfilled_by_flipkart(self.settings):
            self._location()
        body = rules.listing_payload(
            target.sku, fsn, self.settings, quantity=quantity, status=status
        )
        return self._change_or_rejection(path, target.sku.seller_sku, body)

    def _change_or_rejection(self, path: str, sku_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._api() as client:
            try:
                answer = client.call("POST", path, json={sku_id: body})
            except ChannelError as exc:
                # Flipkart answers a batch whose SKUs all failed with 400 and the same map.
                answer = getattr(exc.__cause__, "body", None)
                if not (exc.status == 400 and isinstance(answer, dict) and sku_id in answer):
                    raise
        result = answer.get(sku_id) if isinstance(answer, dict) else None
        if not isinstance(result, dict):
            raise ChannelError(f"flipkart: no answer for SKU {sku_id} from {path}: {answer!r:.300}")
        return result

    def submit(self, listing: Listing, *, key: str) -> ListingStatus:
        from niryat.channels.actions import quantity_for

        result = self._send_listing(
            listing, "/listings/v3", "ACTIVE", quantity=quantity_for(listing)
        )
        fsn = self._fsn(listing)
        if result.get("status") == "FAILURE":
            return ListingStatus("rejected", external_id=fsn, errors=api.field_errors(result))
        return ListingStatus("submitted", external_id=fsn, reference=listing.sku.seller_sku)

    def poll(self, listing: Listing) -> ListingStatus:
        fsn = self._fsn(listing)
        sku_id = listing.sku.seller_sku
        with self._api() as client:
            answer = client.call("GET", f"/listings/v3/{sku_id}")
        available = (answer.get("available") or {}).get(sku_id)
        if not isinstance(available, dict):
            code = "invalid" if sku_id in (answer.get("invalid") or []) else "unavailable"
            error = FieldError(
                field="",
                code=code,
                message=f"SKU {sku_id} is {code} on Flipkart",
                explanation=cast("str", _("Flipkart has no listing for this SKU: send it again.")),
            )
            return ListingStatus("rejected", external_id=fsn, errors=[error])
        fsn = str(available.get("product_id") or fsn)
        if available.get("listing_status") == "ACTIVE":
            return ListingStatus(
                "live", external_id=fsn, url=rules.PRODUCT_URL.format(fsn=fsn), reference=sku_id
            )
        return ListingStatus("submitted", external_id=fsn, reference=sku_id)

    def push_stock(self, listing: Listing, quantity: int, *, key: str) -> None:
        if rules.fulfilled_by_flipkart(self.settings):
            return  # Flipkart counts the stock in its own warehouses (consignments).
        body = {
            "product_id": self._fsn(listing),
            "locations": [{"id": self._location(), "inventory": max(0, quantity)}],
        }
        self._expect_success("/listings/v3/update/inventory", listing.sku.seller_sku, body)

    def read_quantities(self, listings: Sequence[Listing]) -> dict[int, int]:
        """Listings API v3 GET by SKU ids (comma-separated, a few at a time): the inventory at our
        pickup location. With Flipkart's own warehouses it counts the stock itself: nothing."""
        if rules.fulfilled_by_flipkart(self.settings):
            return {}
        location = self._location()
        quantities: dict[int, int] = {}
        with self._api() as client:
            for start in range(0, len(listings), READ_BATCH):
                batch = {
                    listing.sku.seller_sku: listing
                    for listing in listings[start : start + READ_BATCH]
                }
                answer = client.call("GET", f"/listings/v3/{','.join(batch)}")
                available = answer.get("available") or {}
                for sku_id, listing in batch.items():
                    found = available.get(sku_id)
                    if not isinstance(found, dict):
                        continue
                    held = [
                        place
                        for place in found.get("locations") or []
                        if place.get("id") == location
                    ]
                    quantities[listing.pk] = int(held[0].get("inventory") or 0) if held else 0
        return quantities

    def push_price(self, listing: Listing, *, key: str) -> None:
        body = {"product_id": self._fsn(listing), "price": rules.price_block(listing.sku)}
        self._expect_success("/listings/v3/update/price", listing.sku.seller_sku, body)

    def end(self, listing: Listing, *, key: str) -> None:
        # An ended listing offers nothing, whatever the stock.
        result = self._send_listing(listing, "/listings/v3/update", "INACTIVE", quantity=0)
        self._raise_on_failure(listing.sku.seller_sku, result)

    def _expect_success(self, path: str, sku_id: str, body: dict[str, Any]) -> None:
        self._raise_on_failure(sku_id, self._change_or_rejection(path, sku_id, body))

    @staticmethod
    def _raise_on_failure(sku_id: str, result: dict[str, Any]) -> None:
        if result.get("status") != "FAILURE":
            return
        errors = api.field_errors(result)
        text = "; ".join(f"{error.code} {error.message}" for error in errors)
        raise ChannelError(
            f"flipkart: SKU {sku_id} refused: {text}", permanent=True, field_errors=errors
        )

    # -- orders ----------------------------------------------------------------------------------
    def _searches(self, window: dict[str, str]) -> list[dict[str, Any]]:
        """The Search Shipments filters of one pull: open shipments ordered in the window, and
        shipments dispatched or cancelled (either way) in it."""
        filters: list[dict[str, Any]] = [
            {"type": "preDispatch", "states": OPEN_STATES, "orderDate": window},
            {"type": "postDispatch", "states": POST_DISPATCH_STATES, "modifiedDate": window},
        ]
        filters += [
            {
                "type": "cancelled",
                "states": ["CANCELLED"],
                "cancellationType": cancellation,
                "cancellationDate": window,
            }
            for cancellation in CANCELLATION_TYPES
        ]
        location = str(self.settings.get("location_id", "")).strip()
        if location:
            filters = [{**filter_, "locationId": location} for filter_ in filters]
        return filters

    def pull_orders(self, since: datetime) -> list[OrderData]:
        """Open shipments ordered since `since`, and shipments others cancelled since then, as one
        order per Flipkart order id (its items may come in several shipments, or twice)."""
        return each_order_once(self.pull_order_parts(since))

    def pull_order_parts(
        self, since: datetime, resume: dict[str, Any] | None = None
    ) -> Iterator[PulledOrders]:
        """Every search's pages (nextPageUrl, GET, while hasMore), each page a part. An order's
        items may come in several shipments, on other pages or in other searches (one item
        cancelled, one open): the orders are made once every shipment is in, so the shipments
        read so far travel in `resume` with the search and the page to go on from."""
        if resume is None:
            window = {"from": since.isoformat(), "to": timezone.now().isoformat()}
            resume = {"window": window, "search": 0, "next": None, "shipments": {}}
        window = resume["window"]
        shipments: dict[str, dict[str, Any]] = dict(resume["shipments"])
        searches = self._searches(window)
        with self._api() as client:
            for number in range(int(resume["search"]), len(searches)):
                next_url = resume["next"] if number == int(resume["search"]) else None
                while True:
                    if next_url:
                        page = client.call("GET", str(next_url))
                    else:
                        page = client.call(
                            "POST",
                            "/v3/shipments/filter",
                            json={
                                "filter": searches[number],
                                "pagination": {"pageSize": PAGE_SIZE},
                            },
                        )
                    for shipment in page.get("shipments") or []:
                        # A later copy is the newer state.
                        key = str(shipment.get("shipmentId") or "") or repr(
                            [i.get("orderItemId") for i in shipment.get("orderItems") or []]
                        )
                        shipments.pop(key, None)
                        shipments[key] = shipment
                    next_url = page.get("nextPageUrl") if page.get("hasMore") else None
                    if not next_url:
                        break
                    yield PulledOrders(
                        [],
                        resume={
                            "window": window,
                            "search": number,
                            "next": next_url,
                            "shipments": shipments,
                        },
                    )
                if number + 1 < len(searches):
                    yield PulledOrders(
                        [],
                        resume={
                            "window": window,
                            "search": number + 1,
                            "next": None,
                            "shipments": shipments,
                        },
                    )
        yield PulledOrders(orders_from_shipments(list(shipments.values())), resume=None)

    def _shipments_of(self, client: api.FlipkartApi, order: Order) -> list[dict[str, Any]]:
        answer = client.call("GET", "/v3/shipments", params={"orderIds": order.channel_order_id})
        return [
            shipment
            for shipment in answer.get("shipments") or []
            if any(
                item.get("orderId") == order.channel_order_id
                for item in shipment.get("orderItems") or []
            )
        ]

    # -- fulfilment ------------------------------------------------------------------------------
    @staticmethod
    def _open_items(shipment: dict[str, Any]) -> list[dict[str, Any]]:
        return [i for i in shipment.get("orderItems") or [] if i.get("status") != "CANCELLED"]

    def _with_state(self, shipments: list[dict[str, Any]], state: str) -> list[dict[str, Any]]:
        return [
            s
            for s in shipments
            if self._open_items(s) and all(i.get("status") == state for i in self._open_items(s))
        ]

    @staticmethod
    def _check_answer(
        answer: dict[str, Any], what: str, still_waiting: Callable[[], list[Any]] | None = None
    ) -> None:
        """Raise if Flipkart refused a shipment. A refusal because the shipment has moved on is
        no refusal when `still_waiting` (read again) shows none left in the state the call
        moves them from: an earlier try, whose answer was lost to a timeout, reached Flipkart
        after all and moved them."""
        failed = [s for s in answer.get("shipments") or [] if s.get("status") == "FAILURE"]
        moved_on = all(s.get("errorCode") == "INVALID_SHIPMENT_STATE" for s in failed)
        if failed and moved_on and still_waiting is not None and not still_waiting():
            return
        if failed:
            text = "; ".join(f"{s.get('errorCode')} {s.get('errorMessage')}" for s in failed)
            raise ChannelError(f"flipkart: {what} refused: {text}", permanent=True)

    def pack_request(self, order: Order, shipment: dict[str, Any]) -> dict[str, Any]:
        """One shipment of the Pack request (label generation): each item's tax rate, the
        invoice (Flipkart numbers it, as for sellers without their own series), and the package
        dimensions in cm and its weight in kg from the SKUs'."""
        lines = {line.line_id: line for line in order.lines.select_related("sku__product")}
        items = self._open_items(shipment)
        skus = [lines[i["orderItemId"]].sku for i in items if i.get("orderItemId") in lines]
        sizes = [s for s in skus if s is not None]
        missing = [
            s.seller_sku
            for s in sizes
            if not (s.length_cm and s.width_cm and s.height_cm and s.weight_g)
        ]
        if missing or not sizes:
            raise ChannelError(
                str(_("Give the package dimensions and packed weight of %(skus)s."))
                % {"skus": ", ".join(missing) or order.channel_order_id},
                permanent=True,
            )

        def rate(item: dict[str, Any]) -> float:
            line = lines.get(str(item.get("orderItemId")))
            product = line.sku.product if line and line.sku else None
            return float(product.gst_rate or 0) if product else 0.0

        weight = sum(
            (s.weight_g or 0) * int(i.get("quantity") or 1)
            for s, i in zip(sizes, items, strict=False)
        )
        dimensions = {
            "length": float(max(s.length_cm or 0 for s in sizes)),
            "breadth": float(max(s.width_cm or 0 for s in sizes)),
            "height": float(max(s.height_cm or 0 for s in sizes)),
            "weight": round(weight / 1000, 3),
        }
        subs = shipment.get("subShipments") or [{"subShipmentId": "SS-1"}]
        return {
            "shipmentId": shipment["shipmentId"],
            "locationId": shipment.get("locationId", ""),
            "taxItems": [
                {
                    "orderItemId": i["orderItemId"],
                    "taxRate": rate(i),
                    "quantity": int(i.get("quantity") or 1),
                }
                for i in items
            ],
            "invoices": [
                {
                    "invoiceDate": timezone.localdate().isoformat(),
                    "orderItems": [
                        {
                            "orderItemId": i["orderItemId"],
                            "invoiceAmount": float(
                                (i.get("priceComponents") or {}).get("sellingPrice") or 0
                            ),
                            "taxRate": rate(i),
                        }
                        for i in items
                    ],
                }
            ],
            "subShipments": [
                {"subShipmentId": sub.get("subShipmentId", "SS-1"), "dimensions": dimensions}
                for sub in subs
            ],
        }

    def _pack(self, client: api.FlipkartApi, order: Order, shipments: list[dict[str, Any]]) -> bool:
        waiting = self._with_state(shipments, "APPROVED")
        if not waiting:
            return False
        body = {"shipments": [self.pack_request(order, s) for s in waiting]}
        answer = client.call("POST", "/v3/shipments/labels", json=body)
        self._check_answer(
            answer,
            "packing",
            lambda: self._with_state(self._shipments_of(client, order), "APPROVED"),
        )
        return True

    def pack(self, order: Order, *, key: str) -> None:
        """Generate the label and invoice for the order's shipments still APPROVED (Flipkart
        marks them PACKED and books E-kart). Shipments are read first, so a retry after a lost
        answer finds them packed and sends nothing."""
        with self._api() as client:
            self._pack(client, order, self._shipments_of(client, order))

    def ship(self, order: Order, shipment: Shipment, *, key: str) -> Shipment:
        """Mark the order's shipments ready to dispatch (packing them first if that call has not
        gone yet), then read the courier and tracking id Flipkart's label carries: that is the
        waybill, not one staff type. A retry finds them dispatched and sends nothing twice."""
        with self._api() as client:
            shipments = self._shipments_of(client, order)
            if self._pack(client, order, shipments):
                shipments = self._shipments_of(client, order)
            packed = self._with_state(shipments, "PACKED")
            if packed:
                answer = client.call(
                    "POST",
                    "/v3/shipments/dispatch",
                    json={
                        "shipmentIds": [s["shipmentId"] for s in packed],
                        "locationId": packed[0].get("locationId") or self._location(),
                    },
                )
                self._check_answer(
                    answer,
                    "ready to dispatch",
                    lambda: self._with_state(self._shipments_of(client, order), "PACKED"),
                )
            ids = [s["shipmentId"] for s in shipments if self._open_items(s)]
            if not ids:
                raise ChannelError(
                    f"flipkart: order {order.channel_order_id} has nothing left to ship",
                    permanent=True,
                )
            details = client.call("GET", f"/v3/shipments/{','.join(ids)}")
        for detail in details.get("shipments") or []:
            courier = (detail.get("courierDetails") or {}).get("deliveryDetails") or {}
            if courier.get("trackingId"):
                return Shipment(
                    carrier=str(courier.get("vendorName") or "E-Kart Logistics"),
                    tracking_number=str(courier["trackingId"]),
                    shipped_at=shipment.shipped_at,
                )
        return shipment

    def cancel_order(self, order: Order, reason: str, *, key: str) -> None:
        """Cancel every item of the order still open. The shipments are read first, so a retry
        after Flipkart cancelled finds nothing left to cancel and sends nothing."""
        code = reason if reason in CANCEL_REASONS else CANCEL_REASONS[0]
        with self._api() as client:
            requests = []
            for shipment in self._shipments_of(client, order):
                groups = sorted(
                    {
                        str(item["cancellationGroupId"])
                        for item in shipment.get("orderItems") or []
                        if item.get("status") != "CANCELLED" and item.get("cancellationGroupId")
                    }
                )
                if groups:
                    requests.append(
                        {
                            "shipmentId": shipment["shipmentId"],
                            "locationId": shipment.get("locationId", ""),
                            "cancellationGroupIds": groups,
                            "reason": code,
                        }
                    )
            if not requests:
                return
            answer = client.call("POST", "/v3/shipments/cancel", json={"shipments": requests})
        failed = [
            shipment
            for shipment in answer.get("shipments") or []
            if shipment.get("processingStatus") == "FAILURE"
        ]
        if failed:
            text = "; ".join(f"{s.get('errorCode')} {s.get('errorMessage')}" for s in failed)
            raise ChannelError(f"flipkart: cancellation refused: {text}", permanent=True)


def _status_of(items: Sequence[dict[str, Any]]) -> str:
    """Where an order stands from its items' states (a partly cancelled order by the rest)."""
    states = {str(item.get("status")) for item in items}
    live = states - {"CANCELLED"}
    if not live:
        return OrderStatus.CANCELLED
    if live <= {"RETURNED"}:
        return OrderStatus.RETURNED
    # A return requested is still a delivered order until the parcel comes back.
    if live <= {"DELIVERED", "RETURN_REQUESTED", "RETURNED"}:
        return OrderStatus.DELIVERED
    if live <= set(POST_DISPATCH_STATES):
        return OrderStatus.SHIPPED
    return OrderStatus.OPEN


def orders_from_shipments(shipments: Sequence[dict[str, Any]]) -> list[OrderData]:
    """Shipments (Search Shipments API) as orders: items grouped by order id, each order item
    once. `priceComponents.sellingPrice` is the item's price for its whole quantity."""
    items_by_order: dict[str, dict[str, dict[str, Any]]] = {}
    shipments_by_order: dict[str, list[dict[str, Any]]] = {}
    for shipment in shipments:
        for item in shipment.get("orderItems") or []:
            order_id = str(item.get("orderId", ""))
            if not order_id:
                continue
            items_by_order.setdefault(order_id, {})[str(item.get("orderItemId"))] = {
                **item,
                "_dispatchByDate": shipment.get("dispatchByDate"),
            }
            seen = shipments_by_order.setdefault(order_id, [])
            if all(s.get("shipmentId") != shipment.get("shipmentId") for s in seen):
                seen.append(shipment)
    orders = []
    for order_id, items in items_by_order.items():
        lines = []
        for item_id, item in items.items():
            quantity = int(item.get("quantity") or 0)
            total = Decimal(str((item.get("priceComponents") or {}).get("sellingPrice") or 0))
            unit = (total / quantity).quantize(Decimal("0.01")) if quantity else total
            lines.append(
                OrderLineData(
                    seller_sku=str(item.get("sku", "")),
                    quantity=quantity,
                    unit_price=unit,
                    line_id=item_id,
                )
            )
        dates = [_when(item.get("orderDate")) for item in items.values()]
        ship_by = [_when(item["_dispatchByDate"]) for item in items.values()]
        ordered = [date for date in dates if date is not None]
        dispatch = [date for date in ship_by if date is not None]
        orders.append(
            OrderData(
                channel_order_id=order_id,
                ordered_at=min(ordered) if ordered else timezone.now(),
                lines=lines,
                ship_by=min(dispatch) if dispatch else None,
                cancelled=all(item.get("status") == "CANCELLED" for item in items.values()),
                status=_status_of(list(items.values())),
                cancelled_by_buyer=any(
                    item.get("cancellationReason") == "buyer_cancellation"
                    for item in items.values()
                ),
                fulfilled_by_marketplace=any(
                    item.get("serviceProfile") in FLIPKART_FULFILLED for item in items.values()
                ),
                raw={"shipments": shipments_by_order[order_id]},
            )
        )
    return orders
