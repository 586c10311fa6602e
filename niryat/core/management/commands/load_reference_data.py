from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from niryat.core.reference_data import ReferenceDataError, load_reference_data


class Command(BaseCommand):
    help = "Load (or re-load) a state's districts and ODOP products. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "directory",
            nargs="?",
            default=str(settings.REFERENCE_DATA_DIR),
            help="folder with state.csv, districts.csv and odop_products.csv",
        )

    def handle(self, *args: Any, directory: str, **options: Any) -> None:
        try:
            report = load_reference_data(Path(directory))
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        created = ", ".join(f"{n} {k}" for k, n in report.created.items()) or "nothing"
        updated = ", ".join(f"{n} {k}" for k, n in report.updated.items()) or "nothing"
        self.stdout.write(f"Reference data from {directory}: created {created}; updated {updated}.")
