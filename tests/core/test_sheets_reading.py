"""Reading the sheets centres keep, as Excel and other programs save them, and refusing bad ones."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import zipfile

import openpyxl
import pytest

from niryat.core.dates import parse_indian_date
from niryat.core.sheets.reading import (
    IGNORE,
    Column,
    SheetError,
    SheetLayout,
    guess_mapping,
    read_rows,
    read_sheet,
    resolve_mapping,
)

LAYOUT = SheetLayout(
    (
        Column("name", "नाम", "Name", ("name of artisan", "कारीगर का नाम")),
        Column("mobile", "मोबाइल", "Mobile", ("mob", "मोबाइल नं", "mobile no")),
        Column("village", "गाँव", "Village"),
        Column("kind", "प्रकार", "Kind"),
    ),
    (Column("serial", "क्रम संख्या", "S. No.", ("sl no",)),),
    ("name", "kind"),
)
HEADER = ["S. No.", "Name", "Mob.", "Village", "Registration date"]
ROWS = [
    ["1", "रामू प्रजापति", "9876543210", "औरंगाबाद", "05/01/2021"],
    ["2", "Sita Devi", "9876500001", "Café Nagar", "5-1-2021"],
]


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    return "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"


def as_records(data: bytes) -> list[dict[str, str]]:
    raw = read_rows(data, LAYOUT)
    mapping = guess_mapping(raw, LAYOUT)
    mapping[4] = IGNORE  # the registration date, which this layout does not hold
    sheet = read_sheet(data, layout=LAYOUT, mapping=mapping, constants={"kind": "artisan"})
    return [values for _number, values in sheet.records()]


EXPECTED = [
    {"kind": "artisan", "name": "रामू प्रजापति", "mobile": "9876543210", "village": "औरंगाबाद"},
    {"kind": "artisan", "name": "Sita Devi", "mobile": "9876500001", "village": "Café Nagar"},
]


@pytest.mark.parametrize(
    "data",
    [
        # Excel's "Unicode text": UTF-16 with a byte order mark, separated by tabs.
        codecs.BOM_UTF16_LE + csv_text([HEADER, *ROWS], "\t").encode("utf-16-le"),
        # Excel's "CSV UTF-8": with a byte order mark.
        codecs.BOM_UTF8 + csv_text([HEADER, *ROWS]).encode(),
        # Plain UTF-8, separated by semicolons (Excel in a European locale).
        csv_text([HEADER, *ROWS], ";").encode(),
    ],
    ids=["utf-16-tabs", "utf-8-bom", "utf-8-semicolons"],
)
def test_csv_in_excels_encodings_is_read(data):
    assert as_records(data) == EXPECTED


def test_a_cp1252_csv_is_read():
    rows = [["S. No.", "Name", "Mob.", "Village", "x"], ["1", "Sita Devi", "98765", "Café", ""]]
    data = csv_text(rows).encode("cp1252")
    raw = read_rows(data, LAYOUT)
    assert raw.rows[1][3] == "Café"


def centre_workbook(*, formula: bool = True) -> bytes:
    """A list as a district centre keeps it: a merged title, the header, the rows, a totals row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["जिला उद्योग केंद्र, वाराणसी — कारीगरों की सूची"])
    sheet.merge_cells("A1:E1")
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append([int(row[0]), row[1], int(row[2]), row[3], dt.date(2021, 1, 5)])
    if formula:
        # A formula written by a program, never calculated: no value is kept for it.
        sheet.append([3, '=CONCAT("Ramesh", " Kumar")', 9876500002, "Lohta", None])
    sheet.append(["कुल", None, None, None, "=COUNTA(B3:B5)"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_with_a_merged_title_totals_row_and_formula_cell_is_read():
    raw = read_rows(centre_workbook(), LAYOUT)
    assert raw.header_index == 1
    records = as_records(centre_workbook())
    assert records[:2] == EXPECTED
    assert records[2]["name"] == '=CONCAT("Ramesh", " Kumar")'
    assert len(records) == 3  # the totals row is not a producer
    assert raw.rows[2][4] == "05/01/2021"


def test_headers_are_recognised_in_hindi_english_and_variants():
    raw = read_rows(
        csv_text(
            [["क्रम संख्या", "कारीगर का नाम", "मोबाइल नं.", "Remarks"], ["1", "a", "9", ""]]
        ).encode(),
        LAYOUT,
    )
    assert guess_mapping(raw, LAYOUT) == {0: IGNORE, 1: "name", 2: "mobile", 3: None}


# --- Bad input ---------------------------------------------------------------------------------


def refusal(data: bytes, name: str = "") -> str:
    with pytest.raises(SheetError) as refused:
        read_rows(data, LAYOUT, name=name)
    return str(refused.value)


def test_an_empty_file_is_refused():
    assert refusal(b"") == "The file is empty."
    assert refusal(b"\r\n,,\r\n") == "The sheet is empty."


def test_a_sheet_with_only_headers_is_refused():
    assert refusal(csv_text([HEADER]).encode()) == "The sheet has headers but no rows under them."


def with_dimension(data: bytes, last_row: int) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="A1:E{last_row}"'.encode(), content
                )
            target.writestr(item, content)
    return out.getvalue()


def test_a_sheet_of_a_million_rows_is_refused_with_the_limit_before_reading_it():
    message = refusal(with_dimension(centre_workbook(), 1_048_576))
    assert message == (
        "The sheet has 1,048,576 rows; up to 250,000 rows can be imported from one file. "
        "Split it into smaller files."
    )


def test_a_password_protected_workbook_is_refused():
    data = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + "EncryptedPackage".encode("utf-16-le")
    )
    assert refusal(data, "locked.xlsx").startswith("This workbook is protected by a password")


def test_a_macro_workbook_is_refused():
    source = zipfile.ZipFile(io.BytesIO(centre_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/vbaProject.bin", b"\x00" * 64)
    assert refusal(out.getvalue(), "list.xlsm").startswith("This workbook holds macros (.xlsm)")


def test_a_column_mapped_twice_and_a_missing_required_field_are_named():
    with pytest.raises(SheetError) as refused:
        resolve_mapping(LAYOUT, HEADER, {0: IGNORE, 1: "name", 2: "mobile", 3: "mobile", 4: IGNORE})
    assert str(refused.value) == (
        "«मोबाइल / Mobile» is chosen for «Mob.» (column C) and «Village» (column D). "
        "Required, but no column holds it and no value is given for all rows: «प्रकार / Kind»."
    )
    assert resolve_mapping(
        LAYOUT, HEADER, {0: IGNORE, 1: "name", 2: "mobile", 3: "village", 4: IGNORE}, {"kind": "x"}
    ) == {1: "name", 2: "mobile", 3: "village"}


def test_an_unmapped_column_is_named():
    with pytest.raises(SheetError, match=r"for: «Registration date» \(column E\)"):
        resolve_mapping(
            LAYOUT,
            HEADER,
            {0: IGNORE, 1: "name", 2: "mobile", 3: "village", 4: None},
            {"kind": "x"},
        )


@pytest.mark.parametrize(
    "text", ["05/01/2021", "5-1-2021", "2021-01-05", "5.1.21", " 05 / 01 / 2021 "]
)
def test_indian_dates_are_read_day_first(text):
    assert parse_indian_date(text) == dt.date(2021, 1, 5)


@pytest.mark.parametrize("text", ["31/02/2021", "January", "2021"])
def test_a_wrong_date_is_named(text):
    with pytest.raises(ValueError, match="is not a date; write it day first, like 05/01/2021"):
        parse_indian_date(text)
