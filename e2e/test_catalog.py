"""The catalogue as centre staff use it: a Gorakhpur terracotta artisan's product with two
variants, a phone photo turned into a white-background main image, the checklist worked through,
and labels printed."""

from __future__ import annotations

import importlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from PIL import Image
from playwright.sync_api import Page, expect

from e2e.conftest import (
    GORAKHPUR,
    Persona,
    axe_check,
    axe_violations,
    login,
    odop_product,
    switch_language,
)
from niryat.catalog.models import Product, ProductImage
from niryat.core.models import District
from niryat.registry.actions import do_register_producer
from niryat.registry.models import Kind, Producer
from tests.test_imaging import a_phone_upload, a_photo

pytestmark = pytest.mark.e2e


def run_tasks() -> None:
    """The task worker, once through the queue (the live server only queues the photo)."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


@pytest.fixture
def catalogue_words(live_server: Any) -> None:
    """The craft glossary and the vocabulary of materials, which migrations seed and the live
    server's emptied database has lost: they gloss the HS descriptions in Hindi."""
    from django.apps import apps

    for module, loader in (
        ("niryat.catalog.migrations.0002_load_glossary", "load"),
        ("niryat.catalog.migrations.0006_attribute_vocabulary", "seed"),
    ):
        getattr(importlib.import_module(module), loader)(apps, None)


def english_phrase(text: str) -> bool:
    """Three Latin words in a row: an English phrase (a code or a proper noun alone is not)."""
    return bool(re.search(r"[A-Za-z]{2,}(?:[\s,;:]+[A-Za-z]{2,}){2,}", text))


def field(page: Page, label: str) -> Any:
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}", re.IGNORECASE))


@pytest.fixture
def ramu(gorakhpur_staff: Persona) -> Producer:
    """A Gorakhpur terracotta artisan, registered through the app's action."""
    return do_register_producer(
        District.objects.get(lgd_code=GORAKHPUR),
        {
            "kind": Kind.ARTISAN,
            "name_hi": "रामू प्रजापति",
            "name_latin": "Ramu Prajapati",
            "odop_product": odop_product(GORAKHPUR, "Terracotta"),
            "village": "Aurangabad",
            "pin": "273001",
            "mobile": "+919839012345",
        },
        acting_user=gorakhpur_staff.user,
    )


def fill_variant(page: Page, *, size: str, title_hi: str, title_en: str, weight: str) -> None:
    field(page, "size").fill(size)
    field(page, "material").fill("terracotta clay")
    field(page, "product dimensions").fill("25 × 10 × 30")
    field(page, "finish").fill("matt, hand-painted")
    field(page, "title (Hindi)").fill(title_hi)
    field(page, "title (English)").fill(title_en)
    field(page, "bullet points (English)").fill("Hand-shaped from local clay\nFired in a wood kiln")
    field(page, "MRP").fill("1200")
    field(page, "selling price").fill("950")
    field(page, "stock").fill("8")
    field(page, "net quantity").fill("1")
    field(page, "packed weight").fill(weight)
    field(page, "package length").fill("35")
    field(page, "package width").fill("15")
    field(page, "package height").fill("35")
    field(page, "month and year of manufacture").fill("2026-10")


def test_staff_catalogue_a_terracotta_product_photograph_it_and_print_labels(
    page: Page, live_server: Any, gorakhpur_staff: Persona, ramu: Producer, media_root: Path
) -> None:
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)

    # given Chanda on Ramu's page, she adds a product
    page.goto(f"{live_server.url}/producers/{ramu.uuid}/")
    page.get_by_role("link", name="Add a product").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a product")
    expect(field(page, "category")).to_have_value("handicrafts")  # from the ODOP product
    field(page, "name (Hindi)").fill("टेराकोटा घोड़ा")
    field(page, "name (English)").fill("Terracotta horse")
    # the HS code help: she describes the product and picks a proposed code
    page.get_by_label("Describe the product in a few words").fill("terracotta")
    first = page.locator("#hs-matches .use-hs-code").first
    expect(first).to_have_text(re.compile(r"^6913"))
    code = first.inner_text()
    first.click()
    expect(field(page, "HS code")).to_have_value(code)
    field(page, "generic name of the commodity").fill("Terracotta figurine")
    field(page, "manufacturer or packer").fill("Ramu Prajapati")
    field(page, "manufacturer's or packer's address").fill("Aurangabad, Gorakhpur 273001")
    axe_check(page)
    page.get_by_role("button", name="Save").click()  # the GST rate is left for later

    # and two variants, the second started from a copy of the first
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a variant")
    fill_variant(
        page,
        size="small",
        title_hi="गोरखपुर टेराकोटा घोड़ा, छोटा",
        title_en="Gorakhpur terracotta horse, small",
        weight="900",
    )
    # the counter speaks in characters; Amazon's 200 bytes leave fewer for Hindi letters (3 each)
    counter = page.locator("#id_title_hi_count")
    title_hi = "गोरखपुर टेराकोटा घोड़ा, छोटा"
    fits = len(title_hi) + (200 - len(title_hi.encode())) // 3
    expect(counter).to_have_text(f"{len(title_hi)} of {fits} characters")
    page.locator("#id_title_en").fill("Gorakhpur terracotta horse, small")
    expect(page.locator("#id_title_en_count")).to_have_text("33 of 200 characters")
    axe_check(page)
    page.get_by_role("button", name="Save and add another variant").click()
    expect(field(page, "title (English)")).to_have_value("Gorakhpur terracotta horse, small")
    field(page, "size").fill("large")
    field(page, "title (English)").fill("Gorakhpur terracotta horse, large")
    field(page, "packed weight").fill("")
    page.get_by_role("button", name="Save", exact=True).click()

    # then the product page lists both and the checklist says what is missing
    product = Product.objects.get(producer=ramu)
    expect(page).to_have_url(re.compile(rf"/catalogue/{product.uuid}/$"))
    rows = page.locator("table").first.locator("tbody tr")
    expect(rows).to_have_count(2)
    checklist = page.locator("#checklist")
    expect(checklist.locator("[data-check=photos].failed")).to_contain_text(
        "Add at least one photo of the product."
    )
    expect(checklist.locator("[data-check=hs_code].failed")).to_contain_text("Choose the GST rate.")
    expect(checklist.locator("[data-check=weight].failed")).to_contain_text(
        "Enter the packed weight."
    )

    # when she uploads a phone photo, turned by its EXIF and carrying GPS
    page.locator("#id_photos").set_input_files(
        {
            "name": "IMG_20261101_1012.jpg",
            "mimeType": "image/jpeg",
            "buffer": a_phone_upload(a_photo()),
        }
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("1 photo kept; it is being processed.")).to_be_visible()
    expect(page.locator("#images")).to_contain_text("Processing…")
    run_tasks()

    # then the page, polling, shows before and after and the quality score
    after = page.get_by_role("img", name="After: the product on a white background")
    expect(after).to_be_visible()
    expect(page.locator("#images .quality")).to_contain_text(re.compile(r"Quality: \d+ of 100"))
    main = Image.open(io.BytesIO(page.request.get(after.get_attribute("src") or "").body()))
    assert main.width == main.height >= 1000
    assert (
        main.getpixel((3, 3)) == main.getpixel((main.width - 3, main.height - 3)) == (255, 255, 255)
    )
    axe_check(page)

    # and the saved files have no EXIF and are upright
    image = ProductImage.objects.get(product=product)
    for saved in (image.original, image.main, image.thumbnail):
        with Image.open(saved.path) as file:
            assert not file.getexif(), saved.name
    with Image.open(image.original.path) as original:
        assert original.size == (1600, 1200)  # the scene is wider than tall
    assert image.quality_score is not None
    assert image.quality_score >= 60

    # when she fixes what the checklist shows
    page.get_by_role("link", name="Edit the product").click()
    field(page, "GST rate").select_option("5")
    page.get_by_role("button", name="Save").click()
    page.get_by_role(
        "link", name=re.compile(r"^Edit\s+" + re.escape(f"TERR-{product.pk:05d}-02"))
    ).click()
    field(page, "packed weight").fill("1800")
    page.get_by_role("button", name="Save", exact=True).click()

    # then it is ready to sell
    expect(page.locator("#checklist-heading")).to_have_text("Ready to sell: 100 %")
    expect(page.locator("#checklist .failed")).to_have_count(0)

    # and the labels print as a PDF with both SKU codes
    labels = page.get_by_role("link", name="Print labels (PDF)")
    response = page.request.get(labels.get_attribute("href") or "")
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # and the list shows the product as complete, with its photo
    page.get_by_role("navigation").get_by_role("link", name="Catalogue", exact=True).click()
    page.get_by_label("Readiness").select_option("ready")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("link", name="Terracotta horse")).to_be_visible()
    expect(page.locator("td.num .badge.ok")).to_have_text("100 %")
    axe_check(page)


@pytest.mark.parametrize("language", ["en", "hi"])
def test_every_catalogue_page_meets_wcag_21_aa_and_fits_a_phone(
    new_context: Any,
    live_server: Any,
    gorakhpur_staff: Persona,
    ramu: Producer,
    media_root: Path,
    language: str,
    catalogue_words: None,
) -> None:
    from niryat.catalog.actions import do_add_image, do_add_sku, do_create_product
    from tests.catalog.factories import COMPLETE_PRODUCT, COMPLETE_SKU
    from tests.test_imaging import jpeg

    staff = gorakhpur_staff.user
    product = do_create_product(ramu, acting_user=staff, **COMPLETE_PRODUCT)
    sku = do_add_sku(product, acting_user=staff, **COMPLETE_SKU)
    image = do_add_image(product, jpeg(a_photo()), file_name="horse.jpg", acting_user=staff)
    run_tasks()
    pages = [
        "/catalogue/",
        "/catalogue/?readiness=needs_work&lacks=photos",
        f"/catalogue/new/?q={ramu.name_latin[:4]}",
        f"/catalogue/new/?producer={ramu.uuid}",
        f"/catalogue/{product.uuid}/",
        f"/catalogue/{product.uuid}/edit/",
        f"/catalogue/{product.uuid}/skus/new/",
        f"/catalogue/skus/{sku.uuid}/edit/",
        f"/catalogue/images/{image.uuid}/",
        "/catalogue/glossary/",
        "/catalogue/import/",
    ]
    problems = []
    for options in ({}, {"viewport": {"width": 360, "height": 740}, "is_mobile": True}):
        page = new_context(**options).new_page()
        login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
        if language != "en":
            switch_language(page, language)
        for path in pages:
            response = page.goto(path)
            assert response is not None
            assert response.ok, f"{path}: {response.status}"
            expect(page.locator("html")).to_have_attribute("lang", language)
            problems += axe_violations(page)
            if options:
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 360, f"{path} scrolls sideways on a phone: {width}px"
        # the SKU form with its errors, and the HS code help with its matches
        page.goto(f"/catalogue/skus/{sku.uuid}/edit/")
        page.locator("#id_price").fill("5000")
        page.locator("main form button[type=submit]").first.click()
        expect(page.locator("#form-errors")).to_be_visible()
        problems += axe_violations(page)
        page.goto(f"/catalogue/{product.uuid}/edit/")
        page.locator("#id_hs_query").fill("कालीन")
        expect(page.locator("#hs-matches .use-hs-code").first).to_be_visible()
        problems += axe_violations(page)
        if language == "hi":
            # the HS descriptions are glossed in Hindi, the English only on hover
            descriptions = page.locator("#hs-matches .hs-description").all_inner_texts()
            assert descriptions
            assert [text for text in descriptions if english_phrase(text)] == []
            assert page.locator("#hs-matches .hs-description").first.get_attribute("title")
            # and the photo's quality checks read in Hindi
            page.goto(f"/catalogue/{product.uuid}/")
            checks = page.locator("#images .quality-checks li").all_inner_texts()
            assert len(checks) == 5
            assert [text for text in checks if english_phrase(text)] == []
    assert not problems, "accessibility violations:\n" + "\n".join(problems)
