"""The producer import (upload, template, progress, errors) and the producer list's exports."""

from django.urls import path

from niryat.registry import import_views

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
    path(
        "producers/import/<uuid:job_uuid>/",
        import_views.import_job,
        name="producer_import_job",
    ),
    path(
        "producers/import/<uuid:job_uuid>/columns/",
        import_views.import_job_columns,
        name="producer_import_columns",
    ),
    path(
        "producers/import/<uuid:job_uuid>/rows/<int:row>/keep/",
        import_views.import_job_keep,
        name="producer_import_keep",
    ),
    path(
        "producers/import/<uuid:job_uuid>/errors/",
        import_views.import_job_errors,
        name="producer_import_errors",
    ),
    path(
        "producers/import/<uuid:job_uuid>/import-valid-rows/",
        import_views.import_job_valid_rows,
        name="producer_import_valid_rows",
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
