"""Background tasks of events (django-tasks; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from niryat.events.actions import do_send_event_reminders


@task()
def send_event_reminders() -> dict[str, int]:
    """Remind the guests of events in the next days, once each (idempotent)."""
    result = do_send_event_reminders()
    return {"sent": result.sent, "failed": result.failed}
