"""An online exhibition in the browser (seed 000: a virtual garment exhibition for Gorakhpur's
entrepreneurs): the centre's staff set it up for an exhibition event with two halls and two
exhibitors; a buyer on a 360 px phone, in Hindi, finds it not yet open, then sees its exhibitors
during its dates, opens one and sends a trade enquiry; staff see the enquiry and each
exhibitor's visits and enquiries; after it closes it stays as an archive. axe-core checks every
page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.conftest import GORAKHPUR, Persona, axe_check, login
from e2e.test_showcase import PHONE, hi, showcase_templates  # noqa: F401 - fixture
from niryat.catalog.models import Category, Product
from niryat.core.models import District, OdopProduct
from niryat.events.actions import do_create_event
from niryat.events.models import Event
from niryat.messaging.backends.base import Delivery as SmsMessage
from niryat.registry.actions import do_register_producer
from niryat.registry.models import Consent, Kind, Producer
from niryat.showcase.actions import do_update_profile
from niryat.showcase.models import Exhibition
from tests.catalog.factories import add_sku, make_product, run_tasks
from tests.channels.factories import add_ready_photo
from tests.registry.factories import give_listing_consent

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def garment_maker(
    staff: Persona, name_hi: str, name_latin: str, mobile: str, product: tuple[str, str, str]
) -> tuple[Producer, Product]:
    """A Gorakhpur garment maker on the showcase with one product (a photo, a SKU)."""
    gorakhpur = District.objects.get(lgd_code=GORAKHPUR)
    producer = do_register_producer(
        gorakhpur,
        {
            "kind": Kind.ARTISAN,
            "name_hi": name_hi,
            "name_latin": name_latin,
            "village": "Gorakhnath",
            "pin": "273015",
            "mobile": mobile,
            "odop_product": OdopProduct.objects.get(
                district=gorakhpur, name_en="Readymade garments"
            ),
        },
        acting_user=staff.user,
    )
    give_listing_consent(producer, staff.user)
    do_update_profile(
        producer,
        shown=True,
        agreed_on=timezone.localdate(),
        method=Consent.Method.PAPER,
        story_hi="हम गोरखपुर में सूती कपड़े सिलते हैं।",
        story_en="We sew cotton clothes in Gorakhpur.",
        acting_user=staff.user,
    )
    name_en, name_hi_product, seller_sku = product
    made = make_product(
        producer,
        staff.user,
        category=Category.GARMENTS,
        name_en=name_en,
        name_hi=name_hi_product,
        hs_code="62052000",
    )
    add_ready_photo(made)
    add_sku(made, staff.user, seller_sku=seller_sku)
    return producer, made


@pytest.fixture
def makers(
    gorakhpur_staff: Persona,
    media_root: Any,
    showcase_templates: None,  # noqa: F811
) -> dict[str, tuple[Producer, Product]]:
    return {
        "sunita": garment_maker(
            gorakhpur_staff,
            "सुनीता देवी",
            "Sunita Devi",
            "+919839022222",
            ("Cotton kurta", "सूती कुर्ता", "GKP-KURTA-01"),
        ),
        "arif": garment_maker(
            gorakhpur_staff,
            "आरिफ़ अंसारी",
            "Arif Ansari",
            "+919839033333",
            ("Embroidered shirt", "कढ़ाईदार कमीज़", "GKP-SHIRT-01"),
        ),
    }


@pytest.fixture
def fair(gorakhpur_staff: Persona) -> Event:
    today = timezone.localdate()
    return do_create_event(
        District.objects.get(lgd_code=GORAKHPUR),
        {
            "kind": Event.Kind.EXHIBITION,
            "title": "Gorakhpur garment fair",
            "starts_on": today + DAY,
            "ends_on": today + 3 * DAY,
            "venue": "Gorakhpur Club",
        },
        acting_user=gorakhpur_staff.user,
    )


def add_exhibitor(desk: Page, hall: str, producer: str) -> None:
    desk.get_by_label("Hall", exact=True).select_option(label=hall)
    desk.get_by_label("Producer", exact=True).select_option(label=producer)
    desk.get_by_role("button", name="Add the exhibitor").click()
    expect(desk.locator(".messages")).to_contain_text(f"{producer} exhibits in {hall}.")


def test_staff_set_up_a_garment_exhibition_and_a_buyer_enquires_from_it(
    new_context: Any,
    live_server: Any,
    gorakhpur_staff: Persona,
    makers: dict[str, tuple[Producer, Product]],
    fair: Event,
    sms_outbox: list[SmsMessage],
) -> None:
    today = timezone.localdate()
    # The centre's staff set up the event's online exhibition, from tomorrow.
    desk = new_context().new_page()
    login(desk, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    desk.get_by_role("link", name="Online exhibitions").first.click()
    axe_check(desk)
    desk.get_by_role("link", name="Set up the online exhibition of Gorakhpur garment fair").click()
    desk.get_by_label("Title (Hindi)").fill("गोरखपुर परिधान मेला")
    desk.get_by_label("Title (English)").fill("Gorakhpur garment fair")
    expect(desk.get_by_label("Open from")).to_have_value((today + DAY).isoformat())
    axe_check(desk)
    desk.get_by_role("button", name="Save").click()
    expect(desk.locator(".messages")).to_contain_text("The online exhibition was saved.")

    # Two halls, an exhibitor in each.
    for name_hi, name_en in (("महिला परिधान", "Womenswear"), ("पुरुष परिधान", "Menswear")):
        desk.get_by_label("Hall name (Hindi)").fill(name_hi)
        desk.get_by_label("Hall name (English)").fill(name_en)
        desk.get_by_role("button", name="Add the hall").click()
        expect(desk.locator(".messages")).to_contain_text("The hall was added.")
    add_exhibitor(desk, "Womenswear", "Sunita Devi")
    add_exhibitor(desk, "Menswear", "Arif Ansari")
    expect(desk.locator("tbody tr", has_text="Sunita Devi")).to_contain_text("1")
    axe_check(desk)
    manage_url = desk.url
    exhibition = Exhibition.objects.get()
    public_url = f"/showcase/exhibitions/{exhibition.uuid}/"

    # A buyer on a phone, in Hindi, before it opens: when it opens, no exhibitors yet.
    phone: Page = new_context(**PHONE).new_page()
    phone.goto(f"{public_url}?lang=hi")
    expect(phone.get_by_role("heading", level=1)).to_have_text("गोरखपुर परिधान मेला")
    opens = hi("The exhibition opens on %(date)s. Its exhibitors are shown here from that day.")
    expect(phone.locator("main")).to_contain_text(opens.split("%(date)s")[0].strip())
    expect(phone.get_by_role("link", name="सुनीता देवी")).to_have_count(0)
    axe_check(phone)

    # Staff open it from today.
    desk.get_by_role("link", name="Change the title or dates").click()
    desk.get_by_label("Open from").fill(today.isoformat())
    desk.get_by_role("button", name="Save").click()
    expect(desk.locator(".messages")).to_contain_text("The online exhibition was saved.")

    # Open: both halls with their exhibitors and products, on a 360 px screen.
    phone.goto(public_url)
    expect(phone.get_by_role("heading", level=2, name="महिला परिधान")).to_be_visible()
    expect(phone.get_by_role("heading", level=2, name="पुरुष परिधान")).to_be_visible()
    expect(phone.get_by_role("link", name="आरिफ़ अंसारी")).to_be_visible()
    expect(phone.get_by_role("link", name="कढ़ाईदार कमीज़", exact=True)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(phone)

    # The buyer opens Sunita's stand and sends a trade enquiry about her kurta.
    phone.get_by_role("link", name="सुनीता देवी").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("सुनीता देवी")
    expect(phone.get_by_role("link", name="सूती कुर्ता", exact=True)).to_be_visible()
    axe_check(phone)
    phone.get_by_role("link", name=re.compile(hi("Send a trade enquiry"))).click()
    expect(phone.locator("main")).to_contain_text(
        hi("From the online exhibition: %(title)s") % {"title": "गोरखपुर परिधान मेला"}
    )
    phone.get_by_label(hi("Your name")).fill("Lena Vogel")
    phone.get_by_label(hi("Email")).fill("lena@example.com")
    phone.get_by_label(hi("Destination country")).select_option("DE")
    phone.get_by_label(hi("Quantity")).fill("300")
    phone.get_by_role("button", name=hi("Send the enquiry")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        hi("Thank you: your enquiry was sent")
    )
    run_tasks()
    assert [message.to for message in sms_outbox] == ["+919839022222"]
    assert "सूती कुर्ता" in sms_outbox[0].text

    # Staff see the enquiry, where it came from, and each exhibitor's visits and enquiries.
    desk.goto(manage_url)
    sunita = desk.locator("tbody tr", has_text="Sunita Devi")
    expect(sunita.locator("td")).to_have_text(["Sunita Devi", "1", "1", "1", "yes"])
    expect(desk.locator("tbody tr", has_text="Arif Ansari").locator("td")).to_have_text(
        ["Arif Ansari", "1", "0", "0", "yes"]
    )
    axe_check(desk)
    desk.get_by_role("link", name="Enquiries").first.click()
    desk.locator("tbody tr", has_text="Lena Vogel").get_by_role("link").click()
    expect(desk.locator(".details")).to_contain_text("Gorakhpur garment fair")

    # It closes (staff close it yesterday; the day passing does the same, as the unit tests
    # show): it stays, marked as an archive, with its exhibitors.
    desk.goto(manage_url)
    desk.get_by_role("link", name="Change the title or dates").click()
    desk.get_by_label("Open from").fill((today - 4 * DAY).isoformat())
    desk.get_by_label("Open until").fill((today - DAY).isoformat())
    desk.get_by_role("button", name="Save").click()
    expect(desk.locator(".details")).to_contain_text("archive")
    phone.goto(public_url)
    expect(phone.locator(".sc-archive")).to_contain_text("संग्रह")
    expect(phone.get_by_role("link", name="सुनीता देवी")).to_be_visible()
    expect(phone.get_by_role("link", name="आरिफ़ अंसारी")).to_be_visible()
    axe_check(phone)
