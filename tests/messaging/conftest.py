"""Messaging fixtures: the fake MSG91 and WhatsApp on loopback (one server each per session,
reset before each test, settings pointed at them), the templates registered under DLT as the
state would enter them, and Ramu with a product."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.msg91 import AUTH_KEY, FakeMsg91
from fakes.whatsapp import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, FakeWhatsApp
from niryat.catalog.models import Product
from niryat.core.models import Centre, District, User
from niryat.messaging import dlt
from niryat.messaging.backends import local
from niryat.messaging.backends.base import Delivery
from niryat.messaging.models import MessageTemplate
from niryat.registry.models import Producer
from tests.catalog.factories import make_product

ENTITY = "1101456780000012345"
HEADER = "NIRYAT"
VERIFY_TOKEN = "niryat-verify-7"
MSG91_TOKEN = "dlr-token-3"
SMS = "niryat.messaging.backends.msg91.Msg91Backend"
WHATSAPP = "niryat.messaging.backends.whatsapp.WhatsAppBackend"
MEMORY = "niryat.messaging.backends.local.MemoryBackend"


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://niryat.example.org"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def messaging_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MESSAGING_BACKENDS = {"sms": MEMORY, "whatsapp": MEMORY, "email": MEMORY}
    settings.MESSAGING_QUIET_HOURS = (0, 0)
    settings.MESSAGING_RETRY_SECONDS = 0.01
    settings.MESSAGING_RETRY_CAP_SECONDS = 0.02
    settings.CHANNEL_HTTP_TIMEOUT = 1.0
    settings.WHATSAPP_APP_SECRET = APP_SECRET
    settings.WHATSAPP_VERIFY_TOKEN = VERIFY_TOKEN
    settings.WHATSAPP_ACCESS_TOKEN = ACCESS_TOKEN
    settings.WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID
    settings.MSG91_AUTH_KEY = AUTH_KEY
    settings.MSG91_WEBHOOK_TOKEN = MSG91_TOKEN


@pytest.fixture(autouse=True)
def outbox() -> Iterator[list[Delivery]]:
    local.outbox.clear()
    yield local.outbox
    local.outbox.clear()


@pytest.fixture(scope="session")
def msg91_server() -> Iterator[FakeMsg91]:
    fake = FakeMsg91()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def whatsapp_server() -> Iterator[FakeWhatsApp]:
    fake = FakeWhatsApp()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def registered(db) -> dict[str, MessageTemplate]:  # type: ignore[no-untyped-def]
    """Every template with its DLT ids, as the state enters them after registering."""
    templates = {}
    for number, template in enumerate(MessageTemplate.objects.all(), 1):
        template.dlt_entity_id = ENTITY
        template.dlt_header = HEADER
        template.dlt_template_id_hi = f"11071600000000{number:05d}"
        template.dlt_template_id_en = f"11071600000001{number:05d}"
        template.save()
        templates[template.key] = template
    return templates


@pytest.fixture
def fake_msg91(msg91_server: FakeMsg91, settings, registered) -> FakeMsg91:  # type: ignore[no-untyped-def]
    msg91_server.reset()
    settings.MSG91_API_URL = msg91_server.url
    settings.MESSAGING_BACKENDS = {**settings.MESSAGING_BACKENDS, "sms": SMS}
    for template in registered.values():
        for language in ("hi", "en"):
            msg91_server.register_dlt(
                template.dlt_template_id(language), HEADER, dlt.dlt_wording(template.body(language))
            )
    return msg91_server


@pytest.fixture
def fake_whatsapp(whatsapp_server: FakeWhatsApp, settings) -> FakeWhatsApp:  # type: ignore[no-untyped-def]
    whatsapp_server.reset()
    settings.WHATSAPP_API_URL = whatsapp_server.url
    settings.MESSAGING_BACKENDS = {**settings.MESSAGING_BACKENDS, "whatsapp": WHATSAPP}
    return whatsapp_server


@pytest.fixture
def centre(gorakhpur: District) -> Centre:
    centre, _ = Centre.objects.update_or_create(
        district=gorakhpur,
        defaults={
            "name_en": "EDC Gorakhpur",
            "name_hi": "निर्यात विकास केन्द्र गोरखपुर",
            "phone": "0551-2200123",
        },
    )
    return centre


@pytest.fixture
def horse(ramu: Producer, ganesh: User) -> Product:
    return make_product(ramu, ganesh)
