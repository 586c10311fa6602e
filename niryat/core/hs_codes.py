"""The HS nomenclature (HS 2022) in memory: look codes up, check them, search them by craft words.

The data lives in niryat/core/data/hs/ (sources and licence in its SOURCES.md):
`hs_harmonized_system.csv` (chapters, 4-digit headings, 6-digit subheadings with English
descriptions), `hs_sections.csv`, and `craft_terms.csv`, a glossary that maps the words artisans
and staff type ("chikan", "कालीन", "moonj") to the English words the HS descriptions use and,
optionally, to the codes such products usually take. The files are read once, on first use, and
kept.

Search ranks 6-digit subheadings and 4-digit headings:

1. Glossary terms found in the query (longest phrase first; Hindi compared without nukta and with
   chandrabindu read as anusvara; a Latin word may be misspelt, see `FUZZY_CUTOFF`) add their HS
   words to the query and prefer their codes. A preferred 4-digit code covers the heading and all
   its subheadings; a 6-digit code covers that subheading and weighs a little more (`EXACT_BONUS`).
   Each term that prefers a code adds 1 to its score, so codes preferred by every term come first.
2. Then the overlap of the query's words with the code's description (full weight) and its heading's
   description (half weight), words compared after dropping a plural s/es and weighted by how rare
   they are in the nomenclature. The overlap is between 0 and 1.
3. On equal scores a 6-digit subheading comes before a 4-digit heading, then the lower code.

Codes scoring below `MIN_SCORE` are left out, so a query whose words match nothing returns nothing.
"""

from __future__ import annotations

import csv
import functools
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

DATA_DIR = Path(__file__).parent / "data" / "hs"
HS_FILE = DATA_DIR / "hs_harmonized_system.csv"
SECTIONS_FILE = DATA_DIR / "hs_sections.csv"
CRAFT_TERMS_FILE = DATA_DIR / "craft_terms.csv"

# A result needs at least this score: a third of the query's (weighted) words found in the code's
# own description, or a glossary preference (worth 1 by itself).
MIN_SCORE = 0.3
# rapidfuzz ratio (0-100) from which a word is read as a misspelt glossary term or HS word:
# "terracota" → "terracotta" is 95, "kurti" → "kurta" only 80 (both are in the glossary).
FUZZY_CUTOFF = 85
FUZZY_MIN_LENGTH = 5
EXACT_BONUS = 0.25
HEADING_WEIGHT = 0.5

_TOKEN = re.compile(r"[a-z0-9]+|[\u0900-\u0963\u0966-\u097f]+")
_DIGITS = re.compile(r"[0-9]+")
_STOPWORDS = frozenset(
    "a an and as at be but by for from in including excluding its kind like made nec no not of on "
    "or other such than the their thereof this those to used whether with heading chapter item "
    "subheading note specified".split()
)


@dataclass(frozen=True)
class HsCode:
    code: str
    description: str
    parent: str
    level: int
    section: str
    section_name: str

    @property
    def heading(self) -> str:
        """The 4-digit heading this code belongs to (itself for a heading)."""
        return self.code[:4]


@dataclass(frozen=True)
class CraftTerm:
    term: str
    language: str
    hs_words: str
    hs_codes: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    code: str
    description: str
    # The description of the 4-digit heading the code belongs to (its own for a heading).
    heading_description: str
    score: float
    why: str


def _normalise(text: str) -> str:
    """Lower-case; Devanagari without nukta, chandrabindu as anusvara (मूँज = मूंज, ज़री = जरी)."""
    text = unicodedata.normalize("NFD", text.casefold())
    text = text.replace("\u093c", "").replace("\u0901", "\u0902")
    return unicodedata.normalize("NFC", text)


def _stem(word: str) -> str:
    """Drop an English plural ending: carpets → carpet, glasses → glass, vases → vase."""
    if not word.isascii() or len(word) <= 3 or word.endswith("ss"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    """The stemmed words of a text, without stopwords and one-letter words."""
    return [
        _stem(token)
        for token in _TOKEN.findall(_normalise(text))
        if len(token) > 1 and token not in _STOPWORDS
    ]


class Nomenclature:
    """The HS codes and the craft glossary, indexed for `get` and `search`."""

    def __init__(self, codes: dict[str, HsCode], terms: Iterable[CraftTerm]) -> None:
        self.codes = codes
        self.terms = tuple(terms)
        self._stems: dict[str, frozenset[str]] = {}
        self._shown: dict[str, str] = {}  # stem → a word as the descriptions spell it
        self._children: dict[str, list[str]] = defaultdict(list)
        self._by_stem: dict[str, set[str]] = defaultdict(set)
        for code, hs in codes.items():
            if hs.level not in (4, 6):
                continue
            for token in _TOKEN.findall(_normalise(hs.description)):
                if len(token) > 1 and token not in _STOPWORDS:
                    self._shown.setdefault(_stem(token), token)
            stems = frozenset(_words(hs.description))
            self._stems[code] = stems
            for stem in stems:
                self._by_stem[stem].add(code)
            if hs.level == 6:
                self._children[hs.parent].append(code)
        total = len(self._stems)
        self._idf = {
            stem: math.log((total + 1) / (len(found) + 1)) + 1
            for stem, found in self._by_stem.items()
        }
        self._vocabulary = sorted(self._by_stem)
        self._terms_by_words: dict[tuple[str, ...], list[CraftTerm]] = defaultdict(list)
        for term in self.terms:
            self._terms_by_words[tuple(_words(term.term))].append(term)
        self._longest_term = max((len(key) for key in self._terms_by_words), default=1)
        self._fuzzy_terms = [
            key[0]
            for key in self._terms_by_words
            if len(key) == 1 and key[0].isascii() and len(key[0]) >= FUZZY_MIN_LENGTH
        ]

    def get(self, code: str) -> HsCode | None:
        """The heading or subheading for a 4-, 6- or 8-digit code, or None if it does not exist.

        Dots and spaces are ignored ("6913.90" = "691390"). An 8-digit code is an Indian ITC-HS /
        GST HSN tariff item; the national 7th and 8th digits are not in the HS nomenclature, so it
        is accepted when its first 6 digits are an HS subheading, and that subheading is returned
        ("69139000" → 691390). Chapters (2 digits) are not accepted: GST needs at least 4. Nor is
        UN Comtrade's 9999/999999 "not specified according to kind", which the HS file also lists.
        """
        digits = code.replace(".", "").replace(" ", "").strip()
        if not _DIGITS.fullmatch(digits) or len(digits) not in (4, 6, 8):
            return None
        return self.codes.get(digits[:6])

    def exists(self, code: str) -> bool:
        return self.get(code) is not None

    def subheadings(self, heading: str) -> list[HsCode]:
        """The 6-digit subheadings of a 4-digit heading, in code order."""
        return sorted(
            (c for c in self.codes.values() if c.level == 6 and c.code.startswith(heading[:4])),
            key=lambda c: c.code,
        )

    def heading_description(self, code: str) -> str:
        heading = self.codes.get(code[:4])
        return heading.description if heading else ""

    def unknown_glossary_codes(self) -> list[tuple[str, str]]:
        """(term, code) for each glossary code that is not a heading or subheading."""
        return [
            (term.term, code)
            for term in self.terms
            for code in term.hs_codes
            if len(code) not in (4, 6) or code not in self.codes
        ]

    def _glossary(self, words: list[str]) -> tuple[list[CraftTerm], list[str], list[str]]:
        """Glossary terms found in the words, the words left over, and notes on misspellings."""
        used = [False] * len(words)
        found: list[CraftTerm] = []
        notes: list[str] = []
        for size in range(min(self._longest_term, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(used[start : start + size]):
                    continue
                terms = self._terms_by_words.get(tuple(words[start : start + size]))
                if terms:
                    found.extend(terms)
                    used[start : start + size] = [True] * size
        rest: list[str] = []
        for word, is_used in zip(words, used, strict=True):
            if is_used:
                continue
            near = None
            if word not in self._by_stem and len(word) >= FUZZY_MIN_LENGTH and word.isascii():
                near = process.extractOne(
                    word, self._fuzzy_terms, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
                )
            if near:
                found.extend(self._terms_by_words[(near[0],)])
                notes.append(_("read “%(typed)s” as “%(word)s”") % {"typed": word, "word": near[0]})
            else:
                rest.append(word)
        return found, rest, notes

    def _query_words(self, rest: list[str], notes: list[str]) -> list[str]:
        """The leftover query words the nomenclature knows, misspelt ones corrected."""
        known: list[str] = []
        for word in rest:
            if word in self._by_stem:
                known.append(word)
            elif len(word) >= FUZZY_MIN_LENGTH and word.isascii():
                near = process.extractOne(
                    word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
                )
                if near:
                    known.append(near[0])
                    notes.append(
                        _("read “%(typed)s” as “%(word)s”") % {"typed": word, "word": near[0]}
                    )
        return known

    def _preferences(self, terms: list[CraftTerm]) -> dict[str, tuple[float, list[str]]]:
        """code → (preference score, the terms preferring it)."""
        preferred: dict[str, tuple[float, list[str]]] = {}
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for term in terms:
            # "chikan" and "चिकनकारी" in one query are the same preference, counted once.
            if (term.hs_words, term.hs_codes) in seen:
                continue
            seen.add((term.hs_words, term.hs_codes))
            weights: dict[str, float] = {}
            for code in term.hs_codes:
                if code not in self._stems:
                    continue
                if len(code) == 4:
                    for covered in [code, *self._children.get(code, [])]:
                        weights[covered] = max(weights.get(covered, 0.0), 1.0)
                else:
                    weights[code] = 1.0 + EXACT_BONUS
            for code, weight in weights.items():
                score, names = preferred.get(code, (0.0, []))
                preferred[code] = (score + weight, [*names, term.term])
        return preferred

    def search(self, text: str, limit: int = 10) -> list[Match]:
        """HS subheadings and headings for a free-text query, best first (see the module doc)."""
        terms, rest, notes = self._glossary(_words(text))
        query = self._query_words(rest, notes)
        for term in terms:
            query.extend(_words(term.hs_words))
        weights = {word: self._idf[word] for word in query if word in self._idf}
        preferred = self._preferences(terms)

        candidates = set(preferred)
        for word in weights:
            for code in self._by_stem[word]:
                candidates.add(code)
                candidates.update(self._children.get(code, []))

        total = sum(weights.values())
        ranked: list[tuple[float, int, str, str]] = []
        for code in candidates:
            hs = self.codes[code]
            own = self._stems[code]
            heading = self._stems.get(hs.parent, frozenset()) if hs.level == 6 else frozenset()
            in_own = [word for word in weights if word in own]
            in_heading = [word for word in weights if word not in own and word in heading]
            got = sum(weights[w] for w in in_own) + HEADING_WEIGHT * sum(
                weights[w] for w in in_heading
            )
            preference, names = preferred.get(code, (0.0, []))
            score = round(preference + (got / total if total else 0.0), 3)
            if score < MIN_SCORE:
                continue
            reasons = list(notes)
            if names:
                reasons.append(_("usual code for: %(terms)s") % {"terms": ", ".join(names)})
            if in_own:
                reasons.append(_("words matched: %(words)s") % {"words": self._show(in_own)})
            if in_heading:
                reasons.append(
                    _("words in the heading: %(words)s") % {"words": self._show(in_heading)}
                )
            ranked.append((score, hs.level, code, "; ".join(reasons)))

        ranked.sort(key=lambda row: (-row[0], -row[1], row[2]))
        return [
            Match(
                code=code,
                description=self.codes[code].description,
                heading_description=self.heading_description(code),
                score=score,
                why=why,
            )
            for score, _level, code, why in ranked[:limit]
        ]

    def _show(self, stems: list[str]) -> str:
        return ", ".join(self._shown.get(stem, stem) for stem in stems)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            {key: (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


@functools.cache
def nomenclature() -> Nomenclature:
    """The nomenclature, read from the data files on first call and kept for the process."""
    sections = {row["section"]: row["name"] for row in _read(SECTIONS_FILE)}
    codes = {
        row["hscode"]: HsCode(
            code=row["hscode"],
            description=row["description"],
            parent=row["parent"],
            level=int(row["level"]),
            section=row["section"],
            section_name=sections.get(row["section"], ""),
        )
        for row in _read(HS_FILE)
        # Section "TOTAL" holds UN Comtrade's reporting codes (99, 9999, 999999 "Commodities not
        # specified according to kind"), which are not HS codes and not valid HSN.
        if row["level"] in ("2", "4", "6") and row["section"] != "TOTAL"
    }
    terms = [
        CraftTerm(
            term=row["term"],
            language=row["language"],
            hs_words=row["hs_words"],
            hs_codes=tuple(row["hs_codes"].split()),
        )
        for row in _read(CRAFT_TERMS_FILE)
        if row["term"]
    ]
    return Nomenclature(codes, terms)


def get(code: str) -> HsCode | None:
    """See `Nomenclature.get`: 4, 6 or 8 digits; an 8-digit code needs its first 6 to exist."""
    return nomenclature().get(code)


def exists(code: str) -> bool:
    return nomenclature().exists(code)


def subheadings(heading: str) -> list[HsCode]:
    return nomenclature().subheadings(heading)


def search(text: str, limit: int = 10) -> list[Match]:
    return nomenclature().search(text, limit)
