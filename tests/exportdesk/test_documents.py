"""Export documents as PDFs: what they say (read back with pdftotext), the embedded Devanagari
font (pdffonts), numbering per centre and financial year, versions, and refusals that leave
nothing behind."""

from __future__ import annotations

import csv
import datetime
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from niryat.core.models import User
from niryat.exportdesk.actions import (
    LineInput,
    do_create_export_order,
    do_issue_document,
    do_record_shipment,
    do_update_readiness_item,
)
from niryat.exportdesk.documents import ENDORSEMENT_LUT
from niryat.exportdesk.models import Document, DocumentCounter, ExportOrder
from niryat.registry.models import Producer
from tests.conftest import client_for

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)"),
]
ON = datetime.date(2026, 12, 7)


def pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return out.stdout


def pdf_fonts(path: Path) -> str:
    out = subprocess.run(
        ["pdffonts", str(path)],
        capture_output=True,
        check=True,
        text=True,
    )
    return out.stdout


def no_spaces(text: str) -> str:
    # pdftotext may split Devanagari clusters with spaces: compare without them.
    return "".join(text.split())


@pytest.fixture
def exporter(ramu: Producer, ganesh: User) -> Producer:
    """Ramu with an IEC and a LUT for 2026-27."""
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
def order(exporter: Producer, ganesh: User) -> ExportOrder:
    return do_create_export_order(
        exporter,
        buyer={
            "name": "Hudson Home Goods",
            "country": "US",
            "address": "12 Canal St\nNew York NY 10013",
            "importer_reference": "EIN 12-3456789",
        },
        order={
            "incoterm": "CIF",
            "currency": "USD",
            "exchange_rate": Decimal("83.2500"),
            "freight": Decimal("30.00"),
            "insurance": Decimal("5.00"),
            "packages": 2,
            "gross_weight_kg": Decimal("14.500"),
        },
        lines=[
            LineInput("Terracotta horse, 30 cm", "69139000", 10, Decimal("25.00"), Decimal("1.1")),
            LineInput(
                "Terracotta elephant, 20 cm", "69139000", 4, Decimal("18.50"), Decimal("0.8")
            ),
        ],
        acting_user=ganesh,
    )


def path_of(document: Document, media: Path) -> Path:
    return media / document.pdf.name


def test_invoice_holds_the_values_the_lut_and_the_hindi_name(
    order: ExportOrder, ganesh: User, media: Path
) -> None:
    invoice = do_issue_document(order, "invoice", hindi_name=True, on=ON, acting_user=ganesh)

    assert invoice.number == "148/INV/2026-27/0001"
    text = pdf_text(path_of(invoice, media))
    assert "Commercial invoice" in text
    assert "148/INV/2026-27/0001" in text
    assert "Hudson Home Goods" in text
    assert "EIN 12-3456789" in text
    assert "IEC: ABCPE1234F" in text
    assert "69139000" in text
    assert "324.00" in text  # 10 × 25.00 + 4 × 18.50
    assert "289.00" in text  # FOB: less 30.00 freight and 5.00 insurance
    assert "24059.25" in text  # FOB in rupees at 83.25
    assert ENDORSEMENT_LUT in " ".join(text.split())
    assert "AD090426001234X" in text
    assert "रामूप्रजापति" in no_spaces(text)
    fonts = pdf_fonts(path_of(invoice, media))
    devanagari = [row.split() for row in fonts.splitlines() if "Noto-Sans-Devanagari" in row]
    assert devanagari
    assert all(row[-5] == "yes" for row in devanagari)  # the "emb" column: embedded


def test_packing_list_and_cn23(order: ExportOrder, ganesh: User, media: Path) -> None:
    invoice = do_issue_document(order, "invoice", on=ON, acting_user=ganesh)
    packing = do_issue_document(order, "packing_list", on=ON, acting_user=ganesh)
    cn23 = do_issue_document(order, "cn23", on=ON, acting_user=ganesh)

    packing_text = pdf_text(path_of(packing, media))
    assert "148/PL/2026-27/0001" in packing_text
    assert f"Invoice No. {invoice.number}" in packing_text
    assert "14.500" in packing_text
    assert "1.900" in packing_text  # total net weight: 1.1 + 0.8, the lines as entered
    cn23_text = pdf_text(path_of(cn23, media))
    assert "CUSTOMS DECLARATION CN 23" in cn23_text
    assert "Sale of goods" in cn23_text
    assert "India (IN)" in cn23_text
    assert "I certify that the particulars given in this customs declaration are correct" in (
        " ".join(cn23_text.split())
    )
    assert "रामू" not in no_spaces(cn23_text)  # the Hindi name only where chosen


def test_an_amended_invoice_is_a_new_version_and_the_first_stays(
    order: ExportOrder, ganesh: User, media: Path
) -> None:
    first = do_issue_document(order, "invoice", on=ON, acting_user=ganesh)
    first_bytes = path_of(first, media).read_bytes()
    order.lines.filter(description__startswith="Terracotta horse").update(quantity=12)

    amended = do_issue_document(order, "invoice", on=ON, acting_user=ganesh)

    assert (amended.number, amended.version) == (first.number, 2)
    assert amended.pdf.name != first.pdf.name
    assert path_of(first, media).read_bytes() == first_bytes
    assert "324.00" in pdf_text(path_of(first, media))
    amended_text = pdf_text(path_of(amended, media))
    assert "374.00" in amended_text
    assert "Version 2 (amended)" in amended_text
    # A second order's invoice takes the next number; the amendment took none.
    assert DocumentCounter.objects.get(kind="invoice").last == 1


def test_numbers_run_per_financial_year(order: ExportOrder, ganesh: User) -> None:
    march = do_issue_document(order, "proforma", on=datetime.date(2027, 3, 31), acting_user=ganesh)
    assert march.number == "148/PI/2026-27/0001"


def test_a_lut_past_its_financial_year_refuses_the_invoice_and_consumes_no_number(
    order: ExportOrder, ganesh: User, media: Path
) -> None:
    with pytest.raises(ValidationError) as refused:
        do_issue_document(order, "invoice", on=datetime.date(2027, 4, 2), acting_user=ganesh)

    assert refused.value.messages == [
        "Without IGST, the invoice needs a LUT valid on 02.04.2027; the producer's LUT is "
        "missing or past its financial year."
    ]
    assert not Document.objects.exists()
    assert not DocumentCounter.objects.filter(last__gt=0).exists()
    assert not (media / "exportdesk" / "documents").exists()
    # The next invoice that can be issued takes the first number.
    assert do_issue_document(order, "invoice", on=ON, acting_user=ganesh).number.endswith("/0001")


def test_every_reason_is_given_at_once(ramu: Producer, ganesh: User) -> None:
    ramu.iec = "0512345678"
    ramu.save(update_fields=["iec"])
    order = do_create_export_order(
        ramu,
        buyer={"name": "Lima Artesanías", "country": "PE"},
        order={"incoterm": "FOB", "currency": "EUR", "exchange_rate": None, "igst_paid": True},
        lines=[LineInput("Terracotta lamp", "", 4, Decimal("12.00"))],
        acting_user=ganesh,
    )

    with pytest.raises(ValidationError) as refused:
        do_issue_document(order, "invoice", on=ON, acting_user=ganesh)

    assert refused.value.messages == [
        "Line 1 (Terracotta lamp) has no HS code.",
        "There is no exchange rate for EUR: enter the customs notified rate on the order, or "
        "record it among the reference rates.",
        "The IEC must be in PAN form (5 letters, 4 digits, 1 letter, like ABCPE1234F); "
        "0512345678 is not. Since 2017 the IEC is the PAN.",
        "IGST is paid: enter its rate.",
    ]
    assert not Document.objects.exists()


def test_staff_issue_and_download_through_the_page_in_hindi(
    order: ExportOrder, ganesh: User
) -> None:
    ganesh.language = "hi"
    ganesh.save(update_fields=["language"])
    client = client_for(ganesh)
    issued = client.post(
        f"/export/orders/{order.uuid}/documents/", {"kind": "invoice", "hindi_name": "on"}
    )
    assert issued.status_code == 302
    document = Document.objects.get()
    pdf = client.get(f"/export/orders/{order.uuid}/documents/{document.pk}/")
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    # Staff work in Hindi; the invoice, for customs and the buyer, is in English throughout.
    text = pdf_text(Path(document.pdf.path))
    assert "Commercial invoice" in text
    assert "वाणिज्यिक" not in text.replace(" ", "")

    order.lines.filter(description__startswith="Terracotta horse").update(hs_code="")
    refused = client.post(f"/export/orders/{order.uuid}/documents/", {"kind": "packing_list"})
    assert refused.status_code == 400
    assert "पंक्ति 1 (Terracotta horse, 30 cm) में HS कोड नहीं है।" in refused.content.decode()
    assert Document.objects.count() == 1


def test_pbe3_data_of_the_postal_shipment(order: ExportOrder, ganesh: User) -> None:
    client = client_for(ganesh)
    url = f"/export/orders/{order.uuid}/pbe3.csv"
    do_record_shipment(
        order, shipped_on=ON, mode="post", tracking_number="EE123456785IN", acting_user=ganesh
    )
    refused = client.get(url, follow=True)
    assert "Issue the commercial invoice first" in refused.content.decode()

    invoice = do_issue_document(order, "invoice", on=ON, acting_user=ganesh)
    response = client.get(url)

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert len(rows) == 2
    first = rows[0]
    assert first["IEC"] == "ABCPE1234F"
    assert first["Postal tracking number"] == "EE123456785IN"
    assert first["CTH"] == "69139000"
    assert first["Invoice no."] == invoice.number
    assert first["Country of destination"] == "US United States"
    assert first["Consignee name and address"] == "Hudson Home Goods, 12 Canal St New York NY 10013"
    # FOB 289.00 of a 324.00 total, shared by the lines: 250.00 × 289/324 = 222.99.
    assert first["FOB"] == "222.99"
    assert first["Amount in INR"] == "18563.92"
    assert first["LUT/bond details"] == "LUT AD090426001234X"
    assert Decimal(rows[0]["FOB"]) + Decimal(rows[1]["FOB"]) == Decimal("289.00")
