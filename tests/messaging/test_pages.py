"""The staff pages: templates (read by staff, edited by the state only), a producer's messages
and channels, and the latest messages on the producer's page."""

from __future__ import annotations

import pytest

from niryat.core.messaging import Outgoing, gateway
from niryat.core.models import AuditEntry, User
from niryat.messaging.models import ContactChoice, Message, MessageTemplate
from niryat.registry.models import Producer
from tests.catalog.factories import run_tasks
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

TEMPLATES = "/messages/templates/"


def test_staff_read_the_templates_with_their_dlt_wording(ganesh: User) -> None:
    page = client_for(ganesh).get(TEMPLATES).content.decode()
    assert "{#var#} पर नया ऑर्डर: {#var#}। ऑर्डर {#var#}। {#var#} तक पैक करें।" in page
    assert "/messages/templates/order_alert/" not in page  # no edit link for centre staff
    assert "A new marketplace order with its pack-by date." in page
    # what each template is for, in the reader's language
    ganesh.language = "hi"
    ganesh.save(update_fields=["language"])
    page = client_for(ganesh).get(TEMPLATES).content.decode()
    assert "ई-मार्केटप्लेस का नया ऑर्डर, पैक करने की अंतिम तिथि के साथ।" in page


def test_only_the_state_admin_edits_a_template(alice: User, ganesh: User) -> None:
    edit = "/messages/templates/order_alert/"
    values = {
        "purpose": "A new order",
        "body_hi": "{channel} पर नया ऑर्डर: {items}। ऑर्डर {order}। {date} तक पैक करें।",
        "body_en": "New order on {channel}: {items}. Order {order}. Pack by {date}.",
        "dlt_entity_id": "1101456780000012345",
        "dlt_header": "NIRYAT",
        "dlt_template_id_hi": "1107160000000099999",
        "dlt_template_id_en": "1107160000000099998",
        "whatsapp_name": "order_alert",
    }
    # centre staff may not, and nothing changes
    assert client_for(ganesh).post(edit, values).status_code == 403
    assert MessageTemplate.objects.get(key="order_alert").dlt_template_id_hi == ""
    # the state admin saves, and the change is audited
    assert client_for(alice).post(edit, values)["Location"] == TEMPLATES
    template = MessageTemplate.objects.get(key="order_alert")
    assert (template.dlt_template_id_hi, template.updated_by) == ("1107160000000099999", alice)
    assert AuditEntry.objects.filter(action="message_template.edit").count() == 1


def test_a_template_must_keep_its_variables(alice: User) -> None:
    response = client_for(alice).post(
        "/messages/templates/order_alert/",
        {
            "purpose": "A new order",
            "body_hi": "नया ऑर्डर {order}।",
            "body_en": "New order {order}.",
        },
    )
    assert response.status_code == 200
    assert "The variables must stay as they are" in response.content.decode()
    assert MessageTemplate.objects.get(key="order_alert").body_en.startswith("New order on")


def test_the_producer_page_shows_their_latest_messages(ramu: Producer, ganesh: User) -> None:
    gateway().send(
        Outgoing(
            template="order_alert",
            key="a",
            variables={"channel": "eBay", "items": "घोड़ा × 1", "order": "E-5", "date": "कल"},
            producer_id=ramu.pk,
        )
    )
    run_tasks()
    page = client_for(ganesh).get(f"/producers/{ramu.uuid}/").content.decode()
    assert "eBay पर नया ऑर्डर: घोड़ा × 1। ऑर्डर E-5।" in page
    assert f"/producers/{ramu.uuid}/messages/" in page


def test_staff_record_a_whatsapp_number_the_producer_agreed_to(
    ramu: Producer, ganesh: User, vani: User
) -> None:
    url = f"/producers/{ramu.uuid}/messages/"
    data = {"channel": "whatsapp", "address": "098390 12345", "agreed": "on"}
    # another district's staff cannot even see the page
    assert client_for(vani).post(url, data).status_code == 404
    assert client_for(ganesh).post(url, data)["Location"] == url
    choice = ContactChoice.objects.get(producer=ramu)
    assert (choice.channel, choice.address, choice.agreed) == ("whatsapp", "+919839012345", True)
    page = client_for(ganesh).get(url).content.decode()
    assert "+919839012345" in page


def test_a_wrong_number_is_refused_on_the_page(ramu: Producer, ganesh: User) -> None:
    url = f"/producers/{ramu.uuid}/messages/"
    response = client_for(ganesh).post(url, {"channel": "sms", "address": "12345", "agreed": "on"})
    assert response.status_code == 200
    assert "is not a valid mobile number" in response.content.decode()
    assert not ContactChoice.objects.exists()
    assert not Message.objects.exists()
