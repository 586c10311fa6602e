from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from niryat.core.models import (
    ApiToken,
    AuditEntry,
    Centre,
    District,
    OdopProduct,
    PartnerOrg,
    State,
    TaskProgress,
    User,
)


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_hi", "lgd_code", "gst_code"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_hi", "lgd_code", "division_en", "state"]
    list_filter = ["state", "division_en"]
    search_fields = ["name_en", "name_hi", "lgd_code"]


@admin.register(OdopProduct)
class OdopProductAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_hi", "district", "verified", "listing"]
    list_filter = ["verified", "district__division_en"]
    list_editable = ["verified"]
    search_fields = ["name_en", "name_hi", "district__name_en"]


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ["name_en", "district", "phone", "email"]
    search_fields = ["name_en", "district__name_en"]


@admin.register(PartnerOrg)
class PartnerOrgAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_hi", "kind"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "role", "district", "partner_org", "is_active"]
    list_filter = ["role", "district", "partner_org", "is_active"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Niryat"), {"fields": ("role", "district", "partner_org", "full_name", "language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Niryat"), {"fields": ("role", "district", "partner_org", "full_name")}),
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_type", "object_id", "district"]
    list_filter = ["action", "object_type"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.register(
    ApiToken, list_display=["name", "user", "prefix", "last_used_at"], exclude=["digest"]
)
admin.site.register(TaskProgress, list_display=["label", "owner", "status", "done", "total"])
