"""Every app's pages and the API, in one list (the composition root)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from niryat.core import views
from niryat.core.admin_site import restrict_admin_to_state_admins
from niryat.site import views as site_views
from niryat.site.api import api

restrict_admin_to_state_admins(admin.site)

urlpatterns = [
    path("", site_views.home, name="home"),
    path("districts/", views.district_list, name="district_list"),
    path("districts/<int:lgd_code>/", site_views.district_detail, name="district_detail"),
    path("districts/<int:lgd_code>/centre/", views.centre_edit, name="centre_edit"),
    path("odop-products/<int:pk>/edit/", views.odop_product_edit, name="odop_product_edit"),
    path("account/", views.account, name="account"),
    path("account/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("language/", views.set_language, name="set_language"),
    path("reference-data/", views.reference_data, name="reference_data"),
    path("progress/<uuid:uuid>/", views.progress, name="progress"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", include("niryat.registry.urls")),
    path("", include("niryat.registry.import_urls")),
    path("", include("niryat.registry.outreach_urls")),
    path("", include("niryat.registry.portal_urls")),
    path("", include("niryat.catalog.urls")),
    path("", include("niryat.catalog.output_urls")),
    path("", include("niryat.catalog.import_urls")),
    path("", include("niryat.channels.urls")),
    path("", include("niryat.channels.ondc.urls")),
    path("", include("niryat.messaging.urls")),
    path("", include("niryat.exportdesk.urls")),
    path("", include("niryat.events.urls")),
    path("", include("niryat.insights.urls")),
    path("", include("niryat.payouts.urls")),
    path("", include("niryat.showcase.urls")),
    path("", include("niryat.showcase.voice_urls")),
    path("", include("niryat.insights.plan_urls")),
    path("", include("niryat.insights.dashboard_urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
