"""Likely duplicate producers: the same mobile, GSTIN or Udyam number, or a similar name (across
Devanagari and Latin spellings) in the same village or PIN code.

One finder, `find_duplicates_batch`, holds these rules for every path: registration and edits ask
about one producer (`find_duplicates`, against the producers a query finds beside it), an import
about its new rows against the district, and staff about a whole district at once (the duplicates
page's button: actions.do_flag_district_duplicates, in the background). It works in one pass over
the producers it is given, with no query:

- numbers: producers are grouped by mobile, GSTIN and Udyam number (exact, as stored);
- names: only within a block, a PIN code or a village (a village name under two PIN codes is two
  villages: it pairs people only where the PIN codes agree or one is missing), and there only
  between names whose keys
  (name_key: transliterated, spellings folded) can score LIKELY_SAME. Screening a pair costs one
  ratio of the keys' letters, sorted, in rapidfuzz's C: name_similarity scores at least
  LIKELY_SAME only when every word pairs with one scoring as much (fuzz.ratio, an edit distance
  over length), so the two keys' letters, as multisets, differ by no more than that, and the ratio
  of the sorted letters is at least LIKELY_SAME too. Names of more than six words are scored by
  fuzz.token_sort_ratio of the keys alone, which is then the screen. Each distinct pair of keys
  left is scored once, by name_similarity's own rule (key_similarity).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop
from rapidfuzz import fuzz, process

from niryat.core.models import District, TaskProgress
from niryat.registry.models import DuplicateFlag, Producer
from niryat.registry.name_matching import (
    LIKELY_SAME,
    is_long,
    key_similarity,
    may_be_likely_same,
    name_key,
)

# Reasons are stored as English msgids and shown translated.
SAME_MOBILE = gettext_noop("same mobile number")
SAME_GSTIN = gettext_noop("same GSTIN")
SAME_UDYAM = gettext_noop("same Udyam number")
SIMILAR_NAME = gettext_noop("similar name in the same village or PIN code")

# The numbers that make two records one producer whatever their names, each with its reason.
NUMBERS = (("mobile", SAME_MOBILE), ("gstin", SAME_GSTIN), ("udyam", SAME_UDYAM))
# What the finder reads of a producer, in Person's order.
PERSON_FIELDS = ("pk", "mobile", "gstin", "udyam", "pin", "village", "name_hi", "name_latin")
# The background search of a whole district, as its progress is labelled.
DISTRICT_SEARCH = gettext_noop("Find duplicates in the district")
# Slightly under LIKELY_SAME, so that rounding cannot screen out a pair.
_CUTOFF = LIKELY_SAME - 0.5


@dataclass(frozen=True)
class Person:
    """A producer as the duplicate finder sees it."""

    pk: int
    mobile: str = ""
    gstin: str = ""
    udyam: str = ""
    pin: str = ""
    village: str = ""
    names: tuple[str, ...] = ()  # the Devanagari and Latin names, those given

    @classmethod
    def of(cls, producer: Producer) -> Person:
        return cls.from_row(tuple(getattr(producer, name) for name in PERSON_FIELDS))

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Person:
        """From values in PERSON_FIELDS' order (a values_list row)."""
        pk, mobile, gstin, udyam, pin, village, name_hi, name_latin = row
        names = tuple(name for name in (name_hi, name_latin) if name)
        return cls(pk or 0, mobile, gstin, udyam, pin, village, names)

    @property
    def place(self) -> str:
        # Villages are compared without case or surrounding spaces, as the query finds them.
        return self.village.strip().lower()


def people_of(producers: QuerySet[Producer]) -> list[Person]:
    """The producers as the finder sees them, read in one query."""
    rows = producers.values_list(*PERSON_FIELDS).order_by()
    return [Person.from_row(row) for row in rows.iterator(chunk_size=5000)]


@dataclass(frozen=True)
class Pair:
    """Two producers that are likely one, by their pks (`first` the lower), and why."""

    first: int
    second: int
    reasons: tuple[str, ...]
    score: float

    def other(self, pk: int) -> int:
        return self.second if pk == self.first else self.first


@dataclass(frozen=True)
class Match:
    producer: Producer
    reasons: tuple[str, ...]
    score: float


def find_duplicates_batch(
    people: Iterable[Person], *, against: Iterable[Person] = ()
) -> list[Pair]:
    """The likely duplicates among `people`, and between them and `against`; not those among
    `against` alone (an import asks about its new rows, not about the district's old pairs).
    Each pair once, ordered by pk."""
    asking = {person.pk: person for person in people}
    everyone = dict(asking)
    for person in against:
        everyone.setdefault(person.pk, person)
    reasons: dict[tuple[int, int], list[str]] = defaultdict(list)
    scores: dict[tuple[int, int], float] = {}
    for attribute, reason in NUMBERS:
        groups: dict[str, list[int]] = defaultdict(list)
        for person in everyone.values():
            if value := getattr(person, attribute):
                groups[value].append(person.pk)
        for group in groups.values():
            if len(group) < 2:
                continue
            for pk in group:
                if pk not in asking:
                    continue
                for other in group:
                    if other != pk and (other not in asking or pk < other):
                        both = (pk, other) if pk < other else (other, pk)
                        reasons[both].append(reason)
                        scores[both] = 100.0
    names = _Names()
    for both, similarity in names.similar(asking, everyone).items():
        reasons[both].append(SIMILAR_NAME)
        scores[both] = max(scores.get(both, 0.0), similarity)
    return [
        Pair(first, second, tuple(reasons[(first, second)]), scores[(first, second)])
        for first, second in sorted(reasons)
    ]


@dataclass
class _Names:
    """Scores the names of one run: every key, and every pair of keys, worked out once."""

    keys: dict[int, tuple[str, ...]] = field(default_factory=dict)  # person → their names' keys
    scores: dict[tuple[str, str], float] = field(default_factory=dict)
    long: dict[str, bool] = field(default_factory=dict)
    sorted_letters: dict[str, str] = field(default_factory=dict)

    def keys_of(self, person: Person) -> tuple[str, ...]:
        if person.pk not in self.keys:
            self.keys[person.pk] = tuple(dict.fromkeys(filter(None, map(name_key, person.names))))
        return self.keys[person.pk]

    def score(self, key_a: str, key_b: str) -> float:
        pair = (key_a, key_b) if key_a < key_b else (key_b, key_a)
        if pair not in self.scores:
            likely = key_a == key_b or may_be_likely_same(key_a, key_b)
            self.scores[pair] = key_similarity(key_a, key_b) if likely else 0.0
        return self.scores[pair]

    def similar(
        self, asking: dict[int, Person], everyone: dict[int, Person]
    ) -> dict[tuple[int, int], float]:
        """{(pk, pk): score} for the pairs with names alike in a PIN code or village, one of them
        asking; the score is the best over the two producers' spellings, when LIKELY_SAME."""
        blocks: dict[tuple[str, str], list[Person]] = defaultdict(list)
        for person in everyone.values():
            if person.pin:
                blocks[("pin", person.pin)].append(person)
            if person.place:
                blocks[("village", person.place)].append(person)
        found: dict[tuple[int, int], float] = {}
        for (kind, _place), block in blocks.items():
            if len(block) > 1 and any(person.pk in asking for person in block):
                # A village name under two PIN codes is two villages ("Mohammadpur Kalan" stands
                # in several tehsils): its block pairs only people whose PIN codes agree or who
                # lack one.
                pins = {person.pk: person.pin for person in block} if kind == "village" else None
                self._similar_in_block(block, asking, found, pins)
        return found

    def _similar_in_block(
        self,
        block: list[Person],
        asking: dict[int, Person],
        found: dict[tuple[int, int], float],
        pins: dict[int, str] | None,
    ) -> None:
        holders: dict[str, list[int]] = defaultdict(list)  # key → the block's people with it
        for person in block:
            for key in self.keys_of(person):
                holders[key].append(person.pk)
        asked = [key for key, pks in holders.items() if any(pk in asking for pk in pks)]
        for key, other_key in self._alike(asked, list(holders)):
            score = self.score(key, other_key)
            if score < LIKELY_SAME:
                continue
            for pk in holders[key]:
                if pk not in asking:
                    continue
                for other in holders[other_key]:
                    if other == pk or (
                        pins and pins[pk] and pins[other] and pins[pk] != pins[other]
                    ):
                        continue
                    both = (pk, other) if pk < other else (other, pk)
                    if found.get(both, 0.0) < score:
                        found[both] = score

    def _alike(self, asked: list[str], keys: list[str]) -> Iterator[tuple[str, str]]:
        """The pairs of an asked key and a key of the block that pass the screen."""
        long_keys = [key for key in keys if self.is_long(key)]
        by_letters: dict[str, list[str]] = defaultdict(list)  # short keys by their sorted letters
        for key in keys:
            if not self.is_long(key):
                by_letters[self.letters(key)].append(key)
        asked_by_letters: dict[str, list[str]] = defaultdict(list)
        for key in asked:
            if self.is_long(key):
                for other in _near(key, keys, fuzz.token_sort_ratio):
                    yield key, other
                continue
            asked_by_letters[self.letters(key)].append(key)
            for other in _near(key, long_keys, fuzz.token_sort_ratio):
                yield key, other
        if not asked_by_letters:
            return
        queries, choices = list(asked_by_letters), list(by_letters)
        # Every asked key's letters against every key's, in one call: a matrix of the ratios at
        # or above the cutoff (0 below), worked out in rapidfuzz's C++.
        ratios = process.cdist(queries, choices, scorer=fuzz.ratio, score_cutoff=_CUTOFF)
        for row, column in zip(*numpy.nonzero(ratios), strict=True):
            for key in asked_by_letters[queries[row]]:
                for other in by_letters[choices[column]]:
                    yield key, other

    def is_long(self, key: str) -> bool:
        if key not in self.long:
            self.long[key] = is_long(key)
        return self.long[key]

    def letters(self, key: str) -> str:
        if key not in self.sorted_letters:
            self.sorted_letters[key] = "".join(sorted(key.replace(" ", "")))
        return self.sorted_letters[key]


def _near(query: str, choices: list[str], scorer: Any) -> list[str]:
    if not choices:
        return []
    hits = process.extract(query, choices, scorer=scorer, score_cutoff=_CUTOFF, limit=None)
    return [choice for choice, _score, _index in hits]


# ---------------------------------------------------------------------------------------------
# One producer: at registration and after an edit


def neighbours_of(candidate: Producer) -> QuerySet[Producer]:
    """The producers of the candidate's district that share a number or a place with it: the
    only ones the rules may pair it with, found by indexed columns."""
    others = Producer.objects.active().filter(district_id=candidate.district_id)
    if candidate.pk:
        others = others.exclude(pk=candidate.pk)
    near = Q(pk__in=[])
    for attribute, _reason in NUMBERS:
        if value := getattr(candidate, attribute):
            near |= Q(**{attribute: value})
    if candidate.pin:
        near |= Q(pin=candidate.pin)
    if candidate.village.strip():
        near |= Q(village__iexact=candidate.village.strip())
    return others.filter(near)


def find_duplicates(candidate: Producer) -> list[Match]:
    """Producers of the candidate's district that are likely the same person or unit, most likely
    first: find_duplicates_batch for the one candidate."""
    me = Person.of(candidate)
    if not (me.mobile or me.gstin or me.udyam or me.pin or me.place):
        return []
    pairs = find_duplicates_batch([me], against=people_of(neighbours_of(candidate)))
    if not pairs:
        return []
    producers = Producer.objects.in_bulk([pair.other(me.pk) for pair in pairs])
    matches = [Match(producers[pair.other(me.pk)], pair.reasons, pair.score) for pair in pairs]
    return sorted(matches, key=lambda m: (-m.score, m.producer.pk))


def flag_duplicates(producer: Producer) -> list[Match]:
    """Find and record the likely duplicates of `producer` for staff to merge or dismiss."""
    matches = find_duplicates(producer)
    for match in matches:
        first, second = sorted([producer, match.producer], key=lambda p: p.pk)
        DuplicateFlag.objects.update_or_create(
            first=first,
            second=second,
            defaults={
                "district_id": producer.district_id,
                "reasons": list(match.reasons),
                "score": match.score,
            },
        )
    return matches


# ---------------------------------------------------------------------------------------------
# A whole district, for staff


@dataclass(frozen=True)
class DistrictSearch:
    """What a district-wide search found: pairs in all, and how many of them are new flags."""

    producers: int
    pairs: int
    new: int


def district_people(district: District) -> list[Person]:
    return people_of(Producer.objects.active().filter(district=district))


def record_district_pairs(district: District, pairs: list[Pair]) -> tuple[int, int]:
    """Record the pairs a search of the whole district found, for review, in the caller's
    transaction; returns (pairs, new flags). A pair already flagged is not flagged again: one
    still to review gets today's reasons, one merged or dismissed by staff stays as they left it."""
    # A producer merged or erased while the search ran is no longer anyone's pair.
    active = set(Producer.objects.active().filter(district=district).values_list("pk", flat=True))
    pairs = [pair for pair in pairs if pair.first in active and pair.second in active]
    flags = DuplicateFlag.objects.filter(district=district).only(
        "pk", "first_id", "second_id", "reasons", "score", "status"
    )
    known = {tuple(sorted((flag.first_id, flag.second_id))): flag for flag in flags}
    new, changed, now = [], [], timezone.now()
    for pair in pairs:
        flag = known.get((pair.first, pair.second))
        if flag is None:
            new.append(
                DuplicateFlag(
                    district=district,
                    first_id=pair.first,
                    second_id=pair.second,
                    reasons=list(pair.reasons),
                    score=pair.score,
                )
            )
        elif flag.status == DuplicateFlag.Status.OPEN and (
            flag.reasons != list(pair.reasons) or flag.score != pair.score
        ):
            flag.reasons, flag.score, flag.updated_at = list(pair.reasons), pair.score, now
            changed.append(flag)
    # ignore_conflicts: a pair flagged at a registration meanwhile is the same pair, flagged once.
    DuplicateFlag.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    DuplicateFlag.objects.bulk_update(changed, ["reasons", "score", "updated_at"], batch_size=1000)
    return len(pairs), len(new)


def last_district_search(district: District) -> TaskProgress | None:
    """The district's latest search for duplicates, whoever started it."""
    return TaskProgress.objects.filter(district=district, label=DISTRICT_SEARCH).first()
