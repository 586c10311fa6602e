"""A small marketplace for testing the machinery every channel shares (outbox, orders, stock):
its fake speaks HTTP like the real ones (token-free, one listing per SKU, orders by time), and
`MarketChannel` is a Channel over it. The real marketplaces' modules have their own tests."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.dateparse import parse_datetime

from fakes.base import FakeMarketplace, Request, Response, route
from niryat.catalog.completeness import Problem
from niryat.catalog.models import Sku
from niryat.channels.base import Channel, FieldError, ListingStatus, OrderData, OrderLineData
from niryat.channels.models import Listing, Order
from niryat.core.http import new_client, send


class FakeMarket(FakeMarketplace):
    def reset_state(self) -> None:
        self.listings: dict[str, dict[str, Any]] = {}
        self.orders: list[dict[str, Any]] = []
        self.cancelled: dict[str, str] = {}
        self.creations = 0
        self.broken_orders: set[str] = set()  # their details answer 503

    @route("PUT", "/items/(?P<sku>[^/]+)")
    def put_item(self, request: Request) -> Response:
        sku = request.params["sku"]
        with self.lock:
            if sku in self.faults.reject:
                return Response(200, {"status": "INVALID", "issues": self.faults.reject[sku]})
            if sku not in self.listings:
                self.creations += 1
            body = request.json()
            self.listings[sku] = {
                "status": "IN_REVIEW",
                "quantity": body["quantity"],
                "id": f"M{sku}",
            }
        return Response(200, {"status": "ACCEPTED"})

    @route("GET", "/items/(?P<sku>[^/]+)")
    def get_item(self, request: Request) -> Response:
        with self.lock:
            item = self.listings.get(request.params["sku"])
            if item is None:
                return self.error_response(404, "NotFound", "no such item")
            if not self.faults.never_live:
                item["status"] = "LIVE"
            return Response(200, item)

    @route("PUT", "/items/(?P<sku>[^/]+)/quantity")
    def put_quantity(self, request: Request) -> Response:
        with self.lock:
            self.listings[request.params["sku"]]["quantity"] = request.json()["quantity"]
        return Response(204)

    @route("PUT", "/items/(?P<sku>[^/]+)/price")
    def put_price(self, request: Request) -> Response:
        with self.lock:
            self.listings[request.params["sku"]]["price"] = request.json()["price"]
        return Response(204)

    @route("GET", "/orders")
    def list_orders(self, request: Request) -> Response:
        with self.lock:
            orders = list(self.orders)
        if self.faults.duplicate_orders:
            orders = [order for order in orders for _twice in (1, 2)]
        return Response(200, {"orders": orders})

    @route("GET", "/orders/(?P<order_id>[^/]+)")
    def order_details(self, request: Request) -> Response:
        order_id = request.params["order_id"]
        if order_id in self.broken_orders:
            return self.error_response(503, "ServiceUnavailable", "try again")
        with self.lock:
            [order] = [order for order in self.orders if order["id"] == order_id]
        return Response(200, order)

    @route("POST", "/orders/(?P<order_id>[^/]+)/cancel")
    def cancel(self, request: Request) -> Response:
        with self.lock:
            self.cancelled[request.params["order_id"]] = request.json()["reason"]
        return Response(200, {})

    def place_order(self, sku: str, quantity: int) -> dict[str, Any]:
        with self.lock:
            order = {
                "id": f"MKT-{len(self.orders) + 1:05d}",
                "at": "2026-11-22T10:00:00+05:30",
                "ship_by": "2026-11-24T18:00:00+05:30",
                "lines": [{"sku": sku, "quantity": quantity, "price": "950.00"}],
            }
            self.orders.append(order)
            return order


class MarketChannel(Channel):
    code = "market"
    name = "Market"
    calls_per_second = 1000.0

    def _client(self) -> Any:
        # Each account names its own fake market, so a test can watch several at once.
        assert self.account is not None
        return new_client(self.account.settings["url"])

    def validate(self, sku: Sku) -> list[Problem]:
        if len(sku.title_en) > 60:
            return [Problem("market", "title_en", "Market titles are at most 60 characters.")]
        return []

    def build(self, skus: Sequence[Sku]) -> Any:
        return [{"sku": sku.seller_sku, "quantity": sku.stock} for sku in skus]

    def submit(self, listing: Listing, *, key: str) -> ListingStatus:
        with self._client() as client:
            body = send(
                client,
                "PUT",
                f"/items/{listing.sku.seller_sku}",
                json={"quantity": listing.sku.stock},
                headers={"Idempotency-Key": key},
            ).json()
        if body["status"] == "INVALID":
            errors = [FieldError("title_en", i["code"], i["message"]) for i in body["issues"]]
            return ListingStatus("rejected", errors=errors)
        return ListingStatus("submitted")

    def poll(self, listing: Listing) -> ListingStatus:
        with self._client() as client:
            item = send(client, "GET", f"/items/{listing.sku.seller_sku}").json()
        state = "live" if item["status"] == "LIVE" else "submitted"
        return ListingStatus(state, external_id=item["id"])

    def push_stock(self, listing: Listing, quantity: int, *, key: str) -> None:
        with self._client() as client:
            send(
                client,
                "PUT",
                f"/items/{listing.sku.seller_sku}/quantity",
                json={"quantity": quantity},
            )

    def push_price(self, listing: Listing, *, key: str) -> None:
        with self._client() as client:
            price = str(listing.sku.price)
            send(client, "PUT", f"/items/{listing.sku.seller_sku}/price", json={"price": price})

    def pull_orders(self, since: datetime) -> Iterator[OrderData]:
        """The order list, then each order's details, one call each (as Amazon's items)."""
        with self._client() as client:
            orders = send(client, "GET", "/orders").json()["orders"]
            for listed in orders:
                order = send(client, "GET", f"/orders/{listed['id']}").json()
                yield OrderData(
                    channel_order_id=order["id"],
                    ordered_at=parse_datetime(order["at"]),  # type: ignore[arg-type]
                    ship_by=parse_datetime(order["ship_by"]),
                    lines=[
                        OrderLineData(line["sku"], line["quantity"], Decimal(line["price"]))
                        for line in order["lines"]
                    ],
                )

    def cancel_order(self, order: Order, reason: str, *, key: str) -> None:
        with self._client() as client:
            send(
                client, "POST", f"/orders/{order.channel_order_id}/cancel", json={"reason": reason}
            )
