"""The life of an uploaded sheet, for every importer: upload, mapping, check, import, file gone.

1. `start_job`: the file is kept (under its job) and its header row read. The mapping remembered
   for the district's sheets with the same headers, or else the one recognised from the headers,
   is applied; when it leaves nothing to choose the check starts at once, otherwise the job waits
   on the mapping page.
2. `choose_mapping`: staff give each column a field or "ignore this column", and a value for a
   required field the sheet lacks; the mapping is remembered for the district, and the check
   starts. A column mapped twice, or a required field neither mapped nor given, is refused with
   the job left as it was.
3. `run_job` (the background task): the file read under the mapping, the importer run on it;
   errors and counts recorded on the job, progress on its TaskProgress.
4. The file's end (`end_of_file`): deleted as soon as nothing more can be done with it (imported
   without row errors, or failed); kept for `settings.IMPORT_FILE_RETENTION` while it has an
   error sheet to download or rows to import, then deleted by `delete_expired_files`
   (`manage.py delete_old_sheets`, from cron).
"""

from __future__ import annotations

import datetime
import hashlib
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from niryat.core.collector import without_gc_pauses
from niryat.core.models import District, SheetMapping, User
from niryat.core.progress import fail_progress, finish_progress, report_progress, start_progress
from niryat.core.scoping import require_write
from niryat.core.sheets.importers import (
    Importer,
    Outcome,
    Problem,
    importers,
    masked_rows,
)
from niryat.core.sheets.reading import (
    IGNORE,
    ParsedSheet,
    RawSheet,
    SheetError,
    check_upload,
    guess_mapping,
    read_rows,
    read_sheet,
    resolve_mapping,
)
from niryat.core.sheets.writing import Sheet, csv_lines, write_xlsx

if TYPE_CHECKING:
    from niryat.core.sheets.models import SheetImportJob

CHECKED_WITH_ERRORS = gettext_noop("The sheet has errors; nothing was imported.")
IMPORTED = gettext_noop("Import finished.")
FAILED = gettext_noop("The import failed; nothing was saved.")

Enqueue = Callable[[str, str], None]


def model_of(importer: Importer) -> type[SheetImportJob]:
    if importer.job_model is None:
        raise ImproperlyConfigured(f"{importer.key} imports without jobs")
    return importer.job_model


def retention() -> datetime.timedelta:
    return getattr(settings, "IMPORT_FILE_RETENTION", datetime.timedelta(days=7))


def job_url(importer: Importer, job: SheetImportJob) -> str:
    return reverse(f"{importer.url_prefix}_import_job", args=[job.uuid])


def signature_of(header: Iterable[str]) -> str:
    raw = RawSheet("csv", [list(header)], 0)
    return hashlib.sha256(raw.signature().encode()).hexdigest()


def remembered_mapping(
    importer: Importer, district: District, header: list[str]
) -> SheetMapping | None:
    return SheetMapping.objects.filter(
        district=district, importer=importer.key, signature=signature_of(header)
    ).first()


def _enqueue(importer: Importer, job: SheetImportJob, language: str) -> None:
    # The database task queue commits with the job: no task for a job rolled back.
    importer.enqueue(job, language)


@transaction.atomic
def start_job(
    importer: Importer,
    district: District,
    upload: UploadedFile,
    *,
    acting_user: User,
    language: str,
    also_keep: Mapping[str, UploadedFile | None] | None = None,
    **extra: Any,
) -> SheetImportJob:
    """Keep the uploaded sheet under a new job and, when its columns need no choice, queue its
    check. `also_keep` are other uploads to keep in the job's file fields (a catalogue's zip of
    photos), `extra` the importer's own fields of the job."""
    others = {name: upload for name, upload in (also_keep or {}).items() if upload is not None}
    require_write(district, acting_user)
    raw = check_upload(upload, importer.layout)
    digest = hashlib.sha256()
    for kept in (upload, *others.values()):
        kept.seek(0)
        for chunk in kept.chunks():
            digest.update(chunk)
        kept.seek(0)
    job = model_of(importer)(
        district=district,
        uploaded_by=acting_user,
        file_name=PurePath(upload.name or "sheet").name[:255],
        sha256=digest.hexdigest(),
        header=raw.header,
        **extra,
    )
    remembered = remembered_mapping(importer, district, raw.header)
    mapping: Mapping[int, str | None]
    if remembered is not None:
        mapping = {int(k): v for k, v in remembered.mapping.items()}
        job.constants = remembered.constants
        job.mapping_remembered = True
    else:
        mapping = guess_mapping(raw, importer.layout)
    job.mapping = {str(position): name for position, name in mapping.items()}
    try:
        resolve_mapping(importer.layout, raw.header, mapping, job.constants)
    except SheetError:
        job.status = job.Status.MAPPING
    else:
        job.status = job.Status.CHECKING
    job.file.save(f"{job.uuid}{PurePath(job.file_name).suffix.lower()[:8]}", upload, save=False)
    for name, other in others.items():
        suffix = PurePath(other.name or "").suffix.lower()[:8]
        getattr(job, name).save(f"{job.uuid}-{name}{suffix}", other, save=False)
    job.save()
    if job.status == job.Status.CHECKING:
        _start_check(importer, job, acting_user=acting_user, language=language)
    return job


def _start_check(
    importer: Importer, job: SheetImportJob, *, acting_user: User, language: str
) -> None:
    job.progress = start_progress(owner=acting_user, label=importer.label, district=job.district)
    job.progress.subject = job.file_name
    job.progress.link = job_url(importer, job)
    job.progress.save(update_fields=["subject", "link"])
    job.save(update_fields=["progress", "status", "updated_at"])
    _enqueue(importer, job, language)


@transaction.atomic
def choose_mapping(
    importer: Importer,
    job: SheetImportJob,
    mapping: Mapping[int, str | None],
    constants: Mapping[str, str],
    *,
    acting_user: User,
    language: str,
) -> SheetImportJob:
    """Staff's mapping of the sheet's columns: checked, remembered for the district's sheets with
    the same headers, and the sheet's check queued. SheetError when it cannot be used."""
    job = model_of(importer)._default_manager.select_for_update().get(pk=job.pk)
    require_write(job.district, acting_user)
    if job.status != job.Status.MAPPING:
        raise ValidationError(_("This sheet is not waiting for its columns; nothing was changed."))
    constants = {name: value.strip() for name, value in constants.items() if value.strip()}
    resolve_mapping(importer.layout, job.header, mapping, constants)
    job.mapping = {str(position): name for position, name in mapping.items()}
    job.constants = constants
    job.status = job.Status.CHECKING
    job.save(update_fields=["mapping", "constants", "status", "updated_at"])
    SheetMapping.objects.update_or_create(
        district=job.district,
        importer=importer.key,
        signature=signature_of(job.header),
        defaults={
            "header": job.header,
            "mapping": job.mapping,
            "constants": constants,
            "updated_by": acting_user,
        },
    )
    _start_check(importer, job, acting_user=acting_user, language=language)
    return job


@transaction.atomic
def import_valid_rows_of(
    importer: Importer, job: SheetImportJob, *, acting_user: User, language: str
) -> SheetImportJob:
    """The user's choice, after seeing the errors: import the rows that have none."""
    job = model_of(importer)._default_manager.select_for_update().get(pk=job.pk)
    require_write(job.district, acting_user)
    if job.status != job.Status.HAS_ERRORS:
        raise ValidationError(_("This sheet is not waiting for a choice; nothing was changed."))
    if job.file_gone:
        raise ValidationError(
            _("The uploaded sheet has been deleted; upload it again to import its valid rows.")
        )
    job.import_valid_rows = True
    job.status = job.Status.CHECKING
    job.save(update_fields=["import_valid_rows", "status", "updated_at"])
    _start_check(importer, job, acting_user=acting_user, language=language)
    return job


def read_job_file(importer: Importer, job: SheetImportJob) -> ParsedSheet:
    if job.file_gone:
        raise SheetError(_("The uploaded sheet has been deleted."))
    with job.file.open("rb") as handle:
        data = handle.read()
    return read_sheet(
        data,
        layout=importer.layout,
        mapping=job.mapping_by_position() if job.mapping else None,
        constants=job.constants,
    )


def run_job(importer: Importer, job: SheetImportJob, *, language: str) -> Outcome | None:
    """The background task's work: read the job's file, run the importer, record the outcome."""
    if job.status not in job.RUNNING:
        return None  # already done: a task that runs twice does its work once
    progress = job.progress.uuid if job.progress else None
    with translation.override(language), without_gc_pauses():
        try:
            if job.uploaded_by is None:
                raise PermissionDenied(
                    _("The person who uploaded this sheet no longer has an account.")
                )
            sheet = read_job_file(importer, job)
            records = list(sheet.records())
            if progress is not None:
                report_progress(progress, done=0, total=len(records))
            outcome = importer.run(
                records,
                district=job.district,
                acting_user=job.uploaded_by,
                job=job,
                import_valid_rows=job.import_valid_rows,
                headers=sheet.headers_by_field(),
                on_progress=(
                    (lambda done, total: report_progress(progress, done=done, total=total))
                    if progress is not None
                    else None
                ),
            )
        except (SheetError, PermissionDenied) as exc:
            fail_job(job, str(exc))
            return None
        except Exception:
            fail_job(job, _("The import stopped on an unexpected error, and nothing was saved."))
            raise
        record_outcome(job, outcome)
    if progress is not None:
        if outcome.saved:
            report_progress(progress, done=outcome.total, total=outcome.total)
        finish_progress(
            progress,
            message=IMPORTED if outcome.saved else CHECKED_WITH_ERRORS,
            result={"created": outcome.created, "unchanged": outcome.unchanged},
        )
    return outcome


def record_outcome(job: SheetImportJob, outcome: Outcome) -> None:
    """The outcome on the job; then the file kept for its error sheet, or deleted."""
    job.status = job.Status.DONE if outcome.saved else job.Status.HAS_ERRORS
    job.total_rows = outcome.total
    job.error_rows = outcome.error_rows
    job.created_count = outcome.created
    job.unchanged_count = outcome.unchanged
    job.errors = [problem.as_json() for problem in outcome.problems]
    job.save(
        update_fields=[
            "status",
            "total_rows",
            "error_rows",
            "created_count",
            "unchanged_count",
            "errors",
            "updated_at",
        ]
    )
    end_of_file(job, needed=outcome.row_errors)


def fail_job(job: SheetImportJob, message: str) -> None:
    job.status = job.Status.FAILED
    job.errors = [Problem(None, "", message).as_json()]
    job.save(update_fields=["status", "errors", "updated_at"])
    if job.progress_id:
        fail_progress(job.progress.uuid, message=message)  # type: ignore[union-attr]
    end_of_file(job, needed=False)


def end_of_file(job: SheetImportJob, *, needed: bool) -> None:
    """Delete the job's file now, or (`needed` for its error sheet or its valid rows) keep it for
    the retention period."""
    if needed and retention() > datetime.timedelta(0):
        job.file_kept_until = timezone.now() + retention()
        job.save(update_fields=["file_kept_until", "updated_at"])
    else:
        delete_file(job)


def delete_file(job: SheetImportJob) -> None:
    """Delete the job's uploaded files (the sheet, and any other: a catalogue's photos zip)."""
    names = [f.name for f in job._meta.get_fields() if isinstance(f, models.FileField)]
    for name in names:
        file = getattr(job, name)
        if file:
            file.delete(save=False)
    job.file_deleted_at = timezone.now()
    job.file_kept_until = None
    job.save(update_fields=[*names, "file_deleted_at", "file_kept_until", "updated_at"])


def delete_expired_files(now: datetime.datetime | None = None) -> int:
    """Delete every kept sheet whose time is up; the number deleted."""
    now = now or timezone.now()
    deleted = 0
    for importer in importers().values():
        if importer.job_model is None:
            continue
        expired = importer.job_model._default_manager.filter(
            file_deleted_at__isnull=True, file_kept_until__lte=now
        )
        for job in expired:
            delete_file(job)
            deleted += 1
    return deleted


# --- error sheets -------------------------------------------------------------------------------


def error_sheet(
    importer: Importer, job: SheetImportJob, error_header: str
) -> tuple[str, list[str], list[list[str]]]:
    """The uploaded sheet again, with an error column, personal identifiers masked."""
    sheet = read_job_file(importer, job)
    kind, header, rows = rows_with_errors(sheet, job.errors, error_header)
    masks = importer.masks()
    hidden = {position: masks[name] for position, name in sheet.fields.items() if name in masks}
    return kind, header, masked_rows(rows, hidden)


def rows_with_errors(
    sheet: ParsedSheet, problems: Iterable[Mapping[str, Any]], error_header: str
) -> tuple[str, list[str], list[list[str]]]:
    """A read sheet again, every record of it, with an error column saying what to correct, from
    `problems` as `Problem.as_json` gives them: ("xlsx" or "csv", header, rows). Rows without
    errors stay, so that the corrected sheet can be imported whole."""
    messages: dict[int, list[str]] = defaultdict(list)
    for problem in problems:
        if problem.get("kind") == "error" and problem.get("row"):
            text = problem["message"]
            if problem.get("column"):
                text = f"«{problem['column']}»: {text}"
            messages[problem["row"]].append(text)
    numbered = list(sheet.raw.numbered_rows())
    # The error column goes right of every cell of the sheet, even those without a header.
    width = max([len(sheet.header), *(len(cells) for _number, cells in numbered)])
    header = [*sheet.header, *[""] * (width - len(sheet.header)), error_header]
    rows = [
        [*cells, *[""] * (width - len(cells)), "; ".join(messages.get(number, []))]
        for number, cells in numbered
    ]
    return sheet.file_kind, header, rows


# --- erasing a person from kept files -----------------------------------------------------------


def blank_rows_in_kept_files(
    importer: Importer, district: District, matches: Callable[[Mapping[str, str]], bool]
) -> int:
    """Empty, in every kept file of the district's jobs, the rows `matches` picks (a person whose
    data is erased); the rows keep their numbers, so the jobs' errors still point at the right
    rows. The number of rows emptied."""
    emptied = 0
    kept = model_of(importer)._default_manager.filter(
        district=district, file_deleted_at__isnull=True
    )
    for job in kept.exclude(file=""):
        try:
            with job.file.open("rb") as handle:
                data = handle.read()
            raw = read_rows(data, importer.layout)
            mapping = job.mapping_by_position() or {
                p: n for p, n in guess_mapping(raw, importer.layout).items() if n
            }
        except (SheetError, OSError):
            continue
        fields = {int(p): n for p, n in mapping.items() if n and n != IGNORE}
        changed = 0
        for index in range(raw.header_index + 1, len(raw.rows)):
            cells = raw.rows[index]
            values = {name: cells[p] if p < len(cells) else "" for p, name in fields.items()}
            if any(cells) and matches(values):
                raw.rows[index] = [""] * len(cells)
                changed += 1
        if changed:
            _rewrite(job, raw)
            emptied += changed
    return emptied


def _rewrite(job: SheetImportJob, raw: RawSheet) -> None:
    name = job.file.name
    if raw.file_kind == "xlsx":
        buffer = io.BytesIO()
        write_xlsx([Sheet("Sheet1", raw.rows[0] if raw.rows else [], raw.rows[1:])], buffer)
        content = buffer.getvalue()
    else:
        content = "".join(csv_lines(raw.rows[0] if raw.rows else [], raw.rows[1:])).encode()
    job.file.storage.delete(name)
    job.file.storage.save(name, ContentFile(content))
