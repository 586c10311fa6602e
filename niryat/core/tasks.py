"""Background tasks of the core app (django-tasks; `manage.py db_worker` runs them)."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from django.utils.translation import gettext_noop
from django_tasks import task

from niryat.core.progress import fail_progress, finish_progress, report_progress
from niryat.core.reference_data import ReferenceDataError, load_reference_data


@task()
def reload_reference_data(progress_id: str, directory: str) -> dict[str, dict[str, int]]:
    """Re-load districts and ODOP products from `directory`, reporting progress as it goes."""
    uuid = UUID(progress_id)
    try:
        report = load_reference_data(
            Path(directory),
            on_progress=lambda done, total: report_progress(uuid, done=done, total=total),
        )
    except ReferenceDataError as exc:
        fail_progress(uuid, message=str(exc))
        raise
    result = {"created": report.created, "updated": report.updated}
    finish_progress(uuid, message=gettext_noop("Reference data loaded."), result=result)
    return result


@task()
def run_sheet_import(importer_key: str, job_uuid: str, language: str) -> None:
    """Check an uploaded sheet and import it; messages in the uploader's `language`."""
    from niryat.core.sheets.importers import importer_for
    from niryat.core.sheets.jobs import model_of, run_job

    importer = importer_for(importer_key)
    job = (
        model_of(importer)
        ._default_manager.select_related("district", "uploaded_by", "progress")
        .get(uuid=job_uuid)
    )
    run_job(importer, job, language=language)
