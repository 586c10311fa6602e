"""The district's catalogue on ONDC: what a buyer app's search gets back (full refresh by city,
incremental pull, push subscriptions), what ONDC still needs of a SKU, and the pushes that reach
a subscribed buyer app over real HTTP when a price changes or a producer withdraws."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from niryat.catalog.actions import do_update_sku
from niryat.catalog.models import Category, Sku
from niryat.channels.models import (
    OndcLocation,
    OndcNode,
)
from niryat.channels.ondc.actions import do_set_up_ondc_node
from niryat.channels.ondc.barcodes import ean13_check_digit, is_valid_ean13
from niryat.channels.ondc.catalogue import answer_search, ondc_problems
from niryat.channels.ondc.protocol import OndcError
from niryat.channels.ondc.std_codes import std_codes
from niryat.channels.ondc.taxonomy import ondc_fabric, ondc_size
from niryat.core.models import Centre, District, User
from niryat.registry.models import Producer
from tests.catalog.factories import add_sku, make_product
from tests.channels.factories import add_ready_photo
from tests.registry.factories import give_listing_consent, register

SUBSCRIBER = "edc-gorakhpur.niryat.test"
BUYER = "buyer.example.test"
# A real EAN-13 (GS1 India's prefix 890), its check digit computed by hand: 8·1+9·3+0·1+...=
VALID_EAN = "8901030865237"


def search(city: str = "std:0551", domain: str = "ONDC:RET16", **intent: Any) -> dict[str, Any]:
    return {
        "context": {
            "domain": domain,
            "country": "IND",
            "city": city,
            "action": "search",
            "core_version": "1.2.0",
            "bap_id": BUYER,
            "bap_uri": f"https://{BUYER}/ondc",
            "transaction_id": "2d4bd6b4-0d8f-4bd6-9a3e-8c0d8a3f4f11",
            "message_id": "0f0b5d33-7a4b-4a5b-8e1d-6c2f4b4c9a01",
            "timestamp": "2026-12-07T05:00:00.000Z",
            "ttl": "PT30S",
        },
        "message": {"intent": intent},
    }


def catalog_inc(**values: str) -> dict[str, Any]:
    return {
        "tags": [
            {"code": "catalog_inc", "list": [{"code": k, "value": v} for k, v in values.items()]}
        ]
    }


@pytest.fixture
def node(gorakhpur: District, ganesh: User) -> OndcNode:
    Centre.objects.filter(district=gorakhpur).update(
        phone="+91 551 220 0123", email="edc.gorakhpur@example.org"
    )
    return do_set_up_ondc_node(gorakhpur, SUBSCRIBER, acting_user=ganesh)


def pickup(producer: Producer, ganesh: User) -> OndcLocation:
    return OndcLocation.objects.create(
        producer=producer,
        latitude=Decimal("26.760555"),
        longitude=Decimal("83.373168"),
        street="Prajapati Tola",
        locality="Aurangabad",
        updated_by=ganesh,
    )


@pytest.fixture
def terracotta_horse(horse_sku: Sku, ganesh: User) -> Sku:
    """Ramu's terracotta horse (Gorakhpur's ODOP product: Home and kitchen), brown, no barcode."""
    pickup(horse_sku.producer, ganesh)
    return do_update_sku(horse_sku, acting_user=ganesh, colour="brown")


@pytest.fixture
def kurtas(gorakhpur: District, ganesh: User) -> list[Sku]:
    """Sita's hand-embroidered cotton kurta in two sizes: one variant group in Fashion."""
    sita = register(gorakhpur, ganesh, name_hi="सीता देवी", mobile="+919839011111", pin="273001")
    give_listing_consent(sita, ganesh)
    pickup(sita, ganesh)
    product = make_product(
        sita,
        ganesh,
        odop_product=None,
        category=Category.GARMENTS,
        name_en="Embroidered kurta",
        name_hi="कढ़ाईदार कुर्ता",
        hs_code="62114290",
        generic_name="Cotton kurta",
        manufacturer_name="Sita Devi",
    )
    add_ready_photo(product)
    common = {
        "colour": "लाल",
        "material": "cotton",
        "attributes": {
            "size_chart": "M: chest 96, length 104; L: chest 102, length 106",
            "fabric": "100% cotton mulmul",
            "fit": "regular",
            "care": "hand wash cold",
            "gender": "female",
        },
    }
    return [
        add_sku(
            product,
            ganesh,
            seller_sku=f"KURTA-{size}",
            size=size,
            title_en=f"Hand-embroidered red mulmul kurta, {size}",
            title_hi=f"कढ़ाईदार लाल कुर्ता, {size}",
            **common,
        )
        for size in ("M", "L")
    ]


def providers(reply_message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["id"]: p for p in reply_message["catalog"]["bpp/providers"]}


def attributes(item: dict[str, Any]) -> dict[str, str]:
    tag = next(t for t in item["tags"] if t["code"] == "attribute")
    return {entry["code"]: entry["value"] for entry in tag["list"]}


# --- full refresh --------------------------------------------------------------------------------


def test_a_terracotta_horse_is_offered_in_home_and_kitchen_with_its_hsn_code(
    node: OndcNode, terracotta_horse: Sku
) -> None:
    reply = answer_search(node, search())

    assert reply.error is None
    catalog = reply.message["catalog"]  # type: ignore[index]
    assert catalog["bpp/descriptor"]["tags"] == [
        {"code": "bpp_terms", "list": [{"code": "np_type", "value": "MSN"}]}
    ]
    provider = providers(reply.message)[str(terracotta_horse.producer.uuid)]  # type: ignore[arg-type]
    assert provider["locations"][0]["gps"] == "26.760555,83.373168"
    assert provider["locations"][0]["address"] == {
        "locality": "Aurangabad",
        "street": "Prajapati Tola",
        "city": "Gorakhpur",
        "area_code": "273001",
        "state": "Uttar Pradesh",
    }
    assert provider["fulfillments"][0]["contact"] == {
        "phone": "5512200123",
        "email": "edc.gorakhpur@example.org",
    }
    [item] = provider["items"]
    assert item["id"] == str(terracotta_horse.uuid)
    # No barcode on a handmade horse: its HSN code, the one exception ONDC's reviewers accept.
    assert item["descriptor"]["code"] == "4:69139000"
    assert item["category_id"] == "Home Decor"
    assert item["price"] == {"currency": "INR", "value": "950.00", "maximum_value": "1200.00"}
    assert item["quantity"]["available"] == {"count": "99"}
    assert item["quantity"]["unitized"] == {"measure": {"unit": "unit", "value": "1"}}
    assert attributes(item) == {
        "colour": "#A52A2A",
        "colour_name": "brown",
        "brand": "Unbranded",
        "material": "terracotta clay",
    }
    assert item["@ondc/org/statutory_reqs_packaged_commodities"] == {
        "manufacturer_or_packer_name": "Ramu Prajapati",
        "manufacturer_or_packer_address": "Aurangabad, Gorakhpur 273001",
        "common_or_generic_name_of_commodity": "Terracotta figurine",
        "month_year_of_manufacture_packing_import": "10/2026",
    }
    assert item["@ondc/org/contact_details_consumer_care"] == (
        "Export Development Centre Gorakhpur,edc.gorakhpur@example.org,5512200123"
    )
    assert provider["categories"][0]["id"] == item["parent_item_id"]
    assert [t["code"] for t in provider["tags"]] == ["serviceability", "timing"]


def test_with_a_valid_barcode_the_horse_is_coded_by_its_ean(
    node: OndcNode, terracotta_horse: Sku, ganesh: User
) -> None:
    do_update_sku(
        terracotta_horse,
        acting_user=ganesh,
        attributes={**terracotta_horse.attributes, "gtin": VALID_EAN},
    )

    reply = answer_search(node, search())

    [item] = providers(reply.message)[str(terracotta_horse.producer.uuid)]["items"]  # type: ignore[arg-type]
    assert item["descriptor"]["code"] == f"1:{VALID_EAN}"


def test_a_barcode_with_a_wrong_check_digit_keeps_the_sku_off_ondc(
    node: OndcNode, terracotta_horse: Sku, ganesh: User
) -> None:
    wrong = VALID_EAN[:12] + str((int(VALID_EAN[12]) + 1) % 10)
    do_update_sku(
        terracotta_horse,
        acting_user=ganesh,
        attributes={**terracotta_horse.attributes, "gtin": wrong},
    )

    assert [p.field for p in ondc_problems(Sku.objects.get(pk=terracotta_horse.pk))] == [
        "attributes.gtin"
    ]
    assert answer_search(node, search()).message["catalog"]["bpp/providers"] == []  # type: ignore[index]


def test_a_kurta_in_two_sizes_is_one_variant_group_in_fashion(
    node: OndcNode, kurtas: list[Sku]
) -> None:
    reply = answer_search(node, search(domain="ONDC:RET12"))

    [provider] = reply.message["catalog"]["bpp/providers"]  # type: ignore[index]
    assert [item["id"] for item in provider["items"]] == [str(sku.uuid) for sku in kurtas]
    [group] = provider["categories"]
    assert group["tags"] == [
        {"code": "type", "list": [{"code": "type", "value": "variant_group"}]},
        {
            "code": "attr",
            "list": [
                {"code": "name", "value": "item.tags.attribute.size"},
                {"code": "seq", "value": "1"},
            ],
        },
    ]
    medium = provider["items"][0]
    assert medium["parent_item_id"] == group["id"]
    assert medium["descriptor"]["code"] == "4:62114290"
    assert medium["category_id"] == "Kurtas & Kurta Sets"
    assert attributes(medium) == {
        "colour": "#FF0000",
        "colour_name": "red",
        "brand": "Unbranded",
        "gender": "female",
        "size": "M",
        "fabric": "mulmul",
        "size_chart": f"https://{SUBSCRIBER}/ondc/size-chart/{kurtas[0].uuid}",
        "handcrafted": "true",
    }


def test_a_producer_who_has_not_consented_is_not_offered(
    node: OndcNode, terracotta_horse: Sku, gorakhpur: District, ganesh: User
) -> None:
    mohan = register(gorakhpur, ganesh, name_hi="मोहन प्रजापति", mobile="+919839022222")
    pickup(mohan, ganesh)
    product = make_product(mohan, ganesh)
    add_ready_photo(product)
    add_sku(product, ganesh, seller_sku="TERR-ELEPHANT", colour="brown")

    found = providers(answer_search(node, search()).message)  # type: ignore[arg-type]

    assert list(found) == [str(terracotta_horse.producer.uuid)]


def test_a_city_whose_std_code_is_not_the_producers_gets_no_providers(
    node: OndcNode, terracotta_horse: Sku
) -> None:
    # Varanasi's STD code: Ramu's PIN 273001 is Gorakhpur's 0551.
    assert answer_search(node, search(city="std:0542")).message["catalog"]["bpp/providers"] == []  # type: ignore[index]


def test_what_ondc_needs_is_listed_for_the_checklist(
    node: OndcNode, horse_sku: Sku, ganesh: User
) -> None:
    do_update_sku(horse_sku, acting_user=ganesh, colour="saffron")

    problems = ondc_problems(Sku.objects.get(pk=horse_sku.pk))

    assert [p.field for p in problems] == ["ondc_location", "attributes.colour_code"]
    assert all(p.check == "ondc" for p in problems)


def test_unknown_modes_and_domains_are_refused_with_ondc_codes(node: OndcNode) -> None:
    with pytest.raises(OndcError) as refused:
        answer_search(node, search(city="*", **catalog_inc(mode="sometimes")))
    assert refused.value.code == "40001"
    with pytest.raises(OndcError) as refused:
        answer_search(node, search(domain="ONDC:RET10"))
    assert refused.value.code == "40001"
    with pytest.raises(OndcError) as refused:
        answer_search(node, search(city="Gorakhpur"))
    assert refused.value.code == "30000"


# --- small rules ---------------------------------------------------------------------------------


def test_ean13_check_digits() -> None:
    assert ean13_check_digit("400638133393") == 1
    assert is_valid_ean13("4006381333931")
    assert not is_valid_ean13("4006381333932")
    assert not is_valid_ean13("400638133393")
    assert not is_valid_ean13("40063813339३१")
    assert is_valid_ean13(VALID_EAN)


def test_pin_codes_map_to_the_std_codes_ondc_checks() -> None:
    assert std_codes("273001") == {"0551"}
    assert std_codes("221001") == {"0542"}
    assert std_codes("999999") == frozenset()


def test_fabrics_and_sizes_in_ondc_words() -> None:
    assert ondc_fabric("100% cotton mulmul") == "mulmul"
    assert ondc_fabric("Cotton", khadi=True) == "khadi cotton"
    assert ondc_fabric("Banarasi silk") == "silk"
    assert ondc_fabric("hand-woven") == ""
    assert ondc_size("Sarees", "") == "Free Size"
    assert ondc_size("Kurtas & Kurta Sets", "m") == "M"
    assert ondc_size("Kurtas & Kurta Sets", "42") == "42"
    assert ondc_size("Kurtas & Kurta Sets", "बड़ा") == ""
