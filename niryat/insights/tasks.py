"""Background tasks of insights (django-tasks; `manage.py db_worker` runs them): the dashboards'
figures brought up to date, the day's changes often (a scheduler calls `refresh_dashboards`,
every few minutes or nightly) and in full on demand or weekly."""

from __future__ import annotations

from django_tasks import task

from niryat.core.models import User
from niryat.insights.actions import do_refresh_summaries


@task()
def refresh_dashboards() -> None:
    """The figures touched since the last run."""
    do_refresh_summaries()


@task()
def rebuild_dashboards(user_id: int | None = None) -> None:
    """Every figure computed again, from every record, as the person who asked."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    do_refresh_summaries(full=True, acting_user=user)
