"""Check-in by QR code or list: refusals name the reason, nothing is recorded twice, and the
producer's funnel moves to "trained" (forward only)."""

from __future__ import annotations

import pytest
from django.utils import translation

from niryat.core.models import District, User
from niryat.events.actions import (
    Refused,
    do_add_session,
    do_cancel_place,
    do_check_in_by_code,
    do_create_programme,
    do_register_participants,
    do_tick_attendance,
)
from niryat.events.codes import check_in_code
from niryat.events.models import Attendance, Participant, Programme
from niryat.registry.actions import do_move_stage
from niryat.registry.models import Producer, Stage
from tests.events.conftest import DAY, artisans


@pytest.fixture
def place(nift, gorakhpur, ganesh) -> Participant:  # type: ignore[no-untyped-def]
    (ramu,) = artisans(gorakhpur, ganesh, 1)
    do_register_participants(nift, [ramu], acting_user=ganesh)
    return nift.participants.get()


def code_of(participant: Participant) -> str:
    return check_in_code(participant.pk, participant.programme_id)


def refusal(session, code, user) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as refused:
        do_check_in_by_code(session, code, acting_user=user)
    return refused.value.messages[0]


def test_check_in_by_code_marks_the_producer_trained(session, place, ganesh):
    done = do_check_in_by_code(session, code_of(place).lower(), acting_user=ganesh)
    assert done.attendance.method == Attendance.Method.QR
    producer = Producer.objects.get(pk=place.producer_id)
    assert producer.stage == Stage.TRAINED
    change = producer.stage_changes.latest("pk")
    assert change.to_stage == Stage.TRAINED
    assert change.reason.startswith("Attended Terracotta design course on 14 December 2026")


def test_a_second_check_in_is_refused_and_recorded_once(session, place, ganesh):
    do_check_in_by_code(session, code_of(place), acting_user=ganesh)
    message = refusal(session, code_of(place), ganesh)
    assert message.startswith("Karigar 1 was checked in already at ")
    with pytest.raises(Refused):
        do_tick_attendance(session, place, acting_user=ganesh)
    assert Attendance.objects.count() == 1


def test_a_code_from_another_programme_is_refused(session, place, gorakhpur, ganesh):
    other = do_create_programme(
        gorakhpur,
        {"kind": Programme.Kind.GEM_CAMP, "title": "GeM camp", "capacity": 10},
        acting_user=ganesh,
    )
    do_add_session(other, {"date": DAY, "venue": "DIC"}, acting_user=ganesh)
    assert (
        refusal(other.sessions.get(), code_of(place), ganesh)
        == "This code is for another programme: Terracotta design course."
    )
    assert not Attendance.objects.exists()


def test_a_made_up_or_altered_code_is_refused_in_hindi_too(session, place, ganesh):
    forged = f"P{place.pk}-00000000"
    assert refusal(session, forged, ganesh) == "This code is not valid."
    assert refusal(session, "hello", ganesh) == "This is not a check-in code of ours."
    with translation.override("hi"):
        assert refusal(session, forged, ganesh) == "यह कोड मान्य नहीं है।"
    assert not Attendance.objects.exists()


def test_a_cancelled_place_cannot_check_in(session, place, ganesh):
    do_cancel_place(place, acting_user=ganesh)
    assert refusal(session, code_of(place), ganesh) == "Karigar 1's place was cancelled."
    assert not Attendance.objects.exists()


def test_waiting_list_cannot_check_in(session, nift, gorakhpur, ganesh):
    people = artisans(gorakhpur, ganesh, 4)
    do_register_participants(nift, people, acting_user=ganesh)
    waiting = nift.participants.waiting().get()
    assert refusal(session, code_of(waiting), ganesh) == (
        "Karigar 4 is on the waiting list, not registered."
    )


def test_ticking_the_list_checks_in(session, place, ganesh):
    done = do_tick_attendance(session, place, acting_user=ganesh)
    assert done.attendance.method == Attendance.Method.LIST
    assert Producer.objects.get(pk=place.producer_id).stage == Stage.TRAINED


def test_attendance_never_moves_a_producer_back(session, place, ganesh):
    producer = Producer.objects.get(pk=place.producer_id)
    do_move_stage(producer, Stage.LISTED, reason="Listed on GeM", acting_user=ganesh)
    do_check_in_by_code(session, code_of(place), acting_user=ganesh)
    assert Producer.objects.get(pk=place.producer_id).stage == Stage.LISTED


def test_staff_of_another_district_cannot_check_in(session, place, vani: User):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        do_check_in_by_code(session, code_of(place), acting_user=vani)
    assert not Attendance.objects.exists()


def test_district_fixture_is_gorakhpur(gorakhpur: District):
    assert gorakhpur.lgd_code == 148
