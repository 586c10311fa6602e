"""District export plans and DEPC meetings (included by niryat/site/urls.py)."""

from django.urls import path

from niryat.insights import plan_views as views

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/start/", views.plan_start, name="plan_start"),
    path("plans/<int:lgd_code>/<str:financial_year>/", views.plan_detail, name="plan_detail"),
    path("plans/<uuid:uuid>/products/", views.plan_product_set, name="plan_product_set"),
    path("plans/<uuid:uuid>/targets/", views.plan_target_set, name="plan_target_set"),
    path("plans/<uuid:uuid>/actions/", views.plan_action_add, name="plan_action_add"),
    path("plans/<uuid:uuid>/meetings/new/", views.meeting_new, name="depc_meeting_new"),
    path("plans/actions/<uuid:uuid>/status/", views.plan_action_status, name="plan_action_status"),
    path("depc/<uuid:uuid>/", views.meeting_detail, name="depc_meeting"),
    path("depc/<uuid:uuid>/decisions/", views.decision_add, name="depc_decision_add"),
    path("depc/decisions/<uuid:uuid>/done/", views.decision_done, name="depc_decision_done"),
]
