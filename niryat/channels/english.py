"""What a marketplace that takes English only refuses: a size, colour, material or attribute
still in Devanagari. eBay, Amazon outside India and Flipkart's sheet showed "लाल" and
"टेराकोटा मिट्टी" to buyers who cannot read them; readiness now asks for the English instead,
with a Fix pointing at the field to write it in."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from niryat.catalog.completeness import Problem
from niryat.catalog.models import Sku
from niryat.catalog.vocabulary import FIELDS, has_devanagari

# The free-text attributes (catalog/attributes.py) that marketplaces send as item specifics.
ATTRIBUTE_KEYS = ("fabric", "fibre", "finish", "care", "department", "brand", "dimensions")


def devanagari_problems(
    sku: Sku, *, check: str, marketplace: str, attributes: Iterable[str] = ATTRIBUTE_KEYS
) -> list[Problem]:
    """One problem per value the marketplace would get in Devanagari."""
    problems = []
    for field in FIELDS:
        value = sku.in_english(field)
        if has_devanagari(value):
            problems.append(
                Problem(
                    check,
                    f"{field}_en",
                    format_lazy(
                        _(
                            "{marketplace} takes English only: write “{value}” in English "
                            "(or add it to the vocabulary of sizes, colours and materials)."
                        ),
                        marketplace=marketplace,
                        value=value,
                    ),
                )
            )
    for key in attributes:
        value = str((sku.attributes or {}).get(key) or "")
        if has_devanagari(value):
            problems.append(
                Problem(
                    check,
                    f"attributes.{key}",
                    format_lazy(
                        _("{marketplace} takes English only: write “{value}” in English."),
                        marketplace=marketplace,
                        value=value,
                    ),
                )
            )
    return problems
