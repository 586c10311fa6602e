"""Background tasks of messaging (django-tasks; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from niryat.messaging import gateway, inbound


@task()
def deliver_message(message_id: int) -> None:
    """Send one queued message, and other due ones with it (a no-op if it is not due, or was
    sent with another's)."""
    gateway.deliver_due(message_id)


@task()
def answer_message(message_id: int) -> None:
    """Answer what a producer sent: a keyword, STOP, a photo, a number from a list."""
    inbound.answer(message_id)
