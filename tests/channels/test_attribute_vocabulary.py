"""Size, colour and material written in Hindi reach English-only marketplaces in English, from the
vocabulary staff keep; a value the vocabulary does not know stops readiness instead of arriving in
Devanagari (it did: "टेराकोटा मिट्टी", "लाल" and "छोटा" were shown on eBay)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fakes.ebay import FakeEbay
from niryat.catalog import actions as catalog_actions
from niryat.catalog.models import Sku
from niryat.channels.amazon import AmazonChannel
from niryat.channels.ebay import EbayChannel
from niryat.channels.flipkart import FlipkartChannel
from niryat.channels.models import ChannelAccount, ExchangeRate, Listing
from niryat.core.models import District, User
from tests.channels.test_ebay import make_account
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

UNKNOWN = "“गेरुआ”"


@pytest.fixture
def usd(db) -> ExchangeRate:  # type: ignore[no-untyped-def]
    return ExchangeRate.objects.create(currency="USD", inr_per_unit=Decimal("83.2500"))


def write_in_hindi(sku: Sku, ganesh: User, **values: str) -> Sku:
    """Staff save the variant as the SKU form does: every field, the English ones left empty."""
    current = {field: getattr(sku, field) for field in catalog_actions.SKU_FIELDS}
    english = {"size_en": "", "colour_en": "", "material_en": ""}
    return catalog_actions.do_update_sku(
        sku, acting_user=ganesh, **{**current, **english, **values}
    )


def test_hindi_values_get_their_english_from_the_vocabulary(horse_sku: Sku, ganesh: User) -> None:
    sku = write_in_hindi(horse_sku, ganesh, material="टेराकोटा मिट्टी", colour="लाल", size="छोटा")
    assert (sku.material, sku.colour, sku.size) == ("टेराकोटा मिट्टी", "लाल", "छोटा")
    assert (sku.material_en, sku.colour_en, sku.size_en) == ("Terracotta clay", "Red", "Small")
    # a measurement keeps its number, its unit in English; nukta and chandrabindu do not matter
    sku = write_in_hindi(sku, ganesh, size="30 सेमी", colour="सफेद", material="चांदी")
    assert (sku.size_en, sku.colour_en, sku.material_en) == ("30 cm", "White", "Silver")
    # a changed value gets the English of the new one; English written by staff is kept
    sku = write_in_hindi(sku, ganesh, colour="नीला", colour_en="Indigo")
    assert sku.colour_en == "Indigo"


def test_the_english_reaches_ebay_over_http(
    horse_sku: Sku, ganesh: User, gorakhpur: District, fake_ebay: FakeEbay, usd: ExchangeRate
) -> None:
    # given a variant written in Hindi
    write_in_hindi(horse_sku, ganesh, material="टेराकोटा मिट्टी", colour="लाल", size="छोटा")
    listing = Listing.objects.create(sku=horse_sku, account=make_account(gorakhpur))
    horse_sku.refresh_from_db()
    assert EbayChannel(listing.account).validate(horse_sku) == []
    # when it is listed
    status = EbayChannel(listing.account).submit(listing, key="submit-hindi")
    # then eBay got the English values only
    assert status.state == "live"
    aspects = fake_ebay.state()["inventory_items"]["TERR-HORSE-01"]["product"]["aspects"]
    assert aspects["Material"] == ["Terracotta clay"]
    assert aspects["Color"] == ["Red"]
    assert aspects["Size"] == ["Small"]


def test_readiness_refuses_devanagari_where_a_marketplace_takes_english(
    horse_sku: Sku, ganesh: User, gorakhpur: District, usd: ExchangeRate
) -> None:
    # given a colour the vocabulary does not know
    sku = write_in_hindi(horse_sku, ganesh, colour="गेरुआ")
    assert sku.colour_en == ""
    amazon_us = ChannelAccount(
        district=gorakhpur, channel="amazon", settings={"marketplace_id": "ATVPDKIKX0DER"}
    )
    amazon_in = ChannelAccount(
        district=gorakhpur, channel="amazon", settings={"marketplace_id": "A21TJRUUN4KGV"}
    )
    ExchangeRate.objects.filter(currency="USD").update(inr_per_unit=Decimal("83.25"))

    def refused(problems: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
        return [(p.field, str(p.message)) for p in problems if UNKNOWN in str(p.message)]

    # then eBay, Amazon US and Flipkart (API and sheet) refuse it, naming the field to fix
    assert refused(EbayChannel().validate(sku)) == [
        (
            "colour_en",
            f"eBay takes English only: write {UNKNOWN} in English (or add it to the vocabulary "
            "of sizes, colours and materials).",
        )
    ]
    assert [field for field, _ in refused(AmazonChannel(amazon_us).validate(sku))] == ["colour_en"]
    assert [field for field, _ in refused(FlipkartChannel().validate(sku))] == ["colour_en"]
    # and Amazon India, which takes Hindi beside English, does not
    assert refused(AmazonChannel(amazon_in).validate(sku)) == []
    # when staff add the word to the vocabulary and save the variant again
    catalog_actions.do_add_attribute_term(
        kind="colour", hindi="गेरुआ", english="Ochre", acting_user=ganesh
    )
    sku = write_in_hindi(sku, ganesh)
    # then it goes in English
    assert sku.colour_en == "Ochre"
    assert refused(EbayChannel().validate(sku)) == []


def test_the_fix_link_points_at_the_english_field(
    horse_sku: Sku, ganesh: User, gorakhpur: District, fake_ebay: FakeEbay, usd: ExchangeRate
) -> None:
    write_in_hindi(horse_sku, ganesh, colour="गेरुआ")
    account = make_account(gorakhpur)
    page = client_for(ganesh).get(reverse("push"), {"account": account.uuid}).content.decode()
    assert UNKNOWN in page
    assert f"{reverse('sku_edit', args=[horse_sku.uuid])}#id_colour_en" in page


def test_the_english_field_refuses_devanagari(horse_sku: Sku, ganesh: User) -> None:
    with pytest.raises(ValidationError) as refused:
        write_in_hindi(horse_sku, ganesh, colour="लाल", colour_en="लाल")
    assert refused.value.message_dict == {"colour_en": ["Write this in English (Roman letters)."]}
