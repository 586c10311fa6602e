"""Help with English text for a product titled in Hindi.

Two suggestions, both for staff to edit: the Latin spelling of the whole title (right for proper
nouns: places, makers, GI names), and the craft glossary's English phrasing for the words it knows
(चिकनकारी → Chikankari embroidery), combined into a draft English title where glossary words are
put in English and the rest is spelt in Latin letters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from niryat.catalog.models import GlossaryTerm
from niryat.registry.transliterate import is_devanagari, to_latin

_NUKTA = "\u093c"


def _plain(text: str) -> str:
    """Compare Hindi without nukta and with chandrabindu read as anusvara (spelt both ways)."""
    text = unicodedata.normalize("NFD", text).replace(_NUKTA, "").replace("\u0901", "\u0902")
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Suggestion:
    hindi: str
    english: str
    note: str


def _glossary() -> list[tuple[list[str], GlossaryTerm]]:
    """Glossary terms as plain word lists, longest first, so that a phrase wins over its words."""
    terms = [(_plain(term.hindi).split(), term) for term in GlossaryTerm.objects.all()]
    return sorted(terms, key=lambda pair: -len(pair[0]))


def _segments(text: str) -> list[tuple[str, GlossaryTerm | None]]:
    """The text cut into glossary phrases (with their term) and the words between them."""
    tokens = re.findall(r"[^\s,;:/()।.]+|[\s,;:/()।.]+", text)
    words = [
        (index, _plain(token)) for index, token in enumerate(tokens) if token.strip(" ,;:/()।.")
    ]
    glossary = _glossary()
    segments: list[tuple[str, GlossaryTerm | None]] = []
    position = 0
    while position < len(words):
        for key, term in glossary:
            window = [plain for _index, plain in words[position : position + len(key)]]
            if window == key:
                first, last = words[position][0], words[position + len(key) - 1][0]
                segments.append(("".join(tokens[first : last + 1]), term))
                position += len(key)
                break
        else:
            segments.append((tokens[words[position][0]], None))
            position += 1
    return segments


def glossary_suggestions(text: str) -> list[Suggestion]:
    """Glossary terms in `text`, in the order they appear, each once."""
    if not text or not is_devanagari(text):
        return []
    found: dict[str, Suggestion] = {}
    for _words, term in _segments(text):
        if term is not None:
            found.setdefault(term.hindi, Suggestion(term.hindi, term.english, term.note))
    return list(found.values())


def latin_suggestion(text: str) -> str:
    """The title in Latin letters, each word capitalised as a name is."""
    if not text or not is_devanagari(text):
        return ""
    return " ".join(word[:1].upper() + word[1:] for word in to_latin(text).split())


def draft_english_title(text: str) -> str:
    """Glossary words in English, the other words (names, places) spelt in Latin letters."""
    if not text or not is_devanagari(text):
        return ""
    words = [
        term.english if term is not None else latin_suggestion(words)
        for words, term in _segments(text)
    ]
    return " ".join(word for word in words if word)
