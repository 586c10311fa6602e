"""Staff record a producer's agreement to be on the showcase, and their story."""

from __future__ import annotations

import pytest
from django.test import Client

from niryat.core.models import AuditEntry, User
from niryat.registry.models import Producer
from niryat.showcase.models import Profile
from tests.catalog.factories import add_sku, make_product
from tests.conftest import client_for, hindi
from tests.registry.factories import give_listing_consent

pytestmark = pytest.mark.django_db

AGREED = {
    "shown": "on",
    "agreed_on": "2026-12-01",
    "method": "paper",
    "story_hi": "मेरे दादा ने यह कला सिखाई।",
    "story_en": "My grandfather taught me this craft.",
}


def test_staff_put_a_producer_on_the_showcase_with_their_story(
    ramu: Producer, ganesh: User
) -> None:
    give_listing_consent(ramu, ganesh)
    product = make_product(ramu, ganesh)
    add_sku(product, ganesh, seller_sku="H-1")
    assert Client().get(f"/showcase/products/{product.uuid}/").status_code == 404
    response = client_for(ganesh).post(f"/showcase/producers/{ramu.uuid}/", AGREED)
    assert response.status_code == 302
    profile = Profile.objects.get(producer=ramu)
    assert profile.shown
    assert AuditEntry.objects.filter(action="showcase.profile").count() == 1
    html = Client().get(f"/showcase/products/{product.uuid}/").content.decode()
    assert "My grandfather taught me this craft." in html


def test_agreement_needs_its_date_and_way(ramu: Producer, ganesh: User) -> None:
    response = client_for(ganesh).post(
        f"/showcase/producers/{ramu.uuid}/", {**AGREED, "agreed_on": "", "method": ""}
    )
    assert response.status_code == 200
    assert "Say when and how the producer agreed to be shown." in response.content.decode()
    assert not Profile.objects.filter(producer=ramu).exists()


def test_page_warns_when_listing_consent_is_missing_in_hindi(ramu: Producer, ganesh: User) -> None:
    page = client_for(ganesh, **{"accept-language": "hi"}).get(f"/showcase/producers/{ramu.uuid}/")
    assert (
        hindi(
            "This producer has not consented to be listed; they are not shown on the showcase "
            "until they do."
        )
        in page.content.decode()
    )


def test_another_districts_staff_cannot_change_it(ramu: Producer, vani: User) -> None:
    response = client_for(vani).post(f"/showcase/producers/{ramu.uuid}/", AGREED)
    assert response.status_code == 404
    assert not Profile.objects.filter(producer=ramu).exists()


def test_the_producer_page_leads_to_their_showcase_profile(ramu: Producer, ganesh: User) -> None:
    page = client_for(ganesh).get(f"/producers/{ramu.uuid}/").content.decode()
    assert f'href="/showcase/producers/{ramu.uuid}/">Public showcase</a>' in page
