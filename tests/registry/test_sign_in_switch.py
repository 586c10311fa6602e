"""Staff turn a producer's own sign-in on and off from the producer's page; the producer gets the
address by SMS, in Hindi. A merged-away producer's address leads to the record that was kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import translation

from niryat.core.models import AuditEntry, Role, User
from niryat.messaging.backends import local
from niryat.messaging.backends.base import Backend, Delivery, ProviderError
from niryat.registry import otp
from niryat.registry.actions import (
    do_disable_producer_sign_in,
    do_enable_producer_sign_in,
    do_merge_producers,
)
from niryat.registry.models import MergedProducer, Producer
from tests.conftest import client_for, hindi
from tests.registry.factories import register

HINDI_ADDRESS_SMS = (
    "निर्यात: अब आप अपने फ़ोन पर अपने ऑर्डर और उत्पाद देख सकते हैं। {address} खोलें और इसी "
    "मोबाइल नंबर से साइन इन करें।"
)


class FailingBackend(Backend):
    def send(self, delivery: Delivery) -> str:
        raise ProviderError("gateway down")


@pytest.fixture(autouse=True)
def outbox(settings) -> Iterator[list[Delivery]]:  # type: ignore[no-untyped-def]
    settings.MESSAGING_BACKENDS = {
        **settings.MESSAGING_BACKENDS,
        "sms": "niryat.messaging.backends.local.MemoryBackend",
    }
    settings.SITE_URL = "https://niryat.example.org/"
    local.outbox.clear()
    yield local.outbox
    local.outbox.clear()


def switch(producer: Producer) -> str:
    return reverse("producer_sign_in_switch", args=[producer.uuid])


def test_staff_turn_sign_in_on_and_the_producer_gets_the_address_in_hindi(
    ganesh: User, ramu: Producer, outbox: list[Delivery]
) -> None:
    client = client_for(ganesh)
    page = client.get(f"/producers/{ramu.uuid}/").content.decode()
    assert "Sign-in is off" in page
    assert "Turn their sign-in on and send them an SMS" in page

    response = client.post(switch(ramu), {"sign_in": "on"})

    assert response.status_code == 302
    ramu.refresh_from_db()
    assert ramu.user is not None
    assert ramu.user.role == Role.PRODUCER
    assert ramu.user.is_active
    address = "https://niryat.example.org/producer/sign-in/"
    assert [(m.to, m.text) for m in outbox] == [
        ("+919839012345", HINDI_ADDRESS_SMS.format(address=address))
    ]
    page = client.get(f"/producers/{ramu.uuid}/").content.decode()
    assert "can now sign in with their mobile number. They got an SMS with the address." in page
    assert "Sign-in is on" in page
    assert f"They sign in at {address} with their mobile number" in page
    assert "Sign-in enabled" in page  # the audit trail
    # The sign-in code now reaches him.
    assert otp.producer_user_for("+919839012345") == ramu.user


def test_the_sms_is_in_hindi_even_when_staff_read_english(
    ganesh: User, ramu: Producer, outbox: list[Delivery]
) -> None:
    with translation.override("en"):
        client_for(ganesh).post(switch(ramu), {"sign_in": "on"})
    assert "अब आप अपने फ़ोन पर अपने ऑर्डर" in outbox[0].text


def test_turning_sign_in_off_deactivates_the_user_and_on_again_brings_it_back(
    ganesh: User, ramu: Producer, outbox: list[Delivery]
) -> None:
    client = client_for(ganesh)
    client.post(switch(ramu), {"sign_in": "on"})
    ramu.refresh_from_db()
    user = ramu.user
    assert user is not None

    client.post(switch(ramu), {"sign_in": "off"})

    user.refresh_from_db()
    assert user.is_active is False
    assert otp.producer_user_for("+919839012345") is None
    page = client.get(f"/producers/{ramu.uuid}/").content.decode()
    assert "can no longer sign in." in page
    assert "Sign-in is off" in page
    assert AuditEntry.objects.filter(action="producer.disable_sign_in").count() == 1

    client.post(switch(ramu), {"sign_in": "on"})

    user.refresh_from_db()
    ramu.refresh_from_db()
    assert user.is_active is True
    assert ramu.user == user  # the same account, with its language
    assert len(outbox) == 2
    assert AuditEntry.objects.filter(action="producer.enable_sign_in").count() == 2


def test_turning_on_a_sign_in_already_on_sends_no_second_sms(
    ganesh: User, ramu: Producer, outbox: list[Delivery]
) -> None:
    client = client_for(ganesh)
    client.post(switch(ramu), {"sign_in": "on"})
    client.post(switch(ramu), {"sign_in": "on"})
    assert len(outbox) == 1
    assert AuditEntry.objects.filter(action="producer.enable_sign_in").count() == 1


def test_disabling_a_sign_in_that_is_off_records_nothing(ganesh: User, ramu: Producer) -> None:
    do_disable_producer_sign_in(ramu, acting_user=ganesh)
    assert not AuditEntry.objects.filter(action="producer.disable_sign_in").exists()


def test_a_failed_sms_leaves_sign_in_on_and_tells_staff_the_address(
    ganesh: User,
    ramu: Producer,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.MESSAGING_BACKENDS = {
        **settings.MESSAGING_BACKENDS,
        "sms": f"{__name__}.FailingBackend",
    }
    client = client_for(ganesh)
    response = client.post(switch(ramu), {"sign_in": "on"}, follow=True)
    page = response.content.decode()
    assert "but the SMS could not be sent. Tell them to open" in page
    assert "https://niryat.example.org/producer/sign-in/" in page
    ramu.refresh_from_db()
    assert ramu.user is not None
    assert ramu.user.is_active


def test_without_a_mobile_number_there_is_no_button_and_a_post_says_why(
    ganesh: User,
    gorakhpur,
    outbox: list[Delivery],  # type: ignore[no-untyped-def]
) -> None:
    nomobile = register(gorakhpur, ganesh, name_hi="सीता देवी", mobile="")
    client = client_for(ganesh)
    page = client.get(f"/producers/{nomobile.uuid}/").content.decode()
    assert "Turn their sign-in on" not in page
    assert "Add their mobile number first: they sign in with it." in page
    page = client.post(switch(nomobile), {"sign_in": "on"}, follow=True).content.decode()
    assert "Add the producer&#x27;s mobile number first" in page
    nomobile.refresh_from_db()
    assert nomobile.user is None
    assert outbox == []


def test_only_staff_of_the_district_may_switch_sign_in(
    gita: User, vani: User, ramu: Producer, outbox: list[Delivery]
) -> None:
    assert client_for(gita).post(switch(ramu), {"sign_in": "on"}).status_code == 403
    assert client_for(vani).post(switch(ramu), {"sign_in": "on"}).status_code == 404
    page = client_for(gita).get(f"/producers/{ramu.uuid}/").content.decode()
    assert "Sign-in is off" in page
    assert "Turn their sign-in on" not in page
    ramu.refresh_from_db()
    assert ramu.user is None
    assert outbox == []


def test_a_merged_away_producers_address_leads_to_the_kept_record(
    ganesh: User,
    vani: User,
    gorakhpur,  # type: ignore[no-untyped-def]
) -> None:
    kept = register(gorakhpur, ganesh, name_hi="रामू प्रजापति", mobile="+919839012345")
    twin = register(gorakhpur, ganesh, name_hi="रामू प्रजापति", pin="273002")
    older = register(gorakhpur, ganesh, name_hi="रामू प्रजापती", pin="273003")
    twin_uuid, older_uuid = twin.uuid, older.uuid
    # older was merged into twin first, then twin into kept: both addresses lead to kept.
    do_merge_producers(twin, older, acting_user=ganesh)
    do_merge_producers(kept, twin, acting_user=ganesh)

    client = client_for(ganesh)
    for gone in (twin_uuid, older_uuid):
        response = client.get(f"/producers/{gone}/")
        assert response.status_code == 302
        assert response["Location"] == f"/producers/{kept.uuid}/"
    assert set(MergedProducer.objects.values_list("merged_uuid", flat=True)) == {
        twin_uuid,
        older_uuid,
    }
    # Another district's staff learn nothing from the address.
    assert client_for(vani).get(f"/producers/{twin_uuid}/").status_code == 404


def test_enable_action_reactivates_a_disabled_user(ganesh: User, ramu: Producer) -> None:
    user = do_enable_producer_sign_in(ramu, acting_user=ganesh)
    do_disable_producer_sign_in(ramu, acting_user=ganesh)
    again = do_enable_producer_sign_in(ramu, acting_user=ganesh)
    assert again.pk == user.pk
    assert User.objects.get(pk=user.pk).is_active is True


def test_a_sign_in_made_under_another_name_greets_the_producer_by_their_record(
    ganesh: User, ramu: Producer, prem: User
) -> None:
    # Prem's sign-in (full name "प्रेम कुमार") is linked to Ramu's record, as the demo links its
    # producer account.
    do_enable_producer_sign_in(ramu, user=prem, acting_user=ganesh)

    with translation.override("hi"):
        page = client_for(prem).get("/").content.decode()

    greeting = page.split("<h1>")[1].split("</h1>")[0]
    assert greeting == hindi("Namaste, %(name)s") % {"name": "रामू प्रजापति"}
