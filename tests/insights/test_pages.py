"""The export potential on the district, ODOP product and producer pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from niryat.core.models import District, OdopProduct, User
from niryat.registry.models import Producer
from tests.conftest import client_for, hindi

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def trade_data(db) -> None:  # type: ignore[no-untyped-def]
    call_command(
        "load_trade_data",
        baci=FIXTURES / "baci_hs17_2024_sample.csv",
        earlier=FIXTURES / "baci_hs17_2022_sample.csv",
        india_national=FIXTURES / "india_national_sample.csv",
        india_fy=2024,
        stdout=None,
    )


@pytest.fixture
def garments(gorakhpur: District) -> OdopProduct:
    return OdopProduct.objects.get(district=gorakhpur, name_en="Readymade garments")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_district_officer_sees_the_top_markets_of_both_products_with_reasons(
    trade_data: None, gita: User, gorakhpur: District, terracotta: OdopProduct
) -> None:
    response = client_for(gita).get(reverse("district_detail", args=[gorakhpur.lgd_code]))

    text = text_of(response.content.decode())
    assert "Best markets for Terracotta" in text
    assert "Best markets for Readymade garments" in text
    # Terracotta: the UAE and Nepal, with the words of each reason.
    assert "United Arab Emirates: potential US$ 287 thousand a year, untapped US$ 187 thousand" in (
        text
    )
    assert "Nepal: potential US$ 247 thousand a year, untapped US$ 147 thousand" in text
    # 300 + 100 + 100 thousand now, 300 + 100 + 25 two years before: (500/425)^(1/2) − 1.
    assert "Market size: it imports US$ 500 thousand a year, growing 8.5% a year" in text
    assert "Competitors: China (80%)." in text
    assert "India&#x27;s share: India sells US$ 100 thousand there, 20.0% of its imports." in text
    # Readymade garments (HS 6109 among its codes): the UAE, where Bangladesh leads.
    assert "United Arab Emirates: potential US$ 2.8 million a year, untapped US$ 818 thousand" in (
        text
    )
    assert "Competitors: Bangladesh (75%)." in text
    assert reverse("odop_export_potential", args=[terracotta.pk]) in response.content.decode()


def test_the_product_page_ranks_markets_beside_a_shaded_map_and_names_the_gaps(
    trade_data: None, gita: User, terracotta: OdopProduct
) -> None:
    response = client_for(gita).get(reverse("odop_export_potential", args=[terracotta.pk]))

    html = response.content.decode()
    rows = re.findall(r'<tr><td class="num">(\d+)</td><th scope="row">([^<]+)</th>', html)
    assert rows == [("1", "United Arab Emirates"), ("2", "Nepal")]
    # The map: every country a path; the two markets shaded, with their rank in the title.
    assert html.count("<path ") > 150
    assert "<title>1. United Arab Emirates: US$ 287 thousand</title>" in html
    assert 'fill="#08519c"><title>1. United Arab Emirates' in html
    text = text_of(html)
    assert "Tariffs: no tariff data is loaded" in text
    # The USA: India's own statistics only, and no potential invented.
    assert "United States US$ 1.2 million no data: its imports are not in the trade data" in text
    assert "Distance: 2,310 km from India, nearer than its suppliers on average" in text


def test_the_product_page_in_hindi(trade_data: None, gita: User, terracotta: OdopProduct) -> None:
    client = client_for(gita, **{"Accept-Language": "hi"})
    response = client.get(reverse("odop_export_potential", args=[terracotta.pk]))

    text = text_of(response.content.decode())
    assert "संयुक्त अरब अमीरात" in text
    assert hindi("Markets ranked by potential") in text
    assert (
        hindi(
            "Tariffs: no tariff data is loaded, so import duties are not counted in the potential."
        )
        in text
    )


def test_another_district_s_staff_cannot_open_the_product_page(
    trade_data: None, vani: User, terracotta: OdopProduct
) -> None:
    response = client_for(vani).get(reverse("odop_export_potential", args=[terracotta.pk]))
    assert response.status_code == 404


def test_the_producer_page_shows_the_markets_of_their_odop_product(
    trade_data: None, ganesh: User, ramu: Producer
) -> None:
    response = client_for(ganesh).get(reverse("producer_detail", args=[ramu.uuid]))

    text = text_of(response.content.decode())
    assert "Best markets for Terracotta" in text
    assert "United Arab Emirates: potential US$ 287 thousand a year" in text


def test_without_trade_data_the_pages_say_so(gita: User, terracotta: OdopProduct) -> None:
    response = client_for(gita).get(reverse("odop_export_potential", args=[terracotta.pk]))
    assert "No trade data is loaded yet, so no markets can be ranked." in response.content.decode()
