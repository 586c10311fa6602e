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
from typing import Any


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
