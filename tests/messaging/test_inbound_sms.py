"""Replies by SMS: a producer texts our MSG91 long code, MSG91 forwards the SMS to our webhook
(whose address holds a secret token, as MSG91 signs nothing), and STOP / रोकें stops their SMS
while START brings it back; against the fake MSG91 on loopback."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from fakes.msg91 import FakeMsg91
from niryat.core.messaging import Outgoing, gateway
from niryat.messaging.models import ContactChoice, Message, WebhookEvent
from niryat.registry.models import Producer
from tests.catalog.factories import run_tasks
from tests.messaging.test_sms import ALERT

pytestmark = pytest.mark.django_db

TOKEN = "inbound-7f3a9c"
RAMU = "919839012345"
STRANGER = "919811100000"
STOPPED = "अब आपको यहाँ निर्यात से कोई संदेश नहीं मिलेगा। फिर से पाने के लिए शुरू भेजें।"


@pytest.fixture(autouse=True)
def inbound_token(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MSG91_INBOUND_TOKEN_SHA256 = hashlib.sha256(TOKEN.encode()).hexdigest()


def forward(fields: dict[str, str], token: str = TOKEN) -> int:
    """Post an SMS to the webhook as MSG91 forwards it (a form)."""
    return Client().post(f"/hooks/msg91/inbound/{token}/", fields).status_code


def alert(producer: Producer, key: str) -> Message:
    gateway().send(
        Outgoing(template="order_alert", key=key, variables=ALERT, producer_id=producer.pk)
    )
    run_tasks()
    return Message.objects.get(key=key)


def texts(fake: FakeMsg91) -> list[str]:
    return [sent["message"] for sent in fake.sent]


def test_ramu_replies_roken_and_the_next_sms_is_not_sent(
    ramu: Producer, fake_msg91: FakeMsg91
) -> None:
    # when Ramu answers रोकें to our long code
    assert forward(fake_msg91.inbound_sms(RAMU, "रोकें")) == 200
    run_tasks()
    # then he is told by SMS that nothing more comes, and his SMS channel shows the opt-out
    assert texts(fake_msg91) == [STOPPED]
    choice = ContactChoice.objects.get(producer=ramu, channel="sms")
    assert (choice.opted_out_via, choice.opted_out_at is not None) == ("reply", True)
    received = Message.objects.get(direction="in")
    assert (received.channel, received.text) == ("sms", "रोकें")
    # and the next order alert is not sent, logged as refused for the opt-out
    message = alert(ramu, "after-stop")
    assert (message.status, message.reason) == ("refused", "They opted out of messages.")
    assert texts(fake_msg91) == [STOPPED]


@pytest.mark.parametrize(
    "text",
    ["STOP", "stop", " Stop. ", "S T O P", "स्टॉप", "स्टाप", "रोको", "रोकें\u200d"],
)
def test_every_way_of_writing_stop_opts_out_of_sms(
    ramu: Producer, fake_msg91: FakeMsg91, text: str
) -> None:
    forward(fake_msg91.inbound_sms(RAMU, text))
    run_tasks()
    assert ContactChoice.objects.get(producer=ramu, channel="sms").opted_out_at is not None
    assert texts(fake_msg91) == [STOPPED]


def test_the_shared_long_codes_keyword_in_front_is_ignored(
    ramu: Producer, fake_msg91: FakeMsg91, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.MSG91_INBOUND_KEYWORD = "NIRYAT"
    forward(fake_msg91.inbound_sms(RAMU, "niryat रोकें"))
    run_tasks()
    assert ContactChoice.objects.get(producer=ramu, channel="sms").opted_out_at is not None


def test_start_brings_the_sms_back(ramu: Producer, fake_msg91: FakeMsg91) -> None:
    forward(fake_msg91.inbound_sms(RAMU, "रोकें"))
    run_tasks()
    forward(fake_msg91.inbound_sms(RAMU, "START"))
    run_tasks()
    assert texts(fake_msg91)[-1] == "आपको यहाँ फिर से निर्यात के संदेश मिलेंगे।"
    assert ContactChoice.objects.get(producer=ramu, channel="sms").opted_out_at is None
    message = alert(ramu, "after-start")
    assert message.status == "sent"
    assert "ऑर्डर OD-7" in texts(fake_msg91)[-1]


@pytest.mark.parametrize("token", ["guess", "", TOKEN.upper()])
def test_a_forward_without_our_token_is_refused_and_changes_nothing(
    ramu: Producer, fake_msg91: FakeMsg91, token: str
) -> None:
    response = Client().post(
        f"/hooks/msg91/inbound/{token or '-'}/", fake_msg91.inbound_sms(RAMU, "रोकें")
    )
    run_tasks()
    assert response.status_code == 401
    assert not Message.objects.exists()
    assert not WebhookEvent.objects.exists()
    assert not ContactChoice.objects.exists()
    assert fake_msg91.sent == []


def test_without_a_token_configured_every_forward_is_refused(
    ramu: Producer, fake_msg91: FakeMsg91, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.MSG91_INBOUND_TOKEN_SHA256 = ""
    assert forward(fake_msg91.inbound_sms(RAMU, "रोकें")) == 401
    assert not ContactChoice.objects.exists()


def test_an_unknown_number_gets_a_polite_hindi_sms_and_nothing_is_kept(
    ramu: Producer, fake_msg91: FakeMsg91
) -> None:
    assert forward(fake_msg91.inbound_sms(STRANGER, "रोकें")) == 200
    run_tasks()
    [sent] = fake_msg91.sent
    assert sent["to"] == STRANGER[2:]
    assert sent["message"].startswith("नमस्ते। यह नंबर निर्यात में पंजीकृत नहीं है।")
    assert not Message.objects.exists()
    assert not ContactChoice.objects.exists()
    assert STRANGER[2:] not in str(list(WebhookEvent.objects.values()))


def test_a_forward_repeated_by_msg91_is_processed_once(
    ramu: Producer, fake_msg91: FakeMsg91
) -> None:
    fields = fake_msg91.inbound_sms(RAMU, "रोकें")
    assert [forward(fields) for _ in range(3)] == [200, 200, 200]
    run_tasks()
    assert Message.objects.filter(direction="in").count() == 1
    assert texts(fake_msg91) == [STOPPED]
