"""Channels API: seller accounts (never their secrets), listings and their history, push, orders
and their state changes, a SKU's stock and its moves, the calls that need attention.

Scoped like the pages: centre staff read and change their district, district officers read it,
state users read all, producers read their own accounts, listings and orders (and change nothing).
Reads come from the QuerySet methods, writes go through the actions, as the pages do."""
# No `from __future__ import annotations` here: django-ninja reads these annotations at runtime.

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from niryat.catalog.actions import do_update_sku
from niryat.catalog.completeness import Problem
from niryat.catalog.models import ProducerOwnedQuerySet, Sku
from niryat.channels import actions
from niryat.channels.models import (
    ChannelAccount,
    ChannelCode,
    Listing,
    ListingEvent,
    ListingQuerySet,
    Order,
    OrderChange,
    OrderQuerySet,
    OutboxEntry,
    OutboxQuerySet,
    StockMove,
)
from niryat.channels.registry import channel_class
from niryat.core.scoping import current_user, get_changeable_or_deny, get_visible_or_404

router = Router(tags=["channels"])

# A database id: SQLite and PostgreSQL hold 64-bit integers; a larger one is a 422, not a crash.
EntryId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Count = Annotated[int, Field(ge=0, le=2_147_483_647)]
ListingState = Literal["draft", "ready", "submitted", "live", "rejected", "paused", "ended"]
OrderState = Literal[
    "new",
    "accepted",
    "packed",
    "shipped",
    "out_for_delivery",
    "delivered",
    "cancelled",
    "returned",
]
# What staff may move an order to (a new order comes only from the marketplace).
NextOrderState = Literal[
    "accepted", "packed", "shipped", "out_for_delivery", "delivered", "cancelled", "returned"
]
MAX_PUSH = 500


# --- schemas ---------------------------------------------------------------------------------


class AccountOut(Schema):
    uuid: UUID
    channel: str
    channel_name: str
    name: str
    district_lgd_code: int = Field(..., alias="district.lgd_code")
    producer_uuid: UUID | None = Field(
        ..., description="The producer whose own account it is; null: the centre's account."
    )
    status: str
    status_message: str
    has_api: bool = Field(..., description="False: listings are uploaded by hand (GeM, files).")
    settings: dict[str, Any] = Field(
        ..., description="What is not secret: seller id, marketplace id, location, policies."
    )
    credentials_set: list[str] = Field(
        ...,
        description="The names of the credentials stored (encrypted); their values are never "
        "shown.",
    )
    orders_pulled_until: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_channel_name(account: ChannelAccount) -> str:
        return account.get_channel_display()

    @staticmethod
    def resolve_producer_uuid(account: ChannelAccount) -> UUID | None:
        return account.producer.uuid if account.producer else None

    @staticmethod
    def resolve_has_api(account: ChannelAccount) -> bool:
        return channel_class(account.channel).has_api

    @staticmethod
    def resolve_credentials_set(account: ChannelAccount) -> list[str]:
        # Connecting requires every credential field of the marketplace, so stored credentials
        # are all of them: their names come from the channel, and nothing is decrypted.
        if not account.credentials_encrypted:
            return []
        return [spec.name for spec in channel_class(account.channel).credential_fields]


class AccountDetailOut(AccountOut):
    listing_counts: dict[str, int] = Field(..., description="Listings of the account per state.")

    @staticmethod
    def resolve_listing_counts(account: ChannelAccount) -> dict[str, int]:
        return account.listings.all().counts_by_state()


class ProblemOut(Schema):
    code: str = Field(..., description="The check: photos, english_text, consent, fsn…")
    field: str
    message: str

    @staticmethod
    def resolve_message(problem: Problem) -> str:
        return str(problem.message)

    @staticmethod
    def resolve_code(problem: Problem) -> str:
        return problem.check


class ListingOut(Schema):
    uuid: UUID
    sku_uuid: UUID = Field(..., alias="sku.uuid")
    seller_sku: str = Field(..., alias="sku.seller_sku")
    account_uuid: UUID = Field(..., alias="account.uuid")
    channel: str = Field(..., alias="account.channel")
    state: str
    external_id: str = Field(..., description="The marketplace's id (ASIN, FSN, eBay item id).")
    url: str
    errors: list[dict[str, Any]] = Field(..., description="The marketplace's last objections.")
    quantity_sent: int | None
    price_sent: Decimal | None
    submitted_at: datetime.datetime | None
    live_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ListingEventOut(Schema):
    at: datetime.datetime
    state_from: str
    state_to: str
    note: str
    errors: list[dict[str, Any]]
    by: str = Field(..., description="Who changed it; empty for the marketplace or the system.")
    offered: int | None = Field(..., description="A quantity check: what the marketplace offered.")
    held: int | None = Field(..., description="A quantity check: our stock then.")

    @staticmethod
    def resolve_by(event: ListingEvent) -> str:
        return event.actor.full_name or event.actor.username if event.actor else ""


class ListingDetailOut(ListingOut):
    events: list[ListingEventOut] = Field(..., description="The listing's history, newest first.")

    @staticmethod
    def resolve_events(listing: Listing) -> QuerySet[ListingEvent]:
        return listing.events.select_related("actor")


class ListingFilters(Schema):
    account: UUID | None = Field(None, description="A seller account's uuid")
    channel: ChannelCode | None = None
    state: ListingState | None = None


class PushIn(Schema):
    skus: list[UUID] = Field(..., min_length=1, max_length=MAX_PUSH, description="SKU uuids")


class NotReadyOut(Schema):
    sku_uuid: UUID
    seller_sku: str
    problems: list[ProblemOut]


class WaitingOut(Schema):
    listing: ListingOut
    steps: list[ProblemOut] = Field(..., description="What to do on the marketplace's side.")


class PushOut(Schema):
    queued: list[ListingOut] = Field(..., description="Sent (or, without an API, ready).")
    not_ready: list[NotReadyOut] = Field(..., description="Not sent, with the reasons.")
    waiting: list[WaitingOut] = Field(
        ..., description="Ready, waiting for a step on the marketplace (Flipkart's FSN)."
    )


class OrderLineOut(Schema):
    sku_uuid: UUID | None = Field(..., description="Null once the SKU is deleted.")
    seller_sku: str
    line_id: str
    quantity: int
    unit_price: Decimal

    @staticmethod
    def resolve_sku_uuid(line: Any) -> UUID | None:
        return line.sku.uuid if line.sku else None


class CallOut(Schema):
    id: int
    operation: str
    state: str
    attempts: int
    last_error: str
    last_status: int | None
    next_try_at: datetime.datetime
    updated_at: datetime.datetime


class OrderOut(Schema):
    uuid: UUID
    district_lgd_code: int = Field(..., alias="district.lgd_code")
    account_uuid: UUID = Field(..., alias="account.uuid")
    channel: str = Field(..., alias="account.channel")
    producer_uuid: UUID | None
    channel_order_id: str
    state: str
    ordered_at: datetime.datetime
    ship_by: datetime.datetime | None
    currency: str
    total: Decimal
    total_inr: Decimal
    fulfilled_by_marketplace: bool
    buyer_city: str
    cancel_reason: str
    carrier: str
    tracking_number: str
    shipped_at: datetime.datetime | None
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_producer_uuid(order: Order) -> UUID | None:
        return order.producer.uuid if order.producer else None


class OrderChangeOut(Schema):
    at: datetime.datetime
    state_from: str = Field(..., description="Empty for the order's arrival.")
    state_to: str = Field(
        ..., description="The same as state_from when only the courier or waybill changed."
    )
    source: Literal["staff", "marketplace", "niryat"] = Field(
        ...,
        description="Who or what made the change: staff, the marketplace (it reported the "
        "order, or its state or waybill), or Niryat (an order it could not fill, cancelled).",
    )
    by: str = Field(..., description="The staff member's name; empty for the others.")
    reason: str
    carrier: str = Field(..., description="The courier, once shipped.")
    tracking_number: str = Field(..., description="The waybill number, once shipped.")

    @staticmethod
    def resolve_by(change: OrderChange) -> str:
        return change.actor.full_name or change.actor.username if change.actor else ""


class OrderDetailOut(OrderOut):
    status_changes: list[OrderChangeOut] = Field(
        ..., description="The order's history, oldest first: each change of its state or waybill."
    )
    next_states: list[str] = Field(..., description="The states it may move to now.")
    needs_waybill: bool = Field(
        ..., description="Shipping it needs the courier and the waybill number."
    )
    calls: list[CallOut] = Field(..., description="What was sent to the marketplace about it.")

    @staticmethod
    def resolve_status_changes(order: Order) -> list[OrderChange]:
        return order.status_changes()

    @staticmethod
    def resolve_next_states(order: Order) -> list[str]:
        return list(actions.ORDER_NEXT_STATES.get(order.state, ()))

    @staticmethod
    def resolve_needs_waybill(order: Order) -> bool:
        return channel_class(order.account.channel).needs_waybill and not (
            order.fulfilled_by_marketplace
        )

    @staticmethod
    def resolve_calls(order: Order) -> QuerySet[OutboxEntry]:
        return order.outbox.order_by("-created_at", "-id")


class OrderFilters(Schema):
    state: OrderState | Literal["open"] | None = Field(
        None, description="A state, or open: still to pack and ship"
    )
    account: UUID | None = Field(None, description="A seller account's uuid")
    channel: ChannelCode | None = None
    producer: UUID | None = Field(None, description="A producer's uuid")


class OrderStateIn(Schema):
    state: NextOrderState
    reason: str = Field("", max_length=300, description="Why it is cancelled (required then).")
    carrier: str = Field("", max_length=80, description="The courier, when shipped.")
    tracking_number: str = Field("", max_length=80, description="The waybill number, when shipped.")


class WarehouseStockOut(Schema):
    channel: str = Field(..., alias="warehouse.channel")
    warehouse: str = Field(..., alias="warehouse.code")
    city: str = Field(..., alias="warehouse.city")
    quantity: int


class StockOut(Schema):
    sku_uuid: UUID = Field(..., alias="uuid")
    seller_sku: str
    stock: int = Field(..., description="The one number every marketplace converges to.")
    in_warehouses: list[WarehouseStockOut] = Field(
        ..., description="Units sent to marketplace warehouses, not yet sold."
    )

    @staticmethod
    def resolve_in_warehouses(sku: Sku) -> QuerySet[Any]:
        return sku.warehouse_stock.select_related("warehouse").order_by("warehouse__code")


class StockIn(Schema):
    stock: Count


class StockMoveOut(Schema):
    at: datetime.datetime
    change: int
    balance: int = Field(..., description="The stock after the move.")
    reason: str
    order_uuid: UUID | None
    by: str

    @staticmethod
    def resolve_order_uuid(move: StockMove) -> UUID | None:
        return move.order.uuid if move.order else None

    @staticmethod
    def resolve_by(move: StockMove) -> str:
        return move.actor.full_name or move.actor.username if move.actor else ""


class EntryOut(Schema):
    id: int
    account_uuid: UUID = Field(..., alias="account.uuid")
    channel: str = Field(..., alias="account.channel")
    operation: str
    state: str
    attempts: int
    last_error: str
    last_status: int | None
    listing_uuid: UUID | None
    order_uuid: UUID | None
    next_try_at: datetime.datetime
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_listing_uuid(entry: OutboxEntry) -> UUID | None:
        return entry.listing.uuid if entry.listing else None

    @staticmethod
    def resolve_order_uuid(entry: OutboxEntry) -> UUID | None:
        return entry.order.uuid if entry.order else None


# --- fetching through scoping ----------------------------------------------------------------


def _accounts() -> ProducerOwnedQuerySet[ChannelAccount]:
    return ChannelAccount.objects.select_related("district", "producer")


def _listings() -> ListingQuerySet:
    return Listing.objects.select_related("sku", "account")


def _orders() -> OrderQuerySet:
    return Order.objects.select_related("district", "account", "producer").with_lines()


def _entries() -> OutboxQuerySet:
    return OutboxEntry.objects.select_related("account", "listing", "order")


def _sku(request: HttpRequest, sku_uuid: UUID) -> Sku:
    return get_visible_or_404(Sku.objects.all(), current_user(request), uuid=sku_uuid)


# --- seller accounts -------------------------------------------------------------------------


@router.get(
    "/channel-accounts",
    response=list[AccountOut],
    summary="Seller accounts you may see (never their secrets)",
)
@paginate
def list_accounts(request: HttpRequest, channel: ChannelCode | None = None):  # type: ignore[no-untyped-def]
    accounts = _accounts().visible_to(current_user(request))
    return accounts.filter(channel=channel) if channel else accounts


@router.get(
    "/channel-accounts/{account_uuid}", response=AccountDetailOut, summary="One seller account"
)
def get_account(request: HttpRequest, account_uuid: UUID) -> ChannelAccount:
    return get_visible_or_404(_accounts(), current_user(request), uuid=account_uuid)


@router.post(
    "/channel-accounts/{account_uuid}/push",
    response=PushOut,
    summary="Send SKUs to a seller account: each is queued, not ready (with the reasons) or "
    "waiting for a step on the marketplace",
)
def push(request: HttpRequest, account_uuid: UUID, payload: PushIn) -> dict[str, Any]:
    user = current_user(request)
    account = get_changeable_or_deny(_accounts(), user, uuid=account_uuid)
    wanted = set(payload.skus)
    skus = list(Sku.objects.changeable_by(user).filter(uuid__in=wanted).select_related("product"))
    unknown = wanted - {sku.uuid for sku in skus}
    if unknown:
        raise ValidationError(
            {
                "skus": _("Not found, or not in your district: %(skus)s")
                % {"skus": ", ".join(sorted(str(value) for value in unknown))}
            }
        )
    if any(sku.product.district_id != account.district_id for sku in skus):
        raise ValidationError({"skus": _("A SKU is not in this account's district.")})
    result = actions.do_push(skus, account, acting_user=user)
    return {
        "queued": result.queued,
        "not_ready": [
            {"sku_uuid": sku.uuid, "seller_sku": sku.seller_sku, "problems": problems}
            for sku, problems in result.not_ready
        ],
        "waiting": [{"listing": listing, "steps": steps} for listing, steps in result.waiting],
    }


# --- listings --------------------------------------------------------------------------------


@router.get("/listings", response=list[ListingOut], summary="Listings you may see")
@paginate
def list_listings(request: HttpRequest, filters: Query[ListingFilters]):  # type: ignore[no-untyped-def]
    return (
        _listings()
        .visible_to(current_user(request))
        .filtered(account=filters.account, channel=filters.channel or "", state=filters.state or "")
    )


@router.get(
    "/listings/{listing_uuid}",
    response=ListingDetailOut,
    summary="One listing, with its history",
)
def get_listing(request: HttpRequest, listing_uuid: UUID) -> Listing:
    return get_visible_or_404(_listings(), current_user(request), uuid=listing_uuid)


# --- orders ----------------------------------------------------------------------------------


@router.get("/orders", response=list[OrderOut], summary="Orders you may see, newest first")
@paginate
def list_orders(request: HttpRequest, filters: Query[OrderFilters]):  # type: ignore[no-untyped-def]
    return (
        _orders()
        .visible_to(current_user(request))
        .filtered(
            state=filters.state or "",
            account=filters.account,
            channel=filters.channel or "",
            producer=filters.producer,
        )
    )


@router.get(
    "/orders/{order_uuid}",
    response=OrderDetailOut,
    summary="One order, with its lines and what was sent to the marketplace",
)
def get_order(request: HttpRequest, order_uuid: UUID) -> Order:
    return get_visible_or_404(_orders(), current_user(request), uuid=order_uuid)


@router.post(
    "/orders/{order_uuid}/state",
    response=OrderDetailOut,
    summary="Move an order on: accepted, packed, shipped (courier and waybill), delivered, "
    "cancelled (with the reason) or returned",
)
def set_order_state(request: HttpRequest, order_uuid: UUID, payload: OrderStateIn) -> Order:
    user = current_user(request)
    order = get_changeable_or_deny(_orders(), user, uuid=order_uuid)
    actions.do_set_order_state(
        order,
        payload.state,
        acting_user=user,
        reason=payload.reason,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )
    return get_visible_or_404(_orders(), user, uuid=order_uuid)


# --- stock -----------------------------------------------------------------------------------


@router.get("/skus/{sku_uuid}/stock", response=StockOut, summary="A SKU's stock")
def get_stock(request: HttpRequest, sku_uuid: UUID) -> Sku:
    return _sku(request, sku_uuid)


@router.post(
    "/skus/{sku_uuid}/stock",
    response=StockOut,
    summary="Set a SKU's stock (counted on the shelf); every marketplace where it is on sale "
    "is told",
)
def set_stock(request: HttpRequest, sku_uuid: UUID, payload: StockIn) -> Sku:
    user = current_user(request)
    sku = get_changeable_or_deny(
        Sku.objects.select_related("product__district"), user, uuid=sku_uuid
    )
    do_update_sku(sku, acting_user=user, stock=payload.stock)
    return _sku(request, sku_uuid)


@router.get(
    "/skus/{sku_uuid}/stock-moves",
    response=list[StockMoveOut],
    summary="Every change to a SKU's stock, newest first, with why",
)
@paginate
def list_stock_moves(request: HttpRequest, sku_uuid: UUID):  # type: ignore[no-untyped-def]
    return _sku(request, sku_uuid).stock_moves.select_related("order", "actor")


# --- needs attention -------------------------------------------------------------------------


@router.get(
    "/needs-attention",
    response=list[EntryOut],
    summary="Calls to the marketplaces that failed for good and wait for staff",
)
@paginate
def list_needs_attention(request: HttpRequest):  # type: ignore[no-untyped-def]
    return (
        _entries()
        .visible_to(current_user(request))
        .needs_attention()
        .order_by("-updated_at", "-id")
    )


@router.post(
    "/needs-attention/{entry_id}/retry",
    response=EntryOut,
    summary="Make a failed call again now (with the same idempotency key)",
)
def retry_entry(request: HttpRequest, entry_id: EntryId) -> OutboxEntry:
    user = current_user(request)
    entry = get_changeable_or_deny(_entries(), user, pk=entry_id)
    actions.do_retry_entry(entry, acting_user=user)
    return _entries().get(pk=entry.pk)
