"""SMS through MSG91 under TRAI's DLT rules, against the fake MSG91 on loopback: the DLT ids go
with every message, an unregistered text is refused before it leaves, passing faults are retried
and the message still goes once, and delivery reports reach the producer's log."""

from __future__ import annotations

import pytest
from django.test import Client

from fakes.msg91 import FakeMsg91
from niryat.core.messaging import Outgoing, gateway
from niryat.messaging import gateway as implementation
from niryat.messaging.models import Message, MessageTemplate
from niryat.registry.models import Producer
from tests.catalog.factories import run_tasks
from tests.messaging.conftest import HEADER, MSG91_TOKEN

pytestmark = pytest.mark.django_db

ALERT = {"channel": "Flipkart", "items": "घोड़ा × 2", "order": "OD-7", "date": "9 दिसंबर 2026"}
TEXT = "Flipkart पर नया ऑर्डर: घोड़ा × 2। ऑर्डर OD-7। 9 दिसंबर 2026 तक पैक करें।"


def send_alert(producer: Producer, key: str = "order_alert:7") -> Message:
    gateway().send(
        Outgoing(template="order_alert", key=key, variables=ALERT, producer_id=producer.pk)
    )
    return Message.objects.get(key=key)


def deliver_until_done(message: Message, limit: int = 20) -> Message:
    """Run the message's retries as the worker would when each falls due, without waiting."""
    for _ in range(limit):
        message.refresh_from_db()
        if message.status != "queued":
            break  # sent, failed, or waiting for the provider's report
        implementation.deliver(message.pk, now=message.next_try_at)
    message.refresh_from_db()
    return message


def test_an_order_alert_goes_by_sms_with_its_dlt_template_id(
    ramu: Producer, fake_msg91: FakeMsg91, registered: dict[str, MessageTemplate]
) -> None:
    message = send_alert(ramu)
    run_tasks()
    [sent] = fake_msg91.sent
    assert sent | {"request_id": ""} == {
        "request_id": "",
        "campaign": f"nr-{message.pk}",  # our reference: the delivery reports name it
        "sender": HEADER,
        "route": "4",
        "unicode": 1,
        "DLT_TE_ID": registered["order_alert"].dlt_template_id_hi,
        "message": TEXT,
        "to": "9839012345",
        "status": "1",
        "desc": "DELIVERED",
    }
    message = Message.objects.get()
    assert (message.status, message.provider_id) == ("sent", sent["request_id"])


def test_a_template_without_dlt_registration_is_refused_before_sending(
    ramu: Producer, fake_msg91: FakeMsg91, registered: dict[str, MessageTemplate]
) -> None:
    template = registered["order_alert"]
    template.dlt_template_id_hi = ""
    template.save()
    message = send_alert(ramu)
    run_tasks()
    assert fake_msg91.sent == []
    assert fake_msg91.requests == []
    assert (message.status, message.reason) == (
        "refused",
        "The template has no DLT registration for SMS.",
    )


def test_wording_changed_after_registration_is_refused_before_sending(
    ramu: Producer, fake_msg91: FakeMsg91, registered: dict[str, MessageTemplate]
) -> None:
    message = send_alert(ramu)
    # the state rewords the template while the alert waits, without registering it again
    MessageTemplate.objects.filter(key="order_alert").update(
        body_hi="नया ऑर्डर {order}: {items}, {channel} पर। {date} तक पैक करें।"
    )
    run_tasks()
    message.refresh_from_db()
    assert fake_msg91.requests == []
    assert message.status == "refused"
    assert message.reason == "The text does not match the template registered under DLT."


def test_a_long_list_of_items_is_cut_to_what_a_dlt_variable_holds(
    ramu: Producer, fake_msg91: FakeMsg91
) -> None:
    gateway().send(
        Outgoing(
            template="order_alert",
            key="long",
            variables={**ALERT, "items": "गोरखपुर टेराकोटा घोड़ा, हस्तनिर्मित, 30 सेमी × 2"},
            producer_id=ramu.pk,
        )
    )
    run_tasks()
    [sent] = fake_msg91.sent
    assert ": गोरखपुर टेराकोटा घोड़ा, हस्तन…। ऑर्डर OD-7।" in sent["message"]
    assert sent["status"] == "1"  # the operators' scrubbing accepts it


@pytest.mark.parametrize(
    "faults",
    [
        {"rate_limited": 2, "retry_after": 0},
        {"server_errors": 3},
        {"broken": "POST /api/v2/sendsms", "broken_kind": "503", "broken_times": 2},
    ],
    ids=["429", "503", "503-then-ok"],
)
def test_a_provider_fault_is_retried_and_the_message_goes_once(
    ramu: Producer, fake_msg91: FakeMsg91, faults: dict[str, object]
) -> None:
    fake_msg91.set_faults(**faults)
    message = deliver_until_done(send_alert(ramu))
    assert message.status == "sent"
    assert len(fake_msg91.sent) == 1
    assert message.attempts == len(fake_msg91.requests)
    assert message.attempts > 1


def test_no_answer_in_time_waits_for_the_report_before_sending_again(
    ramu: Producer, fake_msg91: FakeMsg91
) -> None:
    # MSG91 takes no idempotency key: a request that timed out may have been sent
    fake_msg91.set_faults(broken="POST /api/v2/sendsms", broken_kind="late", timeout_delay=1.5)
    message = deliver_until_done(send_alert(ramu))
    assert message.status == "checking"
    assert message.reason == (
        "MSG91: POST /api/v2/sendsms: timed out. The provider may have sent it: if its report "
        "does not say so within 15 minutes, it is sent again."
    )
    assert len(fake_msg91.requests) == 1


def test_no_connection_is_retried_as_nothing_went_out(
    ramu: Producer, fake_msg91: FakeMsg91, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.MSG91_API_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    message = send_alert(ramu)
    implementation.deliver(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("queued", 1)
    settings.MSG91_API_URL = fake_msg91.url
    assert deliver_until_done(message).status == "sent"
    assert len(fake_msg91.sent) == 1


def test_a_refused_number_fails_with_the_providers_reason_and_is_not_retried(
    ramu: Producer, fake_msg91: FakeMsg91, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.MSG91_AUTH_KEY = "wrong"
    message = deliver_until_done(send_alert(ramu))
    assert (message.status, message.reason) == ("failed", "MSG91: Authentication failure")
    assert len(fake_msg91.requests) == 1


def test_a_provider_down_for_good_fails_after_the_last_attempt(
    ramu: Producer, fake_msg91: FakeMsg91, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.MESSAGING_MAX_ATTEMPTS = 3
    fake_msg91.set_faults(server_errors=10)
    message = deliver_until_done(send_alert(ramu))
    assert (message.status, message.attempts) == ("failed", 3)
    assert "Service temporarily unavailable" in message.reason
    assert fake_msg91.sent == []


def post_report(body: dict[str, object], token: str = MSG91_TOKEN) -> int:
    return (
        Client().post(f"/hooks/msg91/{token}/", body, content_type="application/json").status_code
    )


def test_delivery_reports_mark_the_message_delivered_or_failed_with_the_reason(
    ramu: Producer, fake_msg91: FakeMsg91, registered: dict[str, MessageTemplate]
) -> None:
    delivered = send_alert(ramu, key="one")
    run_tasks()
    # a second alert whose registration the operator holds under another header: dropped
    fake_msg91.register_dlt(registered["order_alert"].dlt_template_id_hi, "OTHERS", "x")
    dropped = send_alert(ramu, key="two")
    run_tasks()
    for message in (delivered, dropped):
        message.refresh_from_db()
        assert post_report(fake_msg91.delivery_report(message.provider_id)) == 200
    delivered.refresh_from_db()
    dropped.refresh_from_db()
    assert delivered.status == "delivered"
    assert delivered.delivered_at is not None
    assert (dropped.status, dropped.reason) == ("failed", "MSG91: Rejected by DLT: no match")


def test_a_delivery_report_to_a_wrong_address_changes_nothing(
    ramu: Producer, fake_msg91: FakeMsg91
) -> None:
    message = send_alert(ramu)
    run_tasks()
    message.refresh_from_db()
    assert post_report(fake_msg91.delivery_report(message.provider_id), token="guess") == 404
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_sign_in_code_goes_at_once_with_its_dlt_id_and_is_not_kept(
    ramu: Producer, fake_msg91: FakeMsg91, registered: dict[str, MessageTemplate]
) -> None:
    gateway().send(
        Outgoing(
            template="sign_in_code",
            key="code:1",
            variables={"code": "482913", "minutes": "10"},
            to="09839012345",
            urgent=True,
            secret=("code",),
        )
    )
    [sent] = fake_msg91.sent
    assert sent["DLT_TE_ID"] == registered["sign_in_code"].dlt_template_id_hi
    assert "482913" in sent["message"]
    assert "482913" not in Message.objects.get().text
