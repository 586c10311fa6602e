"""Push catalogue changes to the buyer apps subscribed to a centre's ONDC node (price, stock,
deleted SKUs, withdrawn producers), and send again what they have not ACKed. Run it from cron
every ONDC_PUSH_MINUTES, or with --every (seconds; default: once)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from niryat.channels.ondc.push import push_catalogue_changes


class Command(BaseCommand):
    help = "Gather ONDC catalogue changes into pushes to subscribed buyer apps and send them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=float, default=0, help="repeat every N seconds (0: once)"
        )

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        while True:
            made, acked = push_catalogue_changes()
            self.stdout.write(f"{made} pushes made; {acked} acknowledged.")
            if not every:
                return
            time.sleep(every)
