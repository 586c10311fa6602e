"""Export orders and shipments: the FOB value in rupees, what holds a shipment back, and the
producer's funnel moving to "exporting" with their first export shipment."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from niryat.core.models import User
from niryat.exportdesk.actions import (
    LineInput,
    do_create_export_order,
    do_record_realisation,
    do_record_shipment,
    do_update_readiness_item,
)
from niryat.exportdesk.models import ExportOrder, ReadinessItem, Shipment
from niryat.exportdesk.s10 import check_digit, clean_s10
from niryat.registry.models import Producer, Stage, StageChange
from tests.conftest import client_for
from tests.exportdesk.conftest import usa_order

pytestmark = pytest.mark.django_db
SHIPPED = datetime.date(2026, 11, 20)


def test_s10_check_digit_of_the_issues_example() -> None:
    assert check_digit("12345678") == 5
    assert clean_s10("ee 123456785 in") == "EE123456785IN"
    with pytest.raises(ValidationError, match="check digit"):
        clean_s10("EE123456784IN")
    with pytest.raises(ValidationError, match="13 characters"):
        clean_s10("EE12345678IN")


def test_fob_in_rupees_takes_freight_and_insurance_off(ramu: Producer, ganesh: User) -> None:
    order = usa_order(
        ramu, ganesh, incoterm="CIF", freight=Decimal("30.00"), insurance=Decimal("5.00")
    )

    assert order.total == Decimal("250.00")
    assert order.fob == Decimal("215.00")
    assert order.fob_inr == Decimal("17898.75")  # 215 × 83.25


def test_first_shipment_moves_the_producer_to_exporting(ramu: Producer, ganesh: User) -> None:
    order = usa_order(ramu, ganesh)

    shipment = do_record_shipment(
        order, shipped_on=SHIPPED, mode="post", tracking_number="EE123456785IN", acting_user=ganesh
    )
    do_record_shipment(
        order, shipped_on=SHIPPED, mode="courier", tracking_number="DHL 1", acting_user=ganesh
    )

    assert shipment.fob_inr == Decimal("20812.50")  # 250 × 83.25
    ramu.refresh_from_db()
    assert ramu.stage == Stage.EXPORTING
    change = StageChange.objects.get(producer=ramu, to_stage=Stage.EXPORTING)
    assert change.reason == "First export shipment, to Hudson Home Goods (United States)."
    assert "संयुक्त राज्य" in change.reason_hi
    assert StageChange.objects.filter(producer=ramu, to_stage=Stage.EXPORTING).count() == 1


def test_a_shipment_is_refused_with_every_reason_and_nothing_changes(
    ramu: Producer, ganesh: User
) -> None:
    order = do_create_export_order(
        ramu,
        buyer={"name": "Lima Artesanías", "country": "PE"},
        order={"incoterm": "FOB", "currency": "USD", "exchange_rate": None},
        lines=[LineInput("Terracotta lamp", "", 4, Decimal("12.00"))],
        acting_user=ganesh,
    )

    with pytest.raises(ValidationError) as refused:
        do_record_shipment(
            order,
            shipped_on=SHIPPED,
            mode="post",
            tracking_number="EE123456785IN",
            acting_user=ganesh,
        )

    assert refused.value.messages == [
        "Line 1 (Terracotta lamp) has no HS code.",
        "There is no exchange rate for USD: enter the customs notified rate on the order, or "
        "record it among the reference rates.",
        "Without IGST paid, the producer needs a LUT for this financial year.",
    ]
    assert not Shipment.objects.exists()
    ramu.refresh_from_db()
    assert ramu.stage != Stage.EXPORTING


def test_a_current_lut_lets_it_go_without_igst(ramu: Producer, ganesh: User) -> None:
    order = usa_order(ramu, ganesh, igst_paid=False)
    do_update_readiness_item(
        ramu,
        "lut",
        status=ReadinessItem.Status.DONE,
        valid_from=timezone.localdate().replace(day=1),
        acting_user=ganesh,
    )

    shipment = do_record_shipment(
        order, shipped_on=SHIPPED, mode="cargo", tracking_number="", acting_user=ganesh
    )

    assert shipment.pk is not None


def test_a_wrong_tracking_number_records_nothing(ramu: Producer, ganesh: User) -> None:
    order = usa_order(ramu, ganesh)

    with pytest.raises(ValidationError, match="check digit"):
        do_record_shipment(
            order,
            shipped_on=SHIPPED,
            mode="post",
            tracking_number="EE123456784IN",
            acting_user=ganesh,
        )

    ramu.refresh_from_db()
    assert ramu.stage != Stage.EXPORTING
    assert not Shipment.objects.exists()


def test_realisation_not_before_shipping(ramu: Producer, ganesh: User) -> None:
    order = usa_order(ramu, ganesh)
    shipment = do_record_shipment(
        order, shipped_on=SHIPPED, mode="courier", tracking_number="X", acting_user=ganesh
    )

    with pytest.raises(ValidationError, match="before the goods"):
        do_record_realisation(
            shipment,
            realised_on=SHIPPED - datetime.timedelta(days=1),
            ebrc_number="",
            acting_user=ganesh,
        )
    do_record_realisation(
        shipment, realised_on=datetime.date(2027, 1, 5), ebrc_number="EBRC-1", acting_user=ganesh
    )

    shipment.refresh_from_db()
    assert shipment.realised_on == datetime.date(2027, 1, 5)


def test_an_hs_code_must_have_8_digits(ramu: Producer, ganesh: User) -> None:
    with pytest.raises(ValidationError, match="8 digits"):
        do_create_export_order(
            ramu,
            buyer={"name": "Cairo Crafts", "country": "EG"},
            order={"incoterm": "FOB", "currency": "USD", "exchange_rate": Decimal(83)},
            lines=[LineInput("Pot", "6913", 1, Decimal(5))],
            acting_user=ganesh,
        )
    assert not ExportOrder.objects.exists()


def test_staff_create_an_order_and_ship_it_through_the_pages(ramu: Producer, ganesh: User) -> None:
    client = client_for(ganesh)
    form = {
        "buyer_name": "Hudson Home Goods",
        "buyer_country": "US",
        "importer_reference": "EIN 12-3456789",
        "incoterm": "FOB",
        "currency": "usd",
        "exchange_rate": "83.25",
        "igst_paid": "on",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-description": "Terracotta horse, 30 cm",
        "lines-0-hs_code": "6913 90 00",
        "lines-0-quantity": "10",
        "lines-0-unit_price": "25.00",
    }

    created = client.post(f"/producers/{ramu.uuid}/export-orders/new/", form)

    assert created.status_code == 302
    order = ExportOrder.objects.get()
    assert order.currency == "USD"
    assert [line.hs_code for line in order.lines.all()] == ["69139000"]
    page = client.get(created["Location"]).content.decode()
    assert "₹20,812.50" in page

    shipped = client.post(
        f"/export/orders/{order.uuid}/shipments/",
        {"shipped_on": "2026-11-20", "mode": "post", "tracking_number": "EE123456784IN"},
    )
    assert shipped.status_code == 400
    assert "wrong check digit" in shipped.content.decode()

    shipped = client.post(
        f"/export/orders/{order.uuid}/shipments/",
        {"shipped_on": "2026-11-20", "mode": "post", "tracking_number": "EE123456785IN"},
    )
    assert shipped.status_code == 302
    ramu.refresh_from_db()
    assert ramu.stage == Stage.EXPORTING
    desk = client.get("/export/").content.decode()
    assert "Hudson Home Goods" in desk


def test_other_districts_cannot_see_an_order(ramu: Producer, ganesh: User, vani: User) -> None:
    order = usa_order(ramu, ganesh)

    assert client_for(vani).get(f"/export/orders/{order.uuid}/").status_code == 404
    assert "Hudson" not in client_for(vani).get("/export/").content.decode()
    assert client_for(vani).get(f"/producers/{ramu.uuid}/export-orders/new/").status_code == 404
