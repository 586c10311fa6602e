"""A buyer's complaint through ONDC reaches the centre: on a phone, in Hindi, staff find it among
the open grievances with the times ONDC expects an answer by, tell the buyer what is being done,
and resolve it; the buyer's app is then sent the resolution (queued for the task worker)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from e2e.conftest import Persona, axe_check, login, switch_language
from niryat.channels.models import Grievance, OutboxEntry
from niryat.channels.ondc import grievances, orders
from niryat.channels.ondc.actions import do_set_up_ondc_node
from niryat.core.models import OdopProduct
from niryat.registry.models import Producer
from tests.catalog.factories import add_sku, make_product
from tests.channels.factories import add_ready_photo
from tests.channels.ondc import requests as r
from tests.channels.ondc.conftest import ready_for_ondc
from tests.registry.factories import give_listing_consent, register

pytestmark = pytest.mark.e2e


def hi(message: str) -> str:
    with translation.override("hi"):
        return gettext(message)


def test_staff_resolve_a_buyers_complaint_in_hindi_on_a_phone(
    new_context: Any, live_server: Any, gorakhpur_staff: Persona
) -> None:
    staff = gorakhpur_staff.user
    district = staff.district
    node = do_set_up_ondc_node(district, "edc-gorakhpur.niryat.test", acting_user=staff)
    node.settlement_beneficiary, node.settlement_account = "EDC Gorakhpur", "000123456789"
    node.settlement_ifsc, node.support_phone = "SBIN0000123", "9450394039"
    node.save()
    ramu: Producer = register(district, staff, name_hi="रामू प्रजापति", mobile="+919839012345")
    give_listing_consent(ramu, staff)
    terracotta = OdopProduct.objects.get(district=district, name_en__icontains="terracotta")
    product = make_product(ramu, staff, odop_product=terracotta)
    add_ready_photo(product)
    horse = ready_for_ondc(add_sku(product, staff, seller_sku="TERR-HORSE-01"), staff)
    # A buyer orders the horse over ONDC, then complains that it came broken.
    quote = orders.answer_init(node, r.init([(horse, 1)])).message["order"]["quote"]
    orders.answer_confirm(node, r.confirm([(horse, 1)], "ORD-E2E-1", quote))
    grievances.answer_issue(node, r.issue("ORD-E2E-1", horse))

    phone = new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    login(phone, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    switch_language(phone, "hi")
    phone.goto(f"{live_server.url}/channels/grievances/")
    expect(phone.locator("h1")).to_have_text(hi("Grievances"))
    row = phone.locator("table.grievances tbody tr").first
    expect(row).to_contain_text("Horse arrived with a broken leg")
    expect(row).to_contain_text("ORD-E2E-1")
    expect(phone.locator("thead")).to_contain_text(hi("Resolve by"))
    axe_check(phone)

    row.get_by_role("link", name="Horse arrived with a broken leg").click()
    expect(phone.locator("main")).to_contain_text(hi("Respond by"))
    phone.get_by_role("textbox", name=hi("What is being done")).fill("रामू से नया घोड़ा मँगवाया है")
    phone.get_by_role("button", name=hi("Send to the buyer")).click()
    expect(phone.locator("main")).to_contain_text(hi("The buyer is told what is being done."))

    phone.get_by_role("textbox", name=hi("How it was resolved")).fill("नया घोड़ा भेज दिया गया")
    phone.get_by_role("combobox", name=hi("What was done")).select_option("REPLACEMENT")
    phone.get_by_role("button", name=hi("Resolve the grievance")).click()
    expect(phone.locator("main")).to_contain_text(
        hi("The grievance is resolved; the buyer is told.")
    )
    expect(phone.locator("main")).to_contain_text(hi("replacement"))
    axe_check(phone)
    # Nothing overflows the phone's width.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    grievance = Grievance.objects.get()
    assert grievance.status == "resolved"
    assert grievance.action_triggered == "REPLACEMENT"
    told = OutboxEntry.objects.filter(operation="tell_buyer", payload__action="on_issue_status")
    assert told.count() == 2

    phone.goto(f"{live_server.url}/channels/grievances/")
    expect(phone.locator("main")).to_contain_text(hi("No open grievances."))
