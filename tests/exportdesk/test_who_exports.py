"""Who really exports: direct exports against sales through merchant exporters, by country and
by producer, on the export desk and on the district page."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from niryat.core.countries import destination_choices
from niryat.core.models import District, User
from niryat.exportdesk.actions import do_record_merchant_sale, do_record_shipment
from niryat.exportdesk.models import MerchantExporter, MerchantSale
from niryat.exportdesk.reports import exports_by_country, exports_by_producer
from niryat.registry.models import Producer
from tests.conftest import client_for
from tests.exportdesk.conftest import usa_order
from tests.registry.factories import register

pytestmark = pytest.mark.django_db
SOLD = datetime.date(2026, 10, 1)


def sell(producer: Producer, user: User, country: str, value: int, iec: str = "AAFCM1234K") -> None:
    do_record_merchant_sale(
        producer,
        merchant_name="Purvanchal Exports",
        merchant_iec=iec,
        country=country,
        sold_on=SOLD,
        value_inr=Decimal(value),
        acting_user=user,
    )


def test_direct_against_merchant_exports_by_country_and_producer(
    ramu: Producer, ganesh: User, gorakhpur: District
) -> None:
    shanti = register(gorakhpur, ganesh, name_hi="शांति देवी", mobile="+919839011111")
    order = usa_order(ramu, ganesh)  # 250 USD at 83.25: ₹20,812.50 FOB
    do_record_shipment(
        order, shipped_on=SOLD, mode="courier", tracking_number="X1", acting_user=ganesh
    )
    sell(ramu, ganesh, "US", 10_000)
    sell(shanti, ganesh, "ZA", 150_000)
    sell(shanti, ganesh, "PE", 50_000, iec="AAFCN5678L")

    countries = {row.label: row for row in exports_by_country(gorakhpur)}

    assert list(countries) == ["South Africa", "Peru", "United States"]
    assert countries["United States"].direct == Decimal("20812.50")
    assert countries["United States"].via_merchants == Decimal(10_000)
    assert countries["United States"].merchant_share == 32
    assert countries["South Africa"].merchant_share == 100
    producers = {str(p): row for p, row in exports_by_producer(gorakhpur)}
    assert producers["Shanti Devi"].direct == 0
    assert producers["Shanti Devi"].merchants == {
        "Purvanchal Exports (AAFCM1234K)",
        "Purvanchal Exports (AAFCN5678L)",
    }
    assert MerchantExporter.objects.count() == 2


def test_a_merchant_iec_not_in_pan_form_is_refused(ramu: Producer, ganesh: User) -> None:
    with pytest.raises(ValidationError, match="PAN form"):
        sell(ramu, ganesh, "US", 1000, iec="0512345678")
    assert not MerchantSale.objects.exists()


def test_staff_record_a_sale_and_the_district_page_shows_it(
    ramu: Producer, ganesh: User, gita: User
) -> None:
    response = client_for(ganesh).post(
        f"/producers/{ramu.uuid}/merchant-sales/new/",
        {
            "merchant_name": "Purvanchal Exports",
            "merchant_iec": "aafcm1234k",
            "country": "EG",
            "sold_on": "2026-10-01",
            "value_inr": "75000",
        },
    )

    assert response.status_code == 302
    page = client_for(gita).get("/districts/148/").content.decode()
    assert "Exports by country: direct and through merchant exporters" in page
    assert "Egypt" in page
    assert "₹75,000" in page
    assert "100%" in page
    desk = client_for(gita).get("/export/who-exports/").content.decode()
    assert "Purvanchal Exports (AAFCM1234K)" in desk
    assert (
        client_for(gita).post(f"/producers/{ramu.uuid}/merchant-sales/new/", {}).status_code == 403
    )


def test_other_districts_do_not_see_the_sales(ramu: Producer, ganesh: User, vani: User) -> None:
    sell(ramu, ganesh, "US", 10_000)

    assert "Purvanchal" not in client_for(vani).get("/export/who-exports/").content.decode()
    assert client_for(vani).get(f"/producers/{ramu.uuid}/merchant-sales/new/").status_code == 404


def test_the_state_sees_direct_and_merchant_exports_by_district_and_country(
    ramu: Producer, ganesh: User, vani: User, varanasi: District, sam: User
) -> None:
    order = usa_order(ramu, ganesh)  # Gorakhpur, direct: ₹20,812.50 to the USA
    do_record_shipment(
        order, shipped_on=SOLD, mode="courier", tracking_number="X1", acting_user=ganesh
    )
    sell(ramu, ganesh, "ZA", 30_000)
    weaver = register(varanasi, vani, name_hi="कबीर अंसारी", mobile="+919839022222")
    sell(weaver, vani, "US", 100_000, iec="AAFCV1234K")

    page = client_for(sam).get("/export/who-exports/")

    assert page.status_code == 200
    by_district = [
        (str(d), row.direct, row.via_merchants, row.label) for d, row in page.context["by_district"]
    ]
    assert by_district == [
        ("Varanasi", Decimal(0), Decimal(100_000), "United States"),
        ("Gorakhpur", Decimal("20812.50"), Decimal(30_000), "South Africa, United States"),
    ]
    countries = {row.label: (row.direct, row.via_merchants) for row in page.context["by_country"]}
    assert countries == {
        "United States": (Decimal("20812.50"), Decimal(100_000)),
        "South Africa": (Decimal(0), Decimal(30_000)),
    }
    html = page.content.decode()
    assert 'class="exports-by-district"' in html
    assert "₹1,00,000" in html
    # A district's staff see their own district only, never the state's table.
    own = client_for(vani).get("/export/who-exports/")
    assert own.context["by_district"] == []
    assert [row.label for row in own.context["by_country"]] == ["United States"]


def test_destination_countries_are_todays_named_in_the_users_language() -> None:
    """The buyer's country list holds today's countries, spelt right, in English or Hindi; no
    India, no former USSR."""
    with translation.override("en"):
        english = dict(destination_choices())
    with translation.override("hi"):
        hindi = dict(destination_choices())
    assert english["CW"] == "Curaçao"
    assert english["CI"] == "Côte d'Ivoire"
    assert hindi["US"] == "संयुक्त राज्य"
    assert "IN" not in english
    assert "SU" not in english
    assert list(hindi.values()) == sorted(hindi.values())
