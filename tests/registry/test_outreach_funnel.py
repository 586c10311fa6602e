"""The outreach funnel: visits and sensitisation meetings, and the funnel counts on every page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from niryat.core.models import AuditEntry, OdopProduct
from niryat.registry.actions import (
    do_erase_producer,
    do_move_stage,
    do_record_outreach_visit,
)
from niryat.registry.funnel import FunnelFilters, district_funnel, state_funnel
from niryat.registry.models import Kind, OutreachVisit, Producer, Stage, StageChange
from tests.conftest import client_for
from tests.registry.factories import register

STAGE_ROW = re.compile(
    r'<tr data-stage="(\w+)">\s*<th scope="row">[^<]*</th>\s*<td class="num">(\d+)</td>'
)


def stage_counts_shown(html: str) -> dict[str, int]:
    """The "now at this stage" column of the funnel table, as the page shows it."""
    return {stage: int(n) for stage, n in STAGE_ROW.findall(html)}


def at_stage(producer: Producer, stage: Stage, user) -> Producer:  # type: ignore[no-untyped-def]
    do_move_stage(producer, stage, reason="test", acting_user=user)
    producer.refresh_from_db()
    return producer


@pytest.fixture
def readymade(gorakhpur) -> OdopProduct:  # type: ignore[no-untyped-def]
    return OdopProduct.objects.get(district=gorakhpur, name_en="Readymade garments")


@pytest.fixture
def gorakhpur_producers(gorakhpur, ganesh, terracotta, readymade) -> list[Producer]:  # type: ignore[no-untyped-def]
    """Five producers of Gorakhpur at different stages: 2 contacted, 1 sensitised, 1 trained,
    1 exporting; two women-led; one self-help group."""
    ramu = register(gorakhpur, ganesh, name_hi="रामू प्रजापति", pin="273001", odop_product=terracotta)
    sita = register(
        gorakhpur,
        ganesh,
        name_hi="सीता देवी",
        pin="273002",
        gender="female",
        women_led=True,
        odop_product=terracotta,
    )
    mahila = register(
        gorakhpur,
        ganesh,
        name_hi="महिला स्वयं सहायता समूह",
        kind=Kind.SHG,
        pin="273003",
        women_led=True,
        odop_product=readymade,
    )
    mohan = register(gorakhpur, ganesh, name_hi="मोहन लाल", pin="273004", odop_product=readymade)
    kamal = register(gorakhpur, ganesh, name_hi="कमल किशोर", pin="273005", odop_product=terracotta)
    at_stage(sita, Stage.SENSITISED, ganesh)
    at_stage(mahila, Stage.TRAINED, ganesh)
    at_stage(kamal, Stage.EXPORTING, ganesh)
    return [ramu, sita, mahila, mohan, kamal]


# The funnel counts


def test_district_funnel_counts_stages_reached_and_conversion(gorakhpur, gorakhpur_producers):
    funnel = district_funnel(gorakhpur)
    assert funnel.total == 5
    rows = {row.stage: (row.now, row.reached, row.conversion) for row in funnel.stages}
    assert rows == {
        Stage.CONTACTED: (2, 5, None),
        Stage.SENSITISED: (1, 3, 60),
        Stage.REGISTERED: (0, 2, 67),
        Stage.TRAINED: (1, 2, 100),
        Stage.CATALOGUED: (0, 1, 50),
        Stage.LISTED: (0, 1, 100),
        Stage.SOLD: (0, 1, 100),
        Stage.EXPORTING: (1, 1, 100),
    }


def test_district_funnel_breaks_down_by_product_kind_and_women_led(gorakhpur, gorakhpur_producers):
    funnel = district_funnel(gorakhpur)
    #                            contacted, sensitised, registered, trained, ..., exporting
    assert {b.label: b.counts for b in funnel.by_odop_product} == {
        "Readymade garments": [1, 0, 0, 1, 0, 0, 0, 0],
        "Terracotta": [1, 1, 0, 0, 0, 0, 0, 1],
    }
    assert {b.label: b.counts for b in funnel.by_kind} == {
        "Artisan": [2, 1, 0, 0, 0, 0, 0, 1],
        "Self-help group": [0, 0, 0, 1, 0, 0, 0, 0],
    }
    assert {b.label: b.total for b in funnel.by_women_led} == {
        "Women-led": 2,
        "Not women-led": 3,
    }


def test_funnel_filters_narrow_every_table(gorakhpur, gorakhpur_producers, terracotta):
    women = district_funnel(gorakhpur, FunnelFilters(women_led=True))
    assert [row.now for row in women.stages] == [0, 1, 0, 1, 0, 0, 0, 0]
    terracotta_artisans = district_funnel(
        gorakhpur, FunnelFilters(odop_product=terracotta.pk, kind=Kind.ARTISAN)
    )
    assert terracotta_artisans.total == 3
    assert [b.label for b in terracotta_artisans.by_odop_product] == ["Terracotta"]


def test_erased_producers_are_still_counted(gorakhpur, ganesh, gorakhpur_producers):
    do_erase_producer(gorakhpur_producers[4], acting_user=ganesh)
    funnel = district_funnel(gorakhpur)
    assert funnel.total == 5
    assert funnel.stages[-1].now == 1  # the erased exporter


def test_funnel_takes_two_queries_for_a_district_and_for_the_state(
    gorakhpur, varanasi, ganesh, vani, gorakhpur_producers, django_assert_num_queries
):
    # One GROUP BY for every count, one for the ODOP product names; never one per district.
    register(varanasi, vani, name_hi="कबीर अंसारी", pin="221001")
    with django_assert_num_queries(2):
        district_funnel(gorakhpur)
    with django_assert_num_queries(2):
        state = state_funnel()
    assert state.total == 6


def test_state_funnel_has_a_row_per_district(alice, gorakhpur, varanasi, vani, gorakhpur_producers):
    register(varanasi, vani, name_hi="कबीर अंसारी", pin="221001")
    response = client_for(alice).get(reverse("funnel"))
    funnel = response.context["funnel"]
    by_district = {b.label: b.total for b in funnel.by_district}
    assert len(by_district) == 75
    assert (by_district["Gorakhpur"], by_district["Varanasi"], by_district["Agra"]) == (5, 1, 0)
    assert stage_counts_shown(response.content.decode())["contacted"] == 3


# The funnel on the pages


def test_moving_a_producer_changes_the_district_page_counts(ganesh, gorakhpur_producers):
    # given the district page of Gorakhpur
    client = client_for(ganesh)
    before = stage_counts_shown(client.get("/districts/148/").content.decode())
    assert (before["contacted"], before["trained"], before["catalogued"]) == (2, 1, 0)

    # when Ramu is trained, and then his products are catalogued
    ramu = gorakhpur_producers[0]
    at_stage(ramu, Stage.TRAINED, ganesh)
    middle = stage_counts_shown(client.get("/districts/148/").content.decode())
    at_stage(ramu, Stage.CATALOGUED, ganesh)
    after = stage_counts_shown(client.get("/districts/148/").content.decode())

    # then the page counts follow him
    assert (middle["contacted"], middle["trained"], middle["catalogued"]) == (1, 2, 0)
    assert (after["contacted"], after["trained"], after["catalogued"]) == (1, 1, 1)


def test_state_home_shows_the_state_funnel(alice, gorakhpur_producers):
    page = client_for(alice).get("/").content.decode()
    assert stage_counts_shown(page) == {
        "contacted": 2,
        "sensitised": 1,
        "registered": 0,
        "trained": 1,
        "catalogued": 0,
        "listed": 0,
        "sold": 0,
        "exporting": 1,
    }
    assert "Producers at each stage, by ODOP product" in page


def test_funnel_page_filters_by_district_product_kind_and_women_led(
    sam, gorakhpur_producers, terracotta
):
    response = client_for(sam).get(
        reverse("funnel"),
        {"district": 148, "odop_product": terracotta.pk, "women_led": "no", "kind": "artisan"},
    )
    assert response.context["district"].lgd_code == 148
    assert stage_counts_shown(response.content.decode())["contacted"] == 1  # Ramu
    assert response.context["funnel"].total == 2  # Ramu and Kamal
    assert response.context["funnel"].by_district == []


def test_district_people_see_only_their_district_funnel(gita, varanasi, vani, gorakhpur_producers):
    register(varanasi, vani, name_hi="कबीर अंसारी", pin="221001")
    response = client_for(gita).get(reverse("funnel"), {"district": 187})
    assert response.context["district"].lgd_code == 148
    assert response.context["funnel"].total == 5
    assert "Varanasi" not in response.content.decode()


def test_producers_see_no_district_work(prem, gorakhpur_producers):
    client = client_for(prem)
    for name in ("funnel", "outreach_list", "outreach_new", "duplicate_list"):
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get("/districts/148/").context["funnel"] is None


# Outreach visits and sensitisation meetings


def meeting_form(**values: object) -> dict[str, object]:
    form: dict[str, object] = {
        "kind": "sensitisation",
        "on": "2025-01-15",
        "place": "Aurangabad panchayat bhawan",
        "other_attendees": "12",
        "notes": "Export basics, GI tag",
    }
    form.update(values)
    return form


def test_staff_record_a_sensitisation_meeting(ganesh, gorakhpur_producers):
    ramu, sita, mahila = gorakhpur_producers[:3]  # contacted, sensitised, trained
    client = client_for(ganesh)
    response = client.post(
        reverse("outreach_new"),
        meeting_form(attendees=[str(ramu.uuid), str(sita.uuid), str(mahila.uuid)]),
        follow=True,
    )
    visit = OutreachVisit.objects.get()
    assert response.redirect_chain == [(reverse("outreach_detail", args=[visit.uuid]), 302)]
    assert (visit.kind, visit.on, visit.place, visit.other_attendees) == (
        "sensitisation",
        datetime.date(2025, 1, 15),
        "Aurangabad panchayat bhawan",
        12,
    )
    assert set(visit.attendees.all()) == {ramu, sita, mahila}
    # Only Ramu was at "contacted": he moves on; Sita and the group keep their stage.
    stages = dict(Producer.objects.values_list("name_hi", "stage"))
    assert stages["रामू प्रजापति"] == "sensitised"
    assert stages["सीता देवी"] == "sensitised"
    assert stages["महिला स्वयं सहायता समूह"] == "trained"
    change = StageChange.objects.filter(producer=ramu).first()
    assert (change.from_stage, change.to_stage) == ("contacted", "sensitised")
    page = response.content.decode()
    assert "1 producer moved from Contacted to Sensitised." in page
    assert "This meeting moved 1 producer from Contacted to Sensitised." in page
    assert response.context["attendees"] == [
        (mahila, False),
        (ramu, True),
        (sita, False),
    ]
    assert page.count("Sensitised at this meeting") == 1
    assert AuditEntry.objects.filter(action="outreach.record").count() == 1


def test_an_outreach_visit_moves_nobody(ganesh, gorakhpur_producers):
    ramu = gorakhpur_producers[0]
    client_for(ganesh).post(
        reverse("outreach_new"), meeting_form(kind="visit", attendees=[str(ramu.uuid)])
    )
    ramu.refresh_from_db()
    assert ramu.stage == "contacted"
    assert OutreachVisit.objects.get().attendees.get() == ramu


def test_attendees_are_found_by_search_in_either_script(ganesh, gorakhpur_producers):
    ramu, sita = gorakhpur_producers[:2]
    client = client_for(ganesh, **{"HX-Request": "true"})
    # Sita is already ticked; searching "Ramoo" finds Ramu across scripts and keeps Sita.
    response = client.get(reverse("outreach_new"), {"q": "Ramoo", "attendees": [str(sita.uuid)]})
    assert response.templates[0].name == "registry/outreach_attendees.html"
    assert response.context["chosen"] == [sita]
    assert response.context["results"] == [ramu]
    page = response.content.decode()
    assert f'value="{sita.uuid}" id="attendee-{sita.uuid}" checked' in page
    assert f'value="{ramu.uuid}" id="attendee-{ramu.uuid}">' in page
    # Without htmx, the same search shows the whole page.
    full = client_for(ganesh).get(reverse("outreach_new"), {"q": "रामू"})
    assert full.context["results"] == [ramu]
    assert "Record a visit or meeting" in full.content.decode()


def test_the_picker_offers_only_the_first_twenty_matches(gorakhpur, ganesh):
    for n in range(21):
        register(gorakhpur, ganesh, name_hi="रामू प्रजापति", pin=f"2730{n:02d}", mobile="")
    response = client_for(ganesh).get(reverse("outreach_new"), {"q": "ramu"})
    assert len(response.context["results"]) == 20
    assert response.context["more"] is True


def test_a_meeting_with_a_future_date_or_no_place_is_refused(ganesh, gorakhpur_producers):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    ramu = gorakhpur_producers[0]
    response = client_for(ganesh).post(
        reverse("outreach_new"),
        meeting_form(on=tomorrow.isoformat(), place="", attendees=[str(ramu.uuid)]),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "on": ["The date cannot be in the future."],
        "place": ["This field is required."],
    }
    # The ticked attendee stays ticked for the next try.
    assert response.context["chosen"] == [ramu]
    assert not OutreachVisit.objects.exists()


def test_a_producer_of_another_district_cannot_be_added(
    ganesh, varanasi, vani, gorakhpur_producers
):
    kabir = register(varanasi, vani, name_hi="कबीर अंसारी", pin="221001")
    ramu = gorakhpur_producers[0]
    client_for(ganesh).post(
        reverse("outreach_new"), meeting_form(attendees=[str(kabir.uuid), str(ramu.uuid), "x"])
    )
    assert list(OutreachVisit.objects.get().attendees.all()) == [ramu]
    kabir.refresh_from_db()
    assert kabir.stage == "contacted"


def test_visits_are_listed_newest_first_in_pages(gorakhpur, ganesh, django_assert_num_queries):
    start = datetime.date(2024, 1, 1)
    for n in range(30):
        do_record_outreach_visit(
            gorakhpur,
            kind=OutreachVisit.Kind.VISIT,
            on=start + datetime.timedelta(days=n),
            place=f"Village {n}",
            attendees=[],
            acting_user=ganesh,
        )
    client = client_for(ganesh)
    client.get("/")  # warm the session
    # The session, the user, their district (in the header), the count, the page of visits.
    with django_assert_num_queries(5):
        first = client.get(reverse("outreach_list"))
    assert [v.place for v in first.context["page"].object_list[:3]] == [
        "Village 29",
        "Village 28",
        "Village 27",
    ]
    assert len(first.context["page"].object_list) == 25
    page = first.content.decode()
    assert "30 visits and meetings, newest first" in page
    assert "Record a visit or meeting" in page
    second = client.get(reverse("outreach_list"), {"page": 2})
    assert [v.place for v in second.context["page"].object_list] == [
        f"Village {n}" for n in range(4, -1, -1)
    ]


def test_state_users_filter_visits_by_district(alice, gorakhpur, varanasi, ganesh, vani):
    for district, user in ((gorakhpur, ganesh), (varanasi, vani)):
        do_record_outreach_visit(
            district,
            kind=OutreachVisit.Kind.VISIT,
            on=datetime.date(2025, 2, 1),
            place=f"Centre of {district.name_en}",
            attendees=[],
            acting_user=user,
        )
    client = client_for(alice)
    everything = client.get(reverse("outreach_list")).context["page"].object_list
    assert {v.place for v in everything} == {"Centre of Gorakhpur", "Centre of Varanasi"}
    varanasi_only = client.get(reverse("outreach_list"), {"district": 187}).context["page"]
    assert [v.place for v in varanasi_only.object_list] == ["Centre of Varanasi"]


def test_state_admin_picks_the_district_then_records(alice, varanasi, vani):
    kabir = register(varanasi, vani, name_hi="कबीर अंसारी", pin="221001")
    client = client_for(alice)
    chooser = client.get(reverse("outreach_new"))
    assert chooser.templates[0].name == "registry/outreach_choose_district.html"
    form = client.get(reverse("outreach_new"), {"district": 187})
    assert form.context["district"] == varanasi
    client.post(reverse("outreach_new"), meeting_form(district="187", attendees=[str(kabir.uuid)]))
    visit = OutreachVisit.objects.get()
    assert (visit.district, list(visit.attendees.all())) == (varanasi, [kabir])
    kabir.refresh_from_db()
    assert kabir.stage == "sensitised"


@pytest.mark.parametrize("persona", ["gita", "sam"])
def test_read_only_roles_see_visits_but_record_nothing(
    request, persona, gorakhpur, ganesh, gorakhpur_producers
):
    visit = do_record_outreach_visit(
        gorakhpur,
        kind=OutreachVisit.Kind.VISIT,
        on=datetime.date(2025, 2, 1),
        place="Aurangabad",
        attendees=[gorakhpur_producers[0]],
        acting_user=ganesh,
    )
    client = client_for(request.getfixturevalue(persona))
    listing = client.get(reverse("outreach_list")).content.decode()
    assert "Aurangabad" in listing
    assert "Record a visit or meeting" not in listing
    detail = client.get(reverse("outreach_detail", args=[visit.uuid]))
    assert detail.status_code == 200
    assert "<form" not in detail.content.decode().split('<main id="main"')[1]
    assert client.get(reverse("outreach_new")).status_code == 403
    response = client.post(
        reverse("outreach_new"),
        meeting_form(district="148", attendees=[str(gorakhpur_producers[0].uuid)]),
    )
    assert response.status_code == 403
    assert OutreachVisit.objects.count() == 1


def test_another_districts_visit_is_not_found(ganesh, gita, varanasi, vani):
    visit = do_record_outreach_visit(
        varanasi,
        kind=OutreachVisit.Kind.VISIT,
        on=datetime.date(2025, 2, 1),
        place="Ramnagar",
        attendees=[],
        acting_user=vani,
    )
    for user in (ganesh, gita):
        client = client_for(user)
        assert client.get(reverse("outreach_detail", args=[visit.uuid])).status_code == 404
        assert "Ramnagar" not in client.get(reverse("outreach_list")).content.decode()
