"""Certificates: only for those who came, once; PDFs in Hindi and English with the Devanagari
font; a public page with name, programme and date only, which says when one was revoked."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from niryat.events.actions import (
    Refused,
    do_check_in_by_code,
    do_issue_certificate,
    do_issue_certificates,
    do_register_participants,
    do_revoke_certificate,
)
from niryat.events.certificates import certificate_pdf
from niryat.events.codes import check_in_code
from niryat.events.models import Certificate
from tests.conftest import client_for
from tests.events.conftest import artisans

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext)"
)


@pytest.fixture
def came_and_absent(nift, session, gorakhpur, ganesh):  # type: ignore[no-untyped-def]
    people = artisans(gorakhpur, ganesh, 2)
    do_register_participants(nift, people, acting_user=ganesh)
    came, absent = nift.participants.order_by("pk")
    do_check_in_by_code(session, check_in_code(came.pk, nift.pk), acting_user=ganesh)
    return came, absent


def test_certificate_only_for_those_who_came(came_and_absent, nift, ganesh):
    came, absent = came_and_absent
    with pytest.raises(Refused) as refused:
        do_issue_certificate(absent, acting_user=ganesh)
    assert refused.value.messages == ["Karigar 2 did not attend any session."]
    issued, not_there = do_issue_certificates(nift, acting_user=ganesh)
    assert [c.participant for c in issued] == [came]
    assert not_there == 1
    assert do_issue_certificates(nift, acting_user=ganesh) == ([], 1)
    assert Certificate.objects.count() == 1


def test_public_page_shows_name_programme_date_and_nothing_else(came_and_absent, ganesh):
    came, _absent = came_and_absent
    certificate = do_issue_certificate(came, acting_user=ganesh)
    page = Client().get(f"/verify/certificate/{certificate.uuid}/").content.decode()
    assert "This certificate is valid." in page
    assert "Karigar 1" in page
    assert "Terracotta design course" in page
    assert "14 December 2026" in page
    assert "+9198390" not in page
    assert "Aurangabad" not in page


def test_revoked_certificate_says_so(came_and_absent, ganesh):
    came, _absent = came_and_absent
    certificate = do_issue_certificate(came, acting_user=ganesh)
    do_revoke_certificate(certificate, reason="Issued by mistake", acting_user=ganesh)
    page = Client(headers={"accept-language": "hi"}).get(f"/verify/certificate/{certificate.uuid}/")
    text = page.content.decode()
    assert "यह प्रमाणपत्र" in text
    assert "मान्य नहीं है" in text
    with pytest.raises(Refused):
        do_revoke_certificate(certificate, reason="again", acting_user=ganesh)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


@needs_poppler
def test_pdf_in_hindi_and_english(came_and_absent, ganesh, tmp_path):
    came, _absent = came_and_absent
    certificate = do_issue_certificate(came, acting_user=ganesh)
    url = f"https://niryat.example.org/verify/certificate/{certificate.uuid}/"
    english = pdf_text(certificate_pdf(certificate, "en", url), tmp_path)
    assert "Certificate of participation" in english
    assert "Karigar 1" in english
    assert f"held with {came.programme.partner.name_en}" in english
    hindi = pdf_text(certificate_pdf(certificate, "hi", url), tmp_path)
    # pdftotext splits some vowel signs off their letters; these words come back whole.
    assert "प्रमाणपत्र" in hindi
    assert "भाग लिया" in hindi
    assert "दिसंबर 2026" in hindi
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "c.pdf")], capture_output=True, check=True
    ).stdout.decode()
    assert "Noto-Sans-Devanagari" in fonts


def test_staff_download_the_pdf_other_districts_do_not(came_and_absent, ganesh, vani):
    came, _absent = came_and_absent
    certificate = do_issue_certificate(came, acting_user=ganesh)
    response = client_for(ganesh).get(f"/trainings/certificates/{certificate.uuid}/hi.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        client_for(vani).get(f"/trainings/certificates/{certificate.uuid}/hi.pdf").status_code
        == 404
    )
