"""One way to write money and dates, in both languages and in India's time."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from niryat.core.dates import format_date, format_datetime
from niryat.core.money import format_money, rupees

# 21:53 UTC on 8 December is 03:23 on 9 December in India (UTC+05:30).
NEAR_MIDNIGHT_UTC = datetime.datetime(2026, 12, 8, 21, 53, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("120000"), "INR", "₹1,20,000"),
        (Decimal("650"), "INR", "₹650"),
        (Decimal("650.5"), "INR", "₹650.50"),
        (Decimal("1300.00"), "INR", "₹1,300"),
        (Decimal("1234567.456"), "INR", "₹12,34,567.46"),
        (Decimal("0.05"), "INR", "₹0.05"),
        (Decimal("-1500"), "INR", "-₹1,500"),
        (Decimal("1234.5"), "USD", "$1,234.50"),
        (Decimal("120000"), "GBP", "£120,000"),
        (Decimal("19.99"), "eur", "€19.99"),
        (Decimal("95"), "AED", "AED 95"),
        (Decimal("10"), "CHF", "CHF 10"),
    ],
)
def test_money_has_its_sign_and_indian_grouping_for_rupees(
    amount: Decimal, currency: str, shown: str
) -> None:
    assert format_money(amount, currency) == shown


def test_rupees_is_the_same_writing() -> None:
    assert rupees(Decimal("100000")) == "₹1,00,000"
    assert rupees(None) == "₹0"


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("en", "9 December 2026", "9 December 2026, 03:23"),
        ("hi", "9 दिसंबर 2026", "9 दिसंबर 2026, 03:23"),
    ],
)
def test_dates_are_one_style_per_language_in_india_time(
    language: str, day: str, moment: str
) -> None:
    with translation.override(language):
        assert format_date(NEAR_MIDNIGHT_UTC) == day
        assert format_datetime(NEAR_MIDNIGHT_UTC) == moment
        assert format_date(datetime.date(2026, 9, 1)) == (
            "1 September 2026" if language == "en" else "1 सितंबर 2026"
        )


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "9 December 2026, 03:23|9 December 2026|$1,234.50|₹1,20,000|"),
        ("hi", "9 दिसंबर 2026, 03:23|9 दिसंबर 2026|$1,234.50|₹1,20,000|"),
    ],
)
def test_template_filters(language: str, shown: str) -> None:
    template = Template(
        "{{ at|when }}|{{ at|day }}|{{ total|money:'USD' }}|{{ price|money }}|{{ none|money }}"
    )
    context = Context(
        {"at": NEAR_MIDNIGHT_UTC, "total": Decimal("1234.5"), "price": 120000, "none": None}
    )
    with translation.override(language):
        assert template.render(context) == shown


def test_django_date_format_in_hindi_spells_the_months_right() -> None:
    template = Template('{{ on|date:"DATE_FORMAT" }}, {{ on|date:"F" }}')
    with translation.override("hi"):
        text = template.render(Context({"on": datetime.date(2026, 11, 9)}))
    assert text == "9 नवंबर 2026, नवंबर"
