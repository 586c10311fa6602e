"""Conclaves, exhibitions and study visits: invitations with RSVP links, reminders once, stalls on
a floor grid, check-in by QR, feedback, nominations the state sees; and every refusal."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from niryat.core.models import AuditEntry, District, PartnerOrg, User
from niryat.events.actions import (
    Refused,
    do_answer_rsvp,
    do_ask_for_feedback,
    do_assign_stall,
    do_check_in_guest_by_code,
    do_create_event,
    do_give_feedback,
    do_invite_to_event,
    do_nominate,
    do_send_event_reminders,
    do_tick_guest,
    do_write_visit_report,
    guest_for_token,
)
from niryat.events.codes import RSVP_SALT, guest_code
from niryat.events.models import Event, Feedback, Guest, Nomination, Stall
from niryat.messaging.models import Message
from niryat.registry.models import Producer
from tests.catalog.factories import make_product
from tests.conftest import client_for, hindi
from tests.events.conftest import artisans
from tests.registry.factories import register

DAY = datetime.date(2026, 12, 20)


@pytest.fixture
def conclave(gorakhpur: District, ganesh: User) -> Event:
    partner, _ = PartnerOrg.objects.get_or_create(
        code="fieo",
        defaults={"name_en": "FIEO", "name_hi": "फियो", "kind": PartnerOrg.Kind.KNOWLEDGE_PARTNER},
    )
    return do_create_event(
        gorakhpur,
        {
            "kind": Event.Kind.CONCLAVE,
            "title": "Gorakhpur export conclave",
            "starts_on": DAY,
            "ends_on": DAY,
            "venue": "Yogiraj Baba Gambhirnath auditorium",
            "agenda": "Welcome\nExport procedure\nBuyer meetings",
            "speakers": "DGFT Varanasi\nIndia Post",
            "floor_rows": 4,
            "floor_columns": 6,
        },
        [partner],
        acting_user=ganesh,
    )


@pytest.fixture
def state_conclave(alice: User) -> Event:
    return do_create_event(
        None,
        {
            "kind": Event.Kind.CONCLAVE,
            "title": "State export conclave, Lucknow",
            "starts_on": DAY,
            "ends_on": DAY + datetime.timedelta(days=1),
            "venue": "Indira Gandhi Pratishthan, Lucknow",
        },
        acting_user=alice,
    )


def invite(event: Event, people: list[Producer], user: User, capture) -> None:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        do_invite_to_event(event, people, acting_user=user)


def link_token(text: str) -> str:
    match = re.search(r"/rsvp/([^/\s]+)/", text)
    assert match, text
    return match.group(1)


def test_invitations_carry_a_personal_rsvp_link_and_go_once(
    conclave, gorakhpur, ganesh, django_capture_on_commit_callbacks
):
    people = artisans(gorakhpur, ganesh, 3)
    with django_capture_on_commit_callbacks(execute=True):
        result = do_invite_to_event(conclave, people, acting_user=ganesh)
    assert result.invited == 3
    texts = list(Message.objects.filter(template="event_invitation").values_list("text", flat=True))
    assert len(texts) == 3
    assert all("Gorakhpur export conclave" in text and "20.12.2026" in text for text in texts)
    tokens = {link_token(text) for text in texts}
    assert len(tokens) == 3  # one link per invitee
    guests = {guest_for_token(token, RSVP_SALT) for token in tokens}
    assert {guest.producer for guest in guests if guest} == set(people)
    # Inviting the same people again sends nothing and says why.
    with django_capture_on_commit_callbacks(execute=True):
        again = do_invite_to_event(conclave, people[:1], acting_user=ganesh)
    assert again.invited == 0
    assert again.refused[0][1] == "Karigar 1 is invited already."
    assert Message.objects.filter(template="event_invitation").count() == 3


def test_a_producer_of_another_district_is_refused(conclave, varanasi, vani, ganesh):
    weaver = register(varanasi, vani, name_hi="बुनकर", name_latin="Bunkar", mobile="+919839099999")
    result = do_invite_to_event(conclave, [weaver], acting_user=ganesh)
    assert result.refused == [(weaver, "Bunkar is from another district (Varanasi).")]
    assert not Guest.objects.exists()


def test_rsvp_page_needs_no_sign_in_and_records_the_answer(
    conclave, gorakhpur, ganesh, client, django_capture_on_commit_callbacks
):
    people = artisans(gorakhpur, ganesh, 1)
    invite(conclave, people, ganesh, django_capture_on_commit_callbacks)
    token = link_token(Message.objects.get(template="event_invitation").text)
    page = client.get(reverse("event_rsvp", args=[token]))
    assert page.status_code == 200
    assert "Gorakhpur export conclave" in page.text
    assert "Export procedure" in page.text
    answered = client.post(reverse("event_rsvp", args=[token]), {"answer": "yes"}, follow=True)
    assert "we have noted that you will come" in answered.text
    assert Guest.objects.get().answer == Guest.Answer.YES
    # A made-up or altered link opens nothing.
    assert client.get(reverse("event_rsvp", args=[token[:-2] + "xx"])).status_code == 404


def test_reminders_go_once_to_those_not_saying_no(
    conclave, gorakhpur, ganesh, django_capture_on_commit_callbacks
):
    people = artisans(gorakhpur, ganesh, 3)
    invite(conclave, people, ganesh, django_capture_on_commit_callbacks)
    do_answer_rsvp(Guest.objects.get(producer=people[1]), "no")
    too_early = do_send_event_reminders(today=DAY - datetime.timedelta(days=5))
    assert too_early.sent == 0
    with django_capture_on_commit_callbacks(execute=True):
        first = do_send_event_reminders(today=DAY - datetime.timedelta(days=1))
        second = do_send_event_reminders(today=DAY)
    assert (first.sent, second.sent) == (2, 0)
    reminders = Message.objects.filter(template="event_reminder")
    assert reminders.count() == 2
    guest = Guest.objects.get(producer=people[0])
    assert any(guest_code(guest.pk, conclave.pk) in m.text for m in reminders)


def test_stalls_one_producer_each_with_their_products(conclave, gorakhpur, ganesh):
    ramu, shyam = artisans(gorakhpur, ganesh, 2)
    do_invite_to_event(conclave, [ramu, shyam], acting_user=ganesh)
    pot = make_product(ramu, ganesh, name_en="Terracotta horse")
    stall = do_assign_stall(conclave, 2, 3, ramu, [pot], acting_user=ganesh)
    assert stall.label == "B3"
    assert list(stall.products.all()) == [pot]
    with pytest.raises(Refused) as taken:
        do_assign_stall(conclave, 2, 3, shyam, acting_user=ganesh)
    assert taken.value.messages == ["Stall B3 is taken by Karigar 1."]
    with pytest.raises(Refused) as outside:
        do_assign_stall(conclave, 5, 1, shyam, acting_user=ganesh)
    assert outside.value.messages == ["There is no stall E1: the floor has 4 rows of 6 stalls."]
    with pytest.raises(Refused) as not_his:
        do_assign_stall(conclave, 1, 1, shyam, [pot], acting_user=ganesh)
    assert not_his.value.messages == ["Terracotta horse is not Karigar 2's product."]
    assert Stall.objects.count() == 1
    with translation.override("hi"):
        with pytest.raises(Refused) as in_hindi:
            do_assign_stall(conclave, 2, 3, shyam, acting_user=ganesh)
    assert in_hindi.value.messages[0].startswith(hindi("Stall %(stall)s is taken by %(name)s.")[:5])


def test_check_in_by_qr_refuses_other_events_forgeries_and_duplicates(conclave, gorakhpur, ganesh):
    (ramu,) = artisans(gorakhpur, ganesh, 1)
    do_invite_to_event(conclave, [ramu], acting_user=ganesh)
    guest = Guest.objects.get()
    other = do_create_event(
        gorakhpur,
        {
            "kind": Event.Kind.EXHIBITION,
            "title": "Craft fair",
            "starts_on": DAY,
            "ends_on": DAY,
            "venue": "Town hall",
        },
        acting_user=ganesh,
    )
    code = guest_code(guest.pk, conclave.pk)
    with pytest.raises(Refused) as elsewhere:
        do_check_in_guest_by_code(other, code, acting_user=ganesh)
    assert elsewhere.value.messages == [
        "This code is for another event: Gorakhpur export conclave."
    ]
    with pytest.raises(Refused) as forged:
        do_check_in_guest_by_code(conclave, f"E{guest.pk}-00000000", acting_user=ganesh)
    assert forged.value.messages == ["This code is not valid."]
    done = do_check_in_guest_by_code(conclave, code.lower(), acting_user=ganesh)
    assert done.checked_in_at is not None
    first_time = done.checked_in_at
    with pytest.raises(Refused) as twice:
        do_tick_guest(conclave, guest, acting_user=ganesh)
    assert twice.value.messages[0].startswith("Karigar 1 was checked in already at ")
    guest.refresh_from_db()
    assert guest.checked_in_at == first_time
    assert AuditEntry.objects.filter(action="event.check_in").count() == 1


def test_feedback_once_from_those_who_came(
    conclave, gorakhpur, ganesh, client, django_capture_on_commit_callbacks
):
    came, stayed_away = artisans(gorakhpur, ganesh, 2)
    do_invite_to_event(conclave, [came, stayed_away], acting_user=ganesh)
    guest = Guest.objects.get(producer=came)
    do_tick_guest(conclave, guest, acting_user=ganesh)
    with pytest.raises(Refused) as absent:
        do_give_feedback(Guest.objects.get(producer=stayed_away), 5, "")
    assert absent.value.messages == ["Feedback is for those who came to the event."]
    with django_capture_on_commit_callbacks(execute=True):
        assert do_ask_for_feedback(conclave, acting_user=ganesh).sent == 1
    text = Message.objects.get(template="event_feedback").text
    path = re.search(r"(/feedback/[^/\s]+/)", text).group(1)  # type: ignore[union-attr]
    assert client.post(path, {"rating": "7"}).status_code == 400
    answered = client.post(path, {"rating": "4", "text": "Useful talk on India Post"}, follow=True)
    assert "Thank you for your feedback." in answered.text
    with pytest.raises(Refused) as twice:
        do_give_feedback(guest, 5, "again")
    assert twice.value.messages == ["Your feedback was received already. Thank you."]
    assert list(Feedback.objects.values_list("rating", "text")) == [
        (4, "Useful talk on India Post")
    ]
    page = client_for(ganesh).get(reverse("event_detail", args=[conclave.uuid]))
    assert "1 answers, average rating 4.0 of 5." in page.text


def test_nominations_district_sees_its_own_state_sees_all(
    state_conclave, gorakhpur, varanasi, ganesh, vani, sam
):
    ramu, shyam = artisans(gorakhpur, ganesh, 2)
    weaver = register(varanasi, vani, name_hi="बुनकर", name_latin="Bunkar", mobile="+919839099999")
    do_nominate(state_conclave, ramu, "Best terracotta", acting_user=ganesh)
    do_nominate(state_conclave, shyam, "", acting_user=ganesh)
    do_nominate(state_conclave, weaver, "Silk", acting_user=vani)
    with pytest.raises(PermissionDenied):
        do_nominate(state_conclave, weaver, "", acting_user=ganesh)
    with pytest.raises(Refused) as twice:
        do_nominate(state_conclave, ramu, "", acting_user=ganesh)
    assert twice.value.messages == ["Karigar 1 is nominated to this event already."]
    assert Nomination.objects.count() == 3
    url = reverse("event_detail", args=[state_conclave.uuid])
    seen_by_ganesh = client_for(ganesh).get(url).text
    assert "Karigar 1" in seen_by_ganesh
    assert "Karigar 2" in seen_by_ganesh
    assert "Bunkar" not in seen_by_ganesh
    seen_by_state = client_for(sam).get(url).text
    assert all(name in seen_by_state for name in ("Karigar 1", "Karigar 2", "Bunkar"))


def test_a_district_event_takes_no_nominations_and_staff_cannot_make_state_events(
    conclave, gorakhpur, ganesh
):
    (ramu,) = artisans(gorakhpur, ganesh, 1)
    with pytest.raises(Refused):
        do_nominate(conclave, ramu, "", acting_user=ganesh)
    with pytest.raises(PermissionDenied):
        do_create_event(
            None,
            {
                "kind": Event.Kind.CONCLAVE,
                "title": "x",
                "starts_on": DAY,
                "ends_on": DAY,
                "venue": "x",
            },
            acting_user=ganesh,
        )


def test_study_visit_participants_itinerary_and_report(gorakhpur, ganesh):
    visit = do_create_event(
        gorakhpur,
        {
            "kind": Event.Kind.STUDY_VISIT,
            "title": "Garment units, Noida",
            "starts_on": DAY,
            "ends_on": DAY + datetime.timedelta(days=2),
            "venue": "Noida",
        },
        acting_user=ganesh,
    )
    people = artisans(gorakhpur, ganesh, 2)
    do_invite_to_event(visit, people, acting_user=ganesh)
    do_write_visit_report(
        visit,
        itinerary="Day 1: Apparel Export Park\nDay 2: NIFT Noida",
        report="Saw automatic cutting; two units offered job work.",
        acting_user=ganesh,
    )
    page = client_for(ganesh).get(reverse("event_detail", args=[visit.uuid])).text
    assert "Day 2: NIFT Noida" in page
    assert "two units offered job work" in page
    assert "Karigar 1" in page
    assert "Karigar 2" in page


def test_an_event_cannot_end_before_it_starts(gorakhpur, ganesh):
    with pytest.raises(Refused) as refused:
        do_create_event(
            gorakhpur,
            {
                "kind": Event.Kind.EXHIBITION,
                "title": "x",
                "starts_on": DAY,
                "ends_on": DAY - datetime.timedelta(days=1),
                "venue": "x",
            },
            acting_user=ganesh,
        )
    assert refused.value.message_dict == {"ends_on": ["The event cannot end before it starts."]}
    assert not Event.objects.exists()


def test_pages_as_staff(conclave, gorakhpur, ganesh):
    (ramu,) = artisans(gorakhpur, ganesh, 1)
    client = client_for(ganesh)
    assert client.get(reverse("event_list")).status_code == 200
    invite_page = client.get(reverse("event_invite", args=[conclave.uuid]))
    assert "Karigar 1" in invite_page.text
    client.post(reverse("event_invite", args=[conclave.uuid]), {"all": "1"})
    guest = Guest.objects.get()
    stalls = client.post(
        reverse("event_stalls", args=[conclave.uuid]),
        {"row": "1", "column": "1", "producer": str(ramu.uuid)},
        follow=True,
    )
    assert "Stall A1: Karigar 1." in stalls.text
    checked = client.post(
        reverse("event_check_in_code", args=[conclave.uuid]),
        {"code": guest_code(guest.pk, conclave.pk)},
        follow=True,
    )
    assert "Checked in: Karigar 1." in checked.text
    again = client.post(
        reverse("event_sync", args=[conclave.uuid]), {"participant": str(guest.uuid)}
    )
    assert again.json()["ok"] is False
    assert client.get(reverse("guest_card", args=[guest.uuid])).status_code == 200
    assert timezone.now() >= Guest.objects.get().checked_in_at


def test_event_check_in_lists_who_may_come_and_refuses_strangers(conclave, gorakhpur, ganesh):
    # given two guests, one of whom answered that she is not coming
    ramu, sita = artisans(gorakhpur, ganesh, 2)
    do_invite_to_event(conclave, [ramu, sita], acting_user=ganesh)
    coming = Guest.objects.get(producer=ramu)
    do_answer_rsvp(Guest.objects.get(producer=sita), "no")
    client = client_for(ganesh)
    sync = reverse("event_sync", args=[conclave.uuid])
    # when staff open the check-in page, tick a stranger and send names kept offline
    page = client.get(reverse("event_check_in", args=[conclave.uuid]))
    stranger = client.post(
        reverse("event_tick", args=[conclave.uuid, "0f8d6d2e-1c1b-4c4e-9a57-6b8f3f1f2d11"])
    )
    nonsense = client.post(sync, {"participant": "nonsense"}).json()
    ticked = client.post(sync, {"participant": str(coming.uuid)}).json()
    # then the page lists only who may come and allows the camera; only Ramu is checked in
    assert "camera=(self)" in page["Permissions-Policy"]
    assert "Karigar 1" in page.text
    assert "Karigar 2" not in page.text
    assert "0 of 1 checked in" in page.text
    assert stranger.status_code == 404
    assert nonsense == {"ok": False, "message": "This person is not a guest of this event."}
    assert ticked == {
        "ok": True,
        "message": "Checked in: Karigar 1.",
        "participant": str(coming.uuid),
    }
    assert list(Guest.objects.filter(checked_in_at__isnull=False)) == [coming]


def test_the_event_list_takes_the_same_queries_for_one_event_or_many(
    conclave, gorakhpur, ganesh, django_assert_num_queries
):
    client = client_for(ganesh)
    client.get(reverse("event_list"))  # the session and the user are loaded once
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("event_list")).status_code == 200
    for index in range(5):
        do_create_event(
            gorakhpur,
            {
                "kind": Event.Kind.EXHIBITION,
                "title": f"Fair {index}",
                "starts_on": DAY,
                "ends_on": DAY,
                "venue": "Town hall",
            },
            acting_user=ganesh,
        )
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("event_list"))
    assert page.text.count("Fair ") == 5
