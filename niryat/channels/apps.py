from django.apps import AppConfig
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "niryat.channels"
    verbose_name = _("Marketplace channels")

    def ready(self) -> None:
        # Each marketplace's rules join the catalogue's checklist for SKUs listed there.
        from niryat.catalog import completeness
        from niryat.channels.readiness import listed_channel_problems

        if listed_channel_problems not in completeness.extra_checks:
            completeness.extra_checks.append(listed_channel_problems)
        from niryat.channels.models import ChannelCode

        for code, label in ChannelCode.choices:
            completeness.CHECK_LABELS.setdefault(
                code, format_lazy(_("What {marketplace} asks for"), marketplace=label)
            )
