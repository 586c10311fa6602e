"""Writing sheets: XLSX and CSV whose cells can never run as formulas.

A cell that begins with = + - or @ (or a tab or carriage return, which some spreadsheets skip
before looking) is run as a formula when the file is opened: "=HYPERLINK(...)" typed as a
producer's name would become a link in a centre's copy of the registry. Every text cell written
here is escaped the usual way, with a leading apostrophe; `unescape_cell` takes it off again when
such a sheet comes back as an import.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from niryat.core.text import xlsx_safe

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel refuses a cell longer than this.
MAX_CELL_CHARS = 32_767
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
# Excel opens a CSV as UTF-8 (and so shows Hindi) only when it starts with a byte order mark.
UTF8_BOM = "\ufeff"


def escape_cell(value: object) -> str:
    """The text of a cell, safe to open in a spreadsheet."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text[:MAX_CELL_CHARS]


def unescape_cell(text: str) -> str:
    """Undo `escape_cell`, so that an exported sheet imports with the values it was made from."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


@dataclass
class Sheet:
    """One worksheet: a header row and the rows under it. `highlight` colours one column (the
    error column of an error sheet) so that it stands out."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[object]]
    widths: Sequence[int] = ()
    highlight: int | None = None


def _xlsx_title(title: str) -> str:
    # Excel allows 31 characters and none of []:*?/\ in a sheet's name.
    for char in "[]:*?/\\":
        title = title.replace(char, "-")
    return title[:31] or "Sheet"


def write_xlsx(sheets: Sequence[Sheet], target: IO[bytes]) -> None:
    """Write `sheets` as one XLSX workbook, streaming rows (openpyxl's write-only mode)."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    marked = PatternFill("solid", fgColor="FFF4E5")
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=_xlsx_title(sheet.title))
        worksheet.freeze_panes = "A2"
        for index, width in enumerate(sheet.widths, start=1):
            worksheet.column_dimensions[_column_letter(index)].width = width
        header = []
        for text in sheet.header:
            cell = WriteOnlyCell(worksheet, value=_xlsx_text(text))
            cell.font = bold
            cell.alignment = wrap
            header.append(cell)
        worksheet.append(header)
        for row in sheet.rows:
            # An empty cell is left out, as Excel leaves it out, not written as empty text.
            values: list[object] = [_xlsx_text(value) or None for value in row]
            if sheet.highlight is not None and sheet.highlight < len(values):
                cell = WriteOnlyCell(worksheet, value=values[sheet.highlight])
                if values[sheet.highlight]:
                    cell.fill = marked
                values[sheet.highlight] = cell
            worksheet.append(values)
    workbook.save(target)


def _xlsx_text(value: object) -> str:
    return str(xlsx_safe(escape_cell(value)))


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> FileResponse:
    """A download of `sheets` as an XLSX workbook. Rows are written to a temporary file (kept in
    memory while small) so that a large export does not sit in memory twice."""
    # FileResponse closes the file once sent.
    buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    write_xlsx(sheets, buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """CSV text, line by line, UTF-8 with the byte order mark Excel needs for Hindi."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield UTF8_BOM
    writer.writerow([escape_cell(value) for value in header])
    for row in rows:
        writer.writerow([escape_cell(value) for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> StreamingHttpResponse:
    """A download of one sheet as CSV, streamed row by row."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response
