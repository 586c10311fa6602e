"""A programme's list of trainees as a sheet: mobile numbers found in the district's registry,
registered whole (places, then the waiting list) or not at all while a row has an error; the
same list again changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from niryat.events.models import Participant, TraineeImportJob
from tests.conftest import client_for
from tests.events.conftest import artisans
from tests.registry.fixtures.sheets import csv_bytes, run_worker

HEADER = ["मोबाइल / mobile", "नाम / name"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def import_list(client, programme, rows) -> TraineeImportJob:  # type: ignore[no-untyped-def]
    data = csv_bytes(rows, header=HEADER)
    response = client.post(
        f"/trainings/{programme.uuid}/import/",
        {"file": SimpleUploadedFile("trainees.csv", data)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = TraineeImportJob.objects.get(uuid=response["Location"].split("/")[3])
    run_worker()
    job.refresh_from_db()
    return job


def test_a_list_registers_in_its_order_and_again_changes_nothing(nift, gorakhpur, ganesh):
    people = artisans(gorakhpur, ganesh, 4)
    rows = [["98390 00004", "Karigar 4"], *[[p.mobile, p.name_latin] for p in people[:3]]]
    client = client_for(ganesh)
    job = import_list(client, nift, rows)
    assert (job.status, job.created_count, job.error_rows) == ("done", 4, 0)
    assert list(nift.participants.registered().values_list("producer", flat=True)) == [
        people[3].pk,
        people[0].pk,
        people[1].pk,
    ]
    assert list(nift.participants.waiting().values_list("producer", flat=True)) == [people[2].pk]
    again = import_list(client, nift, rows)
    assert (again.status, again.created_count, again.unchanged_count) == ("done", 0, 4)
    assert Participant.objects.count() == 4


def test_a_row_of_another_district_or_unknown_imports_nothing(
    nift, gorakhpur, varanasi, ganesh, vani
):
    (ramu,) = artisans(gorakhpur, ganesh, 1)
    outsider = artisans(varanasi, vani, 2)[1]
    job = import_list(
        client_for(ganesh),
        nift,
        [[ramu.mobile, "Ramu"], [outsider.mobile, "Outsider"], ["9999900000", "Nobody"]],
    )
    assert job.status == "has_errors"
    messages = [(p["row"], p["message"]) for p in job.errors]
    assert messages == [
        (3, "This mobile number is a producer of another district."),
        (4, "No producer in the registry has this mobile number."),
    ]
    assert not Participant.objects.exists()


def test_staff_of_another_district_cannot_import(nift, vani):
    response = client_for(vani).post(
        f"/trainings/{nift.uuid}/import/",
        {"file": SimpleUploadedFile("t.csv", csv_bytes([["9839000001", "x"]], header=HEADER))},
    )
    assert response.status_code == 404
    assert not TraineeImportJob.objects.exists()
