"""WhatsApp through the Cloud API, against the fake on loopback: template messages we start,
free-form answers inside the 24-hour window, the webhook's handshake and signature, replays,
keywords, STOP, unknown numbers, and photos into the catalogue's imaging."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from PIL import ImageFilter

from fakes.whatsapp import FakeWhatsApp
from niryat.catalog.models import Product, ProductImage
from niryat.channels.models import Order
from niryat.core.messaging import Outgoing, gateway
from niryat.core.models import AuditEntry, Centre, User
from niryat.messaging.actions import do_set_contact_choice
from niryat.messaging.models import ContactChoice, Message, WebhookEvent
from niryat.registry.actions import do_record_consent
from niryat.registry.models import Consent, Producer
from tests.catalog.factories import make_product, run_tasks
from tests.catalog.test_actions import png_bomb
from tests.channels.test_pages import make_account, make_order
from tests.test_imaging import a_phone_upload, a_photo, jpeg

pytestmark = pytest.mark.django_db

HOOK = "/hooks/whatsapp/"
RAMU = "919839012345"
STRANGER = "919811100000"


def post(payload: dict[str, Any], *, secret: str | None = None, header: str | None = None) -> int:
    body, headers = FakeWhatsApp.signed(payload, *([secret] if secret else []))
    signature = headers["X-Hub-Signature-256"] if header is None else header
    extra = {"HTTP_X_HUB_SIGNATURE_256": signature} if signature else {}
    return Client().post(HOOK, body, content_type="application/json", **extra).status_code


def replies(fake: FakeWhatsApp) -> list[str]:
    return [sent["text"]["body"] for sent in fake.sent if sent["type"] == "text"]


@pytest.fixture
def on_whatsapp(ramu: Producer, ganesh: User) -> Producer:
    do_set_contact_choice(ramu, "whatsapp", address="98390 12345", agreed=True, acting_user=ganesh)
    return ramu


# --- the webhook's handshake and signature ----------------------------------------------------


def test_the_verification_handshake_echoes_the_challenge_only_for_our_token() -> None:
    ok = Client().get(
        HOOK,
        {
            "hub.mode": "subscribe",
            "hub.verify_token": "niryat-verify-7",
            "hub.challenge": "1158201444",
        },
    )
    assert (ok.status_code, ok.content) == (200, b"1158201444")
    wrong = Client().get(
        HOOK, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"}
    )
    assert wrong.status_code == 403


@pytest.mark.parametrize(
    "how",
    ["tampered", "other-secret", "missing", "not-sha256"],
)
def test_a_webhook_without_a_good_signature_is_refused_and_changes_nothing(
    on_whatsapp: Producer, fake_whatsapp: FakeWhatsApp, how: str
) -> None:
    payload = fake_whatsapp.user_text(RAMU, "रोकें")
    body, headers = FakeWhatsApp.signed(payload)
    if how == "tampered":
        body = body.replace("रोकें".encode(), "मदद".encode())
        signature = headers["X-Hub-Signature-256"]
    elif how == "other-secret":
        signature = FakeWhatsApp.signed(payload, "not-the-app-secret")[1]["X-Hub-Signature-256"]
    elif how == "missing":
        signature = ""
    else:
        signature = headers["X-Hub-Signature-256"].replace("sha256=", "sha1=")
    extra = {"HTTP_X_HUB_SIGNATURE_256": signature} if signature else {}
    response = Client().post(HOOK, body, content_type="application/json", **extra)
    run_tasks()
    assert response.status_code == 401
    assert not Message.objects.exists()
    assert not WebhookEvent.objects.exists()
    assert ContactChoice.objects.get(producer=on_whatsapp).opted_out_at is None
    assert fake_whatsapp.sent == []


def test_a_replayed_webhook_is_processed_once(
    on_whatsapp: Producer, fake_whatsapp: FakeWhatsApp, centre: Centre
) -> None:
    payload = fake_whatsapp.user_text(RAMU, "मदद")
    assert [post(payload) for _ in range(3)] == [200, 200, 200]
    run_tasks()
    assert Message.objects.filter(direction="in").count() == 1
    assert replies(fake_whatsapp) == ["मदद के लिए अपने निर्यात विकास केन्द्र को फ़ोन करें: 0551-2200123"]


# --- messages we start ------------------------------------------------------------------------


def test_an_order_alert_goes_by_whatsapp_as_the_approved_template_in_hindi(
    on_whatsapp: Producer, fake_whatsapp: FakeWhatsApp, horse: Product, ganesh: User
) -> None:
    from tests.catalog.factories import add_sku

    sku = add_sku(horse, ganesh)
    ship_by = dt.datetime(2026, 12, 8, 21, 53, tzinfo=dt.UTC)
    make_order(make_account(on_whatsapp.district), sku, number="OD-9", ship_by=ship_by)
    run_tasks()
    [sent] = fake_whatsapp.sent
    assert sent["to"] == RAMU
    assert sent["type"] == "template"
    assert sent["template"]["name"] == "order_alert"
    assert sent["template"]["language"] == {"code": "hi"}
    parameters = [p["text"] for p in sent["template"]["components"][0]["parameters"]]
    assert parameters[0] == "Flipkart"
    assert parameters[2:] == ["OD-9", "9 दिसंबर 2026, 03:23"]
    message = Message.objects.get(template="order_alert")
    assert (message.channel, message.status, message.provider_id) == (
        "whatsapp",
        "sent",
        sent["id"],
    )


def test_status_webhooks_mark_delivered_read_or_failed_with_metas_reason(
    on_whatsapp: Producer, fake_whatsapp: FakeWhatsApp
) -> None:
    for key in ("a", "b"):
        gateway().send(Outgoing(template="reply_no_orders", key=key, producer_id=on_whatsapp.pk))
    post(fake_whatsapp.user_text(RAMU, "hi"))  # opens the 24-hour window for free-form text
    run_tasks()
    a, b = (Message.objects.get(key=key) for key in ("a", "b"))
    assert post(fake_whatsapp.status(a.provider_id, "delivered", RAMU)) == 200
    assert post(fake_whatsapp.status(a.provider_id, "read", RAMU)) == 200
    assert post(fake_whatsapp.status(a.provider_id, "delivered", RAMU)) == 200  # late, out of order
    error = {
        "code": 131026,
        "title": "Message undeliverable",
        "error_data": {"details": "Receiver is incapable of receiving this message"},
    }
    assert post(fake_whatsapp.status(b.provider_id, "failed", RAMU, error)) == 200
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == "read"
    assert (b.status, b.reason) == (
        "failed",
        "WhatsApp 131026: Receiver is incapable of receiving this message",
    )


def test_free_form_text_outside_the_window_is_refused_by_meta_and_fails_with_its_reason(
    on_whatsapp: Producer, fake_whatsapp: FakeWhatsApp
) -> None:
    # a template with no approved WhatsApp name, and the producer has not written: no window
    gateway().send(Outgoing(template="reply_no_orders", key="x", producer_id=on_whatsapp.pk))
    run_tasks()
    message = Message.objects.get()
    assert message.status == "failed"
    assert message.reason == "no approved WhatsApp template, and no open window"
    assert fake_whatsapp.requests == []


def test_a_rate_limited_send_is_retried_and_goes_once(
    on_whatsapp: Producer, fake_whatsapp: FakeWhatsApp
) -> None:
    from niryat.messaging import gateway as implementation

    fake_whatsapp.set_faults(rate_limited=2, retry_after=0, server_errors=1)
    gateway().send(
        Outgoing(
            template="order_alert",
            key="k",
            variables={"channel": "eBay", "items": "घोड़ा × 1", "order": "E-1", "date": "कल"},
            producer_id=on_whatsapp.pk,
        )
    )
    message = Message.objects.get()
    for _ in range(10):
        message.refresh_from_db()
        if message.status != "queued":
            break
        implementation.deliver(message.pk, now=message.next_try_at)
    assert (message.status, message.attempts) == ("sent", 4)
    assert len(fake_whatsapp.sent) == 1


# --- keywords ---------------------------------------------------------------------------------


def test_order_in_hindi_returns_the_open_orders_with_their_pack_by_dates(
    on_whatsapp: Producer, fake_whatsapp: FakeWhatsApp, horse: Product, ganesh: User
) -> None:
    from tests.catalog.factories import add_sku

    sku = add_sku(horse, ganesh)
    account = make_account(on_whatsapp.district)
    make_order(account, sku, number="OD-1", ship_by=dt.datetime(2026, 12, 8, 21, 53, tzinfo=dt.UTC))
    make_order(account, sku, number="OD-2", ship_by=dt.datetime(2026, 12, 10, 6, 0, tzinfo=dt.UTC))
    shipped = make_order(account, sku, number="OD-0")
    Order.objects.filter(pk=shipped.pk).update(state=Order.State.SHIPPED)
    run_tasks()
    fake_whatsapp.reset()
    assert post(fake_whatsapp.user_text(RAMU, " ऑर्डर ")) == 200
    run_tasks()
    assert replies(fake_whatsapp) == [
        "आपके खुले ऑर्डर: OD-1 (Flipkart) 9 दिसंबर 2026, 03:23 तक पैक करें; "
        "OD-2 (Flipkart) 10 दिसंबर 2026, 11:30 तक पैक करें"
    ]


def test_order_in_english_with_no_open_order(
    on_whatsapp: Producer, fake_whatsapp: FakeWhatsApp
) -> None:
    post(fake_whatsapp.user_text(RAMU, "Order"))
    run_tasks()
    assert replies(fake_whatsapp) == ["अभी आपका कोई खुला ऑर्डर नहीं है।"]


def test_stop_stops_the_next_message_and_start_brings_them_back(
    on_whatsapp: Producer, fake_whatsapp: FakeWhatsApp
) -> None:
    post(fake_whatsapp.user_text(RAMU, "STOP"))
    run_tasks()
    assert replies(fake_whatsapp) == [
        "अब आपको यहाँ निर्यात से कोई संदेश नहीं मिलेगा। फिर से पाने के लिए शुरू भेजें।"
    ]
    choice = ContactChoice.objects.get(producer=on_whatsapp, channel="whatsapp")
    assert choice.opted_out_via == "reply"
    # the next order alert does not go by WhatsApp (SMS, to which Ramu did not object, takes it)
    fake_whatsapp.reset()
    alert = {"channel": "eBay", "items": "घोड़ा × 1", "order": "E-2", "date": "कल"}
    gateway().send(
        Outgoing(
            template="order_alert", key="after-stop", variables=alert, producer_id=on_whatsapp.pk
        )
    )
    run_tasks()
    assert fake_whatsapp.sent == []
    assert Message.objects.get(key="after-stop").channel == "sms"
    # रोकें works too, and शुरू brings WhatsApp back
    post(fake_whatsapp.user_text(RAMU, "शुरू"))
    run_tasks()
    assert replies(fake_whatsapp) == ["आपको यहाँ फिर से निर्यात के संदेश मिलेंगे।"]
    gateway().send(
        Outgoing(
            template="order_alert", key="after-start", variables=alert, producer_id=on_whatsapp.pk
        )
    )
    run_tasks()
    assert Message.objects.get(key="after-start").channel == "whatsapp"
    post(fake_whatsapp.user_text(RAMU, "रोकें"))
    run_tasks()
    choice.refresh_from_db()
    assert choice.opted_out_at is not None


def test_help_gives_the_centres_phone(
    on_whatsapp: Producer, fake_whatsapp: FakeWhatsApp, centre: Centre
) -> None:
    post(fake_whatsapp.user_text(RAMU, "help"))
    run_tasks()
    assert replies(fake_whatsapp) == ["मदद के लिए अपने निर्यात विकास केन्द्र को फ़ोन करें: 0551-2200123"]


def test_an_unknown_number_gets_a_polite_hindi_reply_and_nothing_is_kept(
    on_whatsapp: Producer, fake_whatsapp: FakeWhatsApp
) -> None:
    assert post(fake_whatsapp.user_text(STRANGER, "ऑर्डर")) == 200
    run_tasks()
    assert [(s["to"], s["text"]["body"]) for s in fake_whatsapp.sent] == [
        (
            STRANGER,
            "नमस्ते। यह नंबर निर्यात में पंजीकृत नहीं है। कृपया अपने जिले के निर्यात विकास केन्द्र से संपर्क करें।",
        )
    ]
    assert not Message.objects.exists()
    assert STRANGER[2:] not in str(list(WebhookEvent.objects.values()))


def test_a_producer_who_withdrew_consent_gets_nothing_but_a_stop_confirmation(
    on_whatsapp: Producer, fake_whatsapp: FakeWhatsApp, ganesh: User
) -> None:
    do_record_consent(
        on_whatsapp,
        purpose=Consent.Purpose.HOLD_DATA,
        given=False,
        on=dt.date(2026, 12, 1),
        method=Consent.Method.PAPER,
        acting_user=ganesh,
    )
    post(fake_whatsapp.user_text(RAMU, "ऑर्डर"))
    post(fake_whatsapp.user_image(RAMU, jpeg(a_photo(800, 600))))
    run_tasks()
    assert fake_whatsapp.sent == []
    assert not Message.objects.exists()
    post(fake_whatsapp.user_text(RAMU, "STOP"))
    run_tasks()
    assert len(fake_whatsapp.sent) == 1
    assert not Message.objects.exists()
    assert ContactChoice.objects.get(producer=on_whatsapp).opted_out_at is not None


# --- photos -----------------------------------------------------------------------------------


def test_a_photo_from_the_producers_number_lands_on_their_draft_product_with_its_score(
    on_whatsapp: Producer, fake_whatsapp: FakeWhatsApp, horse: Product
) -> None:
    photo = a_phone_upload(a_photo())
    assert post(fake_whatsapp.user_image(RAMU, photo)) == 200
    run_tasks()
    image = ProductImage.objects.get(product=horse)
    assert image.status == "ready"
    assert image.file_name.startswith("WhatsApp ")
    audit = AuditEntry.objects.filter(action="image.add").latest("id")
    assert audit.changes["via"].startswith("WhatsApp in:whatsapp:wamid.")
    [reply] = replies(fake_whatsapp)
    assert reply.startswith(
        f"फ़ोटो {horse.name_hi or horse} में जोड़ दी गई। गुणवत्ता {image.quality_score}/100।"
    )


def test_a_blurred_photo_gets_its_advice_in_hindi(
    on_whatsapp: Producer, fake_whatsapp: FakeWhatsApp, horse: Product
) -> None:
    blurred = a_photo().filter(ImageFilter.GaussianBlur(12))
    post(fake_whatsapp.user_image(RAMU, jpeg(blurred)))
    run_tasks()
    [reply] = replies(fake_whatsapp)
    assert "फ़ोटो धुंधली है। फ़ोन स्थिर रखें" in reply


def test_with_several_products_the_producer_picks_one_from_a_numbered_list(
    on_whatsapp: Producer, fake_whatsapp: FakeWhatsApp, horse: Product, ganesh: User
) -> None:
    elephant = make_product(
        on_whatsapp, ganesh, name_hi="टेराकोटा हाथी", name_en="Terracotta elephant"
    )
    post(fake_whatsapp.user_image(RAMU, jpeg(a_photo())))
    run_tasks()
    [question] = replies(fake_whatsapp)
    assert question.startswith("यह फ़ोटो किस उत्पाद की है? उसका नंबर भेजें: 1. टेराकोटा हाथी; 2. ")
    assert not ProductImage.objects.exists()
    post(fake_whatsapp.user_text(RAMU, "1"))
    run_tasks()
    assert ProductImage.objects.get().product == elephant
    assert replies(fake_whatsapp)[-1].startswith("फ़ोटो टेराकोटा हाथी में जोड़ दी गई।")
    # the same choice again adds nothing
    post(fake_whatsapp.user_text(RAMU, "1"))
    run_tasks()
    assert ProductImage.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "mime", "kind", "reason"),
    [
        (b"%PDF-1.4 not a photo", "application/pdf", "document", "यह फ़ाइल काम में नहीं ली जा सकी"),
        (b"\x00" * 64, "image/jpeg", "image", "यह फ़ाइल काम में नहीं ली जा सकी"),
        (None, "image/png", "image", "मेगापिक्सेल"),
    ],
    ids=["pdf", "not-an-image", "decompression-bomb"],
)
def test_what_is_not_a_usable_photo_is_refused_with_a_hindi_reply(
    on_whatsapp: Producer,
    fake_whatsapp: FakeWhatsApp,
    horse: Product,
    data: bytes | None,
    mime: str,
    kind: str,
    reason: str,
) -> None:
    post(fake_whatsapp.user_media(RAMU, data or png_bomb(), mime, kind))
    run_tasks()
    assert not ProductImage.objects.exists()
    [reply] = replies(fake_whatsapp)
    assert reply.startswith("यह फ़ाइल काम में नहीं ली जा सकी: ")
    assert reason in reply


def test_training_in_hindi_returns_the_coming_sessions_of_the_producers_programmes(
    on_whatsapp: Producer, fake_whatsapp: FakeWhatsApp, ganesh: User
) -> None:
    from django.utils import timezone

    from niryat.events.actions import do_add_session, do_create_programme, do_register_participants
    from niryat.events.models import Programme

    today = timezone.localdate()
    course = do_create_programme(
        on_whatsapp.district,
        {"kind": Programme.Kind.GEM_CAMP, "title": "GeM camp", "capacity": 30},
        acting_user=ganesh,
    )
    do_add_session(
        course, {"date": today - dt.timedelta(days=3), "venue": "DIC"}, acting_user=ganesh
    )
    do_add_session(
        course, {"date": today + dt.timedelta(days=2), "venue": "DIC Gorakhpur"}, acting_user=ganesh
    )
    other = do_create_programme(
        on_whatsapp.district,
        {"kind": Programme.Kind.NIFT_COURSE, "title": "NIFT course", "capacity": 30},
        acting_user=ganesh,
    )
    do_add_session(
        other, {"date": today + dt.timedelta(days=1), "venue": "NIFT"}, acting_user=ganesh
    )
    # Nothing booked yet: the answer says so, in Hindi.
    post(fake_whatsapp.user_text(RAMU, "प्रशिक्षण"))
    run_tasks()
    assert replies(fake_whatsapp) == [
        "अभी आपके लिए कोई प्रशिक्षण तय नहीं है। अपने निर्यात विकास केन्द्र से पूछें।"
    ]
    # Once Ramu has a place in the GeM camp, its coming session (only) is the answer.
    do_register_participants(course, [on_whatsapp], acting_user=ganesh)
    fake_whatsapp.reset()
    post(fake_whatsapp.user_text(RAMU, "Training"))
    run_tasks()
    [reply] = replies(fake_whatsapp)
    assert reply.startswith("आपके आने वाले प्रशिक्षण: ")
    assert reply.endswith(", GeM camp, DIC Gorakhpur")
    assert "NIFT" not in reply
