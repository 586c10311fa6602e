"""The producer import as centre staff use it: template, upload, errors row by row, corrections,
re-imports that change nothing, and every kind of bad file refused with a clear message."""

from __future__ import annotations

import codecs
import datetime
import hashlib
import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from niryat.core.models import AuditEntry, OdopProduct, TaskProgress
from niryat.core.sheets import jobs
from niryat.core.sheets import reading as sheets_reading
from niryat.registry import bulk_import, rules
from niryat.registry.actions import do_erase_producer, do_register_producer
from niryat.registry.bulk_import import (
    PRODUCER_SHEET,
    RowChecker,
    field_for_header,
    import_rows,
    read_sheet,
)
from niryat.registry.duplicates import find_duplicates
from niryat.registry.models import (
    DuplicateFlag,
    Gender,
    ImportJob,
    Kind,
    Producer,
    SocialCategory,
    Stage,
    StageChange,
)
from niryat.registry.spreadsheets import COLUMNS
from tests.conftest import client_for, hindi
from tests.registry.factories import register
from tests.registry.fixtures.sheets import (
    HEADER,
    artisan,
    csv_bytes,
    import_file,
    read_csv,
    read_xlsx,
    row,
    run_worker,
    sample,
    upload,
    xlsx_bytes,
)
from tests.registry.rule_cases import (
    AADHAAR_LAST4,
    ACCOUNT_MASKED,
    FULL_AADHAAR,
    FULL_ACCOUNT,
    REFUSED,
    REFUSED_IDS,
    SECRET_PARTS,
    VALID,
    assert_not_stored,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def snapshot() -> tuple[int, ...]:
    return (
        Producer.objects.count(),
        StageChange.objects.count(),
        DuplicateFlag.objects.count(),
        Producer.activities.through.objects.count(),
    )


def errors_of(job: ImportJob) -> list[tuple[int | None, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in job.errors if e["kind"] == "error"]


# --- The whole journey ---------------------------------------------------------------------


def test_staff_correct_two_bad_rows_and_import_the_sheet_twice(ganesh, gorakhpur):
    client = client_for(ganesh)
    # given a sheet of five artisans, two of them with mistakes
    rows = [
        artisan(1),
        artisan(2, mobile="12345"),
        artisan(3),
        artisan(4, pin="2730", odop_product="Banarasi silk sarees"),
        artisan(5),
    ]

    # when Ganesh uploads it, and the worker checks it
    job = import_file(client, "kumhar.xlsx", xlsx_bytes(rows))

    # then the page lists the two bad rows, by their numbers in the sheet and their columns
    assert job.status == ImportJob.Status.HAS_ERRORS
    assert (job.total_rows, job.error_rows, job.created_count) == (5, 2, 0)
    assert errors_of(job) == [
        (
            3,
            "मोबाइल / Mobile",
            "12345 is not a valid mobile number. Give 10 digits, like 98765 43210.",
        ),
        (5, "पिन कोड / PIN code", "PIN code must be 6 digits; 2730 is not."),
        (
            5,
            "ओडीओपी उत्पाद / ODOP product",
            "«Banarasi silk sarees» is not an ODOP product of Gorakhpur. "
            "Write one of: Readymade garments, Terracotta.",
        ),
    ]
    page = client.get(f"/producers/import/{job.uuid}/").content.decode()
    assert "2 rows have errors. Nothing has been imported." in page
    assert '<td class="num">3</td><td>मोबाइल / Mobile</td>' in page
    assert "PIN code must be 6 digits; 2730 is not." in page
    assert "Import the 3 valid rows" in page
    # and nothing was saved
    assert snapshot() == (0, 0, 0, 0)

    # when he downloads the sheet with its errors
    download = client.get(f"/producers/import/{job.uuid}/errors/")
    assert download["Content-Disposition"] == 'attachment; filename="kumhar-errors.xlsx"'
    sheet = read_xlsx(b"".join(download.streaming_content))
    # then it is his sheet, every row, with an error column
    assert sheet[0] == [*HEADER, "त्रुटि / Error"]
    assert [r[1] for r in sheet[1:]] == [r[1] for r in rows]
    assert [r[-1] for r in sheet[1:]] == [
        None,
        "«मोबाइल / Mobile»: 12345 is not a valid mobile number. Give 10 digits, like 98765 43210.",
        None,
        "«पिन कोड / PIN code»: PIN code must be 6 digits; 2730 is not.; «ओडीओपी उत्पाद / ODOP "
        "product»: «Banarasi silk sarees» is not an ODOP product of Gorakhpur. Write one of: "
        "Readymade garments, Terracotta.",
        None,
    ]

    # when he corrects the two rows in that sheet and uploads it again
    corrected = [list(r) for r in sheet]
    corrected[2][HEADER.index("मोबाइल / Mobile")] = "98765 00002"
    corrected[4][HEADER.index("पिन कोड / PIN code")] = "273004"
    corrected[4][HEADER.index("ओडीओपी उत्पाद / ODOP product")] = "टेराकोटा"
    fixed_sheet = xlsx_bytes(corrected[1:], sheet[0])
    job = import_file(client, "kumhar-errors.xlsx", fixed_sheet)

    # then all five are registered
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.created_count, job.unchanged_count, job.error_rows) == (5, 0, 0)
    assert Producer.objects.filter(district=gorakhpur).count() == 5
    fixed = Producer.objects.get(mobile="+919876500002")
    assert fixed.created_by == ganesh
    page = client.get(f"/producers/import/{job.uuid}/").content.decode()
    assert "5 new producers registered." in page
    after_first = snapshot()

    # when he uploads the same file once more
    again = import_file(client, "kumhar-errors.xlsx", fixed_sheet)

    # then nothing changes: every row is counted as already registered
    assert again.status == ImportJob.Status.DONE
    assert (again.created_count, again.unchanged_count) == (0, 5)
    assert again.sha256 == job.sha256
    assert snapshot() == after_first
    page = client.get(f"/producers/import/{again.uuid}/").content.decode()
    assert "5 already registered, left unchanged." in page
    assert "This same file was imported before" in page


def test_the_valid_rows_are_imported_only_when_staff_choose_so(ganesh):
    client = client_for(ganesh)
    rows = [artisan(1), artisan(2, mobile="12345"), artisan(3)]
    job = import_file(client, "sheet.csv", csv_bytes(rows))
    assert job.status == ImportJob.Status.HAS_ERRORS
    assert Producer.objects.count() == 0

    response = client.post(f"/producers/import/{job.uuid}/import-valid-rows/")
    assert response["Location"] == f"/producers/import/{job.uuid}/"
    run_worker()

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.unchanged_count, job.error_rows) == (2, 0, 1)
    assert sorted(Producer.objects.values_list("mobile", flat=True)) == [
        "+919800000001",
        "+919800000003",
    ]
    # The error sheet still says what to correct; corrected and imported, the rest is unchanged.
    content = b"".join(client.get(f"/producers/import/{job.uuid}/errors/").streaming_content)
    sheet = read_csv(content)
    assert sheet[2][-1].startswith("«मोबाइल / Mobile»: 12345 is not a valid mobile number.")
    sheet[2][HEADER.index("मोबाइल / Mobile")] = "9800000002"
    again = import_file(client, "sheet.csv", csv_bytes(sheet[1:], sheet[0]))
    assert (again.created_count, again.unchanged_count) == (1, 2)


def test_a_sheet_without_errors_cannot_be_asked_to_import_its_valid_rows_again(ganesh):
    client = client_for(ganesh)
    job = import_file(client, "sheet.csv", csv_bytes([artisan(1)]))
    assert job.status == ImportJob.Status.DONE
    response = client.post(f"/producers/import/{job.uuid}/import-valid-rows/", follow=True)
    assert (
        "This sheet is not waiting for a choice; nothing was changed." in response.content.decode()
    )
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()


# --- The template --------------------------------------------------------------------------


def test_the_template_has_bilingual_headers_and_instructions(ganesh):
    client = client_for(ganesh)
    response = client.get("/producers/import/template.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="producers-template.xlsx"'
    content = b"".join(response.streaming_content)
    producers = read_xlsx(content, 0)
    assert producers == [HEADER]
    assert HEADER[:3] == [
        "प्रकार / Kind",
        "नाम (हिन्दी) / Name (Hindi)",
        "नाम (अंग्रेज़ी) / Name (English)",
    ]
    instructions = read_xlsx(content, 1)
    assert instructions[0] == ["Column", "Required", "What to write", "Example"]
    odop = next(r for r in instructions if r[0] == "ओडीओपी उत्पाद / ODOP product")
    assert odop[2] == (
        "One of the district's ODOP products, by its English or Hindi name: "
        "Readymade garments (रेडीमेड वस्त्र), Terracotta (टेराकोटा)."
    )
    assert next(r for r in instructions if r[0] == HEADER[1])[1:] == [
        "Required",
        "Required. The name in Devanagari (Unicode Hindi, not a Kruti Dev font).",
        "रामू प्रजापति",
    ]
    csv_template = client.get("/producers/import/template.csv")
    assert read_csv(b"".join(csv_template.streaming_content)) == [HEADER]


def test_the_filled_in_template_imports(ganesh):
    content = b"".join(client_for(ganesh).get("/producers/import/template.xlsx").streaming_content)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    example = [c.value for c in workbook.worksheets[1]["D"][1 : len(HEADER) + 1]]
    workbook.worksheets[0].append(example)
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = import_file(client_for(ganesh), "template.xlsx", buffer.getvalue())
    assert job.status == ImportJob.Status.DONE, job.errors
    ramu = Producer.objects.get()
    assert (ramu.name_hi, ramu.name_latin, ramu.gender, ramu.social_category) == (
        "रामू प्रजापति",
        "Ramu Prajapati",
        Gender.MALE,
        SocialCategory.OBC,
    )
    assert (ramu.bank_account_masked, ramu.aadhaar_last4, ramu.mobile) == (
        "XXXXXXXX9012",
        "1234",
        "+919876543210",
    )


# --- A real centre's sheet -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["gorakhpur_terracotta.xlsx", "gorakhpur_terracotta_excel.xlsx", "gorakhpur_terracotta.csv"],
)
def test_a_centre_sheet_imports_with_its_own_headers_merged_cells_and_empty_rows(
    ganesh, gorakhpur, terracotta, name
):
    job = import_file(client_for(ganesh), name, sample(name))
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.total_rows, job.created_count) == (6, 6)
    got = {
        p.name_hi: (p.kind, p.name_latin, p.gender, p.women_led, p.social_category, p.village)
        for p in Producer.objects.all()
    }
    assert got == {
        "रामू प्रजापति": ("artisan", "Ramu Prajapati", "male", False, "obc", "Aurangabad"),
        # the village of a merged cell belongs to each row it spans
        "सीता देवी": ("artisan", "Sita Devi", "female", True, "obc", "Aurangabad"),
        "लक्ष्मी स्वयं सहायता समूह": ("shg", "Laxmi SHG", "", True, "", "Aurangabad"),
        "गोरखपुर टेराकोटा उद्योग": (
            "msme",
            "Gorakhpur Terracotta Udyog",
            "",
            False,
            "general",
            "Bhathat",
        ),
        "मोहम्मद इरफ़ान": ("artisan", "Mohd. Irfan", "male", False, "minority", "Bhathat"),
        "गीता प्रजापति": ("artisan", "Gita Prajapati", "female", True, "sc", "Aurangabad"),
    }
    ramu = Producer.objects.get(name_hi="रामू प्रजापति")
    assert (ramu.mobile, ramu.pin, ramu.odop_product, ramu.aadhaar_last4) == (
        "+919876543210",
        "273001",
        terracotta,
        "4321",
    )
    assert sorted(a.code for a in ramu.activities.all()) == ["firing", "pottery"]
    udyog = Producer.objects.get(kind=Kind.MSME)
    assert (udyog.gstin, udyog.udyam) == ("09AAACH7409R1ZZ", "UDYAM-UP-29-0012345")
    # Each producer starts the funnel with a dated, attributed entry, as the page records it.
    history = StageChange.objects.get(producer=ramu)
    assert (history.to_stage, history.changed_by, history.reason) == (
        Stage.CONTACTED,
        ganesh,
        f"Registered from the sheet {name}",
    )
    audit = AuditEntry.objects.get(action="producer.import")
    assert audit.actor == ganesh
    assert audit.district == gorakhpur
    assert audit.changes == {
        "file": name,
        "sha256": job.sha256,
        "rows": 6,
        "created": 6,
        "unchanged": 0,
        "rows_with_errors": 0,
        "duplicates": 0,
    }
    progress = TaskProgress.objects.get(pk=job.progress_id)
    assert (progress.status, progress.done, progress.total, progress.percent) == ("done", 6, 6, 100)
    assert progress.result == {"created": 6, "unchanged": 0}


def test_the_file_is_deleted_when_its_import_ends_and_only_its_sha256_stays(ganesh):
    data = sample("gorakhpur_terracotta.csv")
    job = import_file(client_for(ganesh), "list.csv", data)
    assert job.status == ImportJob.Status.DONE
    assert job.sha256 == hashlib.sha256(data).hexdigest()
    assert job.file_name == "list.csv"
    assert not job.file
    assert job.file_deleted_at is not None


def test_a_sheet_with_errors_is_kept_for_its_error_sheet_then_deleted(ganesh, settings):
    settings.IMPORT_FILE_RETENTION = datetime.timedelta(days=7)
    data = csv_bytes([artisan(1), artisan(2, mobile="12345")])
    client = client_for(ganesh)
    job = import_file(client, "list.csv", data)
    assert job.status == ImportJob.Status.HAS_ERRORS
    name = job.file.name
    storage = job.file.storage
    with job.file.open("rb") as kept:
        assert kept.read() == data
    assert job.file_kept_until is not None

    # a day before its time the clean-up leaves it
    assert jobs.delete_expired_files(job.file_kept_until - datetime.timedelta(days=1)) == 0
    assert storage.exists(name)
    # after its time it is gone, and the page says so instead of offering the download
    assert jobs.delete_expired_files(job.file_kept_until + datetime.timedelta(seconds=1)) == 1
    assert not storage.exists(name)
    page = client.get(f"/producers/import/{job.uuid}/").content.decode()
    assert "The uploaded sheet has been deleted" in page
    assert client.get(f"/producers/import/{job.uuid}/errors/").status_code == 404


def test_error_sheets_mask_aadhaar_and_bank_account_numbers(ganesh):
    client = client_for(ganesh)
    rows = [artisan(1, aadhaar="234567890123", bank_account="123456789012", pin="2730")]
    job = import_file(client, "list.csv", csv_bytes(rows))
    sheet = read_csv(
        b"".join(client.get(f"/producers/import/{job.uuid}/errors/").streaming_content)
    )
    row = dict(zip(sheet[0], sheet[1], strict=False))
    assert row["आधार (अंतिम 4 अंक) / Aadhaar (last 4 digits)"] == "0123"
    assert row["बैंक खाता संख्या / Bank account number"] == "XXXXXXXX9012"
    assert "234567890123" not in str(sheet)
    assert "123456789012" not in str(sheet)
    # corrected, the masked sheet imports as it is
    sheet[1][HEADER.index("पिन कोड / PIN code")] = "273001"
    again = import_file(client, "list.csv", csv_bytes(sheet[1:], sheet[0]))
    assert again.status == ImportJob.Status.DONE, again.errors
    producer = Producer.objects.get()
    assert (producer.aadhaar_last4, producer.bank_account_masked) == ("0123", "XXXXXXXX9012")


# --- Pages while the task runs ---------------------------------------------------------------


def test_the_job_page_polls_until_the_check_is_done(ganesh):
    client = client_for(ganesh)
    response = upload(client, "sheet.csv", csv_bytes([artisan(1)]))
    job = ImportJob.objects.get()
    page = client.get(response["Location"]).content.decode()
    status = f"/producers/import/{job.uuid}/status/"
    assert f'<div id="import-status" hx-get="{status}"' in page
    part = client.get(status, headers={"HX-Request": "true"}).content.decode()
    assert part.strip().startswith(f'<div id="import-status" hx-get="{status}"')
    assert "<div hx-disable>" in part  # the bar's own polling is off; this part polls
    assert "Checking the sheet, row by row" in part
    run_worker()
    part = client.get(status, headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in part
    assert "1 new producer registered." in part
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE


def test_the_task_checks_in_the_language_of_the_person_who_uploaded(ganesh):
    upload(client_for(ganesh, **{"accept-language": "hi"}), "s.csv", csv_bytes([artisan(1)]))
    job = ImportJob.objects.get()
    assert DBTaskResult.objects.get().args_kwargs == {
        "args": ["producers", str(job.uuid), "hi"],
        "kwargs": {},
    }


# --- Who may import --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["gita", "sam", "prem"])
# `db` before the persona (see tests/test_tasks.py).
def test_only_centre_staff_and_state_admins_import(request, db, persona, tmp_path):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/producers/import/").status_code == 403
    assert client.get("/producers/import/template.xlsx").status_code == 403
    response = upload(client, "sheet.csv", csv_bytes([artisan(1)]))
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert not list(tmp_path.rglob("*.csv"))
    assert Producer.objects.count() == 0


def test_import_rows_refuses_those_who_may_not_change_the_district(gita, vani, gorakhpur):
    for user in (gita, vani):
        with pytest.raises(PermissionDenied):
            import_rows(gorakhpur, [{"kind": "artisan", "name_hi": "रामू"}], acting_user=user)
    assert Producer.objects.count() == 0


def test_state_admin_chooses_the_district(alice, varanasi):
    client = client_for(alice)
    page = client.get("/producers/import/").content.decode()
    assert '<select name="district"' in page
    response = upload(client, "sheet.csv", csv_bytes([artisan(1)]))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ImportJob.objects.exists()
    rows = [artisan(1, odop_product="Banarasi silk sarees", activities="Weaving", pin="221001")]
    job = import_file(client, "sheet.csv", csv_bytes(rows), district=varanasi.pk)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert Producer.objects.get().district == varanasi


def test_another_districts_import_is_not_found(ganesh, vani):
    job = import_file(client_for(vani), "varanasi.csv", csv_bytes([artisan(1, odop_product="")]))
    client = client_for(ganesh)
    for url in (f"/producers/import/{job.uuid}/", f"/producers/import/{job.uuid}/errors/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/producers/import/{job.uuid}/import-valid-rows/").status_code == 404
    assert "varanasi.csv" not in client.get("/producers/import/").content.decode()


# --- Bad files: a clear message, nothing kept ------------------------------------------------


def refused(client, name: str, data: bytes) -> str:  # type: ignore[no-untyped-def]
    response = upload(client, name, data)
    assert response.status_code == 200
    assert not ImportJob.objects.exists()
    return response.context["form"].errors["file"][0]


# --- The mapping step ------------------------------------------------------------------------

CENTRE_HEADER = ["क्र.सं.", "Name", "Mob.", "गाँव", "Registration date", "Caste"]
CENTRE_ROWS = [
    ["1", "रामू प्रजापति", "98000 00001", "Village 1", "05/01/2021", "OBC"],
    ["2", "सीता देवी", "98000 00002", "Village 1", "5-1-2021", "SC"],
]


def test_a_centre_sheet_is_mapped_once_and_its_mapping_remembered(ganesh, gorakhpur):
    client = client_for(ganesh)
    # given a centre's own list: no kind column, a plain "Name", "Mob.", and columns we lack
    data = csv_bytes(CENTRE_ROWS, CENTRE_HEADER)

    # when Ganesh uploads it, he is asked what its columns hold
    response = upload(client, "list.csv", data)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.MAPPING
    assert response["Location"] == f"/producers/import/{job.uuid}/columns/"
    page = client.get(response["Location"]).content.decode()
    # each column with a sample, the recognised ones already chosen
    assert "रामू प्रजापति, सीता देवी" in page
    assert job.mapping == {
        "0": "",
        "1": "name_hi",
        "2": "mobile",
        "3": "village",
        "4": None,
        "5": "social_category",
    }

    # when he maps one column twice and leaves the kind out, he is told, and nothing starts
    choice = {
        f"column_{i}": v
        for i, v in enumerate(["-", "name_hi", "mobile", "village", "mobile", "social_category"])
    }
    page = client.post(response["Location"], choice).content.decode()
    assert (
        "«मोबाइल / Mobile» is chosen for «Mob.» (column C) and «Registration date» (column E)."
        in page
    )
    assert (
        "Required, but no column holds it and no value is given for all rows: «प्रकार / Kind»."
        in page
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.MAPPING
    assert job.progress is None

    # when he ignores the date and says all rows are artisans
    choice["column_4"] = "-"
    response = client.post(response["Location"], {**choice, "constant_kind": "artisan"})
    assert response["Location"] == f"/producers/import/{job.uuid}/"
    run_worker()
    job.refresh_from_db()

    # then the sheet is imported
    assert job.status == ImportJob.Status.DONE, job.errors
    assert sorted(Producer.objects.values_list("kind", "name_hi", "social_category")) == [
        ("artisan", "रामू प्रजापति", "obc"),
        ("artisan", "सीता देवी", "sc"),
    ]

    # and the next sheet of the district with the same headers is read the same way by itself
    more = csv_bytes(
        [*CENTRE_ROWS, ["3", "गीता देवी", "98000 00003", "Village 2", "", "SC"]], CENTRE_HEADER
    )
    again = import_file(client, "list-march.csv", more)
    assert again.mapping_remembered
    assert (again.status, again.created_count, again.unchanged_count) == ("done", 1, 2)


def test_a_sheet_of_the_template_needs_no_mapping(ganesh):
    job = import_file(client_for(ganesh), "s.csv", csv_bytes([artisan(1)]))
    assert job.status == ImportJob.Status.DONE
    assert not job.mapping_remembered


def test_a_file_over_50_mb_is_refused_before_reading(ganesh, monkeypatch):
    read = []
    monkeypatch.setattr(
        sheets_reading, "_file_kind", lambda data, name="": read.append(data) or "csv"
    )
    message = refused(client_for(ganesh), "huge.csv", b"a" * (50 * 1024 * 1024 + 1))
    assert message == (
        "The file is 50.0 MB; files up to 50 MB can be imported. "
        "Split the sheet into smaller files."
    )
    assert read == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "scan.pdf",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            "This is not a spreadsheet but a PDF file. "
            "Upload an Excel workbook (.xlsx) or a CSV file.",
        ),
        (
            "photo.xlsx",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "This is not a spreadsheet but a PNG file. "
            "Upload an Excel workbook (.xlsx) or a CSV file.",
        ),
        (
            "program.csv",
            bytes(range(256)) * 40,
            "This file is not a spreadsheet. Upload an Excel workbook (.xlsx) or a CSV file.",
        ),
        (
            "old.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
            "This is an old Excel workbook (.xls). Open it in Excel and save it as an Excel "
            "Workbook (.xlsx) or as CSV.",
        ),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused(ganesh, name, data, message):
    assert refused(client_for(ganesh), name, data) == message


def zipped(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return buffer.getvalue()


def test_an_opendocument_sheet_is_refused_with_what_to_do(ganesh):
    ods = zipped(mimetype=b"application/vnd.oasis.opendocument.spreadsheet")
    assert refused(client_for(ganesh), "list.ods", ods) == (
        "This is an OpenDocument spreadsheet (.ods). Save it as an Excel Workbook (.xlsx) or as "
        "CSV, and upload that."
    )


def test_a_zip_that_is_not_a_workbook_is_refused(ganesh):
    assert refused(client_for(ganesh), "photos.zip", zipped(**{"a.txt": b"hello"})) == (
        "This file is not a spreadsheet. Upload an Excel workbook (.xlsx) or a CSV file."
    )


def test_an_empty_file_is_refused(ganesh):
    response = upload(client_for(ganesh), "empty.csv", b"")
    assert response.context["form"].errors["file"] == ["The submitted file is empty."]
    assert refused(client_for(ganesh), "blank.csv", b"\r\n \r\n") == "The file is empty."


def test_a_sheet_with_only_headers_is_refused_at_upload(ganesh):
    message = refused(client_for(ganesh), "s.csv", csv_bytes([["", ""]]))
    assert message == "The sheet has headers but no producers under them."
    assert ImportJob.objects.count() == 0


def test_a_sheet_whose_rows_start_far_below_its_header_is_taken(ganesh):
    data = csv_bytes([[""] * 3] * 12 + [artisan(1)])
    job = import_file(client_for(ganesh), "s.csv", data)
    assert (job.status, job.created_count) == ("done", 1)


def test_a_sheet_that_fails_in_its_check_shows_failed_and_saves_nothing(ganesh, monkeypatch):
    monkeypatch.setattr(sheets_reading, "MAX_ROWS", 1)
    job = import_file(client_for(ganesh), "s.csv", csv_bytes([artisan(1), artisan(2)]))
    assert job.status == ImportJob.Status.FAILED
    assert Producer.objects.count() == 0
    page = client_for(ganesh).get(f"/producers/import/{job.uuid}/").content.decode()
    assert "This sheet could not be imported. Nothing was saved." in page


def test_a_damaged_workbook_is_refused(ganesh):
    data = xlsx_bytes([artisan(1)])
    damaged = data[: len(data) // 2]
    message = refused(client_for(ganesh), "s.xlsx", damaged)
    assert (
        message == "This file is not a spreadsheet. Upload an Excel workbook (.xlsx) or a CSV file."
    )


def test_too_many_rows_are_refused(ganesh, monkeypatch):
    monkeypatch.setattr(sheets_reading, "MAX_ROWS", 3)
    job = import_file(client_for(ganesh), "s.csv", csv_bytes([artisan(i) for i in range(5)]))
    assert job.status == ImportJob.Status.FAILED
    assert errors_of(job) == [
        (
            None,
            "",
            "The sheet has more than 3 rows; up to 3 rows can be imported from one file. "
            "Split it into smaller files.",
        )
    ]
    assert Producer.objects.count() == 0


# --- Encodings and layouts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ","),
        ("utf-8-sig", ","),  # Excel's "CSV UTF-8"
        ("utf-16", "\t"),  # Excel's "Unicode text"
        ("utf-16-le", "\t"),  # the same without its byte order mark
        ("utf-8-sig", ";"),  # Excel where the comma is the decimal sign
    ],
)
def test_csv_in_every_encoding_excel_writes(ganesh, encoding, delimiter):
    data = csv_bytes([artisan(1), artisan(2)], encoding=encoding, delimiter=delimiter)
    job = import_file(client_for(ganesh), "s.csv", data)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert sorted(Producer.objects.values_list("name_hi", flat=True)) == [
        "मोहन प्रजापति",
        "श्याम प्रजापति",
    ]


def test_cp1252_is_read_only_when_the_bytes_are_not_utf8(ganesh):
    # A sheet saved as "CSV (Comma delimited)" on Windows: English headers, a é in a village.
    header = ["Kind", "Name (Hindi)", "Village or town", "Mobile"]
    data = csv_bytes([["Artisan", "रामू", "Kasba", "9800000001"]], header, encoding="utf-8")
    cp1252 = "Kind,Name (Hindi),Village or town,Mobile\r\nArtisan,Ramu,Café Tola,9800000001\r\n"
    assert read_sheet(data).rows[1] == ["Artisan", "रामू", "Kasba", "9800000001"]
    assert read_sheet(cp1252.encode("cp1252")).rows[1][2] == "Café Tola"
    # Such a file cannot hold Devanagari, so its rows come back with what to correct.
    job = import_file(client_for(ganesh), "s.csv", cp1252.encode("cp1252"))
    assert errors_of(job) == [
        (2, "Name (Hindi)", "Write this name in Devanagari (Hindi) letters."),
    ]


def test_a_bad_utf8_file_with_a_byte_order_mark_is_refused(ganesh):
    message = refused(client_for(ganesh), "s.csv", codecs.BOM_UTF8 + b"Kind,\xff\xfe\xfa")
    assert message == (
        "The text of this file could not be read. "
        "In Excel, save it as “CSV UTF-8” and upload it again."
    )


def test_empty_rows_are_skipped_and_rows_keep_their_sheet_numbers(ganesh):
    rows = [artisan(1), row(), ["", " ", ""], artisan(2, mobile="1")]
    job = import_file(client_for(ganesh), "s.xlsx", xlsx_bytes(rows, before=[["Title"], []]))
    assert job.total_rows == 2
    # title row 1, empty row 2, header row 3, rows 4 to 7
    assert errors_of(job) == [
        (7, "मोबाइल / Mobile", "1 is not a valid mobile number. Give 10 digits, like 98765 43210."),
    ]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("नाम (हिन्दी) / Name (Hindi)", "name_hi"),
        ("Name (Hindi) / नाम (हिंदी)", "name_hi"),
        ("  NAME  (hindi) ", "name_hi"),
        ("नाम", "name_hi"),
        ("name in english", "name_latin"),
        ("नाम (अंग्रेजी)", "name_latin"),
        ("Mobile No.", "mobile"),
        ("मोबाइल नंबर", "mobile"),
        ("PINCODE", "pin"),
        ("गांव", "village"),
        ("Aadhar", "aadhaar"),
        ("त्रुटि / Error", ""),
        ("S. No.", ""),
        ("पहचान संख्या / ID", ""),
        ("Name", "name_hi"),
        ("मोबाइल नं.", "mobile"),
        ("Mob.", "mobile"),
        ("Mobil", None),
    ],
)
def test_headers_in_hindi_english_or_both(header, field):
    assert field_for_header(header) == field


def test_merged_cells_take_their_top_left_value(ganesh):
    rows = [
        artisan(1, village="Aurangabad", tehsil="Sadar"),
        artisan(2, village="", tehsil=""),
        artisan(3, village="", tehsil=""),
        artisan(4, village="Bhathat"),
    ]
    village = HEADER.index("गाँव या कस्बा / Village or town")
    first, last = (
        openpyxl.utils.get_column_letter(village + 1),
        openpyxl.utils.get_column_letter(village + 2),
    )
    data = xlsx_bytes(rows, merge=[f"{first}2:{last}4"])
    sheet = read_sheet(data)
    assert [r[village : village + 2] for r in sheet.rows[1:]] == [
        ["Aurangabad", "Aurangabad"],
        ["Aurangabad", "Aurangabad"],
        ["Aurangabad", "Aurangabad"],
        ["Bhathat", "Sadar"],
    ]


def openpyxl_rows(data: bytes) -> list[list[str]]:
    """The first sheet as openpyxl itself reads it (not read-only, so it knows merged cells),
    merged ranges filled with their top-left value, as text."""
    sheet = openpyxl.load_workbook(io.BytesIO(data), data_only=True).worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    for cells in sheet.merged_cells.ranges:
        top_left = values[cells.min_row - 1][cells.min_col - 1]
        for number in range(cells.min_row, cells.max_row + 1):
            for column in range(cells.min_col, cells.max_col + 1):
                values[number - 1][column - 1] = top_left
    texts = [[sheets_reading._cell_text(value) for value in line] for line in values]
    width = max(len(line) for line in texts)
    return [line + [""] * (width - len(line)) for line in texts]


@pytest.mark.parametrize(
    "data",
    [
        sample("gorakhpur_terracotta.xlsx"),
        sample("gorakhpur_terracotta_excel.xlsx"),
        xlsx_bytes(
            [
                [1, 2.5, -3, 1e20, True, False, None, "  spaced  ", "'=escaped", "a & <b>"],
                # Excel's dates have no time zone
                [datetime.datetime(2024, 3, 12), datetime.date(2024, 1, 2)],  # noqa: DTZ001
                [],
                ["=SUM(A1:B1)", "after a gap"],
            ],
            merge=["A5:B6"],
            before=[["title"]],
        ),
    ],
    ids=["inline strings", "shared strings", "every kind of cell"],
)
def test_workbooks_read_as_openpyxl_reads_them(data):
    rows = sheets_reading._xlsx_rows(data, None, PRODUCER_SHEET)
    width = len(openpyxl_rows(data)[0])
    assert [row + [""] * (width - len(row)) for row in rows] == openpyxl_rows(data)[: len(rows)]
    assert not any(any(row) for row in openpyxl_rows(data)[len(rows) :])


def test_numbers_booleans_and_dates_typed_by_excel_are_read_as_text(ganesh):
    rows = [
        row(
            kind="Artisan",
            name_hi="रामू",
            mobile=9800000001,  # type: ignore[arg-type]
            pin=273001,  # type: ignore[arg-type]
            women_led=True,  # type: ignore[arg-type]
            tehsil=datetime.datetime(2024, 3, 12),  # type: ignore[arg-type]  # noqa: DTZ001
        )
    ]
    sheet = read_sheet(xlsx_bytes(rows))
    values = dict(next(sheet.records())[1])
    assert (values["mobile"], values["pin"], values["women_led"], values["tehsil"]) == (
        "9800000001",
        "273001",
        "yes",
        "12/03/2024",
    )


def test_formula_escaped_cells_of_an_export_read_back(ganesh):
    data = csv_bytes([artisan(1, mobile="'+919800000001", village="'=Gaon")])
    values = dict(next(read_sheet(data).records())[1])
    assert (values["mobile"], values["village"]) == ("+919800000001", "=Gaon")


# --- Rows: the registration action's rules, in the user's language ------------------------------


def refused_by_the_action(district, user, values):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as refused:
        do_register_producer(district, values, acting_user=user)
    return [
        (name, message)
        for name, messages in refused.value.message_dict.items()
        for message in messages
    ]


@pytest.mark.parametrize(("field", "typed", "sentence"), REFUSED, ids=REFUSED_IDS)
def test_a_row_is_refused_as_the_action_refuses_it(ganesh, gorakhpur, field, typed, sentence):
    values = {**VALID, field: typed}
    checked = RowChecker(gorakhpur).check(values, 2)
    assert checked.values is None
    assert checked.errors == [(field, sentence)]
    assert checked.errors == refused_by_the_action(gorakhpur, ganesh, values)
    # and the import reports it on the row, under the sheet's header of the column
    valid = {**VALID, "name_hi": "सीता देवी", "gender": "female", "pin": "273009"}
    report = import_rows(gorakhpur, [valid, values], acting_user=ganesh)
    header = next(column.header for column in COLUMNS if column.field == field)
    assert [(p.row, p.column, p.message) for p in report.problems] == [(3, header, sentence)]
    assert (report.saved, report.error_rows, report.created) == (False, 1, 0)
    assert snapshot() == (0, 0, 0, 0)


def test_full_aadhaar_and_account_numbers_in_a_sheet_are_stored_masked_on_every_import(ganesh):
    client = client_for(ganesh)
    # given a sheet whose rows give the Aadhaar and bank account numbers in full, one row with
    # a wrong mobile
    rows = [
        artisan(1, aadhaar=FULL_AADHAAR, bank_account=FULL_ACCOUNT, bank_ifsc="SBIN0001234"),
        artisan(2, aadhaar="234567890124", mobile="12345"),
        artisan(3, aadhaar="2345-6789-0125", bank_account="00 1234 5678 9012"),
    ]
    data = xlsx_bytes(rows)
    # when it is checked, then imported without its bad row, then imported again
    job = import_file(client, "kumhar.xlsx", data)
    assert job.status == ImportJob.Status.HAS_ERRORS
    assert_not_stored(*SECRET_PARTS, "234567890124", "234567890125")
    client.post(f"/producers/import/{job.uuid}/import-valid-rows/")
    run_worker()
    again = import_file(client, "kumhar.xlsx", data)
    # then only the last four digits are kept, by the rule the action applies, and nothing twice
    assert (again.created_count, again.unchanged_count, again.error_rows) == (0, 2, 1)
    kept = {
        p.mobile: (p.aadhaar_last4, p.bank_account_masked)
        for p in Producer.objects.order_by("mobile")
    }
    assert kept == {
        "+919800000001": (AADHAAR_LAST4, ACCOUNT_MASKED),
        "+919800000003": ("0125", "XXXXXXXXXX9012"),
    }
    stored = rules.clean_producer(
        {**VALID, "aadhaar": FULL_AADHAAR, "bank_account": FULL_ACCOUNT}, ganesh.district
    )
    assert (stored["aadhaar_last4"], stored["bank_account_masked"]) == kept["+919800000001"]
    assert_not_stored(*SECRET_PARTS, "234567890124", "234567890125", "12345678901")


def test_a_valid_row_gives_what_the_action_stores(gorakhpur, terracotta):
    values = {
        "kind": "artisan",
        "name_hi": "सीता देवी",
        "gender": "female",
        "social_category": "sc",
        "pin": "273001",
        "mobile": "098765-43210",
        "bank_ifsc": "sbin0001234",
        "bank_account": "1234 5678 9012",
        "gstin": "27AAPFU0939F1ZV",
        "aadhaar": "2345 6789 0123",
    }
    checked = RowChecker(gorakhpur).check({**values, "odop_product": "टेराकोटा"}, 2)
    # a sheet has every column, empty where nothing was written
    blank = dict.fromkeys(bulk_import.SHEET_TEXT_FIELDS, "")
    assert checked.values == rules.clean_producer(
        {**blank, **values, "women_led": False, "odop_product": terracotta}, gorakhpur
    )
    assert checked.values["women_led"] is True  # a woman artisan
    assert (checked.values["aadhaar_last4"], checked.values["bank_account_masked"]) == (
        "0123",
        "XXXXXXXX9012",
    )
    assert "aadhaar" not in checked.values
    assert "bank_account" not in checked.values
    assert checked.warnings == [
        "GSTIN 27AAPFU0939F1ZV is registered in state code 27, not 09 of this district."
    ]


@pytest.mark.parametrize(
    "name",
    ["रामू प्रजापति", "रामू \tप्रजापति", "राम-कुमार  वर्मा", "Ramu प्रजापति", "सिंह", "ज़ाकिर हुसैन"],
)
def test_latin_names_are_spelt_as_the_form_spells_them(gorakhpur, name):
    from niryat.registry.transliterate import to_latin

    assert RowChecker(gorakhpur).to_latin(name) == to_latin(name)


def test_choices_may_be_written_in_hindi_or_english(gorakhpur):
    checker = RowChecker(gorakhpur)
    for kind, expected in [
        ("कारीगर", "artisan"),
        ("SHG", "shg"),
        ("MSME unit", "msme"),
        ("FPO", "producer_org"),
    ]:
        checked = checker.check({"kind": kind, "name_hi": "रामू"}, 2)
        assert checked.values is not None, checked.errors
        assert checked.values["kind"] == expected
    checked = checker.check(
        {
            "kind": "Artisan",
            "name_hi": "रामू",
            "gender": "पुरुष",
            "social_category": "ओबीसी",
            "women_led": "हाँ",
            "activities": "बुनाई",
        },
        2,
    )
    assert checked.errors == [
        (
            "activities",
            "Not an activity for Gorakhpur's ODOP products: «बुनाई». Write one or more of: "
            "Dyeing, Embroidery, Kiln firing, Packing and labelling, Painting and finishing, "
            "Pottery and moulding, Printing, Quality checking, Spinning, Stitching and tailoring, "
            "separated by commas.",
        ),
    ]
    checked = checker.check({"kind": "Weaver", "name_hi": "रामू", "women_led": "maybe"}, 2)
    assert checked.errors == [
        (
            "kind",
            "«Weaver» is not one of: Artisan, Self-help group, MSME unit, Producer organisation.",
        ),
        ("women_led", "Write yes or no, not «maybe»."),
    ]


def test_a_producer_of_another_district_is_refused_in_its_row(ganesh):
    rows = [artisan(1, odop_product="Banarasi silk sarees", activities="Weaving")]
    job = import_file(client_for(ganesh), "s.csv", csv_bytes(rows))
    assert [e[1] for e in errors_of(job)] == [
        "ओडीओपी उत्पाद / ODOP product",
        "गतिविधियाँ / Activities",
    ]
    assert Producer.objects.count() == 0


def test_errors_are_in_the_language_of_the_upload(gorakhpur, ganesh):
    values = {"kind": "artisan", "name_hi": "रामू", "pin": "12"}
    with translation.override("hi"):
        checked = RowChecker(gorakhpur).check(values, 2)
        assert checked.errors == refused_by_the_action(gorakhpur, ganesh, values)
    assert checked.errors == [
        ("pin", hindi("PIN code must be 6 digits; %(value)s is not.") % {"value": "12"})
    ]


# --- Idempotence -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registered", "row_values"),
    [
        ({"mobile": "+919800000001"}, {"mobile": "98000 00001", "name_hi": "कोई और"}),
        ({"gstin": "09AAACH7409R1ZZ"}, {"gstin": "09aaach7409r1zz", "name_hi": "कोई और"}),
        ({"udyam": "UDYAM-UP-29-0012345"}, {"udyam": "udyam-up-29-0012345", "name_hi": "कोई और"}),
        ({"pin": "273001"}, {"pin": "273001", "mobile": "", "name_latin": ""}),
    ],
)
def test_a_row_already_registered_is_left_unchanged(ganesh, gorakhpur, registered, row_values):
    existing = register(gorakhpur, ganesh, name_hi="रामू प्रजापति", **registered)
    values = {"kind": "artisan", "name_hi": "रामू प्रजापति", **row_values}
    report = import_rows(gorakhpur, [values], acting_user=ganesh)
    assert (report.created, report.unchanged) == (0, 1)
    assert list(Producer.objects.all()) == [existing]


def test_a_producer_of_another_district_does_not_make_a_row_unchanged(
    ganesh, vani, varanasi, gorakhpur
):
    register(varanasi, vani, mobile="+919800000001")
    report = import_rows(
        gorakhpur,
        [{"kind": "artisan", "name_hi": "रामू", "mobile": "9800000001"}],
        acting_user=ganesh,
    )
    assert (report.created, report.unchanged) == (1, 0)


# --- Duplicates: flagged as the registration page flags them ---------------------------------


def test_likely_duplicates_are_flagged_and_listed(ganesh, gorakhpur):
    ramu = register(gorakhpur, ganesh, name_hi="रामू प्रजापति", pin="273001", mobile="+919800000009")
    rows = [
        # the same name as Ramu, spelt differently, in his village (a row without a PIN code)
        artisan(
            1, name_hi="रामू प्रजापति", name_latin="Ramoo Prajapati", pin="", village="Aurangabad"
        ),
        artisan(2, name_hi="सीता देवी", name_latin="", mobile="9800000003"),
        artisan(3, name_hi="गीता देवी", name_latin="", mobile="9800000003", pin="273010"),
    ]
    job = import_file(client_for(ganesh), "s.csv", csv_bytes(rows))
    assert job.status == ImportJob.Status.DONE
    ramoo = Producer.objects.get(name_latin="Ramoo Prajapati")
    sita, gita = Producer.objects.get(name_hi="सीता देवी"), Producer.objects.get(name_hi="गीता देवी")
    flags = {
        (f.first_id, f.second_id): (f.reasons, f.score, f.district_id)
        for f in DuplicateFlag.objects.all()
    }
    assert flags == {
        (ramu.pk, ramoo.pk): (
            ["similar name in the same village or PIN code"],
            100.0,
            gorakhpur.pk,
        ),
        (sita.pk, gita.pk): (["same mobile number"], 100.0, gorakhpur.pk),
    }
    duplicates = [(d["row"], d["message"]) for d in job.errors if d["kind"] == "duplicate"]
    assert duplicates == [
        (
            2,
            "Probably the same producer as रामू प्रजापति / Ramu Prajapati, already registered "
            "(similar name in the same village or PIN code).",
        ),
        (4, "Probably the same producer as row 3 of this sheet (same mobile number)."),
    ]
    page = client_for(ganesh).get(f"/producers/import/{job.uuid}/").content.decode()
    assert "Possible duplicates to review" in page
    assert f'href="/producers/{ramoo.uuid}/"' in page


NAMES = [
    ("रामू प्रजापति", "", "273001"),
    ("रामू प्रजापति", "Ramoo Prajapati", "273001"),
    ("रामु प्रजापती", "", "273001"),
    ("श्यामू प्रजापति", "", "273001"),
    ("मोहम्मद इरफ़ान", "Mohd Irfan", "273001"),
    ("मोहम्मद इरफान", "Mohammad Irfan", "273002"),
    ("इरफ़ान मोहम्मद", "", "273002"),
    ("लक्ष्मी देवी", "Laxmi Devi", "273003"),
    ("लक्ष्मी देवी", "Lakshmi Devi", "273003"),
    ("सीता देवी", "", "273003"),
    ("गीता देवी", "", "273003"),
    ("राम कुमार वर्मा", "", "273004"),
    ("रामकुमार वर्मा", "Ramkumar Verma", "273004"),
    ("राम कुमार", "Ram Kumar", "273004"),
    ("राम प्रसाद लाल श्याम सुंदर गुप्ता जी", "", "273004"),
    ("राम प्रसाद लाल श्याम सुंदर गुप्त जी", "", "273004"),
    ("जय माँ लक्ष्मी महिला स्वयं सहायता समूह", "", "273005"),
    ("जय मां लक्ष्मी महिला स्वयं सहायता समूह", "", "273005"),
    ("आदर्श आशा महिला स्वयं सहायता समूह", "", "273005"),
    ("आदर्श उजाला महिला स्वयं सहायता समूह", "", "273005"),
    ("एकता महिला स्वयं सहायता समूह", "Ekta Mahila Swayam Sahayata Samuh", "273005"),
    ("एकता महिला स्वयं सहायता समुह", "", "273005"),
    ("श्यामल पाल", "", "273006"),
    ("श्याम पाल", "", "273006"),
    ("श्याम लाल पाल", "", "273006"),
]


def test_flags_are_those_the_registration_page_would_raise(ganesh, gorakhpur):
    """Every pair find_duplicates finds for the imported producers is flagged, and no other."""
    # registered producers in the villages of the new rows (with PIN codes) but without a PIN
    register(gorakhpur, ganesh, name_hi="रामू प्रजापति", pin="", village="V0", mobile="+919800000100")
    register(gorakhpur, ganesh, name_hi="इरफ़ान मोहम्मद", pin="", village="V1")
    rows = [
        {"kind": "artisan", "name_hi": hi, "name_latin": latin, "pin": pin, "village": f"V{i % 3}"}
        for i, (hi, latin, pin) in enumerate(NAMES)
    ]
    report = import_rows(gorakhpur, rows, acting_user=ganesh)
    assert report.created == len(NAMES)
    expected = set()
    for producer in report.producers:
        for match in find_duplicates(producer):
            expected.add((*sorted((producer.pk, match.producer.pk)), match.reasons, match.score))
    flagged = {
        (f.first_id, f.second_id, tuple(f.reasons), f.score) for f in DuplicateFlag.objects.all()
    }
    assert flagged == expected
    assert len(flagged) >= 8


def test_an_imported_producer_is_stored_as_the_registration_page_stores_it(
    ganesh, gorakhpur, terracotta
):
    values = {
        "kind": "artisan",
        "name_hi": "रामू प्रजापति",
        "gender": "male",
        "village": "Aurangabad",
        "pin": "273001",
        "mobile": "9800000001",
        "bank_account": "123456789012",
        "aadhaar": "0123",
    }
    imported = import_rows(
        gorakhpur, [{**values, "odop_product": "Terracotta"}], acting_user=ganesh
    ).producers[0]
    registered = do_register_producer(
        gorakhpur,
        {**values, "odop_product": terracotta, "mobile": "9800000002"},
        acting_user=ganesh,
    )
    imported.refresh_from_db()
    skip = {"id", "uuid", "mobile", "created_at", "updated_at"}
    fields = [f.attname for f in Producer._meta.concrete_fields if f.attname not in skip]
    assert {f: getattr(imported, f) for f in fields} == {f: getattr(registered, f) for f in fields}


def test_a_failed_import_leaves_nothing_half_saved(ganesh, gorakhpur, monkeypatch):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(bulk_import, "_flag_duplicates", broken)
    client = client_for(ganesh)
    response = upload(client, "s.csv", csv_bytes([artisan(1), artisan(2)]))
    assert response.status_code == 302
    run_worker()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert errors_of(job) == [
        (None, "", "The import stopped on an unexpected error, and nothing was saved.")
    ]
    assert snapshot() == (0, 0, 0, 0)
    assert DBTaskResult.objects.get().status == "FAILED"


def test_import_rows_takes_plain_rows_for_scripts_and_the_bench(ganesh, gorakhpur, terracotta):
    rows = [
        {
            "kind": "artisan",
            "name_hi": "रामू",
            "odop_product": terracotta,
            "activities": ["pottery"],
        },
        {"kind": "shg", "name_hi": "लक्ष्मी समूह", "mobile": 9800000001},
    ]
    report = import_rows(gorakhpur, rows, acting_user=ganesh)
    assert (report.total, report.created, report.unchanged, report.error_rows) == (2, 2, 0, 0)
    ramu = Producer.objects.get(name_hi="रामू")
    assert [a.code for a in ramu.activities.all()] == ["pottery"]
    assert Producer.objects.get(kind=Kind.SHG).mobile == "+919800000001"
    assert OdopProduct.objects.filter(pk=ramu.odop_product_id).exists()


def test_a_namesake_with_another_mobile_is_a_new_producer(ganesh, gorakhpur):
    first = {"kind": "artisan", "name_hi": "रामू प्रजापति", "pin": "273001", "mobile": 9800000001}
    import_rows(gorakhpur, [first], acting_user=ganesh)
    namesake = {**first, "mobile": 9800000002}
    unknown = {"kind": "artisan", "name_hi": "रामू प्रजापति", "pin": "273001"}
    report = import_rows(gorakhpur, [first, namesake, unknown], acting_user=ganesh)
    # The same mobile is the same producer; another mobile is another person (flagged for
    # review); a row with no number at all is taken for the one already there.
    assert (report.created, report.unchanged) == (1, 2)
    assert sorted(Producer.objects.values_list("mobile", flat=True)) == [
        "+919800000001",
        "+919800000002",
    ]
    assert DuplicateFlag.objects.get().reasons == ["similar name in the same village or PIN code"]


def test_a_producer_reads_none_of_the_districts_imports(ganesh, prem):
    # given a Gorakhpur import holding other producers' personal data
    job = import_file(client_for(ganesh), "gorakhpur.csv", csv_bytes([artisan(1)]))
    assert job.progress is not None
    # when Prem, a Gorakhpur producer, asks for it by page, sheet, progress or API
    client = client_for(prem)
    pages = {
        "/producers/import/": 403,
        f"/producers/import/{job.uuid}/": 403,
        f"/producers/import/{job.uuid}/errors/": 403,
        f"/progress/{job.progress.uuid}/": 404,
        f"/api/imports/{job.uuid}": 404,
        f"/api/progress/{job.progress.uuid}": 404,
    }
    # then every one is refused and says nothing of the sheet
    for url, status in pages.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert "gorakhpur.csv" not in response.content.decode(), url
    assert client.post(f"/producers/import/{job.uuid}/import-valid-rows/").status_code == 403
    assert not ImportJob.objects.visible_to(prem).exists()
    # while the centre staff who imported still read it
    assert client_for(ganesh).get(f"/api/imports/{job.uuid}").status_code == 200


# --- Files that do not outlive their use -------------------------------------------------------


def test_erasing_a_producer_empties_their_row_in_a_kept_sheet(ganesh):
    client = client_for(ganesh)
    # given a sheet imported but for one row, kept for its error sheet
    rows = [artisan(1, aadhaar="234567890123"), artisan(2, pin="2730"), artisan(3)]
    job = import_file(client, "list.csv", csv_bytes(rows))
    client.post(f"/producers/import/{job.uuid}/import-valid-rows/")
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 2)
    # when the first producer is erased
    first = Producer.objects.get(mobile="+919800000001")
    do_erase_producer(first, acting_user=ganesh)
    # then their row is gone from the kept file, and the other rows keep their numbers
    with job.file.open("rb") as kept:
        text = kept.read().decode("utf-8-sig")
    assert "9800000001" not in text
    assert "234567890123" not in text
    assert "9800000003" in text
    sheet = read_csv(
        b"".join(client.get(f"/producers/import/{job.uuid}/errors/").streaming_content)
    )
    # (the erased row is no longer in the error sheet; the error still marks the second row)
    assert [row[-1][:22] for row in sheet[1:]] == ["«पिन कोड / PIN code»: ", ""]
    assert sheet[1][HEADER.index("मोबाइल / Mobile")] == "9800000002"


def test_the_progress_of_an_import_names_the_file_and_links_to_its_result(ganesh):
    client = client_for(ganesh)
    job = import_file(client, "kumhar list.csv", csv_bytes([artisan(1), artisan(2, pin="1")]))
    assert job.progress is not None
    page = client.get(f"/progress/{job.progress.uuid}/").content.decode()
    assert "kumhar list.csv" in page
    assert f'<a href="/producers/import/{job.uuid}/" id="progress-link">' in page
    home = client.get("/").content.decode()
    assert f'<a href="/producers/import/{job.uuid}/">Import producers: kumhar list.csv</a>' in home


def test_a_failed_import_shows_failed_not_a_full_bar(ganesh, monkeypatch):
    monkeypatch.setattr(sheets_reading, "MAX_ROWS", 1)
    client = client_for(ganesh)
    job = import_file(client, "big.csv", csv_bytes([artisan(1), artisan(2), artisan(3)]))
    assert job.status == ImportJob.Status.FAILED
    assert job.progress is not None
    page = client.get(f"/progress/{job.progress.uuid}/").content.decode()
    assert "<progress" not in page
    assert "Failed." in page
    assert "The sheet has more than 1 rows" in page
    assert "See what went wrong" in page


# --- Matches that lose nothing ------------------------------------------------------------------


def test_a_row_matching_a_producer_shows_what_differs_and_keeps_both_mobiles(ganesh, gorakhpur):
    client = client_for(ganesh)
    # given a producer registered with a GSTIN and a mobile
    rows = [artisan(1, gstin="09AAACH7409R1ZZ", village="Aurangabad"), artisan(2)]
    same = dict(zip(HEADER, rows[0], strict=True))
    ramu = register(
        gorakhpur,
        ganesh,
        name_hi=same["नाम (हिन्दी) / Name (Hindi)"],
        name_latin=same["नाम (अंग्रेज़ी) / Name (English)"],
        gender="male",
        tehsil="Sadar",
        gstin="09AAACH7409R1ZZ",
        mobile="9811111111",
        village="Village 0",
    )
    # when a sheet lists them by the same GSTIN, with another mobile and village
    job = import_file(client, "list.csv", csv_bytes(rows))

    # then the new producer is registered, Ramu is left as he was, and the page says what differs
    assert (job.status, job.created_count, job.unchanged_count) == ("done", 1, 1)
    ramu.refresh_from_db()
    assert (ramu.mobile, ramu.mobile_alt, ramu.village) == ("+919811111111", "", "Village 0")
    page = client.get(f"/producers/import/{job.uuid}/").content.decode()
    assert (
        "Already registered as श्याम प्रजापति; the sheet differs in «गाँव या कस्बा / Village "
        "or town», «मोबाइल / Mobile»." in page
    )
    assert "<td>+919811111111</td><td>+919800000001</td>" in page
    assert "<td>Village 0</td><td>Aurangabad</td>" in page

    # when Ganesh keeps both mobiles and takes the sheet's village
    response = client.post(
        f"/producers/import/{job.uuid}/rows/2/keep/",
        {"keep_mobile": "both", "keep_village": "sheet"},
    )
    assert response.status_code == 302

    # then nothing is lost
    ramu.refresh_from_db()
    assert (ramu.mobile, ramu.mobile_alt, ramu.village) == (
        "+919811111111",
        "+919800000001",
        "Aurangabad",
    )
    assert "Chosen." in client.get(f"/producers/import/{job.uuid}/").content.decode()
    # and the same sheet again changes nothing, and shows no difference
    again = import_file(client, "list.csv", csv_bytes(rows))
    assert (again.created_count, again.unchanged_count) == (0, 2)
    assert [p for p in again.errors if p["kind"] == "match"] == []
