"""The catalogue import: upload, template, progress, errors, importing the valid rows."""

from django.urls import path

from niryat.catalog import import_views

urlpatterns = [
    path("catalogue/import/", import_views.import_page, name="catalogue_import"),
    path(
        "catalogue/import/template.xlsx",
        import_views.import_template,
        name="catalogue_import_template",
    ),
    path(
        "catalogue/import/<uuid:catalog_job_uuid>/",
        import_views.import_job,
        name="catalogue_import_job",
    ),
    path(
        "catalogue/import/<uuid:catalog_job_uuid>/status/",
        import_views.import_job_status,
        name="catalogue_import_job_status",
    ),
    path(
        "catalogue/import/<uuid:catalog_job_uuid>/columns/",
        import_views.import_job_columns,
        name="catalogue_import_columns",
    ),
    path(
        "catalogue/import/<uuid:catalog_job_uuid>/errors/",
        import_views.import_job_errors,
        name="catalogue_import_errors",
    ),
    path(
        "catalogue/import/<uuid:catalog_job_uuid>/import-valid-rows/",
        import_views.import_job_confirm,
        name="catalogue_import_confirm",
    ),
]
