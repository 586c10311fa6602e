"""Reviewing likely duplicates: the list, the side-by-side comparison, merge and dismissal."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from niryat.core.models import AuditEntry, TaskProgress
from niryat.registry import actions
from niryat.registry.actions import (
    do_add_member,
    do_move_stage,
    do_record_consent,
    do_record_outreach_visit,
)
from niryat.registry.duplicates import (
    SAME_GSTIN,
    SAME_MOBILE,
    SIMILAR_NAME,
    district_people,
    find_duplicates,
    find_duplicates_batch,
)
from niryat.registry.models import (
    Consent,
    DuplicateFlag,
    Kind,
    Membership,
    OutreachVisit,
    Producer,
    Stage,
    StageChange,
)
from tests.conftest import client_for
from tests.registry.factories import register
from tests.registry.fixtures.sheets import run_worker

JAN = datetime.date(2025, 1, 10)


@pytest.fixture
def ramu_twice(gorakhpur, ganesh) -> tuple[Producer, Producer]:  # type: ignore[no-untyped-def]
    """Ramu registered in Devanagari, then again from another scheme's list in Latin letters,
    with the same PIN code."""
    first = register(gorakhpur, ganesh, name_hi="रामू प्रजापति", pin="273001", mobile="")
    second = register(
        gorakhpur,
        ganesh,
        name_hi="रामु प्रजापती",
        name_latin="Ramoo Prajapati",
        pin="273001",
        village="Aurangabad",
        mobile="+919876543210",
    )
    return first, second


def test_registering_the_same_artisan_twice_flags_a_similar_name(ramu_twice):
    first, second = ramu_twice
    assert [m.producer for m in second.duplicates] == [first]
    flag = DuplicateFlag.objects.get()
    assert (flag.first, flag.second, flag.reasons, flag.status) == (
        first,
        second,
        [SIMILAR_NAME],
        DuplicateFlag.Status.OPEN,
    )


def test_staff_see_open_flags_with_their_reasons(ganesh, ramu_twice):
    response = client_for(ganesh).get(reverse("duplicate_list"))
    page = response.content.decode()
    assert [f.pk for f in response.context["page"].object_list] == [DuplicateFlag.objects.get().pk]
    assert "similar name in the same village or PIN code" in page
    assert "Ramoo Prajapati" in page
    assert "1 pair to review" in page


def test_the_comparison_shows_both_records_side_by_side(ganesh, ramu_twice):
    flag = DuplicateFlag.objects.get()
    response = client_for(ganesh).get(reverse("duplicate_detail", args=[flag.pk]))
    rows = {str(row["label"]): row for row in response.context["rows"]}
    assert (rows["Name in Latin letters"]["first"], rows["Name in Latin letters"]["second"]) == (
        "Ramu Prajapati",
        "Ramoo Prajapati",
    )
    assert (rows["Mobile"]["first"], rows["Mobile"]["second"]) == ("—", "+919876543210")
    assert rows["PIN code"]["same"] is True
    assert rows["Stage"]["first"] == "Contacted"
    counts = {
        str(row["label"]): (row["first"], row["second"]) for row in response.context["counts"]
    }
    assert counts["Stage history entries"] == (1, 1)
    assert counts["Audit trail entries"] == (1, 1)
    page = response.content.decode()
    assert "Which record do you keep?" in page
    assert "Mark as not the same" in page


def test_merge_keeps_every_history_of_both_records(gorakhpur, ganesh, ramu_twice):
    # given two records of Ramu, each with its own history
    first, second = ramu_twice
    shg = register(gorakhpur, ganesh, name_hi="माटी कला समूह", kind=Kind.SHG, pin="273009")
    po = register(gorakhpur, ganesh, name_hi="गोरखपुर टेराकोटा संगठन", kind=Kind.PRODUCER_ORG)
    do_add_member(shg, first, joined_on=JAN, acting_user=ganesh)
    do_add_member(po, second, joined_on=JAN, acting_user=ganesh)
    do_move_stage(second, Stage.TRAINED, reason="Kiln training", acting_user=ganesh)
    do_record_consent(
        second,
        purpose=Consent.Purpose.HOLD_DATA,
        given=True,
        on=JAN,
        method=Consent.Method.PAPER,
        acting_user=ganesh,
    )
    do_record_consent(
        first,
        purpose=Consent.Purpose.LIST_ON_MARKETPLACES,
        given=True,
        on=JAN,
        method=Consent.Method.VERBAL,
        acting_user=ganesh,
    )
    visit = do_record_outreach_visit(
        gorakhpur,
        kind=OutreachVisit.Kind.VISIT,
        on=JAN,
        place="Aurangabad",
        attendees=[Producer.objects.get(pk=second.pk)],
        acting_user=ganesh,
    )
    flag = DuplicateFlag.objects.get(first=first, second=second)

    # when staff keep the first record
    response = client_for(ganesh).post(
        reverse("duplicate_merge", args=[flag.pk]), {"survivor": str(first.uuid)}, follow=True
    )

    # then one record remains, with the history, memberships, consents and visits of both
    assert response.redirect_chain == [(reverse("duplicate_list"), 302)]
    assert "Merged. Ramu Prajapati keeps the history of both records." in response.content.decode()
    assert not Producer.objects.filter(pk=second.pk).exists()
    ramu = Producer.objects.get(pk=first.pk)
    assert ramu.mobile == "+919876543210"  # filled from the other record
    assert ramu.stage == "trained"  # the further of the two stages
    assert sorted(StageChange.objects.filter(producer=ramu).values_list("to_stage", flat=True)) == [
        "contacted",
        "contacted",
        "trained",
    ]
    assert set(Membership.objects.filter(member=ramu).values_list("group__name_hi", flat=True)) == {
        "माटी कला समूह",
        "गोरखपुर टेराकोटा संगठन",
    }
    assert set(Consent.objects.filter(producer=ramu).values_list("purpose", flat=True)) == {
        "hold_data",
        "list",
    }
    assert list(visit.attendees.all()) == [ramu]
    actions = AuditEntry.objects.filter(
        object_type="registry.producer", object_id=str(ramu.pk)
    ).values_list("action", flat=True)
    assert sorted(actions) == [
        "producer.consent",
        "producer.consent",
        "producer.merge",
        "producer.register",
        "producer.register",
        "producer.stage",
    ]
    assert not DuplicateFlag.objects.filter(status=DuplicateFlag.Status.OPEN).exists()
    assert response.context["page"].paginator.count == 0


def test_merge_may_keep_the_second_record(ganesh, ramu_twice):
    second = ramu_twice[1]
    flag = DuplicateFlag.objects.get()
    client_for(ganesh).post(
        reverse("duplicate_merge", args=[flag.pk]), {"survivor": str(second.uuid)}
    )
    assert list(Producer.objects.values_list("name_latin", flat=True)) == ["Ramoo Prajapati"]
    assert StageChange.objects.filter(producer=second).count() == 2


def test_merge_without_a_choice_changes_nothing(ganesh, ramu_twice, gorakhpur, vani, varanasi):
    other = register(varanasi, vani, name_hi="कबीर अंसारी", pin="221001")
    flag = DuplicateFlag.objects.get()
    client = client_for(ganesh)
    for choice in ({}, {"survivor": "nobody"}, {"survivor": str(other.uuid)}):
        response = client.post(reverse("duplicate_merge", args=[flag.pk]), choice, follow=True)
        assert response.redirect_chain == [(reverse("duplicate_detail", args=[flag.pk]), 302)]
        assert "Choose the record to keep." in response.content.decode()
    assert Producer.objects.filter(district=gorakhpur).count() == 2
    assert DuplicateFlag.objects.get().status == DuplicateFlag.Status.OPEN


def test_dismissing_keeps_both_records(ganesh, ramu_twice):
    flag = DuplicateFlag.objects.get()
    client = client_for(ganesh)
    response = client.post(reverse("duplicate_dismiss", args=[flag.pk]), follow=True)
    assert "Marked as not the same: both records stay." in response.content.decode()
    flag.refresh_from_db()
    assert (flag.status, flag.resolved_by) == (DuplicateFlag.Status.DISMISSED, ganesh)
    assert Producer.objects.count() == 2
    assert response.context["page"].paginator.count == 0
    # A reviewed pair cannot be merged afterwards by a stale page.
    again = client.post(
        reverse("duplicate_merge", args=[flag.pk]), {"survivor": str(ramu_twice[0].uuid)}
    )
    assert again.status_code == 302
    assert Producer.objects.count() == 2
    detail = client.get(reverse("duplicate_detail", args=[flag.pk])).content.decode()
    assert "Not the same" in detail
    assert "Which record do you keep?" not in detail


def test_same_mobile_is_a_reason_too(gorakhpur, ganesh):
    register(gorakhpur, ganesh, name_hi="श्याम लाल", mobile="+919811112222", pin="273010")
    register(gorakhpur, ganesh, name_hi="घनश्याम वर्मा", mobile="+919811112222", pin="273020")
    page = client_for(ganesh).get(reverse("duplicate_list")).content.decode()
    assert DuplicateFlag.objects.get().reasons == [SAME_MOBILE]
    assert "same mobile number" in page


def test_the_list_takes_six_queries_however_many_pairs(
    gorakhpur, ganesh, django_assert_num_queries
):
    for n in range(12):
        mobile = f"+91980000{n:04d}"
        # Twelve pairs with the same mobile, in places of their own.
        for name in ("श्याम लाल", "घनश्याम वर्मा"):
            register(gorakhpur, ganesh, name_hi=name, mobile=mobile, pin="", village=f"{name} {n}")
    client = client_for(ganesh)
    client.get("/")  # warm the session
    # The session, the user, their district (in the header), the district's last search for
    # duplicates, the count, the page of pairs.
    with django_assert_num_queries(6):
        response = client.get(reverse("duplicate_list"))
    assert response.context["page"].paginator.count == 12


@pytest.mark.parametrize("persona", ["gita", "sam"])
def test_read_only_roles_compare_but_cannot_merge_or_dismiss(request, persona, ramu_twice):
    flag = DuplicateFlag.objects.get()
    client = client_for(request.getfixturevalue(persona))
    assert "Ramoo Prajapati" in client.get(reverse("duplicate_list")).content.decode()
    detail = client.get(reverse("duplicate_detail", args=[flag.pk]))
    assert detail.status_code == 200
    main = detail.content.decode().split('<main id="main"')[1]
    assert "Ramoo Prajapati" in main
    assert "<form" not in main
    before = AuditEntry.objects.count()
    merge = client.post(
        reverse("duplicate_merge", args=[flag.pk]), {"survivor": str(ramu_twice[0].uuid)}
    )
    dismiss = client.post(reverse("duplicate_dismiss", args=[flag.pk]))
    assert (merge.status_code, dismiss.status_code) == (403, 403)
    assert Producer.objects.count() == 2
    flag.refresh_from_db()
    assert flag.status == DuplicateFlag.Status.OPEN
    assert AuditEntry.objects.count() == before


def test_another_districts_flags_are_not_found(ganesh, gita, prem, varanasi, vani):
    register(varanasi, vani, name_hi="कबीर अंसारी", pin="221001", mobile="+919800000001")
    kabir = register(varanasi, vani, name_hi="कबीर अंसारी", pin="221001", mobile="+919800000001")
    flag = DuplicateFlag.objects.get()
    for user in (ganesh, gita):
        client = client_for(user)
        assert client.get(reverse("duplicate_detail", args=[flag.pk])).status_code == 404
        assert "कबीर" not in client.get(reverse("duplicate_list")).content.decode()
        merge = client.post(
            reverse("duplicate_merge", args=[flag.pk]), {"survivor": str(kabir.uuid)}
        )
        dismiss = client.post(reverse("duplicate_dismiss", args=[flag.pk]))
        assert (merge.status_code, dismiss.status_code) == (404, 404)
    # A producer never reviews the district's records, not even their own district's.
    assert client_for(prem).get(reverse("duplicate_detail", args=[flag.pk])).status_code == 403
    assert Producer.objects.filter(district=varanasi).count() == 2
    assert DuplicateFlag.objects.get().status == DuplicateFlag.Status.OPEN


def test_state_admin_reviews_any_district(alice, varanasi, vani):
    register(varanasi, vani, name_hi="कबीर अंसारी", pin="221001", mobile="+919800000001")
    register(varanasi, vani, name_hi="कबीर अंसारी", pin="221001", mobile="+919800000001")
    flag = DuplicateFlag.objects.get()
    client = client_for(alice)
    assert [f.pk for f in client.get(reverse("duplicate_list")).context["page"]] == [flag.pk]
    assert (
        client.get(reverse("duplicate_list"), {"district": 148}).context["page"].paginator.count
        == 0
    )
    client.post(reverse("duplicate_merge", args=[flag.pk]), {"survivor": str(flag.first.uuid)})
    assert Producer.objects.filter(district=varanasi).count() == 1


# --- One finder for one producer, a sheet and a whole district -------------------------------

# Names a district's lists really hold: spellings of one name in both scripts, words joined or
# swapped, namesakes' relatives, long group names (scored word order aside).
DISTRICT = [
    ("रामू प्रजापति", "", "273001", "Aurangabad"),
    ("रामु प्रजापती", "Ramoo Prajapati", "273001", "Aurangabad"),
    ("श्यामू प्रजापति", "", "273001", "Aurangabad"),
    ("मोहम्मद इरफ़ान", "Mohd Irfan", "273002", "Jungle Kauria"),
    ("इरफ़ान मोहम्मद", "", "", "jungle kauria "),  # no PIN: the village is the place
    ("लक्ष्मी देवी", "Laxmi Devi", "273003", "Bhatahat"),
    ("लक्ष्मी देवी", "Lakshmi Devi", "273004", "Bhatahat"),  # a village of that name elsewhere
    ("सीता देवी", "", "273003", "Bhatahat"),
    ("गीता देवी", "", "273003", "Bhatahat"),
    ("राम कुमार वर्मा", "", "273005", "Campierganj"),
    ("रामकुमार वर्मा", "Ramkumar Verma", "273005", "Campierganj"),
    ("जय माँ लक्ष्मी महिला स्वयं सहायता समूह", "", "273006", "Pipraich"),
    ("जय मां लक्ष्मी महिला स्वयं सहायता समूह", "", "273006", "Pipraich"),
    ("आदर्श उजाला महिला स्वयं सहायता समूह", "", "273006", "Pipraich"),
    ("रामू प्रजापति", "", "273009", "Sahjanwa"),  # a namesake far away
    ("लक्ष्मी देवी", "", "", "Bhatahat"),  # no PIN: either Bhatahat may be hers
]


def _registered_before(gorakhpur, ganesh) -> list[Producer]:  # type: ignore[no-untyped-def]
    """The district's producers, registered before duplicates were checked: no flag yet."""
    producers = [
        register(gorakhpur, ganesh, name_hi=hi, name_latin=latin, pin=pin, village=village)
        for hi, latin, pin, village in DISTRICT
    ]
    # Two with one mobile, far apart; two units with one GSTIN.
    Producer.objects.filter(pk__in=[producers[7].pk, producers[14].pk]).update(
        mobile="+919811112222"
    )
    Producer.objects.filter(pk__in=[producers[11].pk, producers[13].pk]).update(
        gstin="09AAACH7409R1ZZ"
    )
    DuplicateFlag.objects.all().delete()
    return list(Producer.objects.order_by("pk"))


def test_the_batch_finds_what_registration_finds_for_each_producer(gorakhpur, ganesh):
    producers = _registered_before(gorakhpur, ganesh)
    one_by_one = {
        (*sorted((producer.pk, match.producer.pk)), match.reasons, match.score)
        for producer in producers
        for match in find_duplicates(producer)
    }
    batch = find_duplicates_batch(district_people(gorakhpur))
    assert {(p.first, p.second, p.reasons, p.score) for p in batch} == one_by_one
    names = {p.pk: p.name_hi for p in producers}
    assert sorted((names[p.first], names[p.second], p.reasons) for p in batch) == [
        ("जय माँ लक्ष्मी महिला स्वयं सहायता समूह", "आदर्श उजाला महिला स्वयं सहायता समूह", (SAME_GSTIN,)),
        ("जय माँ लक्ष्मी महिला स्वयं सहायता समूह", "जय मां लक्ष्मी महिला स्वयं सहायता समूह", (SIMILAR_NAME,)),
        ("मोहम्मद इरफ़ान", "इरफ़ान मोहम्मद", (SIMILAR_NAME,)),
        ("राम कुमार वर्मा", "रामकुमार वर्मा", (SIMILAR_NAME,)),
        ("रामू प्रजापति", "रामु प्रजापती", (SIMILAR_NAME,)),
        ("लक्ष्मी देवी", "लक्ष्मी देवी", (SIMILAR_NAME,)),
        ("लक्ष्मी देवी", "लक्ष्मी देवी", (SIMILAR_NAME,)),
        ("सीता देवी", "रामू प्रजापति", (SAME_MOBILE,)),
    ]


def test_pairs_among_the_others_alone_are_not_asked_about(gorakhpur, ganesh):
    producers = _registered_before(gorakhpur, ganesh)
    everyone = district_people(gorakhpur)
    ramoo = next(p for p in everyone if p.pk == producers[1].pk)
    pairs = find_duplicates_batch([ramoo], against=everyone)
    assert [(p.first, p.second) for p in pairs] == [(producers[0].pk, producers[1].pk)]


def test_staff_find_the_duplicates_of_the_whole_district(gorakhpur, ganesh):
    # given a district registered before duplicates were checked, one pair already dismissed
    producers = _registered_before(gorakhpur, ganesh)
    dismissed = DuplicateFlag.objects.create(
        district=gorakhpur,
        first=producers[0],
        second=producers[1],
        reasons=[SIMILAR_NAME],
        score=95.0,
        status=DuplicateFlag.Status.DISMISSED,
        resolved_by=ganesh,
    )
    client = client_for(ganesh)
    page = client.get(reverse("duplicate_list")).content.decode()
    assert "Find duplicates in the district" in page
    assert "No possible duplicate to review." in page

    # when staff start a search of the district, and the worker runs it
    response = client.post(reverse("duplicate_search"), follow=True)
    assert response.redirect_chain == [(reverse("duplicate_list"), 302)]
    assert "Looking for duplicates among all the district's producers" in (
        response.content.decode()
    )
    assert "Find duplicates in the district" not in response.content.decode()  # one at a time
    run_worker()

    # then the other seven pairs are listed for review, and the dismissed one stays dismissed
    response = client.get(reverse("duplicate_list"))
    assert response.context["page"].paginator.count == 7
    page = response.content.decode()
    assert "8 pairs found among 16 producers." in page
    assert "7 of them are new to review" in page
    dismissed.refresh_from_db()
    assert dismissed.status == DuplicateFlag.Status.DISMISSED
    assert DuplicateFlag.objects.count() == 8
    search = TaskProgress.objects.get()
    assert (search.status, search.done, search.total) == (TaskProgress.Status.DONE, 16, 16)
    audit = AuditEntry.objects.get(action="duplicate.search")
    assert (audit.actor, audit.changes) == (ganesh, {"producers": 16, "pairs": 8, "new": 7})

    # and a second search finds the same pairs and flags none twice
    client.post(reverse("duplicate_search"))
    run_worker()
    assert DuplicateFlag.objects.count() == 8
    assert "0 of them are new to review" in client.get(reverse("duplicate_list")).content.decode()


def test_the_search_page_part_reloads_the_list_once_the_search_is_done(gorakhpur, ganesh):
    _registered_before(gorakhpur, ganesh)
    client = client_for(ganesh)
    client.post(reverse("duplicate_search"))
    search = TaskProgress.objects.get()
    url = reverse("duplicate_search_status", args=[search.uuid])
    running = client.get(url, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in running
    assert f'hx-get="{url}"' in running.content.decode()
    run_worker()
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


@pytest.mark.parametrize("persona", ["gita", "sam"])
def test_read_only_roles_cannot_start_a_search(request, persona, gorakhpur, ganesh):
    _registered_before(gorakhpur, ganesh)
    client = client_for(request.getfixturevalue(persona))
    assert (
        "Find duplicates in the district"
        not in client.get(
            reverse("duplicate_list"), {"district": gorakhpur.lgd_code}
        ).content.decode()
    )
    response = client.post(reverse("duplicate_search"), {"district": gorakhpur.lgd_code})
    assert response.status_code == 403
    assert not TaskProgress.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_state_admin_searches_the_district_they_chose(alice, gorakhpur, ganesh):
    _registered_before(gorakhpur, ganesh)
    client = client_for(alice)
    everywhere = client.get(reverse("duplicate_list")).content.decode()
    assert "Find duplicates in the district" not in everywhere
    response = client.post(reverse("duplicate_search"), {"district": gorakhpur.lgd_code})
    assert response.url == f"{reverse('duplicate_list')}?district={gorakhpur.lgd_code}"
    assert TaskProgress.objects.get().district == gorakhpur
    run_worker()
    assert DuplicateFlag.objects.filter(district=gorakhpur).count() == 8


def test_a_search_that_fails_says_so_and_flags_nothing(gorakhpur, ganesh, monkeypatch):
    _registered_before(gorakhpur, ganesh)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("out of memory")

    monkeypatch.setattr(actions, "record_district_pairs", broken)
    client = client_for(ganesh)
    client.post(reverse("duplicate_search"))
    run_worker()
    page = client.get(reverse("duplicate_list")).content.decode()
    assert "The search for duplicates stopped on an error; no pair was flagged." in page
    assert "Find duplicates in the district" in page  # it may be tried again
    assert not DuplicateFlag.objects.exists()
    assert TaskProgress.objects.get().status == TaskProgress.Status.FAILED
