"""The trainings a producer is expected at, for the messaging gateway's answer to "प्रशिक्षण"
(niryat.core.messaging.Agenda, named in settings.MESSAGING_AGENDA)."""

from __future__ import annotations

from datetime import date

from niryat.core.messaging import Appointment
from niryat.events.models import Participant, Session

# As many as one SMS can carry.
SHOWN = 3


class EventsAgenda:
    def upcoming_trainings(self, producer_id: int, *, today: date) -> list[Appointment]:
        sessions = (
            Session.objects.filter(
                date__gte=today,
                programme__participants__producer_id=producer_id,
                programme__participants__status=Participant.Status.REGISTERED,
            )
            .select_related("programme")
            .order_by("date", "pk")[:SHOWN]
        )
        return [
            Appointment(on=session.date, title=session.programme.title, place=session.venue)
            for session in sessions
        ]
