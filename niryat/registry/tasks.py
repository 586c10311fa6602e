"""Background tasks of the registry (django-tasks; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from niryat.registry.bulk_import import run_import_job
from niryat.registry.models import ImportJob


@task()
def import_producers(job_uuid: str, language: str) -> None:
    """Check an uploaded producer sheet and import it; messages in the uploader's `language`."""
    job = ImportJob.objects.select_related("district", "uploaded_by", "progress").get(uuid=job_uuid)
    run_import_job(job, language=language)
