"""Councils and destination/product rules are data that state staff extend here, each with its
source; producers' checklists, orders and shipments change only through the audited actions."""

from __future__ import annotations

from django.contrib import admin

from niryat.exportdesk.models import Council, ExportRule


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "covers"]
    search_fields = ["code", "name", "covers"]


@admin.register(ExportRule)
class ExportRuleAdmin(admin.ModelAdmin):
    list_display = ["title", "country", "hs_prefix", "verified"]
    list_filter = ["country"]
    search_fields = ["title", "hs_prefix"]

    @admin.display(boolean=True, description="verified")
    def verified(self, rule: ExportRule) -> bool:
        return rule.verified
