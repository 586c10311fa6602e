"""Bring the dashboards' figures up to date: queue the background task (the day's changes, or
all with --full) for `manage.py db_worker`, or do it here with --now. Run it from cron every few
minutes (or with --every N seconds) and with --full nightly or weekly, like channels_sync."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from niryat.insights.actions import do_refresh_summaries
from niryat.insights.tasks import rebuild_dashboards, refresh_dashboards


class Command(BaseCommand):
    help = "Bring the dashboards' figures up to date (the day's changes, or all with --full)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="compute every figure again")
        parser.add_argument("--now", action="store_true", help="here, not in the task worker")
        parser.add_argument(
            "--every", type=float, default=0, help="repeat every N seconds (0: once)"
        )

    def handle(self, *args: Any, full: bool, now: bool, every: float, **options: Any) -> None:
        while True:
            if now:
                run = do_refresh_summaries(full=full)
                self.stdout.write(f"{run.get_kind_display()}: {run.rows} rows")
            elif full:
                rebuild_dashboards.enqueue(None)
            else:
                refresh_dashboards.enqueue()
            if not every:
                return
            time.sleep(every)
