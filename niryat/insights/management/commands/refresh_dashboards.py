"""Bring the dashboards' figures up to date now: the changes since the last run, or all with
--full (what the background tasks do; for cron or a first load)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from niryat.insights.actions import do_refresh_summaries


class Command(BaseCommand):
    help = "Bring the dashboards' figures up to date (the day's changes, or all with --full)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="compute every figure again")

    def handle(self, *args: Any, **options: Any) -> None:
        run = do_refresh_summaries(full=options["full"])
        self.stdout.write(f"{run.get_kind_display()}: {run.rows} rows")
