"""What the channels do when the registry decides about a producer (`registry/hooks.py`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from niryat.channels.actions import end_producer_listings
from niryat.channels.models import ChannelAccount, Listing, Order
from niryat.core.models import User
from niryat.core.money import format_money
from niryat.registry.hooks import DataSection
from niryat.registry.models import Producer


class ChannelProducerHooks:
    def producer_merged(
        self, survivor: Producer, duplicate: Producer, *, acting_user: User
    ) -> None:
        # Orders and the producer's own seller accounts follow the record that is kept.
        Order.objects.filter(producer=duplicate).update(producer=survivor)
        ChannelAccount.objects.filter(producer=duplicate).update(producer=survivor)

    def producer_erased(self, producer: Producer, *, acting_user: User) -> None:
        end_producer_listings(
            producer, note=_("The producer's data was erased."), actor=acting_user
        )

    def listing_consent_changed(
        self, producer: Producer, *, given: bool, acting_user: User
    ) -> None:
        if not given:
            end_producer_listings(
                producer, note=_("The producer withdrew their consent."), actor=acting_user
            )

    def withdrawal_consequences(self, producer: Producer) -> list[str]:
        listings = (
            Listing.objects.filter(sku__product__producer=producer)
            .exclude(state__in=[Listing.State.ENDED])
            .select_related("sku", "account")
            .order_by("account__channel", "sku__seller_sku")
        )
        return [
            _("%(sku)s on %(marketplace)s (%(state)s) will be ended.")
            % {
                "sku": listing.sku.title or listing.sku.seller_sku,
                "marketplace": listing.account.get_channel_display(),
                "state": listing.get_state_display(),
            }
            for listing in listings
        ]

    def personal_data(self, producer: Producer) -> list[DataSection]:
        orders = [
            {
                "marketplace": order.account.get_channel_display(),
                "order": order.channel_order_id,
                "ordered_at": order.ordered_at.isoformat() if order.ordered_at else "",
                "state": order.state,
                "total": format_money(order.total, order.currency),
            }
            for order in Order.objects.filter(producer=producer).select_related("account")
        ]
        return [DataSection("orders", gettext_lazy("Orders"), orders)]
