"""The training pages as staff and the public use them."""

from __future__ import annotations

from niryat.core.models import PartnerOrg
from niryat.events.actions import do_register_participants
from niryat.events.codes import check_in_code
from niryat.events.models import Attendance, Programme
from tests.conftest import client_for
from tests.events.conftest import artisans


def test_staff_create_a_programme(ganesh, gorakhpur):
    partner = PartnerOrg.objects.first()
    response = client_for(ganesh).post(
        "/trainings/new/",
        {
            "district": gorakhpur.pk,
            "kind": "gem_camp",
            "title": "GeM camp, December",
            "partner": partner.pk,
            "capacity": 40,
        },
    )
    programme = Programme.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/trainings/{programme.uuid}/"
    assert (programme.district, programme.capacity, programme.created_by) == (gorakhpur, 40, ganesh)


def test_a_programme_of_another_district_is_not_found(nift, vani):
    assert client_for(vani).get(f"/trainings/{nift.uuid}/").status_code == 404
    assert client_for(vani).get("/trainings/").context["programmes"].count() == 0


def test_district_officer_reads_but_cannot_change(nift, session, gita):
    page = client_for(gita).get(f"/trainings/{nift.uuid}/").content.decode()
    assert "Terracotta design course" in page
    assert "Send invitations" not in page
    assert client_for(gita).get(f"/trainings/sessions/{session.pk}/check-in/").status_code == 403


def test_pick_from_the_registry_registers_and_reports_the_waiting_list(nift, gorakhpur, ganesh):
    people = artisans(gorakhpur, ganesh, 4)
    client = client_for(ganesh)
    listed = client.get(f"/trainings/{nift.uuid}/participants/add/?q=Karigar")
    assert [p.pk for p in listed.context["producers"]] == [p.pk for p in people]
    response = client.post(
        f"/trainings/{nift.uuid}/participants/add/",
        {"producer": [str(p.uuid) for p in people]},
        follow=True,
    )
    page = response.content.decode()
    assert "Registered: 3." in page
    assert "The programme is full: 1 put on the waiting list." in page
    assert "3 of 3 taken, 1 waiting" in page


def test_check_in_page_allows_the_camera_and_refuses_a_duplicate_in_hindi(
    nift, session, gorakhpur, ganesh
):
    (ramu,) = artisans(gorakhpur, ganesh, 1)
    do_register_participants(nift, [ramu], acting_user=ganesh)
    participant = nift.participants.get()
    client = client_for(ganesh, **{"accept-language": "hi"})
    page = client.get(f"/trainings/sessions/{session.pk}/check-in/")
    assert "camera=(self)" in page["Permissions-Policy"]
    code = check_in_code(participant.pk, nift.pk)
    first = client.post(f"/trainings/sessions/{session.pk}/check-in/code/", {"code": code})
    assert first.status_code == 302
    again = client.post(f"/trainings/sessions/{session.pk}/check-in/code/", {"code": code})
    assert again.status_code == 400
    assert "का चेक-इन" in again.content.decode()
    assert "पहले ही हो चुका है" in again.content.decode()
    assert Attendance.objects.count() == 1


def test_participant_card_shows_the_qr_and_code(nift, gorakhpur, ganesh):
    (ramu,) = artisans(gorakhpur, ganesh, 1)
    do_register_participants(nift, [ramu], acting_user=ganesh)
    participant = nift.participants.get()
    page = client_for(ganesh).get(f"/trainings/participants/{participant.uuid}/card/")
    text = page.content.decode()
    assert check_in_code(participant.pk, nift.pk) in text
    assert "<svg" in text


def test_offline_queue_syncs_once_and_says_why_not(nift, session, gorakhpur, ganesh):
    people = artisans(gorakhpur, ganesh, 2)
    do_register_participants(nift, people, acting_user=ganesh)
    first, second = nift.participants.order_by("pk")
    client = client_for(ganesh)
    url = f"/trainings/sessions/{session.pk}/check-in/sync/"
    code = check_in_code(first.pk, nift.pk)
    assert client.post(url, {"code": code}).json() == {
        "ok": True,
        "message": "Checked in: Karigar 1.",
        "participant": str(first.uuid),
    }
    again = client.post(url, {"code": code}).json()
    assert again["ok"] is False
    assert again["message"].startswith("Karigar 1 was checked in already at ")
    ticked = client.post(url, {"participant": str(second.uuid)}).json()
    assert ticked["message"] == "Checked in: Karigar 2."
    assert client.post(url, {"participant": "nonsense"}).json() == {
        "ok": False,
        "message": "This person is not a participant of this programme.",
    }
    assert Attendance.objects.count() == 2
