from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from niryat.core.demo import seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo state admin and a few districts' staff (once). Prints the password once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="use this password instead of a random one")

    def handle(self, *args: Any, password: str | None = None, **options: Any) -> None:
        result = seed_demo(password)
        if result is None:
            self.stdout.write(
                "Demo users exist already; their password was printed when they were created. "
                "To set a new one: .venv/bin/python manage.py changepassword admin"
            )
            return
        password, logins = result
        self.stdout.write(
            self.style.SUCCESS("Demo users created. This password is shown only once:")
        )
        self.stdout.write(f"    password: {password}")
        for login in logins:
            self.stdout.write(f"    {login.username:<22} {login.role:<22} {login.district}")
