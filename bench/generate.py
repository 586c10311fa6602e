"""Synthetic state-scale data for the benchmarks, at any fraction of the design scale.

scale=1.0 is the state DESIGN.md designs for: 75 districts, up to 20,000 producers per district.
Every `generate_*` function adds one kind of record for a scale, in bulk, and returns how many it
made; `generate` runs them in dependency order. Add SKUs and orders as functions here when their
models exist, and call them from `generate`.

The data is deterministic for a scale (random choices come from generators seeded per district),
so two runs measure the same rows.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, islice
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Model
from faker.providers.person.hi_IN import Provider as HindiNames
from stdnum import luhn

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
    analyze()
    return sizes()


def sizes() -> dict[str, int]:
    return {
        "districts": District.objects.count(),
        "odop_products": OdopProduct.objects.count(),
        "users": User.objects.count(),
        "producers": Producer.objects.count(),
    }


LABELS = {"odop_products": "ODOP"}


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
