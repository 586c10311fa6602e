"""Online exhibitions: staff of the event's district set one up (title, dates, halls, exhibitors
on the showcase and their products); the public sees when it opens, then its halls and
exhibitors, then an archive; visits and enquiries are counted per exhibitor; a withdrawal, an
erasure or a deletion takes the exhibitor or the product off at once."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from niryat.catalog.actions import do_delete_product
from niryat.catalog.models import Product
from niryat.core.models import AuditEntry, District, User
from niryat.events.actions import do_assign_stall, do_create_event, do_invite_to_event
from niryat.events.models import Event
from niryat.registry.actions import do_erase_producer
from niryat.registry.models import Producer
from niryat.showcase.actions import (
    ExhibitionInput,
    do_add_exhibitor,
    do_add_hall,
    do_set_exhibition,
)
from niryat.showcase.models import Enquiry, Exhibition, Exhibitor, Hall
from tests.catalog.factories import add_sku, make_product
from tests.conftest import client_for, hindi
from tests.registry.factories import give_listing_consent, register
from tests.showcase.factories import show
from tests.showcase.test_enquiries import ENQUIRY
from tests.showcase.test_leaving import withdraw

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def exhibition_event(district: District | None, acting_user: User, **values: Any) -> Event:
    today = timezone.localdate()
    return do_create_event(
        district,
        {
            "kind": Event.Kind.EXHIBITION,
            "title": "Garment fair",
            "starts_on": today,
            "ends_on": today + 2 * DAY,
            "venue": "Gorakhpur",
            **values,
        },
        acting_user=acting_user,
    )


def set_dates(exhibition: Exhibition, opens_on: datetime.date, closes_on: datetime.date) -> None:
    Exhibition.objects.filter(pk=exhibition.pk).update(opens_on=opens_on, closes_on=closes_on)
    exhibition.refresh_from_db()


@pytest.fixture
def fair(gorakhpur: District, ganesh: User) -> Exhibition:
    """Gorakhpur's online garment fair, open from today for three days."""
    today = timezone.localdate()
    return do_set_exhibition(
        exhibition_event(gorakhpur, ganesh),
        ExhibitionInput(
            title_en="Gorakhpur garment fair",
            title_hi="गोरखपुर परिधान मेला",
            opens_on=today,
            closes_on=today + 2 * DAY,
        ),
        acting_user=ganesh,
    )


@pytest.fixture
def hall(fair: Exhibition, ganesh: User) -> Hall:
    return do_add_hall(fair, name_en="Terracotta", name_hi="टेराकोटा हॉल", acting_user=ganesh)


@pytest.fixture
def stand(fair: Exhibition, hall: Hall, horse: Product, ganesh: User) -> Exhibitor:
    return do_add_exhibitor(fair, hall, horse.producer, [horse], acting_user=ganesh)


def page(exhibition: Exhibition, client: Client | None = None, lang: str = "en") -> str:
    response = (client or Client()).get(f"/showcase/exhibitions/{exhibition.uuid}/?lang={lang}")
    assert response.status_code == 200
    return response.content.decode()


def stand_url(stand: Exhibitor) -> str:
    return f"/showcase/exhibitions/{stand.exhibition.uuid}/exhibitors/{stand.uuid}/"


# --- dates: before, during, after --------------------------------------------------------------


def test_open_exhibition_shows_halls_exhibitors_and_product_links(
    fair: Exhibition, stand: Exhibitor, horse: Product
) -> None:
    html = page(fair)
    assert "Gorakhpur garment fair" in html
    assert "Terracotta" in html
    assert stand_url(stand) in html
    assert f"/showcase/products/{horse.uuid}/" in html
    assert "Archive" not in html
    # and in Hindi, with the Hindi title and hall
    html = page(fair, lang="hi")
    assert "गोरखपुर परिधान मेला" in html
    assert "टेराकोटा हॉल" in html
    assert "रामू प्रजापति" in html


def test_before_opening_it_says_when_and_shows_no_exhibitors(
    fair: Exhibition, stand: Exhibitor
) -> None:
    today = timezone.localdate()
    set_dates(fair, today + 3 * DAY, today + 5 * DAY)
    html = page(fair)
    assert "The exhibition opens on" in html
    assert "Ramu" not in html
    assert stand_url(stand) not in html
    assert Client().get(stand_url(stand)).status_code == 404
    stand.refresh_from_db()
    assert stand.visits == 0


def test_after_closing_it_stays_as_an_archive(fair: Exhibition, stand: Exhibitor) -> None:
    today = timezone.localdate()
    set_dates(fair, today - 5 * DAY, today - DAY)
    html = page(fair)
    assert "Archive" in html
    assert stand_url(stand) in html
    assert hindi("Archive") == "संग्रह"
    assert "संग्रह" in page(fair, lang="hi")
    assert Client().get(stand_url(stand)).status_code == 200


def test_a_cached_page_follows_the_day_it_opens(
    fair: Exhibition, stand: Exhibitor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page is cached, but not across the day the exhibition opens."""
    today = timezone.localdate()
    set_dates(fair, today + DAY, today + 3 * DAY)
    client = Client()
    assert stand_url(stand) not in page(fair, client)
    # the next day comes: no record changed, no hook dropped the page
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today + DAY)
    assert stand_url(stand) in page(fair, client)


def test_an_exhibition_cannot_close_before_it_opens(gorakhpur: District, ganesh: User) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        do_set_exhibition(
            exhibition_event(gorakhpur, ganesh),
            ExhibitionInput("Fair", "", opens_on=today, closes_on=today - DAY),
            acting_user=ganesh,
        )
    assert "The exhibition cannot close before it opens." in refused.value.messages
    assert not Exhibition.objects.exists()


def test_only_an_exhibition_event_has_an_online_exhibition(
    gorakhpur: District, ganesh: User
) -> None:
    conclave = exhibition_event(gorakhpur, ganesh, kind=Event.Kind.CONCLAVE)
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        do_set_exhibition(conclave, ExhibitionInput("Fair", "", today, today), acting_user=ganesh)
    assert not Exhibition.objects.exists()


def test_setting_up_starts_from_the_events_title_in_its_own_script(
    gorakhpur: District, ganesh: User
) -> None:
    event = exhibition_event(gorakhpur, ganesh, title="गोरखपुर परिधान मेला")
    page = client_for(ganesh).get(f"/showcase/exhibitions/events/{event.uuid}/")
    form = page.context["form"]
    assert form["title_hi"].value() == "गोरखपुर परिधान मेला"
    assert not form["title_en"].value()


def test_sitemap_lists_opened_exhibitions_only(fair: Exhibition, stand: Exhibitor) -> None:
    assert f"/showcase/exhibitions/{fair.uuid}/" in Client().get("/sitemap.xml").content.decode()
    today = timezone.localdate()
    set_dates(fair, today + DAY, today + 2 * DAY)
    from django.core.cache import cache

    cache.clear()
    assert f"/showcase/exhibitions/{fair.uuid}/" not in (
        Client().get("/sitemap.xml").content.decode()
    )


def test_the_showcase_home_lists_the_exhibition(fair: Exhibition) -> None:
    html = Client().get("/showcase/").content.decode()
    assert f"/showcase/exhibitions/{fair.uuid}/" in html
    assert "Gorakhpur garment fair" in html


# --- visits and enquiries ----------------------------------------------------------------------


def test_visits_and_enquiries_are_counted_per_exhibitor(
    fair: Exhibition, stand: Exhibitor, horse: Product, ganesh: User
) -> None:
    buyer = Client()
    # two visits (the second from the cache), a HEAD request does not count
    assert buyer.get(stand_url(stand)).status_code == 200
    assert buyer.get(stand_url(stand)).status_code == 200
    assert buyer.head(stand_url(stand)).status_code == 200
    stand.refresh_from_db()
    assert stand.visits == 2
    # the enquiry button carries the exhibition, and the enquiry records it
    html = buyer.get(stand_url(stand)).content.decode()
    enquire = f"/showcase/products/{horse.uuid}/enquire/?exhibition={fair.uuid}"
    assert enquire in html
    assert "Gorakhpur garment fair" in buyer.get(enquire).content.decode()
    assert buyer.post(enquire, ENQUIRY).status_code == 302
    enquiry = Enquiry.objects.get()
    assert enquiry.exhibition == fair
    # staff see the counts on the exhibition's page
    staff = client_for(ganesh).get(f"/showcase/exhibitions/{fair.uuid}/manage/")
    row = next(line for line in staff.content.decode().split("<tr>") if str(stand.uuid) in line)
    assert '<td class="num">1</td><td class="num">3</td><td class="num">1</td>' in row
    # and the enquiry says where it came from
    detail = client_for(ganesh).get(f"/showcase/enquiries/{enquiry.uuid}/")
    assert "Gorakhpur garment fair" in detail.content.decode()


def test_an_enquiry_naming_an_exhibition_without_the_product_is_not_counted(
    fair: Exhibition, hall: Hall, horse: Product
) -> None:
    # the horse is not exhibited at the fair (no exhibitor yet); a garbage value is ignored too
    for value in (str(fair.uuid), "not-a-uuid", "\x00" * 40):
        url = f"/showcase/products/{horse.uuid}/enquire/?exhibition={value}"
        assert Client().post(url, ENQUIRY).status_code == 302
    assert list(Enquiry.objects.values_list("exhibition", flat=True)) == [None, None, None]


def test_visits_store_nothing_about_the_visitor(fair: Exhibition, stand: Exhibitor) -> None:
    before = AuditEntry.objects.count()
    Client(REMOTE_ADDR="203.0.113.9").get(stand_url(stand))
    stand.refresh_from_db()
    assert stand.visits == 1
    assert AuditEntry.objects.count() == before
    assert "203.0.113.9" not in str(list(Exhibitor.objects.values()))


# --- consent, erasure, deletion ----------------------------------------------------------------


def test_withdrawn_consent_takes_the_exhibitor_off_at_once(
    fair: Exhibition, stand: Exhibitor, shown_ramu: Producer, ganesh: User
) -> None:
    client = Client()
    assert stand_url(stand) in page(fair, client)  # now in the cache
    withdraw(shown_ramu, ganesh)
    html = page(fair, client)
    assert stand_url(stand) not in html
    assert "Ramu" not in html
    assert client.get(stand_url(stand)).status_code == 404
    # staff still see the place, marked as not shown, to take it away or wait for consent
    staff = client_for(ganesh).get(f"/showcase/exhibitions/{fair.uuid}/manage/")
    assert "no: not shown (consent withdrawn)" in staff.content.decode()


def test_erased_producer_leaves_the_exhibition(
    fair: Exhibition, stand: Exhibitor, shown_ramu: Producer, ganesh: User
) -> None:
    client = Client()
    assert stand_url(stand) in page(fair, client)
    do_erase_producer(shown_ramu, acting_user=ganesh)
    assert stand_url(stand) not in page(fair, client)
    assert not Exhibitor.objects.exists()


def test_deleted_product_leaves_the_exhibition(
    fair: Exhibition, stand: Exhibitor, horse: Product, shown_ramu: Producer, ganesh: User
) -> None:
    jug = make_product(shown_ramu, ganesh, name_en="Terracotta jug", name_hi="टेराकोटा सुराही")
    add_sku(jug, ganesh, seller_sku="TERR-JUG-01")
    stand.products.add(jug)
    client = Client()
    assert f"/showcase/products/{horse.uuid}/" in client.get(stand_url(stand)).content.decode()
    do_delete_product(horse, acting_user=ganesh)
    html = client.get(stand_url(stand)).content.decode()
    assert f"/showcase/products/{horse.uuid}/" not in html
    assert "Terracotta jug" in html


# --- who may set it up -------------------------------------------------------------------------


def test_only_producers_on_the_showcase_of_the_district_may_exhibit(
    fair: Exhibition, hall: Hall, gorakhpur: District, varanasi: District, ganesh: User, vani: User
) -> None:
    unshown = register(gorakhpur, ganesh, name_hi="सीता देवी", mobile="+919839011111")
    give_listing_consent(unshown, ganesh)
    with pytest.raises(ValidationError) as refused:
        do_add_exhibitor(fair, hall, unshown, acting_user=ganesh)
    assert "has not agreed to be on the public showcase." in str(refused.value)
    weaver = register(varanasi, vani, name_hi="मरियम बानो", mobile="+919812345678")
    give_listing_consent(weaver, vani)
    show(weaver, vani)
    with pytest.raises(ValidationError):
        do_add_exhibitor(fair, hall, weaver, acting_user=ganesh)
    assert not Exhibitor.objects.exists()


def test_an_exhibitor_gets_the_products_of_their_stall(
    fair: Exhibition, hall: Hall, horse: Product, shown_ramu: Producer, ganesh: User
) -> None:
    jug = make_product(shown_ramu, ganesh, name_en="Terracotta jug")
    add_sku(jug, ganesh, seller_sku="TERR-JUG-01")
    Event.objects.filter(pk=fair.event_id).update(floor_rows=1, floor_columns=1)
    event = Event.objects.get(pk=fair.event_id)
    do_invite_to_event(event, [shown_ramu], acting_user=ganesh)
    do_assign_stall(event, 1, 1, shown_ramu, [jug], acting_user=ganesh)
    stand = do_add_exhibitor(fair, hall, shown_ramu, acting_user=ganesh)
    assert list(stand.products.all()) == [jug]


def test_other_districts_staff_cannot_see_or_change_it(
    fair: Exhibition, hall: Hall, stand: Exhibitor, vani: User, gita: User, prem: User
) -> None:
    urls = [
        f"/showcase/exhibitions/{fair.uuid}/manage/",
        f"/showcase/exhibitors/{stand.uuid}/",
        f"/showcase/exhibitions/events/{fair.event.uuid}/",
    ]
    for url in urls:
        assert client_for(vani).get(url).status_code == 404
    posts = [
        (f"/showcase/exhibitions/{fair.uuid}/halls/", {"name_en": "Varanasi hall"}),
        (f"/showcase/halls/{hall.pk}/remove/", {}),
        (f"/showcase/exhibitors/{stand.uuid}/remove/", {}),
    ]
    for url, data in posts:
        assert client_for(vani).post(url, data).status_code == 404
        # the district officer reads but does not change
        assert client_for(gita).post(url, data).status_code == 403
        assert client_for(prem).post(url, data).status_code == 403
    assert client_for(gita).get(urls[0]).status_code == 200
    assert Hall.objects.count() == 1
    assert Exhibitor.objects.count() == 1
    with pytest.raises(PermissionDenied):
        do_add_hall(fair, name_en="x", name_hi="", acting_user=vani)


def test_staff_set_up_an_exhibition_through_the_pages(
    gorakhpur: District, horse: Product, ganesh: User
) -> None:
    event = exhibition_event(gorakhpur, ganesh)
    staff = client_for(ganesh)
    listing = staff.get("/showcase/exhibitions/").content.decode()
    assert f"/showcase/exhibitions/events/{event.uuid}/" in listing
    today = timezone.localdate()
    response = staff.post(
        f"/showcase/exhibitions/events/{event.uuid}/",
        {
            "title_hi": "परिधान मेला",
            "title_en": "Garment fair",
            "opens_on": today.isoformat(),
            "closes_on": (today + DAY).isoformat(),
        },
    )
    exhibition = Exhibition.objects.get()
    assert response["Location"] == f"/showcase/exhibitions/{exhibition.uuid}/manage/"
    staff.post(
        f"/showcase/exhibitions/{exhibition.uuid}/halls/",
        {"name_hi": "हॉल 1", "name_en": "Hall 1"},
    )
    staff.post(
        f"/showcase/exhibitions/{exhibition.uuid}/halls/",
        {"name_hi": "हॉल 2", "name_en": "Hall 2"},
    )
    first, second = exhibition.halls.all()
    assert (first.position, second.position) == (1, 2)
    staff.post(
        f"/showcase/exhibitions/{exhibition.uuid}/exhibitors/",
        {"hall": second.pk, "producer": horse.producer.uuid},
    )
    stand = Exhibitor.objects.get()
    assert (stand.hall, list(stand.products.all())) == (second, [horse])
    staff.post(f"/showcase/exhibitors/{stand.uuid}/", {"hall": first.pk, "products": [horse.uuid]})
    stand.refresh_from_db()
    assert stand.hall == first
    # an empty hall may go; one with exhibitors may not
    staff.post(f"/showcase/halls/{first.pk}/remove/")
    staff.post(f"/showcase/halls/{second.pk}/remove/")
    assert list(exhibition.halls.all()) == [first]
    assert "Ramu" in page(exhibition)


def test_the_exhibition_page_costs_the_same_queries_for_more_exhibitors(
    fair: Exhibition, hall: Hall, stand: Exhibitor, gorakhpur: District, ganesh: User
) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            page(fair)
        return len(captured)

    one = queries()
    for number in range(3):
        maker = register(
            gorakhpur, ganesh, name_hi=f"कारीगर {number}", mobile=f"+91983904000{number}"
        )
        give_listing_consent(maker, ganesh)
        show(maker, ganesh)
        product = make_product(maker, ganesh, name_en=f"Kurta {number}")
        add_sku(product, ganesh, seller_sku=f"KURTA-{number}")
        do_add_exhibitor(fair, hall, maker, acting_user=ganesh)
    assert queries() == one
    assert page(fair).count("/exhibitors/") == 4


def test_a_merged_duplicates_place_goes_to_the_survivor(
    fair: Exhibition, hall: Hall, shown_ramu: Producer, gorakhpur: District, ganesh: User
) -> None:
    from niryat.registry.actions import do_merge_producers

    duplicate = register(gorakhpur, ganesh, name_hi="रामू प्रजापती", mobile="+919839099999")
    give_listing_consent(duplicate, ganesh)
    show(duplicate, ganesh)
    product = make_product(duplicate, ganesh, name_en="Terracotta bell")
    add_sku(product, ganesh, seller_sku="TERR-BELL-01")
    do_add_exhibitor(fair, hall, duplicate, acting_user=ganesh)
    do_merge_producers(shown_ramu, duplicate, acting_user=ganesh)
    assert list(Exhibitor.objects.values_list("producer", flat=True)) == [shown_ramu.pk]
