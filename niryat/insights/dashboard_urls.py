"""The dashboards (included by niryat/site/urls.py)."""

from django.urls import path

from niryat.insights import dashboard_views as views

urlpatterns = [
    path("dashboards/state/", views.state_dashboard, name="state_dashboard"),
    path("dashboards/state/rebuild/", views.rebuild, name="dashboards_rebuild"),
    path("dashboards/state/<slug:chart>.xlsx", views.state_chart_xlsx, name="state_chart_xlsx"),
    path("dashboards/<int:lgd_code>/", views.district_dashboard, name="district_dashboard"),
    path(
        "dashboards/<int:lgd_code>/<slug:chart>.xlsx",
        views.district_chart_xlsx,
        name="district_chart_xlsx",
    ),
    path(
        "dashboards/<int:lgd_code>/report.pdf",
        views.district_report_pdf,
        name="district_report_pdf",
    ),
]
