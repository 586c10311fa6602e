"""Money as people in India read it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def rupees(amount: Decimal | int | None) -> str:
    """₹ with Indian digit grouping: 1234567.5 → "₹12,34,567.50"."""
    value = Decimal(amount or 0).quantize(Decimal("0.01"), ROUND_HALF_UP)
    whole, paise = f"{abs(value):.2f}".split(".")
    head, tail = whole[:-3], whole[-3:]
    groups: list[str] = []
    while len(head) > 2:
        head, group = head[:-2], head[-2:]
        groups.insert(0, group)
    if head:
        groups.insert(0, head)
    sign = "-" if value < 0 else ""
    return f"{sign}₹{','.join([*groups, tail])}.{paise}"
