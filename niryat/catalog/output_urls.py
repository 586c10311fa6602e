"""Catalogue output: SKU label sheets (PDF) and the product list's export (XLSX)."""

from django.urls import path

from niryat.catalog import output_views

urlpatterns = [
    path("catalogue/labels.pdf", output_views.sku_labels, name="sku_labels"),
    path("catalogue/export.xlsx", output_views.product_list_xlsx, name="product_list_xlsx"),
]
