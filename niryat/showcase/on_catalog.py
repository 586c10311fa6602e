"""What the showcase does when the catalogue changes SKUs (`catalog/hooks.py`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from niryat.catalog.completeness import Problem
from niryat.catalog.models import Sku
from niryat.core.models import User
from niryat.showcase.actions import take_off
from niryat.showcase.models import shown_products


def _emptied(skus: Sequence[Sku]) -> list[object]:
    """The shown products that have no SKU left once these go."""
    going = [sku.pk for sku in skus]
    return [
        product.uuid
        for product in shown_products().filter(pk__in={sku.product_id for sku in skus})
        if not product.skus.filter(deleting_since__isnull=True).exclude(pk__in=going).exists()
    ]


class ShowcaseSkuHooks:
    def check_labels(self) -> dict[str, str | Promise]:
        return {}

    def sku_problems(self, sku: Sku) -> list[Problem]:
        return []

    # Stock and prices reach the pages when their cache time runs out (SHOWCASE_CACHE_SECONDS):
    # every order changes stock, and bumping the pages' generation row on each would make
    # every order's transaction wait for the others' on that one row.
    def stock_changed(self, sku: Sku, before: int, after: int, *, acting_user: User) -> None:
        """Nothing at once (see above)."""

    def price_changed(self, sku: Sku, *, acting_user: User) -> None:
        """Nothing at once (see above)."""

    def deletion_consequences(self, skus: Sequence[Sku]) -> list[str]:
        if _emptied(skus):
            return [_("The product leaves the public showcase.")]
        return []

    def skus_deleting(self, skus: Sequence[Sku], *, acting_user: User) -> None:
        """A product left with no SKU leaves the showcase; its address answers 410 Gone."""
        emptied = _emptied(skus)
        if emptied:
            take_off(emptied)

    def sku_still_needed(self, sku: Sku) -> bool:
        return False
