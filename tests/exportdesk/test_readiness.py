"""The export readiness checklist: what staff record, what is refused, when it lapses."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from niryat.core.models import AuditEntry, User
from niryat.exportdesk.actions import do_send_readiness_reminders, do_update_readiness_item
from niryat.exportdesk.models import Council, ExportRule, ReadinessItem
from niryat.exportdesk.readiness import checklist, default_expiry
from niryat.messaging.backends import local as sms
from niryat.registry.models import Producer
from tests.catalog.factories import run_tasks
from tests.conftest import client_for, hindi

pytestmark = pytest.mark.django_db
Kind = ReadinessItem.Kind
Status = ReadinessItem.Status


def test_a_new_producer_has_every_fixed_item_not_yet_done(ramu: Producer) -> None:
    items = checklist(ramu)

    assert [item.kind for item in items] == [
        "iec",
        "gst",
        "lut",
        "ad_code",
        "rcmc",
        "bank",
        "icegate",
    ]
    assert {item.state(datetime.date(2026, 5, 1)) for item in items} == {"missing"}
    assert ReadinessItem.objects.count() == 0  # reading the checklist writes nothing


def test_iec_is_kept_in_pan_form_and_copied_to_the_producer(ramu: Producer, ganesh: User) -> None:
    item = do_update_readiness_item(
        ramu, "iec", status=Status.DONE, reference="abcpe 1234f", acting_user=ganesh
    )

    assert item.reference == "ABCPE1234F"
    ramu.refresh_from_db()
    assert ramu.iec == "ABCPE1234F"
    assert AuditEntry.objects.filter(action="exportdesk.readiness").count() == 1


@pytest.mark.parametrize("value", ["0512345678", "ABCDE12345", "AB1PE1234F"])
def test_an_iec_not_in_pan_form_is_refused(ramu: Producer, ganesh: User, value: str) -> None:
    with pytest.raises(ValidationError, match="PAN form"):
        do_update_readiness_item(
            ramu, "iec", status=Status.DONE, reference=value, acting_user=ganesh
        )

    assert ReadinessItem.objects.filter(reference=value).count() == 0
    ramu.refresh_from_db()
    assert ramu.iec == ""


def test_a_gstin_with_a_wrong_check_character_is_refused(ramu: Producer, ganesh: User) -> None:
    with pytest.raises(ValidationError, match="check character"):
        do_update_readiness_item(
            ramu, "gst", status=Status.DONE, reference="27AAPFU0939F1ZW", acting_user=ganesh
        )


def test_a_lut_lapses_at_the_end_of_its_financial_year(ramu: Producer, ganesh: User) -> None:
    item = do_update_readiness_item(
        ramu, "lut", status=Status.DONE, valid_from=datetime.date(2026, 4, 3), acting_user=ganesh
    )

    assert item.expires_on == datetime.date(2027, 3, 31)
    assert default_expiry("lut", datetime.date(2027, 1, 15)) == datetime.date(2027, 3, 31)


def test_a_lut_past_its_financial_year_is_refused(ramu: Producer, ganesh: User) -> None:
    with pytest.raises(ValidationError, match="one financial year"):
        do_update_readiness_item(
            ramu,
            "lut",
            status=Status.DONE,
            valid_from=datetime.date(2026, 4, 3),
            expires_on=datetime.date(2027, 4, 30),
            acting_user=ganesh,
        )
    assert not ReadinessItem.objects.filter(kind="lut", status=Status.DONE).exists()


def test_an_rcmc_holds_five_years_to_31_march_and_names_its_council(
    ramu: Producer, ganesh: User
) -> None:
    epch = Council.objects.get(code="epch")
    with pytest.raises(ValidationError, match="council"):
        do_update_readiness_item(ramu, "rcmc", status=Status.DONE, acting_user=ganesh)

    item = do_update_readiness_item(
        ramu,
        "rcmc",
        status=Status.DONE,
        council=epch,
        reference="EPCH/RCMC/2024/1234",
        valid_from=datetime.date(2024, 6, 10),
        acting_user=ganesh,
    )

    # Licensing year 2024-25, deemed valid from 1 April 2024, five years to 31 March 2029.
    assert item.expires_on == datetime.date(2029, 3, 31)
    assert item.council == epch


def test_state_shows_lapses_soon_and_expired(ramu: Producer, ganesh: User) -> None:
    item = do_update_readiness_item(
        ramu, "lut", status=Status.DONE, valid_from=datetime.date(2026, 4, 1), acting_user=ganesh
    )

    assert item.state(datetime.date(2027, 2, 1)) == "done"
    assert item.state(datetime.date(2027, 3, 10)) == "lapses_soon"
    assert item.state(datetime.date(2027, 4, 1)) == "expired"


def test_evidence_must_be_a_pdf_or_image(ramu: Producer, ganesh: User) -> None:
    script = SimpleUploadedFile("iec.exe", b"MZ...", content_type="application/octet-stream")
    with pytest.raises(ValidationError, match="PDF, JPEG or PNG"):
        do_update_readiness_item(
            ramu,
            "iec",
            status=Status.DONE,
            reference="ABCPE1234F",
            evidence=script,
            acting_user=ganesh,
        )


def test_other_districts_staff_cannot_change_it(ramu: Producer, vani: User) -> None:
    with pytest.raises(PermissionDenied):
        do_update_readiness_item(ramu, "iec", status=Status.DONE, acting_user=vani)


def test_reminder_goes_once_per_expiry_date_in_hindi(
    ramu: Producer,
    ganesh: User,
    settings: Any,
) -> None:
    settings.MESSAGING_BACKENDS = {
        **settings.MESSAGING_BACKENDS,
        "sms": "niryat.messaging.backends.local.MemoryBackend",
    }
    sms.outbox.clear()
    item = do_update_readiness_item(
        ramu, "lut", status=Status.DONE, valid_from=datetime.date(2026, 4, 1), acting_user=ganesh
    )

    early = do_send_readiness_reminders(today=datetime.date(2027, 2, 1))
    first = do_send_readiness_reminders(today=datetime.date(2027, 3, 10))
    again = do_send_readiness_reminders(today=datetime.date(2027, 3, 11))
    run_tasks()  # the gateway sends from the task queue

    assert (early.sent, first.sent, again.sent) == (0, 1, 0)
    assert [m.to for m in sms.outbox] == ["+919839012345"]
    assert sms.outbox[0].text == (
        "निर्यात: रामू प्रजापति का इस वित्त वर्ष का वचन पत्र (LUT) 31.03.2027 को समाप्त हो रहा है। "
        "समय पर नवीनीकरण कराएँ; निर्यात केन्द्र मदद करेगा।"
    )
    item.refresh_from_db()
    assert item.reminded_for == datetime.date(2027, 3, 31)

    # Renewed for the next year: a new expiry date, a new reminder when it comes near.
    do_update_readiness_item(
        ramu, "lut", status=Status.DONE, valid_from=datetime.date(2027, 4, 1), acting_user=ganesh
    )
    assert do_send_readiness_reminders(today=datetime.date(2028, 3, 10)).sent == 1


def test_rules_apply_by_destination_and_product(ramu: Producer, ganesh: User) -> None:
    from tests.exportdesk.conftest import usa_order

    everywhere_pottery = ExportRule.objects.create(
        hs_prefix="6913", title="Lead in glazes", explanation_hi="ग्लेज़ में सीसा", source="s1"
    )
    us_only = ExportRule.objects.create(
        country="US",
        title="Country of origin label",
        explanation_hi="लेबल",
        source="s2",
        second_source="s3",
    )
    ExportRule.objects.create(country="DE", title="German rule", explanation_hi="जर्मन", source="s4")

    before = {item.rule_id for item in checklist(ramu) if item.rule_id}
    usa_order(ramu, ganesh)
    after = {item.rule_id for item in checklist(ramu) if item.rule_id}

    assert before == set()
    assert after == {everywhere_pottery.pk, us_only.pk}
    assert not everywhere_pottery.verified
    assert us_only.verified


def test_staff_page_in_hindi_with_explanations(ramu: Producer, ganesh: User) -> None:
    ganesh.language = "hi"
    ganesh.save(update_fields=["language"])

    page = client_for(ganesh).get(f"/producers/{ramu.uuid}/export-readiness/")

    assert page.status_code == 200
    html = page.content.decode()
    assert hindi("Export readiness") in html
    assert hindi("Not yet") in html
    assert "2017 से यह आपके PAN के बराबर है" in html


def test_staff_fill_an_item_with_evidence_through_the_page(ramu: Producer, ganesh: User) -> None:
    client = client_for(ganesh)
    scan = SimpleUploadedFile("iec.pdf", b"%PDF-1.4 scan", content_type="application/pdf")

    response = client.post(
        f"/producers/{ramu.uuid}/export-readiness/iec/",
        {"iec-status": "done", "iec-reference": "ABCPE1234F", "iec-evidence": scan},
    )

    assert response.status_code == 302
    item = ReadinessItem.objects.get(producer=ramu, kind="iec")
    download = client.get(f"/producers/{ramu.uuid}/export-readiness/evidence/{item.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 scan"  # type: ignore[attr-defined]


def test_a_refused_value_is_shown_next_to_the_item(ramu: Producer, ganesh: User) -> None:
    response = client_for(ganesh).post(
        f"/producers/{ramu.uuid}/export-readiness/iec/",
        {"iec-status": "done", "iec-reference": "12345"},
    )

    assert response.status_code == 400
    assert "PAN form" in response.content.decode()
    assert not ReadinessItem.objects.exists()


def test_other_district_and_producers_see_nothing(
    ramu: Producer, ganesh: User, vani: User, prem: User
) -> None:
    do_update_readiness_item(
        ramu,
        "iec",
        status=Status.DONE,
        reference="ABCPE1234F",
        evidence=SimpleUploadedFile("iec.pdf", b"%PDF", content_type="application/pdf"),
        acting_user=ganesh,
    )
    item = ReadinessItem.objects.get()
    url = f"/producers/{ramu.uuid}/export-readiness/"

    assert client_for(vani).get(url).status_code == 404
    assert client_for(vani).get(f"{url}evidence/{item.pk}/").status_code == 404
    assert client_for(vani).post(f"{url}iec/", {"iec-status": "missing"}).status_code == 404
    assert client_for(prem).get(url).status_code == 403


def test_district_officer_reads_but_cannot_change(ramu: Producer, gita: User) -> None:
    url = f"/producers/{ramu.uuid}/export-readiness/"
    page = client_for(gita).get(url)

    assert page.status_code == 200
    assert "Update this item" not in page.content.decode()
    assert client_for(gita).post(f"{url}iec/", {"iec-status": "done"}).status_code == 403
