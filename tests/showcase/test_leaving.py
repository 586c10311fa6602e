"""Consent withdrawn, a producer erased or merged, a product deleted: off the showcase at once,
out of every cached page, and the old address answers 410 Gone with nothing about the product."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from niryat.catalog.actions import do_delete_product, do_delete_sku
from niryat.catalog.models import Product
from niryat.core.models import District, User
from niryat.registry.actions import do_erase_producer, do_merge_producers, do_record_consent
from niryat.registry.hooks import withdrawal_consequences
from niryat.registry.models import Consent, Producer
from niryat.showcase.models import Enquiry, GoneProduct, Profile
from tests.catalog.factories import add_sku, make_product
from tests.registry.factories import register
from tests.showcase.factories import STORY_EN, show

pytestmark = pytest.mark.django_db


def withdraw(producer: Producer, acting_user: User, given: bool = False) -> None:
    do_record_consent(
        producer,
        purpose=Consent.Purpose.LIST_ON_MARKETPLACES,
        given=given,
        on=timezone.localdate(),
        method=Consent.Method.PAPER,
        acting_user=acting_user,
    )


def warm(client: Client, horse: Product) -> None:
    """Every page the horse is on, once, so that it is in the cache."""
    for path in (
        "/showcase/",
        "/showcase/districts/148/",
        "/showcase/search/?q=ramu",
        f"/showcase/products/{horse.uuid}/",
        "/sitemap.xml",
    ):
        assert "Terracotta horse" in client.get(path).content.decode() or path in (
            "/showcase/",
            "/sitemap.xml",
        )


def assert_gone(client: Client, horse: Product) -> None:
    response = client.get(f"/showcase/products/{horse.uuid}/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "No longer shown" in html
    for detail in ("Terracotta horse", "टेराकोटा घोड़ा", "Ramu", "रामू", "Flipkart", STORY_EN):
        assert detail not in html
    assert "Terracotta horse" not in client.get("/showcase/districts/148/").content.decode()
    assert "Terracotta horse" not in client.get("/showcase/search/?q=ramu").content.decode()
    assert str(horse.uuid) not in client.get("/sitemap.xml").content.decode()
    assert client.get(f"/showcase/products/{horse.uuid}/qr.svg").status_code == 410
    assert client.get(f"/showcase/products/{horse.uuid}/enquire/").status_code == 410
    image = horse.images.first()
    if image is not None:
        assert client.get(f"/showcase/photos/{image.uuid}/160.jpg").status_code == 404


def test_withdrawn_consent_takes_the_producer_off_at_once(
    horse: Product, shown_ramu: Producer, ganesh: User
) -> None:
    client = Client()
    warm(client, horse)
    # the confirmation page says what withdrawing ends
    assert "The products leave the public showcase at once." in withdrawal_consequences(shown_ramu)
    withdraw(shown_ramu, ganesh)
    assert_gone(client, horse)


def test_consent_given_again_brings_them_back(
    horse: Product, shown_ramu: Producer, ganesh: User
) -> None:
    withdraw(shown_ramu, ganesh)
    withdraw(shown_ramu, ganesh, given=True)
    assert Client().get(f"/showcase/products/{horse.uuid}/").status_code == 200


def test_showcase_agreement_withdrawn_takes_them_off(
    horse: Product, shown_ramu: Producer, ganesh: User
) -> None:
    from niryat.showcase.actions import do_update_profile

    client = Client()
    warm(client, horse)
    do_update_profile(
        shown_ramu,
        shown=False,
        agreed_on=None,
        method="",
        story_hi="",
        story_en="",
        acting_user=ganesh,
    )
    assert_gone(client, horse)


def test_erased_producer_leaves_and_their_story_goes(
    horse: Product, shown_ramu: Producer, ganesh: User
) -> None:
    client = Client()
    warm(client, horse)
    do_erase_producer(shown_ramu, acting_user=ganesh)
    assert_gone(client, horse)
    assert not Profile.objects.filter(producer=shown_ramu).exists()


def test_deleted_product_answers_gone(horse: Product, ganesh: User) -> None:
    client = Client()
    warm(client, horse)
    # its Flipkart listing is live: the product waits for it to end, and is off the showcase now
    do_delete_product(horse, acting_user=ganesh)
    assert_gone(client, horse)
    assert GoneProduct.objects.filter(product_uuid=horse.uuid).exists()


def test_deleting_one_of_two_skus_keeps_the_product(shown_ramu: Producer, ganesh: User) -> None:
    product = make_product(shown_ramu, ganesh)
    small = add_sku(product, ganesh, seller_sku="H-S")
    add_sku(product, ganesh, seller_sku="H-L")
    do_delete_sku(small, acting_user=ganesh)
    assert Client().get(f"/showcase/products/{product.uuid}/").status_code == 200


def test_a_product_never_shown_is_not_found_not_gone(db) -> None:  # type: ignore[no-untyped-def]
    import uuid

    assert Client().get(f"/showcase/products/{uuid.uuid4()}/").status_code == 404


def test_merge_moves_enquiries_and_keeps_the_survivors_profile(
    horse: Product, shown_ramu: Producer, ganesh: User, gorakhpur: District
) -> None:
    duplicate = register(gorakhpur, ganesh, name_hi="रामू प्रजापती", mobile="+919839099999")
    show(duplicate, ganesh, story_en="Another story")
    Enquiry.objects.create(
        district=gorakhpur,
        producer=duplicate,
        product_name="Horse",
        name="Anna",
        email="anna@example.com",
        country="DE",
        quantity=10,
        address_hash="x",
    )
    do_merge_producers(shown_ramu, duplicate, acting_user=ganesh)
    assert Enquiry.objects.get().producer == shown_ramu
    assert Profile.objects.get(producer=shown_ramu).story_en == STORY_EN
    assert Profile.objects.count() == 1


def test_a_page_kept_by_another_worker_is_dropped_too(
    horse: Product, shown_ramu: Producer, ganesh: User
) -> None:
    """Each web worker keeps pages in its own memory: what tells them all is the database."""
    from django.core.cache import caches

    client = Client()
    warm(client, horse)
    # another worker's memory: the same pages, which this process's hooks cannot reach
    kept = dict(caches["default"]._cache)  # type: ignore[attr-defined]
    withdraw(shown_ramu, ganesh)
    caches["default"]._cache.update(kept)  # type: ignore[attr-defined]
    assert_gone(client, horse)
