"""Whether two spellings, in Devanagari or Latin, are probably the same name.

"रामू प्रजापति", "Ramu Prajapati", "Ramoo Prajapati" and "RAMU PRAJAPATI" are one name written by
four people. `name_key` reduces each to the same lowercase ASCII key; `name_similarity` scores two
names 0-100 word by word, so that a shared surname cannot make two different first names look
alike ("Ramu Prajapati" and "Shyamu Prajapati" are two people).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from itertools import combinations, pairwise, permutations

from rapidfuzz import fuzz

from niryat.registry.transliterate import is_devanagari, to_latin

# The score at and above which the registry flags two producers as probably the same person.
# Spelling variants of one name score 90 or more; names that differ by one letter (Ramesh and
# Rajesh, 83) or by one sound in a short name (Sita and Gita, 75) score below.
LIKELY_SAME = 88.0

# Abbreviations and spellings that ordinary rules cannot reach, mapped to one form.
_WORDS = {
    **dict.fromkeys(
        (
            "md",
            "mohd",
            "mhd",
            "mohamad",
            "mohamed",
            "mohammed",
            "muhamad",
            "muhammad",
            "muhammed",
            "mohmmad",
        ),
        "mohammad",
    ),
    "verma": "varma",  # वर्मा: "Verma" is the usual Latin spelling, "Varma" the transliteration
}

# Each rule in order; later rules see the output of earlier ones.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"ksh|ks", "x"),  # Lakshmi, Laxmi
        (r"shr", "sr"),  # Shrivastava, Srivastava; Shri, Sri
        (r"ph", "f"),  # फ without nukta is written for फ़: Irphan, Irfan
        (r"ow(?=[^aeiou]|$)", "au"),  # Chowdhary, Chaudhary
        (r"ou", "au"),  # Gourav, Gaurav; Mourya, Maurya
        (r"ai", "e"),  # ऐ is said [ɛ]: Kuraishi, Qureshi; Kailash, Kelash
        (r"w", "v"),  # Dwivedi, Dvivedi; Tiwari, Tivari
        (r"b", "v"),  # Binod, Vinod; Bimla, Vimla (Bihar and Bengal write व as b)
        (r"z", "j"),  # ज़ is often written without its nukta: Ajij, Aziz (Raja and Raza merge)
        (r"q", "k"),  # Qureshi, Kureshi
        (r"([cdgjkprtv])h+", r"\1"),  # aspirates: Bhola, Bola; Chhaya, Chaya; "sh" is kept
        (r"iya", "ia"),  # Bhatiya, Bhatia; Raziya, Razia
        (r"ee|ii", "i"),  # Sunita, Suneeta
        (r"oo|uu", "u"),  # Ramu, Ramoo; Khatun, Khatoon
        (r"([a-z])\1+", r"\1"),  # doubled letters: Mohammad, Mohamad; Aarti, Arti
        (r"ey$", "e"),  # Pandey, Pande; Dubey, Dube
        (r"(?<=[^aeiou])y$", "i"),  # Sunity, Suniti
    )
)
_NOT_LETTERS = re.compile(r"[^a-z\s]+")
_APOSTROPHES = re.compile(r"['’`]")

# Beyond this many words, trying every pairing costs more than it helps.
_MAX_WORDS = 6


# Zero-width joiners only shape Devanagari conjuncts (राम\u200dकली is रामकली); to_latin drops them.
_ZERO_WIDTH = str.maketrans("", "", "\u200c\u200d")


# Duplicate checks and imports key the same names over and over; keying is pure, so cache it.
@functools.lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """A lowercase ASCII key that most spellings of one name share, words in their given order.

    Devanagari is transliterated first (to_latin), so "रामू प्रजापति" and "Ramoo Prajapati" both
    give "ramu prajapati". Words such as "Devi" and "Kumar" are kept: they are part of the name.
    """
    if is_devanagari(text):
        text = text.translate(_ZERO_WIDTH)
    # Keyed a word at a time: to_latin spells each word on its own, and across a district words
    # repeat far more than whole names (transliterating a name costs a third of a millisecond).
    return " ".join(filter(None, map(_spelling_key, text.split())))


@functools.lru_cache(maxsize=65536)
def _spelling_key(word: str) -> str:
    """The key of one word as written (it may give two: "Mohd.Irfan")."""
    if is_devanagari(word):
        word = to_latin(word)
    word = unicodedata.normalize("NFKD", word.lower())
    word = "".join(ch for ch in word if not unicodedata.combining(ch))
    word = _APOSTROPHES.sub("", word)  # D'Souza is one word
    word = _NOT_LETTERS.sub(" ", word)  # Mohd. Irfan, Ram-Kumar
    return " ".join(_word_key(part) for part in word.split())


def forget_keys() -> None:
    """Forget the names keyed so far (a benchmark keys a district's names as a fresh worker)."""
    name_key.cache_clear()
    _spelling_key.cache_clear()


def _word_key(word: str) -> str:
    word = _WORDS.get(word, word)
    for pattern, replacement in _RULES:
        word = pattern.sub(replacement, word)
    return word


def name_similarity(a: str, b: str) -> float:
    """How alike two names are, 0-100, whatever their scripts, spellings and word order.

    Each word of one name is paired with a word of the other, in the pairing that suits them best,
    and the name scores as its least similar pair: a name is the same only if every word is.
    Words joined in one spelling and split in the other (Ramkumar, Ram Kumar) are compared
    joined. A word with no partner counts as 0 in the average, so a missing or extra word keeps two
    names below LIKELY_SAME: "Irfan" and "Mohammad Irfan" score 59, "Ramu Prajapati" and "Ramu Lal
    Prajapati" 86.
    """
    return key_similarity(name_key(a), name_key(b))


def key_similarity(key_a: str, key_b: str) -> float:
    """name_similarity of two names given by their keys (name_key): it depends on nothing else."""
    key_a, key_b = sorted((key_a, key_b))  # sorted: the score must not depend on order
    if key_a == key_b:
        return 100.0
    words_a, words_b = key_a.split(), key_b.split()
    if not words_a or not words_b:
        return 0.0
    if max(len(words_a), len(words_b)) > _MAX_WORDS:
        return fuzz.token_sort_ratio(key_a, key_b)
    if len(words_a) > len(words_b):
        words_a, words_b = words_b, words_a
    best = _paired(words_a, words_b)
    if len(words_a) < len(words_b):
        for joined in _joinings(words_b, len(words_a)):
            best = max(best, _paired(words_a, joined))
    return best


def may_be_likely_same(key_a: str, key_b: str) -> bool:
    """False only when key_similarity(key_a, key_b) is surely under LIKELY_SAME; a few ratios
    where key_similarity, trying every pairing of the words, costs hundreds.

    For names of up to six words, a name scores no more than its worst pair of words, so every
    word of the shorter name needs a partner scoring LIKELY_SAME: a word of the other name, or
    neighbouring words of it joined."""
    words_a, words_b = key_a.split(), key_b.split()
    if max(len(words_a), len(words_b)) > _MAX_WORDS:
        return True
    if len(words_a) > len(words_b):
        words_a, words_b = words_b, words_a
    partners = {
        "".join(words_b[start:end])
        for start in range(len(words_b))
        for end in range(start + 1, len(words_b) + 1)
    }
    # Slightly under LIKELY_SAME, so that rounding cannot screen out a pair.
    return all(
        any(fuzz.ratio(word, other, score_cutoff=LIKELY_SAME - 0.5) for other in partners)
        for word in words_a
    )


def is_long(key: str) -> bool:
    """Whether key_similarity scores this key by fuzz.token_sort_ratio alone, word order aside."""
    return len(key.split()) > _MAX_WORDS


def _paired(short: list[str], long: list[str]) -> float:
    """The best pairing of every word of `short` with a different word of `long`."""
    # Each pair of words is compared once; the pairings (720 for six words) only look them up.
    ratios = [[fuzz.ratio(mine, theirs) for theirs in long] for mine in short]
    best = 0.0
    for chosen in permutations(range(len(long)), len(short)):
        scores = [row[column] for row, column in zip(ratios, chosen, strict=True)]
        best = max(best, min(min(scores), sum(scores) / len(long)))
    return best


def _joinings(words: list[str], count: int) -> list[list[str]]:
    """`words` with neighbours joined until `count` words are left, every way that can be done."""
    joinings = []
    for cuts in combinations(range(1, len(words)), count - 1):
        bounds = (0, *cuts, len(words))
        joinings.append(["".join(words[i:j]) for i, j in pairwise(bounds)])
    return joinings
