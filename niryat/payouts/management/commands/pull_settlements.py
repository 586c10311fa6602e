"""Queue a read of every connected Amazon and eBay account's payouts (their Finances APIs), from
a day before the newest payout recorded (or 180 days back the first time). Run it from cron
daily; an account whose pull is still waiting is not asked twice."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from niryat.channels.models import ChannelAccount, ChannelCode
from niryat.payouts.actions import do_start_settlement_pull
from niryat.payouts.models import Settlement


class Command(BaseCommand):
    help = "Queue a read of the payouts of every connected Amazon and eBay account."

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = ChannelAccount.objects.filter(
            channel__in=(ChannelCode.AMAZON, ChannelCode.EBAY),
            status=ChannelAccount.Status.CONNECTED,
        )
        count = 0
        for account in accounts:
            since = Settlement.objects.pull_since(account, timezone.now())
            do_start_settlement_pull(account, since=since, acting_user=None)
            count += 1
        self.stdout.write(f"Payout reads queued for {count} accounts.")
