"""Background tasks of the export desk (django-tasks; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from niryat.exportdesk.actions import do_send_readiness_reminders


@task()
def send_readiness_reminders() -> dict[str, int]:
    """Remind producers of readiness items about to lapse; idempotent (once per expiry date)."""
    result = do_send_readiness_reminders()
    return {"sent": result.sent, "skipped": result.skipped, "failed": result.failed}
