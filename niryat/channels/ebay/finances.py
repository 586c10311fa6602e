"""eBay's payouts through the Sell Finances API v1 (host apiz.ebay.com, not api.ebay.com; scope
`sell.finances`): one payout is one settlement, its monetary transactions are its lines.

- `GET /sell/finances/v1/payout` (getPayouts; `filter=payoutDate:[from..]`, `sort=payoutDate`,
  `limit`, `offset`): `payouts` of {`payoutId`, `payoutStatus` (INITIATED, SUCCEEDED,
  RETRYABLE_FAILED, TERMINAL_FAILED, REVERSED), `amount` {value, currency}, `payoutDate`,
  `transactionCount`, `payoutInstrument`}, with `total`, `offset`, `limit`, `next`.
- `GET /sell/finances/v1/transaction` (getTransactions; `filter=payoutId:{id}`, `limit`,
  `offset`): `transactions` of {`transactionId`, `orderId`, `transactionType` (SALE, REFUND,
  CREDIT, DISPUTE, NON_SALE_CHARGE, SHIPPING_LABEL, TRANSFER, ADJUSTMENT...), `bookingEntry`
  (CREDIT to the seller, DEBIT from them), `amount` (the net), `totalFeeBasisAmount`,
  `totalFeeAmount`, `orderLineItems` [{`lineItemId`, `feeBasisAmount`, `marketplaceFees`
  [{`feeType`, `amount`, `feeMemo`}]}], `transactionDate`, `feeType` (for NON_SALE_CHARGE)}.

eBay gives amounts unsigned, with `bookingEntry` saying which way they go; here they are signed
as every settlement line is (positive to the seller). Amounts stay in eBay's currency (USD for
EBAY_US): the payouts app converts them at the rate staff keep, or flags them when there is none.
A fee type not named below is kept as "other" with eBay's own name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings

from niryat.channels.ebay.api import EbayApi
from niryat.channels.settlements import (
    Charge,
    PulledSettlements,
    SettlementData,
    SettlementLineData,
)
from niryat.core.http import new_client

PAYOUTS = "/sell/finances/v1/payout"
TRANSACTIONS = "/sell/finances/v1/transaction"
PAGE = 200  # getPayouts and getTransactions allow up to 200 a page
SCOPE = "https://api.ebay.com/oauth/api_scope/sell.finances"

FEES = {
    "FINAL_VALUE_FEE": Charge.COMMISSION,
    "FINAL_VALUE_FEE_FIXED_PER_ORDER": Charge.FIXED_FEE,
    "FINAL_VALUE_SHIPPING_FEE": Charge.COMMISSION,
    "INTERNATIONAL_FEE": Charge.COLLECTION_FEE,
    "REGULATORY_OPERATING_FEE": Charge.FIXED_FEE,
    "PAYMENT_PROCESSING_FEE": Charge.COLLECTION_FEE,
}
OTHERS = {"SHIPPING_LABEL": Charge.SHIPPING_FEE}


def finances_url(api_url: str) -> str:
    """The Finances API's host beside the account's API host: api.ebay.com → apiz.ebay.com
    (and the sandbox's likewise); a fake's address stays as it is."""
    return api_url.replace("://api.", "://apiz.", 1)


@contextmanager
def connect(account_pk: int | None, credentials: dict[str, str]) -> Iterator[EbayApi]:
    with new_client(finances_url(settings.CHANNEL_ENDPOINTS["ebay"])) as client:
        yield EbayApi(account_pk, credentials, client, scopes=SCOPE)


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _money(amount: dict[str, Any] | None) -> tuple[Decimal, str]:
    amount = amount or {}
    return Decimal(str(amount.get("value") or 0)), str(amount.get("currency") or "")


def transaction_lines(transaction: dict[str, Any]) -> list[SettlementLineData]:
    """The lines of one monetary transaction: for a sale, the item's price (the fee basis) and
    each marketplace fee per line item; for a refund, the price given back and the fees eBay
    returns; anything else one line with eBay's type as its name."""
    kind_of = str(transaction.get("transactionType") or "")
    credit = transaction.get("bookingEntry") != "DEBIT"
    order_id = str(transaction.get("orderId") or "")
    posted = _when(transaction.get("transactionDate"))

    def line(kind: str, amount: Decimal, currency: str, code: str, item: str = "") -> Any:
        return SettlementLineData(kind, amount, currency, code, order_id, item, posted_at=posted)

    items = transaction.get("orderLineItems") or []
    if kind_of in ("SALE", "REFUND"):
        sale = kind_of == "SALE"
        lines = []
        if not items:  # no breakdown: the basis and the fees of the whole transaction
            items = [
                {
                    "lineItemId": "",
                    "feeBasisAmount": transaction.get("totalFeeBasisAmount")
                    or transaction.get("amount"),
                    "marketplaceFees": [
                        {"feeType": "TOTAL_FEE", "amount": transaction["totalFeeAmount"]}
                    ]
                    if transaction.get("totalFeeAmount")
                    else [],
                }
            ]
        for item in items:
            item_id = str(item.get("lineItemId") or "")
            basis, currency = _money(item.get("feeBasisAmount"))
            lines.append(
                line(
                    Charge.SALE if sale else Charge.REFUND,
                    basis if sale else -basis,
                    currency,
                    kind_of,
                    item_id,
                )
            )
            for fee in item.get("marketplaceFees") or []:
                code = str(fee.get("feeType") or "")
                amount, currency = _money(fee.get("amount"))
                kind = FEES.get(code, Charge.OTHER)
                if not sale and kind != Charge.OTHER:
                    kind = Charge.FEE_REVERSAL  # a fee given back with the refund
                lines.append(line(kind, -amount if sale else amount, currency, code, item_id))
        return lines
    amount, currency = _money(transaction.get("amount"))
    code = kind_of + (f":{transaction['feeType']}" if transaction.get("feeType") else "")
    kind = OTHERS.get(kind_of, Charge.OTHER)
    return [line(kind, amount if credit else -amount, currency, code)]


def _pages(api: EbayApi, path: str, key: str, params: dict[str, Any]) -> Iterator[tuple[int, Any]]:
    """Each (its index, item) of a paged list, from `params["offset"]` on."""
    offset = int(params.get("offset") or 0)
    while True:
        data = api.call("GET", path, params={**params, "limit": PAGE, "offset": offset}).json()
        found = data.get(key) or []
        yield from enumerate(found, start=offset)
        offset += len(found)
        if not found or offset >= int(data.get("total") or 0):
            return


def settlement(api: EbayApi, payout: dict[str, Any]) -> SettlementData:
    payout_id = str(payout["payoutId"])
    lines: list[SettlementLineData] = []
    for _offset, transaction in _pages(
        api, TRANSACTIONS, "transactions", {"filter": f"payoutId:{{{payout_id}}}"}
    ):
        lines += transaction_lines(transaction)
    total, currency = _money(payout.get("amount"))
    paid_at = _when(payout.get("payoutDate"))
    paid = payout.get("payoutStatus") == "SUCCEEDED" and paid_at is not None
    posted = [line.posted_at for line in lines if line.posted_at]
    return SettlementData(
        settlement_id=payout_id,
        currency=currency or "USD",
        total=total if payout.get("amount") else None,
        lines=lines,
        opened_at=min(posted) if posted else paid_at,
        closed_at=paid_at,
        paid_on=paid_at.date() if paid and paid_at else None,
        reference=str(payout.get("payoutReference") or ""),
        raw=dict(payout),
    )


def pull_settlement_parts(
    api: EbayApi, since: datetime, resume: dict[str, Any] | None = None
) -> Iterator[PulledSettlements]:
    """Payouts dated since `since`, oldest first, each with all its transactions as a part of
    its own. `resume`: the offset of the next payout to give."""
    offset = int((resume or {}).get("offset") or 0)
    params = {"filter": f"payoutDate:[{_iso(since)}..]", "sort": "payoutDate", "offset": offset}
    for index, payout in _pages(api, PAYOUTS, "payouts", params):
        if not payout.get("payoutId"):
            continue
        yield PulledSettlements([settlement(api, payout)], resume={"offset": index + 1})
