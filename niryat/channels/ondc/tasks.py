"""The node's background work (django-tasks; `manage.py db_worker` runs it): answering a buyer
app's request with its callback, and delivering a callback again after a transient failure."""

from __future__ import annotations

from django_tasks import task

from niryat.channels.ondc import server


@task()
def answer_ondc_request(received_pk: int) -> None:
    """Run the request's handler and send the signed `on_<action>` callback."""
    server.answer(received_pk)


@task()
def deliver_ondc_callback(sent_pk: int) -> None:
    """Try again to deliver a callback the buyer app could not take."""
    server.deliver_again(sent_pk)
