"""What the channels do when the catalogue changes a SKU (`catalog/hooks.py`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from niryat.catalog.completeness import Problem
from niryat.catalog.models import Sku
from niryat.channels.actions import (
    end_listing,
    listings_being_ended,
    stock_changed_by_staff,
    sync_sku,
)
from niryat.channels.models import ChannelCode, Listing
from niryat.channels.readiness import listed_channel_problems
from niryat.channels.registry import channel_class
from niryat.core.models import User

# Each marketplace's rules are one checklist item, "What Flipkart asks for".
CHECK_LABELS: dict[str, str | Promise] = {
    code: format_lazy(gettext_lazy("What {marketplace} asks for"), marketplace=label)
    for code, label in ChannelCode.choices
}


class ChannelSkuHooks:
    def check_labels(self) -> dict[str, str | Promise]:
        return CHECK_LABELS

    def sku_problems(self, sku: Sku) -> list[Problem]:
        return listed_channel_problems(sku)

    def stock_changed(self, sku: Sku, before: int, after: int, *, acting_user: User) -> None:
        stock_changed_by_staff(sku, before, after, acting_user)

    def price_changed(self, sku: Sku, *, acting_user: User) -> None:
        sync_sku(sku, price=True)

    def deletion_consequences(self, skus: Sequence[Sku]) -> list[str]:
        listings = (
            Listing.objects.filter(sku__in=skus)
            .exclude(state__in=[Listing.State.ENDED])
            .select_related("sku", "account")
            .order_by("sku__seller_sku", "account__channel")
        )
        lines = []
        for listing in listings:
            values = {
                "sku": listing.sku.seller_sku,
                "marketplace": listing.account.get_channel_display(),
            }
            if channel_class(listing.account.channel).has_api:
                lines.append(_("%(sku)s: its listing on %(marketplace)s is ended first.") % values)
            else:
                lines.append(
                    _(
                        "%(sku)s on %(marketplace)s: Niryat cannot reach %(marketplace)s; "
                        "remove the listing there yourself."
                    )
                    % values
                )
        return lines

    def skus_deleting(self, skus: Sequence[Sku], *, acting_user: User) -> None:
        listings = (
            Listing.objects.select_for_update()
            .filter(sku__in=skus)
            .select_related("account", "sku")
            .order_by("pk")
        )
        for listing in listings:
            end_listing(listing, note=_("The SKU was deleted."), actor=acting_user)
        # Listings that ended at once (never on a marketplace) go with the SKU now; the others
        # when their marketplace has ended them (`actions.listing_ended`).
        waiting = listings_being_ended(skus).values("pk")
        Listing.objects.filter(sku__in=skus).exclude(pk__in=waiting).delete()

    def sku_still_needed(self, sku: Sku) -> bool:
        return listings_being_ended([sku]).exists()
