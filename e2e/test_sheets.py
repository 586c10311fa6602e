"""Real sheets, as district centres keep them, imported through the pages: mapped once, errors
seen, valid rows imported, the mapping applied by itself next time; a match that keeps both
mobiles; and the uploaded file gone from storage when its job ends."""

from __future__ import annotations

import codecs
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from e2e.conftest import GORAKHPUR, Persona, axe_check, login, odop_product
from niryat.core.models import District
from niryat.registry.actions import do_register_producer
from niryat.registry.models import ImportJob, Kind, Producer

pytestmark = pytest.mark.e2e

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# A district centre's own list: a serial number, a plain "Name", "Mob.", a date the registry does
# not keep, no "kind" column (they are all artisans), and one mobile number too short.
HEADER = ["क्र.सं.", "Name", "Mob.", "गाँव", "Registration date", "Caste"]
ROWS = [
    ["1", "रामू प्रजापति", "98000 00001", "Aurangabad", "05/01/2021", "OBC"],
    ["2", "सीता देवी", "12345", "Aurangabad", "5-1-2021", "SC"],
    ["3", "गीता देवी", "98000 00003", "Bhathat", "2021-01-05", "SC"],
]


def run_tasks() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def csv_text(delimiter: str) -> str:
    return "".join(delimiter.join(row) + "\r\n" for row in [HEADER, *ROWS])


def utf16_csv() -> bytes:
    """Excel's "Unicode text": UTF-16 with a byte order mark, separated by tabs."""
    return codecs.BOM_UTF16_LE + csv_text("\t").encode("utf-16-le")


def utf8_bom_csv() -> bytes:
    """Excel's "CSV UTF-8"."""
    return codecs.BOM_UTF8 + csv_text(",").encode()


def plain_csv() -> bytes:
    """UTF-8 without a byte order mark, as other programs save it."""
    return csv_text(",").encode()


def centre_xlsx() -> bytes:
    """A merged title row above the header, a formula cell without a kept value, a totals row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["जिला उद्योग केंद्र, गोरखपुर — कारीगरों की सूची"])
    sheet.merge_cells("A1:F1")
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append([int(row[0]), *row[1:]])
    sheet.append(["कुल", "=COUNTA(B3:B5)", None, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SHAPES = {
    "excel-unicode-text.csv": utf16_csv,
    "excel-csv-utf8.csv": utf8_bom_csv,
    "other-program.csv": plain_csv,
    "centre-list.xlsx": centre_xlsx,
}


def upload(page: Page, path: Path) -> None:
    page.goto("/producers/import/")
    page.get_by_label("Sheet (XLSX or CSV)").set_input_files(path)
    page.get_by_role("button", name="Check and import").click()


def files_in(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.mark.parametrize("name", list(SHAPES))
def test_staff_map_a_centre_sheet_once_and_import_it_again_unchanged(
    name: str,
    page: Page,
    live_server: Any,
    gorakhpur_staff: Persona,
    craft_activities: None,
    media_root: Path,
    tmp_path: Path,
) -> None:
    sheet = tmp_path / name
    sheet.write_bytes(SHAPES[name]())
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)

    # when Chanda uploads her centre's own list, she is asked what its columns hold
    upload(page, sheet)
    expect(page).to_have_url(re.compile(rf"/producers/import/{UUID}/columns/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Columns of {name}")
    # with a sample of each column, and the headers she wrote the usual way already recognised
    mapping = page.locator("#mapping tbody tr")
    expect(mapping).to_have_count(6)
    expect(mapping.nth(1).locator("td").first).to_have_text("रामू प्रजापति, सीता देवी, गीता देवी")
    expect(page.get_by_label("Name", exact=True)).to_have_value("name_hi")
    expect(page.get_by_label("Mob.", exact=True)).to_have_value("mobile")
    axe_check(page)

    # when she asks to check it without saying what the date is, nor the producers' kind
    page.get_by_role("button", name="Check the sheet with these columns").click()
    alert = page.locator("main form [role=alert]").first
    expect(alert).to_contain_text("«Registration date» (column E)")
    expect(alert).to_contain_text(
        "Required, but no column holds it and no value is given for all rows: «प्रकार / Kind»."
    )
    assert ImportJob.objects.get().status == ImportJob.Status.MAPPING

    # when she ignores the date and says all rows are artisans
    page.get_by_label("Registration date", exact=True).select_option("-")
    page.get_by_label("प्रकार / Kind").select_option("artisan")
    page.get_by_role("button", name="Check the sheet with these columns").click()
    expect(page).to_have_url(re.compile(rf"/producers/import/{UUID}/$"))
    run_tasks()

    # then she sees the row with an error, and imports the valid ones
    errors = page.locator("#import-errors-table tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.nth(0).locator("td").nth(0)).to_have_text(re.compile(r"^\d+$"))
    expect(errors.nth(0)).to_contain_text("12345 is not a valid mobile number.")
    assert Producer.objects.count() == 0
    page.get_by_role("button", name="Import the 2 valid rows").click()
    run_tasks()
    done = page.locator("#import-status > .message[role=status]")
    expect(done).to_contain_text("2 new producers registered.")
    assert sorted(Producer.objects.values_list("name_hi", "kind", "social_category")) == [
        ("गीता देवी", "artisan", "sc"),
        ("रामू प्रजापति", "artisan", "obc"),
    ]

    # when she uploads the same list again, it is read with her mapping without asking
    upload(page, sheet)
    expect(page).to_have_url(re.compile(rf"/producers/import/{UUID}/$"))
    run_tasks()
    page.get_by_role("button", name="Import the 2 valid rows").click()
    run_tasks()

    # and nothing changes
    done = page.locator("#import-status > .message[role=status]")
    expect(done).to_contain_text("0 new producers registered.")
    expect(done).to_contain_text("2 already registered, left unchanged.")
    assert Producer.objects.count() == 2


def test_a_matching_row_shows_its_difference_keeps_both_mobiles_and_leaves_no_file(
    page: Page,
    live_server: Any,
    gorakhpur_staff: Persona,
    craft_activities: None,
    media_root: Path,
    tmp_path: Path,
) -> None:
    # given Ramu, registered with another mobile number than the list's
    district = District.objects.get(lgd_code=GORAKHPUR)
    ramu = do_register_producer(
        district,
        {
            "kind": Kind.ARTISAN,
            "name_hi": "रामू प्रजापति",
            "name_latin": "Ramu Prajapati",
            "odop_product": odop_product(GORAKHPUR, "Terracotta"),
            "village": "Aurangabad",
            "social_category": "obc",
            "mobile": "9811111111",
            "gstin": "09AAACH7409R1ZZ",
        },
        acting_user=gorakhpur_staff.user,
    )
    # and a list (its kind column given) without errors, mapped by its own headers
    rows = [
        ["प्रकार", "Name", "Mob.", "गाँव", "Caste", "GST No."],
        ["कारीगर", "रामू प्रजापति", "98000 00001", "Aurangabad", "OBC", "09AAACH7409R1ZZ"],
        ["कारीगर", "गीता देवी", "98000 00003", "Bhathat", "SC", ""],
    ]
    sheet = tmp_path / "list.csv"
    sheet.write_bytes(codecs.BOM_UTF8 + "".join(",".join(r) + "\r\n" for r in rows).encode())
    login(page, live_server, gorakhpur_staff.username, gorakhpur_staff.password)
    upload(page, sheet)
    run_tasks()

    # then Gita is registered; Ramu (the same GSTIN) is not, and the page shows how the list
    # differs: its mobile number
    done = page.locator("#import-status > .message[role=status]")
    expect(done).to_contain_text("1 new producer registered.")
    expect(done).to_contain_text("1 already registered, left unchanged.")
    # (the uploaded file is gone: nothing more is to be done with it)
    assert files_in(media_root) == []
    assert ImportJob.objects.get().file_deleted_at is not None

    match = page.locator("section.match")
    expect(match).to_have_count(1)
    difference = match.locator("table.differences tbody tr")
    expect(difference).to_have_count(1)
    expect(difference.locator("th, td").nth(0)).to_have_text("Mob.")
    expect(difference.locator("td").nth(0)).to_have_text("+919811111111")
    expect(difference.locator("td").nth(1)).to_have_text("+919800000001")
    axe_check(page)

    # when Chanda keeps both numbers
    match.get_by_label("both (the sheet's as a second mobile)").check()
    match.get_by_role("button", name="Save these choices").click()

    # then Ramu has both
    expect(page.get_by_text("your choices are saved to the producer")).to_be_visible()
    ramu.refresh_from_db()
    assert (ramu.mobile, ramu.mobile_alt) == ("+919811111111", "+919800000001")
