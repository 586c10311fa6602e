"""Size, colour and material in both languages: the English value of what staff wrote in Hindi.

Marketplaces abroad (eBay, Amazon US/UK/...) and Flipkart's sheet take English only: "लाल" or
"टेराकोटा मिट्टी" arrives as text their buyers cannot read or filter on. The vocabulary
(`AttributeTerm`, seeded with common values, extended by staff) gives the English of a known value;
measurements keep their numbers and have their units turned ("30 सेमी" → "30 cm"). A value it does
not know stays without English, and readiness asks staff for it (channels' `validate`).
"""

from __future__ import annotations

import re
import unicodedata

from niryat.catalog.models import AttributeTerm

# The SKU fields with a vocabulary, and their English twin fields.
FIELDS = ("size", "colour", "material")
DEVANAGARI = re.compile("[\u0900-\u097f]")
UNITS = {
    "सेमी": "cm",
    "सेंटीमीटर": "cm",
    "मिमी": "mm",
    "मीटर": "m",
    "इंच": "inch",
    "फुट": "ft",
    "ग्राम": "g",
    "किलो": "kg",
    "किग्रा": "kg",
    "लीटर": "litre",
    "मिली": "ml",
}
_UNIT = re.compile("|".join(sorted(UNITS, key=len, reverse=True)))


def has_devanagari(text: str) -> bool:
    return bool(DEVANAGARI.search(text or ""))


def _key(text: str) -> str:
    """Compared without case, nukta or chandrabindu (सफ़ेद = सफेद, चाँदी = चांदी)."""
    text = unicodedata.normalize("NFD", " ".join(text.split()).casefold())
    text = text.replace("\u093c", "").replace("\u0901", "\u0902")
    return unicodedata.normalize("NFC", text)


def english_for(field: str, text: str) -> str:
    """The English of a size, colour or material as written; "" when it is in Devanagari and
    neither the vocabulary nor the units know it."""
    text = " ".join((text or "").split())
    if not text or not has_devanagari(text):
        return text
    key = _key(text)
    for hindi, english in AttributeTerm.objects.filter(kind=field).values_list("hindi", "english"):
        if _key(hindi) == key:
            return english
    measured = _UNIT.sub(lambda match: UNITS[match.group(0)], text)
    return "" if has_devanagari(measured) else measured


def fill_english(values: dict[str, object], before: dict[str, object] | None = None) -> None:
    """Give `values` the English of each size, colour or material written (or changed), unless
    staff wrote the English themselves; a changed value whose English staff left as it was gets
    the English of the new value."""
    before = before or {}
    for field in FIELDS:
        if field not in values:
            continue
        text = str(values[field] or "")
        english = str(values.get(f"{field}_en", before.get(f"{field}_en", "")) or "").strip()
        changed = text != str(before.get(field, "") or "")
        english_untouched = english == str(before.get(f"{field}_en", "") or "").strip()
        if not english or (changed and english_untouched and before):
            values[f"{field}_en"] = english_for(field, text)
        else:
            values[f"{field}_en"] = english
