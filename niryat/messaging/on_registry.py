"""What messaging does when the registry decides about a producer (`registry/hooks.py`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from niryat.core.models import User
from niryat.messaging.models import ContactChoice, Message
from niryat.registry.hooks import DataSection
from niryat.registry.models import Producer


class MessagingProducerHooks:
    def producer_merged(
        self, survivor: Producer, duplicate: Producer, *, acting_user: User
    ) -> None:
        # The log follows the record that is kept; so do the duplicate's channels, unless the
        # survivor already has that channel (then the survivor's choice stands), except that an
        # opt-out on either record is kept: a STOP is never lost in a merge.
        Message.objects.filter(producer=duplicate).update(producer=survivor)
        kept = {
            choice.channel: choice for choice in ContactChoice.objects.filter(producer=survivor)
        }
        for choice in ContactChoice.objects.filter(producer=duplicate):
            mine = kept.get(choice.channel)
            if mine is None:
                choice.producer = survivor
                choice.save(update_fields=["producer", "updated_at"])
                continue
            if choice.opted_out_at and not mine.opted_out_at:
                mine.opted_out_at, mine.opted_out_via = choice.opted_out_at, choice.opted_out_via
                mine.save(update_fields=["opted_out_at", "opted_out_via", "updated_at"])
            choice.delete()

    def producer_erased(self, producer: Producer, *, acting_user: User) -> None:
        """Their messages (numbers, texts) and channels go with the rest of their data."""
        Message.objects.filter(producer=producer).delete()
        ContactChoice.objects.filter(producer=producer).delete()

    def listing_consent_changed(
        self, producer: Producer, *, given: bool, acting_user: User
    ) -> None:
        """Listing consent is about marketplaces; messages follow the consent to hold data."""

    def withdrawal_consequences(self, producer: Producer) -> list[str]:
        return []

    def personal_data(self, producer: Producer) -> list[DataSection]:
        channels = [
            {
                "channel": choice.channel,
                "address": choice.address,
                "agreed": choice.agreed,
                "opted_out_at": choice.opted_out_at.isoformat() if choice.opted_out_at else "",
            }
            for choice in ContactChoice.objects.filter(producer=producer)
        ]
        messages = [
            {
                "at": message.created_at.isoformat(),
                "direction": message.direction,
                "channel": message.channel,
                "address": message.address,
                "text": message.text,
                "status": message.status,
            }
            for message in Message.objects.filter(producer=producer)
        ]
        return [
            DataSection("message_channels", _("Their channels"), channels),
            DataSection("messages", _("Messages"), messages),
        ]
