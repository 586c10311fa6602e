"""What a buyer app says it paid for the node's orders: the reconciliation message of ONDC's
Reconciliation and Settlement Framework (RSF 1.0) where the buyer app collects the payment
(`collected_by: BAP`) and settles the seller's share after delivery.

The buyer app (the collector) posts `receiver_recon` to the node (the receiver) with its order
book: per order what it collected, the finder fee it kept, the tax it withheld (TCS under GST,
TDS under 194-O), what it holds back for returns, and the bank transfer that paid the rest. The
node records that as settlements of the centre's ONDC account (through `SETTLEMENT_HOOKS`: the
payouts app reconciles them with the other marketplaces'), and answers `on_receiver_recon`: per
order whether it agrees, and where not, by how much and why.

Shapes, from ONDC's log-validation utility (ONDC-Official/log-validation-utility@4d1336214435,
which validates RSF 1.0.0 and 2.0.0):
- `schema/RSF/Rsf_v1/receiverReconSchema.ts`: context domain `ONDC:NTS10`, core_version `1.0.0`;
  `message.orderbook.orders[]` with id, collector_app_id, receiver_app_id, state "Completed",
  provider, payment (params.amount and currency, `@ondc/org/buyer_app_finder_fee_type` and
  `_amount`, `@ondc/org/withholding_amount`, `@ondc/org/settlement_basis`, `_window`,
  `@ondc/org/settlement_details[]` with settlement_counterparty, settlement_phase
  (sale-amount | withholding-amount | refund), settlement_amount, settlement_status "PAID",
  settlement_reference, settlement_timestamp), transaction_id, settlement_id,
  settlement_reference_no, settlement_reason_code, recon_status, order_recon_status "01",
  withholding_tax_gst, withholding_tax_tds and deduction_by_collector ({currency, value}),
  payerdetails, created_at, updated_at.
- `schema/RSF/Rsf_v1/onReciverReconSchema.ts`: the answer's orders hold only id, invoice_no,
  collector_app_id, receiver_app_id, order_recon_status "02", transaction_id, settlement_id,
  settlement_reference_no, counterparty_recon_status ("01"-"04"), counterparty_diff_amount
  ({currency, value} or null) and message {name, code}, both letters and spaces only; no other
  key is allowed.
The meaning of the status codes is in the RSP contract (a Google document the NTS specification
links, not reachable from here); we answer "01" where we agree, "03" where the amounts differ and
"04" for an order not in our book, as RSP mock services do. RSF 2.0 (`recon`/`on_recon`,
`settle`, `report`, ONDC-Official/ONDC-NTS-Specifications `api/components/examples/RSF/`) moves
the same figures into `message.orders[].settlements[]` (amount, commission, withholding_amount,
tcs, tds, each with diff_value); the node speaks 1.0, the version the buyer apps' utility
checks `receiver_recon` against.

Each order of a payout is recorded as a settlement of its own, under the order's id, its amounts
split over the order's lines in proportion to their value (the payouts reconcile per order
line); the order, as the buyer app sent it, is kept in the settlement's `raw`, unknown fields
included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from niryat.channels.models import OndcNode, OndcOrder, OrderLine
from niryat.channels.ondc.orders import ondc_account
from niryat.channels.ondc.protocol import JSON_SCHEMA_ERROR, OndcError, Reply
from niryat.channels.settlements import (
    Charge,
    ClaimedOrder,
    SettlementData,
    SettlementLineData,
    Verdict,
    settlement_hooks,
)

CURRENCY = "INR"
CENT = Decimal("0.01")
# The answer's order_recon_status, and counterparty_recon_status: agreed, amounts differ, unknown.
ANSWERED = "02"
AGREED = "01"
DIFFERS = "03"
NOT_FOUND = "04"
SELLER = "seller-app"
# Why we disagree, as the answer's message says it (letters and spaces only), by the payouts'
# reason codes.
REASONS = {
    "fee_above_card": ("finder fee above agreed", "FEE"),
    "tax_rate": ("withheld tax not at rate in force", "TAX"),
    "not_adding_up": ("payout does not add up", "SUM"),
    "collected": ("collected amount differs from order", "TOTAL"),
    "unknown": ("order not found", "UNKNOWN"),
}


def _amount(value: Any, where: str) -> Decimal:
    """An amount as RSF gives it: "12.50", 12.5 or {"currency": "INR", "value": "12.50"}."""
    if isinstance(value, dict):
        value = value.get("value")
    if value is None or value == "":
        return Decimal(0)
    try:
        found = Decimal(str(value))
    except InvalidOperation as exc:
        raise OndcError("30000", f"{where} is not an amount", type=JSON_SCHEMA_ERROR) from exc
    if not found.is_finite():
        raise OndcError("30000", f"{where} is not an amount", type=JSON_SCHEMA_ERROR)
    return found.quantize(CENT, ROUND_HALF_UP)


def _moment(value: Any) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def split(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`amount` shared in proportion to `weights`, in paise, the rounding left on the last."""
    total = sum(weights, Decimal(0))
    if not weights:
        return []
    if total == 0:
        shares = [Decimal(0)] * len(weights)
        shares[-1] = amount
        return shares
    shares = [(amount * weight / total).quantize(CENT, ROUND_HALF_UP) for weight in weights[:-1]]
    return [*shares, amount - sum(shares, Decimal(0))]


@dataclass
class ReconOrder:
    """One order of the buyer app's order book, read."""

    raw: dict[str, Any]
    order_id: str
    settlement_id: str
    reference: str
    collected: Decimal
    fee: Decimal
    tcs: Decimal
    tds: Decimal
    withheld: Decimal
    paid: Decimal
    released: Decimal  # paid in the withholding-amount phase: held back before, paid now
    paid_at: dt.datetime | None
    settled: bool
    ondc: OndcOrder | None
    lines: list[OrderLine] = field(default_factory=list)

    @property
    def book_total(self) -> Decimal | None:
        if self.ondc is None:
            return None
        quote = (self.ondc.confirmed.get("quote") or {}).get("price") or {}
        return _amount(quote.get("value"), "quote") if quote.get("value") else self.ondc.order.total

    def agreed_fee(self) -> Decimal | None:
        """The finder fee the order was confirmed with (our on_init repeats what the buyer app
        asked for in its search): a share of the order's value, or an amount."""
        if self.ondc is None:
            return None
        payment = self.ondc.confirmed.get("payment") or {}
        kind = payment.get("@ondc/org/buyer_app_finder_fee_type")
        amount = payment.get("@ondc/org/buyer_app_finder_fee_amount")
        if kind not in ("percent", "amount") or amount in (None, ""):
            return None
        value = _amount(amount, "@ondc/org/buyer_app_finder_fee_amount")
        if kind == "amount":
            return value
        total = self.book_total or Decimal(0)
        return (total * value / 100).quantize(CENT, ROUND_HALF_UP)

    def claim(self) -> ClaimedOrder:
        return ClaimedOrder(
            channel_order_id=self.order_id,
            collected=self.collected,
            fee=self.fee,
            tcs=self.tcs,
            tds=self.tds,
            withheld=self.withheld,
            paid=self.paid,
            released=self.released,
            book_total=self.book_total,
            agreed_fee=self.agreed_fee(),
        )

    def settlement_lines(self) -> list[SettlementLineData]:
        """The order's charges per order line of our book (one set, with the buyer app's order
        id only, for an order we do not have): signed as the payouts book them."""
        lines: list[OrderLine | None] = [*self.lines] or [None]
        values = [
            line.unit_price * line.quantity if line is not None else Decimal(1) for line in lines
        ]
        items = sum(values, Decimal(0)) if self.lines else self.collected
        sale = min(self.collected, items)
        agreed = self.agreed_fee()
        charges: list[tuple[str, str, Decimal, Decimal | None]] = [
            (Charge.SALE, "payment.params.amount", sale, None),
            (
                Charge.SHIPPING,
                "payment.params.amount (delivery, packing)",
                self.collected - sale,
                None,
            ),
            (Charge.COMMISSION, "deduction_by_collector", -self.fee, agreed),
            (Charge.TCS, "withholding_tax_gst", -self.tcs, None),
            (Charge.TDS, "withholding_tax_tds", -self.tds, None),
            (Charge.RESERVE, "@ondc/org/withholding_amount", self.released - self.withheld, None),
        ]
        found = []
        for kind, code, amount, allowed in charges:
            if not amount and allowed is None:
                continue
            shares = split(amount, values)
            allowed_shares: list[Decimal | None] = (
                [*split(allowed, values)] if allowed is not None else [None] * len(lines)
            )
            for line, share, allowed_share in zip(lines, shares, allowed_shares, strict=True):
                found.append(
                    SettlementLineData(
                        kind=kind,
                        amount=share,
                        currency=CURRENCY,
                        code=code,
                        channel_order_id=self.order_id,
                        line_id=line.line_id if line is not None else "",
                        seller_sku=line.seller_sku if line is not None else "",
                        posted_at=self.paid_at,
                        agreed=allowed_share,
                    )
                )
        return found


def read_order(node: OndcNode, raw: Any) -> ReconOrder:
    """One order of `message.orderbook.orders`, with the order of our book it is about."""
    if not isinstance(raw, dict) or not str(raw.get("id") or "").strip():
        raise OndcError("30000", "every order needs its id", type=JSON_SCHEMA_ERROR)
    order_id = str(raw["id"]).strip()[:80]
    payment: dict[str, Any] = raw["payment"] if isinstance(raw.get("payment"), dict) else {}
    params: dict[str, Any] = payment["params"] if isinstance(payment.get("params"), dict) else {}

    def taken(name: str) -> Decimal:
        # At the order's level in RSF 1.0's schema; some buyer apps put them in payment.
        return _amount(raw.get(name, payment.get(name)), f"order {order_id}: {name}")

    paid = released = Decimal(0)
    moments = []
    settled = False
    for detail in payment.get("@ondc/org/settlement_details") or []:
        if not isinstance(detail, dict) or detail.get("settlement_counterparty") != SELLER:
            continue
        amount = _amount(detail.get("settlement_amount"), f"order {order_id}: settlement_amount")
        paid += amount
        if detail.get("settlement_phase") == "withholding-amount":
            released += amount
        settled = settled or detail.get("settlement_status") == "PAID"
        moment = _moment(detail.get("settlement_timestamp"))
        if moment is not None:
            moments.append(moment)
    ondc = (
        OndcOrder.objects.filter(node=node, order__channel_order_id=order_id)
        .select_related("order")
        .first()
    )
    return ReconOrder(
        raw=raw,
        order_id=order_id,
        settlement_id=str(raw.get("settlement_id") or raw.get("settlement_reference_no") or "")[
            :100
        ],
        reference=str(raw.get("settlement_reference_no") or ""),
        collected=_amount(params.get("amount"), f"order {order_id}: payment.params.amount"),
        fee=taken("deduction_by_collector"),
        tcs=taken("withholding_tax_gst"),
        tds=taken("withholding_tax_tds"),
        withheld=_amount(payment.get("@ondc/org/withholding_amount"), "withholding_amount"),
        paid=paid,
        released=released,
        paid_at=max(moments) if moments else None,
        settled=settled,
        ondc=ondc,
        lines=list(ondc.order.lines.order_by("id")) if ondc is not None else [],
    )


def settlements_of(orders: Sequence[ReconOrder], context: dict[str, Any]) -> list[SettlementData]:
    """One settlement per order, under the order's id: what the buyer app paid for it and when
    (the NEFT reference), its lines, and the order as sent. An order entry of RSF 1.0 is the
    whole of what the buyer app settled for the order (every settlement_details phase: the sale
    amount, the withholding released later), so the order sent again in a later message
    replaces what it said before, and an order named in several messages is counted once."""
    found = []
    for order in orders:
        found.append(
            SettlementData(
                settlement_id=order.order_id,
                currency=CURRENCY,
                total=order.paid,
                lines=order.settlement_lines(),
                opened_at=order.paid_at,
                closed_at=order.paid_at,
                paid_on=_india_date(order.paid_at)
                if order.settled and order.paid_at is not None
                else None,
                reference=order.reference,
                raw={
                    "collector_app_id": context.get("bap_id", ""),
                    "transaction_id": context.get("transaction_id", ""),
                    "message_id": context.get("message_id", ""),
                    "settlement_id": order.settlement_id,
                    "order": order.raw,
                },
            )
        )
    return found


def _india_date(moment: dt.datetime) -> dt.date:
    return (moment.astimezone(dt.UTC) + dt.timedelta(hours=5, minutes=30)).date()


def _answer(order: ReconOrder, verdict: Verdict | None, context: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = {"id": order.order_id}
    if isinstance(order.raw.get("invoice_no"), str):
        answer["invoice_no"] = order.raw["invoice_no"]
    answer.update(
        collector_app_id=str(order.raw.get("collector_app_id") or context.get("bap_id", "")),
        receiver_app_id=str(order.raw.get("receiver_app_id") or context.get("bpp_id", "")),
        order_recon_status=ANSWERED,
        transaction_id=str(order.raw.get("transaction_id") or ""),
        settlement_id=str(order.raw.get("settlement_id") or ""),
        settlement_reference_no=order.reference,
    )
    if verdict is None or not verdict.known:
        name, code = REASONS["unknown"]
        answer.update(counterparty_recon_status=NOT_FOUND, message={"name": name, "code": code})
        return answer
    if verdict.agreed:
        answer["counterparty_recon_status"] = AGREED
        return answer
    reasons = [REASONS.get(code, ("amounts differ", "DIFF")) for code in verdict.codes]
    answer.update(
        counterparty_recon_status=DIFFERS,
        counterparty_diff_amount={"currency": CURRENCY, "value": f"{verdict.difference:.2f}"},
        message={
            "name": " and ".join(dict.fromkeys(name for name, _code in reasons)),
            "code": " ".join(dict.fromkeys(code for _name, code in reasons)),
        },
    )
    return answer


def answer_receiver_recon(node: OndcNode, request: dict[str, Any]) -> Reply:
    """Record what the buyer app paid for each order and say whether we agree: per order, "01"
    where its figures match our book within the payouts' tolerance, "03" with the difference
    (what it paid less what we expected) and the reasons where they do not, "04" for an order we
    do not have (recorded all the same, with the buyer app's ids)."""
    context = request.get("context") or {}
    orderbook = (request.get("message") or {}).get("orderbook")
    raw_orders = orderbook.get("orders") if isinstance(orderbook, dict) else None
    if not isinstance(raw_orders, list) or not raw_orders:
        raise OndcError("30000", "message.orderbook.orders is required", type=JSON_SCHEMA_ERROR)
    orders = [read_order(node, raw) for raw in raw_orders]
    account = ondc_account(node.district)
    settlements = settlements_of(orders, context)
    claims = [order.claim() for order in orders]
    verdicts: dict[str, Verdict] = {}
    for hooks in settlement_hooks():
        verdicts.update(hooks.settlements_pushed(account, settlements, claims))
    answers = [_answer(order, verdicts.get(order.order_id), context) for order in orders]
    return Reply({"orderbook": {"orders": answers}})
