"""The registry in the admin. Activities are edited here (staff extend the list per product);
every other registry record is read-only, because its changes go through the audited actions
(the producer pages, the import, the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from niryat.registry.models import (
    Activity,
    Consent,
    DuplicateFlag,
    ImportJob,
    Membership,
    OutreachVisit,
    Producer,
    StageChange,
)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_hi", "keywords"]
    search_fields = ["code", "name_en", "name_hi", "keywords"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown for reference; changed only through the registry's actions, which audit them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Producer)
class ProducerAdmin(ReadOnlyAdmin):
    list_display = ["name_latin", "name_hi", "kind", "district", "odop_product", "stage"]
    list_filter = ["kind", "stage", "women_led", "listing_consent", "district"]
    list_select_related = ["district", "odop_product"]
    search_fields = ["name_latin", "name_hi", "mobile", "gstin", "udyam"]
    show_full_result_count = False  # counting 1.5 M rows on every page is slow


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["group", "member", "role", "joined_on"]
    list_select_related = ["group", "member"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["producer", "purpose", "given", "on", "method", "recorded_by"]
    list_filter = ["purpose", "given", "method"]
    list_select_related = ["producer", "recorded_by"]


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdmin):
    list_display = ["producer", "from_stage", "to_stage", "changed_by", "created_at"]
    list_filter = ["to_stage"]
    list_select_related = ["producer", "changed_by"]


@admin.register(OutreachVisit)
class OutreachVisitAdmin(ReadOnlyAdmin):
    list_display = ["kind", "on", "place", "district", "other_attendees"]
    list_filter = ["kind", "district"]


@admin.register(DuplicateFlag)
class DuplicateFlagAdmin(ReadOnlyAdmin):
    list_display = ["first", "second", "score", "status", "district"]
    list_filter = ["status", "district"]
    list_select_related = ["first", "second", "district"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "district", "status", "total_rows", "error_rows", "created_at"]
    list_filter = ["status", "district"]
    exclude = ["file"]
