"""The district's catalogue on ONDC: what a buyer app's search gets back (full refresh by city,
incremental pull, push subscriptions), what ONDC still needs of a SKU, and the pushes that reach
a subscribed buyer app over real HTTP when a price changes or a producer withdraws."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from niryat.catalog.actions import do_delete_sku, do_update_sku
from niryat.catalog.models import Category, Sku
from niryat.channels.models import (
    OndcChange,
    OndcDomainMapping,
    OndcLocation,
    OndcNode,
    OndcPush,
    OndcSubscription,
)
from niryat.channels.ondc import signing
from niryat.channels.ondc.actions import do_set_up_ondc_node
from niryat.channels.ondc.barcodes import ean13_check_digit, is_valid_ean13
from niryat.channels.ondc.catalogue import answer_search, ondc_problems
from niryat.channels.ondc.protocol import OndcError
from niryat.channels.ondc.push import push_catalogue_changes
from niryat.channels.ondc.std_codes import std_codes
from niryat.channels.ondc.taxonomy import ondc_fabric, ondc_size
from niryat.core.models import Centre, District, OdopProduct, User
from niryat.registry.actions import do_record_consent
from niryat.registry.models import Consent
from tests.catalog.factories import add_sku, make_product
from tests.channels.factories import add_ready_photo
from tests.channels.ondc.conftest import pickup, ready_for_ondc
from tests.conftest import client_for
from tests.registry.factories import give_listing_consent, register

SUBSCRIBER = "edc-gorakhpur.niryat.test"
BUYER = "buyer.example.test"


class _AnyTime(str):
    """Equal to any ONDC timestamp (UTC, milliseconds, Z)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.endswith("Z") and len(other) == 24

    __hash__ = str.__hash__


ANY_TIME = _AnyTime()
# An EAN-13 with GS1 India's prefix 890 and a correct check digit (7).
VALID_EAN = "8901030865237"


FINDER_FEE = {
    "payment": {
        "@ondc/org/buyer_app_finder_fee_type": "percent",
        "@ondc/org/buyer_app_finder_fee_amount": "3",
    }
}


def search(city: str = "std:0551", domain: str = "ONDC:RET16", **intent: Any) -> dict[str, Any]:
    """A buyer app's search as ONDC's examples write it (search_by_city.yaml)."""
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
        "message": {"intent": {**FINDER_FEE, **intent}},
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


@pytest.fixture
def terracotta_horse(horse_sku: Sku, ganesh: User) -> Sku:
    """Ramu's terracotta horse (Gorakhpur's ODOP product: Home and kitchen), brown, no barcode."""
    return ready_for_ondc(horse_sku, ganesh)


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
    assert [t["code"] for t in provider["tags"]] == ["serviceability", "timing", "timing"]


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


def potter(district: District, ganesh: User, terracotta: OdopProduct, *, consents: bool) -> Sku:
    """Mohan, another Gorakhpur potter, with a terracotta elephant complete for ONDC."""
    mohan = register(
        district, ganesh, name_hi="मोहन प्रजापति", mobile="+919839022222", odop_product=terracotta
    )
    if consents:
        give_listing_consent(mohan, ganesh)
    pickup(mohan, ganesh)
    product = make_product(mohan, ganesh, name_en="Terracotta elephant")
    add_ready_photo(product)
    return add_sku(product, ganesh, seller_sku="TERR-ELEPHANT", colour="black")


def test_a_producer_who_has_not_consented_is_not_offered(
    node: OndcNode,
    terracotta_horse: Sku,
    gorakhpur: District,
    terracotta: OdopProduct,
    ganesh: User,
) -> None:
    elephant = potter(gorakhpur, ganesh, terracotta, consents=False)
    # Nothing else keeps the elephant off ONDC.
    assert ondc_problems(elephant) == []

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

    # no pickup place, no PAN for the seller's tax number, a colour without a code
    assert [p.field for p in problems] == ["ondc_location", "pan", "attributes.colour_code"]
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


# --- incremental refresh -------------------------------------------------------------------------


def test_a_one_time_pull_gives_what_changed_in_the_time_range(
    node: OndcNode, terracotta_horse: Sku, kurtas: list[Sku], ganesh: User
) -> None:
    before = timezone.now()
    do_update_sku(terracotta_horse, acting_user=ganesh, price=Decimal("900.00"))
    after = timezone.now()
    later = after + timedelta(hours=1)

    pulled = answer_search(
        node,
        search(city="*", **catalog_inc(start_time=before.isoformat(), end_time=after.isoformat())),
    )
    nothing = answer_search(
        node,
        search(city="*", **catalog_inc(start_time=later.isoformat(), end_time=later.isoformat())),
    )

    catalog = pulled.message["catalog"]  # type: ignore[index]
    assert "bpp/descriptor" not in catalog
    [provider] = catalog["bpp/providers"]
    [item] = provider["items"]
    assert (item["id"], item["price"]["value"]) == (str(terracotta_horse.uuid), "900.00")
    assert nothing.message == {"catalog": {"bpp/providers": []}}


class BuyerApp:
    """A buyer app's on_search endpoint on loopback: it records every push, checks its
    signature, and answers each with the next of `answers` (then ACK)."""

    def __init__(self, public_key: str) -> None:
        self.received: list[dict[str, Any]] = []
        self.answers: list[int] = []
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = app.answers.pop(0) if app.answers else 200
                signing.verify(body, self.headers["Authorization"], public_key)
                app.received.append({"path": self.path, "status": status, **json.loads(body)})
                answer = {"message": {"ack": {"status": "ACK" if status == 200 else "NACK"}}}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/ondc"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def buyer_app(node: OndcNode):  # type: ignore[no-untyped-def]
    app = BuyerApp(node.signing_public_key)
    yield app
    app.stop()


def subscribe(node: OndcNode, buyer_app: BuyerApp, domain: str = "ONDC:RET16") -> None:
    request = search(city="*", domain=domain, **catalog_inc(mode="start"))
    request["context"]["bap_uri"] = buyer_app.url
    reply = answer_search(node, request)
    assert (reply.message, reply.error) == (None, None)  # nothing to answer: pushes follow


def test_a_price_change_reaches_a_subscribed_buyer_app_retried_until_acked(
    node: OndcNode,
    terracotta_horse: Sku,
    buyer_app: BuyerApp,
    ganesh: User,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.ONDC_PUSH_RETRY_SECONDS = 0
    subscribe(node, buyer_app)
    # The buyer app fails once (503) before it ACKs.
    buyer_app.answers = [503]

    do_update_sku(terracotta_horse, acting_user=ganesh, price=Decimal("899.00"))
    assert push_catalogue_changes() == (1, 0)
    assert push_catalogue_changes() == (0, 1)
    assert push_catalogue_changes() == (0, 0)  # ACKed: not sent again, nothing new

    first, second = buyer_app.received
    assert first["path"] == second["path"] == "/ondc/on_search"
    assert first["status"] == 503
    assert second["context"]["city"] == "*"
    assert second["context"]["transaction_id"] == search()["context"]["transaction_id"]
    assert second["context"]["message_id"] != search()["context"]["message_id"]
    [provider] = second["message"]["catalog"]["bpp/providers"]
    [item] = provider["items"]
    assert item["price"]["value"] == "899.00"
    assert OndcPush.objects.get().acked_at is not None


def test_withdrawn_consent_disables_the_provider_at_the_next_push(
    node: OndcNode, terracotta_horse: Sku, buyer_app: BuyerApp, ganesh: User
) -> None:
    subscribe(node, buyer_app)
    producer = terracotta_horse.producer

    do_record_consent(
        producer,
        purpose=Consent.Purpose.LIST_ON_MARKETPLACES,
        given=False,
        on=timezone.localdate(),
        method=Consent.Method.PAPER,
        acting_user=ganesh,
    )
    push_catalogue_changes()

    [push] = buyer_app.received
    assert push["message"]["catalog"]["bpp/providers"] == [
        {"id": str(producer.uuid), "time": {"label": "disable", "timestamp": ANY_TIME}}
    ]
    assert answer_search(node, search()).message["catalog"]["bpp/providers"] == []  # type: ignore[index]


def test_a_deleted_sku_is_disabled_and_a_stopped_buyer_app_hears_nothing(
    node: OndcNode, terracotta_horse: Sku, buyer_app: BuyerApp, ganesh: User
) -> None:
    subscribe(node, buyer_app)
    do_delete_sku(terracotta_horse, acting_user=ganesh)
    push_catalogue_changes()
    [push] = buyer_app.received
    [provider] = push["message"]["catalog"]["bpp/providers"]
    assert provider["items"] == [
        {"id": str(terracotta_horse.uuid), "time": {"label": "disable", "timestamp": ANY_TIME}}
    ]

    stop = search(city="*", **catalog_inc(mode="stop"))
    answer_search(node, stop)
    OndcChange.objects.create(
        district=node.district, provider_id=str(terracotta_horse.producer.uuid), disable=True
    )
    assert push_catalogue_changes() == (0, 0)
    assert not OndcSubscription.objects.get().active
    assert len(buyer_app.received) == 1


def test_nothing_is_pushed_when_nothing_is_left_to_say(
    node: OndcNode, terracotta_horse: Sku, buyer_app: BuyerApp, ganesh: User
) -> None:
    subscribe(node, buyer_app, domain="ONDC:RET12")  # the horse is not fashion

    do_update_sku(terracotta_horse, acting_user=ganesh, price=Decimal("899.00"))

    assert push_catalogue_changes() == (0, 0)
    assert buyer_app.received == []


# --- staff pages ---------------------------------------------------------------------------------


def test_centre_staff_move_an_odop_product_to_fashion_and_its_goods_follow(
    node: OndcNode, terracotta_horse: Sku, terracotta: OdopProduct, ganesh: User, vani: User
) -> None:
    page = client_for(ganesh).get(reverse("ondc_domains"))
    assert "Terracotta" in page.content.decode()

    # Vani works in Varanasi: Gorakhpur's products are not hers to change.
    refused = client_for(vani).post(
        reverse("ondc_domains"), {"odop": terracotta.pk, "choice": "ONDC:RET16|Furniture"}
    )
    assert refused.status_code == 404
    client_for(ganesh).post(
        reverse("ondc_domains"), {"odop": terracotta.pk, "choice": "ONDC:RET16|Furniture"}
    )

    assert OndcDomainMapping.objects.get(odop_product=terracotta).category == "Furniture"
    [provider] = answer_search(node, search()).message["catalog"]["bpp/providers"]  # type: ignore[index]
    assert provider["items"][0]["category_id"] == "Furniture"


def test_staff_record_a_pickup_location_and_ondc_stops_asking_for_it(
    node: OndcNode, horse_sku: Sku, ganesh: User, gita: User
) -> None:
    url = reverse("ondc_location", args=[horse_sku.producer.uuid])
    values = {
        "latitude": "26.7605551",
        "longitude": "83.373168",
        "street": "Prajapati Tola",
        "locality": "Aurangabad",
    }
    # Gita, the district officer, reads but does not change.
    assert client_for(gita).post(url, values).status_code == 403
    assert "ondc_location" in [p.field for p in ondc_problems(horse_sku)]

    client_for(ganesh).post(url, {**values, "latitude": "83.373168"})  # swapped: not in India
    assert not OndcLocation.objects.exists()
    client_for(ganesh).post(url, values)

    location = OndcLocation.objects.get()
    assert (location.latitude, location.street) == (Decimal("26.760555"), "Prajapati Tola")
    assert "ondc_location" not in [p.field for p in ondc_problems(horse_sku)]


def test_a_garments_size_chart_is_served_where_its_item_points(
    node: OndcNode,
    kurtas: list[Sku],
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SUBSCRIBER]
    page = Client().get(
        reverse("ondc_size_chart", args=[kurtas[0].uuid]), headers={"host": SUBSCRIBER}
    )
    assert "chest 96, length 104" in page.content.decode()


def test_the_last_unit_sold_shows_as_out_of_stock_at_the_next_push(
    node: OndcNode, terracotta_horse: Sku, buyer_app: BuyerApp, ganesh: User
) -> None:
    subscribe(node, buyer_app)

    do_update_sku(terracotta_horse, acting_user=ganesh, stock=0)
    push_catalogue_changes()

    [push] = buyer_app.received
    [item] = push["message"]["catalog"]["bpp/providers"][0]["items"]
    assert item["quantity"]["available"] == {"count": "0"}


def test_the_catalogue_checklist_says_what_ondc_asks_for_where_the_centre_has_a_node(
    node: OndcNode, horse_sku: Sku, ganesh: User
) -> None:
    page = client_for(ganesh).get(reverse("product_detail", args=[horse_sku.product.uuid]))

    text = page.content.decode()
    assert "What ONDC asks for" in text
    assert "Record where the producer" in text
