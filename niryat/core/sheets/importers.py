"""What an importer declares: its fields, and how a checked row is saved.

An app that imports lists (producers, the catalogue, trainees of the events to come) subclasses
`Importer`, gives its `fields` and `save`s what the framework checked; everything else (reading,
the mapping step, the job and its progress, row errors on the page and as an error sheet, "import
the valid rows", nothing half-saved, the file's deletion) is the framework's. An importer whose
rows need more than checking each field by its kind (the registry's rules, duplicates, matching
records) overrides `check_row`, or `run` as a whole. Importers are listed in
`settings.SHEET_IMPORTERS` by key, so that the background task finds them by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from niryat.core.dates import parse_indian_date
from niryat.core.sheets.reading import (
    Column,
    SheetLayout,
    norm,
    read_sheet,
)

if TYPE_CHECKING:
    from niryat.core.models import District, User
    from niryat.core.sheets.models import SheetImportJob

YES_WORDS = frozenset(map(norm, ("yes", "y", "true", "1", "हाँ", "हां", "haan")))
NO_WORDS = frozenset(map(norm, ("no", "n", "false", "0", "नहीं", "ना", "nahi")))


@dataclass(frozen=True)
class SheetField:
    """A field of an importer's sheet. `kind` says how its text is read ("text", "date",
    "number", "whole", "yes_no", "mobile"); `personal` fields (Aadhaar, bank account, mobile)
    are masked in error sheets."""

    name: str
    hindi: str
    english: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    kind: str = "text"
    personal: bool = False
    width: int = 18

    @property
    def column(self) -> Column:
        return Column(self.name, self.hindi, self.english, self.aliases, self.width)

    @property
    def label(self) -> str:
        return f"{self.hindi} / {self.english}"


@dataclass(frozen=True)
class Problem:
    """Something to tell the user about a row: an error, a warning, or a likely duplicate."""

    row: int | None
    column: str
    message: str
    kind: str = "error"  # "error", "warning", "duplicate" or "match"
    producer: str = ""  # a record the row concerns (uuid), for a link to it
    extra: Mapping[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "kind": self.kind,
        }
        if self.producer:
            found["producer"] = self.producer
        if self.extra:
            found.update(self.extra)
        return found


@dataclass
class CheckedRecord:
    number: int
    values: dict[str, Any] | None = None  # the record's values, when the row is valid
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, message)


@dataclass
class Outcome:
    """What a run of an importer did, for the job and its page."""

    total: int = 0
    error_rows: int = 0
    created: int = 0
    unchanged: int = 0
    saved: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def row_errors(self) -> bool:
        return any(p.kind == "error" and p.row for p in self.problems)


Progress = Callable[[int, int], None]


class Importer:
    """An app's sheet import. Subclasses set the class attributes and `save`."""

    key: ClassVar[str]
    # English msgids (gettext_noop): the progress label, and a title for pages.
    label: ClassVar[str]
    fields: ClassVar[tuple[SheetField, ...]]
    ignored: ClassVar[tuple[Column, ...]] = ()
    no_rows: ClassVar[str] = gettext_noop("The sheet has headers but no rows under them.")
    # The job model (a SheetImportJob), the background task, and the URL names of the pages.
    job_model: ClassVar[type[SheetImportJob] | None] = None
    url_prefix: ClassVar[str] = ""
    # The pages (core/sheets/views.py): the mapping page's title, the importer's own templates
    # ("<template_prefix>job.html", "job_status.html") where they say more than the shared ones,
    # and the header of the error sheet's last column.
    sheet_title: ClassVar[str] = gettext_noop("A sheet")
    template_prefix: ClassVar[str] = ""
    error_header: ClassVar[str] = "त्रुटि / Error"
    # For the default `save`: the model of a row (with a `district`), and the fields that tell
    # a row already imported.
    model: ClassVar[type[models.Model] | None] = None
    unique_by: ClassVar[tuple[str, ...]] = ()

    def enqueue(self, job: SheetImportJob, language: str) -> None:
        """Queue the job's check (and import): the framework's task, which runs `run`."""
        from niryat.core.tasks import run_sheet_import

        run_sheet_import.enqueue(self.key, str(job.uuid), language)

    @cached_property
    def layout(self) -> SheetLayout:
        return SheetLayout(
            tuple(f.column for f in self.fields),
            self.ignored,
            tuple(f.name for f in self.fields if f.required),
            self.no_rows,
        )

    @cached_property
    def by_name(self) -> dict[str, SheetField]:
        return {f.name: f for f in self.fields}

    def page_context(self, job: SheetImportJob, problems: list[dict[str, Any]]) -> dict[str, Any]:
        """What the importer's own job templates show beyond the shared page."""
        return {}

    def masks(self) -> dict[str, Callable[[str], str]]:
        """How each personal field is masked in error sheets (by default: all but the last four
        digits hidden)."""
        return {f.name: mask_value for f in self.fields if f.personal}

    # --- checking and saving ------------------------------------------------------------------

    def check_row(
        self, values: Mapping[str, str], number: int, district: District
    ) -> CheckedRecord:
        """Each field read by its kind; a required field must have a value."""
        row = CheckedRecord(number)
        found: dict[str, Any] = {}
        for sheet_field in self.fields:
            text = (values.get(sheet_field.name) or "").strip()
            if not text:
                if sheet_field.required:
                    row.errors.append((sheet_field.name, _("Required; this row leaves it empty.")))
                found[sheet_field.name] = None if sheet_field.kind != "text" else ""
                continue
            try:
                found[sheet_field.name] = read_value(sheet_field.kind, text)
            except ValueError as refused:
                row.errors.append((sheet_field.name, str(refused)))
        if not row.errors:
            row.values = found
        return row

    def save(
        self,
        rows: Sequence[CheckedRecord],
        *,
        district: District,
        acting_user: User,
        job: SheetImportJob | None,
    ) -> tuple[int, int]:
        """Save the valid rows, in the framework's transaction: (created, unchanged).

        By default a record of `model` per row, with the row's values and the district; a row
        whose `unique_by` values a record of the district already has is left unchanged, so
        importing the same sheet twice changes nothing."""
        if self.model is None:
            raise NotImplementedError(f"{type(self).__name__} declares no model and no save")
        existing = {
            tuple(found)
            for found in self.model._default_manager.filter(district=district).values_list(
                *self.unique_by
            )
        }
        new = []
        for row in rows:
            values = row.values or {}
            key = tuple(values.get(name) for name in self.unique_by)
            if self.unique_by and key in existing:
                continue
            existing.add(key)
            new.append(self.model(district=district, **values))
        self.model._default_manager.bulk_create(new, batch_size=500)
        return len(new), len(rows) - len(new)

    def run(
        self,
        records: Sequence[tuple[int, Mapping[str, str]]],
        *,
        district: District,
        acting_user: User,
        job: SheetImportJob | None = None,
        import_valid_rows: bool = False,
        headers: Mapping[str, str] | None = None,
        on_progress: Progress | None = None,
    ) -> Outcome:
        """Check every row; save them all, or (`import_valid_rows`) those without errors, or
        none while any has an error."""
        column_of = {f.name: f.label for f in self.fields}
        column_of.update(headers or {})
        outcome = Outcome(total=len(records))
        checked = []
        for position, (number, values) in enumerate(records):
            if on_progress is not None and position % 500 == 0:
                on_progress(position, len(records))
            row = self.check_row(values, number, district)
            checked.append(row)
            outcome.problems += [
                Problem(number, column_of.get(name, ""), message) for name, message in row.errors
            ]
        valid = [row for row in checked if row.values is not None]
        outcome.error_rows = len(checked) - len(valid)
        if outcome.error_rows and not import_valid_rows:
            return outcome
        with transaction.atomic():
            outcome.created, outcome.unchanged = self.save(
                valid, district=district, acting_user=acting_user, job=job
            )
        outcome.saved = True
        return outcome


def read_value(kind: str, text: str) -> Any:
    """The text of a cell as a value of `kind`; ValueError with the message to show."""
    if kind == "date":
        return parse_indian_date(text)
    if kind in {"number", "whole"}:
        cleaned = text.replace(",", "").replace("₹", "").strip()
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            number = None
        if number is None or (kind == "whole" and number != number.to_integral_value()):
            raise ValueError(_("«%(value)s» is not a number.") % {"value": text})
        return int(number) if kind == "whole" else number
    if kind == "yes_no":
        if norm(text) in YES_WORDS:
            return True
        if norm(text) in NO_WORDS:
            return False
        raise ValueError(_("Write yes or no, not «%(value)s».") % {"value": text})
    if kind == "mobile":
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) == 12 and digits.startswith("91"):
            digits = digits[2:]
        elif len(digits) == 11 and digits.startswith("0"):
            digits = digits[1:]
        if len(digits) != 10 or digits[0] not in "6789":
            raise ValueError(
                _("«%(value)s» is not a mobile number of 10 digits.") % {"value": text}
            )
        return digits
    return text


def import_sheet(
    importer: Importer,
    data: bytes,
    *,
    district: District,
    acting_user: User,
    mapping: Mapping[int, str | None] | None = None,
    constants: Mapping[str, str] | None = None,
    import_valid_rows: bool = False,
) -> Outcome:
    """Read `data` under `mapping` and run `importer` on it, without a job (scripts, tests)."""
    sheet = read_sheet(data, layout=importer.layout, mapping=mapping, constants=constants)
    return importer.run(
        list(sheet.records()),
        district=district,
        acting_user=acting_user,
        import_valid_rows=import_valid_rows,
        headers=sheet.headers_by_field(),
    )


# --- masking ------------------------------------------------------------------------------------


def mask_value(text: str) -> str:
    """A personal identifier with all but its last four digits hidden: "XXXXXXXX9012"."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) <= 4:
        return text.strip()
    return "X" * (len(digits) - 4) + digits[-4:]


def masked_rows(
    rows: Iterable[list[str]], positions: Mapping[int, Callable[[str], str]]
) -> list[list[str]]:
    """`rows` with the cells at `positions` masked by the function given for each."""
    result = []
    for cells in rows:
        copy = list(cells)
        for position, mask in positions.items():
            if position < len(copy) and copy[position]:
                copy[position] = mask(copy[position])
        result.append(copy)
    return result


# --- the importers in settings ----------------------------------------------------------------


@cache
def importers() -> dict[str, Importer]:
    found = {}
    for path in getattr(settings, "SHEET_IMPORTERS", ()):
        importer = import_string(path)()
        found[importer.key] = importer
    return found


def importer_for(key: str) -> Importer:
    return importers()[key]
