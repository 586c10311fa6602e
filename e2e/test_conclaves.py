"""A conclave as a district runs it: invitations to the district's entrepreneurs with their own
RSVP links, answers given without signing in, stalls on the floor grid, check-in by QR code,
feedback from those who came; two producers nominated to the state conclave, which the state
sees; and a programme's outcome page counting the trained producers now listed. Then the same
pages on a phone, in Hindi."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from e2e.conftest import (
    GORAKHPUR,
    VARANASI,
    Persona,
    axe_check,
    login,
    make_persona,
    switch_language,
)
from e2e.test_events import artisans, hi
from niryat.core.models import District, Role
from niryat.events.actions import (
    do_add_session,
    do_create_event,
    do_create_programme,
    do_invite_to_event,
    do_nominate,
    do_register_participants,
    do_tick_attendance,
)
from niryat.events.codes import guest_code
from niryat.events.models import Event, Feedback, Guest, Nomination, Programme, Stall
from niryat.messaging.models import Message, MessageTemplate
from niryat.registry.actions import do_move_stage
from niryat.registry.models import Stage
from tests.catalog.factories import make_product
from tests.events.conftest import EVENT_TEMPLATES
from tests.registry.factories import register
from tests.test_imaging import a_photo, jpeg

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
DAY = datetime.date(2026, 12, 20)


@pytest.fixture
def event_templates(reference_data: Any) -> None:
    """The conclaves' wording (the lead adds these rows to messaging at merge)."""
    for row in EVENT_TEMPLATES:
        MessageTemplate.objects.update_or_create(
            key=row["key"], defaults={k: v for k, v in row.items() if k != "key"}
        )


def link_in(template: str, producer: Any) -> str:
    text = Message.objects.get(template=template, producer=producer).text
    match = re.search(re.escape(settings.SITE_URL.rstrip("/")) + r"(/\S+/)", text)
    assert match, text
    return match.group(1)


def test_a_conclave_from_invitation_to_feedback_and_the_state_sees_nominees(
    new_context: Any,
    live_server: Any,
    reference_data: dict[int, District],
    gorakhpur_staff: Persona,
    state_admin: Persona,
    state_viewer: Persona,
    event_templates: None,
) -> None:
    gorakhpur = reference_data[GORAKHPUR]
    staff = gorakhpur_staff.user
    people = artisans(gorakhpur, gorakhpur_staff, 6)
    horse = make_product(people[0], staff, name_en="Terracotta horse")
    page = new_context(locale="en-IN").new_page()
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)

    # Staff create the export conclave with its agenda, speakers and a floor of 4 × 6 stalls.
    page.goto("/events/")
    page.get_by_role("link", name="New event").click()
    page.locator("#id_kind").select_option("conclave")
    page.locator("#id_title").fill("Gorakhpur export conclave")
    page.locator("#id_starts_on").fill(DAY.isoformat())
    page.locator("#id_ends_on").fill(DAY.isoformat())
    page.locator("#id_venue").fill("Yogiraj Baba Gambhirnath auditorium")
    page.locator("#id_agenda").fill("Welcome\nExport procedure with DGFT\nBuyer meetings")
    page.locator("#id_speakers").fill("Joint DGFT, Varanasi\nIndia Post export centre")
    page.locator("input[name=partners]").first.check()
    page.locator("#id_floor_rows").fill("4")
    page.locator("#id_floor_columns").fill("6")
    page.get_by_role("button", name="Create the event").click()
    expect(page.locator(".messages")).to_contain_text("Event created")
    expect(page.locator(".agenda")).to_contain_text("Export procedure with DGFT")
    conclave = Event.objects.get()

    # Invitations to every producer the filter finds, each with their own RSVP link.
    page.get_by_role("link", name="Invite from the registry").click()
    page.locator("#id_q").fill("Karigar")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("button", name="Invite all 6 producers found").click()
    expect(page.locator("body")).to_contain_text("Invitations sent: 6.")
    assert Message.objects.filter(template="event_invitation").count() == 6

    # Two answer from their phones, without signing in: one comes, one cannot.
    public = new_context(locale="en-IN").new_page()
    public.goto(link_in("event_invitation", people[0]))
    expect(public.locator("h1")).to_have_text("Gorakhpur export conclave")
    public.get_by_label("Yes, I will come").check()
    public.get_by_role("button", name="Send my answer").click()
    expect(public.locator(".answer")).to_have_text("Thank you: we have noted that you will come.")
    public.goto(link_in("event_invitation", people[1]))
    public.get_by_label("No, I cannot come").check()
    public.get_by_role("button", name="Send my answer").click()
    expect(public.locator(".answer")).to_contain_text("you cannot come")
    page.reload()
    expect(page.locator(".count")).to_contain_text("6 invited: 1 coming, 1 not coming")

    # Stalls: Karigar 01 with the terracotta horse in A1; A1 cannot be given to anyone else.
    page.get_by_role("link", name=re.compile("Stalls")).click()
    page.locator("#id_row").fill("1")
    page.locator("#id_column").fill("1")
    page.locator("#id_producer").select_option(label=str(people[0]))
    page.get_by_label("Terracotta horse").check()
    page.get_by_role("button", name="Give the stall").click()
    expect(page.locator("body")).to_contain_text("Stall A1: Karigar 01.")
    expect(page.locator("td[data-stall=A1]")).to_contain_text("Terracotta horse")
    page.locator("#id_row").fill("1")
    page.locator("#id_column").fill("1")
    page.locator("#id_producer").select_option(label=str(people[2]))
    page.get_by_role("button", name="Give the stall").click()
    expect(page.locator(".errorlist")).to_contain_text("Stall A1 is taken by Karigar 01.")
    assert list(Stall.objects.values_list("producer", flat=True)) == [people[0].pk]
    assert list(Stall.objects.get().products.all()) == [horse]

    # Check-in at the door by the QR code's text; the same card again is refused.
    page.get_by_role("link", name="Gorakhpur export conclave").click()
    page.get_by_role("link", name="Check in", exact=True).click()
    guests = {guest.producer_id: guest for guest in conclave.guests.all()}
    for producer in people[:3]:
        page.locator("#id_code").fill(guest_code(guests[producer.pk].pk, conclave.pk))
        page.locator("[data-code-form] button[type=submit]").click()
        expect(page.locator("body")).to_contain_text(f"Checked in: {producer}.")
    page.locator("#id_code").fill(guest_code(guests[people[0].pk].pk, conclave.pk))
    page.locator("[data-code-form] button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("Karigar 01 was checked in already at")
    assert Guest.objects.filter(checked_in_at__isnull=False).count() == 3

    # Feedback links go to the three who came; one answers.
    page.get_by_role("link", name="Gorakhpur export conclave").click()
    page.get_by_role("button", name="Send feedback links to those who came").click()
    expect(page.locator("body")).to_contain_text("Feedback links sent: 3.")
    public.goto(link_in("event_feedback", people[2]))
    public.get_by_label("4", exact=True).check()
    public.get_by_label("What would you tell us?").fill("The India Post session was useful.")
    public.get_by_role("button", name="Send").click()
    expect(public.locator("body")).to_contain_text("Thank you for your feedback.")
    page.reload()
    expect(page.locator(".feedback-summary")).to_have_text("1 answers, average rating 4.0 of 5.")
    assert list(Feedback.objects.values_list("rating", flat=True)) == [4]

    # The state's conclave in Lucknow: Gorakhpur nominates two; Varanasi one.
    state = do_create_event(
        None,
        {
            "kind": Event.Kind.CONCLAVE,
            "title": "UP export conclave, Lucknow",
            "starts_on": DAY + datetime.timedelta(days=30),
            "ends_on": DAY + datetime.timedelta(days=31),
            "venue": "Indira Gandhi Pratishthan",
        },
        acting_user=state_admin.user,
    )
    page.goto(f"/events/{state.uuid}/")
    for producer, reason in ((people[0], "Terracotta exporter-ready"), (people[2], "GI tag")):
        page.locator("#id_producer").select_option(label=str(producer))
        page.locator("#id_reason").fill(reason)
        page.get_by_role("button", name="Nominate").click()
        expect(page.locator("body")).to_contain_text(f"Nominated: {producer}.")
    varanasi = reference_data[VARANASI]
    varanasi_staff = make_persona("vani", "Vani Mishra", Role.CENTRE_STAFF, varanasi)
    weaver = register(varanasi, varanasi_staff.user, name_hi="मरियम", name_latin="Mariyam Bano")
    do_nominate(state, weaver, "Silk brocade", acting_user=varanasi_staff.user)
    page.reload()
    expect(page.locator("#nominations-caption + thead + tbody tr")).to_have_count(2)
    assert "Mariyam Bano" not in page.content()

    viewer = new_context(locale="en-IN").new_page()
    login(viewer, live_server, state_viewer.username, state_viewer.password)
    viewer.goto("/events/")
    viewer.get_by_role("link", name="UP export conclave, Lucknow").click()
    nominees = viewer.locator("#nominations-caption + thead + tbody")
    expect(nominees.locator("tr")).to_have_count(3)
    for name in ("Karigar 01", "Karigar 03", "Mariyam Bano"):
        expect(nominees).to_contain_text(name)
    assert Nomination.objects.count() == 3

    # The NIFT course's outcome page: of 4 trained, 2 are now listed.
    course = do_create_programme(
        gorakhpur,
        {"kind": Programme.Kind.NIFT_COURSE, "title": "Terracotta design course", "capacity": 10},
        acting_user=staff,
    )
    session = do_add_session(course, {"date": DAY, "venue": "EDC hall"}, acting_user=staff)
    do_register_participants(course, people[:4], acting_user=staff)
    for participant in course.participants.all():
        do_tick_attendance(session, participant, acting_user=staff)
    for producer in people[:2]:
        do_move_stage(producer, Stage.LISTED, reason="Listed on Amazon", acting_user=staff)
    page.goto(f"/trainings/{course.uuid}/")
    page.get_by_role("link", name="Outcomes: what those trained went on to").click()
    expect(page.locator(".trained")).to_have_text("4 producers trained (came to a session).")
    expect(page.locator("tr[data-stage=listed] .reached")).to_have_text("2")
    expect(page.locator("tr[data-stage=sold] .reached")).to_have_text("0")


def test_conclave_pages_in_hindi_on_a_phone(
    new_context: Any,
    live_server: Any,
    reference_data: dict[int, District],
    gorakhpur_staff: Persona,
    event_templates: None,
) -> None:
    gorakhpur = reference_data[GORAKHPUR]
    staff = gorakhpur_staff.user
    people = artisans(gorakhpur, gorakhpur_staff, 3)
    conclave = do_create_event(
        gorakhpur,
        {
            "kind": Event.Kind.CONCLAVE,
            "title": "गोरखपुर निर्यात सम्मेलन",
            "starts_on": DAY,
            "ends_on": DAY,
            "venue": "योगिराज बाबा गंभीरनाथ प्रेक्षागृह",
            "agenda": "स्वागत\nनिर्यात प्रक्रिया",
            "floor_rows": 3,
            "floor_columns": 8,
        },
        acting_user=staff,
    )
    fair = do_create_event(
        gorakhpur,
        {
            "kind": Event.Kind.EXHIBITION,
            "title": "शिल्प मेला",
            "starts_on": DAY,
            "ends_on": DAY,
            "venue": "टाउन हॉल",
        },
        acting_user=staff,
    )
    do_invite_to_event(conclave, people[:2], acting_user=staff)
    do_invite_to_event(fair, people[2:], acting_user=staff)
    guest = conclave.guests.order_by("pk").first()
    stranger = fair.guests.get()
    assert guest is not None

    def fits(page: Page) -> None:
        axe_check(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The guest answers on their phone, in Hindi.
    phone = new_context(
        viewport=PHONE, is_mobile=True, locale="hi-IN", extra_http_headers={"Accept-Language": "hi"}
    ).new_page()
    phone.goto(link_in("event_invitation", guest.producer))
    expect(phone.locator("h1")).to_have_text("गोरखपुर निर्यात सम्मेलन")
    fits(phone)
    phone.get_by_label(hi("Yes, I will come")).check()
    phone.get_by_role("button", name=hi("Send my answer")).click()
    expect(phone.locator(".answer")).to_have_text(
        hi("Thank you: we have noted that you will come.")
    )
    fits(phone)

    page: Page = new_context(viewport=PHONE, is_mobile=True, locale="hi-IN").new_page()
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    switch_language(page, "hi")
    page.goto(f"/events/{conclave.uuid}/")
    expect(page.locator(".count")).to_contain_text("2 आमंत्रित: 1 आएँगे")
    fits(page)

    # A stall on the floor grid, and the same stall refused to another, in Hindi.
    page.goto(f"/events/{conclave.uuid}/stalls/")
    page.locator("#id_row").fill("2")
    page.locator("#id_column").fill("3")
    page.locator("#id_producer").select_option(value=str(people[0].uuid))
    page.get_by_role("button", name=hi("Give the stall")).click()
    expect(page.locator("td[data-stall=B3]")).to_contain_text(people[0].name_hi)
    page.locator("#id_row").fill("2")
    page.locator("#id_column").fill("3")
    page.locator("#id_producer").select_option(value=str(people[1].uuid))
    page.get_by_role("button", name=hi("Give the stall")).click()
    expect(page.locator(".errorlist")).to_contain_text(
        hi("Stall %(stall)s is taken by %(name)s.") % {"stall": "B3", "name": people[0].name_hi}
    )
    fits(page)

    # Check-in: a code of another event is refused with its reason; the guest's own is taken.
    page.goto(f"/events/{conclave.uuid}/check-in/")
    page.locator("#id_code").fill(guest_code(stranger.pk, fair.pk))
    page.locator("[data-code-form] button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("यह कोड दूसरे कार्यक्रम का है: शिल्प मेला।")
    page.locator("#id_code").fill(guest_code(guest.pk, conclave.pk))
    page.locator("[data-code-form] button[type=submit]").click()
    expect(page.locator("body")).to_contain_text(
        hi("Checked in: %(name)s.") % {"name": guest.producer.name_hi}
    )
    fits(page)
    stranger.refresh_from_db()
    assert stranger.checked_in_at is None
    assert Guest.objects.filter(checked_in_at__isnull=False).count() == 1

    # The guest's card with the QR code, and the feedback page from their link.
    page.goto(f"/events/guests/{guest.uuid}/card/")
    expect(page.locator(".code")).to_have_text(guest_code(guest.pk, conclave.pk))
    fits(page)
    feedback = page.locator(".feedback-link").get_attribute("href") or ""
    phone.goto(feedback)
    phone.get_by_label("5", exact=True).check()
    phone.get_by_role("button", name=hi("Send")).click()
    expect(phone.locator("body")).to_contain_text(hi("Thank you for your feedback."))
    fits(phone)

    # The outcome page of a course, in Hindi.
    course = do_create_programme(
        gorakhpur,
        {"kind": Programme.Kind.ECOMMERCE, "title": "ई-कॉमर्स जागरूकता", "capacity": 5},
        acting_user=staff,
    )
    session = do_add_session(course, {"date": DAY, "venue": "EDC"}, acting_user=staff)
    do_register_participants(course, people[:2], acting_user=staff)
    for participant in course.participants.all():
        do_tick_attendance(session, participant, acting_user=staff)
    do_move_stage(people[0], Stage.LISTED, reason="Flipkart", acting_user=staff)
    page.goto(f"/trainings/{course.uuid}/outcomes/")
    expect(page.locator("tr[data-stage=listed] .reached")).to_have_text("1")
    fits(page)


def test_a_solar_charkha_handover_recorded_on_a_phone_in_hindi(
    new_context: Any,
    live_server: Any,
    reference_data: dict[int, District],
    gorakhpur_staff: Persona,
    media_root: Any,
    tmp_path: Any,
) -> None:
    gorakhpur = reference_data[GORAKHPUR]
    (spinner,) = artisans(gorakhpur, gorakhpur_staff, 1)
    photo = tmp_path / "handover.jpg"
    photo.write_bytes(jpeg(a_photo(600, 400)))
    not_a_photo = tmp_path / "list.jpg"
    not_a_photo.write_bytes(b"name,mobile\n")
    page: Page = new_context(viewport=PHONE, is_mobile=True, locale="hi-IN").new_page()
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    switch_language(page, "hi")
    page.goto("/benefits/")
    page.get_by_role("link", name=hi("Record a handover")).click()

    def fill(serial: str, upload: Any) -> None:
        page.locator("#id_producer").select_option(value=str(spinner.uuid))
        page.locator("#id_scheme").fill("मुख्यमंत्री सोलर चरखा योजना")
        page.locator("#id_item").select_option("solar_charkha")
        page.locator("#id_serial_number").fill(serial)
        page.locator("#id_handed_over_on").fill("2026-09-01")
        page.locator("#id_photo").set_input_files(str(upload))
        page.get_by_role("button", name=hi("Record the handover")).click()

    # A file that is not a photo is refused, with the reason, and nothing is kept.
    fill("SC-2026-0041", not_a_photo)
    expect(page.locator(".errorlist")).to_be_visible()
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    fill("SC-2026-0041", photo)
    expect(page.locator(".serial")).to_have_text("SC-2026-0041")
    expect(page.locator("img.handover-photo")).to_be_visible()
    expect(page.locator(".units")).to_have_text("0")
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_when_the_camera_will_not_open_staff_tick_the_guest_on_the_list_in_hindi(
    new_context: Any,
    live_server: Any,
    reference_data: dict[int, District],
    gorakhpur_staff: Persona,
    event_templates: None,
) -> None:
    gorakhpur = reference_data[GORAKHPUR]
    staff = gorakhpur_staff.user
    (ramu,) = artisans(gorakhpur, gorakhpur_staff, 1)
    conclave = do_create_event(
        gorakhpur,
        {
            "kind": Event.Kind.CONCLAVE,
            "title": "गोरखपुर निर्यात सम्मेलन",
            "starts_on": DAY,
            "ends_on": DAY,
            "venue": "टाउन हॉल",
        },
        acting_user=staff,
    )
    do_invite_to_event(conclave, [ramu], acting_user=staff)

    # This phone's browser has no camera to give: the page says so and points to the list.
    page: Page = new_context(viewport=PHONE, is_mobile=True, locale="hi-IN").new_page()
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    switch_language(page, "hi")
    page.goto(f"/events/{conclave.uuid}/check-in/")
    page.get_by_role("button", name=hi("Open the camera")).click()
    expect(page.get_by_role("alert")).to_have_text(
        hi(
            "The camera could not be opened (refused, or this phone has none). Tick the names "
            "on the list below, or type the code under the QR code."
        )
    )
    page.get_by_role("button", name=re.compile(ramu.name_hi)).click()
    expect(page.locator(".messages")).to_contain_text(
        hi("Checked in: %(name)s.") % {"name": ramu.name_hi}
    )
    expect(page.locator(".count")).to_contain_text("1 में से 1 का चेक-इन हुआ")
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert Guest.objects.get(event=conclave).checked_in_at is not None
