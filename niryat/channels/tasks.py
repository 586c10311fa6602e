"""Background tasks of the channels (django-tasks; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django.utils import translation
from django_tasks import task

from niryat.channels import outbox
from niryat.channels.models import Grievance, Order, OrderLine
from niryat.core.dates import format_datetime
from niryat.core.messaging import Outgoing, gateway


@task()
def run_outbox_entry(entry_id: int) -> None:
    """Make one marketplace call of the outbox (a no-op if it is not due or already made)."""
    outbox.run(entry_id)


@task()
def notify_producer_of_order(order_id: int) -> None:
    """Tell the producer of a new order, in Hindi, on the channel they use: what, how many,
    and pack by when. Once per order, however often the task runs."""
    order = Order.objects.select_related("producer", "account").get(pk=order_id)
    if order.producer is None:
        return
    with translation.override("hi"):
        items = ", ".join(
            f"{_line_name(line)} × {line.quantity}" for line in order.lines.select_related("sku")
        )
        variables = {
            "channel": str(order.account.get_channel_display()),
            "items": items,
            "order": order.channel_order_id,
        }
        if order.ship_by:
            # In India's time: a pack-by time of 03:23 IST is the evening before in UTC.
            variables["date"] = format_datetime(order.ship_by)
    gateway().send(
        Outgoing(
            template="order_alert" if order.ship_by else "order_alert_no_date",
            key=f"order_alert:{order.pk}",
            variables=variables,
            producer_id=order.producer_id,
            language="hi",
        )
    )


def _line_name(line: OrderLine) -> str:
    if line.sku is None:
        return line.seller_sku
    return line.sku.title_hi or line.sku.title_en or line.seller_sku


@task()
def notify_producer_of_grievance(grievance_id: int) -> None:
    """Tell the producer of a buyer's complaint, in Hindi, on the channel they use: which order,
    what it says, and that the centre will call. Once per complaint."""
    grievance = Grievance.objects.select_related("producer", "order").get(pk=grievance_id)
    if grievance.producer is None:
        return
    with translation.override("hi"):
        variables = {
            "order": grievance.order.channel_order_id if grievance.order is not None else "—",
            "complaint": grievance.short_desc[:120],
            "date": format_datetime(grievance.resolve_by),
        }
    gateway().send(
        Outgoing(
            template="grievance_alert",
            key=f"grievance_alert:{grievance.pk}",
            variables=variables,
            producer_id=grievance.producer_id,
            language="hi",
        )
    )
