"""Background tasks of the channels (django-tasks; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from niryat.channels import outbox
from niryat.channels.models import Grievance, Order, OrderLine
from niryat.core.dates import format_datetime
from niryat.core.sms import send_sms


@task()
def run_outbox_entry(entry_id: int) -> None:
    """Make one marketplace call of the outbox (a no-op if it is not due or already made)."""
    outbox.run(entry_id)


@task()
def notify_producer_of_order(order_id: int) -> None:
    """Tell the producer of a new order by SMS, in Hindi: what, how many, and pack by when."""
    order = Order.objects.select_related("producer", "account").get(pk=order_id)
    if order.producer is None or not order.producer.mobile:
        return
    with translation.override("hi"):
        items = ", ".join(
            f"{_line_name(line)} × {line.quantity}" for line in order.lines.select_related("sku")
        )
        text = _("New order on %(channel)s: %(items)s. Order %(order)s.") % {
            "channel": order.account.get_channel_display(),
            "items": items,
            "order": order.channel_order_id,
        }
        if order.ship_by:
            # In India's time: a pack-by time of 03:23 IST is the evening before in UTC.
            text += " " + _("Pack by %(date)s.") % {"date": format_datetime(order.ship_by)}
    send_sms(order.producer.mobile, text)


def _line_name(line: OrderLine) -> str:
    if line.sku is None:
        return line.seller_sku
    return line.sku.title_hi or line.sku.title_en or line.seller_sku


@task()
def notify_producer_of_grievance(grievance_id: int) -> None:
    """Tell the producer of a buyer's complaint by SMS, in Hindi: which order, what it says, and
    that the centre will call."""
    grievance = Grievance.objects.select_related("producer", "order").get(pk=grievance_id)
    if grievance.producer is None or not grievance.producer.mobile:
        return
    with translation.override("hi"):
        order = grievance.order.channel_order_id if grievance.order is not None else "—"
        text = _(
            "A buyer on ONDC complained about order %(order)s: %(complaint)s. The centre will "
            "call you; it must be settled by %(date)s."
        ) % {
            "order": order,
            "complaint": grievance.short_desc[:120],
            "date": format_datetime(grievance.resolve_by),
        }
    send_sms(grievance.producer.mobile, text)
