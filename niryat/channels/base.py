"""The Channel interface: what Niryat asks of every marketplace, and what a marketplace answers.

One module per marketplace (`channels/amazon`, `flipkart`, `ebay`, `gem`, `files`) implements
`Channel`; nothing outside a channel's own module knows its field names, paths or error codes.
The rest of Niryat (listings, outbox, orders, stock) speaks only the types below:

- `validate(sku)` is local (no network): the SKU's problems for this marketplace, each with our
  field to fix and a sentence in the user's language; they feed the catalogue's checklist.
- `build(skus)` is the payload the marketplace would receive (JSON-ready dict, or file bytes).
- `submit`, `poll`, `push_stock`, `push_price`, `end`, `pull_orders` (in parts, resumable:
  `pull_order_parts`), `cancel_order`, `pack`, `ship`, `read_quantities` talk to the marketplace
  through `niryat.core.http`; they raise `ChannelError` on failure and are only ever called by
  the outbox (`niryat/channels/outbox.py`), which retries transient errors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django_stubs_ext import StrOrPromise

if TYPE_CHECKING:
    from niryat.catalog.completeness import Problem
    from niryat.catalog.models import Sku
    from niryat.channels.models import ChannelAccount, Listing, Order
    from niryat.channels.settlements import PulledSettlements


@dataclass(frozen=True)
class FieldError:
    """One error a marketplace gave for a listing, mapped to the field of ours that causes it."""

    field: (
        str  # our field: "title_en", "images", "hs_code", "price", "attributes.fabric"; "" if none
    )
    code: str  # the marketplace's own error code, verbatim
    message: str  # the marketplace's own text, verbatim
    explanation: str = ""  # what to do, in the user's language ("" when we have nothing to add)


class ChannelError(Exception):
    """A call to a marketplace failed. `permanent` is true when repeating the same call cannot help
    (bad credentials, a rejected payload); false for a passing fault (429, 5xx, timeout), which the
    outbox retries after `retry_after` seconds if the marketplace said so."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        field_errors: Sequence[FieldError] = (),
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.field_errors = list(field_errors)
        self.status = status


@dataclass(frozen=True)
class ListingStatus:
    """Where a listing stands on the marketplace, as `submit` and `poll` report it."""

    state: str  # a Listing.State value: "submitted", "live", "rejected", "paused" or "ended"
    external_id: str = ""  # ASIN, FSN, eBay listing id, GeM catalogue id...
    url: str = ""  # the buyer-facing page, when the marketplace gives one
    errors: Sequence[FieldError] = ()
    reference: str = ""  # a marketplace-side handle to poll with (feed id, offer id...)


@dataclass(frozen=True)
class OrderLineData:
    seller_sku: str
    quantity: int
    unit_price: Decimal  # per unit, in the order's currency, tax included
    line_id: str = ""  # the marketplace's order-item id


class OrderStatus:
    """Where an order stands on the marketplace, as `pull_orders` reports it: the values are
    `Order.State` values, so that a report can be applied as it is."""

    OPEN = ""  # not shipped yet (or nothing the marketplace says beyond the order itself)
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    RETURNED = "returned"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Shipment:
    """How an order left: the courier and its waybill (tracking number), and when."""

    carrier: str
    tracking_number: str
    shipped_at: datetime


@dataclass(frozen=True)
class OrderData:
    """An order as a marketplace reports it, in our words."""

    channel_order_id: str
    ordered_at: datetime  # time-zone aware
    lines: Sequence[OrderLineData]
    currency: str = "INR"
    ship_by: datetime | None = None
    cancelled: bool = False  # the buyer or marketplace already cancelled it
    # An OrderStatus value: shipped, delivered, returned, cancelled ("" while still open).
    status: str = OrderStatus.OPEN
    cancelled_by_buyer: bool = False  # the buyer cancelled (not the marketplace, not us)
    fulfilled_by_marketplace: bool = False  # shipped from a marketplace warehouse (FBA, F-Assured)
    buyer_city: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class PulledOrders:
    """Part of an order pull (a page, or one order with its items): the orders it brought, and
    where the pull goes on from after them (`resume`: a page token, next URL or offset, in the
    channel's own JSON words; None once nothing is left). The outbox records the orders, then keeps
    `resume` on the pull, so that after a fault the retry starts there, not from the beginning."""

    orders: Sequence[OrderData]
    resume: dict[str, Any] | None


def each_order_once(parts: Iterable[PulledOrders]) -> list[OrderData]:
    """Every order of a pull's parts once (a marketplace may list one twice across pages), in the
    order first seen, as its latest copy reports it."""
    found: dict[str, OrderData] = {}
    for part in parts:
        for data in part.orders:
            found[data.channel_order_id] = data
    return list(found.values())


@dataclass(frozen=True)
class CredentialField:
    """One thing staff type in when connecting an account."""

    name: str
    label: StrOrPromise
    secret: bool = True  # secrets are encrypted and never shown again
    help_text: StrOrPromise = ""
    default: str = ""


class Channel(ABC):
    """A marketplace, for one seller account (or none, for `validate` and `build` alone)."""

    code: ClassVar[str]
    name: ClassVar[StrOrPromise]
    credential_fields: ClassVar[Sequence[CredentialField]] = ()
    # What staff type besides the secrets (seller id, location...): kept in the account's
    # `settings` and shown again.
    setting_fields: ClassVar[Sequence[CredentialField]] = ()
    # False for channels with no seller API (GeM, files): staff record listings by hand.
    has_api: ClassVar[bool] = True
    # True where the marketplace hears of shipments through its API (`ship`, maybe `pack`).
    ships_through_api: ClassVar[bool] = False
    # True where packing is a call of its own (Flipkart makes the label and invoice then).
    packs_through_api: ClassVar[bool] = False
    # True where staff must give the courier and waybill for the marketplace to tell the buyer.
    needs_waybill: ClassVar[bool] = False
    # True where the marketplace books its own courier and gives the label and tracking id
    # (Flipkart's E-kart): staff are not asked for a waybill.
    label_from_marketplace: ClassVar[bool] = False
    # The marketplace's documented steady rate for one seller, calls per second.
    calls_per_second: ClassVar[float] = 5.0
    # How many listings `read_quantities` reads with one call: a quantity check reads that many
    # at a time and compares them before reading more.
    quantities_per_call: ClassVar[int] = 1
    # Days after delivery the marketplace pays in when the account's payout terms do not say
    # (Amazon.in and Flipkart pay about a week after delivery).
    payment_cycle_days: ClassVar[int] = 7

    def __init__(self, account: ChannelAccount | None = None) -> None:
        self.account = account

    # Local work: no network.
    @abstractmethod
    def validate(self, sku: Sku) -> list[Problem]:
        """What this marketplace still needs of the SKU (an empty list: ready to push)."""

    @abstractmethod
    def build(self, skus: Sequence[Sku]) -> Any:
        """The payload this marketplace receives for these SKUs."""

    def listing_problems(self, listing: Listing) -> list[Problem]:
        """What must happen on the marketplace's side before this listing can be sent (Flipkart:
        the product needs an FSN from Seller Hub first). Local, like `validate`."""
        return []

    # Calls to the marketplace (the outbox calls them; each raises ChannelError).
    def check_account(self) -> None:  # noqa: B027 - channels without an API have nothing to check
        """Prove the credentials work (fetch a token); raise ChannelError if not."""

    def submit(self, listing: Listing, *, key: str) -> ListingStatus:
        """Create or update the listing. `key` is the same on every retry of one submission."""
        raise ChannelError(f"{self.code}: no API to submit through", permanent=True)

    def poll(self, listing: Listing) -> ListingStatus:
        raise ChannelError(f"{self.code}: no API to poll", permanent=True)

    def push_stock(self, listing: Listing, quantity: int, *, key: str) -> None:
        raise ChannelError(f"{self.code}: no API for stock", permanent=True)

    def push_price(self, listing: Listing, *, key: str) -> None:
        """Send the SKU's current price (and MRP) to the listing."""
        raise ChannelError(f"{self.code}: no API for prices", permanent=True)

    def end(self, listing: Listing, *, key: str) -> None:
        """Take the listing off the marketplace."""
        raise ChannelError(f"{self.code}: no API to end listings", permanent=True)

    def pull_orders(self, since: datetime) -> Iterable[OrderData]:
        """Orders created or changed since `since` (the same order may come more than once).
        A channel that reads them in pages implements `pull_order_parts` instead."""
        return []

    def pull_order_parts(
        self, since: datetime, resume: dict[str, Any] | None = None
    ) -> Iterator[PulledOrders]:
        """The pull as the outbox makes it: in parts, each given as soon as it is read, and
        recorded before the next is asked for (a fault half-way through loses nothing already
        read). `resume` is the `resume` of the last part an earlier try of the same pull (same
        `since`) recorded: go on from there. By default each order of `pull_orders` is a part,
        and a retry starts again from the beginning."""
        for data in self.pull_orders(since):
            yield PulledOrders([data], resume=None)

    def pull_settlement_parts(
        self, since: datetime, resume: dict[str, Any] | None = None
    ) -> Iterator[PulledSettlements]:
        """The payouts (settlements) that opened since `since`, each complete with its lines, in
        parts as `pull_order_parts` gives orders: a retry after a fault goes on from `resume`.
        Marketplaces whose settlements come as files (Flipkart's report) have no pull."""
        raise ChannelError(f"{self.code}: no API for settlements", permanent=True)

    def cancel_order(self, order: Order, reason: str, *, key: str) -> None:
        """Cancel an order we cannot fill (out of stock), with our reason."""
        raise ChannelError(f"{self.code}: no API to cancel orders", permanent=True)

    def pack(self, order: Order, *, key: str) -> None:  # noqa: B027 - most have no pack step
        """Tell the marketplace the order is packed (Flipkart: it makes the label and invoice).
        Marketplaces without a pack step do nothing."""

    def ship(self, order: Order, shipment: Shipment, *, key: str) -> Shipment:
        """Tell the marketplace the order left with this courier and waybill. Returns the shipment
        as the marketplace holds it (Flipkart gives its own courier and tracking id). A retry
        with the same key after a lost answer must not ship twice."""
        raise ChannelError(f"{self.code}: no API to ship through", permanent=True)

    def seller_changed_state(self, order: Order, before: str, after: str) -> None:  # noqa: B027
        """Staff moved an order on (packed, shipped, delivered...), in their transaction. A
        channel whose buyers hear of it from us queues the message here (ONDC's unsolicited
        on_status); marketplaces that learn it through `pack` and `ship` do nothing."""

    def tell_buyer(self, message: dict[str, Any], *, key: str) -> None:
        """Send a message queued for the buyer's app (the outbox's `tell_buyer` call): raise
        ChannelError until it is acknowledged."""
        raise ChannelError(f"{self.code}: no buyer app to tell", permanent=True)

    def read_quantities(self, listings: Sequence[Listing]) -> dict[int, int]:
        """The quantity the marketplace offers now for each of these listings (live or paused),
        by listing pk. A listing the marketplace does not report, or whose quantity it counts
        itself (its own warehouses), is left out."""
        raise ChannelError(f"{self.code}: no API to read quantities", permanent=True)
