from django.urls import path

from niryat.exportdesk import views

urlpatterns = [
    path("export/", views.desk, name="export_desk"),
    path("producers/<uuid:uuid>/export-readiness/", views.readiness, name="export_readiness"),
    path(
        "producers/<uuid:uuid>/export-readiness/<str:key>/",
        views.readiness_item,
        name="export_readiness_item",
    ),
    path(
        "producers/<uuid:uuid>/export-readiness/evidence/<int:pk>/",
        views.readiness_evidence,
        name="export_readiness_evidence",
    ),
    path("producers/<uuid:uuid>/export-orders/new/", views.order_new, name="export_order_new"),
    path("export/orders/<uuid:uuid>/", views.order_detail, name="export_order_detail"),
    path("export/orders/<uuid:uuid>/edit/", views.order_edit, name="export_order_edit"),
    path("export/orders/<uuid:uuid>/origin/", views.order_origin, name="export_order_origin"),
    path("export/orders/<uuid:uuid>/shipments/", views.shipment_new, name="export_shipment_new"),
    path(
        "export/orders/<uuid:uuid>/shipments/<int:pk>/status/",
        views.parcel_status,
        name="export_parcel_status",
    ),
    path("export/parcels/import/", views.parcels_import, name="export_parcels_import"),
    path("export/rates/", views.rates, name="export_rates"),
    path("export/marketplace-orders/", views.marketplace_orders, name="export_marketplace_orders"),
    path(
        "export/marketplace-orders/<uuid:uuid>/",
        views.marketplace_order_export,
        name="export_marketplace_order",
    ),
    path(
        "export/orders/<uuid:uuid>/shipments/<int:pk>/realised/",
        views.shipment_realised,
        name="export_shipment_realised",
    ),
    path(
        "export/orders/<uuid:uuid>/documents/", views.document_issue, name="export_document_issue"
    ),
    path(
        "export/orders/<uuid:uuid>/documents/<int:pk>/",
        views.document_pdf,
        name="export_document_pdf",
    ),
    path("export/orders/<uuid:uuid>/pbe3.csv", views.pbe3, name="export_pbe3"),
    path("export/who-exports/", views.who_exports, name="export_who_exports"),
    path(
        "producers/<uuid:uuid>/merchant-sales/new/",
        views.merchant_sale_new,
        name="export_merchant_sale_new",
    ),
]
