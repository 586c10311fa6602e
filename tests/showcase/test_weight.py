"""A page of products stays under about 100 KB on a phone's first visit (3G)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from niryat.catalog.models import ProductImage
from niryat.core import imaging
from niryat.core.models import User
from niryat.registry.models import Producer
from niryat.showcase.views import PER_PAGE
from niryat.site.demo_photos import product_photo
from tests.catalog.factories import add_sku, make_product
from tests.showcase.weight import first_load

pytestmark = pytest.mark.django_db

BUDGET = 100 * 1024


@pytest.fixture
def page_of_products(shown_ramu: Producer, ganesh: User) -> list[str]:
    """A page of products, each with a processed photo of a textured terracotta horse."""
    main = imaging.process_photo(product_photo("horse", (170, 90, 50), seed=3)).main.jpeg
    uuids = []
    for number in range(PER_PAGE):
        product = make_product(
            shown_ramu,
            ganesh,
            name_en=f"Terracotta horse, hand-painted, {20 + number} cm",
            name_hi=f"टेराकोटा घोड़ा, हाथ से रंगा, {20 + number} सेमी",
        )
        add_sku(product, ganesh, seller_sku=f"HORSE-{number}")
        image = ProductImage(product=product, status=ProductImage.Status.READY)
        image.original.save("o.jpg", ContentFile(main), save=False)
        image.main.save("m.jpg", ContentFile(main), save=False)
        image.save()
        uuids.append(str(product.uuid))
    return uuids


@pytest.mark.parametrize("dpr", [1.0, 2.0])
@pytest.mark.parametrize("language", ["hi", "en"])
def test_a_page_of_products_weighs_under_100_kb(
    page_of_products: list[str], dpr: float, language: str, media: Path
) -> None:
    client = Client(headers={"accept-language": language})
    for path in ("/showcase/districts/148/", "/showcase/search/?q=टेराकोटा"):
        weight = first_load(client, path, dpr=dpr)
        assert weight.image_count == PER_PAGE
        assert weight.total < BUDGET, (path, dpr, weight)


def test_a_product_page_weighs_under_100_kb(page_of_products: list[str]) -> None:
    weight = first_load(Client(), f"/showcase/products/{page_of_products[0]}/", dpr=2.0)
    assert weight.total < BUDGET, weight


def test_pick_follows_srcset_and_sizes() -> None:
    from tests.showcase.weight import pick

    tag = '<img src="/a" srcset="/a 160w, /b 320w" sizes="(max-width: 480px) 44vw, 160px">'
    assert pick(tag, 1.0) == "/a"  # a 158 px slot on a 360 px phone
    assert pick(tag, 1.0, viewport=1000) == "/a"
    assert pick(tag, 2.0) == "/b"
