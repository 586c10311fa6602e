"""Showcase fixtures: Ramu (consents to listing and to the showcase) with a terracotta horse that
has a photo and is live on Flipkart; the cache emptied around every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache

from niryat.catalog.models import Product
from niryat.channels.models import Listing
from niryat.core.models import District, User
from niryat.messaging.backends import local
from niryat.messaging.backends.base import Delivery
from niryat.registry.models import Producer
from tests.catalog.factories import add_sku, make_product
from tests.channels.factories import add_ready_photo
from tests.channels.test_pages import make_account
from tests.registry.factories import give_listing_consent
from tests.showcase.factories import show

FLIPKART_URL = "https://www.flipkart.com/product/p/itme?pid=TERHORSE01"


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://niryat.example.org"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def outbox() -> Iterator[list[Delivery]]:
    local.outbox.clear()
    yield local.outbox
    local.outbox.clear()


@pytest.fixture
def shown_ramu(ramu: Producer, ganesh: User) -> Producer:
    give_listing_consent(ramu, ganesh)
    show(ramu, ganesh)
    return ramu


@pytest.fixture
def horse(shown_ramu: Producer, ganesh: User, gorakhpur: District) -> Product:
    """Ramu's terracotta horse, with a photo, live on Flipkart."""
    product = make_product(shown_ramu, ganesh)
    add_ready_photo(product)
    sku = add_sku(product, ganesh, seller_sku="TERR-HORSE-01")
    Listing.objects.create(
        sku=sku,
        account=make_account(gorakhpur),
        state=Listing.State.LIVE,
        external_id="TERHORSE01",
        url=FLIPKART_URL,
    )
    return product
