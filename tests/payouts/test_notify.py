"""A payout lands: each producer hears, in Hindi, what each order brought into their account."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from niryat.catalog.models import Sku
from niryat.channels.models import ChannelAccount
from niryat.channels.settlements import Charge, SettlementData, SettlementLineData
from niryat.messaging.backends import local as sms
from niryat.messaging.models import MessageTemplate
from niryat.payouts.actions import do_record_settlement
from niryat.payouts.models import Settlement
from tests.catalog.factories import run_tasks
from tests.payouts.conftest import book

D = Decimal


def payout_messages() -> list[Any]:
    return [m for m in sms.outbox if m.key.startswith("payout_landed:")]


def paid(settlement_id: str, *, paid_on: dt.date | None) -> SettlementData:
    lines = [
        SettlementLineData(
            Charge.SALE, D("1000"), "INR", "Principal", "403-A", "IA", "TERR-HORSE-01"
        ),
        SettlementLineData(Charge.SALE_TAX, D("120"), "INR", "Tax", "403-A", "IA", "TERR-HORSE-01"),
        SettlementLineData(
            Charge.COMMISSION, D("-112"), "INR", "Commission", "403-A", "IA", "TERR-HORSE-01"
        ),
    ]
    return SettlementData(settlement_id, "INR", D("1008"), lines, paid_on=paid_on)


def test_a_payout_that_lands_is_told_to_the_producer_once_in_hindi(
    amazon_account: ChannelAccount,
    horse_sku: Sku,
    payout_template: MessageTemplate,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given
    settings.MESSAGING_BACKENDS = {
        **settings.MESSAGING_BACKENDS,
        "sms": "niryat.messaging.backends.local.MemoryBackend",
    }
    sms.outbox.clear()
    amazon_account.listings.create(sku=horse_sku, state="live")
    book(
        amazon_account,
        "403-A",
        [("TERR-HORSE-01", 1, D("1120"), "IA")],
        ordered_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
    )
    # when: Amazon's group is still open (not paid): nobody is told
    with django_capture_on_commit_callbacks(execute=True):
        do_record_settlement(
            amazon_account, paid("FEG-9", paid_on=None), source="api", acting_user=None
        )
    run_tasks()
    assert payout_messages() == []
    # when: it closes and the money is transferred, and is read again twice
    for _twice in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            do_record_settlement(
                amazon_account,
                paid("FEG-9", paid_on=dt.date(2026, 11, 20)),
                source="api",
                acting_user=None,
            )
        run_tasks()
    run_tasks()
    # then: one SMS, in Hindi, with the order, the amount and the day
    assert [m.to for m in payout_messages()] == ["+919839012345"]
    assert (
        payout_messages()[0].text == "निर्यात: ऑर्डर #403-A का ₹1,008 आपके खाते में 20 नवंबर 2026 को आया।"
    )
    assert Settlement.objects.get().notified_at is not None


def test_without_the_template_the_payout_is_recorded_and_nobody_is_told(
    amazon_account: ChannelAccount, horse_sku: Sku, django_capture_on_commit_callbacks: Any
) -> None:
    amazon_account.listings.create(sku=horse_sku, state="live")
    book(
        amazon_account,
        "403-A",
        [("TERR-HORSE-01", 1, D("1120"), "IA")],
        ordered_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
    )
    with django_capture_on_commit_callbacks(execute=True):
        do_record_settlement(
            amazon_account,
            paid("FEG-9", paid_on=dt.date(2026, 11, 20)),
            source="api",
            acting_user=None,
        )
    run_tasks()
    assert Settlement.objects.get().lines.count() == 3
