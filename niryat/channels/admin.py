"""The channels in the admin, read-only: accounts (never their credentials), listings, the
outbox, orders and stock moves. Changes go through the audited actions (pages)."""

from __future__ import annotations

from django.contrib import admin

from niryat.channels.models import ChannelAccount, Listing, Order, OutboxEntry, StockMove
from niryat.registry.admin import ReadOnlyAdmin


@admin.register(ChannelAccount)
class ChannelAccountAdmin(ReadOnlyAdmin):
    list_display = ["name", "channel", "district", "producer", "status"]
    list_filter = ["channel", "status", "district"]
    exclude = ["credentials_encrypted"]


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdmin):
    list_display = ["sku", "account", "state", "external_id", "updated_at"]
    list_filter = ["state", "account__channel"]
    list_select_related = ["sku", "account"]
    show_full_result_count = False


@admin.register(OutboxEntry)
class OutboxEntryAdmin(ReadOnlyAdmin):
    list_display = ["idempotency_key", "operation", "state", "attempts", "next_try_at"]
    list_filter = ["state", "operation"]
    show_full_result_count = False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["channel_order_id", "account", "producer", "state", "total", "ordered_at"]
    list_filter = ["state", "account__channel", "district"]
    list_select_related = ["account", "producer"]
    show_full_result_count = False


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = ["sku", "change", "balance", "reason", "at"]
    list_filter = ["reason"]
    show_full_result_count = False
