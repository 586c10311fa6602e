"""Background tasks of the registry (django-tasks; `manage.py db_worker` runs them). Sheet
imports run as the import framework's task (niryat/core/sheets)."""

from __future__ import annotations

from uuid import UUID

from django.utils.translation import gettext_noop
from django_tasks import task

from niryat.core.models import TaskProgress
from niryat.core.progress import fail_progress
from niryat.registry.actions import do_flag_district_duplicates

SEARCH_FAILED = gettext_noop("The search for duplicates stopped on an error; no pair was flagged.")


@task()
def find_district_duplicates(progress_id: str) -> None:
    """Search the district of `progress_id` for likely duplicates, as the person who asked."""
    progress = TaskProgress.objects.select_related("owner", "district").get(uuid=progress_id)
    if progress.finished or progress.district is None:
        return  # already done: a task that runs twice does its work once
    try:
        do_flag_district_duplicates(
            progress.district, acting_user=progress.owner, progress=UUID(progress_id)
        )
    except Exception:
        fail_progress(UUID(progress_id), message=SEARCH_FAILED)
        raise
