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
    marketplace: str = "Amazon"  # whose limit this is: the strictest one we know

    def measure(self, text: str) -> int:
        return utf8_length(text) if self.unit == "bytes" else len(text)

    def characters_that_fit(self, text: str) -> int:
        """How many of the text's characters, from its start, fit within the limit."""
        if self.unit == "characters":
            return min(len(text), self.maximum)
        used = 0
        for count, character in enumerate(text):
            used += utf8_length(character)
            if used > self.maximum:
                return count
        return len(text)

    def allowance(self) -> str | Promise:
        """What the marketplace allows, in characters, for staff who count letters, not bytes."""
        if self.unit == "characters":
            return format_lazy(
                _("{marketplace} allows {maximum} characters here."),
                marketplace=self.marketplace,
                maximum=self.maximum,
            )
        return format_lazy(
            _(
                "{marketplace} allows {maximum} English letters here, or {hindi} in Hindi "
                "(it counts a Hindi letter as 3)."
            ),
            marketplace=self.marketplace,
            maximum=self.maximum,
            hindi=self.maximum // 3,
        )


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
    """A sentence if `text` is longer than `field` allows, else None. Staff count characters, so
    the sentence does too, and says how many of them fit."""
    limit = LIMITS.get(field)
    if limit is None or limit.measure(text) <= limit.maximum:
        return None
    return too_long(limit, text)


def too_long(limit: Limit, text: str) -> str | Promise:
    if limit.unit == "bytes":
        return format_lazy(
            _(
                "Too long: {length} characters, of which {fit} fit ({marketplace} counts a Hindi "
                "letter as 3 and allows {maximum} English letters)."
            ),
            length=len(text),
            fit=limit.characters_that_fit(text),
            marketplace=limit.marketplace,
            maximum=limit.maximum,
        )
    return format_lazy(
        _("Too long: {length} characters, at most {maximum}."),
        length=limit.measure(text),
        maximum=limit.maximum,
    )
