"""What the catalogue's writes mean to the apps above it: the one place to look.

An app that sells or shows SKUs implements `SkuHooks` and lists its class in `settings.SKU_HOOKS`.
The catalogue's actions call every implementation explicitly, inside their transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from django.conf import settings
from django.utils.functional import Promise
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from niryat.catalog.completeness import Problem
    from niryat.catalog.models import Sku
    from niryat.core.models import User


@runtime_checkable
class SkuHooks(Protocol):
    def check_labels(self) -> dict[str, str | Promise]:
        """Labels of the checklist items this app adds (by `Problem.check` code)."""

    def sku_problems(self, sku: Sku) -> list[Problem]:
        """More checklist problems for the SKU (a marketplace's rules where it is listed)."""

    def stock_changed(self, sku: Sku, before: int, after: int, *, acting_user: User) -> None:
        """Staff changed the SKU's stock from `before` to `after`."""

    def price_changed(self, sku: Sku, *, acting_user: User) -> None:
        """Staff changed the SKU's price or MRP."""

    def deletion_consequences(self, skus: Sequence[Sku]) -> list[str]:
        """What deleting these SKUs would end, one sentence each, shown before staff confirm."""

    def skus_deleting(self, skus: Sequence[Sku], *, acting_user: User) -> None:
        """These SKUs are about to be deleted: end what depends on them."""

    def sku_still_needed(self, sku: Sku) -> bool:
        """True while this app needs the SKU's row (a listing still being ended); the app then
        calls `catalog.actions.purge_deleted` when it is done with it."""


@cache
def sku_hooks() -> tuple[SkuHooks, ...]:
    return tuple(import_string(path)() for path in settings.SKU_HOOKS)
