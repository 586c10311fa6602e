"""Writing listing sheets: cells escaped as the catalogue export escapes them, nested marketplace
payloads flattened to columns, and an XLSX made of named sheets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from niryat.core.sheets.writing import escape_cell
from niryat.core.text import xlsx_safe

Cell = str | int | float | Decimal | None
LIST_SEPARATOR = "; "


def cell(value: Any) -> Cell:
    """Numbers stay numbers; text is escaped ("=HYPERLINK(...)" stays text) and loses the control
    characters XML cannot hold."""
    if value is None:
        return None
    if isinstance(value, bool):  # marketplaces' upload sheets take Yes / No
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal):
        return value
    return xlsx_safe(escape_cell(value)) or None


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A JSON payload as {"a.b.c": scalar}: lists of plain values are joined with "; ", lists of
    objects are numbered ("offers.0.offerId")."""
    if isinstance(value, dict):
        found: dict[str, Any] = {}
        for key, item in value.items():
            found.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return found
    if isinstance(value, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in value):
            return {prefix: LIST_SEPARATOR.join(str(item) for item in value)}
        found = {}
        for index, item in enumerate(value):
            found.update(flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return found
    return {prefix: value}


@dataclass(frozen=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    width: int = 20


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=sheet.title[:31])
        for index in range(len(sheet.header)):
            worksheet.column_dimensions[get_column_letter(index + 1)].width = sheet.width
        header = []
        for name in sheet.header:
            header_cell = WriteOnlyCell(worksheet, value=cell(str(name)))
            header_cell.font = Font(bold=True)
            header.append(header_cell)
        worksheet.append(header)
        for row in sheet.rows:
            worksheet.append([cell(value) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
