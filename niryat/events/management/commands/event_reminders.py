"""Queue the reminders of conclaves, exhibitions and visits starting in the next two days. Run it
from cron daily; each guest is reminded once however often it runs."""

from typing import Any

from django.core.management.base import BaseCommand

from niryat.events.tasks import send_event_reminders


class Command(BaseCommand):
    help = "Queue reminders (with the check-in code) to the guests of events about to start."

    def handle(self, *args: Any, **options: Any) -> None:
        send_event_reminders.enqueue()
        self.stdout.write("Event reminders queued.")
