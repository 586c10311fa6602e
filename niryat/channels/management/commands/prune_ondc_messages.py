"""Delete ONDC messages (requests and callbacks) older than settings.ONDC_MESSAGE_RETENTION. Run it
from cron daily, like delete_old_sheets."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from niryat.channels.models import OndcMessage


class Command(BaseCommand):
    help = "Delete ONDC protocol messages whose retention period is over."

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - settings.ONDC_MESSAGE_RETENTION
        deleted, _ = OndcMessage.objects.older_than(cutoff).delete()
        self.stdout.write(f"{deleted} ONDC message(s) deleted.")
