"""The addresses ONDC's registry and buyer apps call (the callback URL the node subscribes with is
/ondc; a buyer app posts /ondc/<action>)."""

from django.urls import path

from niryat.channels.ondc import server, views

CALLBACK_URL = "/ondc"

urlpatterns = [
    path("ondc-site-verification.html", views.site_verification, name="ondc_site_verification"),
    path("ondc/on_subscribe", views.on_subscribe, name="ondc_on_subscribe"),
    # What buyer apps call: one address per action (niryat/channels/ondc/server.py).
    *(
        path(f"ondc/{action}", server.receive, {"action": action}, name=f"ondc_{action}")
        for action in server.ACTIONS
    ),
    path("ondc/size-chart/<uuid:sku_uuid>", views.size_chart, name="ondc_size_chart"),
    path("ondc/invoice/<str:token>", views.invoice, name="ondc_invoice"),
]
