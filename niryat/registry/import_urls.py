"""The producer import (upload, template; a job's pages are the framework's, with the choice
for a row that is a registered producer) and the producer list's exports."""

from django.urls import path

from niryat.core.sheets.views import job_urls
from niryat.registry import import_views
from niryat.registry.bulk_import import PRODUCER_IMPORTER

urlpatterns = [
    path("producers/import/", import_views.import_page, name="producer_import"),
    path(
        "producers/import/template.xlsx",
        import_views.import_template,
        {"fmt": "xlsx"},
        name="producer_import_template_xlsx",
    ),
    path(
        "producers/import/template.csv",
        import_views.import_template,
        {"fmt": "csv"},
        name="producer_import_template_csv",
    ),
    *job_urls(PRODUCER_IMPORTER, "producers/import/"),
    path(
        "producers/import/<uuid:job_uuid>/rows/<int:row>/keep/",
        import_views.import_job_keep,
        name="producer_import_keep",
    ),
    path(
        "producers/export.xlsx",
        import_views.producer_export,
        {"fmt": "xlsx"},
        name="producer_export_xlsx",
    ),
    path(
        "producers/export.csv",
        import_views.producer_export,
        {"fmt": "csv"},
        name="producer_export_csv",
    ),
]
