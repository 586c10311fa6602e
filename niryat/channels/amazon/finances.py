"""Amazon's payouts through the Finances API v0: financial event groups (one group is one
settlement: the period it covers, its total, whether and when the money was transferred) and
the financial events of each group (shipments, refunds, adjustments), both paged by NextToken.

- `GET /finances/v0/financialEventGroups` (listFinancialEventGroups, 0.5 calls a second, burst
  30): `FinancialEventGroupList` with `FinancialEventGroupId`, `ProcessingStatus` (Open, Closed),
  `FundTransferStatus`, `FundTransferDate`, `OriginalTotal` {CurrencyCode, CurrencyAmount},
  `TraceId`, `FinancialEventGroupStart`, `FinancialEventGroupEnd`.
- `GET /finances/v0/financialEventGroups/{id}/financialEvents` (listFinancialEventsByGroupId):
  `FinancialEvents` with `ShipmentEventList` and `RefundEventList` (per order: `AmazonOrderId`,
  `PostedDate`, `ShipmentItemList` / `ShipmentItemAdjustmentList` of items with `SellerSKU`,
  `OrderItemId`, `ItemChargeList` / `ItemChargeAdjustmentList` {ChargeType, ChargeAmount},
  `ItemFeeList` / `ItemFeeAdjustmentList` {FeeType, FeeAmount}, `ItemTaxWithheldList`
  [{TaxCollectionModel, TaxesWithheld: [{ChargeType, ChargeAmount}]}]) and
  `AdjustmentEventList` ({AdjustmentType, PostedDate, AdjustmentAmount, AdjustmentItemList of
  {SellerSKU, Quantity, TotalAmount}}).

Amazon.in names the tax it withholds TCS-IGST, TCS-CGST, TCS-SGST (GST, section 52) and TDS
(section 194-O); the GST on its fees comes as fee types ending in IGST, CGST or SGST. A charge,
fee or adjustment type not named below is kept as "other" with Amazon's own name.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from niryat.channels.amazon.api import SellingPartnerApi
from niryat.channels.settlements import (
    Charge,
    PulledSettlements,
    SettlementData,
    SettlementLineData,
)

GROUPS = "/finances/v0/financialEventGroups"
PAGE = 100

ITEM_CHARGES = {
    "Principal": Charge.SALE,
    "Tax": Charge.SALE_TAX,
    "ShippingCharge": Charge.SHIPPING,
    "ShippingTax": Charge.SALE_TAX,
    "GiftWrap": Charge.SHIPPING,
    "GiftWrapTax": Charge.SALE_TAX,
}
FEES = {
    "Commission": Charge.COMMISSION,
    "RefundCommission": Charge.COMMISSION,
    "FixedClosingFee": Charge.FIXED_FEE,
    "VariableClosingFee": Charge.FIXED_FEE,
    "TechnologyFee": Charge.FIXED_FEE,
    "ShippingChargeback": Charge.SHIPPING_FEE,
    "ShippingHB": Charge.SHIPPING_FEE,
    "FBAPerUnitFulfillmentFee": Charge.SHIPPING_FEE,
    "FBAWeightBasedFee": Charge.SHIPPING_FEE,
    "FBAPickAndPackFee": Charge.SHIPPING_FEE,
    "CollectionFee": Charge.COLLECTION_FEE,
}
FEE_GST_SUFFIXES = ("IGST", "CGST", "SGST", "UTGST")
RESERVES = {"ReserveDebit", "ReserveCredit"}


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(amount: dict[str, Any] | None) -> tuple[Decimal, str]:
    amount = amount or {}
    return Decimal(str(amount.get("CurrencyAmount") or 0)), str(amount.get("CurrencyCode") or "")


def _fee_kind(fee_type: str) -> str:
    if fee_type.endswith(FEE_GST_SUFFIXES):
        return Charge.FEE_GST
    return FEES.get(fee_type, Charge.OTHER)


def _withheld_kind(charge_type: str) -> str:
    if charge_type.upper().startswith("TCS"):
        return Charge.TCS
    if charge_type.upper().startswith("TDS"):
        return Charge.TDS
    return Charge.OTHER


def item_lines(event: dict[str, Any], *, refund: bool) -> list[SettlementLineData]:
    """The lines of one shipment or refund event: one per charge, fee and tax of each item."""
    order_id = str(event.get("AmazonOrderId") or "")
    posted = _when(event.get("PostedDate"))
    items = event.get("ShipmentItemAdjustmentList" if refund else "ShipmentItemList") or []
    lines = []
    for item in items:
        line_id = str(item.get("OrderItemId") or item.get("OrderAdjustmentItemId") or "")
        sku = str(item.get("SellerSKU") or "")

        def line(
            kind: str,
            amount: Decimal,
            currency: str,
            code: str,
            line_id: str = line_id,
            sku: str = sku,
        ) -> SettlementLineData:
            return SettlementLineData(
                kind, amount, currency, code, order_id, line_id, sku, posted_at=posted
            )

        charges = item.get("ItemChargeAdjustmentList" if refund else "ItemChargeList") or []
        for charge in charges:
            code = str(charge.get("ChargeType") or "")
            amount, currency = _money(charge.get("ChargeAmount"))
            kind = ITEM_CHARGES.get(code, Charge.OTHER)
            if refund and kind == Charge.SALE_TAX:
                kind = Charge.REFUND_TAX
            elif refund and kind != Charge.OTHER:
                kind = Charge.REFUND
            lines.append(line(kind, amount, currency, code))
        fees = item.get("ItemFeeAdjustmentList" if refund else "ItemFeeList") or []
        for fee in fees:
            code = str(fee.get("FeeType") or "")
            amount, currency = _money(fee.get("FeeAmount"))
            kind = _fee_kind(code)
            if refund and amount > 0 and kind != Charge.OTHER:
                kind = Charge.FEE_REVERSAL  # a fee given back with the refund
            lines.append(line(kind, amount, currency, code))
        for withheld in item.get("ItemTaxWithheldList") or []:
            for tax in withheld.get("TaxesWithheld") or []:
                code = str(tax.get("ChargeType") or "")
                amount, currency = _money(tax.get("ChargeAmount"))
                lines.append(line(_withheld_kind(code), amount, currency, code))
    return lines


def adjustment_lines(event: dict[str, Any]) -> list[SettlementLineData]:
    """An adjustment: a reserve held back or released (by SKU, where Amazon says which), or
    another adjustment kept as "other"."""
    code = str(event.get("AdjustmentType") or "")
    kind = Charge.RESERVE if code in RESERVES else Charge.OTHER
    posted = _when(event.get("PostedDate"))
    items = event.get("AdjustmentItemList") or []
    if not items:
        amount, currency = _money(event.get("AdjustmentAmount"))
        return [SettlementLineData(kind, amount, currency, code, posted_at=posted)]
    lines = []
    for item in items:
        amount, currency = _money(item.get("TotalAmount"))
        lines.append(
            SettlementLineData(
                kind,
                amount,
                currency,
                code,
                seller_sku=str(item.get("SellerSKU") or ""),
                posted_at=posted,
            )
        )
    return lines


def event_lines(events: dict[str, Any]) -> list[SettlementLineData]:
    lines: list[SettlementLineData] = []
    for event in events.get("ShipmentEventList") or []:
        lines += item_lines(event, refund=False)
    for event in events.get("RefundEventList") or []:
        lines += item_lines(event, refund=True)
    for event in events.get("AdjustmentEventList") or []:
        lines += adjustment_lines(event)
    known = {"ShipmentEventList", "RefundEventList", "AdjustmentEventList"}
    for name, others in events.items():
        # Event lists we do not read (guarantee claims, chargebacks, service fees...): each
        # event kept whole as one "other" line with what its amounts add up to, so nothing
        # goes unseen.
        if name in known or not others:
            continue
        for other in others:
            amount, currency = _sum_amounts(other)
            lines.append(
                SettlementLineData(
                    Charge.OTHER,
                    amount,
                    currency,
                    name.removesuffix("List"),
                    channel_order_id=str(other.get("AmazonOrderId") or ""),
                    posted_at=_when(other.get("PostedDate")),
                )
            )
    return lines


def _sum_amounts(value: Any) -> tuple[Decimal, str]:
    """Every {CurrencyCode, CurrencyAmount} inside `value`, added up (and the first currency)."""
    if isinstance(value, dict) and "CurrencyAmount" in value:
        return _money(value)
    parts = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    total, currency = Decimal(0), ""
    for part in parts:
        amount, code = _sum_amounts(part)
        total += amount
        currency = currency or code
    return total, currency


def group_events(api: SellingPartnerApi, group_id: str) -> list[SettlementLineData]:
    """Every event of one group, page by page."""
    lines: list[SettlementLineData] = []
    params: dict[str, Any] = {"MaxResultsPerPage": PAGE}
    while True:
        payload = api.call(
            "GET",
            f"{GROUPS}/{group_id}/financialEvents",
            params=params,
            what="listFinancialEventsByGroupId",
        )["payload"]
        lines += event_lines(payload.get("FinancialEvents") or {})
        token = payload.get("NextToken")
        if not token:
            return lines
        params = {"MaxResultsPerPage": PAGE, "NextToken": token}


def settlement(api: SellingPartnerApi, group: dict[str, Any]) -> SettlementData:
    group_id = str(group["FinancialEventGroupId"])
    total, currency = _money(group.get("OriginalTotal"))
    transferred = group.get("FundTransferStatus") == "Succeeded"
    paid_at = _when(group.get("FundTransferDate")) if transferred else None
    paid_on: date | None = paid_at.date() if paid_at else None
    return SettlementData(
        settlement_id=group_id,
        currency=currency or api.marketplace.currency,
        total=total if group.get("OriginalTotal") else None,
        lines=group_events(api, group_id),
        opened_at=_when(group.get("FinancialEventGroupStart")),
        closed_at=_when(group.get("FinancialEventGroupEnd")),
        paid_on=paid_on,
        reference=str(group.get("TraceId") or ""),
        raw={k: v for k, v in group.items()},
    )


def pull_settlement_parts(
    api: SellingPartnerApi, since: datetime, resume: dict[str, Any] | None = None
) -> Iterator[PulledSettlements]:
    """Groups started since `since`, page by page; each group given with all its events as a
    part of its own. `resume`: the page being read (its NextToken, None for the first) and the
    groups of it already given."""
    first = {"MaxResultsPerPage": PAGE, "FinancialEventGroupStartedAfter": _iso(since)}
    token: str | None = (resume or {}).get("page")
    given: list[str] = list((resume or {}).get("given") or [])
    while True:
        params = {"MaxResultsPerPage": PAGE, "NextToken": token} if token else first
        payload = api.call("GET", GROUPS, params=params, what="listFinancialEventGroups")["payload"]
        for group in payload.get("FinancialEventGroupList") or []:
            group_id = str(group.get("FinancialEventGroupId") or "")
            if not group_id or group_id in given:
                continue
            data = settlement(api, group)
            given.append(group_id)
            yield PulledSettlements([data], resume={"page": token, "given": list(given)})
        token = payload.get("NextToken")
        if not token:
            return
        given = []
        yield PulledSettlements([], resume={"page": token, "given": []})
