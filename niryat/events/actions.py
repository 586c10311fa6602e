"""Writes of trainings and events. Each `do_*` is atomic, checks scope, and is audited.

A refusal raises `Refused` with a message in the active language and saves nothing; a check-in
or a registration that was already made is refused too, so nothing is ever recorded twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from niryat.catalog.models import Product
from niryat.core import imaging
from niryat.core.audit import record_audit
from niryat.core.dates import format_date
from niryat.core.messaging import MessageRefused, Outgoing, gateway
from niryat.core.models import District, PartnerOrg, User
from niryat.core.scoping import require_write
from niryat.core.text import in_each_language
from niryat.events.codes import (
    FEEDBACK_SALT,
    RSVP_SALT,
    check_in_code,
    guest_code,
    guest_signed_for,
    guest_token,
    read_code,
    read_guest_code,
    read_guest_token,
    signed_for,
)
from niryat.events.models import (
    Attendance,
    Benefit,
    Certificate,
    Event,
    Feedback,
    Guest,
    Nomination,
    Participant,
    Programme,
    Session,
    Stall,
    stall_label,
)
from niryat.registry.actions import do_move_stage
from niryat.registry.models import STAGE_ORDER, Producer, Stage

# The message templates this app sends (their wording is registered with the messaging app).
INVITATION_TEMPLATE = "training_invitation"


class Refused(ValidationError):
    """A write refused for a reason the user can act on; nothing was saved."""


@dataclass
class Registration:
    """What registering a list of producers did, one line per producer."""

    registered: list[Producer] = field(default_factory=list)
    waiting: list[Producer] = field(default_factory=list)
    refused: list[tuple[Producer, str]] = field(default_factory=list)


@dataclass
class Sending:
    sent: int = 0
    refused: list[tuple[Participant, str]] = field(default_factory=list)


@dataclass(frozen=True)
class CheckIn:
    attendance: Attendance
    participant: Participant


PROGRAMME_FIELDS = ("kind", "title", "partner", "scheme", "eligibility", "capacity")
SESSION_FIELDS = ("date", "venue", "online_link", "trainers", "topics")


@transaction.atomic
def do_create_programme(
    district: District, values: dict[str, Any], *, acting_user: User
) -> Programme:
    """A new programme in `district` (values: kind, title, partner, scheme, eligibility,
    capacity)."""
    require_write(district, acting_user)
    programme = Programme(
        district=district,
        created_by=acting_user,
        **{name: values[name] for name in PROGRAMME_FIELDS if name in values},
    )
    if not programme.capacity or programme.capacity < 1:
        raise Refused({"capacity": [_("A programme has room for at least one person.")]})
    programme.full_clean(exclude=["created_by"])
    programme.save()
    record_audit(
        actor=acting_user,
        action="programme.create",
        obj=programme,
        district=district,
        changes={"title": programme.title, "kind": programme.kind},
    )
    return programme


@transaction.atomic
def do_add_session(programme: Programme, values: dict[str, Any], *, acting_user: User) -> Session:
    """A session of the programme: a date, a venue or an online link, trainers and topics."""
    require_write(programme.district, acting_user)
    session = Session(
        programme=programme, **{name: values[name] for name in SESSION_FIELDS if name in values}
    )
    if not session.venue.strip() and not session.online_link.strip():
        raise Refused({"venue": [_("Give the venue or the online link.")]})
    session.full_clean()
    session.save()
    record_audit(
        actor=acting_user,
        action="programme.session",
        obj=session,
        district=programme.district,
        changes={"date": session.date.isoformat(), "venue": session.venue},
    )
    return session


def _locked_programme(programme: Programme) -> Programme:
    return Programme.objects.select_for_update().get(pk=programme.pk)


def _not_eligible(producer: Producer, district_id: int | None) -> str:
    """Why the producer cannot take part in a programme or event of `district_id` (None: a
    state-level event, open to every district), or "" when they can."""
    if district_id is not None and producer.district_id != district_id:
        return str(
            _("%(name)s is from another district (%(district)s).")
            % {"name": producer, "district": producer.district}
        )
    if producer.erased_at is not None:
        return str(_("This producer's record was erased."))
    return ""


@transaction.atomic
def do_register_participants(
    programme: Programme, producers: Iterable[Producer], *, acting_user: User
) -> Registration:
    """Give each producer a place, or a place on the waiting list once the programme is full.

    A producer of another district, an erased one or one who already has a place is refused
    with the reason; the others are registered all the same."""
    require_write(programme.district, acting_user)
    programme = _locked_programme(programme)  # places are counted under the lock
    taken = programme.participants.registered().count()
    already = set(
        programme.participants.exclude(status=Participant.Status.CANCELLED).values_list(
            "producer_id", flat=True
        )
    )
    result = Registration()
    for producer in producers:
        name = str(producer)
        refusal = _not_eligible(producer, programme.district_id)
        if refusal:
            result.refused.append((producer, refusal))
            continue
        if producer.pk in already:
            result.refused.append(
                (producer, _("%(name)s already has a place in this programme.") % {"name": name})
            )
            continue
        status = (
            Participant.Status.REGISTERED
            if taken < programme.capacity
            else Participant.Status.WAITING
        )
        participant = Participant.objects.filter(programme=programme, producer=producer).first()
        if participant is None:  # a cancelled place is taken up again, not made twice
            participant = Participant(programme=programme, producer=producer)
        participant.status = status
        participant.save()
        already.add(producer.pk)
        if status == Participant.Status.REGISTERED:
            taken += 1
            result.registered.append(producer)
        else:
            result.waiting.append(producer)
        record_audit(
            actor=acting_user,
            action="programme.register",
            obj=participant,
            district=programme.district,
            changes={"producer": producer.pk, "status": status},
        )
    return result


@transaction.atomic
def do_cancel_place(participant: Participant, *, acting_user: User) -> Participant | None:
    """Cancel a place; the first on the waiting list moves up into it (returned)."""
    programme = participant.programme
    require_write(programme.district, acting_user)
    programme = _locked_programme(programme)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status == Participant.Status.CANCELLED:
        raise Refused(_("This place was cancelled already."))
    if participant.attendances.exists():
        raise Refused(_("This participant has attended a session; the place stays."))
    was_registered = participant.status == Participant.Status.REGISTERED
    participant.status = Participant.Status.CANCELLED
    participant.save(update_fields=["status", "updated_at"])
    record_audit(
        actor=acting_user,
        action="programme.cancel",
        obj=participant,
        district=programme.district,
    )
    moved_up = None
    if was_registered:
        moved_up = programme.participants.waiting().select_for_update().first()
        if moved_up is not None:
            moved_up.status = Participant.Status.REGISTERED
            moved_up.save(update_fields=["status", "updated_at"])
            record_audit(
                actor=acting_user,
                action="programme.move_up",
                obj=moved_up,
                district=programme.district,
            )
    return moved_up


def _first_session(programme: Programme) -> Session | None:
    return programme.sessions.first()


@transaction.atomic
def do_send_invitations(programme: Programme, *, acting_user: User) -> Sending:
    """Invite every registered participant through the messaging gateway, with the first
    session's date and place and their check-in code. Once per participant: sending again
    invites only those not invited yet."""
    require_write(programme.district, acting_user)
    session = _first_session(programme)
    if session is None:
        raise Refused(_("Add a session first: the invitation gives its date and place."))
    result = Sending()
    now = timezone.now()
    for participant in programme.participants.registered().filter(invited_at__isnull=True):
        message = Outgoing(
            template=INVITATION_TEMPLATE,
            key=f"events:invitation:{participant.uuid}",
            producer_id=participant.producer_id,
            variables={
                "programme": programme.title,
                "date": session.date.strftime("%d.%m.%Y"),
                "place": session.venue or session.online_link,
                "code": check_in_code(participant.pk, programme.pk),
            },
        )
        try:
            gateway().send(message)
        except MessageRefused as exc:
            result.refused.append((participant, str(exc)))
            continue
        participant.invited_at = now
        participant.save(update_fields=["invited_at", "updated_at"])
        result.sent += 1
    record_audit(
        actor=acting_user,
        action="programme.invite",
        obj=programme,
        district=programme.district,
        changes={"sent": result.sent, "refused": len(result.refused)},
    )
    return result


def _mark_trained(participant: Participant, session: Session, acting_user: User) -> None:
    """Attendance proves the producer trained: the funnel moves forward, never back."""
    producer = Producer.objects.select_for_update().get(pk=participant.producer_id)
    if producer.erased_at is not None:
        return
    if STAGE_ORDER[Stage(producer.stage)] >= STAGE_ORDER[Stage.TRAINED]:
        return
    reasons = in_each_language(
        lambda: (
            _("Attended %(programme)s on %(date)s")
            % {"programme": session.programme.title, "date": format_date(session.date)}
        )
    )
    do_move_stage(
        producer,
        Stage.TRAINED,
        reason=reasons["en"],
        reason_hi=reasons["hi"],
        acting_user=acting_user,
    )


def _record_attendance(
    session: Session, participant: Participant, method: str, acting_user: User
) -> CheckIn:
    if participant.status == Participant.Status.CANCELLED:
        raise Refused(_("%(name)s's place was cancelled.") % {"name": participant.producer})
    if participant.status == Participant.Status.WAITING:
        raise Refused(
            _("%(name)s is on the waiting list, not registered.") % {"name": participant.producer}
        )
    earlier = Attendance.objects.filter(session=session, participant=participant).first()
    if earlier is not None:
        raise Refused(
            _("%(name)s was checked in already at %(time)s.")
            % {
                "name": participant.producer,
                "time": timezone.localtime(earlier.checked_in_at).strftime("%H:%M"),
            }
        )
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                session=session,
                participant=participant,
                method=method,
                checked_in_at=timezone.now(),
                recorded_by=acting_user,
            )
    except IntegrityError as exc:  # a second scan of the same card at the same moment
        raise Refused(
            _("%(name)s was checked in already.") % {"name": participant.producer}
        ) from exc
    _mark_trained(participant, session, acting_user)
    record_audit(
        actor=acting_user,
        action="programme.check_in",
        obj=attendance,
        district=session.programme.district,
        changes={"participant": participant.pk, "method": method},
    )
    return CheckIn(attendance, participant)


@transaction.atomic
def do_check_in_by_code(session: Session, code: str, *, acting_user: User) -> CheckIn:
    """Check a participant in by the code their QR card holds (scanned or typed)."""
    require_write(session.programme.district, acting_user)
    read = read_code(code)
    if read is None:
        raise Refused(_("This is not a check-in code of ours."))
    participant = (
        Participant.objects.select_related("producer", "programme")
        .filter(pk=read.participant_id)
        .first()
    )
    if participant is None or not signed_for(read, participant.programme_id):
        raise Refused(_("This code is not valid."))
    if participant.programme_id != session.programme_id:
        raise Refused(
            _("This code is for another programme: %(programme)s.")
            % {"programme": participant.programme.title}
        )
    return _record_attendance(session, participant, Attendance.Method.QR, acting_user)


@transaction.atomic
def do_tick_attendance(session: Session, participant: Participant, *, acting_user: User) -> CheckIn:
    """Check a participant in by ticking their name on the session's list."""
    require_write(session.programme.district, acting_user)
    if participant.programme_id != session.programme_id:
        raise Refused(_("This person is not a participant of this programme."))
    return _record_attendance(session, participant, Attendance.Method.LIST, acting_user)


def certificate_number(participant: Participant) -> str:
    programme = participant.programme
    return f"TR/{programme.district.lgd_code}/{programme.pk}/{participant.pk}"


@transaction.atomic
def do_issue_certificate(participant: Participant, *, acting_user: User) -> Certificate:
    """A certificate for a participant who attended at least one session, once."""
    programme = participant.programme
    require_write(programme.district, acting_user)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    name = participant.producer
    if hasattr(participant, "certificate"):
        raise Refused(_("%(name)s has a certificate already.") % {"name": name})
    if participant.status != Participant.Status.REGISTERED:
        raise Refused(_("%(name)s is not registered in this programme.") % {"name": name})
    if not participant.attendances.exists():
        raise Refused(_("%(name)s did not attend any session.") % {"name": name})
    certificate = Certificate.objects.create(
        participant=participant,
        number=certificate_number(participant),
        issued_on=timezone.localdate(),
        issued_by=acting_user,
    )
    record_audit(
        actor=acting_user,
        action="certificate.issue",
        obj=certificate,
        district=programme.district,
        changes={"number": certificate.number},
    )
    return certificate


@transaction.atomic
def do_issue_certificates(
    programme: Programme, *, acting_user: User
) -> tuple[list[Certificate], int]:
    """Certificates for everyone who attended and has none yet; returns them and how many
    registered participants did not attend (and so get none)."""
    require_write(programme.district, acting_user)
    issued = []
    absent = 0
    for participant in programme.participants.registered().select_related("producer"):
        if hasattr(participant, "certificate"):
            continue
        if not participant.attendances.exists():
            absent += 1
            continue
        issued.append(do_issue_certificate(participant, acting_user=acting_user))
    return issued, absent


@transaction.atomic
def do_revoke_certificate(certificate: Certificate, *, reason: str, acting_user: User) -> None:
    """Revoke a certificate: its public page says so from now on."""
    programme = certificate.participant.programme
    require_write(programme.district, acting_user)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise Refused(_("This certificate was revoked already."))
    if not reason.strip():
        raise Refused({"reason": [_("Say why the certificate is revoked.")]})
    certificate.revoked_at = timezone.now()
    certificate.revoke_reason = reason.strip()
    certificate.save(update_fields=["revoked_at", "revoke_reason", "updated_at"])
    record_audit(
        actor=acting_user,
        action="certificate.revoke",
        obj=certificate,
        district=programme.district,
        changes={"reason": certificate.revoke_reason},
    )


# Conclaves, exhibitions and study visits -------------------------------------------------------

EVENT_INVITATION_TEMPLATE = "event_invitation"
EVENT_REMINDER_TEMPLATE = "event_reminder"
EVENT_FEEDBACK_TEMPLATE = "event_feedback"
EVENT_FIELDS = (
    "kind",
    "title",
    "starts_on",
    "ends_on",
    "venue",
    "agenda",
    "speakers",
    "floor_rows",
    "floor_columns",
    "itinerary",
)
REMIND_DAYS_BEFORE = 2


def _require_event_write(event: Event, acting_user: User) -> None:
    if event.district is None:
        if not (acting_user.is_state_level and acting_user.can_write):
            raise PermissionDenied(_("You may read this record but not change it."))
    else:
        require_write(event.district, acting_user)


@transaction.atomic
def do_create_event(
    district: District | None,
    values: dict[str, Any],
    partners: Iterable[PartnerOrg] = (),
    *,
    acting_user: User,
) -> Event:
    """A conclave, exhibition, buyer-seller meet or study visit of `district`, or of the state
    (`district` None: state administrators only)."""
    event = Event(
        district=district,
        created_by=acting_user,
        **{name: values[name] for name in EVENT_FIELDS if name in values},
    )
    _require_event_write(event, acting_user)
    if event.ends_on and event.starts_on and event.ends_on < event.starts_on:
        raise Refused({"ends_on": [_("The event cannot end before it starts.")]})
    event.full_clean(exclude=["created_by"])
    event.save()
    event.partners.set(list(partners))
    record_audit(
        actor=acting_user,
        action="event.create",
        obj=event,
        district=district,
        changes={"title": event.title, "kind": event.kind},
    )
    return event


@transaction.atomic
def do_write_visit_report(event: Event, *, itinerary: str, report: str, acting_user: User) -> Event:
    """A study visit's itinerary and, after it, its report."""
    _require_event_write(event, acting_user)
    event = Event.objects.select_for_update().get(pk=event.pk)
    event.itinerary = itinerary.strip()
    event.report = report.strip()
    event.save(update_fields=["itinerary", "report", "updated_at"])
    record_audit(actor=acting_user, action="event.report", obj=event, district=event.district)
    return event


def _link(name: str, token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[token])


def _event_date(event: Event) -> str:
    if event.ends_on != event.starts_on:
        return f"{event.starts_on:%d.%m.%Y}–{event.ends_on:%d.%m.%Y}"
    return event.starts_on.strftime("%d.%m.%Y")


@dataclass
class Invitations:
    invited: int = 0
    refused: list[tuple[Producer, str]] = field(default_factory=list)


@transaction.atomic
def do_invite_to_event(
    event: Event, producers: Iterable[Producer], *, acting_user: User
) -> Invitations:
    """Invite producers (a filtered list from the registry) through the gateway, each with their
    own RSVP link. A producer of another district, an erased one or one invited already is
    refused with the reason; the others are invited."""
    _require_event_write(event, acting_user)
    event = Event.objects.select_for_update().get(pk=event.pk)
    already = set(event.guests.values_list("producer_id", flat=True))
    result = Invitations()
    now = timezone.now()
    for producer in producers:
        name = str(producer)
        refusal = _not_eligible(producer, event.district_id)
        if refusal:
            result.refused.append((producer, refusal))
            continue
        if producer.pk in already:
            result.refused.append((producer, _("%(name)s is invited already.") % {"name": name}))
            continue
        guest = Guest.objects.create(event=event, producer=producer)
        already.add(producer.pk)
        try:
            gateway().send(
                Outgoing(
                    template=EVENT_INVITATION_TEMPLATE,
                    key=f"events:event-invitation:{guest.uuid}",
                    producer_id=producer.pk,
                    variables={
                        "event": event.title,
                        "date": _event_date(event),
                        "place": event.venue,
                        "link": _link("event_rsvp", guest_token(str(guest.uuid), RSVP_SALT)),
                    },
                )
            )
        except MessageRefused as exc:
            result.refused.append(
                (producer, _("Not sent to %(name)s: %(reason)s") % {"name": name, "reason": exc})
            )
        else:
            guest.invited_at = now
            guest.save(update_fields=["invited_at", "updated_at"])
            result.invited += 1
    record_audit(
        actor=acting_user,
        action="event.invite",
        obj=event,
        district=event.district,
        changes={"invited": result.invited, "refused": len(result.refused)},
    )
    return result


def guest_for_token(token: str, salt: str) -> Guest | None:
    """The guest a public link (RSVP or feedback) was made for, or None for a bad link."""
    value = read_guest_token(token, salt)
    if value is None:
        return None
    try:
        return Guest.objects.select_related("event", "producer").filter(uuid=value).first()
    except (ValueError, ValidationError):
        return None


@transaction.atomic
def do_answer_rsvp(guest: Guest, answer: str) -> Guest:
    """The guest's yes or no from their RSVP link (no sign-in: the signed link is the proof).
    They may change their mind until the event starts."""
    guest = Guest.objects.select_for_update().select_related("event").get(pk=guest.pk)
    if answer not in {Guest.Answer.YES, Guest.Answer.NO}:
        raise Refused(_("Answer yes or no."))
    if timezone.localdate() > guest.event.ends_on:
        raise Refused(_("This event is over; the answer can no longer be changed."))
    guest.answer = answer
    guest.answered_at = timezone.now()
    guest.save(update_fields=["answer", "answered_at", "updated_at"])
    record_audit(
        actor=None,
        action="event.rsvp",
        obj=guest,
        district=guest.producer.district,
        changes={"answer": answer},
    )
    return guest


@dataclass
class Reminders:
    sent: int = 0
    failed: int = 0


def do_send_event_reminders(*, today: datetime.date | None = None) -> Reminders:
    """Remind every invited guest who has not said no, once, in the days just before the
    event, with their check-in code. Running it again sends nothing twice."""
    today = today or timezone.localdate()
    result = Reminders()
    due = Guest.objects.filter(
        invited_at__isnull=False,
        reminded_at__isnull=True,
        event__starts_on__gte=today,
        event__starts_on__lte=today + datetime.timedelta(days=REMIND_DAYS_BEFORE),
    ).exclude(answer=Guest.Answer.NO)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            guest = Guest.objects.select_for_update(of=("self",)).select_related("event").get(pk=pk)
            if guest.reminded_at is not None:
                continue
            event = guest.event
            try:
                gateway().send(
                    Outgoing(
                        template=EVENT_REMINDER_TEMPLATE,
                        key=f"events:event-reminder:{guest.uuid}",
                        producer_id=guest.producer_id,
                        variables={
                            "event": event.title,
                            "date": _event_date(event),
                            "place": event.venue,
                            "code": guest_code(guest.pk, event.pk),
                        },
                    )
                )
            except MessageRefused:
                result.failed += 1
                continue
            guest.reminded_at = timezone.now()
            guest.save(update_fields=["reminded_at", "updated_at"])
            result.sent += 1
    return result


def _stall_in_grid(event: Event, row: int, column: int) -> None:
    if not (1 <= row <= event.floor_rows and 1 <= column <= event.floor_columns):
        raise Refused(
            _("There is no stall %(stall)s: the floor has %(rows)d rows of %(columns)d stalls.")
            % {
                "stall": stall_label(row, column),
                "rows": event.floor_rows,
                "columns": event.floor_columns,
            }
        )


@transaction.atomic
def do_assign_stall(
    event: Event,
    row: int,
    column: int,
    producer: Producer,
    products: Iterable[Product] = (),
    *,
    acting_user: User,
) -> Stall:
    """Give the stall at (row, column) to a producer with the products of theirs shown there.
    A stall taken by another producer is refused; the same producer's stall gets the new
    products."""
    _require_event_write(event, acting_user)
    event = Event.objects.select_for_update().get(pk=event.pk)  # stalls are given under the lock
    _stall_in_grid(event, row, column)
    if event.district_id is not None and producer.district_id != event.district_id:
        raise Refused(
            _("%(name)s is from another district (%(district)s).")
            % {"name": producer, "district": producer.district}
        )
    chosen = list(products)
    foreign = [product for product in chosen if product.producer_id != producer.pk]
    if foreign:
        raise Refused(
            _("%(product)s is not %(name)s's product.") % {"product": foreign[0], "name": producer}
        )
    stall = event.stalls.filter(row=row, column=column).select_related("producer").first()
    if stall is not None and stall.producer_id != producer.pk:
        raise Refused(
            _("Stall %(stall)s is taken by %(name)s.")
            % {"stall": stall.label, "name": stall.producer}
        )
    if stall is None:
        stall = Stall.objects.create(
            event=event, row=row, column=column, producer=producer, assigned_by=acting_user
        )
    stall.products.set(chosen)
    record_audit(
        actor=acting_user,
        action="event.stall",
        obj=stall,
        district=producer.district,
        changes={"stall": stall.label, "producer": producer.pk, "products": len(chosen)},
    )
    return stall


@transaction.atomic
def do_free_stall(stall: Stall, *, acting_user: User) -> None:
    _require_event_write(stall.event, acting_user)
    record_audit(
        actor=acting_user,
        action="event.stall_free",
        obj=stall,
        district=stall.producer.district,
        changes={"stall": stall.label},
    )
    stall.delete()


def _check_in_guest(guest: Guest, acting_user: User) -> Guest:
    guest = Guest.objects.select_for_update().select_related("producer").get(pk=guest.pk)
    if guest.checked_in_at is not None:
        raise Refused(
            _("%(name)s was checked in already at %(time)s.")
            % {
                "name": guest.producer,
                "time": timezone.localtime(guest.checked_in_at).strftime("%H:%M"),
            }
        )
    if guest.answer == Guest.Answer.NO:
        # They changed their mind and came: welcome, and the answer says so.
        guest.answer = Guest.Answer.YES
    guest.checked_in_at = timezone.now()
    guest.checked_in_by = acting_user
    guest.save(update_fields=["checked_in_at", "checked_in_by", "answer", "updated_at"])
    record_audit(
        actor=acting_user,
        action="event.check_in",
        obj=guest,
        district=guest.producer.district,
    )
    return guest


@transaction.atomic
def do_check_in_guest_by_code(event: Event, code: str, *, acting_user: User) -> Guest:
    """Check a guest in by the code of their QR card (scanned or typed)."""
    _require_event_write(event, acting_user)
    read = read_guest_code(code)
    if read is None:
        raise Refused(_("This is not a check-in code of ours."))
    guest = Guest.objects.select_related("event").filter(pk=read.participant_id).first()
    if guest is None or not guest_signed_for(read, guest.event_id):
        raise Refused(_("This code is not valid."))
    if guest.event_id != event.pk:
        raise Refused(
            _("This code is for another event: %(event)s.") % {"event": guest.event.title}
        )
    return _check_in_guest(guest, acting_user)


@transaction.atomic
def do_tick_guest(event: Event, guest: Guest, *, acting_user: User) -> Guest:
    """Check a guest in by ticking their name on the event's list."""
    _require_event_write(event, acting_user)
    if guest.event_id != event.pk:
        raise Refused(_("This person is not a guest of this event."))
    return _check_in_guest(guest, acting_user)


@transaction.atomic
def do_give_feedback(guest: Guest, rating: int, text: str) -> Feedback:
    """A guest's feedback from their public link: a rating of 1 to 5 and what they would tell
    us; once, and only from someone who came."""
    guest = Guest.objects.select_for_update().get(pk=guest.pk)
    if guest.checked_in_at is None:
        raise Refused(_("Feedback is for those who came to the event."))
    if Feedback.objects.filter(guest=guest).exists():
        raise Refused(_("Your feedback was received already. Thank you."))
    if not 1 <= rating <= 5:
        raise Refused({"rating": [_("Give a rating from 1 to 5.")]})
    feedback = Feedback.objects.create(guest=guest, rating=rating, text=text.strip()[:2000])
    record_audit(
        actor=None,
        action="event.feedback",
        obj=feedback,
        district=guest.producer.district,
        changes={"rating": rating},
    )
    return feedback


@transaction.atomic
def do_ask_for_feedback(event: Event, *, acting_user: User) -> Sending:
    """Send everyone who came their feedback link, once each (the gateway's key)."""
    _require_event_write(event, acting_user)
    result = Sending()
    for guest in event.guests.filter(checked_in_at__isnull=False, feedback__isnull=True):
        try:
            gateway().send(
                Outgoing(
                    template=EVENT_FEEDBACK_TEMPLATE,
                    key=f"events:event-feedback:{guest.uuid}",
                    producer_id=guest.producer_id,
                    variables={
                        "event": event.title,
                        "link": _link(
                            "event_feedback", guest_token(str(guest.uuid), FEEDBACK_SALT)
                        ),
                    },
                )
            )
        except MessageRefused:
            continue
        result.sent += 1
    record_audit(
        actor=acting_user,
        action="event.ask_feedback",
        obj=event,
        district=event.district,
        changes={"sent": result.sent},
    )
    return result


@transaction.atomic
def do_nominate(event: Event, producer: Producer, reason: str, *, acting_user: User) -> Nomination:
    """A district nominates one of its producers to a state-level event; the state sees every
    district's nominees."""
    require_write(producer.district, acting_user)
    if not event.is_state_level:
        raise Refused(_("Producers are nominated to state-level events only."))
    if producer.erased_at is not None:
        raise Refused(_("This producer's record was erased."))
    if Nomination.objects.filter(event=event, producer=producer).exists():
        raise Refused(_("%(name)s is nominated to this event already.") % {"name": producer})
    nomination = Nomination.objects.create(
        event=event,
        producer=producer,
        district=producer.district,
        reason=reason.strip(),
        nominated_by=acting_user,
    )
    record_audit(
        actor=acting_user,
        action="event.nominate",
        obj=nomination,
        district=producer.district,
        changes={"event": event.pk, "producer": producer.pk},
    )
    return nomination


# Scheme benefits ------------------------------------------------------------------------------

BENEFIT_FIELDS = ("scheme", "item", "description", "serial_number", "handed_over_on", "programme")


@transaction.atomic
def do_record_benefit(
    producer: Producer,
    values: dict[str, Any],
    photo: bytes,
    *,
    acting_user: User,
) -> Benefit:
    """Record what a scheme handed over to a producer, when, with a photo of the handover (kept
    upright as a JPEG, its EXIF with any GPS position removed). A solar charkha needs its serial
    number, and a serial number is handed over once."""
    require_write(producer.district, acting_user)
    if producer.erased_at is not None:
        raise Refused(_("This producer's record was erased."))
    benefit = Benefit(
        district=producer.district,
        producer=producer,
        recorded_by=acting_user,
        **{name: values[name] for name in BENEFIT_FIELDS if name in values},
    )
    benefit.serial_number = benefit.serial_number.strip().upper()
    programme = benefit.programme
    if programme is not None and programme.district_id != producer.district_id:
        raise Refused({"programme": [_("This programme is of another district.")]})
    if benefit.item == Benefit.Item.SOLAR_CHARKHA and not benefit.serial_number:
        raise Refused({"serial_number": [_("Give the solar charkha's serial number.")]})
    if benefit.handed_over_on and benefit.handed_over_on > timezone.localdate():
        raise Refused({"handed_over_on": [_("The handover date cannot be in the future.")]})
    if benefit.serial_number:
        earlier = (
            Benefit.objects.filter(item=benefit.item, serial_number=benefit.serial_number)
            .select_related("producer")
            .first()
        )
        if earlier is not None:
            raise Refused(
                {
                    "serial_number": [
                        _("Serial number %(serial)s was handed over already, on %(date)s.")
                        % {
                            "serial": benefit.serial_number,
                            "date": format_date(earlier.handed_over_on),
                        }
                    ]
                }
            )
    try:
        clean, _format, _size = imaging.clean_original(photo)
    except imaging.ImagingError as exc:
        raise Refused({"photo": [str(exc)]}) from exc
    benefit.full_clean(exclude=["photo", "recorded_by"])
    benefit.photo.save("handover.jpg", ContentFile(clean), save=False)
    benefit.save()
    record_audit(
        actor=acting_user,
        action="benefit.record",
        obj=benefit,
        district=producer.district,
        changes={"item": benefit.item, "serial_number": benefit.serial_number},
    )
    return benefit
