"""Payment realisation: a shipment unrealised nine months after export (the RBI period) is
flagged on the export desk and on its order; a realised one is not."""

from __future__ import annotations

import datetime

import pytest

from niryat.core.models import User
from niryat.exportdesk.actions import do_record_realisation, do_record_shipment
from niryat.exportdesk.models import ExportOrder, add_months
from niryat.exportdesk.reports import overdue_realisations
from niryat.registry.models import Producer
from tests.conftest import client_for
from tests.exportdesk.conftest import usa_order

pytestmark = pytest.mark.django_db


def test_add_months_keeps_the_day_or_takes_the_last() -> None:
    assert add_months(datetime.date(2026, 5, 31), 9) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2026, 3, 15), -9) == datetime.date(2025, 6, 15)


def test_unrealised_after_nine_months_is_flagged(ramu: Producer, ganesh: User) -> None:
    order = usa_order(ramu, ganesh)
    old = do_record_shipment(
        order,
        shipped_on=datetime.date(2026, 1, 10),
        mode="courier",
        tracking_number="A",
        acting_user=ganesh,
    )
    realised = do_record_shipment(
        order,
        shipped_on=datetime.date(2026, 1, 12),
        mode="courier",
        tracking_number="B",
        acting_user=ganesh,
    )
    do_record_realisation(
        realised, realised_on=datetime.date(2026, 8, 1), ebrc_number="E1", acting_user=ganesh
    )
    recent = do_record_shipment(
        order,
        shipped_on=datetime.date(2026, 6, 1),
        mode="courier",
        tracking_number="C",
        acting_user=ganesh,
    )
    orders = ExportOrder.objects.all()

    assert overdue_realisations(orders, datetime.date(2026, 10, 10)) == []  # due on 10 Oct
    assert overdue_realisations(orders, datetime.date(2026, 10, 11)) == [old]
    assert recent.realisation_due == datetime.date(2027, 3, 1)


def test_the_desk_lists_overdue_payments(ramu: Producer, ganesh: User, vani: User) -> None:
    order = usa_order(ramu, ganesh)
    do_record_shipment(
        order,
        shipped_on=datetime.date(2025, 1, 10),
        mode="courier",
        tracking_number="OLD-1",
        acting_user=ganesh,
    )

    desk = client_for(ganesh).get("/export/").content.decode()
    detail = client_for(ganesh).get(f"/export/orders/{order.uuid}/").content.decode()

    assert "Payments not realised within nine months" in desk
    assert "OLD-1" in desk
    assert "Not realised within the RBI period" in detail
    assert "OLD-1" not in client_for(vani).get("/export/").content.decode()
