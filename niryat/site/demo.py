"""The living demo: producers at every funnel stage, products with photos, listings live on the
fake marketplaces, orders in every state, stock moves and a consignment.

Everything is written through the apps' own actions, as staff would through the pages, so the demo
shows what the code really does (completeness, funnel stages proven by events, the outbox). Two
parts:

- `seed_catalogue` (no network): producers, consent, groups, products, photos through the imaging
  pipeline, SKUs. `make setup` runs it.
- `seed_marketplaces` (demo mode, the fakes of `fakes/` listening): the centres' seller accounts,
  listings, orders, a consignment, and Gorakhpur's ONDC node with its terms, its producers'
  pickup places and PANs. The fakes forget everything when they stop, so every `make run` calls
  it again: it connects and orders only once, pushes again any live listing that its marketplace
  no longer shows, and lists the node again in the fake ONDC registry.

Both are idempotent: a second run changes nothing.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from niryat.catalog.actions import (
    do_add_image,
    do_add_sku,
    do_create_product,
    do_update_sku,
    process_image_now,
)
from niryat.catalog.models import Category, Product, Sku
from niryat.channels import outbox
from niryat.channels.actions import (
    do_add_warehouse,
    do_connect_account,
    do_push,
    do_record_fsn,
    do_request_orders,
    do_send_consignment,
    do_set_exchange_rate,
    do_set_order_state,
    do_update_account_settings,
    do_update_credentials,
)
from niryat.channels.base import ChannelError
from niryat.channels.models import (
    ChannelAccount,
    ExchangeRate,
    Listing,
    OndcLocation,
    OndcNode,
    Order,
    OutboxEntry,
    Warehouse,
)
from niryat.channels.ondc.actions import do_set_up_ondc_node, do_update_ondc_terms
from niryat.channels.ondc.catalogue import ondc_problems
from niryat.channels.ondc.catalogue_actions import do_set_ondc_location
from niryat.channels.registry import channel_for
from niryat.core import http
from niryat.core.actions import do_update_centre
from niryat.core.demo import DEMO_DISTRICTS
from niryat.core.models import District, OdopProduct, User
from niryat.events.actions import do_create_event
from niryat.events.models import Event
from niryat.registry.actions import (
    do_add_member,
    do_enable_producer_sign_in,
    do_move_stage,
    do_record_consent,
    do_register_producer,
    do_update_producer,
)
from niryat.registry.models import Consent, Kind, Membership, Producer, Stage
from niryat.showcase.actions import (
    ExhibitionInput,
    do_add_hall,
    do_set_exhibition,
    do_update_profile,
)
from niryat.showcase.models import Feedback
from niryat.showcase.voice_actions import FeedbackInput, do_record_feedback
from niryat.site.demo_photos import product_photo

GORAKHPUR, VARANASI, LUCKNOW, MORADABAD = DEMO_DISTRICTS
# Every demo producer has a mobile number in this block; the first is the demo's marker.
FIRST_MOBILE = 9839000100
CENTRE_PHONE = "+91 98390 00099"  # made up, in the same block
# Gorakhpur's ONDC node: its subscriber id (*.localhost is loopback, RFC 6761, and ONDC's log
# utility refuses a bare IP address) and made-up terms; the GSTIN's check character is right.
ONDC_SUBSCRIBER = "edc-gorakhpur.localhost"
ONDC_TERMS = {
    "delivery_charge": Decimal("80.00"),
    "packing_charge": Decimal("20.00"),
    "serviceable_pins": "1, 2, 3, 4, 5, 6, 7, 8",  # all of India but the Army Post Office (9)
    "support_phone": "9839000099",
    "support_email": "ondc.gorakhpur@example.org",
    "gstin": "09AAAGE1234F1ZW",
    "settlement_beneficiary": "EDC Gorakhpur",
    "settlement_account": "000123456789",
    "settlement_ifsc": "SBIN0000123",
    "settlement_bank": "State Bank of India",
    "settlement_branch": "Gorakhpur Main",
}
# PAN's fourth letter is the holder's status: a person, an association (an SHG) or a company.
PAN_STATUS = {Kind.ARTISAN: "P", Kind.SHG: "A", Kind.MSME: "C", Kind.PRODUCER_ORG: "C"}
ACCOUNT_NAME = "EDC %(district)s (demo)"
# The Flipkart listing left waiting for its FSN, to show that step.
WAITING_FOR_FSN = "GKP-DIYA-12"
TERRACOTTA = (176, 84, 52)
BRASS = (196, 150, 60)
SILK = (150, 30, 60)
CHIKAN = (110, 160, 200)  # white thread on powder-blue cotton
PINK = (210, 100, 140)


@dataclass(frozen=True)
class DemoProducer:
    key: str
    lgd: int
    kind: Kind
    name_hi: str
    name_latin: str  # "" is spelt from the Hindi name, as the registration page does
    stage: Stage  # where staff have moved them; events move them on from there
    consent: bool = False  # listing consent recorded (a signed form)
    gender: str = ""
    village: str = ""
    udyam: str = ""
    members: tuple[tuple[str, Membership.GroupRole], ...] = ()  # keys of members and their role


@dataclass(frozen=True)
class DemoSku:
    seller_sku: str
    title_en: str
    title_hi: str
    price: Decimal
    stock: int
    weight_g: int | None = 1500
    size: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoProduct:
    producer: str
    name_en: str
    name_hi: str
    category: Category
    hs_code: str
    generic_name: str
    material: str
    shape: str | None  # the drawn photo; None: no photo yet (the checklist shows it)
    colour: tuple[int, int, int]
    skus: tuple[DemoSku, ...]


# Staff move people to "trained" at most; a ready product proves "catalogued", a live listing
# "listed", a delivered order "sold" (the funnel moves by itself), and staff record "exporting".
PRODUCERS = (
    # Gorakhpur, terracotta: the whole story.
    DemoProducer(
        "ramu", GORAKHPUR, Kind.ARTISAN, "रामू प्रजापति", "Ramu Prajapati", Stage.TRAINED,
        consent=True, gender="male", village="Aurangabad",
    ),
    DemoProducer(
        "laxmi", GORAKHPUR, Kind.SHG, "माँ लक्ष्मी स्वयं सहायता समूह",
        "Maa Laxmi Self-Help Group", Stage.TRAINED, consent=True, village="Bhathat",
        members=(
            ("sunita", Membership.GroupRole.PRESIDENT),
            ("geeta", Membership.GroupRole.SECRETARY),
            ("kamla", Membership.GroupRole.MEMBER),
        ),
    ),
    DemoProducer(
        "sunita", GORAKHPUR, Kind.ARTISAN, "सुनीता देवी", "Sunita Devi", Stage.TRAINED,
        gender="female", village="Bhathat",
    ),
    DemoProducer(
        "geeta", GORAKHPUR, Kind.ARTISAN, "गीता प्रजापति", "", Stage.REGISTERED,
        gender="female", village="Bhathat",
    ),
    DemoProducer(
        "kamla", GORAKHPUR, Kind.ARTISAN, "कमला देवी", "", Stage.SENSITISED,
        gender="female", village="Bhathat",
    ),
    DemoProducer(
        "crafts", GORAKHPUR, Kind.MSME, "गोरखपुर टेराकोटा क्राफ्ट्स",
        "Gorakhpur Terracotta Crafts", Stage.TRAINED, consent=True, village="Gorakhpur",
        udyam="UDYAM-UP-28-0012345",
    ),
    DemoProducer(
        "matikala", GORAKHPUR, Kind.PRODUCER_ORG, "माटी कला उत्पादक कंपनी",
        "Mati Kala Producer Company", Stage.TRAINED, consent=True, village="Aurangabad",
    ),
    DemoProducer(
        "mohan", GORAKHPUR, Kind.ARTISAN, "मोहन लाल", "Mohan Lal", Stage.CONTACTED,
        gender="male", village="Gulharia",
    ),
    # Varanasi: silk and toys.
    DemoProducer(
        "ansari", VARANASI, Kind.ARTISAN, "अब्दुल अंसारी", "Abdul Ansari", Stage.TRAINED,
        consent=True, gender="male", village="Madanpura",
    ),
    DemoProducer(
        "kashi", VARANASI, Kind.SHG, "काशी खिलौना स्वयं सहायता समूह", "Kashi Toys SHG",
        Stage.TRAINED, village="Kashmiriganj",
    ),
    DemoProducer(
        "rekha", VARANASI, Kind.ARTISAN, "रेखा मौर्य", "", Stage.CONTACTED,
        gender="female", village="Lohta",
    ),
    # Lucknow: chikankari.
    DemoProducer(
        "nazia", LUCKNOW, Kind.ARTISAN, "नाज़िया बानो", "Nazia Bano", Stage.TRAINED,
        consent=True, gender="female", village="Chowk",
    ),
    DemoProducer(
        "awadh", LUCKNOW, Kind.MSME, "अवध चिकन हाउस", "Awadh Chikan House", Stage.SENSITISED,
        village="Aminabad",
    ),
    # Moradabad: brass.
    DemoProducer(
        "pital", MORADABAD, Kind.MSME, "पीतल नगरी हस्तशिल्प", "Peetal Nagri Handicrafts",
        Stage.TRAINED, consent=True, village="Lakdi Fazalpur",
    ),
    DemoProducer(
        "salim", MORADABAD, Kind.ARTISAN, "सलीम अहमद", "Salim Ahmad", Stage.REGISTERED,
        gender="male", village="Katghar",
    ),
)  # fmt: skip


def _terracotta(code: str, en: str, hi: str, price: str, stock: int, **extra: Any) -> DemoSku:
    return DemoSku(code, en, hi, Decimal(price), stock, **extra)


PRODUCTS = (
    DemoProduct(
        "ramu", "Terracotta horse", "टेराकोटा घोड़ा", Category.HANDICRAFTS, "69139000",
        "Terracotta figurine", "terracotta clay", "horse", TERRACOTTA,
        (
            _terracotta("GKP-HORSE-30", "Gorakhpur terracotta horse, handmade, 30 cm",
                        "गोरखपुर टेराकोटा घोड़ा, हस्तनिर्मित, 30 सेमी", "950.00", 20, size="30 cm"),
            _terracotta("GKP-HORSE-45", "Gorakhpur terracotta horse, handmade, 45 cm",
                        "गोरखपुर टेराकोटा घोड़ा, हस्तनिर्मित, 45 सेमी", "1450.00", 8, size="45 cm",
                        weight_g=2600),
        ),
    ),
    DemoProduct(
        "ramu", "Terracotta elephant lamp", "टेराकोटा हाथी दीया", Category.HANDICRAFTS,
        "69139000", "Terracotta lamp", "terracotta clay", "lamp", TERRACOTTA,
        (_terracotta("GKP-LAMP-01", "Terracotta elephant oil lamp, handmade in Gorakhpur",
                     "टेराकोटा हाथी तेल दीया, गोरखपुर में हस्तनिर्मित", "650.00", 15),),
    ),
    DemoProduct(
        "laxmi", "Terracotta diya set", "टेराकोटा दीया सेट", Category.HANDICRAFTS, "69139000",
        "Terracotta diyas", "terracotta clay", "diyas", (190, 100, 60),
        (_terracotta(WAITING_FOR_FSN, "Terracotta diya set of 12, hand-painted",
                     "टेराकोटा दीया सेट, 12 दीये, हाथ से रंगे", "399.00", 40, weight_g=900),),
    ),
    DemoProduct(
        "matikala", "Terracotta vase", "टेराकोटा फूलदान", Category.HANDICRAFTS, "69139000",
        "Terracotta vase", "terracotta clay", "vase", (160, 75, 45),
        (_terracotta("GKP-VASE-01", "Terracotta flower vase, wheel-thrown, 35 cm",
                     "टेराकोटा फूलदान, चाक पर बना, 35 सेमी", "1200.00", 10, size="35 cm"),),
    ),
    # Not ready: no photo and no weight, so its checklist shows what is missing.
    DemoProduct(
        "crafts", "Terracotta wall plate", "टेराकोटा दीवार प्लेट", Category.HANDICRAFTS,
        "69139000", "Terracotta wall plate", "terracotta clay", None, TERRACOTTA,
        (_terracotta("GKP-PLATE-01", "Terracotta wall plate with tree of life, 30 cm",
                     "टेराकोटा दीवार प्लेट, जीवन वृक्ष, 30 सेमी", "800.00", 6, weight_g=None),),
    ),
    DemoProduct(
        "ansari", "Banarasi silk dupatta", "बनारसी रेशमी दुपट्टा", Category.HANDICRAFTS,
        "62141010", "Silk dupatta", "silk", "cloth", SILK,
        (_terracotta("VNS-DUPATTA-01", "Banarasi silk dupatta with zari border, maroon",
                     "बनारसी रेशमी दुपट्टा, ज़री बॉर्डर, मैरून", "2400.00", 12, weight_g=300),),
    ),
    # Ready, but its group has not agreed to be listed yet: it stays "catalogued".
    DemoProduct(
        "kashi", "Pink meenakari toy horse", "गुलाबी मीनाकारी खिलौना घोड़ा", Category.HANDICRAFTS,
        "95030090", "Wooden toy", "wood", "horse", PINK,
        (_terracotta("VNS-TOY-01", "Varanasi pink meenakari wooden toy horse, 15 cm",
                     "वाराणसी गुलाबी मीनाकारी लकड़ी का खिलौना घोड़ा, 15 सेमी", "450.00", 25,
                     weight_g=250),),
    ),
    DemoProduct(
        "nazia", "Chikankari table cover", "चिकनकारी मेज़पोश", Category.HANDICRAFTS, "63049239",
        "Embroidered table cover", "cotton", "cloth", CHIKAN,
        (_terracotta("LKO-CHIKAN-01", "Lucknow chikankari table cover, hand-embroidered",
                     "लखनऊ चिकनकारी मेज़पोश, हाथ की कढ़ाई", "1100.00", 9, weight_g=400),),
    ),
    DemoProduct(
        "pital", "Brass flower pot", "पीतल का गमला", Category.HANDICRAFTS, "74181022",
        "Brass planter", "brass", "pot", BRASS,
        (_terracotta("MBD-POT-01", "Moradabad brass flower pot, hand-engraved, 20 cm",
                     "मुरादाबाद पीतल गमला, हाथ की नक्काशी, 20 सेमी", "1800.00", 14, weight_g=1200),),
    ),
)  # fmt: skip

# The demo accounts' credentials: made-up ones the fakes accept (README, "Demo mode"). Each centre
# has its own seller account, as on the real marketplaces: its own refresh token, application or
# seller id, so that a fake answers each district with its own orders only.
EBAY = {
    "client_id": "NiryatEDC-niryat-PRD-5a1b2c3d4-e5f6a7b8",
    "client_secret": "PRD-a1b2c3d4e5f6-a7b8-c9d0-e1f2-a3b4",
    "refresh_token": "v^1.1#i^1#r^1#f^0#I^3#p^3#t^Ul4xMF8xOkZBS0VfUkVGUkVTSA==",
}
EBAY_SETTINGS = {
    "marketplace_id": "EBAY_US",
    "currency": "USD",
    "merchant_location_key": "GKP-EDC-01",
    "fulfillment_policy_id": "6196944000",
    "payment_policy_id": "6196947000",
    "return_policy_id": "6196948000",
}
# district → (its name in the made-up identities, its Flipkart application's number, the code in
# its Amazon seller id); Gorakhpur's are the ones README lists.
SELLERS = {
    GORAKHPUR: ("", "0001", "DEMO"),
    VARANASI: ("varanasi", "0002", "VNS"),
    LUCKNOW: ("lucknow", "0003", "LKO"),
    MORADABAD: ("moradabad", "0004", "MBD"),
}


def demo_credentials(lgd: int, channel: str) -> tuple[dict[str, str], dict[str, str]]:
    """The made-up credentials and settings of a district's demo account on `channel`."""
    name, application, code = SELLERS[lgd]
    if channel == "amazon":
        return (
            {
                "client_id": "amzn1.application-oa2-client.demo",
                "client_secret": "demo-secret",
                "refresh_token": f"Atzr|demo-{name}" if name else "Atzr|demo",
            },
            {"seller_id": f"A2EDC{code}", "marketplace_id": "A21TJRUUN4KGV"},
        )
    if channel == "flipkart":
        return (
            {
                "application_id": f"fk-app-{application}",
                "application_secret": f"fk-secret-{application}",
            },
            {"location_id": f"LOCDEMO{application[2:]}"},
        )
    # The fake eBay takes the refresh token with "#u^<user name>" as another seller's.
    token = EBAY["refresh_token"] + (f"#u^{name}_edc" if name else "")
    return {**EBAY, "refresh_token": token}, dict(EBAY_SETTINGS)


# Which district sells on which marketplace, and which SKUs each account lists.
LISTINGS: dict[int, dict[str, tuple[str, ...]]] = {
    GORAKHPUR: {
        "amazon": (
            "GKP-HORSE-30",
            "GKP-HORSE-45",
            "GKP-LAMP-01",
            "GKP-VASE-01",
            WAITING_FOR_FSN,
            "GKP-PLATE-01",  # refused: not ready, with its reasons on the listing
        ),
        "flipkart": ("GKP-HORSE-30", "GKP-LAMP-01", WAITING_FOR_FSN),
        "ebay": ("GKP-HORSE-30", "GKP-LAMP-01", "GKP-VASE-01"),
    },
    VARANASI: {"amazon": ("VNS-DUPATTA-01",)},
    LUCKNOW: {"flipkart": ("LKO-CHIKAN-01",)},
    MORADABAD: {"ebay": ("MBD-POT-01",), "amazon": ("MBD-POT-01",)},
}
# Left as drafts on purpose: a SKU that is not ready (its reasons on the listing), and a Flipkart
# listing waiting for the FSN that Seller Hub gives.
DRAFTS = {(GORAKHPUR, "amazon", "GKP-PLATE-01"), (GORAKHPUR, "flipkart", WAITING_FOR_FSN)}
# The FSNs "Seller Hub gave" (the fake Flipkart takes any 16 letters and digits).
FSNS = {"GKP-HORSE-30": "TRCFZ8GHYQ2HNXJM", "GKP-LAMP-01": "LMPFZ7KQW3ZPD4RA"}
FSNS["LKO-CHIKAN-01"] = "TBCFZ5HDN8QXW2LK"
WAYBILL = ("India Post", "EM123456785IN")


@dataclass(frozen=True)
class DemoOrder:
    channel: str
    seller_sku: str
    path: tuple[str, ...]  # the states staff move it through, in order


ORDERS = (
    DemoOrder("amazon", "GKP-HORSE-30", ()),  # new
    DemoOrder("amazon", "GKP-LAMP-01", (Order.State.ACCEPTED,)),
    DemoOrder("flipkart", "GKP-HORSE-30", (Order.State.ACCEPTED, Order.State.PACKED)),
    DemoOrder(
        "amazon",
        "GKP-HORSE-45",
        (Order.State.ACCEPTED, Order.State.PACKED, Order.State.SHIPPED),
    ),
    DemoOrder(
        "amazon",
        "GKP-VASE-01",
        (Order.State.ACCEPTED, Order.State.PACKED, Order.State.SHIPPED, Order.State.DELIVERED),
    ),
    DemoOrder(
        "ebay",
        "GKP-HORSE-30",
        (Order.State.ACCEPTED, Order.State.PACKED, Order.State.SHIPPED, Order.State.DELIVERED),
    ),
    DemoOrder("flipkart", "GKP-LAMP-01", (Order.State.CANCELLED,)),
    DemoOrder(
        "ebay",
        "GKP-LAMP-01",
        (
            Order.State.ACCEPTED,
            Order.State.PACKED,
            Order.State.SHIPPED,
            Order.State.DELIVERED,
            Order.State.RETURNED,
        ),
    ),
)


class DemoError(Exception):
    """The demo could not be made (a fake marketplace is not listening, a call failed)."""


def district_slug(district: District) -> str:
    return district.name_en.lower().replace(" ", "")


def _staff(district: District) -> User:
    # The demo's people (niryat/core/demo.py) come first: every district has its staff.
    return User.objects.get(username=f"{district_slug(district)}.staff")


def demo_districts() -> dict[int, District]:
    return {d.lgd_code: d for d in District.objects.filter(lgd_code__in=DEMO_DISTRICTS)}


def _mobile(index: int) -> str:
    return f"+91{FIRST_MOBILE + index}"


def catalogue_exists() -> bool:
    return Producer.objects.filter(mobile=_mobile(0)).exists()


def demo_producers() -> dict[str, Producer]:
    by_mobile = {_mobile(i): spec.key for i, spec in enumerate(PRODUCERS)}
    return {by_mobile[p.mobile]: p for p in Producer.objects.filter(mobile__in=list(by_mobile))}


@dataclass
class Seeded:
    """What a seeding run did, for the command to print."""

    created: list[str] = field(default_factory=list)
    existed: list[str] = field(default_factory=list)


# --- the catalogue (no network) ----------------------------------------------------------------


def seed_catalogue(report: Seeded) -> None:
    """Producers, consent, groups, products with processed photos and SKUs, once."""
    districts = demo_districts()
    if catalogue_exists():
        report.existed.append("producers and products")
        return
    if set(districts) != set(DEMO_DISTRICTS):
        report.existed.append("no demo producers: the demo districts are not in the reference data")
        return
    with transaction.atomic():
        producers = _register(districts)
        products = _catalogue(producers)
        _voices(producers)
        # Gorakhpur's producers see their centre's number; the other centres' staff are still
        # asked for theirs.
        gorakhpur = districts[GORAKHPUR]
        do_update_centre(gorakhpur.centre, acting_user=_staff(gorakhpur), phone=CENTRE_PHONE)
        _garment_fair(gorakhpur)
    report.created.append(
        f"created {len(producers)} producers and {len(products)} products with "
        f"{sum(p.skus.count() for p in products)} SKUs"
    )


def _garment_fair(gorakhpur: District) -> None:
    """Seed 000: a virtual garment exhibition planned for Gorakhpur's entrepreneurs. It opens in
    two weeks with two halls; staff add the garment makers who agree to be shown."""
    staff = _staff(gorakhpur)
    opens_on = timezone.localdate() + datetime.timedelta(days=14)
    fair = do_create_event(
        gorakhpur,
        {
            "kind": Event.Kind.EXHIBITION,
            "title": "Gorakhpur readymade garments fair",
            "starts_on": opens_on,
            "ends_on": opens_on + datetime.timedelta(days=2),
            "venue": "Gorakhpur",
        },
        acting_user=staff,
    )
    exhibition = do_set_exhibition(
        fair,
        ExhibitionInput(
            title_en="Gorakhpur readymade garments: online exhibition",
            title_hi="गोरखपुर रेडीमेड वस्त्र: वर्चुअल प्रदर्शनी",
            opens_on=opens_on,
            closes_on=opens_on + datetime.timedelta(days=6),
        ),
        acting_user=staff,
    )
    do_add_hall(exhibition, name_en="Womenswear", name_hi="महिला परिधान", acting_user=staff)
    do_add_hall(exhibition, name_en="Menswear", name_hi="पुरुष परिधान", acting_user=staff)


def _register(districts: dict[int, District]) -> dict[str, Producer]:
    today = timezone.localdate()
    producers: dict[str, Producer] = {}
    for index, spec in enumerate(PRODUCERS):
        district = districts[spec.lgd]
        staff = _staff(district)
        values: dict[str, Any] = {
            "kind": spec.kind,
            "name_hi": spec.name_hi,
            "name_latin": spec.name_latin,
            "gender": spec.gender,
            "odop_product": OdopProduct.objects.filter(district=district).order_by("pk").first(),
            "village": spec.village,
            "mobile": _mobile(index),
            "udyam": spec.udyam,
            "stage": spec.stage,
        }
        producer = do_register_producer(district, values, acting_user=staff)
        if spec.consent:
            do_record_consent(
                producer,
                purpose=Consent.Purpose.LIST_ON_MARKETPLACES,
                given=True,
                on=today - datetime.timedelta(days=30),
                method=Consent.Method.PAPER,
                acting_user=staff,
            )
            # They agreed to the public showcase on the same form (niryat/showcase).
            do_update_profile(
                producer,
                shown=True,
                agreed_on=today - datetime.timedelta(days=30),
                method=Consent.Method.PAPER,
                story_hi="",
                story_en="",
                acting_user=staff,
            )
        producers[spec.key] = producer
    for spec in PRODUCERS:
        for member, role in spec.members:
            do_add_member(
                producers[spec.key],
                producers[member],
                role=role,
                joined_on=today - datetime.timedelta(days=400),
                acting_user=_staff(districts[spec.lgd]),
            )
    # The demo producer account signs in as Ramu, with the demo password or a code by SMS.
    ramu = producers["ramu"]
    account = User.objects.filter(username=f"{district_slug(ramu.district)}.producer").first()
    if account is not None and not Producer.objects.filter(user=account).exists():
        do_enable_producer_sign_in(ramu, user=account, acting_user=_staff(ramu.district))
        account.full_name = ramu.name_hi  # the header names who is signed in
        account.save(update_fields=["full_name"])
    return producers


# ODOP sellers tell of selling online (seed 002), and agreed on the form to show it publicly.
VOICES = (
    (
        "ramu",
        "flipkart",
        5,
        "फ्लिपकार्ट पर घोड़े बिकने लगे तो गाँव के बाहर के खरीदार मिले; पैसा सीधे खाते में आता है।",
    ),
    (
        "ansari",
        "amazon",
        4,
        "Amazon brought orders from Bengaluru and Pune. Packing silk well took time to learn.",
    ),
    ("nazia", "", 5, "केन्द्र ने फ़ोटो और विवरण लिखने में मदद की, अब ऑर्डर खुद संभालती हूँ।"),
)


def _voices(producers: dict[str, Producer]) -> None:
    for key, channel, rating, text in VOICES:
        producer = producers[key]
        do_record_feedback(
            producer,
            FeedbackInput(
                about=Feedback.About.MARKETPLACE if channel else Feedback.About.CENTRE,
                channel=channel,
                rating=rating,
                text=text,
                given_on=timezone.localdate() - datetime.timedelta(days=7),
            ),
            show_publicly=True,
            consent_method=Consent.Method.PAPER,
            acting_user=_staff(producer.district),
        )


def _catalogue(producers: dict[str, Producer]) -> list[Product]:
    products = []
    for number, spec in enumerate(PRODUCTS):
        producer = producers[spec.producer]
        staff = _staff(producer.district)
        product = do_create_product(
            producer,
            acting_user=staff,
            category=spec.category,
            name_en=spec.name_en,
            name_hi=spec.name_hi,
            hs_code=spec.hs_code,
            gst_rate="5",
            generic_name=spec.generic_name,
            manufacturer_name=producer.name_latin,
            manufacturer_address=f"{producer.village}, {producer.district.name_en}",
        )
        for sku in spec.skus:
            do_add_sku(
                product,
                acting_user=staff,
                seller_sku=sku.seller_sku,
                title_en=sku.title_en,
                title_hi=sku.title_hi,
                bullets_en=f"Handmade by {producer.name_latin}\nOne District One Product of "
                f"{producer.district.name_en}",
                description_en=f"{sku.title_en}. Made in {producer.village}, "
                f"{producer.district.name_en}, Uttar Pradesh.",
                material=spec.material,
                size=sku.size,
                attributes={"dimensions": "30 × 15 × 30", "finish": "hand-finished"},
                mrp=(sku.price * Decimal("1.25")).quantize(Decimal("1")),
                price=sku.price,
                net_quantity=Decimal(1),
                weight_g=sku.weight_g,
                length_cm=Decimal("35.0"),
                width_cm=Decimal("20.0"),
                height_cm=Decimal("35.0"),
                manufactured_on=timezone.localdate() - datetime.timedelta(days=60),
                stock=sku.stock,
            )
        if spec.shape is not None:
            image = do_add_image(
                product,
                product_photo(spec.shape, spec.colour, seed=number + 1),
                file_name=f"{spec.shape}.jpg",
                acting_user=staff,
            )
            # Processed here, not by the worker, so that the product is ready before the push.
            process_image_now(image)
        products.append(product)
    return products


# --- the marketplaces (the fakes listening) ----------------------------------------------------


def drain_outbox(timeout: float = 45.0) -> None:
    """Make every marketplace call the demo queued, now, as the task worker would (with short
    waits between a submission and its poll: the fakes answer at once)."""
    waiting = OutboxEntry.objects.filter(state__in=outbox.UNFINISHED)
    deadline = time.monotonic() + timeout
    with override_settings(CHANNEL_POLL_SECONDS=0.1, CHANNEL_RETRY_SECONDS=0.2):
        while waiting.exists():
            if time.monotonic() > deadline:
                stuck = ", ".join(f"{e.operation} ({e.last_error})" for e in waiting[:5])
                raise DemoError(f"marketplace calls did not finish: {stuck}")
            if not outbox.run_due(now=timezone.now()):
                time.sleep(0.05)


def _fake_call(channel: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """Demo mode only: the fakes' control paths (a buyer's order), as README's curl examples."""
    return _fake_post(settings.CHANNEL_ENDPOINTS[channel], path, body)


def _fake_post(base: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    try:
        with http.new_client(base) as client:
            response: dict[str, Any] = http.send(client, "POST", path, json=body).json()
    except http.HttpError as exc:
        raise DemoError(f"{base}{path}: {exc} {exc.body}") from exc
    return response


def _accounts(districts: dict[int, District]) -> dict[tuple[int, str], ChannelAccount]:
    accounts = {}
    for lgd, channels in LISTINGS.items():
        district = districts[lgd]
        for channel in channels:
            name = ACCOUNT_NAME % {"district": district.name_en}
            account = ChannelAccount.objects.filter(
                district=district, channel=channel, name=name
            ).first()
            credentials, account_settings = demo_credentials(lgd, channel)
            if account is not None and lgd != GORAKHPUR:
                _own_seller(account, credentials, account_settings)
            if account is None:
                try:
                    account = do_connect_account(
                        district=district,
                        channel=channel,
                        name=name,
                        credentials=credentials,
                        settings=account_settings,
                        producer=None,
                        acting_user=_staff(district),
                    )
                except ValidationError as exc:  # the fake is not listening, most likely
                    raise DemoError(f"{channel}: {' '.join(exc.messages)}") from exc
            accounts[(lgd, channel)] = account
    return accounts


def _own_seller(
    account: ChannelAccount, credentials: dict[str, str], account_settings: dict[str, str]
) -> None:
    """An account seeded when every district shared Gorakhpur's made-up credentials gets its
    district's own, or the fakes would hand it Gorakhpur's orders."""
    gorakhpur, _settings = demo_credentials(GORAKHPUR, account.channel)
    if account.credentials() != gorakhpur:
        return
    staff = _staff(account.district)
    try:
        do_update_credentials(account, credentials, acting_user=staff)
    except ValidationError as exc:
        raise DemoError(f"{account.channel}: {' '.join(exc.messages)}") from exc
    do_update_account_settings(account, {**account.settings, **account_settings}, acting_user=staff)


def _list(accounts: dict[tuple[int, str], ChannelAccount]) -> int:
    """Push each demo SKU not yet on its account (Flipkart: with its FSN), except those left as
    drafts on purpose. Returns how many."""
    pushed = 0
    for (lgd, channel), account in accounts.items():
        staff = _staff(account.district)
        sent = set(
            account.listings.exclude(state=Listing.State.DRAFT).values_list(
                "sku__seller_sku", flat=True
            )
        )
        drafts = set(
            account.listings.filter(state=Listing.State.DRAFT).values_list(
                "sku__seller_sku", flat=True
            )
        )
        codes = [
            code
            for code in LISTINGS[lgd][channel]
            if code not in sent and not (code in drafts and (lgd, channel, code) in DRAFTS)
        ]
        skus = Sku.objects.filter(seller_sku__in=codes, product__district=account.district)
        for sku in skus.order_by("pk"):
            if sku.seller_sku in FSNS and channel == "flipkart":
                listing, _created = Listing.objects.get_or_create(sku=sku, account=account)
                do_record_fsn(listing, FSNS[sku.seller_sku], acting_user=staff)
            else:
                do_push([sku], account, acting_user=staff)
            pushed += 1
    drain_outbox()
    return pushed


def restore_listings(accounts: dict[tuple[int, str], ChannelAccount]) -> int:
    """Push again each live listing that its marketplace no longer shows (a fake restarted).
    Returns how many."""
    pushed = 0
    for account in accounts.values():
        live = list(
            account.listings.filter(state=Listing.State.LIVE).select_related("sku__product")
        )
        if not live:
            continue
        # A read, made here rather than queued: the demo must know now what to push again.
        try:
            shown = channel_for(account).read_quantities(live)
        except ChannelError as exc:
            raise DemoError(f"{account.channel}: {exc}") from exc
        missing = [listing.sku for listing in live if listing.pk not in shown]
        if missing:
            do_push(missing, account, acting_user=_staff(account.district))
            pushed += len(missing)
    if pushed:
        drain_outbox()
    return pushed


def _orders(accounts: dict[tuple[int, str], ChannelAccount]) -> int:
    """A buyer's order on a fake for each demo order, fetched, then moved on by staff."""
    made = 0
    for spec in ORDERS:
        account = accounts[(GORAKHPUR, spec.channel)]
        staff = _staff(account.district)
        before = set(account.orders.values_list("pk", flat=True))
        _fake_call(spec.channel, "/_fake/orders", {"sku": spec.seller_sku, "quantity": 1})
        do_request_orders(account, acting_user=staff)
        drain_outbox()
        order = account.orders.exclude(pk__in=before).first()
        if order is None:
            raise DemoError(f"the order for {spec.seller_sku} on {spec.channel} did not arrive")
        for state in spec.path:
            carrier, waybill = WAYBILL if state == Order.State.SHIPPED else ("", "")
            do_set_order_state(
                order,
                state,
                acting_user=staff,
                reason="The buyer asked to cancel before packing"
                if state == Order.State.CANCELLED
                else "",
                carrier=carrier if spec.channel != "flipkart" else "",
                tracking_number=waybill if spec.channel != "flipkart" else "",
            )
        made += 1
    drain_outbox()
    return made


def _consignment(districts: dict[int, District]) -> None:
    """Stock sent to an Amazon warehouse and a new batch counted in: every channel hears."""
    gorakhpur = districts[GORAKHPUR]
    staff = _staff(gorakhpur)
    warehouse = Warehouse.objects.filter(channel="amazon", code="LKO1").first()
    if warehouse is None:
        warehouse = do_add_warehouse(
            channel="amazon", code="LKO1", name="Amazon Lucknow", city="Lucknow", acting_user=staff
        )
    horse = Sku.objects.get(seller_sku="GKP-HORSE-30", product__district=gorakhpur)
    do_send_consignment(
        district=gorakhpur,
        warehouse=warehouse,
        lines=[(horse, 4)],
        sent_on=timezone.localdate() - datetime.timedelta(days=3),
        reference="GKP-FBA-0001",
        acting_user=staff,
    )
    # A new batch out of the kiln: staff raise the stock, and every marketplace hears of it.
    lamp = Sku.objects.get(seller_sku="GKP-LAMP-01", product__district=gorakhpur)
    do_update_sku(lamp, stock=(lamp.stock or 0) + 6, acting_user=staff)
    drain_outbox()


def _ondc_ready(gorakhpur: District) -> OndcNode:
    """Gorakhpur's node with its terms, and what ONDC asks of each consenting producer with goods
    (a pickup place, a PIN, a PAN) and of the terracotta (a colour). Once."""
    node = OndcNode.objects.filter(district=gorakhpur).first()
    if node is not None:
        return node
    staff = _staff(gorakhpur)
    node = do_set_up_ondc_node(gorakhpur, ONDC_SUBSCRIBER, acting_user=staff)
    node = do_update_ondc_terms(node, acting_user=staff, **ONDC_TERMS)
    do_update_centre(gorakhpur.centre, acting_user=staff, email="edc.gorakhpur@example.org")
    sellers = Producer.objects.filter(
        district=gorakhpur, listing_consent=True, products__isnull=False
    ).distinct()
    for number, producer in enumerate(sellers.order_by("pk")):
        initial = (producer.name_latin or "X")[0].upper()
        pan = f"AAB{PAN_STATUS[Kind(producer.kind)]}{initial}{1200 + number:04d}K"
        do_update_producer(producer, {"pin": "273001", "pan": pan}, acting_user=staff)
        if not OndcLocation.objects.filter(producer=producer).exists():
            do_set_ondc_location(
                producer,
                latitude=Decimal("26.760555") + Decimal(number) / 1000,
                longitude=Decimal("83.373168") + Decimal(number) / 1000,
                street=f"{producer.village or 'Kumhar Tola'}, Aurangabad road",
                locality="Aurangabad",
                acting_user=staff,
            )
    for sku in Sku.objects.filter(product__district=gorakhpur, colour=""):
        do_update_sku(sku, acting_user=staff, colour="brown")  # terracotta, fired
    return node


def _ondc_on_network(node: OndcNode, site: str, buyer_app: str) -> None:
    """The node listed in the fake registry (both retail domains) and reachable at `site` for
    the registry and the fake buyer app, which forget it when they stop. A real node subscribes
    instead, from its page."""
    registry = settings.ONDC_REGISTRY_URL.rstrip("/")
    for domain in ("ONDC:RET12", "ONDC:RET16"):
        participant = {
            "subscriber_id": node.subscriber_id,
            "ukId": node.unique_key_id,
            "domain": domain,
            "type": "sellerApp",
            "signing_public_key": node.signing_public_key,
            "encr_public_key": node.encryption_public_key,
            "valid_until": f"{node.keys_valid_until:%Y-%m-%dT%H:%M:%S.000Z}",
        }
        _fake_post(registry, "/_fake/participants", participant)
    address = {"subscriber_id": node.subscriber_id, "url": site}
    for fake in (registry, buyer_app.rstrip("/")):
        _fake_post(fake, "/_fake/sites", address)


def seed_ondc(report: Seeded, *, site: str, buyer_app: str) -> None:
    """Gorakhpur's ONDC node, ready to sell its terracotta to the fake buyer app at `buyer_app`,
    which reaches Niryat at `site`."""
    gorakhpur = demo_districts()[GORAKHPUR]
    existed = OndcNode.objects.filter(district=gorakhpur).exists()
    node = _ondc_ready(gorakhpur)
    _ondc_on_network(node, site, buyer_app)
    drain_outbox()
    offered = [
        sku.seller_sku
        for sku in Sku.objects.filter(product__district=gorakhpur).order_by("pk")
        if not ondc_problems(sku)
    ]
    if not offered:
        raise DemoError("no Gorakhpur SKU is ready for ONDC")
    (report.existed if existed else report.created).append(
        f"ONDC node {node.subscriber_id} offering {len(offered)} SKUs to the fake buyer app "
        f"(order one: curl -X POST {buyer_app}/_fake/order -d '{{}}')"
    )


def seed_marketplaces(report: Seeded) -> None:
    """The centres' seller accounts, live listings and orders on the fake marketplaces."""
    districts = demo_districts()
    if not catalogue_exists():
        raise DemoError("seed the demo's producers and products first (manage.py seed_demo)")
    gorakhpur_staff = _staff(districts[GORAKHPUR])
    if not ExchangeRate.objects.filter(currency="USD").exists():
        do_set_exchange_rate("USD", Decimal("84.50"), acting_user=gorakhpur_staff)
    new_accounts = not ChannelAccount.objects.filter(name__endswith="(demo)").exists()
    accounts = _accounts(districts)
    if new_accounts:
        report.created.append(f"connected {len(accounts)} seller accounts on the fake marketplaces")
    pushed = _list(accounts)
    restored = restore_listings(accounts)
    live = Listing.objects.filter(account__in=accounts.values(), state=Listing.State.LIVE)
    if pushed:
        report.created.append(f"pushed {pushed} listings ({live.count()} live)")
    if restored:
        report.created.append(
            f"pushed {restored} live listings again: their fake had forgotten them"
        )
    if not (pushed or restored):
        report.existed.append(f"{live.count()} live listings, all shown on the fakes")
    if not Order.objects.filter(account__in=accounts.values()).exists():
        made = _orders(accounts)
        _consignment(districts)
        _exporting(demo_producers()["matikala"])
        report.created.append(f"created {made} orders in every state and a consignment")
    else:
        report.existed.append("orders")


def _exporting(producer: Producer) -> None:
    staff = _staff(producer.district)
    do_move_stage(
        producer,
        Stage.EXPORTING,
        reason="First export: 20 vases to a buyer in Germany, by India Post",
        acting_user=staff,
    )


def seed(*, marketplaces: bool, site: str = "", ondc_buyer_app: str = "") -> Seeded:
    """The demo's producers and products, and with `marketplaces` its listings and orders, and
    with `site` (where Niryat will listen) the ONDC node the fake buyer app at `ondc_buyer_app`
    orders from. The demo's people (`niryat.core.demo.seed_demo`) must exist first."""
    report = Seeded()
    seed_catalogue(report)
    if marketplaces:
        seed_marketplaces(report)
        if site:
            seed_ondc(report, site=site, buyer_app=ondc_buyer_app)
    return report
