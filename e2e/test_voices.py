"""Producers' voices in the browser: staff record what Ramu says of selling on Flipkart, with his
consent to show it; a buyer on a 360 px phone, in Hindi, reads it on the district's page and on
his product's page; Ramu stops showing it from his own phone and it is gone at once."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from e2e.conftest import Persona, axe_check, login, open_menu, producer_signs_in
from e2e.test_channels import fakes, marketplaces  # noqa: F401 - fixtures
from e2e.test_showcase import PHONE, hi, horse, ramu, showcase_templates  # noqa: F401 - fixtures
from niryat.catalog.models import Product
from niryat.messaging.backends.base import Delivery as SmsMessage
from niryat.registry.actions import do_enable_producer_sign_in
from niryat.registry.models import Producer

WORDS = "फ्लिपकार्ट पर बेचने से गाँव के बाहर के खरीदार मिले। <b>धन्यवाद</b>"


def test_a_testimonial_is_shown_with_consent_and_leaves_when_withdrawn(
    new_context: Any,
    live_server: Any,
    horse: Product,  # noqa: F811
    ramu: Producer,  # noqa: F811
    gorakhpur_staff: Persona,
    sms_outbox: list[SmsMessage],
) -> None:
    # The centre's staff record Ramu's feedback, with his signed consent to show it.
    desk = new_context().new_page()
    login(desk, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    desk.goto(f"/producers/{ramu.uuid}/")
    desk.get_by_role("link", name="Their feedback").click()
    desk.get_by_label("About", exact=True).select_option("marketplace")
    desk.get_by_label("Marketplace").select_option("flipkart")
    desk.get_by_label("Rating").select_option("5")
    desk.get_by_label("Reason, in the producer's words").fill(WORDS)
    desk.get_by_label("The producer agrees to show these words").check()
    desk.get_by_label("How they agreed").select_option("paper")
    desk.get_by_role("button", name="Record the feedback").click()
    expect(desk.locator(".messages")).to_contain_text("The feedback was recorded.")
    expect(desk.locator(".voice")).to_contain_text("Shown on the public showcase with consent.")
    axe_check(desk)
    desk.get_by_role("link", name="All feedback").click()
    expect(desk.locator("tr", has_text="Flipkart").first).to_contain_text("5.0")
    axe_check(desk)

    # A buyer on a phone, in Hindi, reads it on the district's page and the product's page.
    buyer: Page = new_context(**PHONE).new_page()
    buyer.goto("/showcase/districts/148/?lang=hi")
    voice = buyer.locator(".sc-voice")
    expect(voice).to_contain_text(WORDS)  # the tags in it are shown as text
    expect(voice.get_by_role("img")).to_have_accessible_name(
        hi("Rated %(rating)s of 5") % {"rating": 5}
    )
    expect(voice).to_contain_text(hi("about %(subject)s") % {"subject": "Flipkart"})
    expect(buyer.get_by_role("heading", name=hi("Producers' voices"))).to_be_visible()
    assert buyer.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(buyer)
    buyer.get_by_role("link", name="टेराकोटा घोड़ा").click()
    expect(buyer.locator(".sc-voice")).to_contain_text(WORDS)
    axe_check(buyer)
    buyer.goto("/showcase/districts/148/voices/")
    expect(buyer.get_by_role("heading", level=1)).to_have_text(
        hi("What the producers of %(name)s say") % {"name": "गोरखपुर"}
    )
    expect(buyer.locator(".sc-voice")).to_have_count(1)
    axe_check(buyer)

    # Ramu, signed in on his phone, stops showing it.
    do_enable_producer_sign_in(ramu, acting_user=gorakhpur_staff.user)
    phone = new_context(**PHONE).new_page()
    producer_signs_in(phone, "98390 12345", sms_outbox)
    open_menu(phone)
    phone.get_by_role("link", name=hi("My feedback")).click()
    expect(phone.locator(".voice")).to_contain_text(WORDS)
    axe_check(phone)
    phone.get_by_role("button", name=hi("Stop showing it")).click()
    expect(phone.locator(".messages")).to_contain_text(
        hi("Your words are no longer shown on the public showcase.")
    )
    expect(phone.locator(".voice")).to_contain_text(hi("Not shown publicly."))

    # At once, on every page the buyer opened.
    buyer.goto("/showcase/districts/148/")
    expect(buyer.get_by_role("link", name="टेराकोटा घोड़ा")).to_be_visible()
    expect(buyer.locator(".sc-voice")).to_have_count(0)
    buyer.goto(f"/showcase/products/{horse.uuid}/")
    expect(buyer.locator(".sc-voice")).to_have_count(0)
    buyer.goto("/showcase/districts/148/voices/")
    expect(buyer.locator("main")).to_contain_text(hi("Nothing to show yet."))
