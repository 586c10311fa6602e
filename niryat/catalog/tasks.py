"""Background tasks of the catalogue (django-tasks; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from niryat.catalog.actions import process_image_now
from niryat.catalog.models import ProductImage


@task()
def process_image(image_uuid: str) -> None:
    """Make a photo's main image, thumbnail and quality report; a deleted photo is skipped."""
    image = ProductImage.objects.select_related("product").filter(uuid=image_uuid).first()
    if image is not None:
        process_image_now(image)


@task()
def import_catalogue(job_uuid: str, language: str) -> None:
    """Check an uploaded catalogue sheet (and its zip of photos) and import it; messages in the
    uploader's `language`."""
    # Imported when an import runs: photo processing, which every upload queues, needs none of
    # the spreadsheet machinery.
    from niryat.catalog.bulk_import import run_import_job
    from niryat.catalog.models import CatalogImportJob

    job = CatalogImportJob.objects.select_related("district", "uploaded_by", "progress").get(
        uuid=job_uuid
    )
    run_import_job(job, language=language)
