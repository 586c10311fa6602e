"""Each marketplace's rules join the catalogue's checklist for the SKUs listed there."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from niryat.catalog.actions import do_update_sku
from niryat.catalog.completeness import checklist
from niryat.catalog.models import Sku
from niryat.channels.models import ChannelAccount, Listing
from niryat.core.models import District, User
from tests.conftest import client_for


def test_a_sku_listed_on_flipkart_is_checked_against_flipkarts_rules(
    khadi_sku: Sku, ganesh: User, gorakhpur: District
) -> None:
    # given a khadi kurta with paise in its price: fine for the catalogue
    do_update_sku(khadi_sku, acting_user=ganesh, price=Decimal("1149.50"))
    product = khadi_sku.product
    assert "flipkart" not in checklist(product).missing
    # when it is put on a Flipkart account
    account = ChannelAccount.objects.create(district=gorakhpur, channel="flipkart", name="EDC")
    Listing.objects.create(sku=khadi_sku, account=account)
    # then the checklist has Flipkart's item, and the product page shows it
    result = checklist(product)
    [item] = [item for item in result.items if item.code == "flipkart"]
    assert (str(item.label), item.passed) == ("What Flipkart asks for", False)
    assert [str(problem.message) for _sku, problem in item.problems] == [
        "Flipkart takes prices in whole rupees: remove the paise."
    ]
    page = client_for(ganesh).get(reverse("product_detail", args=[product.uuid]))
    assert "What Flipkart asks for" in page.content.decode()
    assert "Flipkart takes prices in whole rupees: remove the paise." in page.content.decode()
