"""Outreach visits, the funnel, and the review of duplicates; included under "" in the root."""

from django.urls import path

from niryat.registry import duplicate_views, outreach_views

urlpatterns = [
    path("outreach/", outreach_views.outreach_list, name="outreach_list"),
    path("outreach/new/", outreach_views.outreach_new, name="outreach_new"),
    path("outreach/<uuid:visit_uuid>/", outreach_views.outreach_detail, name="outreach_detail"),
    path("funnel/", outreach_views.funnel, name="funnel"),
    path("duplicates/", duplicate_views.duplicate_list, name="duplicate_list"),
    path("duplicates/search/", duplicate_views.duplicate_search, name="duplicate_search"),
    path(
        "duplicates/search/<uuid:search_uuid>/",
        duplicate_views.duplicate_search_status,
        name="duplicate_search_status",
    ),
    path("duplicates/<int:flag_id>/", duplicate_views.duplicate_detail, name="duplicate_detail"),
    path(
        "duplicates/<int:flag_id>/merge/", duplicate_views.duplicate_merge, name="duplicate_merge"
    ),
    path(
        "duplicates/<int:flag_id>/dismiss/",
        duplicate_views.duplicate_dismiss,
        name="duplicate_dismiss",
    ),
]
