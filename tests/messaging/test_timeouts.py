"""A provider that does not answer in time: the message waits for the provider's report that
names it (MSG91's campaign name, WhatsApp's biz_opaque_callback_data) and is sent again only
without one, so that it is neither lost nor sent twice. Against the fakes on loopback, with a
call that the provider took but answered too late, and one it never took."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from fakes.msg91 import FakeMsg91
from fakes.whatsapp import FakeWhatsApp
from niryat.core.messaging import Outgoing, gateway
from niryat.core.models import User
from niryat.messaging import gateway as implementation
from niryat.messaging.actions import do_set_contact_choice
from niryat.messaging.models import Message
from niryat.registry.models import Producer
from tests.messaging.conftest import MSG91_TOKEN
from tests.messaging.test_sms import ALERT
from tests.registry.factories import register

pytestmark = pytest.mark.django_db

TIMEOUT = {"broken_kind": "late", "timeout_delay": 1.5}  # taken, answered after we gave up
LOST = {"broken_kind": "lost", "timeout_delay": 1.5}  # never taken, no answer in time


def alerts(producers: list[Producer], start: int = 0) -> list[Message]:
    for number, producer in enumerate(producers, start):
        gateway().send(
            Outgoing(
                template="order_alert",
                key=f"order_alert:{number}",
                variables={**ALERT, "order": f"OD-{number}"},
                producer_id=producer.pk,
            )
        )
    return list(Message.objects.order_by("pk"))


def work(limit: int = 10) -> None:
    """Run the due tasks' work as the worker would, each when it falls due, without waiting."""
    for _ in range(limit):
        due = Message.objects.filter(status__in=["queued", "checking"]).order_by("next_try_at")
        first = due.first()
        if first is None:
            return
        implementation.deliver_due(first.pk, now=first.next_try_at)


def post_sms_reports(fake: FakeMsg91) -> None:
    for body in fake.delivery_reports():
        response = Client().post(f"/hooks/msg91/{MSG91_TOKEN}/", body, "application/json")
        assert response.status_code == 200


def post_whatsapp_statuses(fake: FakeWhatsApp) -> None:
    body, headers = FakeWhatsApp.signed(fake.statuses("sent"))
    response = Client().post(
        "/hooks/whatsapp/",
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=headers["X-Hub-Signature-256"],
    )
    assert response.status_code == 200


def orders_sent(texts: list[str]) -> Counter[str]:
    return Counter(text.split("ऑर्डर ")[-1].split("।")[0] for text in texts)


@pytest.fixture
def five(ramu: Producer, ganesh: User) -> list[Producer]:
    """Ramu and four neighbours, each with their own mobile."""
    return [ramu] + [
        register(ramu.district, ganesh, mobile=f"+9194150000{number:02d}") for number in range(4)
    ]


def test_an_sms_batch_taken_but_answered_too_late_is_not_sent_again_once_reported(
    five: list[Producer], fake_msg91: FakeMsg91
) -> None:
    # given five alerts that go to MSG91 in one call, which it takes but answers too late
    fake_msg91.set_faults(broken="POST /api/v2/sendsms", **TIMEOUT)
    messages = alerts(five)
    implementation.deliver_due(messages[0].pk)
    assert set(Message.objects.values_list("status", flat=True)) == {"checking"}
    assert len(fake_msg91.requests) == 1
    # when MSG91's delivery reports come, naming our reference and each number
    post_sms_reports(fake_msg91)
    # then every alert is delivered, and nothing is sent again once the window is over
    assert set(Message.objects.values_list("status", flat=True)) == {"delivered"}
    work()
    assert len(fake_msg91.requests) == 1
    sent = orders_sent([s["message"] for s in fake_msg91.sent])
    assert sent == Counter({f"OD-{number}": 1 for number in range(5)})  # lost 0, duplicated 0
    request_id = fake_msg91.sent[0]["request_id"]
    assert set(Message.objects.values_list("provider_id", flat=True)) == {request_id}


def test_an_sms_call_never_taken_is_sent_again_after_the_window_without_a_report(
    ramu: Producer, fake_msg91: FakeMsg91
) -> None:
    fake_msg91.set_faults(broken="POST /api/v2/sendsms", **LOST)
    [message] = alerts([ramu])
    implementation.deliver_due(message.pk)
    message.refresh_from_db()
    assert message.status == "checking"
    assert fake_msg91.delivery_reports() == []  # it never reached the provider
    # the window passes without a report: sent again, once
    work()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    assert orders_sent([s["message"] for s in fake_msg91.sent]) == Counter({"OD-0": 1})


def test_a_report_before_the_window_ends_stops_a_second_send_even_of_a_lost_answer(
    ramu: Producer, fake_msg91: FakeMsg91
) -> None:
    # taken, answer lost; the report comes only after the window is over but before the worker
    # runs again: still one message
    fake_msg91.set_faults(broken="POST /api/v2/sendsms", **TIMEOUT)
    [message] = alerts([ramu])
    implementation.deliver_due(message.pk)
    post_sms_reports(fake_msg91)
    work()
    message.refresh_from_db()
    assert message.status == "delivered"
    assert len(fake_msg91.sent) == 1


@pytest.fixture
def on_whatsapp(five: list[Producer], ganesh: User) -> list[Producer]:
    for producer in five:
        do_set_contact_choice(
            producer, "whatsapp", address=producer.mobile, agreed=True, acting_user=ganesh
        )
    return five


def test_whatsapp_messages_answered_too_late_are_found_by_their_status_webhooks(
    on_whatsapp: list[Producer], fake_whatsapp: FakeWhatsApp
) -> None:
    # the first two calls are taken but answered too late, the third goes as usual
    fake_whatsapp.set_faults(broken="POST /v", broken_times=2, **TIMEOUT)
    messages = alerts(on_whatsapp[:3])
    for message in messages:
        implementation.deliver(message.pk)
    statuses = list(Message.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["checking", "checking", "sent"]
    fake_whatsapp.set_faults(broken="POST /v", broken_times=1, **LOST)
    [fourth] = alerts(on_whatsapp[3:4], start=3)[3:]
    implementation.deliver(fourth.pk)
    fourth.refresh_from_db()
    assert fourth.status == "checking"
    # Meta's "sent" statuses echo each message's biz_opaque_callback_data
    post_whatsapp_statuses(fake_whatsapp)
    statuses = list(Message.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["sent", "sent", "sent", "checking"]
    work()
    wamids = {s["id"] for s in fake_whatsapp.sent}
    assert set(Message.objects.values_list("provider_id", flat=True)) == wamids
    parameters = [
        s["template"]["components"][0]["parameters"][2]["text"] for s in fake_whatsapp.sent
    ]
    assert Counter(parameters) == Counter({f"OD-{number}": 1 for number in range(4)})
