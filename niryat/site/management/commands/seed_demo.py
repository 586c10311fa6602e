from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from niryat.core.demo import seed_demo
from niryat.site.demo import DemoError, seed


class Command(BaseCommand):
    help = (
        "Create the demo (once): people, producers at every funnel stage, products with photos; "
        "with --marketplaces also seller accounts, listings and orders on the fake marketplaces "
        "(they must be listening), pushing again any listing a restarted fake forgot. "
        "Prints the demo password once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="use this password instead of a random one")
        parser.add_argument(
            "--marketplaces",
            action="store_true",
            help="also the listings and orders on the fake marketplaces (demo mode, make run)",
        )
        parser.add_argument(
            "--site",
            metavar="URL",
            help="with --marketplaces: where Niryat will listen (http://127.0.0.1:8000); the fake "
            "ONDC registry and buyer app reach Gorakhpur's ONDC node there",
        )
        parser.add_argument(
            "--ondc-buyer-app",
            metavar="URL",
            default="http://127.0.0.1:8705",
            help="the fake ONDC buyer app (python -m fakes starts it at %(default)s)",
        )

    def handle(
        self,
        *args: Any,
        password: str | None = None,
        marketplaces: bool = False,
        site: str | None = None,
        ondc_buyer_app: str = "",
        **options: Any,
    ) -> None:
        started = time.monotonic()
        result = seed_demo(password)
        if result is None:
            if not marketplaces:
                self.stdout.write(
                    "Demo users exist already; their password was printed when they were "
                    "created. To set a new one: .venv/bin/python manage.py changepassword admin"
                )
        else:
            password, logins = result
            self.stdout.write(
                self.style.SUCCESS("Demo users created. This password is shown only once:")
            )
            self.stdout.write(f"    password: {password}")
            for login in logins:
                self.stdout.write(f"    {login.username:<22} {login.role:<22} {login.district}")
        try:
            report = seed(marketplaces=marketplaces, site=site or "", ondc_buyer_app=ondc_buyer_app)
        except DemoError as exc:
            raise CommandError(f"The demo is incomplete: {exc}") from exc
        for line in report.created:
            self.stdout.write(self.style.SUCCESS(f"Demo: {line}."))
        if report.existed and not report.created:
            self.stdout.write(f"The demo exists already ({'; '.join(report.existed)}).")
        self.stdout.write(f"Demo seeding took {time.monotonic() - started:.1f} s.")
