"""The catalogue in the admin: the craft glossary is edited here too; products, SKUs and photos
are shown read-only, because their changes go through the audited actions (pages, import, API)."""

from __future__ import annotations

from django.contrib import admin

from niryat.catalog.models import CatalogImportJob, GlossaryTerm, Product, ProductImage, Sku
from niryat.registry.admin import ReadOnlyAdmin


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["hindi", "english", "note", "added_by"]
    search_fields = ["hindi", "english"]
    exclude = ["added_by"]


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["name_en", "name_hi", "producer", "district", "category", "completeness"]
    list_filter = ["category", "district"]
    list_select_related = ["producer", "district"]
    search_fields = ["name_en", "name_hi"]
    show_full_result_count = False


@admin.register(Sku)
class SkuAdmin(ReadOnlyAdmin):
    list_display = ["seller_sku", "title_en", "mrp", "price", "stock", "completeness"]
    search_fields = ["seller_sku", "title_en", "title_hi"]
    show_full_result_count = False


@admin.register(ProductImage)
class ProductImageAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "product", "position", "status", "quality_score"]
    list_filter = ["status"]
    list_select_related = ["product"]


@admin.register(CatalogImportJob)
class CatalogImportJobAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "district", "status", "total_rows", "error_rows", "created_at"]
    list_filter = ["status", "district"]
    exclude = ["file", "photos"]
