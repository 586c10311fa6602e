"""A merged producer's places follow the record that is kept; an erased producer's certificates
say they are revoked; their trainings are in their data export."""

from __future__ import annotations

from django.test import Client

from niryat.events.actions import (
    do_check_in_by_code,
    do_issue_certificate,
    do_register_participants,
)
from niryat.events.codes import check_in_code
from niryat.events.models import Attendance, Certificate, Participant
from niryat.events.on_registry import EventsProducerHooks
from niryat.registry.actions import do_erase_producer, do_merge_producers
from tests.events.conftest import artisans


def test_merge_moves_the_place_check_in_and_certificate(nift, session, gorakhpur, ganesh):
    ramu, twin = artisans(gorakhpur, ganesh, 2)
    do_register_participants(nift, [twin], acting_user=ganesh)
    place = nift.participants.get()
    do_check_in_by_code(session, check_in_code(place.pk, nift.pk), acting_user=ganesh)
    do_issue_certificate(place, acting_user=ganesh)
    do_merge_producers(ramu, twin, acting_user=ganesh)
    place = Participant.objects.get()
    assert place.producer == ramu
    assert Attendance.objects.get().participant == place
    assert Certificate.objects.get().participant == place


def test_merge_of_two_places_in_one_programme_keeps_one_with_both_check_ins(
    nift, session, gorakhpur, ganesh
):
    ramu, twin = artisans(gorakhpur, ganesh, 2)
    do_register_participants(nift, [ramu, twin], acting_user=ganesh)
    kept, other = nift.participants.order_by("pk")
    do_check_in_by_code(session, check_in_code(other.pk, nift.pk), acting_user=ganesh)
    do_merge_producers(ramu, twin, acting_user=ganesh)
    assert list(Participant.objects.values_list("pk", flat=True)) == [kept.pk]
    assert Attendance.objects.get().participant_id == kept.pk


def test_erasure_revokes_the_certificate_on_its_public_page(nift, session, gorakhpur, ganesh):
    (ramu,) = artisans(gorakhpur, ganesh, 1)
    do_register_participants(nift, [ramu], acting_user=ganesh)
    place = nift.participants.get()
    do_check_in_by_code(session, check_in_code(place.pk, nift.pk), acting_user=ganesh)
    certificate = do_issue_certificate(place, acting_user=ganesh)
    rows = EventsProducerHooks().personal_data(ramu)[0].rows
    assert rows == [
        {
            "programme": "Terracotta design course",
            "status": "registered",
            "sessions_attended": ["2026-12-14"],
            "certificate": certificate.number,
        }
    ]
    do_erase_producer(ramu, acting_user=ganesh)
    page = Client().get(f"/verify/certificate/{certificate.uuid}/").content.decode()
    assert "It is not valid." in page
    assert "Karigar 1" not in page
