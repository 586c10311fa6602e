"""A Hindi gloss of an HS description, from the craft glossary staff keep (GlossaryTerm).

The HS nomenclature (niryat/core/hs_codes.py) is English only, and core knows no glossary: the
catalogue, which shows the HS help, puts the two together. A gloss names in Hindi the words of the
description that the craft glossary or the vocabulary of materials knows ("Carpets and other
textile floor coverings; woven, of wool" → "कालीन, ऊन"); a description without a known word keeps
its English, next to its code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import get_language

from niryat.catalog.models import AttributeTerm, GlossaryTerm
from niryat.core import hs_codes


@dataclass(frozen=True)
class HsLine:
    code: str
    description: str  # what the reader sees: the Hindi gloss, or the English description
    english: str  # the nomenclature's own description
    glossed: bool


def _patterns() -> list[tuple[re.Pattern[str], str]]:
    """The glossary's English phrasing, and the materials of the SKU vocabulary (wool, cotton,
    glass...), which tell apart subheadings of one heading; as whole words (a plural s/es or -en
    allowed), longest first, so that "clay pottery" is found before "clay"."""
    seen: dict[str, str] = {}
    terms = [
        *GlossaryTerm.objects.values_list("hindi", "english"),
        *AttributeTerm.objects.filter(kind=AttributeTerm.Kind.MATERIAL)
        .order_by("created_at", "pk")
        .values_list("hindi", "english"),
    ]
    for hindi, english in terms:
        phrase = re.sub(r"\s*\(.*\)", "", english).strip().casefold()
        if phrase and phrase not in seen:
            seen[phrase] = hindi
    return [
        (re.compile(rf"\b{re.escape(phrase)}(?:s|es|en)?\b"), hindi)
        for phrase, hindi in sorted(seen.items(), key=lambda item: -len(item[0]))
    ]


def hindi_gloss(description: str, patterns: list[tuple[re.Pattern[str], str]]) -> str:
    """The Hindi words for the glossary phrases found in the description, in its order."""
    text = description.casefold()
    found: list[tuple[int, str]] = []
    for pattern, hindi in patterns:
        match = pattern.search(text)
        if match and hindi not in (word for _, word in found):
            found.append((match.start(), hindi))
            # Blank the phrase out so that "clay" does not match again inside "clay pottery".
            text = text[: match.start()] + " " * len(match.group(0)) + text[match.end() :]
    return ", ".join(word for _, word in sorted(found))


def hs_lines(codes: list[tuple[str, str]]) -> list[HsLine]:
    """(code, English description) pairs as readers see them: glossed in Hindi on Hindi pages."""
    if get_language() != "hi":
        return [HsLine(code, english, english, False) for code, english in codes]
    patterns = _patterns()
    lines = []
    for code, english in codes:
        gloss = hindi_gloss(english, patterns)
        lines.append(HsLine(code, gloss or english, english, bool(gloss)))
    return lines


def describe_codes(codes: list[hs_codes.HsCode]) -> list[HsLine]:
    return hs_lines([(code.code, code.description) for code in codes])
