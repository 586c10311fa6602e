"""Amending an order (a new invoice version, the first kept), CN 22 against CN 23 by value at the
dated SDR rate, reference exchange rates entered and imported, and parcel status through to
delivered, entered and imported. Every refusal leaves nothing half-done and uses no number."""

from __future__ import annotations

import datetime
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from niryat.core.models import AuditEntry, User
from niryat.exportdesk.actions import (
    LineInput,
    do_amend_export_order,
    do_create_export_order,
    do_import_parcel_statuses,
    do_import_reference_rates,
    do_issue_document,
    do_record_reference_rate,
    do_record_shipment,
    do_update_parcel_status,
    do_update_readiness_item,
)
from niryat.exportdesk.documents import postal_declaration
from niryat.exportdesk.models import (
    Document,
    DocumentCounter,
    ExportOrder,
    ReferenceRate,
    Shipment,
)
from niryat.registry.models import Producer
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 12, 7)
SOURCE = "CBIC Notification 80/2026-Customs (N.T.), 04.12.2026"
SDR_SOURCE = "IMF SDR valuation, 04.12.2026"


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: ON)
    return ON


@pytest.fixture
def exporter(ramu: Producer, ganesh: User) -> Producer:
    do_update_readiness_item(ramu, "iec", status="done", reference="ABCPE1234F", acting_user=ganesh)
    do_update_readiness_item(
        ramu,
        "lut",
        status="done",
        reference="AD090426001234X",
        valid_from=datetime.date(2026, 4, 1),
        acting_user=ganesh,
    )
    ramu.refresh_from_db()
    return ramu


@pytest.fixture
def sdr(ganesh: User) -> ReferenceRate:
    # 1 SDR = ₹120.0000: 300 SDR = ₹36,000.
    return do_record_reference_rate(
        "XDR",
        on=datetime.date(2026, 12, 1),
        inr_per_unit=Decimal("120"),
        source=SDR_SOURCE,
        acting_user=ganesh,
    )


def order_of(producer: Producer, user: User, quantity: int, **values: object) -> ExportOrder:
    order = {"incoterm": "FOB", "currency": "USD", "exchange_rate": Decimal("80.0000")}
    order.update(values)
    return do_create_export_order(
        producer,
        buyer={"name": "Hudson Home Goods", "country": "US"},
        order=order,
        lines=[
            LineInput("Terracotta horse, 30 cm", "69139000", quantity, Decimal("25.00"), Decimal(1))
        ],
        acting_user=user,
    )


# --- amending -------------------------------------------------------------------------------


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)")
def test_an_amended_order_gives_a_second_invoice_version_and_the_first_stays(
    exporter: Producer, ganesh: User, media: Path
) -> None:
    order = order_of(exporter, ganesh, 10)
    first = do_issue_document(order, "invoice", acting_user=ganesh)

    do_amend_export_order(
        order,
        buyer={"name": "Hudson Home Goods", "country": "US"},
        order={"incoterm": "CIF", "currency": "USD", "exchange_rate": Decimal("80.0000")},
        lines=[LineInput("Terracotta horse, 30 cm", "69139000", 12, Decimal("25.00"))],
        acting_user=ganesh,
    )
    second = do_issue_document(order, "invoice", acting_user=ganesh)

    assert (second.number, second.version) == (first.number, 2)
    old, new = pdf_text(media / first.pdf.name), pdf_text(media / second.pdf.name)
    assert "250.00" in old
    assert "CIF" not in old
    assert "300.00" in new
    assert "CIF" in new
    assert "Version 2 (amended)" in new
    assert AuditEntry.objects.filter(action="exportdesk.order_amended").count() == 1


def test_a_shipped_order_is_not_amended(exporter: Producer, ganesh: User) -> None:
    order = order_of(exporter, ganesh, 10)
    do_record_shipment(
        order, shipped_on=ON, mode="post", tracking_number="EE123456785IN", acting_user=ganesh
    )

    with pytest.raises(ValidationError) as refused:
        do_amend_export_order(
            order,
            buyer={"name": "Hudson Home Goods", "country": "US"},
            order={"incoterm": "FOB", "currency": "USD"},
            lines=[LineInput("Horse", "69139000", 99, Decimal("1.00"))],
            acting_user=ganesh,
        )

    assert refused.value.messages == ["The order has been shipped: it can no longer be amended."]
    assert order.lines.get().quantity == 10


def test_a_bad_amendment_keeps_the_order_as_it_was(exporter: Producer, ganesh: User) -> None:
    order = order_of(exporter, ganesh, 10)
    with pytest.raises(ValidationError):
        do_amend_export_order(
            order,
            buyer={"name": "Hudson Home Goods", "country": "US"},
            order={"incoterm": "FOB", "currency": "USD", "freight": Decimal("999")},
            lines=[LineInput("Horse", "69139000", 1, Decimal("1.00"))],
            acting_user=ganesh,
        )
    order.refresh_from_db()
    assert [(line.description, line.quantity) for line in order.lines.all()] == [
        ("Terracotta horse, 30 cm", 10)
    ]
    assert order.freight == 0


def test_staff_amend_through_the_page_and_other_districts_cannot(
    exporter: Producer, ganesh: User, vani: User
) -> None:
    order = order_of(exporter, ganesh, 10)
    client = client_for(ganesh)
    page = client.get(f"/export/orders/{order.uuid}/edit/")
    assert page.status_code == 200
    assert 'value="Hudson Home Goods"' in page.content.decode()

    amended = client.post(
        f"/export/orders/{order.uuid}/edit/",
        {
            "buyer_name": "Hudson Home Goods",
            "buyer_country": "US",
            "incoterm": "FOB",
            "currency": "USD",
            "exchange_rate": "81.5",
            "packages": "1",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-description": "Terracotta horse, 30 cm",
            "lines-0-hs_code": "69139000",
            "lines-0-quantity": "20",
            "lines-0-unit_price": "25.00",
        },
    )
    assert amended.status_code == 302
    order.refresh_from_db()
    assert order.fob_inr == Decimal("40750.00")  # 500 × 81.5
    assert client_for(vani).get(f"/export/orders/{order.uuid}/edit/").status_code == 404


# --- CN 22 or CN 23 ---------------------------------------------------------------------------


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)")
def test_cn22_up_to_300_sdr(
    exporter: Producer, ganesh: User, sdr: ReferenceRate, media: Path
) -> None:
    order = order_of(exporter, ganesh, 18)  # 450 USD × 80 = ₹36,000 = 300 SDR exactly
    assert postal_declaration(order, ON) == "cn22"

    cn22 = do_issue_document(order, "cn22", acting_user=ganesh)

    text = pdf_text(media / cn22.pdf.name)
    assert cn22.number == "148/CN22/2026-27/0001"
    assert "CN 22" in text
    assert "69139000" in text
    assert "450.00" in text


def test_a_value_over_the_cn22_limit_is_refused_for_cn22(
    exporter: Producer, ganesh: User, sdr: ReferenceRate, media: Path
) -> None:
    order = order_of(exporter, ganesh, 19)  # 475 USD × 80 = ₹38,000 > ₹36,000
    assert postal_declaration(order, ON) == "cn23"

    with pytest.raises(ValidationError) as refused:
        do_issue_document(order, "cn22", acting_user=ganesh)

    assert refused.value.messages == [
        "CN 22 is for contents up to 300 SDR (₹36000.00 on 07.12.2026); this parcel is worth "
        "₹38000.00: issue a CN 23."
    ]
    assert not Document.objects.exists()
    assert not DocumentCounter.objects.filter(last__gt=0).exists()
    assert do_issue_document(order, "cn23", acting_user=ganesh).number.endswith("/0001")


def test_cn22_needs_an_sdr_rate_of_its_date(exporter: Producer, ganesh: User) -> None:
    do_record_reference_rate(
        "XDR",
        on=datetime.date(2026, 12, 8),  # the day after: not in force yet
        inr_per_unit=Decimal("120"),
        source=SDR_SOURCE,
        acting_user=ganesh,
    )
    order = order_of(exporter, ganesh, 1)
    with pytest.raises(ValidationError) as refused:
        do_issue_document(order, "cn22", acting_user=ganesh)
    assert refused.value.messages == [
        "There is no SDR rate for 07.12.2026: record the rupee rate of the SDR (XDR) among the "
        "reference rates."
    ]


def test_the_cn22_refusal_is_shown_in_hindi(
    exporter: Producer, ganesh: User, sdr: ReferenceRate
) -> None:
    order = order_of(exporter, ganesh, 19)
    ganesh.language = "hi"
    ganesh.save(update_fields=["language"])
    page = client_for(ganesh).post(f"/export/orders/{order.uuid}/documents/", {"kind": "cn22"})
    assert page.status_code == 400
    assert "300 SDR" in page.content.decode()
    assert "CN 23 जारी करें" in page.content.decode()
    assert not Document.objects.exists()


# --- reference rates --------------------------------------------------------------------------


def test_an_order_without_a_rate_takes_the_reference_rate_in_force(
    exporter: Producer, ganesh: User
) -> None:
    for on, rate in ((datetime.date(2026, 11, 20), "83.10"), (datetime.date(2026, 12, 4), "84.20")):
        do_record_reference_rate(
            "usd", on=on, inr_per_unit=Decimal(rate), source=SOURCE, acting_user=ganesh
        )
    do_record_reference_rate(
        "USD",
        on=datetime.date(2026, 12, 18),
        inr_per_unit=Decimal("99"),
        source=SOURCE,
        acting_user=ganesh,
    )

    order = order_of(exporter, ganesh, 10, exchange_rate=None)

    assert order.exchange_rate == Decimal("84.2000")
    assert order.fob_inr == Decimal("21050.00")


def test_a_currency_without_a_rate_is_refused_with_the_reason(
    exporter: Producer, ganesh: User
) -> None:
    order = order_of(exporter, ganesh, 10, currency="AED", exchange_rate=None)
    with pytest.raises(ValidationError) as refused:
        do_issue_document(order, "invoice", acting_user=ganesh)
    assert refused.value.messages == [
        "There is no exchange rate for AED: enter the customs notified rate on the order, or "
        "record it among the reference rates."
    ]
    assert not DocumentCounter.objects.filter(last__gt=0).exists()


RATES_CSV = (
    b"Currency,Date,Rate,Source\n"
    b"USD,04.12.2026,84.20,CBIC 80/2026-Cus (NT)\n"
    b"EUR,2026-12-04,97.05,CBIC 80/2026-Cus (NT)\n"
    b"XDR,01.12.2026,120,IMF SDR valuation\n"
)


def test_rates_imported_from_a_list_and_again_changes_nothing(ganesh: User) -> None:
    assert do_import_reference_rates(RATES_CSV, name="rates.csv", acting_user=ganesh) == 3
    assert do_import_reference_rates(RATES_CSV, name="rates.csv", acting_user=ganesh) == 0
    eur = ReferenceRate.objects.get(currency="EUR")
    assert (eur.on, eur.inr_per_unit, eur.source) == (
        datetime.date(2026, 12, 4),
        Decimal("97.0500"),
        "CBIC 80/2026-Cus (NT)",
    )


def test_a_bad_rate_list_imports_nothing_and_names_each_row(ganesh: User) -> None:
    data = (
        "मुद्रा,तारीख,दर,स्रोत\n"
        "USD,04.12.2026,84.20,CBIC\n"
        "US,04.12.2026,84.20,CBIC\n"
        "EUR,31.02.2026,97,CBIC\n"
        "GBP,04.12.2026,-1,CBIC\n"
        "JPY,04.12.2026,0.55,\n"
    ).encode()
    with pytest.raises(ValidationError) as refused:
        do_import_reference_rates(data, name="rates.csv", acting_user=ganesh)
    assert refused.value.messages == [
        "Row 3: The currency is a three-letter code, like USD.",
        "Row 4: 31.02.2026 is not a date; write it like 2026-12-07 or 07.12.2026.",
        "Row 5: -1 is not a rate: give the rupees per unit, like 83.25.",
        "Row 6: Name the source of the rate (the Customs notification).",
    ]
    assert not ReferenceRate.objects.exists()


def test_a_district_officer_cannot_keep_rates(gita: User) -> None:
    with pytest.raises(PermissionDenied):
        do_record_reference_rate(
            "USD", on=ON, inr_per_unit=Decimal(84), source=SOURCE, acting_user=gita
        )
    assert client_for(gita).post("/export/rates/", {"action": "add"}).status_code == 403


def test_staff_enter_and_import_rates_through_the_page(ganesh: User) -> None:
    client = client_for(ganesh)
    saved = client.post(
        "/export/rates/",
        {
            "action": "add",
            "currency": "USD",
            "on": "2026-12-04",
            "inr_per_unit": "84.20",
            "source": SOURCE,
        },
    )
    assert saved.status_code == 302
    page = client.get("/export/rates/").content.decode()
    assert "84.2000" in page
    assert SOURCE in page

    bad = SimpleUploadedFile("rates.csv", b"Currency,Date,Rate,Source\nUSD,x,1,CBIC\n")
    refused = client.post("/export/rates/", {"action": "import", "file": bad})
    assert refused.status_code == 400
    assert "Row 2: x is not a date" in refused.content.decode()


# --- parcel status ----------------------------------------------------------------------------


@pytest.fixture
def parcel(exporter: Producer, ganesh: User) -> Shipment:
    order = order_of(exporter, ganesh, 10)
    return do_record_shipment(
        order,
        shipped_on=datetime.date(2026, 11, 20),
        mode="post",
        tracking_number="EE123456785IN",
        acting_user=ganesh,
    )


def test_staff_follow_a_parcel_to_delivered(parcel: Shipment, ganesh: User) -> None:
    assert parcel.get_status_display() == "Booked"
    client = client_for(ganesh)
    url = f"/export/orders/{parcel.order.uuid}/shipments/{parcel.pk}/status/"
    assert (
        client.post(url, {f"s{parcel.pk}-status": "delivered", f"s{parcel.pk}-on": "2026-12-03"})
    ).status_code == 302
    parcel.refresh_from_db()
    assert (parcel.status, parcel.status_on) == ("delivered", datetime.date(2026, 12, 3))
    page = client.get(f"/export/orders/{parcel.order.uuid}/").content.decode()
    assert "Delivered" in page


def test_a_status_before_shipping_is_refused(parcel: Shipment, ganesh: User) -> None:
    with pytest.raises(ValidationError) as refused:
        do_update_parcel_status(
            parcel, status="delivered", on=datetime.date(2026, 11, 1), acting_user=ganesh
        )
    assert refused.value.messages == [
        "The status date 01.11.2026 is before the parcel was shipped."
    ]


def test_statuses_imported_from_a_list(parcel: Shipment, ganesh: User) -> None:
    data = b"Tracking number,Status,Date\nEE 1234 5678 5IN,Delivered,03.12.2026\n"
    assert do_import_parcel_statuses(data, name="status.csv", acting_user=ganesh) == 1
    assert do_import_parcel_statuses(data, name="status.csv", acting_user=ganesh) == 0
    parcel.refresh_from_db()
    assert parcel.status == "delivered"


def test_a_list_with_a_wrong_check_digit_imports_nothing(
    parcel: Shipment, ganesh: User, vani: User
) -> None:
    data = (
        "ट्रैकिंग नंबर,स्थिति,तारीख\n"
        "EE123456785IN,पहुँच गया,03.12.2026\n"
        "EE123456784IN,Delivered,03.12.2026\n"
        "EE123456785IN,lost,03.12.2026\n"
    ).encode()
    with pytest.raises(ValidationError) as refused:
        do_import_parcel_statuses(data, name="status.csv", acting_user=ganesh)
    messages = refused.value.messages
    assert messages[0] == (
        "Row 3: Tracking number EE123456784IN has a wrong check digit: check it on the receipt."
    )
    assert messages[1].startswith("Row 4: lost is not a parcel status")
    parcel.refresh_from_db()
    assert parcel.status == "booked"
    # Another district's staff do not reach this centre's parcel.
    other = b"Tracking number,Status,Date\nEE123456785IN,Delivered,03.12.2026\n"
    with pytest.raises(ValidationError) as refused:
        do_import_parcel_statuses(other, name="status.csv", acting_user=vani)
    assert refused.value.messages == [
        "Row 2: No parcel of your centre has the tracking number EE123456785IN."
    ]


# --- totals that do not add up ------------------------------------------------------------------


def test_an_invoice_whose_total_does_not_add_up_is_not_issued(
    exporter: Producer, ganesh: User, media: Path
) -> None:
    order = order_of(exporter, ganesh, 10)
    order.lines.update(unit_price=Decimal(0))

    with pytest.raises(ValidationError) as refused:
        do_issue_document(order, "invoice", acting_user=ganesh)

    assert refused.value.messages == ["The invoice total must be more than zero."]
    assert not Document.objects.exists()
    assert not DocumentCounter.objects.filter(last__gt=0).exists()
    assert not (media / "exportdesk" / "documents").exists()


def test_freight_and_insurance_over_the_total_save_no_order(
    exporter: Producer, ganesh: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        order_of(exporter, ganesh, 1, incoterm="CIF", freight=Decimal(20), insurance=Decimal(10))
    assert refused.value.messages == ["Freight and insurance are more than the order's total."]
    assert not ExportOrder.objects.exists()
