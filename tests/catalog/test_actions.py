"""Catalogue writes: products, SKUs, photos, and what the checklist says of them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from niryat.catalog import actions
from niryat.catalog.completeness import checklist
from niryat.catalog.models import Product, ProductImage, Sku
from niryat.core.imaging import ImagingError
from niryat.core.models import AuditEntry
from tests.catalog.factories import add_sku, run_tasks
from tests.test_imaging import a_phone_upload, a_photo


def test_product_with_two_skus_is_complete_but_for_photos(horse: Product, ganesh) -> None:
    # given / when
    small = add_sku(horse, ganesh, size="small", title_en="Terracotta horse, small")
    large = add_sku(horse, ganesh, size="large", title_en="Terracotta horse, large")
    # then
    horse.refresh_from_db()
    assert [small.seller_sku, large.seller_sku] == [
        f"TERR-{horse.pk:05d}-01",
        f"TERR-{horse.pk:05d}-02",
    ]
    assert horse.missing_codes == ["photos"]
    assert horse.completeness == round(100 * 8 / 9)
    items = {item.code: item for item in checklist(horse).items}
    assert not items["photos"].passed
    assert items["price"].passed


def test_price_rules_refuse_and_keep_what_was_saved(horse: Product, ganesh) -> None:
    sku = add_sku(horse, ganesh)
    with pytest.raises(ValidationError) as error:
        actions.do_update_sku(sku, acting_user=ganesh, price=Decimal("1500"))
    assert error.value.message_dict == {"price": ["The selling price cannot be above the MRP."]}
    with pytest.raises(ValidationError) as error:
        actions.do_update_sku(sku, acting_user=ganesh, mrp=Decimal("-1"), price=Decimal("-2"))
    assert error.value.message_dict["mrp"] == ["A price cannot be below zero."]
    sku.refresh_from_db()
    assert (sku.mrp, sku.price) == (Decimal("1200.00"), Decimal("950.00"))


def test_unknown_hs_code_is_refused(horse: Product, ganesh) -> None:
    with pytest.raises(ValidationError) as error:
        actions.do_update_product(horse, acting_user=ganesh, hs_code="99999999")
    assert "99999999"[:6] in error.value.message_dict["hs_code"][0]
    horse.refresh_from_db()
    assert horse.hs_code == "69139000"


def test_seller_sku_unique_per_producer(horse: Product, ganesh) -> None:
    add_sku(horse, ganesh, seller_sku="HORSE-1")
    with pytest.raises(ValidationError) as error:
        add_sku(horse, ganesh, seller_sku="horse-1")
    assert "HORSE-1".lower() in error.value.message_dict["seller_sku"][0].lower()
    assert Sku.objects.count() == 1


def test_varanasi_staff_cannot_add_to_gorakhpur(horse: Product, vani) -> None:
    with pytest.raises(PermissionDenied):
        add_sku(horse, vani)
    assert not Sku.objects.exists()


def test_phone_photo_is_kept_upright_without_exif_and_processed(horse: Product, ganesh) -> None:
    # given a phone photo turned by EXIF, with GPS
    upload = a_phone_upload(a_photo())
    # when
    image = actions.do_add_image(horse, upload, file_name="IMG_1.jpg", acting_user=ganesh)
    run_tasks()
    # then
    image.refresh_from_db()
    assert image.status == ProductImage.Status.READY
    for field in (image.original, image.main, image.thumbnail):
        with Image.open(field.path) as saved:
            assert not saved.getexif()
            assert "exif" not in saved.info
    with Image.open(image.original.path) as original:
        assert original.size == (1600, 1200)  # upright: wider than tall, like the scene
    with Image.open(image.main.path) as main:
        assert main.width == main.height >= 1000
        assert main.getpixel((2, 2)) == (255, 255, 255)
    assert image.quality_score is not None
    assert image.quality_score >= 60
    add_sku(horse, ganesh)
    horse.refresh_from_db()
    assert horse.completeness == 100
    assert AuditEntry.objects.filter(action="image.add", object_id=str(image.pk)).exists()


def test_not_a_photo_is_refused_and_nothing_kept(horse: Product, ganesh) -> None:
    with pytest.raises(ImagingError) as error:
        actions.do_add_image(horse, b"%PDF-1.4 not a photo", file_name="x.jpg", acting_user=ganesh)
    assert "not a photo" in str(error.value)
    assert not ProductImage.objects.exists()


def photo_count_and_files(media) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    return ProductImage.objects.count(), len(files)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "The file is empty."),
        (None, "damaged"),
        (None, "megapixels"),
    ],
    ids=["empty", "truncated", "decompression-bomb"],
)
def test_bad_photos_are_refused_and_earlier_ones_kept(horse, ganesh, media, data, reason) -> None:
    from tests.test_imaging import jpeg

    # given a product with one good photo
    actions.do_add_image(horse, jpeg(a_photo(800, 600)), file_name="good.jpg", acting_user=ganesh)
    before = photo_count_and_files(media)
    if reason == "damaged":
        whole = jpeg(a_photo(800, 600, seed=3))
        data = whole[: len(whole) // 2]
    elif reason == "megapixels":
        data = png_bomb()
    # when
    with pytest.raises(ImagingError) as error:
        actions.do_add_image(horse, data, file_name="bad.jpg", acting_user=ganesh)
    # then
    assert reason in str(error.value.message)
    assert photo_count_and_files(media) == before


def png_bomb() -> bytes:
    """A tiny PNG that claims 20,000 × 20,000 pixels (400 MP)."""
    import io

    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")
    return out.getvalue()


def test_cmyk_and_16_bit_photos_are_kept_as_srgb(horse, ganesh) -> None:
    import io

    import numpy as np

    cmyk = io.BytesIO()
    a_photo(800, 600).convert("CMYK").save(cmyk, "JPEG")
    deep = io.BytesIO()
    grey = np.asarray(a_photo(800, 600).convert("L")).astype(np.uint16) * 257
    Image.fromarray(grey).save(deep, "PNG")
    for name, data in (("cmyk.jpg", cmyk.getvalue()), ("deep.png", deep.getvalue())):
        image = actions.do_add_image(horse, data, file_name=name, acting_user=ganesh)
        with Image.open(image.original.path) as kept:
            assert (kept.mode, kept.format) == ("RGB", "JPEG"), name
    run_tasks()
    assert set(horse.images.values_list("status", flat=True)) == {"ready"}


def test_a_40_mb_photo_is_accepted(horse, ganesh) -> None:
    import io

    import numpy as np

    # Noise does not compress: a 14 MP PNG of it is over 40 MB, as big as phone photos get.
    rng = np.random.default_rng(7)
    noise = Image.fromarray(rng.integers(0, 256, (3400, 4200, 3), dtype=np.uint8), "RGB")
    out = io.BytesIO()
    noise.save(out, "PNG", compress_level=0)
    data = out.getvalue()
    assert len(data) > 40 * 1024 * 1024
    image = actions.do_add_image(horse, data, file_name="big.png", acting_user=ganesh)
    with Image.open(image.original.path) as kept:
        assert kept.size == (4200, 3400)


def test_the_same_photo_on_another_product_is_flagged(horse, ganesh, ramu) -> None:
    from tests.catalog.factories import make_product
    from tests.test_imaging import jpeg

    photo = a_photo(1200, 900, seed=5)
    actions.do_add_image(horse, jpeg(photo), file_name="a.jpg", acting_user=ganesh)
    other = make_product(ramu, ganesh, name_en="Another horse")
    reused = actions.do_add_image(
        other, jpeg(photo.resize((900, 675))), file_name="b.jpg", acting_user=ganesh
    )
    run_tasks()
    reused.refresh_from_db()
    assert reused.reused_from == horse.images.get()
    add_sku(other, ganesh, seller_sku="OTHER-1")
    problems = [p for item in checklist(other).items for _sku, p in item.problems]
    assert [str(p.message) for p in problems] == [
        "The main photo is the same as another product's."
    ]
