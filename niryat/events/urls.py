from django.urls import path

from niryat.core.sheets.views import job_urls
from niryat.events import views
from niryat.events.bulk_import import TRAINEE_IMPORTER

urlpatterns = [
    path("trainings/", views.programme_list, name="programme_list"),
    path("trainings/new/", views.programme_new, name="programme_new"),
    path("trainings/<uuid:uuid>/", views.programme_detail, name="programme_detail"),
    path("trainings/<uuid:uuid>/sessions/", views.session_new, name="session_new"),
    path("trainings/<uuid:uuid>/participants/add/", views.programme_pick, name="programme_pick"),
    path("trainings/<uuid:uuid>/import/", views.programme_import, name="programme_import"),
    path("trainings/import/", views.trainee_imports, name="trainees_import"),
    *job_urls(TRAINEE_IMPORTER, "trainings/import/"),
    path("trainings/<uuid:uuid>/invite/", views.programme_invite, name="programme_invite"),
    path("trainings/<uuid:uuid>/certify/", views.programme_certify, name="programme_certify"),
    path(
        "trainings/participants/<uuid:uuid>/card/",
        views.participant_card,
        name="participant_card",
    ),
    path("trainings/sessions/<int:pk>/check-in/", views.session_check_in, name="session_check_in"),
    path(
        "trainings/sessions/<int:pk>/check-in/code/",
        views.session_check_in_code,
        name="session_check_in_code",
    ),
    path("trainings/sessions/<int:pk>/check-in/sync/", views.session_sync, name="session_sync"),
    path(
        "trainings/sessions/<int:pk>/check-in/<uuid:participant>/",
        views.session_tick,
        name="session_tick",
    ),
    path(
        "trainings/certificates/<uuid:uuid>/<str:language>.pdf",
        views.certificate_pdf_view,
        name="certificate_pdf",
    ),
    path(
        "trainings/certificates/<uuid:uuid>/revoke/",
        views.certificate_revoke,
        name="certificate_revoke",
    ),
    path("verify/certificate/<uuid:uuid>/", views.certificate_verify, name="certificate_verify"),
]
