"""Staff count letters, Amazon counts UTF-8 bytes: the SKU form and its messages speak in
characters and say what the marketplace allows."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from niryat.catalog import text_limits
from niryat.catalog.models import Product
from niryat.core.models import User
from tests.catalog.factories import add_sku
from tests.conftest import client_for

TITLE = text_limits.LIMITS["title_hi"]


def test_characters_that_fit_count_hindi_letters_as_three_bytes() -> None:
    assert TITLE.characters_that_fit("a" * 250) == 200
    assert TITLE.characters_that_fit("क" * 100) == 66  # 66 × 3 = 198 bytes
    assert TITLE.characters_that_fit("घोड़ा") == 5


def test_too_long_says_characters_and_what_fits() -> None:
    title = ("टेराकोटा घोड़ा " * 5).strip()  # 74 characters, 204 bytes
    assert str(text_limits.over_limit("title_hi", title)) == (
        "Too long: 74 characters, of which 72 fit (Amazon counts a Hindi letter as 3 and allows "
        "200 English letters)."
    )
    assert text_limits.over_limit("title_hi", title[:72]) is None


@pytest.mark.django_db
def test_sku_form_counts_characters_and_says_what_amazon_allows(
    horse: Product, ganesh: User
) -> None:
    sku = add_sku(horse, ganesh)
    page = html.unescape(
        client_for(ganesh).get(reverse("sku_edit", args=[sku.uuid])).content.decode()
    )
    assert 'data-template="{used} of {limit} characters"' in page
    assert "bytes (UTF-8)" not in page
    allowance = (
        "Amazon allows 200 English letters here, or 66 in Hindi (it counts a Hindi letter as 3)."
    )
    assert page.count(allowance) == 2  # under the English title and under the Hindi one
