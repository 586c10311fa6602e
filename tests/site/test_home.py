"""The staff's day on their home page, the producer's menu, and the centre's phone number."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from niryat.catalog.models import CatalogImportJob, Sku
from niryat.channels.models import ChannelAccount, Listing, Order, OrderLine, OutboxEntry
from niryat.core.models import Centre, District, User
from niryat.registry.actions import do_enable_producer_sign_in
from niryat.registry.models import ImportJob, Producer
from tests.catalog.factories import add_sku, make_product
from tests.conftest import client_for
from tests.registry.factories import register

# Session, user and district; centre, ODOP products, tasks; orders (counts, soonest); listings
# (FSN, rejected count, rejected list); failed calls; two kinds of import; producers by next step.
QUERIES_ON_STAFF_HOME = 15


def an_order(
    account: ChannelAccount, producer: Producer, sku: Sku, number: str, **values: Any
) -> Order:
    order = Order.objects.create(
        district=account.district,
        account=account,
        producer=producer,
        channel_order_id=number,
        ordered_at=timezone.now() - datetime.timedelta(days=1),
        **values,
    )
    OrderLine.objects.create(
        order=order, sku=sku, seller_sku=sku.seller_sku, quantity=2, unit_price=450
    )
    return order


@pytest.fixture
def work(gorakhpur: District, ganesh: User, ramu: Producer) -> dict[str, Any]:
    """A day's work in Gorakhpur: a late order, one due later, a rejected listing and one waiting
    for its FSN, a failed call, and a producer import with errors."""
    horse = make_product(ramu, ganesh)
    sku = add_sku(horse, ganesh)
    account = ChannelAccount.objects.create(
        district=gorakhpur, channel="flipkart", name="EDC Gorakhpur"
    )
    now = timezone.now()
    late = an_order(account, ramu, sku, "OD-LATE-1", ship_by=now - datetime.timedelta(hours=3))
    later = an_order(account, ramu, sku, "OD-LATER-2", ship_by=now + datetime.timedelta(days=3))
    an_order(
        account,
        ramu,
        sku,
        "OD-SHIPPED-3",
        ship_by=now - datetime.timedelta(days=2),
        state="shipped",
    )
    rejected = Listing.objects.create(
        sku=sku, account=account, state="rejected", external_id="FSNREJECTED00001"
    )
    other = add_sku(horse, ganesh, seller_sku="HORSE-2")
    Listing.objects.create(sku=other, account=account, state="draft")
    OutboxEntry.objects.create(
        account=account,
        listing=rejected,
        operation="submit",
        idempotency_key="walk-1",
        state="failed",
        next_try_at=now,
    )
    job = ImportJob.objects.create(
        district=gorakhpur,
        uploaded_by=ganesh,
        file="imports/x.csv",
        file_name="artisans-march.xlsx",
        sha256="0" * 64,
        status=ImportJob.Status.HAS_ERRORS,
    )
    return {"late": late, "later": later, "rejected": rejected, "job": job, "sku": sku}


def test_staff_home_lists_todays_work_with_links(ganesh: User, work: dict[str, Any]) -> None:
    page = client_for(ganesh).get("/").content.decode()
    orders = page[page.index('id="today-orders"') : page.index('id="today-listings"')]
    assert re.search(r"<strong>2</strong> to pack and ship", orders)
    assert "1 late" in orders
    assert f'href="{reverse("order_detail", args=[work["late"].uuid])}"' in orders
    assert orders.index("OD-LATE-1") < orders.index("OD-LATER-2")  # by pack-by date
    assert "OD-SHIPPED-3" not in orders
    assert '?state=open"' in orders

    listings = page[page.index('id="today-listings"') : page.index('id="today-imports"')]
    assert re.search(r"<strong>1</strong> Waiting for their FSN \(Flipkart\)", listings)
    assert re.search(r"<strong>1</strong> Rejected by the marketplace", listings)
    assert re.search(r"<strong>1</strong> Calls to a marketplace that need attention", listings)
    assert f'href="{reverse("listing_detail", args=[work["rejected"].uuid])}"' in listings
    assert 'href="/channels/listings/?state=rejected"' in listings
    assert 'href="/channels/attention/"' in listings

    imports = page[page.index('id="today-imports"') : page.index('id="today-producers"')]
    assert "artisans-march.xlsx" in imports
    assert f'href="{reverse("producer_import_job", args=[work["job"].uuid])}"' in imports

    producers = page[page.index('id="today-producers"') :]
    assert re.search(
        r'href="/producers/\?next_step=sensitisation"><strong>1</strong> To invite', producers
    )


def test_staff_home_costs_the_same_queries_with_more_work(
    ganesh: User, work: dict[str, Any], gorakhpur: District, django_assert_num_queries: Any
) -> None:
    client = client_for(ganesh)
    with django_assert_num_queries(QUERIES_ON_STAFF_HOME):
        assert client.get("/").status_code == 200
    for i in range(6):
        producer = register(
            gorakhpur, ganesh, name_hi="कारीगर", name_latin=f"Karigar {i}", pin=f"27300{i}"
        )
        an_order(
            work["late"].account, producer, work["sku"], f"OD-MORE-{i}", ship_by=timezone.now()
        )
        CatalogImportJob.objects.create(
            district=gorakhpur,
            uploaded_by=ganesh,
            file="x.xlsx",
            file_name=f"c{i}.xlsx",
            sha256="1" * 64,
            status="failed",
        )
    with django_assert_num_queries(QUERIES_ON_STAFF_HOME):
        page = client.get("/").content.decode()
    assert re.search(r"<strong>8</strong> to pack and ship", page)


def test_staff_home_shows_nothing_of_another_district(vani: User, work: dict[str, Any]) -> None:
    page = client_for(vani).get("/").content.decode()
    assert "OD-LATE-1" not in page
    assert "artisans-march.xlsx" not in page
    assert re.search(r"<strong>0</strong> to pack and ship", page)


def test_a_next_step_link_lists_the_producers_waiting_for_it(
    ganesh: User, ramu: Producer, gorakhpur: District
) -> None:
    register(
        gorakhpur,
        ganesh,
        name_hi="सीता",
        name_latin="Sita",
        bank_ifsc="SBIN0001234",
        bank_account="001234561234",
    )
    page = client_for(ganesh).get("/producers/?next_step=bank").content.decode()
    assert "Only producers waiting for this step: Bank details missing." in page
    assert ramu.name_latin in page
    assert "Sita" not in page


def test_the_centre_is_asked_for_its_phone_number_until_it_has_one(
    ganesh: User, gita: User, gorakhpur: District
) -> None:
    Centre.objects.filter(district=gorakhpur).update(phone="")
    prompt = "Producers are asked to call the centre, but it has no phone number here yet."
    client = client_for(ganesh)
    for url in ("/", f"/districts/{gorakhpur.lgd_code}/"):
        page = client.get(url).content.decode()
        assert prompt in page
        assert f'href="/districts/{gorakhpur.lgd_code}/centre/"' in page
    # The district officer cannot change the centre: no prompt for them.
    assert prompt not in client_for(gita).get(f"/districts/{gorakhpur.lgd_code}/").content.decode()
    Centre.objects.filter(district=gorakhpur).update(phone="0551 220 1234")
    assert prompt not in client.get("/").content.decode()


def test_the_producers_menu_holds_their_things_and_the_centres_number(
    ganesh: User, ramu: Producer, gorakhpur: District
) -> None:
    Centre.objects.filter(district=gorakhpur).update(phone="0551 220 1234")
    user = do_enable_producer_sign_in(ramu, acting_user=ganesh)
    user.language = "en"
    user.save(update_fields=["language"])
    page = client_for(user).get("/").content.decode()
    nav = page[page.index('class="main-nav"') : page.index("</nav>")]
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    assert links == [
        ("/", "My page"),
        ("/channels/orders/", "My orders"),
        ("/producer/payments/", "My payments"),
        ("/catalogue/", "My products"),
        ("/producer/feedback/", "My feedback"),
        ("tel:0551 220 1234", "Call the centre: 0551 220 1234"),
    ]
    assert 'href="tel:0551 220 1234"' in page[page.index("</nav>") :]  # on the page too
    account = client_for(user).get("/account/").content.decode()
    assert "Change my password by email" not in account
    assert "API tokens" not in account
    assert client_for(user).post("/account/", {"name": "mine"}).status_code == 403


def test_staff_menu_is_unchanged_for_staff(ganesh: User) -> None:
    page = client_for(ganesh).get("/").content.decode()
    nav = page[page.index('class="main-nav"') : page.index("</nav>")]
    for label in ("Producers", "Catalogue", "Orders", "My account", "API"):
        assert f">{label}</a>" in nav
    assert "<summary>" in page
    assert "Menu</summary>" in page


def test_orders_list_puts_status_and_pack_by_first(ganesh: User, work: dict[str, Any]) -> None:
    page = client_for(ganesh).get("/channels/orders/").content.decode()
    headings = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', page)
    assert headings[:3] == ["Status", "Pack and ship by", "Order"]
