"""Channel fixtures: the fake marketplaces on loopback (one server per test session, reset before
each test, settings pointed at it), and a Gorakhpur producer with a SKU ready for every channel."""

from __future__ import annotations

from pathlib import Path

import pytest

from niryat.catalog.models import Category, Sku
from niryat.core.models import District, User
from niryat.registry.models import Producer
from tests.catalog.factories import add_sku, make_product
from tests.channels.factories import add_ready_photo
from tests.registry.factories import give_listing_consent, register


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://niryat.example.org"
    return settings.MEDIA_ROOT


def _serve(name: str):  # type: ignore[no-untyped-def]
    @pytest.fixture(scope="session")
    def server():  # type: ignore[no-untyped-def]
        from django.utils.module_loading import import_string

        fake = import_string(name)()
        fake.start()
        yield fake
        fake.stop()

    return server


amazon_server = _serve("fakes.amazon.FakeAmazon")
flipkart_server = _serve("fakes.flipkart.FakeFlipkart")
ebay_server = _serve("fakes.ebay.FakeEbay")


@pytest.fixture
def fake_amazon(amazon_server, settings):  # type: ignore[no-untyped-def]
    amazon_server.reset()
    settings.CHANNEL_ENDPOINTS = {
        **settings.CHANNEL_ENDPOINTS,
        "amazon": amazon_server.url,
        "amazon_auth": amazon_server.url,
    }
    return amazon_server


@pytest.fixture
def fake_flipkart(flipkart_server, settings):  # type: ignore[no-untyped-def]
    flipkart_server.reset()
    settings.CHANNEL_ENDPOINTS = {**settings.CHANNEL_ENDPOINTS, "flipkart": flipkart_server.url}
    return flipkart_server


@pytest.fixture
def fake_ebay(ebay_server, settings):  # type: ignore[no-untyped-def]
    ebay_server.reset()
    settings.CHANNEL_ENDPOINTS = {**settings.CHANNEL_ENDPOINTS, "ebay": ebay_server.url}
    return ebay_server


@pytest.fixture
def fast_retries(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CHANNEL_HTTP_TIMEOUT = 1.0
    settings.CHANNEL_RETRY_SECONDS = 0.01
    settings.CHANNEL_POLL_SECONDS = 0.01


@pytest.fixture
def ramu(ramu: Producer, ganesh: User) -> Producer:
    """Ramu, who has agreed to be listed on marketplaces."""
    return give_listing_consent(ramu, ganesh)


@pytest.fixture
def horse_sku(ramu: Producer, ganesh: User) -> Sku:
    """Ramu's terracotta horse: a SKU complete for the catalogue, with a processed photo."""
    product = make_product(ramu, ganesh)
    add_ready_photo(product)
    return add_sku(product, ganesh, seller_sku="TERR-HORSE-01")


@pytest.fixture
def khadi_sku(gorakhpur: District, ganesh: User) -> Sku:
    """A khadi kurta from a Gorakhpur khadi unit, complete, with a photo."""
    unit = register(gorakhpur, ganesh, name_hi="गोरखपुर खादी आश्रम", mobile="+919839054321")
    give_listing_consent(unit, ganesh)
    product = make_product(
        unit,
        ganesh,
        category=Category.KHADI,
        name_en="Khadi kurta",
        name_hi="खादी कुर्ता",
        hs_code="62052000",
        generic_name="Cotton kurta",
    )
    add_ready_photo(product)
    return add_sku(
        product,
        ganesh,
        seller_sku="KHADI-KURTA-M",
        size="M",
        colour="white",
        material="cotton",
        title_en="Handspun khadi cotton kurta, white, M",
        title_hi="हाथ से कता खादी सूती कुर्ता, सफ़ेद, M",
        attributes={
            "yarn_count": "40s",
            "weave": "plain",
            "fibre": "cotton",
            "fabric_width": "110",
        },
    )
