"""The addresses ONDC's registry calls (the callback URL the node subscribes with is /ondc)."""

from django.urls import path

from niryat.channels.ondc import views

CALLBACK_URL = "/ondc"

urlpatterns = [
    path("ondc-site-verification.html", views.site_verification, name="ondc_site_verification"),
    path("ondc/on_subscribe", views.on_subscribe, name="ondc_on_subscribe"),
    path("ondc/size-chart/<uuid:sku_uuid>", views.size_chart, name="ondc_size_chart"),
]
