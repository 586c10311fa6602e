"""A new importer needs only its field list: the framework reads, maps, checks and saves."""

from __future__ import annotations

import codecs
import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest

from niryat.core.models import OdopProduct
from niryat.core.sheets.importers import CheckedRecord, Importer, SheetField, import_sheet
from niryat.core.sheets.reading import IGNORE, SheetError

# A training programme's attendance list, as the events app will import it.
TRAINEE_SHEET = (
    "\r\n".join(
        [
            "क्रम,प्रशिक्षणार्थी का नाम,मोबाइल नं.,प्रशिक्षण की तिथि,उपस्थित",
            "1,रामू प्रजापति,98765 43210,05/01/2021,हाँ",
            "2,सीता देवी,+91 98765 00001,2021-01-06,no",
            "3,गीता,12345,31/02/2021,शायद",
            "कुल,3,,,",
        ]
    )
    + "\r\n"
)


class TraineeImporter(Importer):
    key = "trainees"
    label = "Import trainees"
    fields = (
        SheetField("name", "प्रशिक्षणार्थी का नाम", "Trainee's name", ("name",), required=True),
        SheetField("mobile", "मोबाइल", "Mobile", ("मोबाइल नं",), kind="mobile", personal=True),
        SheetField("trained_on", "प्रशिक्षण की तिथि", "Date of training", kind="date"),
        SheetField("attended", "उपस्थित", "Attended", kind="yes_no"),
    )

    def __init__(self) -> None:
        self.saved: list[dict[str, Any]] = []

    def save(self, rows: Sequence[CheckedRecord], **context: Any) -> tuple[int, int]:
        self.saved += [row.values or {} for row in rows]
        return len(rows), 0


def test_a_trainee_importer_declares_its_fields_and_imports_a_sheet(gorakhpur, ganesh):
    importer = TraineeImporter()
    data = codecs.BOM_UTF8 + TRAINEE_SHEET.encode()

    # while a row has errors nothing is saved, and each error names its row and column
    outcome = import_sheet(
        importer,
        data,
        district=gorakhpur,
        acting_user=ganesh,
        mapping={0: IGNORE, 1: "name", 2: "mobile", 3: "trained_on", 4: "attended"},
    )
    assert not outcome.saved
    assert importer.saved == []
    assert [(p.row, p.column, p.message) for p in outcome.problems] == [
        (4, "मोबाइल नं.", "«12345» is not a mobile number of 10 digits."),
        (4, "प्रशिक्षण की तिथि", "«31/02/2021» is not a date; write it day first, like 05/01/2021."),
        (4, "उपस्थित", "Write yes or no, not «शायद»."),
    ]

    # the valid rows, when asked; the totals row is no trainee
    outcome = import_sheet(
        importer,
        data,
        district=gorakhpur,
        acting_user=ganesh,
        mapping={0: IGNORE, 1: "name", 2: "mobile", 3: "trained_on", 4: "attended"},
        import_valid_rows=True,
    )
    assert (outcome.saved, outcome.created, outcome.error_rows) == (True, 2, 1)
    assert importer.saved == [
        {
            "name": "रामू प्रजापति",
            "mobile": "9876543210",
            "trained_on": dt.date(2021, 1, 5),
            "attended": True,
        },
        {
            "name": "सीता देवी",
            "mobile": "9876500001",
            "trained_on": dt.date(2021, 1, 6),
            "attended": False,
        },
    ]


def test_without_a_mapping_the_headers_must_all_be_known(gorakhpur, ganesh):
    with pytest.raises(SheetError, match="Unknown columns: «क्रम» \\(column A\\)"):
        import_sheet(
            TraineeImporter(), TRAINEE_SHEET.encode(), district=gorakhpur, acting_user=ganesh
        )


class OdopImporter(Importer):
    """Only fields and a model: the framework's own save, idempotent by `unique_by`."""

    key = "odop"
    label = "Import ODOP products"
    fields = (
        SheetField("name_en", "नाम (अंग्रेज़ी)", "Name (English)", ("product",), required=True),
        SheetField("name_hi", "नाम (हिन्दी)", "Name (Hindi)", ("उत्पाद",), required=True),
    )
    model = OdopProduct
    unique_by = ("name_en",)


def test_an_importer_with_only_fields_and_a_model_saves_and_reimports_idempotently(
    gorakhpur, ganesh
):
    before = OdopProduct.objects.filter(district=gorakhpur).count()
    data = "Product,उत्पाद\r\nBlack pottery,काली मिट्टी के बर्तन\r\nTerracotta,टेराकोटा\r\n".encode()
    outcome = import_sheet(OdopImporter(), data, district=gorakhpur, acting_user=ganesh)
    assert (outcome.created, outcome.unchanged) == (1, 1)  # Gorakhpur has Terracotta already
    again = import_sheet(OdopImporter(), data, district=gorakhpur, acting_user=ganesh)
    assert (again.created, again.unchanged) == (0, 2)
    assert OdopProduct.objects.filter(district=gorakhpur).count() == before + 1
