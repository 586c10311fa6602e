"""What the producer registry costs: the producer list's search at 20,000 producers in a district,
how well and how fast likely duplicates are found. (Imports: bench_sheets, on this module's sheet.)

BENCH_REGISTRY_PARTS picks the parts to run (comma-separated: search, duplicates; all by
default). The issue's district-wide duplicate search, for instance:
`BENCH_REGISTRY_PARTS=duplicates BENCH_DUPLICATES_SIZE=20000 python -m bench --only registry`."""

from __future__ import annotations

import io
import os
import random
import statistics
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate, cycle

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q

from bench.generate import (
    DESIGN_PRODUCERS,
    ProducerMaker,
    add_producers,
    analyze,
    key_of,
    latin_of,
    respell_hindi,
    respell_latin,
    save_producers,
    scaled,
)
from bench.harness import Result, Target, Timing, compare
from niryat.core.models import District, Role, User
from niryat.registry.duplicates import (
    Match,
    district_people,
    find_duplicates,
    find_duplicates_batch,
    neighbours_of,
    record_district_pairs,
)
from niryat.registry.models import Activity, Kind, Producer, ProducerQuerySet, Stage
from niryat.registry.name_matching import LIKELY_SAME, forget_keys, name_similarity
from niryat.registry.spreadsheets import COLUMNS, Sheet, csv_lines, template_header, write_xlsx
from niryat.registry.views import PAGE_SIZE

# The district searched at full size whatever the scale: Gorakhpur (terracotta, garments).
SEARCH_LGD_CODE = 148
# Where the set with known duplicates is made: Varanasi, whose weavers are often Ansaris, so
# "Mohd" and "Mohammad" turn up.
DUPLICATES_LGD_CODE = 187
# Producers in that set at design scale (500 at the default scale, 100 at least), a tenth of
# them duplicates.
DUPLICATES_DESIGN_SIZE = 50_000
DUPLICATE_SHARE = 0.10
# Originals that have a relative (same surname and village, another first name): different
# people whom a name matcher must not take for one.
RELATIVE_SHARE = 0.10
PER_PIN = 50  # producers per PIN code in the set, on average (tens to a hundred)
# The import's district (Lucknow, chikankari) and sheet size at design scale (1,000 rows at the
# default scale, 100 at least).
IMPORT_LGD_CODE = 162
IMPORT_DESIGN_ROWS = 100_000
# Producers made here are numbered from these (ProducerMaker.make's index), far above the
# district's own, so that their mobile numbers are nobody else's.
SET_NUMBERS = 300_000
SHEET_NUMBERS = 600_000


def first_page(records: ProducerQuerySet) -> tuple[int, int]:
    """What the list page evaluates: the first page of rows and the count the paginator needs."""
    page = Paginator(records, PAGE_SIZE).get_page(1)
    return len(list(page.object_list)), page.paginator.count


def search_mix(district: District) -> dict[str, list[dict[str, str]]]:
    """The producer list's query strings, by kind of search, made from the district's own
    producers so that they find someone (as searches by staff mostly do)."""
    rng = random.Random(SEARCH_LGD_CODE)
    artisans = list(
        Producer.objects.filter(district=district, kind=Kind.ARTISAN)
        .order_by("pk")
        .values_list("name_hi", "name_latin", "mobile")
    )
    people = rng.sample(artisans, 8)
    product = district.odop_products.order_by("pk").first()
    odop = str(product.pk) if product else ""
    gstins = list(
        Producer.objects.filter(district=district)
        .exclude(gstin="")
        .order_by("pk")
        .values_list("gstin", flat=True)[:2]
    )
    udyams = list(
        Producer.objects.filter(district=district)
        .exclude(udyam="")
        .order_by("pk")
        .values_list("udyam", flat=True)[:1]
    )
    mobiles = [mobile for _, _, mobile in people if mobile]
    return {
        "Devanagari name": [{"q": name_hi} for name_hi, _, _ in people[:4]],
        "Latin name, respelt": [
            {"q": respell_latin(latin, rng)} for _, latin, _ in people[4:8]
        ]  # Ramu typed as "Ramoo"; lower case as staff type it
        + [{"q": people[0][1].lower()}],
        "part of a name": [
            {"q": people[1][1].split()[-1][:4]},  # "Praj"
            {"q": _letters(people[2][0], 3)},  # "इरफ़ा": three letters, as "Praj" is four
            {"q": people[3][1].split()[0]},  # a first name alone
        ],
        "mobile or identifier": [
            {"q": mobiles[0][-5:]},  # the last digits someone remembers
            {"q": mobiles[1][3:]},  # ten digits
            {"q": f"{mobiles[2][3:8]} {mobiles[2][8:]}"},  # as printed, 98765 43210
            *({"q": value} for value in gstins + udyams),
        ],
        "filters, no search": [
            {"stage": Stage.TRAINED},
            {"kind": Kind.SHG},
            {"women_led": "yes"},
            {"odop_product": odop},
            {"stage": Stage.REGISTERED, "kind": Kind.ARTISAN, "women_led": "yes"},
            {"activity": "pottery"},
        ],
        "filters with a search": [
            {"stage": Stage.SENSITISED, "q": people[4][1].split()[-1]},
            {"odop_product": odop, "q": people[5][0].split()[0]},
            {"women_led": "yes", "q": "devi"},
            {"kind": Kind.MSME, "q": "udyog"},
        ],
    }


def _letters(text: str, count: int) -> str:
    """The first `count` letters of `text` with their vowel signs and nuktas ("फ़ाति" of फ़ातिमा):
    what a person types to find a name they half remember."""
    kept = []
    for char in text:
        if not unicodedata.category(char).startswith("M"):  # a letter, not a mark on one
            if count == 0:
                break
            count -= 1
        kept.append(char)
    return "".join(kept)


def _top_up(district: District) -> list[int]:
    """Fill `district` to design scale; returns the producers added, for removal afterwards."""
    have = Producer.objects.filter(district=district).count()
    added = add_producers(district, max(0, DESIGN_PRODUCERS.per_district - have), first_index=have)
    analyze(Producer)
    return added


def _remove(ids: list[int]) -> None:
    for start in range(0, len(ids), 5000):
        Producer.objects.filter(pk__in=ids[start : start + 5000]).only("pk").delete()
    analyze(Producer)


def search() -> list[Result]:
    """The producer list's query for each kind of search, against the same page unfiltered."""
    district = District.objects.get(lgd_code=SEARCH_LGD_CODE)
    staff = User.objects.filter(role=Role.CENTRE_STAFF, district=district).order_by("pk").first()
    if staff is None:
        raise AssertionError(f"no centre staff in {district}")
    added = _top_up(district)
    try:
        return _search(district, staff)
    finally:
        _remove(added)


def _search(district: District, staff: User) -> list[Result]:
    count = Producer.objects.filter(district=district).count()
    size = f"{count:,} producers in {district.name_en}"

    def listed(params: dict[str, str]) -> ProducerQuerySet:
        # As views.producer_list builds it (minus its district and state joins for the table).
        return Producer.objects.visible_to(staff).filtered(params).select_related("odop_product")

    def bare() -> tuple[int, int]:
        return first_page(Producer.objects.filter(district=district))

    mix = search_mix(district)
    for kind, queries in mix.items():
        for params in queries:
            if first_page(listed(params))[1] == 0:
                raise AssertionError(f"{kind}: {params} finds nobody; the mix is stale")

    def cycling(queries: list[dict[str, str]]) -> Callable[[], object]:
        each: Iterator[dict[str, str]] = cycle(queries)
        return lambda: first_page(listed(next(each)))

    results = []
    every = [params for queries in mix.values() for params in queries]
    measured, baseline = compare(cycling(every), bare, max_seconds=3.0)
    results.append(
        Result(
            f"search: producer list, all {len(every)} searches",
            size,
            measured,
            baseline,
            "the same first page (50 rows and the count) of the district's producers, "
            "unfiltered and unscoped",
            target=Target("p95_ms", 50),
            note=_describe(mix),
        )
    )
    for kind, queries in mix.items():
        measured, baseline = compare(cycling(queries), bare, max_seconds=1.0)
        results.append(
            Result(
                f"search: {kind} ({len(queries)})",
                size,
                measured,
                baseline,
                "the same first page (50 rows and the count) of the district's producers, "
                "unfiltered and unscoped",
                target=Target("p95_ms", 50),
            )
        )
    return results


def _describe(mix: dict[str, list[dict[str, str]]]) -> str:
    def shown(params: dict[str, str]) -> str:
        return "&".join(f"{key}={value}" for key, value in params.items())

    return "; ".join(f"{kind}: {', '.join(map(shown, queries))}" for kind, queries in mix.items())


# ---------------------------------------------------------------------------------------------
# Duplicates


def _vary_names(name_hi: str, rng: random.Random) -> tuple[str, str]:
    """The name as another person would register it: typed differently in Devanagari, with the
    Latin form suggested from that, or typed differently in Latin too."""
    respelt = respell_hindi(name_hi, rng)
    latin = latin_of(respelt)
    return respelt, respell_latin(latin, rng) if rng.random() < 0.5 else latin


def _respelt_hindi(original: Producer, dup: Producer, rng: random.Random) -> None:
    dup.name_hi = respell_hindi(original.name_hi, rng)
    dup.name_latin = latin_of(dup.name_hi)  # as the form suggests it


def _respelt_latin(original: Producer, dup: Producer, rng: random.Random) -> None:
    dup.name_hi = respell_hindi(original.name_hi, rng)
    dup.name_latin = respell_latin(original.name_latin, rng)  # Ramoo, Mohd, Shoba


def _same_name(original: Producer, dup: Producer, rng: random.Random) -> None:
    dup.mobile = ""  # registered again at a camp, without the phone


def _swapped(original: Producer, dup: Producer, rng: random.Random) -> None:
    dup.name_hi = " ".join(reversed(original.name_hi.split()))  # surname first, as on lists
    dup.name_latin = " ".join(reversed(original.name_latin.split()))


def _same_mobile(original: Producer, dup: Producer, rng: random.Random) -> None:
    dup.name_hi, dup.name_latin = _vary_names(original.name_hi, rng)
    dup.mobile = original.mobile
    dup.pin, dup.village = "", ""  # from a scheme's list that gave no address


def _same_identifier(original: Producer, dup: Producer, rng: random.Random) -> None:
    dup.name_hi, dup.name_latin = _vary_names(original.name_hi, rng)
    dup.gstin, dup.udyam, dup.pan = original.gstin, original.udyam, original.pan
    dup.pin = dup.village = ""  # the unit registered at its workshop, elsewhere


def _surname_left_out(original: Producer, dup: Producer, rng: random.Random) -> None:
    words = original.name_hi.split()
    dup.name_hi = " ".join(words[:-1]) if len(words) > 1 else original.name_hi  # "Sunita"
    dup.name_latin = latin_of(dup.name_hi)


def _typing_slip(original: Producer, dup: Producer, rng: random.Random) -> None:
    dup.name_hi = respell_hindi(original.name_hi, rng)
    latin = original.name_latin
    at = rng.randrange(1, max(2, len(latin) - 2))
    if latin[at].isalpha() and latin[at + 1].isalpha():
        latin = latin[:at] + latin[at + 1] + latin[at] + latin[at + 2 :]  # Prajapait
    dup.name_latin = latin


def _village_only(original: Producer, dup: Producer, rng: random.Random) -> None:
    dup.name_hi, dup.name_latin = _vary_names(original.name_hi, rng)
    dup.pin = ""  # no PIN code: the village is the place


IDENTIFIER = "same GSTIN or Udyam, name respelt"
# How duplicates come about, each with its weight in the set.
VARIATIONS: dict[str, tuple[Callable[[Producer, Producer, random.Random], None], int]] = {
    "the same name again": (_same_name, 2),
    "respelt in Devanagari, Latin suggested": (_respelt_hindi, 3),
    "respelt in both scripts (Ramoo, Mohd)": (_respelt_latin, 3),
    "words swapped": (_swapped, 1),
    "same mobile, name respelt, no address": (_same_mobile, 2),
    IDENTIFIER: (_same_identifier, 1),
    "village without PIN, name respelt": (_village_only, 1),
    "two letters swapped in Latin": (_typing_slip, 1),
    "surname left out": (_surname_left_out, 1),
}


@dataclass
class KnownSet:
    """Producers with known duplicates: `pairs` are the true ones, each with its variation."""

    producers: list[Producer] = field(default_factory=list)
    pairs: dict[frozenset[int], str] = field(default_factory=dict)
    relatives: set[frozenset[int]] = field(default_factory=set)


def _set_pins(maker: ProducerMaker, count: int) -> None:
    """The set's own places, about PER_PIN producers to a PIN code: PIN codes 299..., which no
    district has, and villages "... Kalan", which the generator gives no other producer. So the
    set meets no other producer of the district, and every pair flagged is one of the set's."""
    pins = []
    for number in range(max(1, count // PER_PIN)):
        villages = [
            latin_of(maker.person(False)[0].split()[0]) + ending + " Kalan"
            for ending in ("pur", "ganj")[: maker.rng.randint(1, 2)]
        ]
        pins.append((f"299{number:03d}", villages, "Sadar"))
    maker.pins = (pins, list(accumulate(1 / (rank + 3) ** 0.5 for rank in range(len(pins)))))


def _copy(original: Producer, maker: ProducerMaker, index: int) -> Producer:
    """A second record of `original`'s producer, with its own uuid, mobile and funnel stage."""
    dup, _ = maker.make(index)
    for name in ("kind", "name_hi", "name_latin", "gender", "women_led", "village", "tehsil"):
        setattr(dup, name, getattr(original, name))
    dup.pin, dup.odop_product_id = original.pin, original.odop_product_id
    dup.gstin = dup.udyam = dup.pan = dup.iec = ""
    return dup


def _relative(original: Producer, maker: ProducerMaker, index: int) -> Producer:
    """Someone else of `original`'s family: the same surname and village, another first name."""
    other, _ = maker.make(index)
    *given, surname = original.name_hi.split()
    first = given[0] if given else ""
    while first in given:  # a sibling, not a namesake
        first = maker.person(original.gender == "female")[0].split()[0]
    other.kind, other.gender, other.women_led = original.kind, original.gender, original.women_led
    other.name_hi = f"{first} {surname}"
    other.name_latin = latin_of(other.name_hi)
    other.pin, other.village, other.tehsil = original.pin, original.village, original.tehsil
    other.gstin = other.udyam = other.pan = other.iec = ""
    return other


def known_set(district: District, size: int) -> KnownSet:
    """`size` producers in `district`, DUPLICATE_SHARE of them duplicates of others."""
    rng = random.Random(size)
    maker = ProducerMaker(district, seed=DUPLICATES_LGD_CODE + size)
    _set_pins(maker, size)
    first = SET_NUMBERS
    duplicates = round(size * DUPLICATE_SHARE)
    made: list[Producer] = []
    relatives: list[tuple[int, int]] = []
    for index in range(size - duplicates):
        artisans = [
            i for i in range(max(0, len(made) - 50), len(made)) if made[i].kind == "artisan"
        ]
        if artisans and rng.random() < RELATIVE_SHARE:
            sibling = rng.choice(artisans)
            relatives.append((sibling, len(made)))
            made.append(_relative(made[sibling], maker, first + index))
        else:
            made.append(maker.make(first + index)[0])
    originals = len(made)
    kinds, weights = zip(*((name, weight) for name, (_, weight) in VARIATIONS.items()), strict=True)
    with_identifier = [i for i, p in enumerate(made) if p.gstin or p.udyam]
    artisans = [i for i, p in enumerate(made) if p.kind == "artisan" and p.mobile]
    rng.shuffle(with_identifier)
    rng.shuffle(artisans)
    varied: list[tuple[int, str]] = []
    for number in range(duplicates):
        variation = rng.choices(kinds, weights=weights)[0]
        if variation == IDENTIFIER and not with_identifier:
            variation = "respelt in both scripts (Ramoo, Mohd)"
        original = (with_identifier if variation == IDENTIFIER else artisans).pop()
        dup = _copy(made[original], maker, first + originals + number)
        VARIATIONS[variation][0](made[original], dup, rng)
        dup.name_key = key_of(dup.name_latin)
        made.append(dup)
        varied.append((original, variation))
    ids = save_producers((producer, []) for producer in made)
    found = KnownSet(producers=list(Producer.objects.filter(pk__in=ids).order_by("pk")))
    for number, (original, variation) in enumerate(varied):
        found.pairs[frozenset((ids[original], ids[originals + number]))] = variation
    found.relatives = {frozenset((ids[a], ids[b])) for a, b in relatives}
    return found


def exact_duplicates(candidate: Producer) -> list[int]:
    """The baseline: producers of the district with the same mobile, GSTIN or Udyam number."""
    same = Q(pk__in=[])
    for name in ("mobile", "gstin", "udyam"):
        if value := getattr(candidate, name):
            same |= Q(**{name: value})
    others = Producer.objects.active().filter(district_id=candidate.district_id)
    return list(others.exclude(pk=candidate.pk).filter(same).values_list("pk", flat=True))


BEFORE_LIMIT = 500  # the producers the old per-producer check compared, at most


def duplicates_before(candidate: Producer) -> list[int]:
    """The per-producer check as it was before the batch finder (commit 268472c), kept here as
    the batch's reference: one query for the producers sharing a number or a place with the
    candidate (500 at most), each compared in Python, name by name."""
    others = Producer.objects.active().filter(district_id=candidate.district_id)
    if candidate.pk:
        others = others.exclude(pk=candidate.pk)
    exact = Q(pk__in=[])
    for name in ("mobile", "gstin", "udyam"):
        if value := getattr(candidate, name):
            exact |= Q(**{name: value})
    place = Q(pk__in=[])
    if candidate.pin:
        place |= Q(pin=candidate.pin)
    if candidate.village:
        place |= Q(village__iexact=candidate.village)
    names = [n for n in (candidate.name_hi, candidate.name_latin) if n]
    found = []
    for other in others.filter(exact | place).only(
        "pk", "name_hi", "name_latin", "mobile", "gstin", "udyam", "pin", "village", "district_id"
    )[:BEFORE_LIMIT]:
        same = any(
            getattr(candidate, name) and getattr(other, name) == getattr(candidate, name)
            for name in ("mobile", "gstin", "udyam")
        )
        same_place = (candidate.pin and other.pin == candidate.pin) or (
            candidate.village and other.village.lower() == candidate.village.lower()
        )
        if not same and same_place and names:
            same = (
                max(
                    name_similarity(mine, theirs)
                    for mine in names
                    for theirs in (other.name_hi, other.name_latin)
                    if theirs
                )
                >= LIKELY_SAME
            )
        if same:
            found.append(other.pk)
    return found


@dataclass
class Scores:
    flagged: set[frozenset[int]]
    true: set[frozenset[int]]

    @property
    def precision(self) -> float:
        return len(self.flagged & self.true) / len(self.flagged) if self.flagged else 1.0

    @property
    def recall(self) -> float:
        return len(self.flagged & self.true) / len(self.true)

    @property
    def f1(self) -> float:
        both = self.precision + self.recall
        return 2 * self.precision * self.recall / both if both else 0.0

    def about(self, pks: set[int]) -> Scores:
        """The scores over the pairs that involve one of `pks` (the candidates asked about)."""
        return Scores(
            {pair for pair in self.flagged if pair & pks},
            {pair for pair in self.true if pair & pks},
        )

    def __str__(self) -> str:
        right = len(self.flagged & self.true)
        return (
            f"precision {self.precision:.3f} ({right} of {len(self.flagged)} flagged pairs), "
            f"recall {self.recall:.3f} ({right} of {len(self.true)}), F1 {self.f1:.3f}"
        )


def duplicates(scale: float) -> list[Result]:
    """Likely duplicates in a set with known ones: the district-wide batch against the
    per-producer check as it was, and find_duplicates per producer (the batch finder for one)
    against a finder that only compares mobile, GSTIN and Udyam numbers.

    BENCH_DUPLICATES_SIZE sets the set's size whatever the scale (20000: the issue's district);
    BENCH_DUPLICATES_SAMPLE how many of its producers the per-producer checks ask about (2,000 by
    default; all of them in a smaller set), the whole set's figure extrapolated from theirs."""
    district = District.objects.get(lgd_code=DUPLICATES_LGD_CODE)
    wanted = os.environ.get("BENCH_DUPLICATES_SIZE")
    # enough for a tenth to be some
    size = int(wanted) if wanted else max(100, scaled(DUPLICATES_DESIGN_SIZE, scale))
    made = known_set(district, size)
    analyze(Producer)
    try:
        return _duplicates(district, made)
    finally:
        Producer.objects.filter(pk__in=[p.pk for p in made.producers]).delete()
        analyze(Producer)


def _duplicates(district: District, made: KnownSet) -> list[Result]:
    true = set(made.pairs)
    ids = {p.pk for p in made.producers}
    sample_size = int(os.environ.get("BENCH_DUPLICATES_SAMPLE") or 2000)
    sample = made.producers
    if sample_size < len(sample):
        sample = sorted(random.Random(len(sample)).sample(sample, sample_size), key=lambda p: p.pk)
    asked = {p.pk for p in sample}
    extrapolated = len(made.producers) / len(sample)
    whole = len(sample) == len(made.producers)
    size = (
        f"{len(made.producers):,} producers ({len(true):,} duplicates, {len(made.relatives):,} "
        f"relatives) in {district.name_en}"
    )

    # The batch, as staff run it over the district (actions.do_flag_district_duplicates): read,
    # find, record. Each run starts with no name keyed yet, as in a fresh worker.
    runs = []
    for run in range(3):
        forget_keys()
        started = time.perf_counter()
        people = district_people(district)
        pairs = find_duplicates_batch(people)
        runs.append(time.perf_counter() - started)
        if run == 0:
            with transaction.atomic():
                _found, new = record_district_pairs(district, pairs)
            recorded = time.perf_counter() - started - runs[0]
    batch = Scores(
        {frozenset((p.first, p.second)) for p in pairs if p.first in ids and p.second in ids},
        true,
    )

    # The per-producer check as it was, over the sample, for the batch's reference.
    before: dict[int, list[int]] = {}
    started = time.perf_counter()
    for producer in sample:
        before[producer.pk] = duplicates_before(producer)
    before_s = time.perf_counter() - started
    old = Scores({frozenset((pk, o)) for pk, others in before.items() for o in others}, true)
    old = old.about(asked)
    # Where the two differ: the old check compared 500 of a place's producers at most, and a
    # village's name recurs under several PIN codes.
    capped = sum(1 for producer in sample if neighbours_of(producer).count() > BEFORE_LIMIT)
    only_batch = batch.about(asked).flagged - old.flagged
    only_before = old.flagged - batch.about(asked).flagged

    # find_duplicates per producer, as registration runs it, against the numbers-only finder.
    fuzzy: dict[int, list[Match]] = {}
    exact: dict[int, list[int]] = {}
    ours, theirs = iter(sample), iter(sample)
    spent = 0.0

    def fuzzy_one() -> None:
        nonlocal spent
        producer = next(ours)
        started = time.perf_counter()
        fuzzy[producer.pk] = find_duplicates(producer)
        spent += time.perf_counter() - started

    def exact_one() -> None:
        producer = next(theirs)
        exact[producer.pk] = exact_duplicates(producer)

    # Every producer once each way, alternately, as flag_duplicates runs it at registration.
    measured, baseline = compare(
        fuzzy_one, exact_one, repeat=len(sample), warmup=0, max_seconds=float("inf")
    )
    found = Scores({frozenset((pk, m.producer.pk)) for pk, ms in fuzzy.items() for m in ms}, true)
    found = found.about(asked)
    equal = Scores(
        {frozenset((pk, other)) for pk, others in exact.items() for other in others}, true
    ).about(asked)
    missed = Counter(made.pairs[pair] for pair in true - batch.flagged)
    by_pk = {p.pk: p for p in made.producers}
    wrong = batch.flagged - true
    namesakes = sum(1 for a, b in map(tuple, wrong) if _same_key(by_pk, a, b))
    relatives = len(wrong & made.relatives)
    asked_about = (
        "every producer of the set"
        if whole
        else f"a random {len(sample):,} of the set's producers, each against the whole set"
    )
    before_total = before_s * extrapolated
    before_timing = Timing(p50_ms=before_total * 1000, p95_ms=before_total * 1000, n=1)
    batch_timing = _seconds(runs)
    return [
        Result(
            f"duplicates: one batch over the district, F1 {batch.f1:.3f} "
            f"(precision {batch.precision:.3f} · recall {batch.recall:.3f})",
            size,
            batch_timing,
            before_timing,
            "the per-producer check as it was (duplicates_before), for every producer of the "
            + (
                "set"
                if whole
                else f"set: {before_s:.1f} s for {len(sample):,} of them, extrapolated × "
                f"{extrapolated:.1f}"
            ),
            target=Target("ratio", 0.1),
            note=(
                f"batch (find_duplicates_batch over the district's {len(people):,} "
                f"producers, read in one query; no name keyed beforehand): {batch}; runs of "
                + ", ".join(f"{run:.2f}" for run in runs)
                + f" s, {before_total / statistics.median(runs):.0f}× faster than the "
                f"per-producer check as it was. Recording its {new:,} flags took another "
                f"{recorded:.2f} s. "
                f"On the pairs of {asked_about}: the batch {batch.about(asked)}; the "
                f"per-producer check as it was {old}. They differ by {len(only_batch)} pairs "
                f"({len(only_batch & true)} true) only the batch flags and {len(only_before)} "
                f"only the old check did: the old check compared {BEFORE_LIMIT} producers of a "
                f"place at most, and {capped:,} of the {len(sample):,} had more (a village's "
                "name recurs under several PIN codes), so which of their pairs it saw was "
                f"chance. Wrongly flagged by the batch: {namesakes} "
                f"pairs of namesakes (the same name key in one place, which no name matcher can "
                f"tell apart), {relatives} of relatives, {len(wrong) - namesakes - relatives} "
                "others. Missed, by variation: "
                + (", ".join(f"{kind} {n}" for kind, n in missed.most_common()) or "none")
                + ". Variations: "
                + ", ".join(f"{kind} {n}" for kind, n in Counter(made.pairs.values()).most_common())
            ),
        ),
        Result(
            f"duplicates: find_duplicates per producer, F1 {found.f1:.3f}",
            size,
            measured,
            baseline,
            "per producer, a finder of the same mobile, GSTIN or Udyam number only "
            f"(one indexed query): {equal}",
            note=(
                f"find_duplicates (find_duplicates_batch for one producer, against those a query "
                f"finds sharing a number or a place) for {asked_about}: {found}; "
                f"{spent:.1f} s in all, {spent * extrapolated:.0f} s for the whole set."
            ),
        ),
    ]


def _seconds(runs: list[float]) -> Timing:
    ms = sorted(run * 1000 for run in runs)
    return Timing(p50_ms=statistics.median(ms), p95_ms=ms[-1], n=len(ms))


def _same_key(by_pk: dict[int, Producer], a: int, b: int) -> bool:
    first, second = by_pk.get(a), by_pk.get(b)
    return bool(first and second and first.name_key == second.name_key)


# ---------------------------------------------------------------------------------------------
# Import


def _sheet_row(producer: Producer, activities: list[Activity], rng: random.Random) -> list[str]:
    """`producer` as a centre's sheet has it, in the template's columns: labels and yes/no in
    Hindi, the mobile number as printed, the whole account number, often no Latin name (the
    import spells it)."""
    product = producer.odop_product
    cells = {
        "kind": KIND_LABELS[producer.kind],
        "name_hi": producer.name_hi,
        "name_latin": producer.name_latin if rng.random() < 0.5 else "",
        "gender": GENDER_LABELS.get(producer.gender, ""),
        "women_led": "हाँ" if producer.women_led else "नहीं",
        "social_category": CATEGORY_LABELS.get(producer.social_category, ""),
        "odop_product": product.name_hi if product else "",
        "activities": ", ".join(activity.name_hi for activity in activities),
        "mobile": f"{producer.mobile[3:8]} {producer.mobile[8:]}" if producer.mobile else "",
        "bank_account": f"{rng.randrange(10**10, 10**11)}" if producer.bank_ifsc else "",
        "aadhaar": producer.aadhaar_last4,
    }
    return [
        cells[column.field] if column.field in cells else str(getattr(producer, column.field, ""))
        for column in COLUMNS
    ]


KIND_LABELS: dict[str, str] = {
    Kind.ARTISAN: "कारीगर",
    Kind.SHG: "स्वयं सहायता समूह",
    Kind.MSME: "एमएसएमई इकाई",
    Kind.PRODUCER_ORG: "उत्पादक संगठन",
}
GENDER_LABELS = {"female": "महिला", "male": "पुरुष", "other": "अन्य", "undisclosed": "नहीं बताना"}
CATEGORY_LABELS = {
    "general": "सामान्य",
    "obc": "ओबीसी",
    "sc": "एससी",
    "st": "एसटी",
    "minority": "अल्पसंख्यक",
}


def import_sheet(district: District, rows: int) -> tuple[bytes, bytes, list[dict[str, object]]]:
    """A sheet of `rows` new producers of `district` in the template's columns, as CSV (UTF-8
    with a byte order mark, as Excel saves it) and as XLSX; and the same producers' field values,
    for the bare bulk_create."""
    have = Producer.objects.filter(district=district).count()
    maker = ProducerMaker(district, seed=district.lgd_code + rows)
    activities = {a.pk: a for a in Activity.objects.all()}
    rng = random.Random(rows)
    lines, values = [], []
    for index in range(rows):
        producer, chosen = maker.make(SHEET_NUMBERS + have + index)
        lines.append(_sheet_row(producer, [activities[pk] for pk in chosen], rng))
        values.append(
            {f.attname: getattr(producer, f.attname) for f in Producer._meta.concrete_fields}
        )
    text = "".join(csv_lines(template_header(), lines))
    workbook = io.BytesIO()
    write_xlsx([Sheet("Producers", template_header(), lines)], workbook)
    return text.encode("utf-8"), workbook.getvalue(), values


PARTS = ("search", "duplicates")


def run(scale: float) -> list[Result]:
    named = os.environ.get("BENCH_REGISTRY_PARTS", "")
    parts = {part.strip() for part in named.split(",") if part.strip()} or set(PARTS)
    if unknown := parts - set(PARTS):
        raise ValueError(f"BENCH_REGISTRY_PARTS: no part {', '.join(sorted(unknown))}")
    results = []
    if "search" in parts:
        results += search()
    if "duplicates" in parts:
        results += duplicates(scale)
    return results
