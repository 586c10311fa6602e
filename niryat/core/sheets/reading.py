"""Reading the sheets centres keep: XLSX and CSV as they come, into rows of text.

Why not django-import-export: it imports rows of a model resource from a file whose headers are
the resource's field names, with its own confirmation pages in the admin. Ours need a mapping
step between upload and import (each column of a centre's own list given a field, or ignored,
and a value for a required field the sheet lacks), values written the Indian way (Hindi
choices, day-first dates, "98765 43210"), checked by the registry's own rules with the same
messages as the form, row errors on our pages and as an error sheet of the file as it came, and
reading that survives Excel's UTF-16 CSV, merged title rows, totals rows and formula cells
without a cached value. Of the library only tablib's file loading would be left, and that is
the part that needed most of this module anyway; so the framework is our own, and small.

Reading (`read_rows`). XLSX opened by openpyxl in read-only mode, its sheet read in one pass (see
`_worksheet_rows`); a merged range takes its top-left value in every cell it covers (a village
written once beside the rows of that village's producers belongs to each row). A formula cell is
read as the value Excel kept for it, or as its formula when no value was kept (a file written by
a program, not saved by Excel). CSV in UTF-8, with or without a byte order mark, UTF-16 (Excel's
"Unicode text", tab-separated), and cp1252 only when the bytes are not UTF-8; the separator
(comma, tab or semicolon) is found from the first lines. The header row is the one, among the
first ten, that names the most known columns (a merged title row above it is passed over); a
totals row at the end ("Total", "कुल", "योग") is not a record. Empty rows are skipped. Every
refusal (too big, too many rows, encrypted, with macros, not a spreadsheet...) is a `SheetError`
whose message names what is wrong; no bad file gets as far as a server error.

Mapping (`guess_mapping`, `resolve_mapping`). Each column of the header row is given a field of
the importer's `SheetLayout` (recognised from its Hindi or English header and usual variants),
ignored, or left for the user to choose; a required field may instead be given one value for
every row. `read_sheet` with a mapping gives the rows as {field: text}.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import openpyxl
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.functions import iterparse

from niryat.core.sheets.writing import unescape_cell

MAX_FILE_BYTES = 50 * 1024 * 1024
# A district registers up to 20,000 producers; a sheet far beyond that is a mistake, and would
# hold the worker's memory.
MAX_ROWS = 250_000
HEADER_SEARCH_ROWS = 10

IGNORE = ""  # the "field" of a column that the import reads past

# The first cell of a totals row at the end of a sheet.
TOTAL_WORDS = frozenset(
    ("total", "totals", "grandtotal", "sum", "कुल", "योग", "कुलयोग", "सकलयोग", "महायोग")
)


class SheetError(Exception):
    """The file as a whole cannot be imported; the message says why, to the person who sent it."""


# ---------------------------------------------------------------------------------------------
# Headers and values: compared after folding case, spacing, punctuation and optional marks.

# Zero-width joiners and the nukta are typed or left out at will: "अंग्रेज़ी" and "अंग्रेजी".
_FOLD = str.maketrans({"\u200c": None, "\u200d": None, "\u093c": None, "\u0901": "\u0902"})


@cache
def norm(text: str) -> str:
    """`text` as its letters, marks and digits, case-folded: "Name (Hindi) " → "namehindi"."""
    folded = unicodedata.normalize("NFC", text).translate(_FOLD).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LMN")


@dataclass(frozen=True)
class Column:
    """A field an importer reads. `aliases` are other headers centres use for it."""

    field: str
    hindi: str
    english: str
    aliases: tuple[str, ...] = ()
    width: int = 18

    @property
    def header(self) -> str:
        return f"{self.hindi} / {self.english}"


@dataclass(frozen=True)
class SheetLayout:
    """What a kind of sheet holds: the columns imported, the columns read past, the fields whose
    columns must be there (or be given one value for all rows), and the message for a sheet with
    headers and nothing under them (an English msgid, marked with gettext_noop)."""

    columns: tuple[Column, ...]
    ignored: tuple[Column, ...] = ()
    required: tuple[str, ...] = ()
    no_rows: str = gettext_noop("The sheet has headers but no rows under them.")

    @property
    def by_field(self) -> dict[str, Column]:
        return {column.field: column for column in self.columns}


@cache
def _header_names(layout: SheetLayout) -> dict[str, str]:
    names: dict[str, str] = {}
    imported = {column.field for column in layout.columns}
    for column in (*layout.columns, *layout.ignored):
        field_name = column.field if column.field in imported else IGNORE
        for text in (column.header, column.hindi, column.english, *column.aliases):
            names[norm(text)] = field_name
    return names


def field_for_header(header: str, layout: SheetLayout) -> str | None:
    """The field a header names ("नाम (हिन्दी) / Name (Hindi)" → "name_hi"), IGNORE for a column
    read past, None for an unknown header."""
    names = _header_names(layout)
    key = norm(header)
    if key in names:
        return names[key]
    parts = [norm(part) for part in re.split(r"[/|]", header)]
    parts = [part for part in parts if part]
    found = {names.get(part) for part in parts}
    if len(parts) > 1 and len(found) == 1 and None not in found:
        return found.pop()
    return None


# ---------------------------------------------------------------------------------------------
# A read sheet, and its mapping


@dataclass
class RawSheet:
    """The rows of a sheet as text (row n of the sheet is `rows[n - 1]`), and its header row."""

    file_kind: str  # "xlsx" or "csv"
    rows: list[list[str]]
    header_index: int

    @property
    def header(self) -> list[str]:
        return self.rows[self.header_index]

    def numbered_rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number as the spreadsheet shows it, cells) of each record: the non-empty rows
        under the header, but for a totals row at the end."""
        last = len(self.rows) - 1
        while last > self.header_index and not any(self.rows[last]):
            last -= 1
        if last > self.header_index and _is_totals(self.rows[last]):
            last -= 1
        for index in range(self.header_index + 1, last + 1):
            cells = self.rows[index]
            if any(cells):
                yield index + 1, cells

    def samples(self, count: int = 3) -> dict[int, list[str]]:
        """Up to `count` values of each column, from its first rows, for the mapping page."""
        found: dict[int, list[str]] = {position: [] for position in range(len(self.header))}
        for _number, cells in self.numbered_rows():
            for position, text in enumerate(cells[: len(self.header)]):
                if text and len(found[position]) < count and text not in found[position]:
                    found[position].append(text)
            if all(len(values) >= count for values in found.values()):
                break
        return found

    def signature(self) -> str:
        """The header row, folded: sheets with the same headers share a remembered mapping."""
        return "|".join(norm(cell) for cell in self.header)


def _is_totals(cells: Sequence[str]) -> bool:
    first = next((cell for cell in cells if cell), "")
    return norm(first) in TOTAL_WORDS


def guess_mapping(sheet: RawSheet, layout: SheetLayout) -> dict[int, str | None]:
    """Each column of the header row → its field, IGNORE, or None when not recognised (and for a
    field recognised twice, the second column). Columns without a header are ignored."""
    mapping: dict[int, str | None] = {}
    for position, cell in enumerate(sheet.header):
        if not cell:
            mapping[position] = IGNORE
            continue
        name = field_for_header(cell, layout)
        if name and name in mapping.values():
            name = None
        mapping[position] = name
    return mapping


def resolve_mapping(
    layout: SheetLayout,
    header: Sequence[str],
    mapping: Mapping[int, str | None],
    constants: Mapping[str, str] | None = None,
) -> dict[int, str]:
    """The columns imported ({position: field}) under a mapping the user chose; a SheetError
    naming each column not yet mapped, each field mapped twice, and each required field neither
    mapped nor given a value."""
    constants = {name: value for name, value in (constants or {}).items() if value.strip()}
    columns = layout.by_field
    fields: dict[int, str] = {}
    unmapped, twice = [], []
    for position, name in sorted(mapping.items()):
        label = _column_label(header, position)
        if name is None:
            unmapped.append(label)
        elif name == IGNORE:
            continue
        elif name not in columns:
            unmapped.append(label)
        elif name in fields.values():
            twice.append(
                _("«%(field)s» is chosen for %(first)s and %(second)s.")
                % {
                    "field": columns[name].header,
                    "first": _column_label(header, next(p for p, n in fields.items() if n == name)),
                    "second": label,
                }
            )
        else:
            fields[position] = name
    parts = []
    if unmapped:
        parts.append(
            _("Choose a field, or “ignore this column”, for: %(columns)s.")
            % {"columns": ", ".join(unmapped)}
        )
    parts += twice
    missing = [
        f"«{columns[name].header}»"
        for name in layout.required
        if name not in fields.values() and name not in constants
    ]
    if missing:
        parts.append(
            _("Required, but no column holds it and no value is given for all rows: %(fields)s.")
            % {"fields": ", ".join(missing)}
        )
    if parts:
        raise SheetError(" ".join(parts))
    return fields


def _column_label(header: Sequence[str], position: int) -> str:
    text = header[position] if position < len(header) else ""
    letter = get_column_letter(position + 1)
    if text:
        return _("«%(header)s» (column %(column)s)") % {"header": text, "column": letter}
    return _("column %(column)s") % {"column": letter}


@dataclass
class ParsedSheet:
    """A read sheet under its mapping: the records as {field: text}."""

    file_kind: str  # "xlsx" or "csv"
    rows: list[list[str]]
    header_index: int
    fields: dict[int, str]  # cell position → field, for the columns that are imported
    constants: dict[str, str] = field(default_factory=dict)  # field → value for every row

    @property
    def header(self) -> list[str]:
        return self.rows[self.header_index]

    @property
    def raw(self) -> RawSheet:
        return RawSheet(self.file_kind, self.rows, self.header_index)

    def headers_by_field(self) -> dict[str, str]:
        return {name: self.header[index] for index, name in self.fields.items()}

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number as the spreadsheet shows it, {field: text}) for each record."""
        fields = list(self.fields.items())
        for number, cells in self.raw.numbered_rows():
            values = dict(self.constants)
            width = len(cells)
            for position, name in fields:
                text = cells[position] if position < width else ""
                if text or name not in values:
                    values[name] = text
            yield number, values


def read_rows(
    data: bytes, layout: SheetLayout, *, header_only: bool = False, name: str = ""
) -> RawSheet:
    """Read an uploaded XLSX or CSV file and find its header row; `header_only` reads just the
    first rows. `name` is the file's name, for its extension."""
    if len(data) > MAX_FILE_BYTES:
        raise SheetError(_too_big(len(data)))
    if not data.strip():
        raise SheetError(_("The file is empty."))
    limit = HEADER_SEARCH_ROWS if header_only else None
    if _file_kind(data, name) == "xlsx":
        kind, rows = "xlsx", _xlsx_rows(data, limit, layout)
    else:
        kind, rows = "csv", _csv_rows(data, limit)
    sheet = RawSheet(kind, rows, _find_header_row(rows, layout))
    if not header_only and next(sheet.numbered_rows(), None) is None:
        raise SheetError(_(layout.no_rows))
    return sheet


def read_sheet(
    data: bytes,
    *,
    layout: SheetLayout,
    header_only: bool = False,
    mapping: Mapping[int, str | None] | None = None,
    constants: Mapping[str, str] | None = None,
) -> ParsedSheet:
    """Read a file under `mapping` (or, without one, the headers recognised: then every column
    must be recognised, as in a template or an export)."""
    raw = read_rows(data, layout, header_only=header_only)
    if mapping is None:
        fields = _strict_fields(raw, layout)
    else:
        fields = resolve_mapping(layout, raw.header, mapping, constants)
    constants = {k: v.strip() for k, v in (constants or {}).items() if v.strip()}
    return ParsedSheet(raw.file_kind, raw.rows, raw.header_index, fields, constants)


def check_upload(upload: UploadedFile, layout: SheetLayout, *, strict: bool = False) -> RawSheet:
    """Refuse a file too big to read, or one that cannot be read as a sheet, before keeping it;
    `strict`ly, one whose headers are not all known. Gives its first rows, header row found."""
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise SheetError(_too_big(upload.size))
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    raw = read_rows(data, layout, header_only=True, name=upload.name or "")
    if next(raw.numbered_rows(), None) is None:
        # Nothing under the header in the first rows: read it all, to refuse a sheet of headers
        # alone now rather than in its check.
        read_rows(data, layout, name=upload.name or "")
    if strict:
        _strict_fields(raw, layout)
    return raw


def _too_big(size: int) -> str:
    return _(
        "The file is %(size)s MB; files up to %(limit)s MB can be imported. "
        "Split the sheet into smaller files."
    ) % {"size": f"{size / 1024 / 1024:.1f}", "limit": MAX_FILE_BYTES // 1024 // 1024}


_OTHER_FORMATS = {
    b"%PDF": "PDF",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"\x1f\x8b": "gzip",
    b"Rar!": "RAR",
    b"7z\xbc\xaf": "7-Zip",
    b"{\\rtf": "RTF",
}


def _not_a_sheet(kind: str | None = None) -> str:
    if kind:
        return _(
            "This is not a spreadsheet but a %(kind)s file. "
            "Upload an Excel workbook (.xlsx) or a CSV file."
        ) % {"kind": kind}
    return _("This file is not a spreadsheet. Upload an Excel workbook (.xlsx) or a CSV file.")


# A workbook encrypted with a password is an OLE compound file holding these streams.
_ENCRYPTED_MARKS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))


def _file_kind(data: bytes, name: str = "") -> str:
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        if any(mark in data for mark in _ENCRYPTED_MARKS):
            raise SheetError(
                _(
                    "This workbook is protected by a password, so it cannot be read. Open it in "
                    "Excel, remove the password (File, Info, Protect Workbook) and upload it again."
                )
            )
        raise SheetError(
            _(
                "This is an old Excel workbook (.xls). Open it in Excel and save it as an Excel "
                "Workbook (.xlsx) or as CSV."
            )
        )
    for magic, kind in _OTHER_FORMATS.items():
        if data.startswith(magic):
            raise SheetError(_not_a_sheet(kind))
    return "csv"


def _cell_text(value: object) -> str:
    if type(value) is str:  # most cells: first, and cheaply
        text = value.strip()
        return unescape_cell(text) if text[:1] == "'" else text
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        # Excel keeps numbers as floats: a mobile typed as a number is 9876543210.0.
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return unescape_cell(str(value).strip())


def _too_many_rows(count: int | None = None) -> SheetError:
    if count is not None:
        return SheetError(
            _(
                "The sheet has %(count)s rows; up to %(limit)s rows can be imported from one "
                "file. Split it into smaller files."
            )
            % {"count": f"{count:,}", "limit": f"{MAX_ROWS:,}"}
        )
    return SheetError(
        _(
            "The sheet has more than %(limit)s rows; up to %(limit)s rows can be imported from "
            "one file. Split it into smaller files."
        )
        % {"limit": f"{MAX_ROWS:,}"}
    )


def _trimmed(rows: list[list[str]]) -> list[list[str]]:
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def _xlsx_rows(data: bytes, limit: int | None, layout: SheetLayout) -> list[list[str]]:
    _refuse_macros(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of error on a damaged or foreign zip
        raise SheetError(_not_xlsx(data)) from exc
    try:
        worksheets = list(workbook.worksheets)
        if not worksheets:
            raise SheetError(_("The workbook has no sheets."))
        # The records are on the first sheet whose first rows hold known headers.
        chosen = worksheets[0]
        for worksheet in worksheets:
            head = _worksheet_rows(workbook, worksheet, HEADER_SEARCH_ROWS)
            if any(_header_score(row, layout) for row in head):
                chosen = worksheet
                break
        return _worksheet_rows(workbook, chosen, limit)
    except SheetError:
        raise
    except Exception as exc:  # a damaged sheet fails part-way through reading
        raise SheetError(
            _(
                "The workbook could not be read; it may be damaged. "
                "Open it in Excel, save it again and upload it."
            )
        ) from exc
    finally:
        workbook.close()


def _refuse_macros(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError):
        return  # openpyxl says what is wrong with it
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in types:
        raise SheetError(
            _(
                "This workbook holds macros (.xlsm), which are not opened here. In Excel, save it "
                "as an Excel Workbook (.xlsx), without macros, and upload that."
            )
        )


def _not_xlsx(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if b"opendocument.spreadsheet" in archive.read("mimetype"):
                return _(
                    "This is an OpenDocument spreadsheet (.ods). Save it as an Excel Workbook "
                    "(.xlsx) or as CSV, and upload that."
                )
    except (KeyError, zipfile.BadZipFile, OSError):
        pass
    return _not_a_sheet()


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _INLINE, _TEXT, _RUN, _MERGED, _FORMULA, _DIMENSION = (
    f"{_MAIN}{tag}" for tag in ("row", "c", "v", "is", "t", "r", "mergeCell", "f", "dimension")
)


def _worksheet_rows(workbook: Any, worksheet: Any, limit: int | None) -> list[list[str]]:
    """A worksheet's cells as text, row by row (row n is `rows[n - 1]`), with each merged range
    filled with its top-left value; only the first `limit` rows, and then no merging, if given.

    openpyxl has opened the workbook in read-only mode and read its sheets, shared strings and
    date styles; the sheet itself is read here, one pass over its XML, with the rules of
    openpyxl's own read-only cells (WorkSheetParser.parse_cell, data only). The same values,
    four to seven times faster: openpyxl makes an object of every inline string and a dict of
    every cell, which made reading a sheet cost more than saving its producers. Merged ranges,
    which read-only worksheets do not report, come at the end of the same XML."""
    shared = worksheet._shared_strings
    dates, durations, epoch = workbook._date_formats, workbook._timedelta_formats, workbook.epoch
    rows: list[list[str]] = []
    merged: list[str] = []
    cells: list[str] = []
    column = filled = 0
    with workbook._archive.open(worksheet._worksheet_path) as source:
        for _event, element in iterparse(source):
            tag = element.tag
            if tag == _CELL:
                reference = element.get("r")
                column = (
                    column_index_from_string(reference.rstrip("0123456789"))
                    if reference
                    else column + 1
                )
                text = _cell_text(_cell_value(element, shared, dates, durations, epoch))
                if text:
                    cells.extend([""] * (column - len(cells)))
                    cells[column - 1] = text
            elif tag == _ROW:
                number = int(element.get("r") or len(rows) + 1)
                rows.extend([] for _gap in range(number - 1 - len(rows)))
                rows.append(cells)
                element.clear()  # the row's cells are read: let them go
                if limit is not None and len(rows) >= limit:
                    return _trimmed(rows[:limit])
                if cells:
                    filled += 1
                    if filled > MAX_ROWS + 1:
                        raise _too_many_rows()
                cells, column = [], 0
            elif tag == _DIMENSION:
                # The sheet's used range comes first: a sheet of a million rows is refused
                # before they are read.
                _check_dimension(element.get("ref") or "")
            elif tag == _MERGED and element.get("ref"):
                merged.append(element.get("ref"))
    for reference in merged:
        first_col, first_row, last_col, last_row = range_boundaries(reference)
        top_left = rows[first_row - 1] if first_row <= len(rows) else []
        value = top_left[first_col - 1] if first_col <= len(top_left) else ""
        for number in range(first_row, min(last_row, len(rows)) + 1):
            row = rows[number - 1]
            row.extend([""] * (last_col - len(row)))
            row[first_col - 1 : last_col] = [value] * (last_col - first_col + 1)
    return _trimmed(rows)


def _check_dimension(reference: str) -> None:
    last = reference.rpartition(":")[2].lstrip("$ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    if last.isdigit() and int(last) > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise _too_many_rows(int(last))


def _cell_value(
    element: Any, shared: Sequence[str], dates: set[int], durations: set[int], epoch: Any
) -> object:
    kind = element.get("t", "n")
    if kind == "inlineStr":
        inline = element.find(_INLINE)
        if inline is None:
            return None
        # The plain text and the text of each formatted run, as openpyxl's Text.content.
        parts = [inline.findtext(_TEXT) or ""]
        parts += [run.findtext(_TEXT) or "" for run in inline.iterfind(_RUN)]
        return "".join(parts)
    value = element.findtext(_VALUE)
    if not value:
        # A formula with no value kept (the file was written by a program, never calculated
        # by Excel) is read as its formula, for the row's check to name, not as a damaged file.
        formula = element.findtext(_FORMULA)
        return f"={formula}" if formula else None
    if kind == "s":
        return shared[int(value)]
    if kind == "b":
        return bool(int(value))
    if kind == "d":
        return from_ISO8601(value)
    if kind != "n":  # "str" (a formula's text), "e" (an error such as #N/A)
        return value
    number = float(value) if "." in value or "E" in value or "e" in value else int(value)
    style = int(element.get("s", 0))
    if style in dates:
        try:
            return from_excel(number, epoch, timedelta=style in durations)
        except (OverflowError, ValueError):
            return "#VALUE!"
    return number


def decode_text(data: bytes) -> str:
    """The text of a CSV file in whichever encoding Excel or another program saved it."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    elif (utf16 := _utf16_without_bom(data)) is not None:
        encodings = [utf16]
    else:
        # cp1252 only when the bytes are not UTF-8; latin-1 reads any byte at all.
        encodings = ["utf-8", "cp1252", "latin-1"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError(
            _(
                "The text of this file could not be read. In Excel, save it as "
                "“CSV UTF-8” and upload it again."
            )
        )
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n")
    if "\x00" in sample or controls > len(sample) // 100:
        raise SheetError(_not_a_sheet())
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if sample.count(0) < len(sample) // 4:
        return None
    # Latin letters in UTF-16 have a zero byte after them (little-endian) or before them.
    odd_zeros = sample[1::2].count(0)
    even_zeros = sample[0::2].count(0)
    return "utf-16-le" if odd_zeros >= even_zeros else "utf-16-be"


def _csv_rows(data: bytes, limit: int | None) -> list[list[str]]:
    text = decode_text(data)
    first_lines = text[:8192].splitlines()[:HEADER_SEARCH_ROWS]
    delimiter = max(",\t;", key=lambda d: sum(line.count(d) for line in first_lines))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    filled = 0
    try:
        for cells in reader:
            row = [unescape_cell(cell.strip()) for cell in cells]
            rows.append(row)
            if limit is not None:
                if len(rows) >= limit:
                    break
            elif any(row):
                filled += 1
                if filled > MAX_ROWS + 1:
                    raise _too_many_rows()
    except csv.Error as exc:
        raise SheetError(
            _("Line %(line)s of the CSV file could not be read: %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from exc
    return _trimmed(rows)


def _header_score(cells: Sequence[str], layout: SheetLayout) -> int:
    return sum(1 for cell in cells if cell and field_for_header(cell, layout))


def _find_header_row(rows: list[list[str]], layout: SheetLayout) -> int:
    """The index of the header row: among the first rows, the one naming the most known columns;
    with none known, the first row of two or more different cells (a merged title above it
    repeats one text in every cell it covers)."""
    candidates = [(index, row) for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if any(row)]
    if not candidates:
        raise SheetError(_("The sheet is empty."))

    def rank(candidate: tuple[int, list[str]]) -> tuple[int, int, int]:
        index, row = candidate
        distinct = len({cell for cell in row if cell})
        return (_header_score(row, layout), min(distinct, 2), -index)

    return max(candidates, key=rank)[0]


def _strict_fields(sheet: RawSheet, layout: SheetLayout) -> dict[int, str]:
    """The columns of a sheet read without a mapping: every header must be known."""
    fields: dict[int, str] = {}
    unknown, twice = [], []
    for position, cell in enumerate(sheet.header):
        if not cell:
            continue
        name = field_for_header(cell, layout)
        if name is None:
            unknown.append(_column_label(sheet.header, position))
        elif name in fields.values():
            twice.append(f"«{cell}»")
        elif name != IGNORE:
            fields[position] = name
    columns = layout.by_field
    missing = [
        f"«{columns[name].header}»" for name in layout.required if name not in fields.values()
    ]
    if unknown or missing or twice:
        parts = [
            _("The headers in row %(row)s do not match the template.")
            % {"row": sheet.header_index + 1}
        ]
        if missing:
            parts.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        if unknown:
            if len(unknown) > 10:
                unknown[10:] = [_("and %(count)s more") % {"count": len(unknown) - 10}]
            parts.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
        if twice:
            parts.append(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(twice)})
        parts.append(
            _("Use the template's headers, in Hindi, English or both; the import page has it.")
        )
        raise SheetError(" ".join(parts))
    return fields
