"""Writes of trainings and events. Each `do_*` is atomic, checks scope, and is audited.

A refusal raises `Refused` with a message in the active language and saves nothing; a check-in
or a registration that was already made is refused too, so nothing is ever recorded twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from niryat.core.audit import record_audit
from niryat.core.dates import format_date
from niryat.core.messaging import MessageRefused, Outgoing, gateway
from niryat.core.models import District, User
from niryat.core.scoping import require_write
from niryat.events.codes import check_in_code, read_code, signed_for
from niryat.events.models import Attendance, Certificate, Participant, Programme, Session
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
        if producer.district_id != programme.district_id:
            result.refused.append(
                (
                    producer,
                    _("%(name)s is from another district (%(district)s).")
                    % {"name": name, "district": producer.district},
                )
            )
            continue
        if producer.erased_at is not None:
            result.refused.append((producer, _("This producer's record was erased.")))
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
    reason = _("Attended %(programme)s on %(date)s") % {
        "programme": session.programme.title,
        "date": format_date(session.date),
    }
    do_move_stage(producer, Stage.TRAINED, reason=reason, acting_user=acting_user)


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
