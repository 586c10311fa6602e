"""Delete the uploaded sheets kept past settings.IMPORT_FILE_RETENTION. Run it from cron daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from niryat.core.sheets.jobs import delete_expired_files


class Command(BaseCommand):
    help = "Delete uploaded import sheets whose retention period is over."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = delete_expired_files()
        self.stdout.write(f"{deleted} sheet(s) deleted.")
