"""Catalogue pages: products, SKUs, photos, HS code and text help, the craft glossary."""

from django.urls import path

from niryat.catalog import views

urlpatterns = [
    path("catalogue/", views.product_list, name="product_list"),
    path("catalogue/new/", views.product_create, name="product_create"),
    path("catalogue/hs-codes/", views.hs_search, name="hs_search"),
    path("catalogue/text-help/", views.text_help, name="text_help"),
    path("catalogue/glossary/", views.glossary, name="glossary"),
    path("catalogue/vocabulary/", views.attribute_terms, name="attribute_terms"),
    path("catalogue/<uuid:product_uuid>/", views.product_detail, name="product_detail"),
    path("catalogue/<uuid:product_uuid>/edit/", views.product_edit, name="product_edit"),
    path("catalogue/<uuid:product_uuid>/delete/", views.product_delete, name="product_delete"),
    path("catalogue/<uuid:product_uuid>/skus/new/", views.sku_create, name="sku_create"),
    path("catalogue/<uuid:product_uuid>/photos/", views.image_upload, name="image_upload"),
    path(
        "catalogue/<uuid:product_uuid>/photos/section/",
        views.product_images,
        name="product_images",
    ),
    path("catalogue/skus/<uuid:sku_uuid>/edit/", views.sku_edit, name="sku_edit"),
    path("catalogue/skus/<uuid:sku_uuid>/delete/", views.sku_delete, name="sku_delete"),
    path(
        "catalogue/images/<uuid:image_uuid>/<str:variant>.jpg",
        views.catalogue_image,
        name="catalogue_image",
    ),
    path("catalogue/images/<uuid:image_uuid>/", views.image_edit, name="image_edit"),
    path("catalogue/images/<uuid:image_uuid>/main/", views.image_main, name="image_main"),
    path("catalogue/images/<uuid:image_uuid>/move/", views.image_move, name="image_move"),
    path("catalogue/images/<uuid:image_uuid>/delete/", views.image_delete, name="image_delete"),
]
