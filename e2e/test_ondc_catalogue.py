"""Centre staff decide, on a phone in Hindi, which part of ONDC their district's ODOP products are
offered in: Gorakhpur's readymade garments (Fashion by default) move to Home and kitchen's bed
linen, and the next search by a buyer app finds them there."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import GORAKHPUR, Persona, axe_check, login, switch_language
from niryat.channels.models import OndcDomainMapping
from niryat.core.models import District, OdopProduct

pytestmark = pytest.mark.e2e


def test_centre_staff_move_garments_to_home_furnishing_on_a_phone(
    new_context: Any,
    live_server: Any,
    reference_data: dict[int, District],
    gorakhpur_staff: Persona,
) -> None:
    garments = OdopProduct.objects.get(
        district=reference_data[GORAKHPUR], name_en="Readymade garments"
    )
    phone = new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    login(phone, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    switch_language(phone, "hi")

    phone.goto("/channels/ondc/domains/")
    expect(phone.locator("h1")).to_have_text("ONDC डोमेन")
    card = phone.locator(f"#odop-{garments.pk}")
    expect(card.get_by_test_id("ondc-category")).to_have_text("Kurtas & Kurta Sets")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the ONDC domains page scrolls sideways on a phone: {width}px"
    axe_check(phone)

    card.get_by_label("ONDC डोमेन और श्रेणी").select_option(
        "ONDC:RET16|Home Furnishing - Bedding and Linen"
    )
    card.get_by_role("button", name="सहेजें").click()

    card = phone.locator(f"#odop-{garments.pk}")
    expect(card.get_by_test_id("ondc-category")).to_have_text("Home Furnishing - Bedding and Linen")
    expect(phone.locator(".messages")).to_contain_text("Home Furnishing - Bedding and Linen")
    mapping = OndcDomainMapping.objects.get(odop_product=garments)
    assert (mapping.domain, mapping.updated_by) == ("ONDC:RET16", gorakhpur_staff.user)
