"""The registry's merge, erasure and data-export decisions reach the export desk's records."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from niryat.core.models import District, User
from niryat.exportdesk.actions import do_update_readiness_item
from niryat.exportdesk.models import ExportOrder, ReadinessItem
from niryat.registry.actions import do_erase_producer, do_merge_producers
from niryat.registry.hooks import producer_hooks
from niryat.registry.models import Producer
from tests.exportdesk.conftest import usa_order
from tests.registry.factories import register

pytestmark = pytest.mark.django_db
DONE = ReadinessItem.Status.DONE


def scan(name: str = "iec.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 certificate", content_type="application/pdf")


def test_erasure_deletes_the_checklist_and_its_files(
    ramu: Producer, ganesh: User, media: Path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    item = do_update_readiness_item(
        ramu, "iec", status=DONE, reference="ABCPE1234F", evidence=scan(), acting_user=ganesh
    )
    order = usa_order(ramu, ganesh)
    stored = media / item.evidence.name
    assert stored.exists()

    with django_capture_on_commit_callbacks(execute=True):
        do_erase_producer(ramu, acting_user=ganesh)

    assert not ReadinessItem.objects.filter(producer=ramu).exists()
    assert not stored.exists()
    assert ExportOrder.objects.filter(pk=order.pk).exists()  # the district's export record stays


def test_merge_keeps_the_done_item_and_moves_orders(
    ramu: Producer, ganesh: User, gorakhpur: District
) -> None:
    twin = register(gorakhpur, ganesh, name_hi="रामू प्रजापति", mobile="+919839099999")
    do_update_readiness_item(ramu, "gst", status="applied", acting_user=ganesh)
    do_update_readiness_item(
        twin, "gst", status=DONE, reference="09AAACH7409R1ZZ", acting_user=ganesh
    )
    do_update_readiness_item(
        twin, "lut", status=DONE, valid_from=datetime.date(2026, 4, 1), acting_user=ganesh
    )
    order = usa_order(twin, ganesh)

    do_merge_producers(ramu, twin, acting_user=ganesh)

    items = {item.kind: item for item in ReadinessItem.objects.filter(producer=ramu)}
    assert items["gst"].status == DONE
    assert items["gst"].reference == "09AAACH7409R1ZZ"
    assert items["lut"].expires_on == datetime.date(2027, 3, 31)
    assert ReadinessItem.objects.count() == 2
    order.refresh_from_db()
    assert order.producer == ramu


def test_the_data_export_holds_the_checklist_and_orders(ramu: Producer, ganesh: User) -> None:
    do_update_readiness_item(ramu, "iec", status=DONE, reference="ABCPE1234F", acting_user=ganesh)
    usa_order(ramu, ganesh)

    sections = {
        section.key: section.rows
        for hooks in producer_hooks()
        for section in hooks.personal_data(ramu)
    }

    assert sections["export_readiness"][0]["reference"] == "ABCPE1234F"
    assert sections["export_orders"][0]["country"] == "US"
