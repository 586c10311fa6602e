"""The gateway's decisions, before any provider: templates and their variables, numbers, the
producer's channels and opt-outs, consent, quiet hours, and one message per key."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone

from niryat.core.messaging import (
    MessageNotSent,
    MessageRefused,
    Outgoing,
    gateway,
    normalise_mobile,
)
from niryat.core.models import User
from niryat.messaging import gateway as implementation
from niryat.messaging.actions import do_set_contact_choice
from niryat.messaging.backends.base import Delivery
from niryat.messaging.models import Message
from niryat.registry.actions import do_record_consent
from niryat.registry.models import Consent, Producer
from tests.catalog.factories import run_tasks

pytestmark = pytest.mark.django_db

ALERT = {"channel": "Flipkart", "items": "घोड़ा × 2", "order": "OD-1", "date": "9 दिसंबर 2026"}


def alert(producer: Producer, key: str = "order_alert:1", **variables: str) -> Outgoing:
    return Outgoing(
        template="order_alert",
        key=key,
        variables={**ALERT, **variables},
        producer_id=producer.pk,
    )


@pytest.mark.parametrize(
    "written",
    [
        "9839012345",
        "98390 12345",
        "09839012345",
        "+91 98390 12345",
        "+91-98390-12345",
        "919839012345",
        "0091 9839012345",
        "(+91) 98390-12345",
    ],
)
def test_an_indian_mobile_in_any_usual_form_becomes_e164(written: str) -> None:
    assert normalise_mobile(written) == "+919839012345"


@pytest.mark.parametrize("written", ["", "12345", "0551 2200123", "+44 7700 900123", "call me"])
def test_what_is_not_an_indian_mobile_is_refused(written: str) -> None:
    with pytest.raises(MessageRefused):
        normalise_mobile(written)


def test_an_order_alert_goes_by_sms_in_hindi_once_however_often_it_is_sent(
    ramu: Producer, outbox: list[Delivery]
) -> None:
    # when the same alert is asked for three times
    for _ in range(3):
        gateway().send(alert(ramu))
    run_tasks()
    # then one SMS, in Hindi, and one message in Ramu's log, sent
    assert [(d.channel, d.to, d.text) for d in outbox] == [
        (
            "sms",
            "+919839012345",
            "Flipkart पर नया ऑर्डर: घोड़ा × 2। ऑर्डर OD-1। 9 दिसंबर 2026 तक पैक करें।",
        )
    ]
    [message] = Message.objects.all()
    assert (message.status, message.producer, message.attempts) == ("sent", ramu, 1)


def test_a_missing_variable_is_refused_before_anything_is_kept(
    ramu: Producer, outbox: list[Delivery]
) -> None:
    with pytest.raises(MessageRefused, match="date"):
        gateway().send(alert(ramu, date=""))
    with pytest.raises(MessageRefused, match="no template"):
        gateway().send(Outgoing(template="no_such", key="x", producer_id=ramu.pk))
    run_tasks()
    assert outbox == []
    assert not Message.objects.exists()


def test_whatsapp_is_chosen_when_the_producer_agreed_to_it(
    ramu: Producer, ganesh: User, outbox: list[Delivery]
) -> None:
    do_set_contact_choice(ramu, "whatsapp", address="98390 12345", agreed=True, acting_user=ganesh)
    gateway().send(alert(ramu))
    run_tasks()
    assert [(d.channel, d.to, d.whatsapp_name, d.variables) for d in outbox] == [
        ("whatsapp", "+919839012345", "order_alert", list(ALERT.values()))
    ]


def test_an_opt_out_told_to_the_centre_moves_to_the_next_channel_or_stops(
    ramu: Producer, ganesh: User, outbox: list[Delivery]
) -> None:
    do_set_contact_choice(ramu, "whatsapp", address="9839012345", agreed=True, acting_user=ganesh)
    do_set_contact_choice(ramu, "whatsapp", address="9839012345", agreed=False, acting_user=ganesh)
    gateway().send(alert(ramu, key="a"))
    run_tasks()
    do_set_contact_choice(ramu, "sms", address="9839012345", agreed=False, acting_user=ganesh)
    gateway().send(alert(ramu, key="b"))
    run_tasks()
    assert [d.channel for d in outbox] == ["sms"]
    refused = Message.objects.get(key="b")
    assert (refused.status, refused.reason) == ("refused", "They opted out of messages.")


def test_an_opt_out_after_queueing_stops_the_queued_message(
    ramu: Producer, ganesh: User, outbox: list[Delivery]
) -> None:
    gateway().send(alert(ramu))
    do_set_contact_choice(ramu, "sms", address="9839012345", agreed=False, acting_user=ganesh)
    run_tasks()
    assert outbox == []
    assert Message.objects.get().status == "refused"


def test_a_producer_who_withdrew_consent_gets_only_what_the_law_requires(
    ramu: Producer, ganesh: User, outbox: list[Delivery]
) -> None:
    do_record_consent(
        ramu,
        purpose=Consent.Purpose.HOLD_DATA,
        given=False,
        on=timezone.localdate(),
        method=Consent.Method.PAPER,
        acting_user=ganesh,
    )
    gateway().send(alert(ramu))
    gateway().send(
        Outgoing(template="opt_out_confirmed", key="law", producer_id=ramu.pk, language="hi")
    )
    run_tasks()
    assert [d.template for d in outbox] == ["opt_out_confirmed"]
    assert Message.objects.get(key="order_alert:1").reason == "They withdrew their consent."


def test_in_quiet_hours_an_alert_waits_for_the_morning_but_a_sign_in_code_does_not(
    ramu: Producer, settings, outbox: list[Delivery]
) -> None:  # type: ignore[no-untyped-def]
    settings.MESSAGING_QUIET_HOURS = (21, 8)
    night = dt.datetime(2026, 12, 7, 17, 0, tzinfo=dt.UTC)  # 22:30 in India
    assert implementation.quiet_until(night) == dt.datetime(2026, 12, 8, 2, 30, tzinfo=dt.UTC)
    morning = dt.datetime(2026, 12, 8, 1, 0, tzinfo=dt.UTC)  # 06:30 in India
    assert implementation.quiet_until(morning) == dt.datetime(2026, 12, 8, 2, 30, tzinfo=dt.UTC)
    assert implementation.quiet_until(dt.datetime(2026, 12, 8, 5, 0, tzinfo=dt.UTC)) is None
    # a message queued at night is due at 08:00 India time, and not sent before
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: night)
        gateway().send(alert(ramu))
    message = Message.objects.get()
    assert message.next_try_at == dt.datetime(2026, 12, 8, 2, 30, tzinfo=dt.UTC)
    assert implementation.deliver(message.pk, now=night) is False
    assert outbox == []
    assert implementation.deliver(message.pk, now=message.next_try_at) is True
    assert len(outbox) == 1


def test_an_urgent_message_that_fails_says_so_and_is_not_retried(ramu: Producer, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MESSAGING_BACKENDS = {
        **settings.MESSAGING_BACKENDS,
        "sms": "tests.registry.test_portal.FailingBackend",
    }
    with pytest.raises(MessageNotSent, match="gateway down"):
        gateway().send(
            Outgoing(
                template="sign_in_code",
                key="code:1",
                variables={"code": "123456", "minutes": "10"},
                to="9839012345",
                urgent=True,
                secret=("code",),
            )
        )
    message = Message.objects.get()
    assert (message.status, message.reason, message.attempts) == ("failed", "gateway down", 1)
    assert "123456" not in message.text


def test_the_log_shows_the_producers_messages_newest_first(ramu: Producer) -> None:
    gateway().send(alert(ramu, key="a", order="OD-1"))
    gateway().send(alert(ramu, key="b", order="OD-2"))
    run_tasks()
    lines = gateway().log_for(ramu.pk)
    assert [("OD-2" in line.text, line.status_code) for line in lines] == [
        (True, "sent"),
        (False, "sent"),
    ]


def test_a_producer_without_a_usable_number_has_the_reason_in_their_log(
    ramu: Producer, outbox: list[Delivery]
) -> None:
    Producer.objects.filter(pk=ramu.pk).update(mobile="+915512200123")  # a landline
    gateway().send(alert(ramu, key="landline"))
    Producer.objects.filter(pk=ramu.pk).update(mobile="")
    gateway().send(alert(ramu, key="none"))
    run_tasks()
    assert outbox == []
    assert [(m.key, m.status, m.reason) for m in Message.objects.order_by("pk")] == [
        ("landline", "refused", "Their number is not a mobile number."),
        ("none", "refused", "They have no channel they agreed to."),
    ]


def test_the_console_backend_of_make_run_writes_each_message_to_the_log(
    ramu: Producer, settings, caplog
) -> None:  # type: ignore[no-untyped-def]
    settings.MESSAGING_BACKENDS = {
        **settings.MESSAGING_BACKENDS,
        "sms": "niryat.messaging.backends.local.ConsoleBackend",
    }
    with caplog.at_level(logging.INFO, logger="niryat.messaging"):
        gateway().send(alert(ramu))
        run_tasks()
    assert (
        "sms to +919839012345 (order_alert): Flipkart पर नया ऑर्डर: घोड़ा × 2। ऑर्डर OD-1। "
        "9 दिसंबर 2026 तक पैक करें।"
    ) in caplog.messages
    assert Message.objects.get().status == "sent"
