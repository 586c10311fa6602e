"""The tax rates the marketplaces withhold are data the state extends here when the law changes
(a new row from the day it is in force, with its notification); settlements change only through
the audited actions."""

from __future__ import annotations

from django.contrib import admin

from niryat.payouts.models import TaxRate


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ["kind", "percent", "valid_from", "notification"]
    list_filter = ["kind"]
