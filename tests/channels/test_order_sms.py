"""The producer's order SMS names the pack-by time as a clock in India shows it."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest

from niryat.catalog.models import Sku
from niryat.channels.tasks import notify_producer_of_order
from niryat.core.models import District
from niryat.messaging.backends import local
from niryat.messaging.backends.base import Delivery
from tests.catalog.factories import run_tasks
from tests.channels.test_pages import make_account, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox() -> Iterator[list[Delivery]]:
    local.outbox.clear()
    yield local.outbox
    local.outbox.clear()


def test_pack_by_date_is_in_india_time_near_midnight_utc(
    gorakhpur: District, horse_sku: Sku, outbox: list[Delivery]
) -> None:
    # given an order to pack by 03:23 IST on 9 December, which is still 8 December in UTC
    ship_by = datetime.datetime(2026, 12, 8, 21, 53, tzinfo=datetime.UTC)
    order = make_order(make_account(gorakhpur), horse_sku, number="OD-9", ship_by=ship_by)
    outbox.clear()
    # when the producer is told
    notify_producer_of_order.call(order.pk)
    run_tasks()
    # then the SMS says 9 December, 03:23, in Hindi with the month spelt right
    assert len(outbox) == 1
    assert outbox[0].to == "+919839012345"
    assert outbox[0].text.endswith("ऑर्डर OD-9। 9 दिसंबर 2026, 03:23 तक पैक करें।")
