"""Latin spellings for names written in Devanagari.

The result is a suggestion staff can edit, so it aims at how people in Uttar Pradesh write names
on forms ("Ramu Prajapati", "Gorakhpur"), not at a reversible scholarly scheme. The letters come
from indic_transliteration's IAST table, folded to plain ASCII; what IAST does not know about Hindi
is added here:

- Schwa deletion. Devanagari writes an inherent "a" after every consonant, but Hindi does not
  pronounce it at the end of a word or, mostly, between a vowel-consonant and a consonant-vowel
  (Ohala's rule): चिकनकारी is "chikankari", not "chikanakari". Without this every suggestion would
  carry vowels that nobody writes, and staff would retype every name.
- Nukta letters (ज़ z, फ़ f, क़ q, ख़ kh, ग़ gh, ड़ r, ढ़ rh), which IAST spells with rare diacritics.
- Usual name spellings: श and ष as "sh", च as "ch", अनुस्वार as "m" before labials and "n" elsewhere,
  व as "w" after a consonant (Vishwakarma, Bhagwan), ज्ञ as "gy" (Gyan), सिंह as "Singh".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from indic_transliteration import sanscript

_VIRAMA = "\u094d"
_NUKTA = "\u093c"
_ANUSVARA = "\u0902"
_CANDRABINDU = "\u0901"
_INVERTED_CANDRABINDU = "\u0900"
_VISARGA = "\u0903"
_ZERO_WIDTH = str.maketrans("", "", "\u200c\u200d")

_DEVANAGARI_RUN = re.compile(r"[\u0900-\u097f\ua8e0-\ua8ff]+")
_DEVANAGARI_CHAR = re.compile(r"[\u0900-\u097f\ua8e0-\ua8ff]")

# Letters IAST spells with marks we cannot fold to plain ASCII the way names are written.
_IAST_TO_NAME = {
    "c": "ch",
    "ch": "chh",
    "ś": "sh",
    "ṣ": "sh",
    "ṛ": "ri",
    "ṝ": "ri",
    "ḷ": "li",
    "ḹ": "li",
}
# A consonant with a nukta is a Persian, Arabic or Urdu sound, or a flapped ड/ढ.
_NUKTA_LETTERS = {
    "क": "q",
    "ख": "kh",
    "ग": "gh",
    "ज": "z",
    "झ": "zh",
    "ड": "r",
    "ढ": "rh",
    "फ": "f",
    "य": "y",
    "र": "r",
    "ल": "l",
    "न": "n",
}
# Vowels of English loanwords (ऑ in डॉक्टर) and of other languages, which IAST leaves unmapped.
_EXTRA_VOWELS = {
    "\u090d": "e",  # ऍ candra e
    "\u090e": "e",  # ऎ short e
    "\u0911": "o",  # ऑ candra o (doctor)
    "\u0912": "o",  # ऒ short o
    "\u0972": "a",  # ॲ candra a
    "\u0945": "e",  # ॅ
    "\u0946": "e",  # ॆ
    "\u0949": "o",  # ॉ
    "\u094a": "o",  # ॊ
}
# Letters of other languages written in Devanagari, which IAST leaves unmapped.
_EXTRA_CONSONANTS = {
    "\u0978": "d",  # ॸ
    "\u0979": "zh",  # ॹ
    "\u097a": "y",  # ॺ
    "\u097b": "g",  # ॻ
    "\u097c": "j",  # ॼ
    "\u097e": "d",  # ॾ
    "\u097f": "b",  # ॿ
}
_LABIALS = set("पफबभमव")
# व after these is written "w" (Dwivedi, Ishwar, Swami, Anwar); after r or an aspirate it stays
# "v" (Sarvesh, Prithvi).
_W_AFTER = set("कगचजटडतदनपबमलशषस")
_OTHER_SIGNS = {"\u0950": "Om", "\u0964": ".", "\u0965": ".", "\u0970": "."}

# Compounds whose parts keep their own schwas: right-to-left Ohala deletion would turn प्रजापति
# into "Prajapti" and रामनरेश into "Ramanresh". The parts are split off (when at least two
# letters remain on each side) and each is treated as a word.
_PREFIXES = ("राम",)
_SUFFIXES = ("पति", "नगर", "वती")
# Sanskrit loanwords where Hindi keeps a schwa that the rule would delete.
_EXCEPTIONS = {"वाराणसी": "Varanasi"}


def is_devanagari(text: str) -> bool:
    """Whether `text` contains Devanagari: such a name gets a Latin suggestion from `to_latin`."""
    return bool(_DEVANAGARI_CHAR.search(text))


def to_latin(text: str) -> str:
    """A Latin spelling of the Devanagari in `text`, one Title-Cased word per Devanagari word.

    "रामू प्रजापति" gives "Ramu Prajapati". Latin (or any other non-Devanagari) text is kept
    as it is, so mixed input like "Ramu प्रजापति" only has its Devanagari runs transliterated.
    """
    text = text.translate(_ZERO_WIDTH)  # joiners only shape conjuncts: राम\u200dकली is रामकली
    if not is_devanagari(text):
        return text.strip()
    return _DEVANAGARI_RUN.sub(lambda match: _run_to_latin(match.group()), text).strip()


@dataclass
class _Unit:
    """A consonant (with its vowel, or none after a virama) or an independent vowel."""

    source: str  # the Devanagari it was read from, to find compound parts
    letter: str  # the consonant letter, "" for an independent vowel
    consonant: str  # its Latin spelling
    vowel: str  # the Latin vowel, "" after a virama or a deleted schwa
    schwa: bool = False  # the vowel is the inherent "a", which Hindi may drop
    nasal: str = ""  # anusvara or candrabindu on the vowel
    visarga: bool = False


def _run_to_latin(run: str) -> str:
    run = unicodedata.normalize("NFD", run)
    out: list[str] = []
    word: list[_Unit] = []
    for unit in _read_units(run):
        if isinstance(unit, str):  # a digit, danda or sign: it ends the word
            out.append(_word_to_latin(word))
            out.append(unit)
            word = []
        else:
            word.append(unit)
    out.append(_word_to_latin(word))
    return "".join(out)


def _read_units(run: str) -> list[_Unit | str]:
    units: list[_Unit | str] = []
    i = 0
    while i < len(run):
        char = run[i]
        i += 1
        last = units[-1] if units and isinstance(units[-1], _Unit) else None
        if char in (_ANUSVARA, _CANDRABINDU, _INVERTED_CANDRABINDU):
            if last is not None:
                last.nasal = _ANUSVARA if char == _ANUSVARA else _CANDRABINDU
                last.source += char
        elif char == _VISARGA:
            if last is not None:
                last.visarga = True
                last.source += char
        elif _is_consonant(char):
            source = char
            spelling = _letter(char)
            if i < len(run) and run[i] == _NUKTA:
                spelling = _NUKTA_LETTERS.get(char, spelling)
                source += run[i]
                i += 1
            unit = _Unit(source=source, letter=char, consonant=spelling, vowel="a", schwa=True)
            if i < len(run) and run[i] == _VIRAMA:
                unit.vowel, unit.schwa = "", False
                unit.source += run[i]
                i += 1
            elif i < len(run) and _vowel_sign(run[i]) is not None:
                unit.vowel, unit.schwa = _vowel_sign(run[i]) or "", False
                unit.source += run[i]
                i += 1
            units.append(unit)
        elif (vowel := _independent_vowel(char) or _vowel_sign(char)) is not None:
            # A vowel sign with no consonant before it is malformed; read it as the vowel.
            units.append(_Unit(source=char, letter="", consonant="", vowel=vowel))
        elif "\u0966" <= char <= "\u096f":
            units.append(str(ord(char) - 0x0966))
        elif char in _OTHER_SIGNS:
            units.append(_OTHER_SIGNS[char])
        # Anything else (a stray virama or nukta, avagraha, Vedic accents) is not spelt.
    return units


def _word_to_latin(units: list[_Unit]) -> str:
    if not units:
        return ""
    source = "".join(unit.source for unit in units)
    if source in _EXCEPTIONS:
        return _EXCEPTIONS[source]
    for part in _compound_parts(units):
        _delete_schwas(part)
    latin = _spell(units)
    return latin[:1].upper() + latin[1:]


def _compound_parts(units: list[_Unit]) -> list[list[_Unit]]:
    for prefix in _PREFIXES:
        for cut in range(2, len(units) - 1):
            if "".join(unit.source for unit in units[:cut]) == prefix:
                return [units[:cut], *_compound_parts(units[cut:])]
    for suffix in _SUFFIXES:
        for cut in range(2, len(units) - 1):
            if "".join(unit.source for unit in units[cut:]) == suffix:
                return [*_compound_parts(units[:cut]), units[cut:]]
    return [units]


def _delete_schwas(units: list[_Unit]) -> None:
    """Drop the inherent "a" where Hindi does not pronounce it.

    At the end of a word of two or more syllables, unless it follows a conjunct (मौर्य Maurya,
    मिश्र Mishra). Inside a word, right to left, in V C _ C V: after a single consonant that
    follows a vowel, before a single consonant that keeps its vowel. Deleting one schwa thus
    protects the schwa before it (गोरखपुर Gorakhpur, not Gorkhpur).
    """

    def deletable(unit: _Unit) -> bool:
        return unit.schwa and bool(unit.vowel) and not unit.nasal and not unit.visarga

    last = units[-1]
    syllables = sum(1 for unit in units if unit.vowel)
    after_conjunct = len(units) > 1 and units[-2].consonant and not units[-2].vowel
    if deletable(last) and syllables > 1 and not after_conjunct:
        last.vowel = ""
    for i in range(len(units) - 2, 0, -1):
        unit, before, after = units[i], units[i - 1], units[i + 1]
        # An anusvara or visarga closes the syllable before, like a consonant would.
        open_before = bool(before.vowel) and before.nasal != _ANUSVARA and not before.visarga
        if deletable(unit) and open_before and after.consonant and after.vowel:
            unit.vowel = ""


def _spell(units: list[_Unit]) -> str:
    parts = []
    for i, unit in enumerate(units):
        before = units[i - 1] if i else None
        after = units[i + 1] if i + 1 < len(units) else None
        consonant = unit.consonant
        if unit.letter == "ज" and not unit.vowel and after is not None and after.letter == "ञ":
            consonant = "g"  # ज्ञ is "gy" in Hindi: ज्ञान Gyan
        elif unit.letter == "ञ" and before is not None and before.letter == "ज":
            consonant = "y"
        elif unit.letter == "व" and before is not None and not before.vowel:
            consonant = "w" if before.letter in _W_AFTER else "v"
        parts.append(consonant + unit.vowel)
        if unit.nasal == _ANUSVARA:
            parts.append(_anusvara(after, units))
        elif unit.nasal:
            parts.append("n")
        if unit.visarga:
            parts.append("h")
    return "".join(parts)


def _anusvara(after: _Unit | None, units: list[_Unit]) -> str:
    if after is None or not after.consonant:
        return "n"
    if after.letter in _LABIALS:
        return "m"  # पंप pump, संभव sambhav
    if after.letter == "ह" and after is units[-1] and not after.vowel:
        return "ng"  # सिंह is written Singh
    return "n"


def _is_consonant(char: str) -> bool:
    return "\u0915" <= char <= "\u0939" or char in _EXTRA_CONSONANTS


@cache
def _letter(char: str) -> str:
    if char in _EXTRA_CONSONANTS:
        return _EXTRA_CONSONANTS[char]
    iast = sanscript.transliterate(char + _VIRAMA, sanscript.DEVANAGARI, sanscript.IAST)
    return _fold(iast)


@cache
def _vowel_sign(char: str) -> str | None:
    if char in _EXTRA_VOWELS:
        return _EXTRA_VOWELS[char]
    if not ("\u093e" <= char <= "\u094c" or char in "\u0962\u0963"):
        return None
    iast = sanscript.transliterate("क" + char, sanscript.DEVANAGARI, sanscript.IAST)
    return _fold(iast.removeprefix("k"))


@cache
def _independent_vowel(char: str) -> str | None:
    if char in _EXTRA_VOWELS:
        return _EXTRA_VOWELS[char]
    if not ("\u0905" <= char <= "\u0914" or char in "\u0960\u0961"):
        return None
    return _fold(sanscript.transliterate(char, sanscript.DEVANAGARI, sanscript.IAST))


def _fold(iast: str) -> str:
    """IAST to the plain ASCII of names: ā a, ṇ n, ś sh, c ch, ṛ ri."""
    if iast in _IAST_TO_NAME:
        return _IAST_TO_NAME[iast]
    decomposed = unicodedata.normalize("NFD", iast)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalpha())
