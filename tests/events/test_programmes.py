"""Programmes, sessions and places: who gets one, who waits, who is refused and why."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from niryat.core.models import AuditEntry
from niryat.events.actions import (
    Refused,
    do_add_session,
    do_cancel_place,
    do_register_participants,
)
from niryat.events.models import Participant
from niryat.messaging.models import Message
from tests.conftest import hindi
from tests.events.conftest import DAY, artisans


def test_places_up_to_capacity_then_the_waiting_list(nift, gorakhpur, ganesh):
    people = artisans(gorakhpur, ganesh, 5)
    result = do_register_participants(nift, people, acting_user=ganesh)
    assert result.registered == people[:3]
    assert result.waiting == people[3:]
    assert list(nift.participants.registered().values_list("producer", flat=True)) == [
        p.pk for p in people[:3]
    ]
    assert list(nift.participants.waiting().values_list("producer", flat=True)) == [
        p.pk for p in people[3:]
    ]


def test_producer_of_another_district_is_refused_with_the_reason(nift, varanasi, vani, ganesh):
    (outsider,) = artisans(varanasi, vani, 1)
    result = do_register_participants(nift, [outsider], acting_user=ganesh)
    assert result.registered == []
    assert result.refused == [(outsider, "Karigar 1 is from another district (Varanasi).")]
    assert not Participant.objects.exists()


def test_registering_twice_records_one_place(nift, gorakhpur, ganesh):
    (ramu,) = artisans(gorakhpur, ganesh, 1)
    do_register_participants(nift, [ramu], acting_user=ganesh)
    again = do_register_participants(nift, [ramu], acting_user=ganesh)
    assert again.refused == [(ramu, "Karigar 1 already has a place in this programme.")]
    assert nift.participants.count() == 1
    assert hindi("%(name)s already has a place in this programme.")


def test_a_cancelled_place_goes_to_the_first_waiting(nift, gorakhpur, ganesh):
    people = artisans(gorakhpur, ganesh, 5)
    do_register_participants(nift, people, acting_user=ganesh)
    first = nift.participants.get(producer=people[0])
    moved = do_cancel_place(first, acting_user=ganesh)
    assert moved is not None
    assert moved.producer == people[3]
    assert nift.participants.registered().count() == 3
    assert list(nift.participants.waiting().values_list("producer", flat=True)) == [people[4].pk]


def test_staff_of_another_district_cannot_register(nift, gorakhpur, ganesh, vani):
    (ramu,) = artisans(gorakhpur, ganesh, 1)
    with pytest.raises(PermissionDenied):
        do_register_participants(nift, [ramu], acting_user=vani)
    assert not Participant.objects.exists()


def test_session_needs_a_venue_or_a_link(nift, ganesh):
    with pytest.raises(Refused) as refused:
        do_add_session(nift, {"date": DAY}, acting_user=ganesh)
    assert refused.value.message_dict == {"venue": ["Give the venue or the online link."]}
    assert not nift.sessions.exists()


def test_invitations_go_once_by_sms_with_the_code(
    nift, session, gorakhpur, ganesh, django_capture_on_commit_callbacks
):
    from niryat.events.actions import do_send_invitations
    from niryat.events.codes import check_in_code

    people = artisans(gorakhpur, ganesh, 4)
    do_register_participants(nift, people, acting_user=ganesh)
    with django_capture_on_commit_callbacks(execute=True):
        sent = do_send_invitations(nift, acting_user=ganesh)
    assert sent.sent == 3  # the fourth is waiting
    first = nift.participants.get(producer=people[0])
    texts = list(
        Message.objects.filter(template="training_invitation").values_list("text", flat=True)
    )
    code = check_in_code(first.pk, nift.pk)
    assert any(code in text and "14.12.2026" in text for text in texts), texts
    with django_capture_on_commit_callbacks(execute=True):
        assert do_send_invitations(nift, acting_user=ganesh).sent == 0
    assert Message.objects.filter(template="training_invitation").count() == 3
    assert AuditEntry.objects.filter(action="programme.invite").count() == 2
