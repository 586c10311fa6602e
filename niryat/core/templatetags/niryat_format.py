"""Template filters for the one way we write dates and money (niryat/core/dates.py, money.py).

`{{ order.ship_by|when }}` → "9 दिसंबर 2026, 03:23"; `{{ consent.on|day }}` → "9 दिसंबर 2026";
`{{ order.total|money:order.currency }}` → "$1,234.50"; `{{ sku.price|money }}` → "₹1,20,000".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from niryat.core.dates import format_date, format_datetime
from niryat.core.money import format_money

register = template.Library()


@register.filter
def day(value: dt.date | dt.datetime | None) -> str:
    return format_date(value) if value not in (None, "") else ""


@register.filter
def when(value: dt.datetime | None) -> str:
    return format_datetime(value) if value not in (None, "") else ""


@register.filter
def money(value: Decimal | int | str | None, currency: str = "INR") -> str:
    return format_money(value, currency) if value not in (None, "") else ""
