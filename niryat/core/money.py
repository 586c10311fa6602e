"""Money as people in India read it: one way to write an amount, on every page, sheet and SMS.

Rupees take the ₹ sign and Indian digit grouping (lakh, crore): ₹1,20,000. Paise are shown
only when there are some (₹650, ₹650.50): most craft prices are whole rupees, and "₹650.00" on
one page next to "₹650" on another read as two prices. Other currencies take their own sign and
the international grouping ($1,234.50, AED 95); another currency shows its ISO code.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# The sign written before the amount; a code not listed is written as "CODE " instead.
SYMBOLS: dict[str, str] = {
    "INR": "₹",
    "USD": "$",
    "GBP": "£",
    "EUR": "€",
    "JPY": "¥",
    "AUD": "A$",
    "CAD": "C$",
    "SGD": "S$",
    "AED": "AED ",
    "SAR": "SAR ",
}


def _group_indian(whole: str) -> str:
    """ "1234567" → "12,34,567": the last three digits, then groups of two."""
    head, tail = whole[:-3], whole[-3:]
    groups: list[str] = []
    while len(head) > 2:
        head, group = head[:-2], head[-2:]
        groups.insert(0, group)
    if head:
        groups.insert(0, head)
    return ",".join([*groups, tail])


def format_money(amount: Decimal | int | float | str | None, currency: str = "INR") -> str:
    """The amount with its currency sign: ₹12,34,567.50, ₹650, $1,234.50, -₹1,500."""
    value = Decimal(str(amount) if amount is not None else 0).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    code = (currency or "INR").upper()
    whole, paise = f"{abs(value):.2f}".split(".")
    grouped = _group_indian(whole) if code == "INR" else f"{int(whole):,}"
    number = grouped if paise == "00" else f"{grouped}.{paise}"
    sign = "-" if value < 0 else ""
    return f"{sign}{SYMBOLS.get(code, code + ' ')}{number}"


def rupees(amount: Decimal | int | None) -> str:
    """An amount in rupees: 1234567.5 → "₹12,34,567.50", 120000 → "₹1,20,000"."""
    return format_money(amount, "INR")
