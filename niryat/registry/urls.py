"""Producer pages: register, list, detail, edit, stage, consent, members, data export, erasure."""

from django.urls import path

from niryat.registry import views

urlpatterns = [
    path("producers/", views.producer_list, name="producer_list"),
    path("producers/new/", views.producer_create, name="producer_create"),
    path(
        "producers/transliterate/",
        views.producer_transliterate,
        name="producer_transliterate",
    ),
    path("producers/<uuid:producer_uuid>/", views.producer_detail, name="producer_detail"),
    path("producers/<uuid:producer_uuid>/edit/", views.producer_edit, name="producer_edit"),
    path("producers/<uuid:producer_uuid>/stage/", views.producer_stage, name="producer_stage"),
    path(
        "producers/<uuid:producer_uuid>/consent/",
        views.producer_consent,
        name="producer_consent",
    ),
    path(
        "producers/<uuid:producer_uuid>/members/",
        views.producer_member_add,
        name="producer_member_add",
    ),
    path(
        "producers/<uuid:producer_uuid>/members/<int:membership_id>/remove/",
        views.producer_member_remove,
        name="producer_member_remove",
    ),
    path(
        "producers/<uuid:producer_uuid>/data.json",
        views.producer_data_json,
        name="producer_data_json",
    ),
    path(
        "producers/<uuid:producer_uuid>/data.xlsx",
        views.producer_data_xlsx,
        name="producer_data_xlsx",
    ),
    path(
        "producers/<uuid:producer_uuid>/sign-in/",
        views.producer_sign_in,
        name="producer_sign_in_switch",
    ),
    path("producers/<uuid:producer_uuid>/erase/", views.producer_erase, name="producer_erase"),
]
