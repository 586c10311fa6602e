"""Export potential in the browser: a Gorakhpur district officer finds the best markets for the
district's terracotta and readymade garments, why, and the map; in English, and in Hindi on a
phone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from e2e.conftest import GORAKHPUR, Persona, axe_check, login, make_persona, switch_language
from niryat.core.models import District, Role

FIXTURES = Path(__file__).parent.parent / "tests" / "insights" / "fixtures"
PHONE = {"width": 360, "height": 740}


def hi(message: str) -> str:
    with translation.override("hi"):
        translated = gettext(message)
    assert translated != message, f"no Hindi for {message!r}"
    return translated


@pytest.fixture
def trade_data(live_server: Any) -> None:
    """A small BACI sample (UAE, Nepal and Saudi Arabia; terracotta and T-shirts), two years, and
    India's own figure for the USA, loaded as a state would load the full files."""
    call_command(
        "load_trade_data",
        baci=FIXTURES / "baci_hs17_2024_sample.csv",
        earlier=FIXTURES / "baci_hs17_2022_sample.csv",
        india_national=FIXTURES / "india_national_sample.csv",
        india_fy=2024,
        stdout=None,
    )


@pytest.fixture
def gorakhpur_officer(reference_data: dict[int, District]) -> Persona:
    district = District.objects.get(lgd_code=GORAKHPUR)
    return make_persona("geeta", "Geeta Srivastava", Role.DISTRICT_OFFICER, district)


def test_officer_sees_the_top_markets_their_reasons_and_the_map(
    page: Page, live_server: Any, trade_data: None, gorakhpur_officer: Persona
) -> None:
    login(page, live_server, gorakhpur_officer.username, gorakhpur_officer.password)

    # Signing in lands on the district's page: each ODOP product with its best markets and why.
    terracotta = page.locator(".export-potential-summary").filter(has_text="Terracotta")
    expect(terracotta.locator("li > strong").first).to_have_text("United Arab Emirates:")
    expect(terracotta).to_contain_text(
        "potential US$ 287 thousand a year, untapped US$ 187 thousand"
    )
    expect(terracotta).to_contain_text("growing 8.5% a year over the last 2 years")
    expect(terracotta).to_contain_text("Competitors: China (80%).")
    garments = page.locator(".export-potential-summary").filter(has_text="Readymade garments")
    expect(garments).to_contain_text("United Arab Emirates: potential US$ 2.8 million a year")
    expect(garments).to_contain_text("Competitors: Bangladesh (75%).")
    expect(garments).to_contain_text("Saudi Arabia: potential US$ 936 thousand a year")
    axe_check(page)

    # The product's page: the map shaded by potential beside the ranked table.
    terracotta.get_by_role("link", name="All markets, with the world map").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export potential: Terracotta")
    world = page.get_by_role("img", name=re.compile("World map: countries shaded"))
    expect(world).to_be_visible()
    assert world.locator("path").count() > 150
    # The UAE and Nepal (86 % of the UAE's potential) in the darkest shade; countries without
    # potential in grey.
    uae = world.locator('path:has(title:text-is("1. United Arab Emirates: US$ 287 thousand"))')
    expect(uae).to_have_attribute("fill", "#08519c")
    assert world.locator('path[fill="#08519c"]').count() == 2
    expect(world.locator("path:has(title)")).to_have_count(2)
    table = page.locator("#ranked-markets-table")
    expect(table.locator("tbody th")).to_have_text(["United Arab Emirates", "Nepal"])
    expect(table.locator("tbody tr").first).to_contain_text(
        "Distance: 2,310 km from India, nearer than its suppliers on average"
    )
    # Where the data has nothing, the page says so rather than guess.
    expect(page.locator(".data-gaps")).to_contain_text("Tariffs: no tariff data is loaded")
    without = page.get_by_role("region", name="Markets without import data")
    expect(
        without.get_by_role("row", name=re.compile(r"^United States US\$ 1\.2 million no data"))
    ).to_be_visible()
    axe_check(page)


def test_in_hindi_on_a_phone(
    new_context: Any, live_server: Any, trade_data: None, gorakhpur_officer: Persona
) -> None:
    page = new_context(viewport=PHONE, locale="hi-IN").new_page()
    login(page, live_server, gorakhpur_officer.username, gorakhpur_officer.password)
    switch_language(page, "hi")

    garments = page.locator(".export-potential-summary").filter(has_text="रेडीमेड वस्त्र")
    expect(garments).to_contain_text("संयुक्त अरब अमीरात:")
    expect(garments).to_contain_text("प्रतिस्पर्धी: बांग्लादेश (75%)।")
    expect(garments).to_contain_text("2.8 मिलियन US$")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)

    garments.get_by_role("link", name=hi("All markets, with the world map")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        hi("Export potential: %(name)s").split(":")[0]
    )
    expect(page.get_by_role("img", name=re.compile("विश्व का नक्शा"))).to_be_visible()
    table = page.locator("#ranked-markets-table")
    expect(table.locator("tbody th")).to_have_text(["संयुक्त अरब अमीरात", "सउदी अरब"])
    expect(table).to_contain_text("भारत का हिस्सा: भारत वहाँ 2.0 मिलियन US$ बेचता है")
    expect(page.locator(".data-gaps")).to_contain_text(
        hi("Tariffs: no tariff data is loaded, so import duties are not counted in the potential.")
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
