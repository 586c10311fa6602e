"""Catalogue pages as staff use them: list, add, edit, photos, checklist, HS and text help."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from niryat.catalog.models import GlossaryTerm, Product, ProductImage, Sku
from niryat.registry.actions import do_enable_producer_sign_in
from tests.catalog.factories import COMPLETE_SKU, add_sku, make_product, run_tasks
from tests.conftest import client_for, hindi
from tests.test_imaging import a_phone_upload, a_photo, jpeg


def sku_post(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        key: value for key, value in COMPLETE_SKU.items() if key != "attributes"
    }
    data["manufactured_on"] = "2026-10"
    data["net_quantity_unit"] = "piece"
    data |= {f"attr_{key}": value for key, value in COMPLETE_SKU["attributes"].items()}
    data |= changes
    return data


def product_post(terracotta, **changes: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {
        "odop_product": terracotta.pk,
        "category": "handicrafts",
        "name_hi": "टेराकोटा घोड़ा",
        "name_en": "Terracotta horse",
        "hs_code": "6913.90.00",
        "gst_rate": "5",
        "country_of_origin": "in",
        "handmade": "on",
        "generic_name": "Terracotta figurine",
        "manufacturer_name": "Ramu Prajapati",
        "manufacturer_address": "Aurangabad, Gorakhpur",
    }
    return data | changes


def test_staff_add_a_product_with_two_variants(ganesh, ramu, terracotta) -> None:
    client = client_for(ganesh)
    # given the producer picker finds Ramu by his Hindi name
    picker = client.get(reverse("product_create"), {"q": "रामू"})
    assert f"?producer={ramu.uuid}" in picker.content.decode()
    # when staff save the product, they are sent on to its first variant
    form = client.get(reverse("product_create"), {"producer": ramu.uuid})
    assert "6913" in form.content.decode()  # the ODOP product's usual HS codes are offered
    saved = client.post(
        reverse("product_create") + f"?producer={ramu.uuid}", product_post(terracotta)
    )
    product = Product.objects.get()
    assert saved.url == reverse("sku_create", args=[product.uuid])
    assert (product.hs_code, product.country_of_origin, product.district_id) == (
        "69139000",
        "IN",
        ramu.district_id,
    )
    client.post(saved.url, sku_post(size="small", add_another="1"))
    second = client.get(saved.url)  # the next variant starts as a copy of the last
    assert "Gorakhpur terracotta horse" in second.content.decode()
    client.post(saved.url, sku_post(size="large", seller_sku="HORSE-L"))
    # then
    assert list(product.skus.values_list("size", "seller_sku")) == [
        ("small", f"TERR-{product.pk:05d}-01"),
        ("large", "HORSE-L"),
    ]
    page = client.get(reverse("product_detail", args=[product.uuid])).content.decode()
    assert "Ready to sell: 89 %" in page
    assert "Add at least one photo of the product." in page


def test_bad_values_are_explained_in_hindi_and_nothing_saved(ganesh, horse) -> None:
    sku = add_sku(horse, ganesh)
    ganesh.language = "hi"
    ganesh.save()
    client = client_for(ganesh)
    page = client.post(
        reverse("sku_edit", args=[sku.uuid]), sku_post(mrp="900", price="950", stock="-3")
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert hindi("Nothing was saved. Correct the fields marked below and save again.") in text
    sku.refresh_from_db()
    assert (sku.mrp, sku.price, sku.stock) == (Decimal("1200.00"), Decimal("950.00"), 12)
    page = client.post(reverse("sku_edit", args=[sku.uuid]), sku_post(mrp="900", price="950"))
    assert hindi("The selling price cannot be above the MRP.") in page.content.decode()
    page = client.post(
        reverse("product_edit", args=[horse.uuid]),
        product_post(horse.odop_product, hs_code="999999"),
    )
    assert (
        hindi("There is no HS code %(code)s in the HS nomenclature.") % {"code": "999999"}
        in page.content.decode()
    )
    horse.refresh_from_db()
    assert horse.hs_code == "69139000"


def test_upload_photos_good_and_bad(ganesh, horse) -> None:
    client = client_for(ganesh)
    good = io.BytesIO(a_phone_upload(a_photo()))
    good.name = "IMG_20261101.jpg"
    fake = io.BytesIO(b"this is a text file")
    fake.name = "notes.jpg"
    page = client.post(
        reverse("image_upload", args=[horse.uuid]), {"photos": [good, fake]}, follow=True
    )
    text = page.content.decode()
    assert "1 photo kept; it is being processed." in text
    assert "notes.jpg: This file is not a photo we can read." in text
    image = ProductImage.objects.get()
    assert image.file_name == "IMG_20261101.jpg"
    assert "Processing…" in text
    assert 'hx-trigger="every 2s"' in text
    # when the worker has processed it, the section shows before and after with the score
    run_tasks()
    section = client.get(reverse("product_images", args=[horse.uuid])).content.decode()
    image.refresh_from_db()
    assert f"Quality: {image.quality_score} of 100" in section
    assert reverse("catalogue_image", args=[image.uuid, "main"]) in section
    assert "every 2s" not in section
    served = client.get(reverse("catalogue_image", args=[image.uuid, "main"]))
    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as main:
        assert main.getpixel((0, 0)) == (255, 255, 255)
        assert not main.getexif()


def test_recrop_keep_original_and_order(ganesh, horse) -> None:
    from niryat.catalog.actions import do_add_image

    first = do_add_image(horse, jpeg(a_photo(seed=1)), file_name="a.jpg", acting_user=ganesh)
    second = do_add_image(
        horse, jpeg(a_photo(seed=2, vase=(0.4, 0.6))), file_name="b.jpg", acting_user=ganesh
    )
    run_tasks()
    client = client_for(ganesh)
    # re-crop: a crop with left after right is refused, nothing changes
    refused = client.post(
        reverse("image_edit", args=[first.uuid]),
        {"crop": "1", "left": "60", "top": "10", "right": "40", "bottom": "90"},
    )
    assert "Left must be less than right" in refused.content.decode()
    first.refresh_from_db()
    assert first.crop is None
    client.post(
        reverse("image_edit", args=[first.uuid]),
        {"crop": "1", "left": "25", "top": "10", "right": "75", "bottom": "95"},
    )
    first.refresh_from_db()
    assert (first.crop, first.status) == ([0.25, 0.1, 0.75, 0.95], "processing")
    run_tasks()
    first.refresh_from_db()
    assert first.status == "ready"
    # keep the original
    client.post(reverse("image_edit", args=[second.uuid]), {"keep_original": "1"})
    run_tasks()
    second.refresh_from_db()
    with Image.open(second.main.path) as listed, Image.open(second.original.path) as kept:
        assert listed.size == kept.size  # the photo itself, not a white square
    # main photo and order
    client.post(reverse("image_main", args=[second.uuid]))
    assert list(horse.images.values_list("file_name", flat=True)) == ["b.jpg", "a.jpg"]
    client.post(reverse("image_move", args=[second.uuid]), {"direction": "later"})
    assert list(horse.images.values_list("file_name", flat=True)) == ["a.jpg", "b.jpg"]
    client.post(reverse("image_delete", args=[first.uuid]))
    assert list(horse.images.values_list("file_name", "position")) == [("b.jpg", 0)]


def test_hs_code_help_ranks_codes_for_craft_words(ganesh) -> None:
    client = client_for(ganesh)
    for words, expected in [
        ("terracotta", "6913"),
        ("कालीन", "57"),
        ("brass vase", ("8306", "7418")),  # ornaments of base metal, or household copper ware
        ("chikan kurta", "62"),
    ]:
        page = client.get(reverse("hs_search"), {"hs_query": words}).content.decode()
        first = page.split('data-hs-code="')[1][:6]
        assert first.startswith(expected), (words, first)  # str.startswith takes a tuple too
    assert (
        "No HS code matches"
        in client.get(reverse("hs_search"), {"hs_query": "xyzzy"}).content.decode()
    )


def test_text_help_suggests_latin_and_glossary_english(ganesh) -> None:
    client = client_for(ganesh)
    page = client.get(reverse("text_help"), {"title_hi": "गोरखपुर टेराकोटा घोड़ा"})
    text = page.content.decode()
    assert "Gorakhpur Terracotta Ghora" not in text  # the glossary word is put in English
    assert "Gorakhpur terracotta Ghora" in text
    assert "Gorakhpur Terakota Ghora" in text  # the plain Latin spelling, for names
    page = client.get(reverse("text_help"), {"title_hi": "चिकनकारी कुर्ता"})
    assert "Chikankari embroidery kurta" in page.content.decode()


def test_staff_extend_the_glossary_and_text_help_uses_it(ganesh, sam) -> None:
    client = client_for(ganesh)
    client.post(reverse("glossary"), {"hindi": "घोड़ा", "english": "horse", "note": ""})
    assert GlossaryTerm.objects.get(hindi="घोड़ा").added_by == ganesh
    page = client.get(reverse("text_help"), {"title_hi": "टेराकोटा घोड़ा"})
    assert "terracotta horse" in page.content.decode()
    # the state viewer reads the glossary but cannot add to it
    assert (
        client_for(sam).post(reverse("glossary"), {"hindi": "x", "english": "y"}).status_code == 403
    )
    assert not GlossaryTerm.objects.filter(hindi="x").exists()


def test_list_filters_by_readiness_and_what_is_missing(ganesh, gita, ramu, horse) -> None:
    add_sku(horse, ganesh)
    bare = make_product(ramu, ganesh, name_en="Bare pot", hs_code="", gst_rate="")
    add_sku(bare, ganesh, seller_sku="POT-1", mrp=None, price=None, weight_g=None)
    client = client_for(gita)  # the district officer reads the catalogue

    def names(**params: str) -> list[str]:
        page = client.get(reverse("product_list"), params).content.decode()
        return [name for name in ("Terracotta horse", "Bare pot") if name in page]

    assert names() == ["Terracotta horse", "Bare pot"]
    assert names(lacks="hs_code") == ["Bare pot"]
    assert names(readiness="almost") == ["Terracotta horse"]  # all but photos
    assert names(readiness="needs_work") == ["Bare pot"]
    assert names(q="bare") == ["Bare pot"]
    bare.refresh_from_db()
    assert bare.missing_codes == ["photos", "hs_code", "price", "weight"]
    assert bare.completeness == round(100 * 5 / 9)


@pytest.mark.parametrize("count", [3, 30])
def test_product_list_query_count_does_not_grow(ganesh, ramu, count) -> None:
    for number in range(count):
        product = make_product(ramu, ganesh, name_en=f"Pot {number}")
        add_sku(product, ganesh, seller_sku=f"POT-{number}")
    client = client_for(ganesh)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("product_list"))
    assert page.status_code == 200
    assert len(queries) <= 12


def test_read_only_roles_see_no_forms_and_cannot_write(sam, gita, ganesh, horse) -> None:
    sku = add_sku(horse, ganesh)
    for user in (sam, gita):
        client = client_for(user)
        page = client.get(reverse("product_detail", args=[horse.uuid])).content.decode()
        assert "Terracotta horse" in page
        assert "Edit the product" not in page
        assert client.post(reverse("sku_delete", args=[sku.uuid])).status_code == 403
        assert client.get(reverse("product_create")).status_code == 403
    assert Sku.objects.filter(pk=sku.pk).exists()


def test_a_producer_reads_only_their_own_products_and_changes_nothing(
    prem, ramu, ganesh, horse
) -> None:
    # given Prem, a producer with no products, and Ramu, whose sign-in is on
    others = client_for(prem)
    mine = client_for(do_enable_producer_sign_in(ramu, acting_user=ganesh))
    add_sku(horse, ganesh, mrp=Decimal("150000.00"), price=Decimal("120000.00"), stock=7)

    # then Prem sees no product, and not Ramu's horse
    listing = others.get(reverse("product_list")).content.decode()
    assert "No products yet." in listing
    assert "Terracotta horse" not in listing
    assert others.get(reverse("product_detail", args=[horse.uuid])).status_code == 404

    # and Ramu sees his horse, its price (written as on every page) and stock (in Hindi, his
    # account's language), without a button to change anything
    listing = mine.get(reverse("product_list")).content.decode()
    assert horse.name_hi in listing
    assert "₹1,20,000 ·" in listing
    assert "7 स्टॉक में" in listing
    detail = mine.get(reverse("product_detail", args=[horse.uuid])).content.decode()
    assert horse.name_hi in detail
    assert hindi("Edit the product") not in detail
    assert hindi("Print labels (PDF)") not in detail
    assert mine.get(reverse("product_edit", args=[horse.uuid])).status_code == 403
    assert mine.get(reverse("product_create")).status_code == 403
