"""Marketplace pages: accounts, push, listings, needs attention, orders, consignments, numbers,
exchange rates."""

from django.urls import path

from niryat.channels import views

urlpatterns = [
    path("channels/", views.channels_home, name="channels_home"),
    path("channels/accounts/new/", views.account_connect, name="account_connect"),
    path("channels/accounts/<uuid:account_uuid>/", views.account_detail, name="account_detail"),
    path(
        "channels/accounts/<uuid:account_uuid>/flipkart-catalogue.xlsx",
        views.account_catalogue_sheet,
        name="account_catalogue_sheet",
    ),
    path("channels/push/", views.push, name="push"),
    path(
        "channels/selections/<uuid:selection_uuid>/delete/",
        views.selection_delete,
        name="selection_delete",
    ),
    path("channels/listings/", views.listing_list, name="listing_list"),
    path("channels/listings/<uuid:listing_uuid>/", views.listing_detail, name="listing_detail"),
    path(
        "channels/listings/<uuid:listing_uuid>/sheet.xlsx",
        views.listing_sheet,
        name="listing_sheet",
    ),
    path("channels/attention/", views.attention_list, name="attention_list"),
    path("channels/attention/<int:entry_id>/retry/", views.entry_retry, name="entry_retry"),
    path("channels/orders/", views.order_list, name="order_list"),
    path("channels/orders/<uuid:order_uuid>/", views.order_detail, name="order_detail"),
    path("channels/photos/<uuid:image_uuid>/thumbnail.jpg", views.pack_photo, name="pack_photo"),
    path("channels/ondc/terms/", views.ondc_terms, name="ondc_terms"),
    path("channels/grievances/", views.grievance_list, name="grievance_list"),
    path(
        "channels/grievances/<uuid:grievance_uuid>/",
        views.grievance_detail,
        name="grievance_detail",
    ),
    path("channels/consignments/", views.consignment_list, name="consignment_list"),
    path(
        "channels/consignments/<uuid:consignment_uuid>/",
        views.consignment_detail,
        name="consignment_detail",
    ),
    path("channels/numbers/", views.channel_numbers, name="channel_numbers"),
    path("channels/rates/", views.exchange_rates, name="exchange_rates"),
]
