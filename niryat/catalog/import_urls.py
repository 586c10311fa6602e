"""The catalogue import: upload and template here; a job's pages are the framework's."""

from django.urls import path

from niryat.catalog import import_views
from niryat.catalog.bulk_import import CATALOGUE_IMPORTER
from niryat.core.sheets.views import job_urls

urlpatterns = [
    path("catalogue/import/", import_views.import_page, name="catalogue_import"),
    path(
        "catalogue/import/template.xlsx",
        import_views.import_template,
        name="catalogue_import_template",
    ),
    *job_urls(CATALOGUE_IMPORTER, "catalogue/import/"),
]
