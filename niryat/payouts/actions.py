"""Writes of the payouts app: settlements recorded (from an API pull or a report), the
account's payout terms, pulls started. Each is atomic and audited."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from niryat.channels.models import ChannelAccount, Order, OrderLine
from niryat.channels.settlements import Charge, SettlementData, SettlementLineData
from niryat.core.audit import record_audit
from niryat.core.models import User
from niryat.core.scoping import require_write
from niryat.payouts.models import (
    LineFlag,
    PayoutTerms,
    Settlement,
    SettlementLine,
    SettlementPull,
)

BOOK_CURRENCY = "INR"


@dataclass(frozen=True)
class Recorded:
    settlement: Settlement
    created: bool
    changed: bool  # new, or its lines differ from what was recorded before


def _digest(data: SettlementData) -> str:
    lines = sorted(
        (
            line.kind,
            f"{line.amount:.2f}",
            line.currency,
            line.code,
            line.channel_order_id,
            line.line_id,
            line.seller_sku,
            # only where a fee is agreed per order: the digests of the others stay as they were
            *(() if line.agreed is None else (f"{line.agreed:.2f}",)),
        )
        for line in data.lines
    )
    head = [
        data.currency,
        "" if data.total is None else f"{data.total:.2f}",
        str(data.paid_on or ""),
    ]
    return hashlib.sha256(json.dumps([head, lines]).encode()).hexdigest()


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


class _Matcher:
    """Finds the order line of our book each settlement line is about: by the marketplace's
    order id and item id, else its SKU within the order; a line with a SKU and no order (a
    reserve held against a SKU) goes to the latest order line of that SKU in the same
    settlement."""

    def __init__(self, account: ChannelAccount, lines: Sequence[SettlementLineData]) -> None:
        order_ids = {line.channel_order_id for line in lines if line.channel_order_id}
        self.orders = {
            order.channel_order_id: order
            for order in Order.objects.filter(account=account, channel_order_id__in=order_ids)
        }
        self.by_item: dict[tuple[int, str], OrderLine] = {}
        self.by_sku: dict[tuple[int, str], OrderLine] = {}
        self.sku_in_settlement: dict[str, OrderLine] = {}
        order_lines = OrderLine.objects.filter(order__in=self.orders.values()).select_related("sku")
        for order_line in order_lines.order_by("order__ordered_at", "id"):
            if order_line.line_id:
                self.by_item[(order_line.order_id, order_line.line_id)] = order_line
            self.by_sku.setdefault((order_line.order_id, order_line.seller_sku), order_line)
            self.sku_in_settlement[order_line.seller_sku] = order_line

    def match(self, line: SettlementLineData) -> tuple[Order | None, OrderLine | None]:
        if line.channel_order_id:
            order = self.orders.get(line.channel_order_id)
            if order is None:
                return None, None
            found = self.by_item.get((order.pk, line.line_id)) if line.line_id else None
            if found is None and line.seller_sku:
                found = self.by_sku.get((order.pk, line.seller_sku))
            if found is None:
                lines = [ol for (oid, _sku), ol in self.by_sku.items() if oid == order.pk]
                found = lines[0] if len(lines) == 1 else None
            return order, found
        if line.seller_sku and line.seller_sku in self.sku_in_settlement:
            found = self.sku_in_settlement[line.seller_sku]
            return self.orders_by_pk(found.order_id), found
        return None, None

    def orders_by_pk(self, pk: int) -> Order | None:
        return next((order for order in self.orders.values() if order.pk == pk), None)


def _producer_id(order: Order | None, order_line: OrderLine | None) -> int | None:
    if order_line is not None and order_line.sku is not None:
        return order_line.sku.producer_id
    return order.producer_id if order is not None else None


def _line_flags(
    line: SettlementLineData, order: Order | None, order_line: OrderLine | None
) -> list[str]:
    flags = []
    if line.channel_order_id and order_line is None:
        flags.append(LineFlag.UNMATCHED.value)
    elif not line.channel_order_id and line.seller_sku and order_line is None:
        flags.append(LineFlag.UNMATCHED.value)
    expected = order.currency if order is not None else BOOK_CURRENCY
    if (line.currency or expected) != expected:
        flags.append(LineFlag.CURRENCY.value)
    if line.kind == Charge.OTHER:
        flags.append(LineFlag.UNKNOWN.value)
    return flags


@transaction.atomic
def do_record_settlement(
    account: ChannelAccount,
    data: SettlementData,
    *,
    source: str,
    acting_user: User | None,
) -> Recorded:
    """Record one payout of `account` with its lines, each matched to our order book. The same
    settlement again (same id) is recorded once: unchanged, nothing happens; changed (an open
    Amazon group that has since closed), its lines are replaced. Lines in another currency, of
    a charge we do not know, or about an order we do not have are kept and flagged. When the
    payout has been paid and its producers not yet told, they are told after the commit."""
    digest = _digest(data)
    settlement = (
        Settlement.objects.select_for_update()
        .filter(account=account, settlement_id=data.settlement_id)
        .first()
    )
    created = settlement is None
    if settlement is not None and settlement.digest == digest:
        return Recorded(settlement, created=False, changed=False)
    values = {
        "source": source,
        "currency": data.currency or BOOK_CURRENCY,
        "total": data.total,
        "lines_total": sum((line.amount for line in data.lines), Decimal(0)),
        "opened_at": data.opened_at,
        "closed_at": data.closed_at,
        "paid_on": data.paid_on,
        "reference": data.reference[:100],
        "digest": digest,
        "raw": _json_safe(data.raw),
    }
    if settlement is None:
        settlement = Settlement.objects.create(
            account=account,
            settlement_id=data.settlement_id,
            recorded_by=acting_user,
            **values,
        )
    else:
        for name, value in values.items():
            setattr(settlement, name, value)
        settlement.save(update_fields=[*values, "updated_at"])
        settlement.lines.all().delete()
    matcher = _Matcher(account, data.lines)
    rows = []
    for line in data.lines:
        order, order_line = matcher.match(line)
        flags = _line_flags(line, order, order_line)
        rows.append(
            SettlementLine(
                settlement=settlement,
                order=order,
                order_line=order_line,
                producer_id=_producer_id(order, order_line),
                kind=line.kind if line.kind in Charge.ALL else Charge.OTHER,
                code=line.code[:100],
                amount=line.amount,
                agreed=line.agreed,
                currency=(line.currency or settlement.currency)[:3],
                channel_order_id=line.channel_order_id[:80],
                line_id=line.line_id[:80],
                seller_sku=line.seller_sku[:60],
                posted_at=line.posted_at,
                flags=flags,
                flagged=bool(flags),
                foreign_currency=LineFlag.CURRENCY.value in flags,
            )
        )
    SettlementLine.objects.bulk_create(rows, batch_size=1000)
    record_audit(
        actor=acting_user,
        action="settlement.recorded" if created else "settlement.changed",
        obj=settlement,
        district=account.district,
        changes={
            "settlement_id": data.settlement_id,
            "lines": len(rows),
            "total": str(data.total),
            "paid_on": str(data.paid_on or ""),
        },
    )
    if settlement.paid_on is not None and settlement.notified_at is None:
        from niryat.payouts.tasks import notify_payout

        settlement_pk = settlement.pk
        transaction.on_commit(lambda: notify_payout.enqueue(settlement_pk))
    return Recorded(settlement, created=created, changed=True)


@transaction.atomic
def do_save_payout_terms(
    account: ChannelAccount, values: dict[str, Any], *, acting_user: User
) -> PayoutTerms:
    """The account's payment cycle and rate card, as staff give them."""
    require_write(account.district, acting_user)
    terms, _created = PayoutTerms.objects.select_for_update().get_or_create(account=account)
    changes = {
        name: [str(getattr(terms, name)), str(value)]
        for name, value in values.items()
        if getattr(terms, name) != value
    }
    for name, value in values.items():
        setattr(terms, name, value)
    terms.updated_by = acting_user
    terms.save()
    record_audit(
        actor=acting_user,
        action="payout_terms.saved",
        obj=terms,
        district=account.district,
        changes=changes,
    )
    return terms


@transaction.atomic
def do_start_settlement_pull(
    account: ChannelAccount, *, since: datetime, acting_user: User | None
) -> SettlementPull:
    """Queue a read of the account's settlements since `since` from the marketplace; one pull
    at a time per account (a pull already waiting is returned)."""
    if acting_user is not None:
        require_write(account.district, acting_user)
    waiting = (
        SettlementPull.objects.select_for_update()
        .filter(account=account, state=SettlementPull.State.PENDING)
        .first()
    )
    if waiting is not None:
        return waiting
    pull = SettlementPull.objects.create(
        account=account, since=since, next_try_at=timezone.now(), started_by=acting_user
    )
    record_audit(
        actor=acting_user,
        action="settlement_pull.started",
        obj=pull,
        district=account.district,
        changes={"since": since.isoformat()},
    )
    from niryat.payouts.tasks import run_settlement_pull

    pull_pk = pull.pk
    transaction.on_commit(lambda: run_settlement_pull.enqueue(pull_pk))
    return pull


def record_pull_progress(
    pull: SettlementPull, resume: dict[str, Any] | None, recorded: int
) -> None:
    pull.resume = resume
    pull.recorded += recorded
    pull.save(update_fields=["resume", "recorded", "updated_at"])


def record_pull_end(
    pull: SettlementPull,
    *,
    state: str,
    error: str = "",
    next_try_at: datetime | None = None,
) -> None:
    pull.state = state
    pull.last_error = error[:2000]
    if next_try_at is not None:
        pull.next_try_at = next_try_at
    pull.save(update_fields=["state", "last_error", "next_try_at", "attempts", "updated_at"])


@transaction.atomic
def mark_notified(settlement: Settlement) -> None:
    Settlement.objects.filter(pk=settlement.pk).update(notified_at=timezone.now())
