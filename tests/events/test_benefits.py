"""Scheme benefits: what was handed over, when, to whom, with a photo (its GPS removed), and what
the beneficiary catalogued and sold after it."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from niryat.channels.models import ChannelAccount, Order, OrderLine
from niryat.events.actions import Refused, do_record_benefit
from niryat.events.models import Benefit, after_benefit
from tests.catalog.factories import add_sku, make_product
from tests.conftest import client_for
from tests.events.conftest import artisans
from tests.registry.factories import register
from tests.test_imaging import a_photo, jpeg

HANDOVER = datetime.date(2026, 9, 1)


def charkha(**more: object) -> dict[str, object]:
    return {
        "scheme": "Mukhyamantri solar charkha scheme",
        "item": Benefit.Item.SOLAR_CHARKHA,
        "serial_number": "sc-2026-0041",
        "handed_over_on": HANDOVER,
        **more,
    }


def photo_with_gps() -> bytes:
    img = a_photo(400, 300)
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (26.0, 45.0, 0.0)}  # GPSInfo
    return jpeg(img, exif=exif.tobytes())


def test_a_handover_is_kept_with_its_photo_without_gps(gorakhpur, ganesh):
    (ramu,) = artisans(gorakhpur, ganesh, 1)
    benefit = do_record_benefit(ramu, charkha(), photo_with_gps(), acting_user=ganesh)
    assert benefit.serial_number == "SC-2026-0041"
    kept = Image.open(io.BytesIO(benefit.photo.read()))
    assert kept.format == "JPEG"
    assert 0x8825 not in kept.getexif()


def test_refusals_save_nothing(gorakhpur, varanasi, ganesh, vani):
    ramu, shyam = artisans(gorakhpur, ganesh, 2)
    do_record_benefit(ramu, charkha(), jpeg(a_photo(400, 300)), acting_user=ganesh)
    with pytest.raises(Refused) as twice:
        do_record_benefit(shyam, charkha(), jpeg(a_photo(400, 300)), acting_user=ganesh)
    assert twice.value.message_dict == {
        "serial_number": [
            "Serial number SC-2026-0041 was handed over already, on 1 September 2026."
        ]
    }
    with pytest.raises(Refused) as no_serial:
        do_record_benefit(shyam, charkha(serial_number=""), jpeg(a_photo()), acting_user=ganesh)
    assert no_serial.value.message_dict == {
        "serial_number": ["Give the solar charkha's serial number."]
    }
    with pytest.raises(Refused) as not_a_photo:
        do_record_benefit(
            shyam, charkha(serial_number="SC-9"), b"%PDF-1.4 not a photo", acting_user=ganesh
        )
    assert list(not_a_photo.value.message_dict) == ["photo"]
    weaver = register(varanasi, vani, name_hi="बुनकर", mobile="+919839099999")
    with pytest.raises(PermissionDenied):
        do_record_benefit(
            weaver, charkha(serial_number="SC-10"), jpeg(a_photo()), acting_user=ganesh
        )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(Refused):
        do_record_benefit(
            shyam,
            charkha(serial_number="SC-11", handed_over_on=tomorrow),
            jpeg(a_photo()),
            acting_user=ganesh,
        )
    assert Benefit.objects.count() == 1


def test_what_was_sold_after_the_handover_comes_from_the_order_book(gorakhpur, ganesh):
    (ramu,) = artisans(gorakhpur, ganesh, 1)
    sku = add_sku(make_product(ramu, ganesh), ganesh)
    account = ChannelAccount.objects.create(district=gorakhpur, channel="flipkart", name="FK")
    benefit = do_record_benefit(ramu, charkha(), jpeg(a_photo()), acting_user=ganesh)

    def order(when: datetime.datetime, quantity: int, state: str = "delivered") -> None:
        placed = Order.objects.create(
            district=gorakhpur,
            account=account,
            producer=ramu,
            channel_order_id=f"OD{when:%m%d}{quantity}",
            ordered_at=when,
            state=state,
        )
        OrderLine.objects.create(
            order=placed, sku=sku, seller_sku=sku.seller_sku, quantity=quantity, unit_price=450
        )

    ist = timezone.get_current_timezone()
    order(datetime.datetime(2026, 8, 20, tzinfo=ist), 9)  # before the handover
    order(datetime.datetime(2026, 9, 5, tzinfo=ist), 2)
    order(datetime.datetime(2026, 10, 2, tzinfo=ist), 3)
    order(datetime.datetime(2026, 10, 9, tzinfo=ist), 5, state="cancelled")
    after = after_benefit(benefit)
    assert (after.orders, after.units) == (2, 5)
    assert after.value_by_currency == [("INR", Decimal("2250.00"))]
    assert after.months == [(datetime.date(2026, 9, 1), 1, 2), (datetime.date(2026, 10, 1), 1, 3)]
    page = client_for(ganesh).get(reverse("benefit_detail", args=[benefit.uuid]))
    assert "Units sold" in page.text
    assert "₹2,250" in page.text


def test_record_a_handover_on_the_page(gorakhpur, ganesh, terracotta):
    (ramu,) = artisans(gorakhpur, ganesh, 1)
    client = client_for(ganesh)
    upload = SimpleUploadedFile("h.jpg", jpeg(a_photo(400, 300)), content_type="image/jpeg")
    page = client.post(
        reverse("benefit_new"),
        {
            "producer": str(ramu.uuid),
            "scheme": "ODOP toolkit scheme",
            "item": "toolkit",
            "handed_over_on": "2026-09-01",
            "photo": upload,
        },
        follow=True,
    )
    assert "Handover recorded: Toolkit · Karigar 1." in page.text
    benefit = Benefit.objects.get()
    photo = client.get(reverse("benefit_photo", args=[benefit.uuid]))
    assert photo["Content-Type"] == "image/jpeg"
    bad = client.post(
        reverse("benefit_new"),
        {
            "producer": str(ramu.uuid),
            "scheme": "x",
            "item": "loom",
            "handed_over_on": "2026-09-01",
            "photo": SimpleUploadedFile("h.jpg", b"not a photo", content_type="image/jpeg"),
        },
    )
    assert bad.status_code == 200
    assert Benefit.objects.count() == 1
