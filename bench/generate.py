"""Synthetic state-scale data for the benchmarks, at any fraction of the design scale.

scale=1.0 is the state DESIGN.md designs for: 75 districts, up to 20,000 producers per district.
Every `generate_*` function adds one kind of record for a scale, in bulk, and returns how many it
made; `generate` runs them in dependency order. Add orders as functions here when their models
exist, and call them from `generate`.

The data is deterministic for a scale (random choices come from generators seeded per district),
so two runs measure the same rows.
"""

from __future__ import annotations

import datetime
import random
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import accumulate, islice
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Count, Model
from faker.providers.person.hi_IN import Provider as HindiNames
from stdnum import luhn

from niryat.catalog.attributes import REQUIRED_COLUMNS, attributes_for, guess_category
from niryat.catalog.completeness import CHECK_LABELS, CHECKS, sku_problems
from niryat.catalog.models import Category, Product, ProductImage, QuantityUnit, Sku
from niryat.core.hs_codes import nomenclature
from niryat.core.models import District, OdopProduct, Role, User
from niryat.core.reference_data import load_reference_data
from niryat.registry.models import (
    STAGE_ORDER,
    Activity,
    Gender,
    Kind,
    Producer,
    SocialCategory,
    Stage,
)
from niryat.registry.name_matching import name_key
from niryat.registry.transliterate import to_latin

T = TypeVar("T")

BATCH = 5000
PASSWORD = "bench-password"  # noqa: S105 - the synthetic users' password; the database is thrown away


@dataclass(frozen=True)
class UserMix:
    """People per role at design scale (scale=1.0).

    DESIGN.md fixes districts and producers, not logins; these are our assumptions. Producers are
    the upper bound: every producer of the district signs in.
    """

    state_admins: int = 5
    state_viewers: int = 20
    district_officers: int = 2  # per district
    centre_staff: int = 10  # per district
    producers: int = 20_000  # per district


DESIGN_USERS = UserMix()


def scaled(count: int, scale: float) -> int:
    """`count` at `scale`, but at least one, so every district has someone in every role."""
    return max(1, round(count * scale))


def _batches(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def load_reference() -> None:
    """The state's districts and ODOP products (and a centre per district), from the repository."""
    load_reference_data(settings.REFERENCE_DATA_DIR)


@transaction.atomic
def generate_users(scale: float, mix: UserMix = DESIGN_USERS) -> int:
    """State users, then each district's officers, centre staff and producers. Returns the count."""
    password = make_password(PASSWORD)  # hashing is slow on purpose: once, shared by all

    def user(username: str, role: Role, district: District | None) -> User:
        return User(
            username=username,
            password=password,
            role=role,
            district=district,
            full_name=username.replace(".", " ").title(),
            is_staff=role == Role.STATE_ADMIN,
            is_superuser=role == Role.STATE_ADMIN,
        )

    def people() -> Iterator[User]:
        for role, count in [
            (Role.STATE_ADMIN, mix.state_admins),
            (Role.STATE_VIEWER, mix.state_viewers),
        ]:
            for i in range(scaled(count, scale)):
                yield user(f"bench.{role.value}.{i}", role, None)
        for district in District.objects.order_by("lgd_code"):
            for role, count in [
                (Role.DISTRICT_OFFICER, mix.district_officers),
                (Role.CENTRE_STAFF, mix.centre_staff),
                (Role.PRODUCER, mix.producers),
            ]:
                for i in range(scaled(count, scale)):
                    yield user(f"bench.{district.lgd_code}.{role.value}.{i}", role, district)

    made = 0
    for batch in _batches(people()):
        User.objects.bulk_create(batch)
        made += len(batch)
    return made


# ---------------------------------------------------------------------------------------------
# Producers


@dataclass(frozen=True)
class ProducerMix:
    """How a district's producers are spread at design scale (scale=1.0).

    DESIGN.md fixes 20,000 producers per district; the rest are our assumptions, from what centres
    describe: mostly individual artisans; PIN codes with tens to hundreds of producers each (a craft
    clusters in a few villages); most producers early in the funnel; about 40% women-led.
    """

    per_district: int = 20_000
    pins_per_district: int = 150  # weighted 1/sqrt(rank): 70 to 450 producers a PIN at 20,000
    kinds: tuple[tuple[Kind, int], ...] = (
        (Kind.ARTISAN, 85),
        (Kind.SHG, 8),
        (Kind.MSME, 5),
        (Kind.PRODUCER_ORG, 2),
    )
    stages: tuple[tuple[Stage, int], ...] = (
        (Stage.CONTACTED, 30),
        (Stage.SENSITISED, 22),
        (Stage.REGISTERED, 18),
        (Stage.TRAINED, 12),
        (Stage.CATALOGUED, 8),
        (Stage.LISTED, 5),
        (Stage.SOLD, 3),
        (Stage.EXPORTING, 2),
    )
    women_artisans: float = 0.42  # with SHGs (mostly women's groups): about 40% women-led
    muslim_names: float = 0.15  # weavers, zari and carpet workers are often Muslim
    craft_surnames: float = 0.35  # Prajapati, Vishwakarma...: surnames Faker's list lacks
    latin_respelt: float = 0.15  # the Latin name was typed, not the transliteration
    without_mobile: float = 0.08


DESIGN_PRODUCERS = ProducerMix()

# Faker's hi_IN names are pan-Indian; these are the craft communities of Uttar Pradesh it lacks.
CRAFT_SURNAMES = (
    "प्रजापति",
    "विश्वकर्मा",
    "मौर्य",
    "कुशवाहा",
    "निषाद",
    "पाल",
    "सोनकर",
    "राजभर",
    "चौरसिया",
    "कश्यप",
    "कनौजिया",
    "लोहार",
)
MUSLIM_MEN = ("इरफ़ान", "सलीम", "अनवर", "रहीम", "इमरान", "शकील", "जमील", "नसीम", "आरिफ़", "इक़बाल")
MUSLIM_WOMEN = ("रुख़साना", "शबनम", "सायरा", "नसरीन", "फ़ातिमा", "ज़ैनब", "रेहाना", "शाहीन")
MUSLIM_SURNAMES = ("अंसारी", "क़ुरैशी", "ख़ान", "सिद्दीक़ी", "सलमानी", "अंसारी")  # Ansaris twice as often
SHG_NAMES = ("लक्ष्मी", "सरस्वती", "दुर्गा", "उजाला", "जागृति", "प्रगति", "आशा", "किरण", "सखी", "एकता")
SHG_PREFIXES = ("", "जय माँ ", "श्री ", "नई ", "आदर्श ")
VILLAGE_ENDINGS = ("pur", "ganj", "nagar", "gaon", "pura", "khera", "dih", "abad", "pur Khurd")

# Spellings people write for the same name, each as (pattern, replacement); a respelt name
# takes the first that changes it, from a random starting point.
LATIN_RESPELLINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\bMohammad\b", "Mohd"),  # Mohammad Irfan, Mohd Irfan
        (r"(?<=[a-z])u\b", "oo"),  # Ramu, Ramoo
        (r"(?<=[bcdfghjklmnprstvyz])i(?=[bcdfghjklmnprstvyz]a)", "ee"),  # Sunita, Suneeta
        (r"(?<=[BbDdGgKkPpTt])h", ""),  # Shobha, Shoba; Bhola, Bola (a dropped aspirate)
        (r"\bShr", "Sr"),  # Shrivastav, Srivastav
        (r"(?<=[a-z])w", "v"),  # Kushwaha, Kushvaha; Dwivedi, Dvivedi
        (r"\bV", "B"),  # Vimla, Bimla
        (r"ey\b", "e"),  # Pandey, Pande
        (r"(?<=[a-z])e\b", "ey"),  # Dube, Dubey
        (r"iya\b", "ia"),  # Chaursiya, Chaursia
        (r"\bA(?=[b-df-hj-np-tv-z])", "Aa"),  # Arti, Aarti
        (r"au", "ou"),  # Maurya, Mourya; Chauhan, Chouhan
    )
)
# A Devanagari name typed by another person: a long vowel sign for a short one, or no nukta.
HINDI_RESPELLINGS = (("ू", "ु"), ("ु", "ू"), ("ी", "ि"), ("ि", "ी"), ("\u093c", ""))
# OBC most often; blank where it was not asked.
SOCIAL_CATEGORIES = (*SocialCategory.values, SocialCategory.OBC, SocialCategory.OBC, "")
# Stays a bijection on 10**9 numbers: the multiplier shares no factor with 2 or 5.
_MOBILE_STEP = 2_654_435_761


def respell_latin(name: str, rng: random.Random) -> str:
    """Another common Latin spelling of `name` ("Ramu Prajapati" → "Ramoo Prajapati"), or `name`."""
    start = rng.randrange(len(LATIN_RESPELLINGS))
    for pattern, replacement in LATIN_RESPELLINGS[start:] + LATIN_RESPELLINGS[:start]:
        respelt = pattern.sub(replacement, name, count=1)
        if respelt != name:
            return respelt
    return name


def respell_hindi(name: str, rng: random.Random) -> str:
    """`name` as another person might type it in Devanagari (रामू → रामु), or `name`."""
    start = rng.randrange(len(HINDI_RESPELLINGS))
    for old, new in HINDI_RESPELLINGS[start:] + HINDI_RESPELLINGS[:start]:
        if old in name:
            return name.replace(old, new, 1)
    return name


def latin_of(name_hi: str) -> str:
    """to_latin(name_hi), a word at a time: to_latin spells each word on its own, and words repeat
    far more than whole names, so remembering words makes the generator several times faster."""
    return " ".join(_latin_word(word) for word in name_hi.split())


def key_of(name_latin: str) -> str:
    """What actions.producer_name_key gives a producer with this Latin name (name_key, too, keys
    each word on its own)."""
    return " ".join(filter(None, map(_word_key, name_latin.split())))[: Producer.NAME_KEY_LENGTH]


@cache
def _latin_word(word: str) -> str:
    return to_latin(word)


@cache
def _word_key(word: str) -> str:
    return name_key(word)


def mobile_number(index: int) -> str:
    """A distinct valid Indian mobile number (E.164) for every index below 10**9 (producer
    `i` of the district with LGD code `c` has index c * 10**6 + i)."""
    return f"+91{9_000_000_000 + index * _MOBILE_STEP % 1_000_000_000}"


def _pan(rng: random.Random, holder: str, surname: str) -> str:
    """A well-formed PAN: holder type in the 4th letter (P person, F firm), surname initial 5th."""
    letters = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3))
    initial = (surname[:1] or "A").upper()
    check = rng.choice("ABCDEFGHJKLMNPRZ")
    return f"{letters}{holder}{initial}{rng.randrange(1, 10_000):04d}{check}"


def gstin_for(pan: str, state_code: str = "09") -> str:
    """A GSTIN with a valid check character (stdnum's Luhn mod 36) for `pan`."""
    body = f"{state_code}{pan}1Z"
    return body + luhn.calc_check_digit(body, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _weighted(pairs: tuple[tuple[T, int], ...]) -> tuple[list[T], list[int]]:
    return [value for value, _ in pairs], list(accumulate(weight for _, weight in pairs))


class ProducerMaker:
    """Unsaved, realistic producers of one district, the same ones for the same seed.

    Names are Hindi (Faker's hi_IN names, with UP craft surnames and Muslim names added), their
    Latin form from transliterate.to_latin, sometimes respelt as people write it ("Ramoo"). The
    district's villages sit under PIN codes of very different sizes.
    """

    def __init__(self, district: District, seed: int, mix: ProducerMix = DESIGN_PRODUCERS) -> None:
        self.district = district
        self.mix = mix
        self.rng = random.Random(seed)
        self.products = list(OdopProduct.objects.filter(district=district).order_by("pk"))
        self.activities = {
            product.pk: [a.pk for a in Activity.objects.all().for_products([product])]
            for product in self.products
        }
        self.staff_id = (
            User.objects.filter(district=district, role=Role.CENTRE_STAFF)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        self.kinds = _weighted(mix.kinds)
        self.stages = _weighted(mix.stages)
        self.pins = self._pins()
        self.men = list(HindiNames.first_names_male)
        self.women = list(HindiNames.first_names_female)
        self.surnames = list(dict.fromkeys(HindiNames.last_names))

    def _pins(self) -> tuple[list[tuple[str, list[str], str]], list[float]]:
        """PIN codes of the district with their villages and tehsil, and their weights."""
        rng = random.Random(self.district.lgd_code)
        prefix = 201 + self.district.lgd_code % 85  # UP's PIN codes run from 201 to 285
        tehsils = [f"{self.district.name_en} Sadar"] + [
            latin_of(rng.choice(HindiNames.first_names_male)) + rng.choice(("pur", "ganj"))
            for _ in range(4)
        ]
        pins = []
        for number in range(self.mix.pins_per_district):
            villages = [
                latin_of(rng.choice(HindiNames.first_names_male)) + rng.choice(VILLAGE_ENDINGS)
                for _ in range(rng.randint(1, 6))
            ]
            pins.append((f"{prefix}{number + 1:03d}", villages, rng.choice(tehsils)))
        weights = list(accumulate(1 / (rank + 3) ** 0.5 for rank in range(len(pins))))
        return pins, weights

    def place(self) -> tuple[str, str, str]:
        """(PIN, village, tehsil), larger PINs more often."""
        pin, villages, tehsil = self.rng.choices(self.pins[0], cum_weights=self.pins[1])[0]
        return pin, self.rng.choice(villages), tehsil

    def person(self, woman: bool) -> tuple[str, str]:
        """(Devanagari name, surname in Latin letters) of a person."""
        rng = self.rng
        if rng.random() < self.mix.muslim_names:
            first = rng.choice(MUSLIM_WOMEN if woman else MUSLIM_MEN)
            if not woman and rng.random() < 0.3:
                first = f"मोहम्मद {first}"
            surname = rng.choice(MUSLIM_SURNAMES)
        else:
            first = rng.choice(self.women if woman else self.men)
            craft = rng.random() < self.mix.craft_surnames
            surname = rng.choice(CRAFT_SURNAMES if craft else self.surnames)
            if woman and rng.random() < 0.25:
                surname = "देवी"  # many women are registered as "<name> Devi"
        return f"{first} {surname}", latin_of(surname)

    def latin(self, name_hi: str) -> str:
        latin = latin_of(name_hi)
        if self.rng.random() < self.mix.latin_respelt:
            return respell_latin(latin, self.rng)
        return latin

    def make(self, index: int, user_id: int | None = None) -> tuple[Producer, list[int]]:
        """Producer number `index` of the district (unsaved) and its activity ids; `user_id` is
        the producer's sign-in."""
        rng, mix = self.rng, self.mix
        kind = rng.choices(self.kinds[0], cum_weights=self.kinds[1])[0]
        product = rng.choice(self.products) if self.products else None
        pin, village, tehsil = self.place()
        gender = ""
        pan = gstin = udyam = ""
        if kind == Kind.ARTISAN:
            woman = rng.random() < mix.women_artisans
            name_hi, surname = self.person(woman)
            gender = Gender.FEMALE if woman else Gender.MALE
            if rng.random() < 0.02:
                gender = Gender.UNDISCLOSED
            women_led = woman
        elif kind == Kind.SHG:
            name_hi = f"{rng.choice(SHG_PREFIXES)}{rng.choice(SHG_NAMES)} महिला स्वयं सहायता समूह"
            surname, women_led = "", rng.random() < 0.9
            if not women_led:
                name_hi = name_hi.replace("महिला ", "")
        elif kind == Kind.MSME:
            owner, surname = self.person(rng.random() < 0.15)
            name_hi = f"{owner.split()[-1]} {rng.choice(('हस्तशिल्प', 'उद्योग', 'एंड संस'))}"
            women_led = rng.random() < 0.15
        else:
            craft = product.name_hi if product else "हस्तशिल्प"
            place = rng.choice(self.men) + rng.choice(("पुर", "गंज", "नगर"))
            name_hi = f"{place} {craft} उत्पादक संगठन"
            surname, women_led = "", rng.random() < 0.3
        name_latin = self.latin(name_hi)
        if kind in {Kind.MSME, Kind.PRODUCER_ORG} or rng.random() < 0.01:
            pan = _pan(rng, "F" if kind != Kind.ARTISAN else "P", surname or name_latin)
            if kind != Kind.ARTISAN and rng.random() < 0.7:
                gstin = gstin_for(pan)
        if kind == Kind.MSME and rng.random() < 0.9:
            code = self.district.lgd_code
            udyam = f"UDYAM-UP-{code % 100:02d}-{(code * 40_000 + index) % 10**7:07d}"
        stage = rng.choices(self.stages[0], cum_weights=self.stages[1])[0]
        late = STAGE_ORDER[stage] >= STAGE_ORDER[Stage.LISTED]
        offered = self.activities.get(product.pk, []) if product else []
        activities = rng.sample(offered, min(len(offered), rng.randint(1, 2)))
        has_mobile = rng.random() >= mix.without_mobile
        producer = Producer(
            uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            kind=kind,
            district_id=self.district.pk,
            odop_product=product,
            name_hi=name_hi,
            name_latin=name_latin,
            name_key=key_of(name_latin),
            gender=gender,
            women_led=women_led,
            social_category=rng.choice(SOCIAL_CATEGORIES),
            village=village,
            tehsil=tehsil,
            pin=pin,
            mobile=mobile_number(self.district.lgd_code * 1_000_000 + index) if has_mobile else "",
            bank_ifsc=f"SBIN0{rng.randrange(1, 100_000):06d}" if rng.random() < 0.5 else "",
            bank_account_masked=f"XXXXXXX{rng.randrange(10_000):04d}" if rng.random() < 0.5 else "",
            gstin=gstin,
            pan=pan,
            iec=pan if stage == Stage.EXPORTING else "",
            udyam=udyam,
            aadhaar_last4=f"{rng.randrange(10_000):04d}" if kind == Kind.ARTISAN else "",
            stage=stage,
            listing_consent=late or rng.random() < 0.3,
            user_id=user_id,
            created_by_id=self.staff_id,
        )
        return producer, activities


def save_producers(made: Iterable[tuple[Producer, list[int]]]) -> list[int]:
    """bulk_create producers and their activities, in batches. Returns their ids in order."""
    through = Producer.activities.through
    ids: list[int] = []
    for batch in _batches(made, 2000):
        producers = Producer.objects.bulk_create([producer for producer, _ in batch])
        ids.extend(p.pk for p in producers)
        through.objects.bulk_create(
            through(producer_id=producer.pk, activity_id=activity)
            for producer, activities in zip(producers, (a for _, a in batch), strict=True)
            for activity in activities
        )
    return ids


@transaction.atomic
def add_producers(
    district: District, count: int, *, first_index: int = 0, users: Iterable[int] = ()
) -> list[int]:
    """`count` more producers in `district`, numbered from `first_index` (which seeds them, and
    keeps their mobile numbers apart from other producers'); the first ones sign in as `users`.
    Returns their ids."""
    maker = ProducerMaker(district, seed=district.lgd_code * 1_000_003 + first_index)
    sign_ins = iter(users)
    return save_producers(maker.make(first_index + i, next(sign_ins, None)) for i in range(count))


@transaction.atomic
def generate_producers(scale: float, mix: ProducerMix = DESIGN_PRODUCERS) -> int:
    """`mix.per_district` producers at `scale` in every district; the first ones of a district
    sign in as the district's synthetic producer users. Returns the count."""
    count = scaled(mix.per_district, scale)
    made = 0
    for district in District.objects.order_by("lgd_code"):
        users = User.objects.filter(
            district=district, role=Role.PRODUCER, username__startswith="bench."
        ).order_by("pk")
        made += len(add_producers(district, count, users=users.values_list("pk", flat=True)))
    return made


# ---------------------------------------------------------------------------------------------
# Catalogue


@dataclass(frozen=True)
class CatalogMix:
    """Products, SKUs and photos at design scale (scale=1.0).

    The issue measures the product list at 100,000 SKUs in a district; that district is Gorakhpur
    (terracotta, readymade garments), and every other district has a small catalogue, so that
    scoping has something to leave out. The rest are our assumptions: products come from
    producers who have been trained or further; about two SKUs a product; a quarter of products
    finished, the others part-way, each field filled or not as staff get to it.
    """

    lgd_code: int = 148
    skus_in_district: int = 100_000
    skus_elsewhere: int = 2_000  # in every other district
    skus_per_product: tuple[tuple[int, int], ...] = ((0, 3), (1, 30), (2, 35), (3, 20), (4, 12))
    photos_per_product: tuple[tuple[int, int], ...] = ((1, 30), (2, 30), (3, 20), (4, 12), (6, 8))
    finished: float = 0.25  # every field filled, good photos
    made_to_order: float = 0.15
    weak_main_photo: float = 0.15  # of products with photos: the main one scores below 60


DESIGN_CATALOG = CatalogMix()
# Products come from producers who have reached this stage.
CATALOGUE_STAGES = tuple(s for s in Stage.values if STAGE_ORDER[s] >= STAGE_ORDER[Stage.TRAINED])
# Timestamps fall in the 18 months before this moment (fixed, so the data is the same every run).
CATALOGUE_UNTIL = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
CATALOGUE_DAYS = 540

# What products are called, by category: (English, Hindi) of the thing and of what is said
# before it. A handicrafts district's own ODOP name comes first ("Terracotta horse").
THINGS: dict[str, tuple[tuple[str, str], ...]] = {
    Category.HANDICRAFTS: (
        ("horse", "घोड़ा"),
        ("elephant", "हाथी"),
        ("Ganesha idol", "गणेश मूर्ति"),
        ("diya set", "दीया सेट"),
        ("flower vase", "फूलदान"),
        ("wall hanging", "वॉल हैंगिंग"),
        ("hanging lamp", "लटकन लैंप"),
        ("wind chime", "विंड चाइम"),
        ("planter", "गमला"),
        ("bull pair", "बैल जोड़ी"),
        ("kulhad set", "कुल्हड़ सेट"),
        ("water pot", "मटका"),
    ),
    Category.GARMENTS: (
        ("kurta", "कुर्ता"),
        ("kurti", "कुर्ती"),
        ("shirt", "शर्ट"),
        ("salwar suit", "सलवार सूट"),
        ("frock", "फ्रॉक"),
        ("pyjama", "पायजामा"),
        ("Nehru jacket", "नेहरू जैकेट"),
        ("dupatta", "दुपट्टा"),
        ("school uniform", "स्कूल यूनिफ़ॉर्म"),
    ),
    Category.KHADI: (
        ("fabric", "कपड़ा"),
        ("kurta", "कुर्ता"),
        ("shawl", "शॉल"),
        ("stole", "स्टोल"),
        ("bedsheet", "चादर"),
    ),
    Category.OTHER: (
        ("pack", "पैक"),
        ("gift box", "गिफ़्ट बॉक्स"),
        ("family pack", "फ़ैमिली पैक"),
    ),
}
QUALIFIERS: dict[str, tuple[tuple[str, str], ...]] = {
    Category.HANDICRAFTS: (
        ("", ""),
        ("hand-painted", "हाथ से रंगा"),
        ("large", "बड़ा"),
        ("small", "छोटा"),
        ("traditional", "पारंपरिक"),
        ("black", "काला"),
    ),
    Category.GARMENTS: (
        ("cotton", "सूती"),
        ("printed cotton", "प्रिंटेड सूती"),
        ("rayon", "रेयॉन"),
        ("linen", "लिनन"),
        ("embroidered", "कढ़ाईदार"),
        ("khadi", "खादी"),
    ),
    Category.KHADI: (("", ""), ("handspun", "हाथ कता"), ("plain", "सादा"), ("striped", "धारीदार")),
    Category.OTHER: (("", ""), ("premium", "प्रीमियम")),
}
SIZES = ("S", "M", "L", "XL", "XXL")
HEIGHTS_CM = ("15 cm", "20 cm", "30 cm", "45 cm", "60 cm")
COLOURS = (("white", "सफ़ेद"), ("navy blue", "गहरा नीला"), ("maroon", "मैरून"), ("natural", "प्राकृतिक"))
GST_RATES = {
    Category.HANDICRAFTS: "12",
    Category.GARMENTS: "5",
    Category.KHADI: "5",
    Category.OTHER: "18",
}
# Why a weak main photo scores low, as imaging.quality_report says it.
WEAK_PHOTO_REASONS = (
    ("blur", "The photo is blurred: hold the phone still, or tap the product to focus."),
    ("exposure", "The photo is too dark: take it in daylight, near a window."),
    ("background", "The background is not white enough around the product."),
    ("fill", "The product fills 52 % of the frame."),
)


def _hs_codes(odop: OdopProduct) -> list[str]:
    """The 6-digit HS codes under the ODOP product's usual headings (as staff would choose one)."""
    found = [
        code
        for heading in map(str, odop.hs_codes)
        for code in _subheadings(heading[:4])
        if code.startswith(heading)
    ]
    return found or ["691390"]


@cache
def _subheadings(heading: str) -> tuple[str, ...]:
    return tuple(code for code in nomenclature().codes if len(code) == 6 and code[:4] == heading)


@contextmanager
def own_timestamps(*models: type[Model]) -> Iterator[None]:
    """Let bulk_create keep the created_at and updated_at it is given (auto_now would overwrite
    them with the same instant for every row, and a list ordered by them would be unlike any
    real one)."""
    fields = [
        field
        for model in models
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    flags = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in flags:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def stored_completeness(product: Product, skus: list[Sku], images: list[ProductImage]) -> None:
    """Set the scores and `missing` that completeness.refresh_completeness would store, on the
    unsaved `product` and `skus`: the same checks, run on the objects in memory."""
    if not skus:
        product.completeness, product.missing = 0, ",variants,"
        return
    codes = set(CHECK_LABELS)
    passed = 0
    failing: dict[str, None] = {}
    for sku in skus:
        sku.product = product
        failed = {problem.check: None for problem in sku_problems(sku, images)}
        failing |= failed
        ok = len(CHECKS) - len(codes & set(failed))
        passed += ok
        sku.completeness = round(100 * ok / len(CHECKS))
    # checklist lists CHECKS in order, then the marketplaces' own checks as they come.
    ordered = [c.code for c in CHECKS if c.code in failing] + [c for c in failing if c not in codes]
    product.completeness = round(100 * passed / (len(CHECKS) * len(skus)))
    product.missing = "," + ",".join(ordered) + "," if ordered else ""


class CatalogMaker:
    """Unsaved, realistic products of one district with their SKUs and photos, the same ones for
    the same seed.

    Each product gets a share of its fields filled (all of them for a finished product); each
    field is then filled or left blank by chance, on the product or on each SKU, as staff get to
    it. Photos point at files that are never written: the list shows their names, not pixels.
    """

    def __init__(self, district: District, seed: int, mix: CatalogMix = DESIGN_CATALOG) -> None:
        self.district = district
        self.mix = mix
        self.rng = random.Random(seed)
        self.odops = {p.pk: p for p in OdopProduct.objects.filter(district=district).order_by("pk")}
        self.hs = {pk: _hs_codes(odop) for pk, odop in self.odops.items()}
        producers = Producer.objects.filter(district=district).order_by("pk")
        late = producers.filter(stage__in=CATALOGUE_STAGES)
        self.producers = list(
            (late if late.exists() else producers).values_list(
                "pk", "odop_product_id", "name_latin", "village", "pin"
            )
        )
        self.staff_id = (
            User.objects.filter(district=district, role=Role.CENTRE_STAFF)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        self.skus_per_product = _weighted(mix.skus_per_product)
        self.photos_per_product = _weighted(mix.photos_per_product)

    def _when(self) -> tuple[datetime.datetime, datetime.datetime]:
        days = self.rng.uniform(0, CATALOGUE_DAYS)
        created = CATALOGUE_UNTIL - datetime.timedelta(days=days)
        return created, created + datetime.timedelta(days=self.rng.uniform(0, days))

    def _name(self, category: str, odop: OdopProduct | None) -> tuple[str, str]:
        rng = self.rng
        thing_en, thing_hi = rng.choice(THINGS[category])
        word_en, word_hi = rng.choice(QUALIFIERS[category])
        if category == Category.HANDICRAFTS and odop is not None:
            # "Terracotta horse", "Brassware flower vase": the craft is the product's first word.
            craft = odop.name_en.split(" and ")[0]
            name_en = " ".join(
                filter(None, (word_en, craft.lower() if word_en else craft, thing_en))
            )
            name_hi = " ".join(filter(None, (word_hi, odop.name_hi.split(" एवं ")[0], thing_hi)))
        else:
            name_en = " ".join(filter(None, (word_en, thing_en)))
            name_hi = " ".join(filter(None, (word_hi, thing_hi)))
        return name_en[:1].upper() + name_en[1:200], name_hi[:200]

    def make(self) -> tuple[Product, list[Sku], list[ProductImage]]:
        rng, mix = self.rng, self.mix
        producer_id, odop_id, maker, village, pin = rng.choice(self.producers)
        odop = self.odops.get(odop_id) if odop_id else None
        if odop is None and self.odops:
            odop = rng.choice(list(self.odops.values()))
        category = guess_category(odop.name_en if odop else "")
        done = 1.0 if rng.random() < mix.finished else rng.uniform(0.3, 0.95)

        def filled() -> bool:
            return rng.random() < done

        name_en, name_hi = self._name(category, odop)
        created, updated = self._when()
        to_order = rng.random() < mix.made_to_order
        product = Product(
            uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            district_id=self.district.pk,
            producer_id=producer_id,
            odop_product=odop,
            category=category,
            name_en=name_en,
            name_hi=name_hi if filled() else "",
            gi_tag=(f"{self.district.name_en} {odop.name_en}" if odop and odop.verified else "")
            if category == Category.HANDICRAFTS and rng.random() < 0.5
            else "",
            made_to_order=to_order,
            lead_time_days=rng.choice((7, 10, 15, 21, 30)) if to_order and filled() else None,
            created_by_id=self.staff_id,
            created_at=created,
            updated_at=updated,
        )
        if filled():
            product.hs_code = rng.choice(self.hs.get(odop_id, ["691390"]))
            product.gst_rate = GST_RATES[category]
        if filled():
            product.generic_name = name_en.split()[-1].capitalize()
            product.manufacturer_name = maker
            product.manufacturer_address = (
                f"{village}, {self.district.name_en}, Uttar Pradesh {pin}".lstrip(", ")
            )
        values, weights = self.skus_per_product
        count = rng.choices(values, cum_weights=weights)[0]
        skus = [self._sku(product, number, category, filled) for number in range(count)]
        images = self._photos(product, good=filled())
        stored_completeness(product, skus, images)
        return product, skus, images

    def _sku(self, product: Product, number: int, category: str, filled: Callable[[], bool]) -> Sku:
        rng = self.rng
        colour_en, colour_hi = rng.choice(COLOURS)
        size = ""
        if category == Category.GARMENTS:
            size = SIZES[number % len(SIZES)]
        elif category == Category.HANDICRAFTS:
            size = HEIGHTS_CM[(number + rng.randrange(2)) % len(HEIGHTS_CM)]
        variant_en = ", ".join(filter(None, (size, colour_en)))
        variant_hi = ", ".join(filter(None, (size, colour_hi)))
        mrp = Decimal(rng.randrange(150, 4000, 10))
        sku = Sku(
            uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            product=product,
            producer_id=product.producer_id,
            size=size,
            colour=colour_en,
            net_quantity_unit=QuantityUnit.METRE if product.name_en.endswith("fabric") else "piece",
            created_at=product.created_at,
            updated_at=product.updated_at,
        )
        if filled():
            sku.title_en = f"{product.name_en}, {variant_en}, handmade in {self.district.name_en}"
            if filled():
                sku.bullets_en = "\n".join(
                    (
                        f"Made by hand in {self.district.name_en}, Uttar Pradesh",
                        f"{variant_en.capitalize()}",
                        "Packed safely for shipping",
                    )
                )
                sku.description_en = (
                    f"{product.name_en} from {self.district.name_en}, made by a local artisan "
                    "under the One District One Product scheme. Each piece is a little different."
                )
        if filled():
            sku.title_hi = f"{product.name_hi or product.name_en}, {variant_hi}"
            sku.bullets_hi = f"{self.district.name_hi} में हाथ से बना\nसुरक्षित पैकिंग"
        if filled():
            sku.mrp = mrp
            sku.price = (mrp * Decimal(rng.choice((0.8, 0.85, 0.9, 1)))).quantize(Decimal(1))
        if filled():
            sku.weight_g = rng.randrange(150, 3000, 10)
            sku.length_cm, sku.width_cm, sku.height_cm = (
                Decimal(rng.randrange(100, 600)) / 10 for _ in range(3)
            )
        if filled():
            sku.stock = rng.randrange(1, 200)
        if filled():
            sku.net_quantity = Decimal(1)
            sku.manufactured_on = datetime.date(2026, rng.randrange(1, 6), 1)
        # Attributes come one at a time, so a part-way SKU often has some of them.
        sku.attributes = {
            attribute.key: ATTRIBUTE_VALUES.get(attribute.key)
            or (attribute.choices[0][0] if attribute.choices else "as described")
            for attribute in attributes_for(category)
            # Optional attributes (a barcode, a brand) stay empty, as handmade goods mostly
            # have none: "as described" is no barcode a marketplace accepts.
            if attribute.required and (filled() or rng.random() < 0.5)
        }
        for column in REQUIRED_COLUMNS.get(category, ()):
            if filled() or rng.random() < 0.5:
                setattr(sku, column, self._column_value(column, product))
        sku.seller_sku = ""  # set once the product has its id, as suggest_seller_sku would
        return sku

    def _photos(self, product: Product, *, good: bool) -> list[ProductImage]:
        rng, mix = self.rng, self.mix
        if not good and rng.random() < 0.7:
            return []
        values, weights = self.photos_per_product
        count = rng.choices(values, cum_weights=weights)[0]
        weak = not good or rng.random() < mix.weak_main_photo
        images = []
        for position in range(count):
            image_uuid = uuid.UUID(int=rng.getrandbits(128), version=4)
            folder = f"catalogue/{product.uuid}/{image_uuid}"
            main = position == 0
            failed = list(rng.sample(WEAK_PHOTO_REASONS, rng.randint(1, 2))) if weak else []
            checks = [
                {
                    "name": name,
                    "passed": not any(name == n for n, _ in failed),
                    "score": 0.4 if any(name == n for n, _ in failed) else 1.0,
                    "reason": next((reason for n, reason in failed if n == name), ""),
                }
                for name in ("resolution", "blur", "exposure", "background", "fill")
            ]
            images.append(
                ProductImage(
                    uuid=image_uuid,
                    product=product,
                    position=position,
                    file_name=f"IMG_{rng.randrange(1000, 9999)}.jpg",
                    original=f"{folder}/original.jpg",
                    main=f"{folder}/main.jpg",
                    thumbnail=f"{folder}/thumbnail.jpg",
                    status=ProductImage.Status.READY,
                    quality_score=rng.randrange(25, 60) if weak and main else rng.randrange(60, 98),
                    quality=checks if main else [],
                    phash=f"{rng.getrandbits(64):016x}",
                    width=3000,
                    height=4000,
                    uploaded_by_id=self.staff_id,
                    created_at=product.created_at,
                    updated_at=product.updated_at,
                )
            )
        return images

    def _column_value(self, column: str, product: Product) -> str:
        """What staff type in a SKU column a category requires (a handicraft's material)."""
        craft = product.odop_product.name_en.split(" and ")[0] if product.odop_product else ""
        if column == "material":
            return "terracotta clay" if craft == "Terracotta" else (craft.lower() or "mixed")
        return "as described"


# A filled attribute's value, by key (attributes.ATTRIBUTES).
ATTRIBUTE_VALUES = {
    "size_chart": "chest 102, length 110",
    "fabric": "100% cotton",
    "fit": "regular",
    "care": "hand wash cold, dry in shade",
    "material": "terracotta clay",
    "dimensions": "20 × 12 × 30",
    "finish": "matt",
    "yarn_count": "40s",
    "weave": "plain",
    "fibre": "cotton",
    "fabric_width": "110",
}


def save_catalog(made: Iterable[tuple[Product, list[Sku], list[ProductImage]]]) -> int:
    """bulk_create products with their SKUs and photos, in batches. Returns the SKUs made."""
    skus_made = 0
    with own_timestamps(Product, Sku, ProductImage):
        for batch in _batches(made, 2000):
            Product.objects.bulk_create([product for product, _, _ in batch])
            skus = []
            for product, variants, _ in batch:
                prefix = re.sub(r"[^A-Z0-9]", "", (product.odop_product or product).name_en.upper())
                for number, sku in enumerate(variants, start=1):
                    sku.product = product  # now with its id
                    sku.seller_sku = f"{prefix[:4] or 'SKU'}-{product.pk:05d}-{number:02d}"
                    skus.append(sku)
            Sku.objects.bulk_create(skus)
            for product, _, images in batch:
                for image in images:
                    image.product = product
            ProductImage.objects.bulk_create([image for _, _, images in batch for image in images])
            skus_made += len(skus)
    return skus_made


@transaction.atomic
def add_catalog(district: District, skus: int, mix: CatalogMix = DESIGN_CATALOG) -> int:
    """Products of `district`'s producers until they have `skus` SKUs. Returns the SKUs made."""
    maker = CatalogMaker(district, seed=district.lgd_code * 7 + skus, mix=mix)
    if not maker.producers:
        return 0

    def products() -> Iterator[tuple[Product, list[Sku], list[ProductImage]]]:
        left = skus
        while left > 0:
            product, variants, images = maker.make()
            if len(variants) > left:
                variants = variants[:left]
                stored_completeness(product, variants, images)
            left -= len(variants)
            yield product, variants, images

    return save_catalog(products())


def generate_catalog(scale: float, mix: CatalogMix = DESIGN_CATALOG) -> int:
    """`mix.skus_in_district` SKUs at `scale` in the catalogue's district, `mix.skus_elsewhere` in
    every other one. Returns the count."""
    made = 0
    for district in District.objects.order_by("lgd_code"):
        target = mix.skus_in_district if district.lgd_code == mix.lgd_code else mix.skus_elsewhere
        made += add_catalog(district, scaled(target, scale), mix)
    return made


def analyze(*models: type[Model]) -> None:
    """Do what autovacuum would have done by now in a running PostgreSQL, for `models` (or the
    whole database): refresh the planner's statistics, and vacuum, which also moves rows just
    inserted out of a GIN index's pending list (a plain ANALYZE leaves them there, and every
    search then reads the whole list)."""
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {tables}")


def generate(scale: float) -> dict[str, int]:
    """The whole synthetic dataset at `scale`. Returns `sizes()`."""
    load_reference()
    generate_users(scale)
    generate_producers(scale)
    generate_catalog(scale)
    analyze()
    return sizes()


def sizes() -> dict[str, int]:
    return {
        "districts": District.objects.count(),
        "odop_products": OdopProduct.objects.count(),
        "users": User.objects.count(),
        "producers": Producer.objects.count(),
        "products": Product.objects.count(),
        "skus": Sku.objects.count(),
        "product_images": ProductImage.objects.count(),
    }


LABELS = {"odop_products": "ODOP", "skus": "SKUs", "product_images": "product photos"}


def describe(*kinds: str) -> str:
    """The dataset size for the table, e.g. describe("districts", "users")."""
    counts = sizes()
    return " · ".join(f"{counts[kind]:,} {LABELS.get(kind, kind)}" for kind in kinds)


def a_user(role: Role) -> User:
    """A synthetic person with `role`; the district ones are in the first district by LGD code."""
    return (
        User.objects.select_related("district")
        .filter(role=role, username__startswith="bench.")
        .order_by("district__lgd_code", "id")
        .first()
    )  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------
# The state's catalogue, copied in SQL

# DESIGN.md's state: about 1.5 M producers to 5 M SKUs.
PRODUCERS_PER_SKU = 0.3


def copy_to_state_scale(skus: int) -> int:
    """Copies of the generated producers, products, SKUs and photos until the catalogue has about
    `skus` SKUs, spread evenly over the districts, with PRODUCERS_PER_SKU producers a SKU: what
    the Python generator would take hours to make. Returns the SKUs added.

    On PostgreSQL each table is filled by one INSERT ... SELECT over generate_series, with its
    secondary indexes and constraints dropped meanwhile and built once after (kept up to date
    row by row, they took most of the time). Copy `c` of a row keeps its text (so names, crafts
    and the share of finished products stay as the generator made them) and gets its own id, a
    UUID derived from the original's, and copy `c % (producer copies + 1)` of its producer,
    in the same district. On SQLite, the Python generator adds the SKUs, district by district.
    """
    districts = list(District.objects.order_by("lgd_code"))
    per_district = skus // len(districts)
    have = dict(
        Sku.objects.order_by()
        .values_list("product__district")
        .annotate(n=Count("pk"))
        .values_list("product__district", "n")
    )
    if connection.vendor != "postgresql":
        return sum(
            add_catalog(district, per_district - have.get(district.pk, 0))
            for district in districts
            if per_district > have.get(district.pk, 0)
        )
    # Copies of every product of a district, so that it ends with about per_district SKUs.
    plan = {
        district_id: max(0, round(per_district / count) - 1)
        for district_id, count in have.items()
        if count
    }
    producer_copies = max(0, round(skus * PRODUCERS_PER_SKU / Producer.objects.count()) - 1)
    before = Sku.objects.count()
    tables = [Producer, Product, Sku, ProductImage]
    with transaction.atomic(), connection.cursor() as cursor, _indexes_built_after(cursor, tables):
        strides = {}
        for model in tables:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {model._meta.db_table}")  # noqa: S608
            strides[model] = cursor.fetchone()[0]
        producer_of = f"t.producer_id + mod(c, {producer_copies + 1}) * {strides[Producer]}"
        _copy(
            cursor,
            Producer,
            f"generate_series(1, {producer_copies}) AS c",
            strides[Producer],
            {
                # Distinct numbers, like generate.mobile_number's, for those who gave one.
                "mobile": "CASE WHEN t.mobile = '' THEN '' ELSE '+91' || "
                f"(9000000000 + mod((t.id + c * {strides[Producer]}) * {_MOBILE_STEP}, "
                "1000000000))::text END",
                "mobile_alt": "''",
                "user_id": "NULL",
            },
        )
        copies = "(VALUES " + ", ".join(f"({d}, {n})" for d, n in plan.items()) + ") AS plan(d, n)"
        by_district = f"{copies} CROSS JOIN LATERAL generate_series(1, plan.n) AS c"
        _copy(
            cursor,
            Product,
            by_district,
            strides[Product],
            {"producer_id": producer_of},
            where="t.district_id = plan.d",
        )
        product_of = f"t.product_id + c * {strides[Product]}"
        _copy(
            cursor,
            Sku,
            f"catalog_product AS p, {by_district}",
            strides[Sku],
            {
                "product_id": product_of,
                "producer_id": producer_of,
                # Unique per producer, and a producer's copy holds several copies of a product.
                "seller_sku": "t.seller_sku || '-' || c",
            },
            where="p.id = t.product_id AND p.district_id = plan.d",
        )
        _copy(
            cursor,
            ProductImage,
            f"catalog_product AS p, {by_district}",
            strides[ProductImage],
            {"product_id": product_of, "reused_from_id": "NULL"},
            where="p.id = t.product_id AND p.district_id = plan.d",
        )
        for model in tables:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
    analyze(*tables)
    return Sku.objects.count() - before


def _copy(
    cursor: CursorWrapper,
    model: type[Model],
    copies: str,
    stride: int,
    changed: dict[str, str],
    where: str = "TRUE",
) -> None:
    """INSERT ... SELECT a copy of every row of `model` with id up to `stride` (the originals)
    for each `c` of `copies`: id + c × stride, a UUID from the original's and `c`, and the
    `changed` columns' expressions (over the original `t`)."""
    table = model._meta.db_table
    columns = [field.column for field in model._meta.concrete_fields]
    expressions = {
        column: f"t.{column}" for column in columns if column not in ("id", "uuid")
    } | changed
    expressions["id"] = f"t.id + c * {stride}"
    expressions["uuid"] = "md5(t.uuid::text || c)::uuid"
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - our own names and numbers
        f"SELECT {', '.join(expressions[column] for column in columns)} "
        f"FROM {table} AS t, {copies} WHERE t.id <= {stride} AND {where}"
    )


@contextmanager
def _indexes_built_after(cursor: CursorWrapper, models: list[type[Model]]) -> Iterator[None]:
    """Drop the tables' secondary indexes, unique and foreign-key constraints (not those that
    another table's foreign key needs), then build them again, each in one pass."""
    tables = [model._meta.db_table for model in models]
    cursor.execute(
        """SELECT con.conrelid::regclass::text, con.conname, pg_get_constraintdef(con.oid)
        FROM pg_constraint con
        WHERE con.conrelid = ANY(%s::regclass[]) AND con.contype IN ('u', 'f')
        AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f'
                        AND f.conindid = con.conindid AND con.contype = 'u')""",
        [tables],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)""",
        [tables],
    )
    indexes = cursor.fetchall()
    for table, name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    for _name, definition in indexes:
        cursor.execute(definition)
    for table, name, definition in constraints:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
