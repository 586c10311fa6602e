"""Length limits of catalogue text, counted as the marketplaces count them.

Amazon counts its listing text in UTF-8 bytes, and a Devanagari letter takes 3 bytes, so a Hindi
title of 70 letters is already 210 bytes. Our own limits are the strictest common ones; each
channel adds its marketplace's exact limits through its `validate(sku)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Limit:
    maximum: int
    unit: str  # "bytes" (UTF-8) or "characters"

    def measure(self, text: str) -> int:
        return utf8_length(text) if self.unit == "bytes" else len(text)


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


# Per field of a SKU. Amazon: item_name 200 bytes, each bullet point 500 bytes, description
# 2000 bytes.
LIMITS: dict[str, Limit] = {
    "title_en": Limit(200, "bytes"),
    "title_hi": Limit(200, "bytes"),
    "bullet": Limit(500, "bytes"),
    "description_en": Limit(2000, "bytes"),
    "description_hi": Limit(2000, "bytes"),
}
MAX_BULLETS = 5


def over_limit(field: str, text: str) -> str | Promise | None:
    """A sentence if `text` is longer than `field` allows, else None."""
    limit = LIMITS.get(field)
    if limit is None or limit.measure(text) <= limit.maximum:
        return None
    if limit.unit == "bytes":
        return format_lazy(
            _("Too long: {length} bytes in UTF-8, at most {maximum} (a Hindi letter takes 3)."),
            length=limit.measure(text),
            maximum=limit.maximum,
        )
    return format_lazy(
        _("Too long: {length} characters, at most {maximum}."),
        length=limit.measure(text),
        maximum=limit.maximum,
    )
