"""What the catalogue does when the registry decides about a producer (`registry/hooks.py`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from niryat.catalog.models import Product, Sku
from niryat.core.models import User
from niryat.registry.hooks import DataSection
from niryat.registry.models import Producer


class CatalogProducerHooks:
    def producer_merged(
        self, survivor: Producer, duplicate: Producer, *, acting_user: User
    ) -> None:
        # Products and their SKUs follow the record that is kept.
        Product.objects.filter(producer=duplicate).update(producer=survivor)
        Sku.objects.filter(producer=duplicate).update(producer=survivor)

    def producer_erased(self, producer: Producer, *, acting_user: User) -> None:
        """Products hold no personal data (the marketplaces end their listings: channels); the
        catalogue sheets still kept for their error sheets lose the producer's rows."""
        from niryat.catalog.bulk_import import blank_producer_in_kept_sheets

        blank_producer_in_kept_sheets(producer)

    def listing_consent_changed(
        self, producer: Producer, *, given: bool, acting_user: User
    ) -> None:
        """The catalogue keeps the products either way; only listings end (channels)."""

    def withdrawal_consequences(self, producer: Producer) -> list[str]:
        return []

    def personal_data(self, producer: Producer) -> list[DataSection]:
        rows = [
            {
                "product": product.name_en or product.name_hi,
                "product_uuid": str(product.uuid),
                "skus": ", ".join(sku.seller_sku for sku in product.skus.all()),
                "created_at": product.created_at.isoformat(),
            }
            for product in Product.objects.filter(producer=producer).prefetch_related("skus")
        ]
        return [DataSection("products", _("Products"), rows)]
