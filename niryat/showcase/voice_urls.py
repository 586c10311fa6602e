"""Producers' voices: the staff's pages, the producer's own, and the public testimonials."""

from django.urls import path

from niryat.showcase import voice_views

urlpatterns = [
    path("voices/", voice_views.voice_list, name="voice_list"),
    path("voices/<uuid:feedback_uuid>/", voice_views.voice_detail, name="voice_detail"),
    path(
        "producers/<uuid:producer_uuid>/voices/",
        voice_views.producer_voices,
        name="producer_voices",
    ),
    path("producer/feedback/", voice_views.my_feedback, name="my_feedback"),
    path(
        "producer/feedback/<uuid:feedback_uuid>/withdraw/",
        voice_views.my_feedback_withdraw,
        name="my_feedback_withdraw",
    ),
    path(
        "showcase/districts/<int:lgd_code>/voices/",
        voice_views.district_voices,
        name="showcase_voices",
    ),
]
