"""How urgent an open order's "pack and ship by" is: late, today, or later. Shown on the orders
pages, the producer's packing list and the staff's home."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from niryat.channels.models import Order

OPEN_ORDER_STATES = (Order.State.NEW, Order.State.ACCEPTED, Order.State.PACKED)


def mark_urgency(orders: Iterable[Order]) -> None:
    """Set `order.urgency` to "overdue", "today" or "" (later, none, or not open)."""
    now = timezone.now()
    today = timezone.localdate()
    for order in orders:
        order.urgency = ""  # type: ignore[attr-defined]
        if order.ship_by is None or order.state not in OPEN_ORDER_STATES:
            continue
        if order.ship_by < now:
            order.urgency = "overdue"  # type: ignore[attr-defined]
        elif timezone.localdate(order.ship_by) == today:
            order.urgency = "today"  # type: ignore[attr-defined]
