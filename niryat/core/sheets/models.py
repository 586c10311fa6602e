"""The import job every importer's uploads are: one abstract model, its fields and states.

Each importer keeps its jobs in its own table (a producer import and a catalogue import are
different records, audited and scoped in their apps), but every table has these fields, so the
framework's flow (`jobs.py`) and pages (`views.py`) work on any of them.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from niryat.core.models import District, TaskProgress, Timestamped, User


class JobStatus(models.TextChoices):
    MAPPING = "mapping", _("Waiting for its columns")
    CHECKING = "checking", _("Checking")
    HAS_ERRORS = "has_errors", _("Has errors")
    READY = "ready", _("Ready to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class SheetImportJob(Timestamped):
    """One uploaded sheet: its columns mapped, checked row by row, imported whole or not at all
    (or its valid rows, when staff choose so). The file is deleted when the job ends, or kept
    until `file_kept_until` for the error sheet (settings.IMPORT_FILE_RETENTION)."""

    Status = JobStatus
    RUNNING = frozenset({JobStatus.CHECKING, JobStatus.IMPORTING})
    ENDED = frozenset({JobStatus.HAS_ERRORS, JobStatus.DONE, JobStatus.FAILED})

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=255, blank=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.CHECKING)
    # The header row as read, and each column's field ("" to ignore it), by position.
    header = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    # One value for every row of a field the sheet lacks: {"kind": "artisan"}.
    constants = models.JSONField(default=dict, blank=True)
    mapping_remembered = models.BooleanField(default=False)
    import_valid_rows = models.BooleanField(default=False)
    total_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    progress = models.ForeignKey(
        TaskProgress, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_kept_until = models.DateTimeField(null=True, blank=True)
    file_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def file_gone(self) -> bool:
        return self.file_deleted_at is not None or not self.file

    def mapping_by_position(self) -> dict[int, str | None]:
        return {int(position): name for position, name in (self.mapping or {}).items()}
