from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportdeskConfig(AppConfig):
    name = "niryat.exportdesk"
    verbose_name = _("Export desk")
