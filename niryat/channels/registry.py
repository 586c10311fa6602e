"""Which class speaks for which marketplace; modules are imported when first needed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.module_loading import import_string

from niryat.channels.base import Channel

if TYPE_CHECKING:
    from niryat.channels.models import ChannelAccount

CHANNEL_CLASSES = {
    "amazon": "niryat.channels.amazon.AmazonChannel",
    "flipkart": "niryat.channels.flipkart.FlipkartChannel",
    "ebay": "niryat.channels.ebay.EbayChannel",
    "gem": "niryat.channels.gem.GemChannel",
    "files": "niryat.channels.files.FilesChannel",
    "ondc": "niryat.channels.ondc.channel.OndcChannel",
}


def channel_class(code: str) -> type[Channel]:
    cls: type[Channel] = import_string(CHANNEL_CLASSES[code])
    return cls


def channel_for(account: ChannelAccount) -> Channel:
    return channel_class(account.channel)(account)
