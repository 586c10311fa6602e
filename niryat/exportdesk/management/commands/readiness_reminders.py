"""Queue the reminders of export readiness items about to lapse. Run it from cron daily; a
second run the same day sends nothing twice."""

from typing import Any

from django.core.management.base import BaseCommand

from niryat.exportdesk.tasks import send_readiness_reminders


class Command(BaseCommand):
    help = "Queue SMS reminders of export readiness items (LUT, RCMC...) about to lapse."

    def handle(self, *args: Any, **options: Any) -> None:
        send_readiness_reminders.enqueue()
        self.stdout.write("Reminders queued.")
