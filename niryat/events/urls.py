from django.urls import path

from niryat.core.sheets.views import job_urls
from niryat.events import benefit_views, event_views, views
from niryat.events.bulk_import import TRAINEE_IMPORTER

urlpatterns = [
    path("trainings/", views.programme_list, name="programme_list"),
    path("trainings/new/", views.programme_new, name="programme_new"),
    path("trainings/<uuid:uuid>/", views.programme_detail, name="programme_detail"),
    path("trainings/<uuid:uuid>/outcomes/", views.programme_outcomes, name="programme_outcomes"),
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

urlpatterns += [
    path("events/", event_views.event_list, name="event_list"),
    path("events/new/", event_views.event_new, name="event_new"),
    path("events/<uuid:uuid>/", event_views.event_detail, name="event_detail"),
    path("events/<uuid:uuid>/invite/", event_views.event_invite, name="event_invite"),
    path("events/<uuid:uuid>/stalls/", event_views.event_stalls, name="event_stalls"),
    path("events/<uuid:uuid>/check-in/", event_views.event_check_in, name="event_check_in"),
    path(
        "events/<uuid:uuid>/check-in/code/",
        event_views.event_check_in_code,
        name="event_check_in_code",
    ),
    path("events/<uuid:uuid>/check-in/sync/", event_views.event_sync, name="event_sync"),
    path("events/<uuid:uuid>/check-in/<uuid:guest>/", event_views.event_tick, name="event_tick"),
    path("events/<uuid:uuid>/feedback/", event_views.event_ask_feedback, name="event_ask_feedback"),
    path("events/<uuid:uuid>/report/", event_views.event_report, name="event_report"),
    path("events/<uuid:uuid>/nominate/", event_views.event_nominate, name="event_nominate"),
    path("events/guests/<uuid:uuid>/card/", event_views.guest_card, name="guest_card"),
    path("rsvp/<str:token>/", event_views.event_rsvp, name="event_rsvp"),
    path("feedback/<str:token>/", event_views.event_feedback, name="event_feedback"),
]

urlpatterns += [
    path("benefits/", benefit_views.benefit_list, name="benefit_list"),
    path("benefits/new/", benefit_views.benefit_new, name="benefit_new"),
    path("benefits/<uuid:uuid>/", benefit_views.benefit_detail, name="benefit_detail"),
    path("benefits/<uuid:uuid>/photo.jpg", benefit_views.benefit_photo, name="benefit_photo"),
]
