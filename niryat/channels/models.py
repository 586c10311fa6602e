"""Marketplace channels: seller accounts, listings and their history, the outbox of calls to the
marketplaces, orders, stock moves, marketplace warehouses and consignments, exchange rates.

A `ChannelAccount` belongs to a district: a producer's own seller account, or one the centre
operates for many producers. A `Listing` is one SKU on one account. Every call to a marketplace is
an `OutboxEntry` with an idempotency key. Orders from every channel land in one order book; stock
is the SKU's one number (`Sku.stock`), and every change to it is a `StockMove`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from niryat.catalog.models import ProducerOwnedQuerySet, Sku
from niryat.core.models import AuditEntry, District, OdopProduct, Timestamped, User
from niryat.core.scoping import DistrictWorkQuerySet, ScopedQuerySet
from niryat.registry.models import Producer


class ChannelCode(models.TextChoices):
    AMAZON = "amazon", "Amazon"
    FLIPKART = "flipkart", "Flipkart"
    EBAY = "ebay", "eBay"
    GEM = "gem", "GeM"
    FILES = "files", _("Files for manual upload")
    ONDC = "ondc", "ONDC"


class ChannelAccount(Timestamped):
    """A seller account on one marketplace. Credentials are encrypted (niryat/channels/secrets.py)
    and never shown again; `settings` holds what is not secret (seller id, marketplace id, eBay
    location and policies)."""

    class Status(models.TextChoices):
        CONNECTED = "connected", _("connected")
        FAILED = "failed", _("could not connect")
        DISCONNECTED = "disconnected", _("disconnected")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("marketplace"), max_length=10, choices=ChannelCode.choices)
    name = models.CharField(_("account name"), max_length=120)
    # Null: the centre operates this account for many producers.
    producer = models.ForeignKey(
        Producer,
        verbose_name=_("producer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="channel_accounts",
    )
    credentials_encrypted = models.TextField(blank=True, editable=False)
    settings = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CONNECTED)
    status_message = models.CharField(max_length=500, blank=True)
    # When the outbox may next call this account's marketplace (its rate limit, Retry-After).
    next_call_at = models.DateTimeField(null=True, blank=True, editable=False)
    orders_pulled_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    # A producer sees their own accounts; the centre's accounts are the centre's business.
    objects = ProducerOwnedQuerySet["ChannelAccount"].as_manager()

    class Meta:
        ordering = ["channel", "name"]
        verbose_name = _("seller account")
        verbose_name_plural = _("seller accounts")

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.name}"

    def credentials(self) -> dict[str, str]:
        from niryat.channels.secrets import decrypt

        return decrypt(self.credentials_encrypted) if self.credentials_encrypted else {}


class ListingQuerySet(ProducerOwnedQuerySet["Listing"]):
    district_field = "account__district"
    producer_field = "sku__product__producer"

    def filtered(
        self, *, account: uuid.UUID | None = None, channel: str = "", state: str = ""
    ) -> ListingQuerySet:
        """The listing list's filters (the page and the API): an account, a marketplace, a state."""
        records = self
        if account is not None:
            records = records.filter(account__uuid=account)
        if channel:
            records = records.filter(account__channel=channel)
        if state:
            records = records.filter(state=state)
        return records

    def counts_by_state(self) -> dict[str, int]:
        return dict(
            self.order_by().values_list("state").annotate(n=models.Count("pk")).order_by("state")
        )

    def waiting_for_fsn(self) -> ListingQuerySet:
        """Flipkart listings not yet on the marketplace for want of the FSN that staff record
        after uploading the catalogue sheet in Seller Hub (niryat/channels/flipkart)."""
        return self.filter(
            account__channel=ChannelCode.FLIPKART, state=Listing.State.DRAFT, external_id=""
        )


class Listing(Timestamped):
    """One SKU on one seller account."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        READY = "ready", _("ready")
        SUBMITTED = "submitted", _("submitted")
        LIVE = "live", _("live")
        REJECTED = "rejected", _("rejected")
        PAUSED = "paused", _("paused")
        ENDED = "ended", _("ended")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="listings")
    account = models.ForeignKey(ChannelAccount, on_delete=models.PROTECT, related_name="listings")
    state = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    external_id = models.CharField(_("marketplace id"), max_length=80, blank=True)
    # A marketplace-side handle to poll with (Amazon feed id, eBay offer id...).
    reference = models.CharField(max_length=120, blank=True)
    url = models.URLField(max_length=500, blank=True)
    # [{field, code, message, explanation}] from the marketplace's last answer.
    errors = models.JSONField(default=list, blank=True)
    # What the marketplace was last told.
    quantity_sent = models.IntegerField(null=True, blank=True)
    price_sent = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    live_at = models.DateTimeField(null=True, blank=True)
    # How many times the listing was sent; part of each submission's idempotency key.
    submissions = models.PositiveIntegerField(default=0)
    polls = models.PositiveSmallIntegerField(default=0)
    # When the marketplace was last found offering another quantity than ours (and corrected).
    quantity_corrected_at = models.DateTimeField(null=True, blank=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        constraints = [
            models.UniqueConstraint(fields=["sku", "account"], name="one_listing_per_sku_account")
        ]
        indexes = [models.Index(fields=["account", "state"])]

    def __str__(self) -> str:
        return f"{self.sku.seller_sku} @ {self.account}"


class ListingEvent(models.Model):
    """A listing's history: each change of state, with who or what caused it."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    state_from = models.CharField(max_length=10, choices=Listing.State.choices, blank=True)
    state_to = models.CharField(max_length=10, choices=Listing.State.choices)
    note = models.CharField(max_length=500, blank=True)
    errors = models.JSONField(default=list, blank=True)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    # A quantity check found drift: what the marketplace offered and what we held. Kept as
    # numbers, so the page says it in the reader's language.
    offered = models.IntegerField(null=True, blank=True)
    held = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.state_from} → {self.state_to}"


class OutboxQuerySet(DistrictWorkQuerySet["OutboxEntry"]):
    """The centre's calls to the marketplaces: its work, which producers do not see."""

    district_field = "account__district"

    def needs_attention(self) -> OutboxQuerySet:
        return self.filter(state=OutboxEntry.State.FAILED)


class OutboxEntry(Timestamped):
    """One call to a marketplace, made by a background task and retried until it succeeds or
    fails for good. The idempotency key is unique: enqueueing the same call twice adds nothing,
    and the marketplace sees the same key on every retry."""

    class Operation(models.TextChoices):
        SUBMIT = "submit", _("send listing")
        POLL = "poll", _("check listing")
        STOCK = "stock", _("send stock")
        PRICE = "price", _("send price")
        END = "end", _("end listing")
        PULL_ORDERS = "pull_orders", _("fetch orders")
        CANCEL_ORDER = "cancel_order", _("cancel order")
        PACK = "pack", _("mark order packed")
        SHIP = "ship", _("send shipment")
        RECONCILE = "reconcile", _("check quantities")
        # A message to the buyer's app that it did not ask for (ONDC: on_status when staff ship,
        # on_issue_status when they resolve a complaint), retried until the app acknowledges it.
        TELL_BUYER = "tell_buyer", _("tell the buyer's app")

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("in progress")
        DONE = "done", _("done")
        FAILED = "failed", _("needs attention")
        SUPERSEDED = "superseded", _("replaced by a newer call")

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="outbox")
    listing = models.ForeignKey(
        Listing, on_delete=models.CASCADE, null=True, blank=True, related_name="outbox"
    )
    order = models.ForeignKey(
        "Order", on_delete=models.CASCADE, null=True, blank=True, related_name="outbox"
    )
    operation = models.CharField(max_length=12, choices=Operation.choices)
    idempotency_key = models.CharField(max_length=100, unique=True)
    payload = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # Calls that must finish (done, failed for good or superseded) before this one may start:
    # a stock push waits for earlier calls touching its SKU on the same account (a cancellation
    # the marketplace answers by adding the units back, a submission, an end), so that the
    # absolute quantity it sends is the last word. Finishing a call schedules its successors.
    after = models.ManyToManyField("self", symmetrical=False, related_name="successors", blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["next_try_at", "id"]
        verbose_name = _("marketplace call")
        verbose_name_plural = _("marketplace calls")
        indexes = [models.Index(fields=["state", "next_try_at"])]

    def __str__(self) -> str:
        return self.idempotency_key


class OrderQuerySet(ProducerOwnedQuerySet["Order"]):
    def to_pack(self) -> OrderQuerySet:
        """Orders still to pack and ship (new, accepted or packed)."""
        return self.filter(state__in=[Order.State.NEW, Order.State.ACCEPTED, Order.State.PACKED])

    def filtered(
        self,
        *,
        state: str = "",
        account: uuid.UUID | None = None,
        channel: str = "",
        producer: uuid.UUID | None = None,
    ) -> OrderQuerySet:
        """The order book's filters (the page and the API); state "open": still to pack."""
        records = self
        if state == "open":
            records = records.to_pack()
        elif state:
            records = records.filter(state=state)
        if account is not None:
            records = records.filter(account__uuid=account)
        if channel:
            records = records.filter(account__channel=channel)
        if producer is not None:
            records = records.filter(producer__uuid=producer)
        return records

    def with_lines(self) -> OrderQuerySet:
        return self.prefetch_related(
            models.Prefetch("lines", queryset=OrderLine.objects.select_related("sku"))
        )


class Order(Timestamped):
    """An order from any channel, in one order book. The channel's order id is unique per account,
    so an order reported twice is recorded once."""

    class State(models.TextChoices):
        NEW = "new", _("new")
        ACCEPTED = "accepted", _("accepted")
        PACKED = "packed", _("packed")
        SHIPPED = "shipped", _("shipped")
        # The courier reports the parcel is on its way to the buyer today (optional: delivered
        # may follow shipped directly).
        OUT_FOR_DELIVERY = "out_for_delivery", _("out for delivery")
        DELIVERED = "delivered", _("delivered")
        CANCELLED = "cancelled", _("cancelled")
        RETURNED = "returned", _("returned")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(ChannelAccount, on_delete=models.PROTECT, related_name="orders")
    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, null=True, related_name="orders"
    )
    channel_order_id = models.CharField(_("marketplace order id"), max_length=80)
    state = models.CharField(
        _("status"), max_length=20, choices=State.choices, default=State.NEW, db_index=True
    )
    ordered_at = models.DateTimeField(_("ordered at"))
    ship_by = models.DateTimeField(_("pack and ship by"), null=True, blank=True)
    currency = models.CharField(max_length=3, default="INR")
    total = models.DecimalField(_("value"), max_digits=14, decimal_places=2, default=Decimal(0))
    # The value in rupees, for the numbers (converted at the staff's rate for other currencies).
    total_inr = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    fulfilled_by_marketplace = models.BooleanField(default=False)
    buyer_city = models.CharField(max_length=120, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # How it left: the courier and its waybill, from staff or from the marketplace (Flipkart).
    carrier = models.CharField(_("courier"), max_length=80, blank=True)
    tracking_number = models.CharField(_("waybill (tracking number)"), max_length=80, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-ordered_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "channel_order_id"], name="one_order_per_channel_order_id"
            )
        ]
        indexes = [models.Index(fields=["district", "state", "-ordered_at"])]

    def __str__(self) -> str:
        return self.channel_order_id

    def status_changes(self) -> list[OrderChange]:
        """The order's history, oldest first: recorded from the marketplace (`created_at`), then
        every change of state and of the waybill, from the audit entries that
        actions._order_state_changed and actions.record_shipment write."""
        history = [OrderChange(at=self.created_at, state_from="", state_to=self.State.NEW)]
        entries = AuditEntry.objects.filter(
            object_type=self._meta.label_lower,
            object_id=str(self.pk),
            action__in=[ORDER_STATE_ACTION, ORDER_SHIPMENT_ACTION],
        ).select_related("actor")
        for entry in entries.order_by("created_at", "id"):
            changes = entry.changes
            before, after = changes.get("state") or [self.state, self.state]
            history.append(
                OrderChange(
                    at=entry.created_at,
                    state_from=before,
                    state_to=after,
                    source=changes.get("by") or ChangeSource.STAFF,
                    actor=entry.actor,
                    reason=changes.get("reason") or "",
                    carrier=changes.get("carrier") or "",
                    tracking_number=changes.get("tracking_number") or "",
                )
            )
        return history


class ChangeSource:
    """Who or what moved an order on: staff (on a page or through the API), the marketplace
    (it reported the order cancelled, shipped, delivered, returned, or gave its own waybill), or
    Niryat itself (an order it could not fill, cancelled back)."""

    STAFF = "staff"
    MARKETPLACE = "marketplace"
    NIRYAT = "niryat"


# The audit actions an order's history is read from.
ORDER_STATE_ACTION = "order.state"
ORDER_SHIPMENT_ACTION = "order.shipment"


@dataclass(frozen=True)
class OrderChange:
    """One step of an order's history; a change of the waybill alone keeps the state."""

    at: datetime
    state_from: str
    state_to: str
    source: str = ChangeSource.MARKETPLACE
    actor: User | None = None
    reason: str = ""
    carrier: str = ""
    tracking_number: str = ""


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # A deleted SKU leaves its order lines, which keep the seller SKU code.
    sku = models.ForeignKey(Sku, on_delete=models.SET_NULL, null=True, related_name="order_lines")
    seller_sku = models.CharField(max_length=40)
    line_id = models.CharField(max_length=80, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.seller_sku} × {self.quantity}"


class Warehouse(Timestamped):
    """A marketplace fulfilment centre (Flipkart's or Amazon's) where producers send stock."""

    channel = models.CharField(_("marketplace"), max_length=10, choices=ChannelCode.choices)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    city = models.CharField(_("city"), max_length=80)

    class Meta:
        ordering = ["channel", "city", "code"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "code"], name="one_warehouse_per_code")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.code} ({self.city})"


class WarehouseStock(models.Model):
    """Units of a SKU in a marketplace warehouse (sent by consignment, not yet sold)."""

    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="warehouse_stock")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock")
    quantity = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="one_stock_row_per_warehouse")
        ]

    def __str__(self) -> str:
        return f"{self.sku_id} @ {self.warehouse_id}: {self.quantity}"


class ConsignmentQuerySet(ScopedQuerySet["Consignment"]):
    pass


class Consignment(Timestamped):
    """Stock the centre sends from producers to a marketplace warehouse."""

    class State(models.TextChoices):
        SENT = "sent", _("sent")
        RECEIVED = "received", _("received")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("shipment reference"), max_length=80, blank=True)
    sent_on = models.DateField(_("sent on"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.SENT)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ConsignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_on", "-id"]

    def __str__(self) -> str:
        return f"{self.warehouse_id} {self.sent_on}"


class ConsignmentLine(models.Model):
    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey(Sku, on_delete=models.SET_NULL, null=True, related_name="+")
    quantity = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.sku_id} × {self.quantity}"


class StockMove(models.Model):
    """Every change to a SKU's stock, with why: the stock's history."""

    class Reason(models.TextChoices):
        ORDER = "order", _("order")
        CANCELLED = "cancelled", _("order cancelled")
        RETURNED = "returned", _("returned")
        CONSIGNMENT = "consignment", _("sent to a warehouse")
        EDIT = "edit", _("changed by staff")

    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="stock_moves")
    at = models.DateTimeField(auto_now_add=True)
    change = models.IntegerField()
    balance = models.IntegerField()  # the SKU's stock after the move
    reason = models.CharField(max_length=12, choices=Reason.choices)
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, related_name="+")
    consignment = models.ForeignKey(
        Consignment, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.change:+d} ({self.reason})"


class ExchangeRate(Timestamped):
    """Rupees per unit of a foreign currency, kept by staff, for cross-border prices (eBay)."""

    currency = models.CharField(_("currency"), max_length=3, unique=True)
    inr_per_unit = models.DecimalField(_("rupees per unit"), max_digits=10, decimal_places=4)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["currency"]

    def __str__(self) -> str:
        return f"{self.currency} {self.inr_per_unit}"


class SkuSelection(Timestamped):
    """A saved set of SKUs, such as "40 khadi products for Flipkart"."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    skus = models.ManyToManyField(Sku, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects: Any = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchemaCache(Timestamped):
    """A marketplace's published schema (Amazon's product type definitions), kept so that
    `validate` needs no network."""

    channel = models.CharField(max_length=10, choices=ChannelCode.choices)
    key = models.CharField(max_length=120)  # "IN:SHIRT"
    schema = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="one_schema_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.key}"


class OndcNode(Timestamped):
    """A centre's seller node on ONDC (np_type MSN): its subscriber id, its signing and encryption
    keys (private halves encrypted like marketplace credentials) and its standing with ONDC's
    registry. `unique_key_id` changes with every key rotation, so peers look the new key up."""

    class Status(models.TextChoices):
        NEW = "new", _("not yet subscribed")
        SUBSCRIBED = "subscribed", _("subscribed")
        FAILED = "failed", _("subscription failed")

    district = models.OneToOneField(District, on_delete=models.PROTECT, related_name="+")
    subscriber_id = models.CharField(_("subscriber id"), max_length=200, unique=True)
    unique_key_id = models.CharField(max_length=60)
    signing_public_key = models.CharField(max_length=100)
    encryption_public_key = models.CharField(max_length=200)
    private_keys_encrypted = models.TextField(editable=False)
    keys_valid_from = models.DateTimeField()
    keys_valid_until = models.DateTimeField()
    # Signed and shown on the site-verification page while the registry checks the domain.
    request_id = models.UUIDField(default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    status_message = models.CharField(max_length=500, blank=True)
    # The terms a buyer's app is quoted and confirmed under (select, init).
    delivery_charge = models.DecimalField(
        _("delivery charge per order (₹)"), max_digits=8, decimal_places=2, default=Decimal(0)
    )
    packing_charge = models.DecimalField(
        _("packing charge per order (₹)"), max_digits=8, decimal_places=2, default=Decimal(0)
    )
    # PIN codes the centre delivers to: prefixes or ranges ("27, 28, 110001-110096"); empty: all
    # of India.
    serviceable_pins = models.CharField(_("PIN codes delivered to"), max_length=500, blank=True)
    days_to_deliver = models.PositiveSmallIntegerField(_("days to deliver"), default=5)
    support_phone = models.CharField(_("support phone"), max_length=16, blank=True)
    support_email = models.EmailField(_("support email"), blank=True)
    gstin = models.CharField(_("centre's GSTIN"), max_length=15, blank=True)
    # Where buyer apps settle the centre's sales (the centre then pays its producers).
    settlement_beneficiary = models.CharField(_("account holder"), max_length=120, blank=True)
    settlement_account = models.CharField(_("bank account number"), max_length=30, blank=True)
    settlement_ifsc = models.CharField(_("IFSC"), max_length=11, blank=True)
    settlement_bank = models.CharField(_("bank"), max_length=120, blank=True)
    settlement_branch = models.CharField(_("branch"), max_length=120, blank=True)

    class Meta:
        ordering = ["subscriber_id"]
        verbose_name = _("ONDC node")

    def __str__(self) -> str:
        return self.subscriber_id

    def private_keys(self) -> dict[str, str]:
        """{"signing": ..., "encryption": ...}, decrypted."""
        from niryat.channels.secrets import decrypt

        return decrypt(self.private_keys_encrypted)


class OndcMessageQuerySet(models.QuerySet["OndcMessage"]):
    def of_transaction(self, *transaction_ids: str) -> OndcMessageQuerySet:
        """A flow's requests and callbacks, oldest first (for the log export)."""
        return self.filter(transaction_id__in=transaction_ids).order_by("created_at", "pk")

    def older_than(self, moment: datetime) -> OndcMessageQuerySet:
        return self.filter(created_at__lt=moment)


class OndcMessage(Timestamped):
    """One protocol message a node received from a buyer app or sent to one, with its body as it
    went over the wire: the log ONDC's reviewers ask for, and what a replayed request is checked
    against. A buyer app's message_id is taken once per node, action and buyer app: the unique
    constraint holds it for ACKed requests only, so a forged or malformed request cannot block the
    real one."""

    class Direction(models.TextChoices):
        RECEIVED = "received", _("received")
        SENT = "sent", _("sent")

    class Outcome(models.TextChoices):
        ACK = "ack", _("acknowledged")
        NACK = "nack", _("refused")
        PENDING = "pending", _("being sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("not delivered")

    node = models.ForeignKey(OndcNode, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    action = models.CharField(max_length=30)
    bap_id = models.CharField(max_length=200, blank=True)
    transaction_id = models.CharField(max_length=200, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    # The bytes as received or sent (UTF-8): a signature is checked against exactly these.
    body = models.TextField()
    signature_ok = models.BooleanField(default=False)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    error = models.CharField(max_length=500, blank=True)  # why refused or not delivered
    attempts = models.PositiveSmallIntegerField(default=0)  # deliveries tried (sent only)
    # The request a callback answers (none for an unsolicited one).
    answers = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="callbacks"
    )

    objects = OndcMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ONDC message")
        constraints = [
            models.UniqueConstraint(
                fields=["node", "bap_id", "action", "message_id"],
                condition=models.Q(direction="received", outcome="ack"),
                name="ondc_message_once",
            )
        ]
        indexes = [
            models.Index(fields=["transaction_id", "created_at"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.action} {self.message_id}"


class OndcOrder(Timestamped):
    """What ONDC says about an order of the order book: the buyer's app that placed it, the
    transaction, and the order as confirmed (billing, fulfilment, quote, payment), kept to answer
    status, track, cancel and update from, and to send the buyer's app what staff do."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="ondc")
    node = models.ForeignKey(OndcNode, on_delete=models.PROTECT, related_name="orders")
    bap_id = models.CharField(_("buyer app"), max_length=200)
    bap_uri = models.URLField(max_length=500)
    transaction_id = models.CharField(max_length=100, db_index=True)
    domain = models.CharField(max_length=20)
    city = models.CharField(max_length=20)
    # The context of the confirm, the base of every later callback's context.
    context = models.JSONField(default=dict)
    confirmed = models.JSONField(default=dict)  # the order as on_confirm gave it
    cancellation_reason_id = models.CharField(max_length=5, blank=True)
    # Returns and part-cancellations the buyer asked for: [{kind, item_id, quantity, reason_code,
    # state, at}], newest last.
    updates = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.bap_id}: {self.order_id}"


class OndcFeedback(Timestamped):
    """A rating or a support request from a buyer's app, shown to staff on the order."""

    class Kind(models.TextChoices):
        RATING = "rating", _("rating")
        SUPPORT = "support", _("support request")

    node = models.ForeignKey(OndcNode, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, null=True, blank=True, related_name="ondc_feedback"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    bap_id = models.CharField(_("buyer app"), max_length=200)
    reference = models.CharField(max_length=100)  # order, item or fulfilment id rated; ref_id
    category = models.CharField(_("about"), max_length=20, blank=True)  # Order, Item, Provider...
    value = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"


class GrievanceQuerySet(DistrictWorkQuerySet["Grievance"]):
    def open(self) -> GrievanceQuerySet:
        return self.exclude(status__in=[Grievance.Status.RESOLVED, Grievance.Status.CLOSED])


class Grievance(Timestamped):
    """A buyer's complaint through ONDC's Issue and Grievance Management (IGM 1.0.0): recorded when
    the buyer's app raises it, shown to the centre's staff with the times ONDC expects a response
    and a resolution by, told to the producer, answered by staff."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        PROCESSING = "processing", _("being handled")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed by the buyer")

    class Action(models.TextChoices):
        REFUND = "REFUND", _("refund")
        REPLACEMENT = "REPLACEMENT", _("replacement")
        CANCEL = "CANCEL", _("cancel the order")
        NO_ACTION = "NO-ACTION", _("no action")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey(OndcNode, on_delete=models.PROTECT, related_name="grievances")
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="grievances"
    )
    producer = models.ForeignKey(
        Producer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issue_id = models.CharField(max_length=100)
    bap_id = models.CharField(_("buyer app"), max_length=200)
    context = models.JSONField(default=dict)  # the issue's context, the base of our callbacks
    category = models.CharField(_("category"), max_length=20)  # ITEM, FULFILLMENT...
    sub_category = models.CharField(max_length=10)  # ITM02, FLM01...
    short_desc = models.CharField(_("complaint"), max_length=500)
    long_desc = models.TextField(blank=True)
    complainant_name = models.CharField(_("buyer"), max_length=120, blank=True)
    complainant_phone = models.CharField(max_length=16, blank=True)
    complainant_email = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    raised_at = models.DateTimeField(_("raised at"))
    respond_by = models.DateTimeField(_("respond by"))
    resolve_by = models.DateTimeField(_("resolve by"))
    responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=500, blank=True)
    action_triggered = models.CharField(
        _("action"), max_length=12, choices=Action.choices, blank=True
    )
    refund_amount = models.DecimalField(
        _("refund (₹)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Our respondent actions so far, in IGM's shape ({respondent_action, short_desc, updated_at,
    # updated_by, cascaded_level}): every on_issue_status repeats them all.
    respondent_actions = models.JSONField(default=list, blank=True)
    complainant_actions = models.JSONField(default=list, blank=True)
    raw = models.JSONField(default=dict, blank=True)

    objects = GrievanceQuerySet.as_manager()

    class Meta:
        ordering = ["resolve_by", "id"]
        verbose_name = _("grievance")
        verbose_name_plural = _("grievances")
        constraints = [
            models.UniqueConstraint(fields=["node", "issue_id"], name="one_grievance_per_issue")
        ]

    def __str__(self) -> str:
        return self.issue_id

    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.PROCESSING)

    def response_overdue(self, now: datetime) -> bool:
        return self.responded_at is None and now > self.respond_by

    def resolution_overdue(self, now: datetime) -> bool:
        return self.is_open() and now > self.resolve_by


class OndcDomain(models.TextChoices):
    """The ONDC retail domains the district's goods are offered in."""

    FASHION = "ONDC:RET12", _("Fashion (RET12)")
    HOME = "ONDC:RET16", _("Home and kitchen (RET16)")


class OndcDomainMappingQuerySet(DistrictWorkQuerySet["OndcDomainMapping"]):
    district_field = "odop_product__district"


class OndcDomainMapping(Timestamped):
    """Which ONDC domain, and which of ONDC's categories in it, an ODOP product's goods are offered
    under (garments and sarees in Fashion, terracotta and brassware in Home and kitchen). Seeded
    from the ODOP products' names (migration 0007); staff change it on the ONDC domains page. No
    domain: the product is not offered on ONDC (food, for instance, is another domain)."""

    odop_product = models.OneToOneField(
        OdopProduct, on_delete=models.CASCADE, related_name="ondc_mapping"
    )
    domain = models.CharField(
        _("ONDC domain"), max_length=12, choices=OndcDomain.choices, blank=True
    )
    category = models.CharField(_("ONDC category"), max_length=60, blank=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = OndcDomainMappingQuerySet.as_manager()

    class Meta:
        ordering = ["odop_product__district__name_en", "odop_product__name_en"]
        verbose_name = _("ONDC domain of an ODOP product")

    def __str__(self) -> str:
        return f"{self.odop_product}: {self.domain or '-'} {self.category}"


class OndcLocation(Timestamped):
    """Where a producer's goods leave from, as ONDC shows the store: its GPS position (six
    decimals) and street; the PIN, city and state come from the producer and their district."""

    producer = models.OneToOneField(
        Producer, on_delete=models.CASCADE, related_name="ondc_location"
    )
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    street = models.CharField(_("street"), max_length=200)
    locality = models.CharField(_("locality"), max_length=200)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["producer_id"]
        verbose_name = _("ONDC pickup location")

    def __str__(self) -> str:
        return f"{self.producer}: {self.latitude},{self.longitude}"


class OndcSubscription(Timestamped):
    """A buyer app's standing request for the node's catalogue changes (an incremental search with
    mode "start"), until it sends mode "stop". The pushes answer its transaction, each with a new
    message id (shared/ONDC_FACTS.md §2.5)."""

    node = models.ForeignKey(OndcNode, on_delete=models.CASCADE, related_name="subscriptions")
    bap_id = models.CharField(max_length=200)
    bap_uri = models.CharField(max_length=500)
    domain = models.CharField(max_length=12, choices=OndcDomain.choices)
    # The search's context: the pushes answer its transaction.
    context = models.JSONField(default=dict)
    active = models.BooleanField(default=True)
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["node_id", "bap_id", "domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["node", "bap_id", "domain"], name="ondc_subscription_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bap_id} {self.domain} {'on' if self.active else 'off'}"


class OndcChange(models.Model):
    """A catalogue change the buyer apps subscribed to the district have not been told of yet: an
    item (SKU) whose price or stock changed or that was deleted, or a provider (producer) who
    withdrew consent. Ids are kept as text: a deleted SKU's row is gone when the push is made."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    provider_id = models.CharField(max_length=40)
    item_id = models.CharField(max_length=40, blank=True)  # "": the provider as a whole
    domain = models.CharField(max_length=12, blank=True)  # "": every domain
    disable = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    batched_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.provider_id}/{self.item_id or '*'}{' disable' if self.disable else ''}"


class OndcPush(models.Model):
    """One incremental catalogue push to one subscribed buyer app, sent until it is ACKed."""

    subscription = models.ForeignKey(
        OndcSubscription, on_delete=models.CASCADE, related_name="pushes"
    )
    message = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(db_index=True)
    acked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"push {self.pk} to {self.subscription.bap_id}"
