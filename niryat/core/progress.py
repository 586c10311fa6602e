"""Progress of background tasks, shown to the person who started them (page and API)."""

from __future__ import annotations

from uuid import UUID

from django.db.models import F

from niryat.core.models import District, TaskProgress, User


def start_progress(
    *, owner: User, label: str, total: int = 0, district: District | None = None
) -> TaskProgress:
    """`label` is an English msgid (mark it with gettext_noop); pages show it translated."""
    return TaskProgress.objects.create(owner=owner, label=label, total=total, district=district)


def report_progress(progress_id: UUID, *, done: int, total: int | None = None) -> None:
    fields: dict[str, object] = {"done": done, "status": TaskProgress.Status.RUNNING}
    if total is not None:
        fields["total"] = total
    TaskProgress.objects.filter(uuid=progress_id).update(**fields)


def advance_progress(progress_id: UUID, *, by: int = 1) -> None:
    TaskProgress.objects.filter(uuid=progress_id).update(
        done=F("done") + by, status=TaskProgress.Status.RUNNING
    )


def finish_progress(progress_id: UUID, *, message: str = "", result: dict | None = None) -> None:
    TaskProgress.objects.filter(uuid=progress_id).update(
        status=TaskProgress.Status.DONE, message=message, result=result or {}
    )


def fail_progress(progress_id: UUID, *, message: str) -> None:
    TaskProgress.objects.filter(uuid=progress_id).update(
        status=TaskProgress.Status.FAILED, message=message
    )
