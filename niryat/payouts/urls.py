"""The payouts pages (included by niryat/site/urls.py)."""

from django.urls import path

from niryat.core.sheets.views import job_urls
from niryat.payouts import views
from niryat.payouts.importers import SETTLEMENT_REPORT_IMPORTER

urlpatterns = [
    path("payouts/", views.payouts_home, name="payouts_home"),
    path("payouts/accounts/<uuid:uuid>/", views.account_payouts, name="payouts_account"),
    path("payouts/accounts/<uuid:uuid>/pull/", views.account_pull, name="payouts_account_pull"),
    path("payouts/accounts/<uuid:uuid>/terms/", views.account_terms, name="payouts_account_terms"),
    path("payouts/producers/<uuid:uuid>/", views.producer_payouts, name="payouts_producer"),
    path(
        "payouts/producers/<uuid:uuid>/statements/<int:year>/<int:month>/",
        views.producer_statement,
        name="payouts_producer_statement",
    ),
    path(
        "payouts/accounts/<uuid:uuid>/reconciliation.xlsx",
        views.account_xlsx,
        name="payouts_account_xlsx",
    ),
    path("payouts/import/", views.report_upload, name="settlement_report_import"),
    *job_urls(SETTLEMENT_REPORT_IMPORTER, "payouts/import/"),
    path("producer/payments/", views.my_payouts, name="my_payouts"),
    path(
        "producer/payments/statements/<int:year>/<int:month>/",
        views.my_statement,
        name="my_payouts_statement",
    ),
]
