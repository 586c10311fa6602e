"""The catalogue API as an integration uses it: products, SKUs, photos, scoped like the pages."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from niryat.catalog.completeness import MIN_PHOTO_SCORE
from niryat.catalog.models import Product, ProductImage, Sku
from niryat.core.models import AuditEntry
from niryat.registry.models import Producer
from tests.catalog.factories import add_sku, make_product, run_tasks
from tests.conftest import client_for, hindi
from tests.registry.factories import register
from tests.test_api import bearer
from tests.test_imaging import a_phone_upload, a_photo, jpeg

PRODUCT = {
    "category": "handicrafts",
    "name_en": "Terracotta horse",
    "name_hi": "टेराकोटा घोड़ा",
    "hs_code": "69139000",
    "gst_rate": "5",
    "generic_name": "Terracotta figurine",
    "manufacturer_name": "Ramu Prajapati",
    "manufacturer_address": "Aurangabad, Gorakhpur 273001",
}
SKU = {
    "size": "30 cm",
    "title_en": "Gorakhpur terracotta horse, handmade, 30 cm",
    "title_hi": "गोरखपुर टेराकोटा घोड़ा, हस्तनिर्मित, 30 सेमी",
    "bullets_en": "Hand-shaped from local clay\nFired in a wood kiln",
    "description_en": "A traditional terracotta horse from Aurangabad village, Gorakhpur.",
    "material": "terracotta clay",
    "attributes": {"dimensions": "25 × 10 × 30", "finish": "matt"},
    "mrp": "1200.00",
    "price": "950.00",
    "net_quantity": "1",
    "weight_g": 1800,
    "length_cm": "35.0",
    "width_cm": "15.0",
    "height_cm": "35.0",
    "manufactured_on": "2026-10",
    "stock": 12,
}
NOT_A_PHOTO = "This file is not a photo we can read. Please upload a JPEG, PNG, WebP or HEIC photo."


def post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def patch_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, body, content_type="application/json")


def upload(
    client: Client, product: Any, data: bytes, name: str = "horse.jpg", **headers: str
) -> Any:
    uuid = product["uuid"] if isinstance(product, dict) else product.uuid
    return client.post(
        f"/api/products/{uuid}/images",
        {"image": SimpleUploadedFile(name, data, "image/jpeg")},
        headers=headers,
    )


@pytest.fixture
def photo() -> bytes:
    return a_phone_upload(a_photo())


def test_product_with_two_skus_and_a_photo_becomes_ready(ganesh, ramu, photo):
    client = bearer(ganesh)
    # given a new product
    created = post_json(client, f"/api/producers/{ramu.uuid}/products", PRODUCT)
    assert created.status_code == 201, created.content
    product = created.json()
    number = Product.objects.get(uuid=product["uuid"]).pk
    assert (product["producer_uuid"], product["district_lgd_code"]) == (str(ramu.uuid), 148)
    assert product["odop_product_id"] == ramu.odop_product_id
    assert (product["completeness"], product["missing"]) == (0, ["variants"])
    assert product["problems"] == [
        {"code": "variants", "field": "", "message": "Add at least one variant (SKU).", "sku": None}
    ]

    # when two SKUs are added, the second without a size
    first = post_json(client, f"/api/products/{product['uuid']}/skus", SKU)
    second = post_json(
        client, f"/api/products/{product['uuid']}/skus", {**SKU, "size": "45 cm", "stock": 0}
    )
    assert (first.status_code, second.status_code) == (201, 201)
    sku = first.json()
    assert (sku["seller_sku"], second.json()["seller_sku"]) == (
        f"TERR-{number:05d}-01",
        f"TERR-{number:05d}-02",
    )
    assert (sku["mrp"], sku["price"], sku["currency"]) == ("1200.00", "950.00", "INR")
    assert (sku["net_quantity"], sku["length_cm"], sku["manufactured_on"]) == (
        "1.000",
        "35.0",
        "2026-10-01",
    )

    # and a phone photo is uploaded and processed
    uploaded = upload(client, product, photo)
    assert uploaded.status_code == 201, uploaded.content
    image = uploaded.json()
    assert (image["status"], image["is_main"], image["file_name"]) == (
        "processing",
        True,
        "horse.jpg",
    )
    assert image["urls"]["main"] is None
    run_tasks()

    # then the photo is ready with its score, and only the second SKU's stock is missing
    image = client.get(f"/api/images/{image['uuid']}").json()
    assert image["status"] == "ready"
    assert image["quality_score"] >= MIN_PHOTO_SCORE
    assert [check["name"] for check in image["quality"]] == [
        check["name"] for check in ProductImage.objects.get().quality
    ]
    assert image["urls"]["main"] == f"http://testserver/api/images/{image['uuid']}/main"
    main = client.get(image["urls"]["main"])
    assert (main.status_code, main["Content-Type"]) == (200, "image/jpeg")
    picture = Image.open(io.BytesIO(b"".join(main.streaming_content)))
    assert picture.width == picture.height >= 1000
    assert not picture.getexif()
    detail = client.get(f"/api/products/{product['uuid']}").json()
    assert [s["size"] for s in detail["skus"]] == ["30 cm", "45 cm"]
    assert [i["uuid"] for i in detail["images"]] == [image["uuid"]]
    assert detail["missing"] == ["stock"]
    assert detail["completeness"] == 94  # 17 of 18 checks (9 per SKU)
    assert detail["problems"] == [
        {
            "code": "stock",
            "field": "stock",
            "message": "Enter the stock, or mark the product as made to order.",
            "sku": second.json()["uuid"],
        }
    ]


def test_price_above_mrp_is_refused_with_its_field_and_nothing_is_saved(ganesh, horse):
    client = bearer(ganesh)
    audited = AuditEntry.objects.count()
    response = post_json(
        client, f"/api/products/{horse.uuid}/skus", {**SKU, "mrp": "900", "price": "950"}
    )
    assert response.status_code == 422
    assert response.json() == {"detail": {"price": ["The selling price cannot be above the MRP."]}}
    assert not Sku.objects.exists()
    assert AuditEntry.objects.count() == audited


def test_price_change_above_mrp_is_refused_and_the_sku_is_unchanged(ganesh, horse):
    sku = add_sku(horse, ganesh)
    response = patch_json(bearer(ganesh), f"/api/skus/{sku.uuid}", {"price": "1250.00"})
    assert response.status_code == 422
    assert response.json()["detail"] == {"price": ["The selling price cannot be above the MRP."]}
    sku.refresh_from_db()
    assert sku.price == Decimal("950.00")


def test_unknown_hs_code_is_refused(ganesh, ramu, horse):
    client = bearer(ganesh)
    products = Product.objects.count()
    created = post_json(
        client, f"/api/producers/{ramu.uuid}/products", {**PRODUCT, "hs_code": "99999999"}
    )
    changed = patch_json(client, f"/api/products/{horse.uuid}", {"hs_code": "999999"})
    for response in (created, changed):
        assert response.status_code == 422
        assert response.json()["detail"] == {
            "hs_code": ["There is no HS code 999999 in the HS nomenclature."]
        }
    assert Product.objects.count() == products
    horse.refresh_from_db()
    assert horse.hs_code == "69139000"


def test_odop_product_must_be_one_of_the_producers_district(ganesh, ramu, banarasi):
    client = bearer(ganesh)
    url = f"/api/producers/{ramu.uuid}/products"
    elsewhere = post_json(client, url, {**PRODUCT, "odop_product_id": banarasi.pk})
    unknown = post_json(client, url, {**PRODUCT, "odop_product_id": 999999})
    assert elsewhere.json()["detail"] == {
        "odop_product_id": ["That ODOP product belongs to another district."]
    }
    assert unknown.json()["detail"] == {"odop_product_id": ["There is no ODOP product 999999."]}
    assert (elsewhere.status_code, unknown.status_code) == (422, 422)
    assert not Product.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused_in_the_users_language(ganesh, horse, media):
    client = bearer(ganesh)
    english = upload(client, horse, b"%PDF-1.4 a price list", name="horse.jpg")
    assert english.status_code == 422
    assert english.json() == {"detail": {"image": [NOT_A_PHOTO]}}
    in_hindi = upload(client, horse, b"%PDF-1.4 a price list", Accept_Language="hi")
    assert in_hindi.json() == {"detail": {"image": [hindi(NOT_A_PHOTO)]}}
    assert not ProductImage.objects.exists()
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_patch_changes_only_what_is_sent(ganesh, horse):
    client = bearer(ganesh)
    sku = add_sku(horse, ganesh)
    product = patch_json(
        client, f"/api/products/{horse.uuid}", {"made_to_order": True, "lead_time_days": 10}
    )
    assert product.status_code == 200, product.content
    assert (product.json()["name_en"], product.json()["lead_time_days"]) == ("Terracotta horse", 10)
    changed = patch_json(
        client, f"/api/skus/{sku.uuid}", {"price": 899.5, "attributes": {"finish": "glazed"}}
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["price"], changed.json()["mrp"]) == ("899.50", "1200.00")
    assert changed.json()["attributes"] == {"finish": "glazed"}
    assert changed.json()["title_en"] == "Gorakhpur terracotta horse, handmade, 30 cm"


def test_null_where_a_value_is_required_is_refused(ganesh, horse):
    response = patch_json(
        bearer(ganesh), f"/api/products/{horse.uuid}", {"category": None, "name_en": None}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == {
        "category": ["This field cannot be null."],
        "name_en": ["This field cannot be null."],
    }
    horse.refresh_from_db()
    assert (horse.category, horse.name_en) == ("handicrafts", "Terracotta horse")


def test_attributes_must_belong_to_the_category(ganesh, horse):
    response = post_json(
        bearer(ganesh),
        f"/api/products/{horse.uuid}/skus",
        {**SKU, "attributes": {"finish": "matt", "fit": "slim"}},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == {
        "attributes": ["Not an attribute of this product's category: fit"]
    }
    assert not Sku.objects.exists()


def test_an_attribute_with_choices_takes_one_of_them(ganesh, ramu):
    towel = make_product(ramu, ganesh, category="khadi", name_en="Khadi towel")
    response = post_json(
        bearer(ganesh),
        f"/api/products/{towel.uuid}/skus",
        {**SKU, "attributes": {"weave": "knitted", "fibre": "cotton"}},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == {
        "attributes": ["weave: choose one of plain, twill, satin, jacquard, jamdani, dobby"]
    }
    assert not Sku.objects.exists()


def test_month_of_manufacture_must_be_a_month(ganesh, horse):
    response = post_json(
        bearer(ganesh), f"/api/products/{horse.uuid}/skus", {**SKU, "manufactured_on": "Oct"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == {
        "manufactured_on": ["Enter the month as YYYY-MM, for example 2026-10."]
    }


def test_photos_are_reordered_recropped_and_deleted(ganesh, horse):
    client = bearer(ganesh)
    first = upload(client, horse, jpeg(a_photo(800, 600))).json()
    second = upload(client, horse, jpeg(a_photo(800, 600, seed=2)), name="side.jpg").json()
    run_tasks()

    made_main = patch_json(client, f"/api/images/{second['uuid']}", {"make_main": True})
    assert (made_main.status_code, made_main.json()["position"]) == (200, 0)
    moved = patch_json(client, f"/api/images/{second['uuid']}", {"move": 1}).json()
    assert moved["position"] == 1
    cropped = patch_json(client, f"/api/images/{first['uuid']}", {"crop": [0.1, 0.1, 0.9, 0.95]})
    assert (cropped.json()["crop"], cropped.json()["status"]) == (
        [0.1, 0.1, 0.9, 0.95],
        "processing",
    )
    run_tasks()
    reset = patch_json(client, f"/api/images/{first['uuid']}", {"crop": None}).json()
    assert reset["crop"] is None

    # A refused crop leaves the photo as it was, even the order asked for in the same request.
    refused = patch_json(
        client, f"/api/images/{first['uuid']}", {"move": 1, "crop": [0.9, 0.1, 0.1, 0.9]}
    )
    assert refused.status_code == 422
    assert refused.json()["detail"] == ["The crop must lie inside the photo, left before right."]
    assert [i.uuid.hex for i in horse.images.order_by("position")] == [
        first["uuid"].replace("-", ""),
        second["uuid"].replace("-", ""),
    ]

    assert client.delete(f"/api/images/{first['uuid']}").status_code == 204
    assert list(horse.images.values_list("file_name", "position")) == [("side.jpg", 0)]


def test_delete_sku_and_product(ganesh, horse):
    client = bearer(ganesh)
    sku = add_sku(horse, ganesh)
    assert client.delete(f"/api/skus/{sku.uuid}").status_code == 204
    assert not Sku.objects.exists()
    assert client.delete(f"/api/products/{horse.uuid}").status_code == 204
    assert not Product.objects.exists()


def test_another_district_gets_404_and_an_empty_list(ganesh, vani, horse, photo):
    sku = add_sku(horse, ganesh)
    image = upload(bearer(ganesh), horse, photo).json()
    client = bearer(vani)
    for method, url in [
        ("get", f"/api/products/{horse.uuid}"),
        ("patch", f"/api/products/{horse.uuid}"),
        ("delete", f"/api/products/{horse.uuid}"),
        ("post", f"/api/products/{horse.uuid}/skus"),
        ("get", f"/api/skus/{sku.uuid}"),
        ("patch", f"/api/skus/{sku.uuid}"),
        ("delete", f"/api/skus/{sku.uuid}"),
        ("get", f"/api/images/{image['uuid']}"),
        ("get", f"/api/images/{image['uuid']}/original"),
        ("patch", f"/api/images/{image['uuid']}"),
        ("delete", f"/api/images/{image['uuid']}"),
        ("post", f"/api/producers/{horse.producer.uuid}/products"),
    ]:
        body = PRODUCT if url.endswith("/products") else {}
        response = getattr(client, method)(url, body, content_type="application/json")
        assert response.status_code == 404, (method, url)
        assert response.json() == {"detail": "Not found, or not in your district."}
    assert client.get("/api/products").json() == {"items": [], "count": 0}
    assert (Product.objects.count(), Sku.objects.count(), ProductImage.objects.count()) == (1, 1, 1)


def test_state_viewer_reads_but_cannot_write(sam, ganesh, horse, photo):
    sku = add_sku(horse, ganesh)
    client = bearer(sam)
    assert client.get(f"/api/products/{horse.uuid}").json()["name_en"] == "Terracotta horse"
    assert client.get(f"/api/skus/{sku.uuid}").json()["price"] == "950.00"
    audited = AuditEntry.objects.count()
    refused = [
        patch_json(client, f"/api/products/{horse.uuid}", {"name_en": "Changed"}),
        post_json(client, f"/api/products/{horse.uuid}/skus", SKU),
        post_json(client, f"/api/producers/{horse.producer.uuid}/products", PRODUCT),
        patch_json(client, f"/api/skus/{sku.uuid}", {"stock": 0}),
        client.delete(f"/api/skus/{sku.uuid}"),
        client.delete(f"/api/products/{horse.uuid}"),
        upload(client, horse, photo),
    ]
    assert [response.status_code for response in refused] == [403] * len(refused)
    assert refused[0].json() == {"detail": "You may read this record but not change it."}
    horse.refresh_from_db()
    assert horse.name_en == "Terracotta horse"
    assert (Sku.objects.get().stock, ProductImage.objects.count()) == (12, 0)
    assert AuditEntry.objects.count() == audited


def test_producer_sees_only_their_own_products_and_changes_none(prem, ganesh, gorakhpur, horse):
    mine = register(gorakhpur, ganesh, name_hi="प्रेम कुमार", pin="273005")
    Producer.objects.filter(pk=mine.pk).update(user=prem)
    pot = make_product(mine, ganesh, name_en="Terracotta pot")
    client = bearer(prem)
    listed = client.get("/api/products").json()
    assert [p["name_en"] for p in listed["items"]] == ["Terracotta pot"]
    assert client.get(f"/api/products/{horse.uuid}").status_code == 404
    assert client.get(f"/api/products/{pot.uuid}").status_code == 200
    refused = patch_json(client, f"/api/products/{pot.uuid}", {"name_en": "Changed"})
    assert refused.status_code == 403
    pot.refresh_from_db()
    assert pot.name_en == "Terracotta pot"


def test_list_filters(ganesh, ramu, horse):
    add_sku(horse, ganesh, seller_sku="HORSE-30")
    make_product(ramu, ganesh, name_en="Terracotta elephant", name_hi="टेराकोटा हाथी")
    client = bearer(ganesh)

    def names(query: str) -> list[str]:
        return [p["name_en"] for p in client.get(f"/api/products?{query}").json()["items"]]

    assert names("") == ["Terracotta elephant", "Terracotta horse"]
    assert names("q=हाथी") == ["Terracotta elephant"]
    assert names("q=horse-30") == ["Terracotta horse"]
    assert names("lacks=variants") == ["Terracotta elephant"]
    assert names("lacks=photos") == ["Terracotta horse"]
    assert names("readiness=almost") == ["Terracotta horse"]  # all but photos: 89 %
    assert names("readiness=needs_work") == ["Terracotta elephant"]
    assert names(f"producer={ramu.uuid}&category=khadi") == []
    assert client.get("/api/products?limit=1").json()["count"] == 2


def test_list_queries_do_not_grow_with_products(ganesh, ramu, django_assert_num_queries):
    client = bearer(ganesh)
    make_product(ramu, ganesh)
    client.get("/api/products")  # the token's last use is written once
    with django_assert_num_queries(3):  # token, count, page
        client.get("/api/products")
    for number in range(3):
        make_product(ramu, ganesh, name_en=f"Horse {number}")
    with django_assert_num_queries(3):
        assert client.get("/api/products").json()["count"] == 4


def test_hs_code_search(ganesh):
    client = bearer(ganesh)
    found = client.get("/api/hs-codes", {"q": "terracotta", "limit": 2}).json()
    assert [(m["code"], m["score"]) for m in found] == [("691390", 2.25), ("691310", 2.0)]
    assert found[0]["description"].startswith("Ceramic statuettes and other ornamental ceramic")
    assert client.get("/api/hs-codes", {"q": "कालीन", "limit": 1}).json()[0]["code"] == "570110"
    assert client.get("/api/hs-codes").json() == []


def test_browser_session_works_too(ganesh, horse):
    assert client_for(ganesh).get(f"/api/products/{horse.uuid}").status_code == 200


def test_openapi_documents_the_catalogue(ganesh):
    schema = bearer(ganesh).get("/api/openapi.json").json()
    catalogue = {
        path: sorted(methods)
        for path, methods in schema["paths"].items()
        if any(operation["tags"] == ["catalogue"] for operation in methods.values())
    }
    assert catalogue == {
        "/api/products": ["get"],
        "/api/products/{product_uuid}": ["delete", "get", "patch"],
        "/api/producers/{producer_uuid}/products": ["post"],
        "/api/products/{product_uuid}/skus": ["post"],
        "/api/skus/{sku_uuid}": ["delete", "get", "patch"],
        "/api/products/{product_uuid}/images": ["post"],
        "/api/images/{image_uuid}": ["delete", "get", "patch"],
        "/api/images/{image_uuid}/{variant}": ["get"],
        "/api/hs-codes": ["get"],
    }
    upload_body = schema["paths"]["/api/products/{product_uuid}/images"]["post"]["requestBody"]
    assert list(upload_body["content"]) == ["multipart/form-data"]
    assert schema["paths"]["/api/products"]["get"]["tags"] == ["catalogue"]
