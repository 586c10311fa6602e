"""Check-in at the venue, one page for a training session and for an event (conclave, exhibition,
visit): a QR code scanned or typed, a name ticked on the list, or either of them kept on the
phone while offline and sent later. What differs between the two is a `Desk`; the page, its three
forms and the offline sync are written once, here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from niryat.core.middleware import permissions_policy
from niryat.core.models import User
from niryat.events.actions import (
    do_check_in_by_code,
    do_check_in_guest_by_code,
    do_tick_attendance,
    do_tick_guest,
)
from niryat.events.forms import CheckInCodeForm
from niryat.events.models import Event, Guest, Participant, Session
from niryat.registry.models import Producer

# The check-in page may use the camera of its own origin; every other page none.
CHECK_IN_POLICY = permissions_policy(
    {"camera": ["self"], "microphone": [], "geolocation": [], "payment": []}
)


@dataclass(frozen=True)
class Person:
    """One name on the list: who they are (their place's uuid) and whether they came."""

    uuid: UUID
    producer: Producer
    came: bool


class Desk(Protocol):
    """What one kind of check-in knows: its people, its actions and its addresses."""

    title: str
    day: datetime.date
    back_url: str
    page_url: str
    code_url: str
    sync_url: str
    # Where the phone keeps check-ins made offline; a page of another kind never sees them.
    storage_key: str
    not_a_person: str

    def people(self) -> list[Person]: ...

    def tick_url(self, person: UUID) -> str: ...

    def by_code(self, code: str, user: User) -> Person: ...

    def tick(self, person: UUID, user: User) -> Person | None:
        """The person checked in, or None if they are not on this list."""
        ...


class SessionDesk:
    """A training session: the programme's registered participants, one attendance each."""

    def __init__(self, session: Session) -> None:
        self.session = session
        programme = session.programme
        self.title = programme.title
        self.day = session.date
        self.back_url = reverse("programme_detail", args=[programme.uuid])
        self.page_url = reverse("session_check_in", args=[session.pk])
        self.code_url = reverse("session_check_in_code", args=[session.pk])
        self.sync_url = reverse("session_sync", args=[session.pk])
        self.storage_key = str(session.pk)
        self.not_a_person = _("This person is not a participant of this programme.")

    def people(self) -> list[Person]:
        attended = set(self.session.attendances.values_list("participant_id", flat=True))
        registered = self.session.programme.participants.registered()
        return [
            Person(p.uuid, p.producer, p.pk in attended)
            for p in registered.select_related("producer").order_by("pk")
        ]

    def tick_url(self, person: UUID) -> str:
        return reverse("session_tick", args=[self.session.pk, person])

    def by_code(self, code: str, user: User) -> Person:
        done = do_check_in_by_code(self.session, code, acting_user=user)
        return Person(done.participant.uuid, done.participant.producer, True)

    def tick(self, person: UUID, user: User) -> Person | None:
        participant = (
            Participant.objects.select_related("producer")
            .filter(uuid=person, programme=self.session.programme)
            .first()
        )
        if participant is None:
            return None
        done = do_tick_attendance(self.session, participant, acting_user=user)
        return Person(done.participant.uuid, done.participant.producer, True)


class EventDesk:
    """An event: every guest invited, except those who answered they are not coming."""

    def __init__(self, event: Event) -> None:
        self.event = event
        self.title = event.title
        self.day = event.starts_on
        self.back_url = reverse("event_detail", args=[event.uuid])
        self.page_url = reverse("event_check_in", args=[event.uuid])
        self.code_url = reverse("event_check_in_code", args=[event.uuid])
        self.sync_url = reverse("event_sync", args=[event.uuid])
        self.storage_key = f"event-{event.pk}"
        self.not_a_person = _("This person is not a guest of this event.")

    def people(self) -> list[Person]:
        guests = self.event.guests.exclude(answer=Guest.Answer.NO).select_related("producer")
        return [
            Person(g.uuid, g.producer, g.checked_in_at is not None) for g in guests.order_by("pk")
        ]

    def tick_url(self, person: UUID) -> str:
        return reverse("event_tick", args=[self.event.uuid, person])

    def by_code(self, code: str, user: User) -> Person:
        guest = do_check_in_guest_by_code(self.event, code, acting_user=user)
        return Person(guest.uuid, guest.producer, True)

    def tick(self, person: UUID, user: User) -> Person | None:
        guest = self.event.guests.select_related("producer").filter(uuid=person).first()
        if guest is None:
            return None
        done = do_tick_guest(self.event, guest, acting_user=user)
        return Person(done.uuid, done.producer, True)


def _checked_in(person: Person) -> str:
    return _("Checked in: %(name)s.") % {"name": person.producer}


def check_in_page(
    request: HttpRequest, desk: Desk, form: CheckInCodeForm | None = None, status: int = 200
) -> HttpResponse:
    people = desk.people()
    context: dict[str, Any] = {
        "desk": desk,
        "people": [(person, desk.tick_url(person.uuid)) for person in people],
        "came": sum(1 for person in people if person.came),
        "code_form": form or CheckInCodeForm(),
    }
    response = render(request, "events/check_in.html", context, status=status)
    response["Permissions-Policy"] = CHECK_IN_POLICY
    return response


def check_in_by_code(request: HttpRequest, desk: Desk, user: User) -> HttpResponse:
    """A code typed, or read by the camera (which submits the same form)."""
    form = CheckInCodeForm(request.POST)
    if form.is_valid():
        try:
            person = desk.by_code(form.cleaned_data["code"], user)
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            messages.success(request, _checked_in(person))
            return redirect(desk.page_url)
    return check_in_page(request, desk, form=form, status=400)


def tick(request: HttpRequest, desk: Desk, person: UUID, user: User) -> HttpResponse:
    try:
        done = desk.tick(person, user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if done is None:
            raise Http404(desk.not_a_person)
        messages.success(request, _checked_in(done))
    return redirect(desk.page_url)


def sync(request: HttpRequest, desk: Desk, user: User) -> JsonResponse:
    """One check-in saved on the phone while it was offline, sent now: by `code` (a scan or a
    typed code) or `participant` (a name ticked: the uuid of their place). The answer says whom
    it checked in, or why not (a duplicate is refused, so a queue sent twice records nothing
    twice)."""
    code = request.POST.get("code", "")
    try:
        if code:
            done: Person | None = desk.by_code(code, user)
        else:
            try:
                person = UUID(request.POST.get("participant", ""))
            except ValueError:
                done = None
            else:
                done = desk.tick(person, user)
    except ValidationError as exc:
        return JsonResponse({"ok": False, "message": " ".join(exc.messages)})
    if done is None:
        return JsonResponse({"ok": False, "message": desk.not_a_person})
    return JsonResponse({"ok": True, "message": _checked_in(done), "participant": str(done.uuid)})
