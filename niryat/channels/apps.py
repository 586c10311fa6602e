from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "niryat.channels"
    verbose_name = _("Marketplace channels")
