"""Flipkart's settlement report as Seller Hub exports it (Payments → Settlements → "Settled
transactions", the Orders sheet): one row per order item per payment, with the bank transfer
(NEFT ID, Payment Date, Bank Settlement Value) and the charges that make it up.

The columns are those of the Seller Hub export as sellers and reconciliation tools read it
(headers such as "Bank Settlement Value (Rs.)", "Sale Amount (Rs.)", "Commission (Rs.)",
"Fixed Fee (Rs.)", "Collection Fee (Rs.)", "Pick And Pack Fee (Rs.)", "Shipping Fee (Rs.)",
"Reverse Shipping Fee (Rs.)", "GST on MP Fees (Rs.)", "TCS (Rs.)", "TDS (Rs.)", "Refund (Rs.)",
"Protection Fund (Rs.)"; Flipkart publishes no schema for the file, so the aliases cover the
spellings seen in exports). Amounts are signed as Flipkart writes them: fees, taxes withheld and
refunds negative. "Marketplace Fee (Rs.)" is the sum of the fee columns and "My share (Rs.)"
part of the offer amount, so both are read past. Flipkart pays in rupees; a "Currency" column,
where a file has one, is kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from niryat.channels.settlements import Charge, SettlementData, SettlementLineData


@dataclass(frozen=True)
class ReportColumn:
    field: str  # our field name in the import
    english: str  # the header as Seller Hub writes it
    aliases: tuple[str, ...] = ()
    kind: str = "number"  # how the import reads it
    charge: str = ""  # the Charge of an amount column
    required: bool = False


COLUMNS: tuple[ReportColumn, ...] = (
    ReportColumn(
        "neft_id", "NEFT ID", ("NEFT Id", "UTR", "Settlement Ref No"), "text", required=True
    ),
    ReportColumn("payment_date", "Payment Date", ("Settlement Date",), "date", required=True),
    ReportColumn(
        "bank_settlement_value",
        "Bank Settlement Value (Rs.)",
        ("Bank Settlement Value (Rs.) = SUM(J:R)", "Bank Settlement Value"),
        required=True,
    ),
    ReportColumn("order_id", "Order ID", ("Order Id",), "text"),
    ReportColumn("order_item_id", "Order item ID", ("Order Item ID", "Order Item Id"), "text"),
    ReportColumn("seller_sku", "Seller SKU", ("SKU",), "text"),
    ReportColumn("currency", "Currency", (), "text"),
    ReportColumn("sale_amount", "Sale Amount (Rs.)", ("Sale Amount",), charge=Charge.SALE),
    ReportColumn(
        "offer_amount", "Total Offer Amount (Rs.)", ("Offer Adjustments (Rs.)",), charge=Charge.SALE
    ),
    ReportColumn(
        "customer_shipping",
        "Customer Shipping Amount (Rs.)",
        ("Customer Shipping Amount",),
        charge=Charge.SHIPPING,
    ),
    ReportColumn("refund", "Refund (Rs.)", ("Refund",), charge=Charge.REFUND),
    ReportColumn("commission", "Commission (Rs.)", ("Commission",), charge=Charge.COMMISSION),
    ReportColumn("fixed_fee", "Fixed Fee (Rs.)", ("Fixed Fee  (Rs.)",), charge=Charge.FIXED_FEE),
    ReportColumn("collection_fee", "Collection Fee (Rs.)", (), charge=Charge.COLLECTION_FEE),
    ReportColumn("pick_and_pack_fee", "Pick And Pack Fee (Rs.)", (), charge=Charge.SHIPPING_FEE),
    ReportColumn("shipping_fee", "Shipping Fee (Rs.)", (), charge=Charge.SHIPPING_FEE),
    ReportColumn(
        "reverse_shipping_fee", "Reverse Shipping Fee (Rs.)", (), charge=Charge.SHIPPING_FEE
    ),
    ReportColumn(
        "fee_gst",
        "GST on MP Fees (Rs.)",
        ("Taxes (GST) (Rs.)", "Taxes (Rs.)"),
        charge=Charge.FEE_GST,
    ),
    ReportColumn("tcs", "TCS (Rs.)", ("Tax Collected at Source (Rs.)",), charge=Charge.TCS),
    ReportColumn("tds", "TDS (Rs.)", ("Tax Deducted at Source (Rs.)",), charge=Charge.TDS),
    ReportColumn("protection_fund", "Protection Fund (Rs.)", (), charge=Charge.OTHER),
    # A column staff map by hand to something the report had that no column above names.
    ReportColumn("other_charges", "Other charges (Rs.)", (), charge=Charge.OTHER),
)
# Read past: sums of other columns, or not money.
IGNORED = (
    "Marketplace Fee (Rs.)",
    "My share (Rs.)",
    "Commission Rate (%)",
    "Order Date",
    "Dispatch Date",
    "Quantity",
    "Fulfilment Type",
    "Neft Type",
    "Product Sub Category",
    "Return Type",
    "Additional Information",
)


def settlements_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[SettlementData]:
    """The report's rows (read by the import: `field` → value) as one settlement per NEFT ID;
    the total is what the rows say the bank received."""
    grouped: dict[str, dict[str, Any]] = {}
    for row in rows:
        neft = str(row["neft_id"]).strip()
        paid_on: date | None = row.get("payment_date")
        currency = (str(row.get("currency") or "") or "INR").strip().upper()
        found = grouped.setdefault(
            neft, {"paid_on": paid_on, "currency": currency, "total": Decimal(0), "lines": []}
        )
        found["total"] += Decimal(str(row.get("bank_settlement_value") or 0))
        order_id = str(row.get("order_id") or "").strip()
        line_id = str(row.get("order_item_id") or "").strip()
        sku = str(row.get("seller_sku") or "").strip()
        for column in COLUMNS:
            amount = Decimal(str(row.get(column.field) or 0)) if column.charge else Decimal(0)
            if amount == 0:
                continue
            found["lines"].append(
                SettlementLineData(
                    column.charge, amount, currency, column.english, order_id, line_id, sku
                )
            )
    return [
        SettlementData(
            settlement_id=neft,
            currency=found["currency"],
            total=found["total"],
            lines=found["lines"],
            paid_on=found["paid_on"],
            reference=neft,
        )
        for neft, found in grouped.items()
    ]
