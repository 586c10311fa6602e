"""Fetch new orders from every connected seller account, check the quantities its listings offer
(drift is corrected), and make any marketplace call that is due (a safety net under the task
queue). Run it from cron every few minutes, or with --every."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from niryat.channels import outbox
from niryat.channels.actions import do_request_orders, do_request_quantity_check
from niryat.channels.models import ChannelAccount
from niryat.channels.registry import channel_for


def sync_account(account: ChannelAccount) -> None:
    """One account's turn: fetch its new orders, then check the quantities its listings offer
    (the check waits for the fetch, so that a sale not heard of yet is not taken for drift)."""
    do_request_orders(account, acting_user=None)
    # Beside the orders: anything that changed a quantity without us (a seller portal edit, a
    # cancellation heard late) is found and corrected. One check waits at most.
    do_request_quantity_check(account, acting_user=None)


def sync_once() -> tuple[int, int]:
    accounts = ChannelAccount.objects.filter(status=ChannelAccount.Status.CONNECTED)
    requested = 0
    for account in accounts:
        if channel_for(account).has_api:
            sync_account(account)
            requested += 1
    return requested, outbox.run_due()


class Command(BaseCommand):
    help = (
        "Fetch orders from every connected marketplace account, check its quantities; "
        "make due marketplace calls."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=float, default=0, help="repeat every N seconds (0: once)"
        )

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        while True:
            requested, made = sync_once()
            self.stdout.write(f"Orders requested from {requested} accounts; {made} calls made.")
            if not every:
                return
            time.sleep(every)
