"""Settlements as the marketplaces report them, in our words: what a marketplace paid a seller
account in one payout (a batch), line by line, each line one charge on one order item.

A channel's module reads its marketplace's own shapes (Amazon's financial event groups and
events, Flipkart's settlement report) and gives `SettlementData`; nothing outside the channel's
module knows the marketplace's charge names. The payouts app (niryat/payouts) records and
reconciles them.

Amounts are signed as the marketplace books them: positive is money to the seller (the sale, a
fee reversed), negative is money kept back (a fee, tax withheld, a refund, a reserve).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from niryat.channels.models import ChannelAccount


class Charge:
    """What a settlement line is, in our words. A charge the channel does not recognise is
    `OTHER` and keeps the marketplace's own name in `SettlementLineData.code`: recorded and
    flagged, never dropped."""

    SALE = "sale"  # the item's price, without the GST on it
    SALE_TAX = "sale_tax"  # the GST on the item the buyer paid (the seller owes it)
    SHIPPING = "shipping"  # what the buyer paid for shipping
    COMMISSION = "commission"  # the marketplace's commission (referral fee)
    FIXED_FEE = "fixed_fee"  # closing fee, fixed fee
    SHIPPING_FEE = "shipping_fee"  # the marketplace's shipping or pick-and-pack fee
    COLLECTION_FEE = "collection_fee"  # payment collection fee
    FEE_GST = "fee_gst"  # the GST on the marketplace's fees
    TCS = "tcs"  # tax collected at source, section 52 of the CGST Act
    TDS = "tds"  # tax deducted at source, section 194-O of the Income-tax Act
    REFUND = "refund"  # the item's price given back to the buyer (a return, a cancellation)
    REFUND_TAX = "refund_tax"  # the GST on it, given back
    FEE_REVERSAL = "fee_reversal"  # fees given back with a refund
    RESERVE = "reserve"  # held back (negative) or released (positive)
    OTHER = "other"  # a charge the channel does not know

    FEES = (COMMISSION, FIXED_FEE, SHIPPING_FEE, COLLECTION_FEE)
    ALL = (
        SALE,
        SALE_TAX,
        SHIPPING,
        COMMISSION,
        FIXED_FEE,
        SHIPPING_FEE,
        COLLECTION_FEE,
        FEE_GST,
        TCS,
        TDS,
        REFUND,
        REFUND_TAX,
        FEE_REVERSAL,
        RESERVE,
        OTHER,
    )


@dataclass(frozen=True)
class SettlementLineData:
    kind: str  # a Charge value
    amount: Decimal  # signed: positive to the seller
    currency: str
    code: str  # the marketplace's own name for the charge, verbatim
    channel_order_id: str = ""  # "" for a charge on the account (a reserve not tied to an order)
    line_id: str = ""  # the marketplace's order-item id
    seller_sku: str = ""
    posted_at: datetime | None = None
    # What the marketplace agreed to charge for this fee on this line, where it is agreed per
    # order (ONDC's buyer-app finder fee) rather than on the account's rate card; None if not.
    agreed: Decimal | None = None


@dataclass(frozen=True)
class SettlementData:
    """One payout: its id on the marketplace, the period it covers, the amount the marketplace
    says it paid (or will pay) and when, and its lines."""

    settlement_id: str
    currency: str
    total: Decimal | None  # as the marketplace states it (None if it gives no total)
    lines: Sequence[SettlementLineData]
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    paid_on: date | None = None  # the bank transfer's date; None while not paid
    reference: str = ""  # the bank's reference (NEFT/UTR) or the marketplace's trace id
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class PulledSettlements:
    """Part of a settlement pull: the settlements it brought (complete, with all their lines),
    and where the pull goes on from (`resume`, in the channel's own JSON words; None once
    nothing is left), as `PulledOrders` for orders."""

    settlements: Sequence[SettlementData]
    resume: dict[str, Any] | None


# -- settlements a marketplace sends us --------------------------------------------------------
@dataclass(frozen=True)
class ClaimedOrder:
    """What a marketplace that pushes its settlements (ONDC's buyer apps, in their reconciliation
    messages) says about one order: what it collected, what it kept and why, and what it paid,
    with what our own record of the order says it should be. All in rupees, positive."""

    channel_order_id: str
    collected: Decimal
    fee: Decimal
    tcs: Decimal
    tds: Decimal
    withheld: Decimal  # held back for returns
    paid: Decimal
    book_total: Decimal | None  # what the order came to in our book; None when we have no order
    agreed_fee: Decimal | None  # the fee the order was placed with; None when none was agreed
    released: Decimal = Decimal(0)  # what was held back before and is paid now


@dataclass(frozen=True)
class Verdict:
    """Whether we agree with a `ClaimedOrder`: the payout we expected less what was paid
    (`difference`, 0 when we agree) and the reasons, one sentence each (empty when we agree);
    `known` is False for an order not in our book."""

    known: bool
    difference: Decimal
    reasons: Sequence[str]
    codes: Sequence[str]  # the reasons' codes (the payouts' FlagCode values)

    @property
    def agreed(self) -> bool:
        return self.known and not self.reasons


@runtime_checkable
class SettlementHooks(Protocol):
    """The app that keeps payouts (niryat/payouts), told of settlements a marketplace pushes to
    us; listed in `settings.SETTLEMENT_HOOKS`."""

    def settlements_pushed(
        self,
        account: ChannelAccount,
        settlements: Sequence[SettlementData],
        claims: Sequence[ClaimedOrder],
    ) -> dict[str, Verdict]:
        """Record the settlements (the same one twice is recorded once) and check each claimed
        order against our book: the verdict per channel order id."""


@cache
def settlement_hooks() -> tuple[SettlementHooks, ...]:
    return tuple(import_string(path)() for path in settings.SETTLEMENT_HOOKS)
