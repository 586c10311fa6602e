"""Buyers' enquiries: the form, the producer's Hindi message, the staff's list and follow-up, and
what keeps spam out (a rate limit per address, a honeypot)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from niryat.catalog.models import Product
from niryat.core.models import AuditEntry, User
from niryat.messaging.backends.base import Delivery
from niryat.showcase.models import Enquiry
from tests.catalog.factories import run_tasks
from tests.conftest import client_for, hindi

pytestmark = pytest.mark.django_db

ENQUIRY = {
    "name": "Anna Schmidt",
    "company": "Haus & Garten GmbH",
    "email": "anna@example.com",
    "phone": "+49 30 1234567",
    "country": "DE",
    "quantity": "200",
    "message": "Can you make 200 horses in blue glaze?",
    "website": "",
}


def send(client: Client, product: Product, **changes: Any) -> Any:
    return client.post(f"/showcase/products/{product.uuid}/enquire/", {**ENQUIRY, **changes})


def test_enquiry_reaches_the_centre_and_the_producer_in_hindi(
    horse: Product,
    ganesh: User,
    outbox: list[Delivery],
    django_capture_on_commit_callbacks: Any,
) -> None:
    # when a buyer sends an enquiry from the product page
    with django_capture_on_commit_callbacks(execute=True):
        response = send(Client(), horse)
    assert response.status_code == 302
    assert response["Location"] == "/showcase/enquiry-sent/"
    # then the centre has it
    enquiry = Enquiry.objects.get()
    assert (enquiry.name, enquiry.country, enquiry.quantity) == ("Anna Schmidt", "DE", 200)
    assert enquiry.producer == horse.producer
    assert enquiry.status == Enquiry.Status.NEW
    assert AuditEntry.objects.filter(action="showcase.enquiry").count() == 1
    # and the producer is told in Hindi by SMS
    run_tasks()
    assert len(outbox) == 1
    assert outbox[0].to == "+919839012345"
    assert outbox[0].text == (
        "निर्यात: एक खरीदार ने Germany के लिए टेराकोटा घोड़ा की 200 नग की पूछताछ की है। "
        "निर्यात केन्द्र आपको फ़ोन करेगा।"
    )


def test_staff_see_answer_and_follow_the_enquiry(horse: Product, ganesh: User) -> None:
    send(Client(), horse)
    enquiry = Enquiry.objects.get()
    staff = client_for(ganesh)
    listing = staff.get("/showcase/enquiries/").content.decode()
    assert "Anna Schmidt" in listing
    assert "Haus &amp; Garten GmbH" in listing
    response = staff.post(
        f"/showcase/enquiries/{enquiry.uuid}/",
        {"status": "sample", "answer": "Sample sent by India Post, EE123456789IN"},
    )
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.SAMPLE
    assert enquiry.answer == "Sample sent by India Post, EE123456789IN"
    assert enquiry.answered_by == ganesh
    assert "sample sent" in staff.get(f"/showcase/enquiries/{enquiry.uuid}/").content.decode()
    filtered = staff.get("/showcase/enquiries/?status=order").content.decode()
    assert "Anna Schmidt" not in filtered


def test_staff_page_in_hindi(horse: Product, ganesh: User) -> None:
    send(Client(), horse)
    page = client_for(ganesh, **{"accept-language": "hi"}).get("/showcase/enquiries/")
    assert hindi("Buyers' enquiries") in page.content.decode()


def test_another_districts_staff_and_producers_see_nothing(
    horse: Product, vani: User, prem: User
) -> None:
    send(Client(), horse)
    enquiry = Enquiry.objects.get()
    assert "Anna" not in client_for(vani).get("/showcase/enquiries/").content.decode()
    assert client_for(vani).get(f"/showcase/enquiries/{enquiry.uuid}/").status_code == 404
    response = client_for(vani).post(
        f"/showcase/enquiries/{enquiry.uuid}/", {"status": "order", "answer": "x"}
    )
    assert response.status_code in (403, 404)
    assert client_for(prem).get("/showcase/enquiries/").status_code == 403
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.NEW


def test_signed_out_visitors_cannot_open_the_staff_pages(horse: Product) -> None:
    response = Client().get("/showcase/enquiries/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_honeypot_filled_is_thanked_and_nothing_is_kept(
    horse: Product, outbox: list[Delivery]
) -> None:
    response = send(Client(), horse, website="http://spam.example")
    assert response.status_code == 302
    run_tasks()
    assert Enquiry.objects.count() == 0
    assert outbox == []


def test_too_many_enquiries_from_one_address_are_refused_clearly(
    horse: Product, settings: Any
) -> None:
    settings.SHOWCASE_ENQUIRIES_PER_HOUR = 3
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        assert send(client, horse).status_code == 302
    response = send(client, horse)
    assert response.status_code == 429
    assert "Too many enquiries from your connection" in response.content.decode()
    # the form keeps what the buyer typed
    assert "Can you make 200 horses in blue glaze?" in response.content.decode()
    assert Enquiry.objects.count() == 3
    # another address is not held back
    assert send(Client(REMOTE_ADDR="198.51.100.7"), horse).status_code == 302
    # the addresses themselves are never stored
    assert not Enquiry.objects.filter(address_hash__contains="203.0.113.9").exists()


def test_rate_limit_message_in_hindi(horse: Product, settings: Any) -> None:
    settings.SHOWCASE_ENQUIRIES_PER_HOUR = 0
    response = send(Client(headers={"accept-language": "hi"}), horse)
    assert response.status_code == 429
    assert (
        hindi(
            "Too many enquiries from your connection in the last hour. Please try again later, "
            "or write to the centre."
        )
        in response.content.decode()
    )


def test_scripts_in_fields_are_escaped_for_staff(horse: Product, ganesh: User) -> None:
    send(
        Client(), horse, name="<script>alert('x')</script>", message="<img src=x onerror=alert(1)>"
    )
    page = client_for(ganesh).get("/showcase/enquiries/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page
    enquiry = Enquiry.objects.get()
    detail = client_for(ganesh).get(f"/showcase/enquiries/{enquiry.uuid}/").content.decode()
    assert "<img src=x" not in detail


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "99999999999999999999"}, "quantity"),
        ({"country": "XX"}, "country"),
        ({"email": "not-an-email"}, "email"),
        ({"name": ""}, "name"),
        ({"message": "x" * 5000}, "message"),
    ],
)
def test_bad_enquiries_are_refused_and_nothing_is_lost(
    horse: Product, changes: dict[str, str], field: str
) -> None:
    response = send(Client(), horse, **changes)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert Enquiry.objects.count() == 0
    # what was typed is still in the form
    assert "Anna Schmidt" in response.content.decode() or field == "name"


def test_enquiry_form_in_hindi(horse: Product) -> None:
    html = (
        Client(headers={"accept-language": "hi"})
        .get(f"/showcase/products/{horse.uuid}/enquire/")
        .content.decode()
    )
    assert hindi("Destination country") in html
    assert hindi("Send the enquiry") in html
