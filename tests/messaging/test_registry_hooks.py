"""What the registry's decisions about a producer do to their messages: erasure deletes them,
a merge moves them (and keeps a STOP from either record), the data export lists them."""

from __future__ import annotations

import pytest

from niryat.core.messaging import Outgoing, gateway
from niryat.core.models import District, User
from niryat.messaging.actions import do_set_contact_choice
from niryat.messaging.models import ContactChoice, Message
from niryat.registry.actions import do_erase_producer, do_merge_producers
from niryat.registry.models import Producer
from niryat.registry.personal_data import held_data
from tests.catalog.factories import run_tasks
from tests.registry.factories import register

pytestmark = pytest.mark.django_db

ALERT = {"channel": "eBay", "items": "घोड़ा × 1", "order": "E-1", "date": "कल"}


def alert(producer: Producer, key: str) -> None:
    gateway().send(
        Outgoing(template="order_alert", key=key, variables=ALERT, producer_id=producer.pk)
    )


def test_erasure_deletes_their_messages_and_channels(ramu: Producer, ganesh: User) -> None:
    do_set_contact_choice(ramu, "whatsapp", address="9839012345", agreed=True, acting_user=ganesh)
    alert(ramu, "a")
    run_tasks()
    do_erase_producer(ramu, acting_user=ganesh)
    assert not Message.objects.exists()
    assert not ContactChoice.objects.exists()


def test_a_merge_moves_the_log_and_keeps_a_stop_from_either_record(
    ramu: Producer, ganesh: User, gorakhpur: District
) -> None:
    twin = register(gorakhpur, ganesh, name_hi="रामू प्रजापति", mobile="+919839012346")
    do_set_contact_choice(ramu, "whatsapp", address="9839012345", agreed=True, acting_user=ganesh)
    do_set_contact_choice(twin, "whatsapp", address="9839012346", agreed=False, acting_user=ganesh)
    do_set_contact_choice(
        twin, "email", address="ramu@example.org", agreed=True, acting_user=ganesh
    )
    alert(twin, "twin-alert")
    do_merge_producers(ramu, twin, acting_user=ganesh)
    assert Message.objects.get(key="twin-alert").producer == ramu
    choices = {c.channel: c for c in ContactChoice.objects.filter(producer=ramu)}
    assert set(choices) == {"whatsapp", "email"}
    assert choices["whatsapp"].opted_out_at is not None  # the twin's refusal stands
    assert choices["whatsapp"].address == "+919839012345"


def test_the_data_export_lists_their_channels_and_messages(ramu: Producer, ganesh: User) -> None:
    do_set_contact_choice(ramu, "whatsapp", address="9839012345", agreed=True, acting_user=ganesh)
    alert(ramu, "a")
    sections = {section.key: section.rows for section in held_data(ramu)}
    assert sections["message_channels"] == [
        {"channel": "whatsapp", "address": "+919839012345", "agreed": True, "opted_out_at": ""}
    ]
    [row] = sections["messages"]
    assert (row["channel"], row["status"], row["text"]) == (
        "whatsapp",
        "queued",
        "eBay पर नया ऑर्डर: घोड़ा × 1। ऑर्डर E-1। कल तक पैक करें।",
    )
