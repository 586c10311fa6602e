"""Payouts: what the marketplaces paid each seller account, line by line, and the dated tax
rates and rate cards the lines are checked against.

A `Settlement` is one payout of one account (Amazon's financial event group, a Flipkart NEFT
transfer, the payout an ONDC buyer app names in its reconciliation message); its
`SettlementLine`s are the charges on order items (the sale, each fee, GST on the fees, TCS, TDS,
refunds, reserves), each matched to the order line of our book it is about, or kept unmatched
with the marketplace's ids. Reconciliation (niryat/payouts/reconcile.py) reads
them; nothing here is computed twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from niryat.channels.models import ChannelAccount, ChannelCode, Order, OrderLine
from niryat.channels.settlements import Charge
from niryat.core.models import Timestamped, User
from niryat.core.scoping import DistrictWorkQuerySet, ScopedQuerySet
from niryat.core.sheets.models import SheetImportJob
from niryat.registry.models import Producer


class TaxKind(models.TextChoices):
    TCS = "tcs", _("TCS (GST, section 52)")
    TDS = "tds", _("TDS (income tax, section 194-O)")


class TaxRateQuerySet(models.QuerySet["TaxRate"]):
    def table(self) -> dict[str, list[TaxRate]]:
        """Every rate by kind, newest first: `rate_on` reads it without a query per line."""
        found: dict[str, list[TaxRate]] = {}
        for rate in self.order_by("kind", "-valid_from"):
            found.setdefault(rate.kind, []).append(rate)
        return found


class TaxRate(models.Model):
    """A rate of tax the marketplace withholds, in force from a date (until the next rate of its
    kind), with the notification or section that set it. Seeded by migration 0002; the state
    adds a row when the law changes, and old orders keep the rate of their date."""

    kind = models.CharField(_("tax"), max_length=3, choices=TaxKind.choices)
    percent = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=3)
    valid_from = models.DateField(_("in force from"))
    notification = models.CharField(_("notification"), max_length=200)

    objects = TaxRateQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-valid_from"]
        verbose_name = _("tax rate")
        constraints = [
            models.UniqueConstraint(fields=["kind", "valid_from"], name="one_tax_rate_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.percent}% from {self.valid_from}"


def rate_on(table: dict[str, list[TaxRate]], kind: str, day: dt.date) -> TaxRate | None:
    """The rate of `kind` in force on `day` (None before the first)."""
    return next((rate for rate in table.get(kind, []) if rate.valid_from <= day), None)


class PayoutTermsQuerySet(ScopedQuerySet["PayoutTerms"]):
    district_field = "account__district"


class PayoutTerms(Timestamped):
    """What the marketplace agreed with the account: when it pays (days after delivery) and its
    rate card (commission as a share of the sale value with GST, and fixed fees per item). A
    fee left empty is not checked."""

    account = models.OneToOneField(
        ChannelAccount, on_delete=models.CASCADE, related_name="payout_terms"
    )
    payment_cycle_days = models.PositiveSmallIntegerField(
        _("payment cycle (days after delivery)"), default=7
    )
    commission_percent = models.DecimalField(
        _("commission (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    fixed_fee = models.DecimalField(
        _("closing or fixed fee (₹)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    shipping_fee = models.DecimalField(
        _("shipping fee (₹)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    collection_fee = models.DecimalField(
        _("collection fee (₹)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = PayoutTermsQuerySet.as_manager()

    class Meta:
        ordering = ["account_id"]
        verbose_name = _("payout terms")

    def __str__(self) -> str:
        return f"{self.account}: {self.payment_cycle_days} days"

    def card(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Per fee kind: (share of the sale value in %, fixed amount) allowed at most."""
        found: dict[str, tuple[Decimal, Decimal]] = {}
        if self.commission_percent is not None:
            found[Charge.COMMISSION] = (self.commission_percent, Decimal(0))
        for kind, amount in (
            (Charge.FIXED_FEE, self.fixed_fee),
            (Charge.SHIPPING_FEE, self.shipping_fee),
            (Charge.COLLECTION_FEE, self.collection_fee),
        ):
            if amount is not None:
                found[kind] = (Decimal(0), amount)
        return found


class ChargeKind(models.TextChoices):
    SALE = Charge.SALE, _("sale")
    SALE_TAX = Charge.SALE_TAX, _("GST on the sale")
    SHIPPING = Charge.SHIPPING, _("shipping paid by the buyer")
    COMMISSION = Charge.COMMISSION, _("commission")
    FIXED_FEE = Charge.FIXED_FEE, _("fixed fee")
    SHIPPING_FEE = Charge.SHIPPING_FEE, _("shipping fee")
    COLLECTION_FEE = Charge.COLLECTION_FEE, _("collection fee")
    FEE_GST = Charge.FEE_GST, _("GST on fees")
    TCS = Charge.TCS, _("TCS")
    TDS = Charge.TDS, _("TDS")
    REFUND = Charge.REFUND, _("refund")
    REFUND_TAX = Charge.REFUND_TAX, _("GST refunded")
    FEE_REVERSAL = Charge.FEE_REVERSAL, _("fee given back")
    RESERVE = Charge.RESERVE, _("reserve")
    OTHER = Charge.OTHER, _("other")


class LineFlag(models.TextChoices):
    UNMATCHED = "unmatched", _("not in our order book")
    CURRENCY = "currency", _("in another currency")
    UNKNOWN = "unknown", _("a charge we do not know")


# Marketplaces whose payouts are read from their API (Amazon's Finances API, eBay's).
PULLED = (ChannelCode.AMAZON, ChannelCode.EBAY)
# Marketplaces that send their payouts to us: ONDC's buyer apps, in their reconciliation messages.
PUSHED = (ChannelCode.ONDC,)
# The others' payouts come as a settlement report (Flipkart's, from Seller Hub).

# How far back the first read of an account's payouts goes.
FIRST_PULL = dt.timedelta(days=180)


class SettlementQuerySet(DistrictWorkQuerySet["Settlement"]):
    """The centre's record of the payouts; producers see their own share through the
    reconciliation, not the account's settlements."""

    district_field = "account__district"

    def of_account(self, account: ChannelAccount) -> SettlementQuerySet:
        return self.filter(account=account)

    def pull_since(self, account: ChannelAccount, now: dt.datetime) -> dt.datetime:
        """Where the next read of the account's payouts starts: a day before the newest payout
        recorded (a group still open is read again), or FIRST_PULL back the first time."""
        latest = self.of_account(account).aggregate(last=models.Max("opened_at"))["last"]
        return latest - dt.timedelta(days=1) if latest else now - FIRST_PULL


class Settlement(Timestamped):
    """One payout of one seller account. The marketplace's settlement id is unique per account:
    the same settlement pulled or imported twice is recorded once."""

    class Source(models.TextChoices):
        API = "api", _("marketplace API")
        FILE = "file", _("settlement report")
        # Sent to us by the marketplace: an ONDC buyer app's reconciliation message.
        PUSH = "push", _("reconciliation message")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(
        ChannelAccount, on_delete=models.PROTECT, related_name="settlements"
    )
    settlement_id = models.CharField(_("settlement id"), max_length=100)
    source = models.CharField(max_length=4, choices=Source.choices)
    currency = models.CharField(_("currency"), max_length=3, default="INR")
    # As the marketplace states it (None when it gives no total), and as its lines add up.
    total = models.DecimalField(_("stated total"), max_digits=14, decimal_places=2, null=True)
    lines_total = models.DecimalField(
        _("lines add up to"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    opened_at = models.DateTimeField(_("from"), null=True, blank=True)
    closed_at = models.DateTimeField(_("to"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    # What the lines were when last recorded: a settlement read again unchanged changes nothing.
    digest = models.CharField(max_length=64)
    notified_at = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = SettlementQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "settlement_id"], name="one_settlement_per_account_id"
            )
        ]

    def __str__(self) -> str:
        return self.settlement_id

    def difference(self) -> Decimal:
        """Stated total less what the lines add up to (0 when no total is stated)."""
        return Decimal(0) if self.total is None else self.total - self.lines_total


class SettlementLine(models.Model):
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="lines")
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order_line = models.ForeignKey(
        OrderLine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="settlement_lines",
    )
    # The producer the line's money belongs to (the order line's SKU's, or the order's): the
    # split of a centre-operated account follows the order lines.
    producer = models.ForeignKey(
        Producer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("charge"), max_length=16, choices=ChargeKind.choices)
    code = models.CharField(_("marketplace's name"), max_length=100)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    # The most the fee may be on this line where it is agreed per order (ONDC's finder fee).
    agreed = models.DecimalField(
        _("agreed fee"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(max_length=3)
    channel_order_id = models.CharField(_("marketplace order id"), max_length=80, blank=True)
    line_id = models.CharField(_("marketplace item id"), max_length=80, blank=True)
    seller_sku = models.CharField(_("seller SKU"), max_length=60, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)  # LineFlag values
    flagged = models.BooleanField(default=False)  # any flag
    # In another currency than its order's: kept and shown, left out of the sums.
    foreign_currency = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["order_line", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.channel_order_id}"

    def flag_labels(self) -> list[str]:
        return [str(LineFlag(flag).label) for flag in self.flags if flag in LineFlag.values]


class SettlementPullQuerySet(DistrictWorkQuerySet["SettlementPull"]):
    district_field = "account__district"


class SettlementPull(Timestamped):
    """One read of an account's settlements from the marketplace's API, made by a background
    task, retried after a passing fault (429, 5xx) from where it stopped."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        DONE = "done", _("done")
        FAILED = "failed", _("needs attention")

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    since = models.DateTimeField()
    resume = models.JSONField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    recorded = models.PositiveIntegerField(default=0)  # settlements new or changed
    started_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = SettlementPullQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.account_id} {self.state}"


class SettlementImportQuerySet(DistrictWorkQuerySet["SettlementImport"]):
    pass


class SettlementImport(SheetImportJob):
    """A settlement report uploaded for an account (Flipkart's, from Seller Hub)."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="+")

    objects = SettlementImportQuerySet.as_manager()

    class Meta(SheetImportJob.Meta):
        verbose_name = _("settlement report import")
