"""Messages with producers, in the browser: a photo Ramu sends from his phone by WhatsApp (the
fake Cloud API posts the signed webhook to the running site) appears processed on his product
with its quality score, his reply carries the score in Hindi, and the centre sees it all, in
Hindi, on a 360 px phone screen; a webhook with a tampered signature changes nothing; the state
enters a template's DLT ids on the templates page; Ramu stops his SMS by answering रोकें to the
long code, and the centre sees the opt-out."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import Persona, axe_check, login, switch_language
from fakes.msg91 import AUTH_KEY as MSG91_AUTH_KEY
from fakes.msg91 import FakeMsg91
from fakes.whatsapp import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, FakeWhatsApp
from niryat.catalog.models import ProductImage
from niryat.core.messaging import Outgoing, gateway
from niryat.messaging.actions import do_set_contact_choice
from niryat.messaging.dlt import dlt_wording
from niryat.messaging.models import Message, MessageTemplate
from niryat.registry.models import Producer
from tests.catalog.factories import make_product, run_tasks
from tests.registry.factories import register
from tests.test_imaging import a_phone_upload, a_photo

RAMU = "919839012345"
INBOUND_TOKEN = "long-code-forward-3b1f"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}


@pytest.fixture
def fake_whatsapp(settings: Any) -> Iterator[FakeWhatsApp]:
    fake = FakeWhatsApp()
    settings.WHATSAPP_API_URL = fake.start()
    settings.WHATSAPP_APP_SECRET = APP_SECRET
    settings.WHATSAPP_ACCESS_TOKEN = ACCESS_TOKEN
    settings.WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID
    settings.MESSAGING_BACKENDS = {
        **settings.MESSAGING_BACKENDS,
        "whatsapp": "niryat.messaging.backends.whatsapp.WhatsAppBackend",
    }
    yield fake
    fake.stop()


@pytest.fixture
def ramu(gorakhpur_staff: Persona, media_root: Any) -> Producer:
    district = gorakhpur_staff.user.district
    ramu = register(district, gorakhpur_staff.user, mobile="+919839012345")
    do_set_contact_choice(
        ramu, "whatsapp", address="9839012345", agreed=True, acting_user=gorakhpur_staff.user
    )
    return ramu


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} scrolls sideways on a phone: {width}px"


def test_a_whatsapp_photo_reaches_the_product_and_the_centre_sees_it_in_hindi_on_a_phone(
    new_context: Any,
    live_server: Any,
    gorakhpur_staff: Persona,
    ramu: Producer,
    fake_whatsapp: FakeWhatsApp,
) -> None:
    horse = make_product(ramu, gorakhpur_staff.user, name_hi="टेराकोटा घोड़ा")
    hook = f"{live_server.url}/hooks/whatsapp/"
    # a webhook signed with another secret is refused, and nothing is kept
    tampered = fake_whatsapp.user_text(RAMU, "ऑर्डर")
    assert fake_whatsapp.post(hook, tampered, secret="not-the-app-secret") == 401
    assert not Message.objects.exists()
    # Ramu sends a photo from his phone
    photo = fake_whatsapp.user_image(RAMU, a_phone_upload(a_photo()))
    assert fake_whatsapp.post(hook, photo) == 200
    assert fake_whatsapp.post(hook, photo) == 200  # Meta delivers it again: processed once
    run_tasks()
    image = ProductImage.objects.get(product=horse)
    assert image.status == "ready"
    [reply] = [s["text"]["body"] for s in fake_whatsapp.sent]
    assert f"गुणवत्ता {image.quality_score}/100" in reply
    # the centre, on a phone, in Hindi
    page = new_context(**PHONE).new_page()
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    switch_language(page, "hi")
    page.goto(f"/catalogue/{horse.uuid}/")
    expect(page.locator("main")).to_contain_text(f"गुणवत्ता: 100 में से {image.quality_score}")
    expect(page.locator("main")).to_contain_text("WhatsApp")
    no_sideways_scroll(page)
    page.goto(f"/producers/{ramu.uuid}/")
    expect(page.locator("main")).to_contain_text(f"गुणवत्ता {image.quality_score}/100")
    page.get_by_role("link", name="उनके सभी संदेश और माध्यम").click()
    expect(page.locator("h1")).to_contain_text("के संदेश")
    expect(page.locator("main table").first).to_contain_text("WhatsApp")
    expect(page.locator("main")).to_contain_text("[image]")
    no_sideways_scroll(page)
    axe_check(page)


def test_the_state_enters_a_templates_dlt_ids_and_centre_staff_only_read_them(
    page: Page, live_server: Any, state_admin: Persona, gorakhpur_staff: Persona
) -> None:
    login(page, live_server, state_admin.username, state_admin.password)
    switch_language(page, "hi")
    page.goto("/messages/templates/")
    expect(page.locator("h1")).to_have_text("संदेश टेम्पलेट")
    page.get_by_role("link", name="order_alert संपादित करें").click()
    page.get_by_label("DLT टेम्पलेट आईडी (हिंदी)").fill("1107160000000012345")
    page.get_by_label("SMS हेडर (सेंडर आईडी)").fill("NIRYAT")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/messages/templates/")
    assert MessageTemplate.objects.get(key="order_alert").dlt_template_id_hi == (
        "1107160000000012345"
    )
    axe_check(page)
    staff = page.context.browser.new_context(base_url=live_server.url, **PHONE).new_page()
    login(staff, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    switch_language(staff, "hi")
    staff.goto("/messages/templates/")
    expect(staff.locator("main")).to_contain_text("1107160000000012345")
    expect(staff.get_by_role("link", name="order_alert संपादित करें")).to_have_count(0)
    no_sideways_scroll(staff)
    staff.context.close()


@pytest.fixture
def fake_msg91(settings: Any) -> Iterator[FakeMsg91]:
    """The fake MSG91, the templates registered under DLT there and here, and the long code's
    forward URL token (only its SHA-256 in the settings)."""
    fake = FakeMsg91()
    settings.MSG91_API_URL = fake.start()
    settings.MSG91_AUTH_KEY = MSG91_AUTH_KEY
    settings.MSG91_INBOUND_TOKEN_SHA256 = hashlib.sha256(INBOUND_TOKEN.encode()).hexdigest()
    settings.MESSAGING_BACKENDS = {
        **settings.MESSAGING_BACKENDS,
        "sms": "niryat.messaging.backends.msg91.Msg91Backend",
    }
    for number, template in enumerate(MessageTemplate.objects.order_by("key"), 1):
        template.dlt_entity_id = "1101456780000012345"
        template.dlt_header = "NIRYAT"
        template.dlt_template_id_hi = f"11071600000000{number:05d}"
        template.save()
        fake.register_dlt(template.dlt_template_id_hi, "NIRYAT", dlt_wording(template.body_hi))
    yield fake
    fake.stop()


def test_ramu_stops_his_sms_by_replying_roken_and_the_centre_sees_it_in_hindi_on_a_phone(
    new_context: Any,
    live_server: Any,
    gorakhpur_staff: Persona,
    fake_msg91: FakeMsg91,
) -> None:
    ramu = register(gorakhpur_staff.user.district, gorakhpur_staff.user, mobile="+919839012345")
    hook = f"{live_server.url}/hooks/msg91/inbound/{INBOUND_TOKEN}/"
    # a forward to a guessed address is refused, and nothing is kept
    assert fake_msg91.post_inbound(hook.replace(INBOUND_TOKEN, "guess"), RAMU, "रोकें") == 401
    assert not Message.objects.exists()
    # Ramu answers रोकें to the long code from his phone; MSG91 forwards it
    assert fake_msg91.post_inbound(hook, RAMU, "रोकें") == 200
    run_tasks()
    assert [s["message"] for s in fake_msg91.sent] == [
        "अब आपको यहाँ निर्यात से कोई संदेश नहीं मिलेगा। फिर से पाने के लिए शुरू भेजें।"
    ]
    # the next order alert does not go
    alert = {"channel": "Flipkart", "items": "घोड़ा × 2", "order": "OD-7", "date": "कल"}
    gateway().send(
        Outgoing(template="order_alert", key="after", variables=alert, producer_id=ramu.pk)
    )
    run_tasks()
    assert len(fake_msg91.sent) == 1
    # the centre, on a phone, in Hindi, sees the opt-out and the refused alert
    page = new_context(**PHONE).new_page()
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    switch_language(page, "hi")
    page.goto(f"/producers/{ramu.uuid}/messages/")
    expect(page.locator("h1")).to_contain_text("के संदेश")
    channels = page.get_by_role("table", name="उनके माध्यम")
    expect(channels.get_by_role("row", name="SMS")).to_contain_text("संदेश बंद करवाए (रोकें लिखकर)")
    log = page.get_by_role("region", name="संदेश")
    expect(log).to_contain_text("रोकें")
    expect(log).to_contain_text("उन्होंने संदेश बंद करवा दिए हैं।")
    no_sideways_scroll(page)
    axe_check(page)
