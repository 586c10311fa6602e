"""The public showcase as a buyer sees it, signed out: districts, search, product pages."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from niryat.catalog.models import Product
from niryat.core.models import District, User
from niryat.registry.models import Producer
from tests.catalog.factories import add_sku, make_product
from tests.registry.factories import give_listing_consent, register
from tests.showcase.conftest import FLIPKART_URL
from tests.showcase.factories import STORY_EN, STORY_HI

pytestmark = pytest.mark.django_db


def page(path: str, language: str = "en") -> str:
    response = Client(headers={"accept-language": language}).get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def test_home_lists_districts_with_shown_products(horse: Product) -> None:
    html = page("/showcase/")
    assert "Gorakhpur" in html
    assert "1 product" in html
    assert "Varanasi" not in html


def test_district_page_shows_odop_products_producers_and_products(horse: Product) -> None:
    html = page("/showcase/districts/148/")
    assert "Terracotta" in html
    assert "Terracotta horse" in html
    assert "Ramu Prajapati" in html


def test_district_page_in_hindi(horse: Product) -> None:
    html = page("/showcase/districts/148/", "hi")
    assert 'lang="hi"' in html
    assert "टेराकोटा घोड़ा" in html
    assert "रामू प्रजापति" in html


def test_producer_without_showcase_agreement_is_not_shown(
    gorakhpur: District, ganesh: User
) -> None:
    # given a producer who consents to marketplaces but never agreed to the showcase
    shyam = give_listing_consent(register(gorakhpur, ganesh, name_hi="श्याम कुमार"), ganesh)
    product = make_product(shyam, ganesh, name_en="Terracotta lamp", name_hi="टेराकोटा दीया")
    add_sku(product, ganesh, seller_sku="LAMP-1")
    # then neither the district page nor the product's address shows them
    assert "Terracotta lamp" not in page("/showcase/districts/148/")
    assert Client().get(f"/showcase/products/{product.uuid}/").status_code == 404


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("टेराकोटा", True),  # the product's Hindi name
        ("terracotta", True),  # its English name, any case
        ("ramu", True),  # the producer's name typed in Latin finds रामू
        ("रामू", True),
        ("Prajapati", True),
        ("बनारसी", False),
    ],
)
def test_search_in_either_script(horse: Product, query: str, found: bool) -> None:
    html = page(f"/showcase/search/?q={query}")
    assert ("Terracotta horse" in html) is found


@pytest.mark.parametrize(
    "query",
    [
        "x" * 50_000,
        "%00abc",
        "'; DROP TABLE catalog_product; --",
        '"unbalanced',
        "<script>alert(1)</script>",
        "टेराकोटा" * 500,
        "*",
        "NEAR(a b)",
    ],
)
def test_odd_or_oversized_queries_get_a_page_not_a_server_error(horse: Product, query: str) -> None:
    response = Client().get("/showcase/search/", {"q": query, "page": "99999999999999999999"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_garbage_page_and_filter_parameters_are_ignored(horse: Product) -> None:
    for query in ("page=-1", "page=abc", "odop=999999999999999999999", "odop=%00", "lang=xx"):
        assert Client().get(f"/showcase/districts/148/?{query}").status_code == 200


def test_product_page_has_photos_text_story_links_and_structured_data(horse: Product) -> None:
    html = page(f"/showcase/products/{horse.uuid}/")
    # photos in the right sizes, the first at once, the others lazily
    image = horse.images.get()
    assert f"/showcase/photos/{image.uuid}/400.jpg 400w" in html
    assert f"/showcase/photos/{image.uuid}/800.jpg 800w" in html
    # both languages, the story, the Flipkart link
    assert "Terracotta horse" in html
    assert 'lang="hi">टेराकोटा घोड़ा' in html
    assert STORY_EN in html
    assert f'href="{FLIPKART_URL}"' in html
    assert "Buy on Flipkart" in html
    # Open Graph and the canonical address
    address = f"https://niryat.example.org/showcase/products/{horse.uuid}/"
    assert f'<meta property="og:url" content="{address}">' in html
    assert f'<link rel="canonical" href="{address}">' in html
    assert '<meta property="og:type" content="product">' in html
    # schema.org Product
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert raw is not None
    data = json.loads(raw.group(1))
    assert data["@type"] == "Product"
    assert data["name"] == "Terracotta horse"
    assert data["url"] == address
    assert data["offers"]["priceCurrency"] == "INR"
    assert data["offers"]["lowPrice"] == "950.00"
    assert data["image"] == [f"https://niryat.example.org/showcase/photos/{image.uuid}/800.jpg"]


def test_product_page_in_hindi_tells_the_story_in_hindi(horse: Product) -> None:
    html = page(f"/showcase/products/{horse.uuid}/", "hi")
    assert "<h1>टेराकोटा घोड़ा</h1>" in html
    assert STORY_HI in html
    assert "Flipkart" in html


def test_a_script_in_product_text_is_escaped_even_in_structured_data(
    shown_ramu: Producer, ganesh: User
) -> None:
    product = make_product(shown_ramu, ganesh, name_en="Horse</script><script>alert(1)</script>")
    add_sku(product, ganesh, seller_sku="EVIL-1")
    html = page(f"/showcase/products/{product.uuid}/")
    assert "<script>alert(1)</script>" not in html
    assert html.count("</script>") == 1  # the JSON-LD's own


def test_photos_come_in_the_asked_widths(horse: Product) -> None:
    from io import BytesIO

    from PIL import Image

    image = horse.images.get()
    for width in (160, 320, 400, 800):
        response = Client().get(f"/showcase/photos/{image.uuid}/{width}.jpg")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "public" in response["Cache-Control"]
        assert Image.open(BytesIO(response.content)).size == (width, width)
    assert Client().get(f"/showcase/photos/{image.uuid}/1200.jpg").status_code == 404


def test_qr_code_encodes_the_product_address(horse: Product) -> None:
    response = Client().get(f"/showcase/products/{horse.uuid}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert (
        f"https://niryat.example.org/showcase/products/{horse.uuid}/" in response.content.decode()
    )


def test_sitemap_lists_district_and_product_pages(horse: Product) -> None:
    response = Client().get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    text = response.content.decode()
    assert "<loc>https://niryat.example.org/showcase/districts/148/</loc>" in text
    assert f"<loc>https://niryat.example.org/showcase/products/{horse.uuid}/</loc>" in text


def test_language_can_be_named_in_the_address(horse: Product) -> None:
    response = Client().get(f"/showcase/products/{horse.uuid}/?lang=hi")
    assert "<h1>टेराकोटा घोड़ा</h1>" in response.content.decode()
    assert response.cookies["niryat_language"].value == "hi"


def test_pages_come_from_the_cache_when_warm(horse: Product, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.get(f"/showcase/products/{horse.uuid}/")
    # one query: the pages' generation, which every worker reads from the database
    with django_assert_num_queries(1):
        response = client.get(f"/showcase/products/{horse.uuid}/")
    assert "Terracotta horse" in response.content.decode()
    # a phone asks again each time; an unchanged page is a 304 of no body
    assert response["Cache-Control"] == "public, no-cache"
    again = client.get(
        f"/showcase/products/{horse.uuid}/", headers={"if-none-match": response["ETag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
