"""Trainings as centre staff run them: a NIFT course for 30 terracotta artisans of Gorakhpur,
invited by SMS, checked in at the venue by their QR code (typed, as when the camera fails) or
ticked on the list, and certified; the certificate's QR code opens a public page anyone can
check. And the same check-in on a phone, in Hindi: by a code typed, by the phone's camera
reading the card, and offline."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    GORAKHPUR,
    Persona,
    axe_check,
    login,
    switch_language,
)
from niryat.core.models import District
from niryat.events.actions import (
    do_add_session,
    do_check_in_by_code,
    do_create_programme,
    do_issue_certificate,
    do_register_participants,
    do_revoke_certificate,
)
from niryat.events.codes import check_in_code
from niryat.events.models import Attendance, Certificate, Participant, Programme
from niryat.messaging.models import Message, MessageTemplate
from niryat.registry.actions import do_register_producer
from niryat.registry.models import Kind, Producer, Stage

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
DAY = datetime.date(2026, 12, 14)
INVITATION = {
    "purpose": "A producer's place in a training, with its date, place and check-in code.",
    "body_en": (
        "Niryat: you have a place in {programme} on {date} at {place}. "
        "Show your check-in code {code} at the venue."
    ),
    "body_hi": (
        "निर्यात: {programme} में आपका स्थान पक्का है, {date} को {place} में। "
        "स्थल पर अपना चेक-इन कोड {code} दिखाएँ।"
    ),
    "whatsapp_name": "training_invitation",
}


def hi(message: str) -> str:
    with translation.override("hi"):
        translated = gettext(message)
    assert translated != message, f"no Hindi for {message!r}"
    return translated


@pytest.fixture
def invitation_template(reference_data: Any) -> None:
    """Messaging 0004 registers this wording; a flushed test database lost it: put it back."""
    MessageTemplate.objects.update_or_create(key="training_invitation", defaults=INVITATION)


def artisans(district: District, staff: Persona, n: int) -> list[Producer]:
    return [
        do_register_producer(
            district,
            {
                "kind": Kind.ARTISAN,
                "name_hi": f"कारीगर {index}",
                "name_latin": f"Karigar {index:02d}",
                "odop_product": district.odop_products.first(),
                "village": "Aurangabad",
                "pin": "273001",
                "mobile": f"+9198390{index:05d}",
            },
            acting_user=staff.user,
        )
        for index in range(1, n + 1)
    ]


def test_nift_course_from_registration_to_a_certificate_anyone_can_check(
    new_context: Any,
    live_server: Any,
    reference_data: dict[int, District],
    gorakhpur_staff: Persona,
    invitation_template: None,
    tmp_path: Path,
) -> None:
    gorakhpur = reference_data[GORAKHPUR]
    people = artisans(gorakhpur, gorakhpur_staff, 32)
    page = new_context(locale="en-IN").new_page()
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)

    # Staff create the course with NIFT as the partner institute, and its session.
    page.goto("/trainings/")
    page.get_by_role("link", name="New programme").click()
    page.locator("#id_kind").select_option("nift_course")
    page.locator("#id_title").fill("Terracotta design course")
    page.locator("#id_partner").select_option(
        label="National Institute of Fashion Technology (NIFT)"
    )
    page.locator("#id_scheme").fill("ODOP training and toolkit scheme")
    page.locator("#id_capacity").fill("30")
    page.get_by_role("button", name="Create the programme").click()
    expect(page.locator(".messages")).to_contain_text("Programme created")
    page.get_by_text("Add a session").click()
    page.locator("#id_date").fill(DAY.isoformat())
    page.locator("#id_venue").fill("EDC hall, Gorakhpur")
    page.locator("#id_trainers").fill("NIFT Raebareli faculty")
    page.get_by_role("button", name="Add the session").click()
    expect(page.locator("ul.sessions")).to_contain_text("EDC hall, Gorakhpur")
    programme = Programme.objects.get()

    # 30 producers picked from the registry.
    page.get_by_role("link", name="Add participants from the registry").click()
    page.locator("#id_q").fill("Karigar")
    page.get_by_role("button", name="Filter").click()
    boxes = page.locator("input[name=producer]")
    expect(boxes).to_have_count(32)
    for index in range(30):
        boxes.nth(index).check()
    page.get_by_role("button", name="Register the ones picked").click()
    expect(page.locator("body")).to_contain_text("Registered: 30.")
    expect(page.locator(".places")).to_contain_text("30 of 30 taken, 0 waiting")

    # Invitations go by SMS, each with the person's check-in code.
    page.get_by_role("button", name="Send invitations").click()
    expect(page.locator("body")).to_contain_text("Invitations sent: 30.")
    invitations = Message.objects.filter(template="training_invitation")
    assert invitations.count() == 30
    first = programme.participants.order_by("pk").first()
    assert first is not None
    code = check_in_code(first.pk, programme.pk)
    assert code in invitations.get(producer=first.producer).text

    # At the venue: 25 by their QR code's text, typed in; 2 ticked on the list.
    page.get_by_role("link", name="Check in").click()
    expect(page.locator("h1")).to_contain_text("Check in")
    places = list(programme.participants.order_by("pk"))
    for participant in places[:25]:
        page.locator("#id_code").fill(check_in_code(participant.pk, programme.pk))
        page.locator("[data-code-form] button[type=submit]").click()
        expect(page.locator("body")).to_contain_text(f"Checked in: {participant.producer}.")
    # The same card shown twice is refused, with the reason.
    page.locator("#id_code").fill(code)
    page.locator("[data-code-form] button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("was checked in already at")
    for participant in places[25:27]:
        page.get_by_role("button", name=f"Tick {participant.producer} as present").click()
        expect(page.locator("body")).to_contain_text(f"Checked in: {participant.producer}.")
    expect(page.locator(".count")).to_contain_text("27 of 30 checked in")
    assert Attendance.objects.count() == 27
    assert Producer.objects.filter(stage=Stage.TRAINED).count() == 27

    # Certificates for the 27 who came.
    page.get_by_role("link", name="Terracotta design course").click()
    page.get_by_role("button", name="Issue certificates to those who came").click()
    expect(page.locator("body")).to_contain_text("Certificates issued: 27.")
    expect(page.locator("body")).to_contain_text(
        "3 registered participants did not attend and get no certificate."
    )
    certificate = Certificate.objects.get(participant=first)

    # The certificate PDF names the page its QR code opens; anyone can open it.
    row = page.locator(f"tr[data-participant='{first.uuid}']")
    pdf = page.request.get(row.get_by_role("link", name="English PDF").get_attribute("href") or "")
    assert pdf.headers["content-type"] == "application/pdf"
    address = f"{live_server.url}/verify/certificate/{certificate.uuid}/"
    if shutil.which("pdftotext"):
        path = tmp_path / "certificate.pdf"
        path.write_bytes(pdf.body())
        text = " ".join(
            subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
            .stdout.decode()
            .split()
        )
        assert address in text
    public = new_context(locale="en-IN").new_page()
    public.goto(address)
    expect(public.locator(".valid")).to_have_text("This certificate is valid.")
    expect(public.locator(".name")).to_have_text(str(first.producer))
    expect(public.locator(".programme")).to_have_text("Terracotta design course")
    expect(public.locator(".date")).to_have_text("14 December 2026")
    assert "+9198390" not in public.content()
    axe_check(public)
    assert len(people) == 32


def test_check_in_and_a_revoked_certificate_in_hindi_on_a_phone(
    new_context: Any,
    live_server: Any,
    reference_data: dict[int, District],
    gorakhpur_staff: Persona,
) -> None:
    gorakhpur = reference_data[GORAKHPUR]
    staff = gorakhpur_staff.user
    course = do_create_programme(
        gorakhpur,
        {"kind": Programme.Kind.SOLAR_CHARKHA, "title": "सोलर चरखा प्रशिक्षण", "capacity": 2},
        acting_user=staff,
    )
    session = do_add_session(course, {"date": DAY, "venue": "खादी भवन"}, acting_user=staff)
    camp = do_create_programme(
        gorakhpur,
        {"kind": Programme.Kind.GEM_CAMP, "title": "GeM शिविर", "capacity": 5},
        acting_user=staff,
    )
    do_add_session(camp, {"date": DAY, "venue": "DIC"}, acting_user=staff)
    people = artisans(gorakhpur, gorakhpur_staff, 3)
    do_register_participants(course, people[:2], acting_user=staff)
    do_register_participants(camp, people[2:], acting_user=staff)
    sita, ram = course.participants.order_by("pk")
    stranger = camp.participants.get()

    page: Page = new_context(viewport=PHONE, is_mobile=True, locale="hi-IN").new_page()
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    switch_language(page, "hi")

    # The participant's card, with the QR code and its code, fits the phone.
    page.goto(f"/trainings/participants/{sita.uuid}/card/")
    expect(page.locator(".code")).to_have_text(check_in_code(sita.pk, course.pk))
    expect(page.locator(".qr svg")).to_be_visible()
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.goto(f"/trainings/sessions/{session.pk}/check-in/")
    expect(page.locator("h1")).to_contain_text(hi("Check in"))
    # A card of another programme is refused, with the reason in Hindi.
    page.locator("#id_code").fill(check_in_code(stranger.pk, camp.pk))
    page.locator("[data-code-form] button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("यह कोड दूसरे कार्यक्रम का है: GeM शिविर।")
    page.locator("#id_code").fill(check_in_code(sita.pk, course.pk))
    page.locator("[data-code-form] button[type=submit]").click()
    expect(page.locator("body")).to_contain_text(hi("Checked in: %(name)s.") % {"name": "कारीगर 1"})
    page.get_by_role("button", name=re.compile("कारीगर 2")).click()
    expect(page.locator(".count")).to_contain_text("2 में से 2 का चेक-इन हुआ")
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert not Attendance.objects.filter(participant=stranger).exists()

    # A revoked certificate's public page says so, in Hindi.
    certificate = do_issue_certificate(Participant.objects.get(pk=ram.pk), acting_user=staff)
    do_revoke_certificate(certificate, reason="गलत नाम", acting_user=staff)
    phone = new_context(
        viewport=PHONE, is_mobile=True, locale="hi-IN", extra_http_headers={"Accept-Language": "hi"}
    ).new_page()
    phone.goto(f"/verify/certificate/{certificate.uuid}/")
    expect(phone.locator(".revoked")).to_contain_text("यह मान्य नहीं है।")
    expect(phone.locator(".name")).to_have_text("कारीगर 2")
    axe_check(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert do_check_in_by_code  # the same action the page calls


def test_check_ins_made_offline_are_sent_when_the_phone_is_online_again(
    new_context: Any,
    live_server: Any,
    reference_data: dict[int, District],
    gorakhpur_staff: Persona,
) -> None:
    gorakhpur = reference_data[GORAKHPUR]
    staff = gorakhpur_staff.user
    course = do_create_programme(
        gorakhpur,
        {"kind": Programme.Kind.ECOMMERCE, "title": "E-commerce day", "capacity": 5},
        acting_user=staff,
    )
    session = do_add_session(course, {"date": DAY, "venue": "Village hall"}, acting_user=staff)
    do_register_participants(course, artisans(gorakhpur, gorakhpur_staff, 3), acting_user=staff)
    first, second, third = course.participants.order_by("pk")

    context = new_context(viewport=PHONE, is_mobile=True, locale="en-IN")
    page = context.new_page()
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    page.goto(f"/trainings/sessions/{session.pk}/check-in/")
    context.set_offline(True)
    status = page.locator("[data-offline-status]")
    expect(status).to_contain_text("Offline")
    # Two codes (one of them twice, as a card shown again) and a ticked name, all offline.
    for code in (check_in_code(first.pk, course.pk), check_in_code(second.pk, course.pk)):
        page.locator("#id_code").fill(code)
        page.locator("[data-code-form] button[type=submit]").click()
    page.locator("#id_code").fill(check_in_code(first.pk, course.pk))
    page.locator("[data-code-form] button[type=submit]").click()
    page.get_by_role("button", name=f"Tick {third.producer} as present").click()
    expect(status).to_contain_text("Waiting: 4")
    assert not Attendance.objects.exists()

    context.set_offline(False)
    results = page.locator("[data-offline-results]")
    expect(results.locator("li")).to_have_count(4)
    expect(results).to_contain_text(f"Checked in: {first.producer}.")
    expect(results).to_contain_text(f"{first.producer} was checked in already at")
    expect(results).to_contain_text(f"Checked in: {third.producer}.")
    expect(status).to_be_hidden()
    assert Attendance.objects.filter(session=session).count() == 3
    assert page.evaluate(f"localStorage.getItem('niryat-check-ins-{session.pk}')") == "[]"


def film_of(picture: bytes, path: Path) -> Path:
    """A video file for chromium's fake camera (YUV4MPEG2, 4:2:0) that films `picture` (a PNG)
    held up in the middle of the frame, black on white with a wide quiet zone around it."""
    width, height, side = 640, 480, 360
    card = Image.open(io.BytesIO(picture)).convert("L")
    scale = side / max(card.size)
    card = card.resize(
        (round(card.width * scale), round(card.height * scale)), Image.Resampling.NEAREST
    )
    card = card.point(lambda value: 0 if value < 128 else 255)
    frame = Image.new("L", (width, height), 255)
    frame.paste(card, ((width - card.width) // 2, (height - card.height) // 2))
    # Grey on white: the luma plane is the picture; both chroma planes are neutral.
    neutral = bytes([128]) * (width // 2 * height // 2)
    one = b"FRAME\n" + frame.tobytes() + neutral + neutral
    path.write_bytes(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n" + one * 2)
    return path


@pytest.fixture
def phone_with_camera(
    browser: Browser, live_server: Any
) -> Iterator[Callable[[Path], BrowserContext]]:
    """A phone (360 px, Hindi) whose camera films the given video and whose user allowed the
    camera. Chromium takes the fake camera when it starts, so each phone is a chromium of its
    own; like `new_context`, the test fails if the Content-Security-Policy refused anything."""
    launched: list[Browser] = []
    refused: list[str] = []

    def open_phone(video: Path) -> BrowserContext:
        chromium = browser.browser_type.launch(
            executable_path=CHROMIUM,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        launched.append(chromium)
        context = chromium.new_context(
            base_url=live_server.url, viewport=PHONE, is_mobile=True, locale="hi-IN"
        )
        context.set_default_timeout(10_000)
        context.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        return context

    yield open_phone
    for chromium in launched:
        chromium.close()
    assert refused == [], "the Content-Security-Policy refused:\n" + "\n".join(refused)


# Chrome on Android has the browser's own BarcodeDetector; this chromium has not. A stand-in with
# the Web API's shape, whose `detect` reads the canvas it is given (through jsQR), drives the
# page's BarcodeDetector path; one whose `detect` fails shows the page going on with jsQR. Each
# counts its calls in sessionStorage, which outlives the page's reload after a check-in.
BARCODE_DETECTOR = """
window.BarcodeDetector = class {
  constructor(options) { this.formats = options.formats; }
  static getSupportedFormats() { return Promise.resolve(["qr_code"]); }
  detect(image) {
    const calls = Number(sessionStorage.getItem("detect-calls") || 0) + 1;
    sessionStorage.setItem("detect-calls", String(calls));
    if (FAILS) {
      return Promise.reject(new DOMException("Unsupported source.", "NotSupportedError"));
    }
    const pixels = image.getContext("2d").getImageData(0, 0, image.width, image.height);
    const found = window.jsQR(pixels.data, pixels.width, pixels.height);
    return Promise.resolve(found ? [{ rawValue: found.data, format: "qr_code" }] : []);
  }
};
"""


@pytest.mark.parametrize("reader", ["jsqr", "barcode_detector", "barcode_detector_failing"])
def test_staff_check_a_participant_in_with_the_phone_camera_in_hindi(
    reader: str,
    new_context: Any,
    phone_with_camera: Callable[[Path], BrowserContext],
    live_server: Any,
    reference_data: dict[int, District],
    gorakhpur_staff: Persona,
    tmp_path: Path,
) -> None:
    gorakhpur = reference_data[GORAKHPUR]
    staff = gorakhpur_staff.user
    course = do_create_programme(
        gorakhpur,
        {"kind": Programme.Kind.SOLAR_CHARKHA, "title": "सोलर चरखा प्रशिक्षण", "capacity": 5},
        acting_user=staff,
    )
    session = do_add_session(course, {"date": DAY, "venue": "खादी भवन"}, acting_user=staff)
    do_register_participants(course, artisans(gorakhpur, gorakhpur_staff, 2), acting_user=staff)
    sita, ram = course.participants.order_by("pk")

    # Sita's card, as the app shows it for printing, is what the phone's camera films.
    desk = new_context(locale="en-IN").new_page()
    login(desk, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    desk.goto(f"/trainings/participants/{sita.uuid}/card/")
    film = film_of(desk.locator(".qr svg").screenshot(), tmp_path / "card.y4m")

    phone = phone_with_camera(film)
    if reader != "jsqr":
        fails = "true" if reader == "barcode_detector_failing" else "false"
        phone.add_init_script(BARCODE_DETECTOR.replace("FAILS", fails))
    page = phone.new_page()
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    switch_language(page, "hi")
    page.goto(f"/trainings/sessions/{session.pk}/check-in/")
    # This chromium, like Firefox and iOS Safari, has no BarcodeDetector of its own.
    assert page.evaluate("'BarcodeDetector' in window") is (reader != "jsqr")
    page.get_by_role("button", name=hi("Open the camera")).click()

    expect(page.locator(".messages")).to_contain_text(
        hi("Checked in: %(name)s.") % {"name": "कारीगर 1"}
    )
    expect(page.locator(".count")).to_contain_text("2 में से 1 का चेक-इन हुआ")
    expect(page.locator(".tick-list .done")).to_have_text("✓ कारीगर 1")
    # The camera opens again by itself for the next card.
    expect(page.locator("[data-scan-video]")).to_be_visible()
    expect(page.get_by_role("button", name=hi("Open the camera"))).to_be_hidden()
    expect(page.locator(".errorlist")).to_have_count(0)
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    attendance = Attendance.objects.get(session=session)
    assert (attendance.participant, attendance.method) == (sita, Attendance.Method.QR)
    assert not Attendance.objects.filter(participant=ram).exists()
    if reader != "jsqr":  # the detector was asked (failing, jsQR read the card instead)
        assert int(page.evaluate("sessionStorage.getItem('detect-calls')")) >= 1
