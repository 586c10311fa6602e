"""Certificate of origin application data: non-preferential for every order, and the
preferential form's boxes and origin criteria where an agreement with the destination applies."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from niryat.core.models import User
from niryat.exportdesk.actions import (
    LineInput,
    do_create_export_order,
    do_issue_document,
    do_update_readiness_item,
)
from niryat.exportdesk.origin import agreements_for, origin_application
from niryat.registry.models import Producer
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def order_to(country: str, producer: Producer, user: User, hs_code: str = "69139000"):  # type: ignore[no-untyped-def]
    return do_create_export_order(
        producer,
        buyer={"name": "Seoul Craft Ltd", "country": country, "address": "Jongno-gu, Seoul"},
        order={
            "incoterm": "FOB",
            "currency": "USD",
            "exchange_rate": Decimal("80"),
            "igst_paid": True,
            "igst_rate": Decimal(12),
            "gross_weight_kg": Decimal("12.5"),
        },
        lines=[LineInput("Terracotta horse, 30 cm", hs_code, 10, Decimal("25.00"))],
        acting_user=user,
    )


def test_a_korean_order_gets_the_cepa_form_and_the_application_data(
    ramu: Producer, ganesh: User
) -> None:
    do_update_readiness_item(ramu, "iec", status="done", reference="ABCPE1234F", acting_user=ganesh)
    ramu.refresh_from_db()
    order = order_to("KR", ramu, ganesh)
    invoice = do_issue_document(order, "invoice", on=datetime.date(2026, 12, 7), acting_user=ganesh)

    application = origin_application(order)

    assert application.problems == []
    fields = dict(application.fields)
    assert fields["Exporter's IEC"] == "ABCPE1234F"
    assert fields["Country of origin of the goods"] == "India"
    assert fields["Value (FOB)"] == "250.00 USD"
    assert fields["FOB value in rupees"] == "20000.00"
    assert fields["Invoice number and date"].startswith(invoice.number)
    assert application.lines == [
        {"n": 1, "description": "10 × Terracotta horse, 30 cm", "hs6": "691390", "hs8": "69139000"}
    ]
    [cepa] = application.agreements
    assert cepa.name.startswith("India-Korea")
    assert cepa.verified
    assert "10 Origin criterion" in cepa.boxes
    page = client_for(ganesh).get(f"/export/orders/{order.uuid}/origin/").content.decode()
    assert "India-Korea Comprehensive Economic Partnership Agreement" in page
    assert "691390" in page


def test_without_invoice_or_hs_code_the_reasons_are_given(ramu: Producer, ganesh: User) -> None:
    order = order_to("US", ramu, ganesh, hs_code="")
    application = origin_application(order)
    assert application.problems == [
        "Line 1 (Terracotta horse, 30 cm) has no HS code.",
        "Issue the commercial invoice first: the certificate names it.",
    ]
    assert application.agreements == []
    ganesh.language = "hi"
    ganesh.save(update_fields=["language"])
    page = client_for(ganesh).get(f"/export/orders/{order.uuid}/origin/").content.decode()
    assert "गैर-वरीयता" in page


def test_an_agreement_on_one_source_is_to_verify() -> None:
    [cecpa] = agreements_for("MU")
    assert not cecpa.verified
