"""Training fixtures: the invitation's wording (registered with the messaging app: see
INVITATION below), text messages kept in memory, and a NIFT course in Gorakhpur with one session."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest

from niryat.core.models import District, PartnerOrg, User
from niryat.events.actions import do_add_session, do_create_programme
from niryat.events.models import Programme, Session
from niryat.messaging.backends import local
from niryat.messaging.backends.base import Delivery
from niryat.messaging.models import MessageTemplate
from niryat.registry.models import Producer
from tests.registry.factories import register

MEMORY = "niryat.messaging.backends.local.MemoryBackend"
DAY = datetime.date(2026, 12, 14)

# The template row messaging 0004 registers, made again: a flushed test database lost it.
INVITATION = {
    "key": "training_invitation",
    "purpose": "A producer's place in a training, with its date, place and their check-in code.",
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


# The conclaves' templates: the lead registers these rows with the messaging app at merge.
EVENT_TEMPLATES = [
    {
        "key": "event_invitation",
        "purpose": "An invitation to a conclave, exhibition or visit, with the link to answer.",
        "body_en": (
            "Niryat: you are invited to {event} on {date} at {place}. "
            "Will you come? Answer here: {link}"
        ),
        "body_hi": (
            "निर्यात: आपको {event} में आमंत्रित किया गया है, {date} को {place} में। "
            "क्या आप आएँगे? यहाँ उत्तर दें: {link}"
        ),
        "whatsapp_name": "event_invitation",
    },
    {
        "key": "event_reminder",
        "purpose": "A reminder of an event in the next days, with the guest's check-in code.",
        "body_en": (
            "Niryat: a reminder: {event} on {date} at {place}. "
            "Show your check-in code {code} at the entrance."
        ),
        "body_hi": (
            "निर्यात: याद दिला दें: {event}, {date} को {place} में। प्रवेश पर अपना चेक-इन कोड {code} दिखाएँ।"
        ),
        "whatsapp_name": "event_reminder",
    },
    {
        "key": "event_feedback",
        "purpose": "After an event, the link where a guest who came gives feedback.",
        "body_en": "Niryat: thank you for coming to {event}. Tell us how it was: {link}",
        "body_hi": "निर्यात: {event} में आने के लिए धन्यवाद। बताइए कैसा रहा: {link}",
        "whatsapp_name": "event_feedback",
    },
]


@pytest.fixture(autouse=True)
def invitation_template(db) -> MessageTemplate:  # type: ignore[no-untyped-def]
    for row in EVENT_TEMPLATES:
        MessageTemplate.objects.update_or_create(
            key=row["key"], defaults={k: v for k, v in row.items() if k != "key"}
        )
    template, _ = MessageTemplate.objects.update_or_create(
        key=INVITATION["key"], defaults={k: v for k, v in INVITATION.items() if k != "key"}
    )
    return template


@pytest.fixture(autouse=True)
def outbox(settings) -> Iterator[list[Delivery]]:  # type: ignore[no-untyped-def]
    settings.MESSAGING_BACKENDS = {"sms": MEMORY, "whatsapp": MEMORY, "email": MEMORY}
    settings.MESSAGING_QUIET_HOURS = (0, 0)
    local.outbox.clear()
    yield local.outbox
    local.outbox.clear()


@pytest.fixture
def nift(gorakhpur: District, ganesh: User) -> Programme:
    partner, _ = PartnerOrg.objects.get_or_create(
        code="nift",
        defaults={
            "name_en": "NIFT Raebareli",
            "name_hi": "निफ्ट रायबरेली",
            "kind": PartnerOrg.Kind.TRAINING,
        },
    )
    return do_create_programme(
        gorakhpur,
        {
            "kind": Programme.Kind.NIFT_COURSE,
            "title": "Terracotta design course",
            "partner": partner,
            "scheme": "ODOP training and toolkit scheme",
            "eligibility": "Terracotta artisans of the district",
            "capacity": 3,
        },
        acting_user=ganesh,
    )


@pytest.fixture
def session(nift: Programme, ganesh: User) -> Session:
    return do_add_session(
        nift,
        {"date": DAY, "venue": "EDC hall, Gorakhpur", "trainers": "R. Verma", "topics": "Glazes"},
        acting_user=ganesh,
    )


def artisans(district: District, user: User, n: int) -> list[Producer]:
    return [
        register(
            district,
            user,
            name_hi=f"कारीगर {index}",
            name_latin=f"Karigar {index}",
            mobile=f"+9198390{index:05d}",
        )
        for index in range(1, n + 1)
    ]
