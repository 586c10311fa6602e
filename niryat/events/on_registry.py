"""What trainings do when the registry decides about a producer (`registry/hooks.py`)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy

from niryat.core.models import User
from niryat.events.models import Attendance, Certificate, Participant
from niryat.registry.hooks import DataSection
from niryat.registry.models import Producer

ERASED_REASON = "The holder's record was erased."


class EventsProducerHooks:
    def producer_merged(
        self, survivor: Producer, duplicate: Producer, *, acting_user: User
    ) -> None:
        # A place follows the record that is kept. Where both had a place in one programme, the
        # survivor's stays and takes the duplicate's check-ins (one per session) and certificate
        # (if it has none); the duplicate's place then goes with the duplicate.
        kept = {p.programme_id: p for p in Participant.objects.filter(producer=survivor)}
        for place in Participant.objects.filter(producer=duplicate):
            twin = kept.get(place.programme_id)
            if twin is None:
                place.producer = survivor
                place.save(update_fields=["producer", "updated_at"])
                continue
            came = set(twin.attendances.values_list("session_id", flat=True))
            Attendance.objects.filter(participant=place).exclude(session_id__in=came).update(
                participant=twin
            )
            if twin.status != Participant.Status.REGISTERED and place.attendances.exists():
                twin.status = Participant.Status.REGISTERED
                twin.save(update_fields=["status", "updated_at"])
            if not hasattr(twin, "certificate"):
                Certificate.objects.filter(participant=place).update(participant=twin)

    def producer_erased(self, producer: Producer, *, acting_user: User) -> None:
        # A certificate's public page shows the holder's name: once they are erased it can no
        # longer vouch for anyone, so it says it is revoked. Places not yet used are cancelled.
        Certificate.objects.filter(participant__producer=producer, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoke_reason=ERASED_REASON
        )
        Participant.objects.filter(producer=producer, attendances__isnull=True).exclude(
            status=Participant.Status.CANCELLED
        ).update(status=Participant.Status.CANCELLED)

    def listing_consent_changed(
        self, producer: Producer, *, given: bool, acting_user: User
    ) -> None:
        # Trainings are not listings: consent to be listed does not touch them.
        return None

    def withdrawal_consequences(self, producer: Producer) -> list[str]:
        return []

    def personal_data(self, producer: Producer) -> list[DataSection]:
        rows = [
            {
                "programme": place.programme.title,
                "status": place.status,
                "sessions_attended": [
                    a.session.date.isoformat() for a in place.attendances.select_related("session")
                ],
                "certificate": place.certificate.number if hasattr(place, "certificate") else "",
            }
            for place in Participant.objects.filter(producer=producer).select_related(
                "programme", "certificate"
            )
        ]
        return [DataSection("trainings", gettext_lazy("Trainings"), rows)] if rows else []
