"""Reviewing likely duplicates: the list, the side-by-side comparison, merge and dismissal."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from niryat.core.models import AuditEntry
from niryat.registry.actions import (
    do_add_member,
    do_move_stage,
    do_record_consent,
    do_record_outreach_visit,
)
from niryat.registry.duplicates import SAME_MOBILE, SIMILAR_NAME
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


def test_the_list_takes_five_queries_however_many_pairs(
    gorakhpur, ganesh, django_assert_num_queries
):
    for n in range(12):
        mobile = f"+91980000{n:04d}"
        # Twelve pairs with the same mobile, in places of their own.
        for name in ("श्याम लाल", "घनश्याम वर्मा"):
            register(gorakhpur, ganesh, name_hi=name, mobile=mobile, pin="", village=f"{name} {n}")
    client = client_for(ganesh)
    client.get("/")  # warm the session
    # The session, the user, their district (in the header), the count, the page of pairs.
    with django_assert_num_queries(5):
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
