"""Background tasks of the payouts (django-tasks; `manage.py db_worker` runs them)."""

from __future__ import annotations

import logging

from django.db.models import Sum
from django.utils import translation
from django_tasks import task

from niryat.core.dates import format_date
from niryat.core.messaging import MessageRefused, Outgoing, gateway
from niryat.core.money import format_money
from niryat.payouts import actions, pulling
from niryat.payouts.models import Settlement

logger = logging.getLogger("niryat.payouts")

# The message template a payout is told with (a row of niryat/messaging's templates).
PAYOUT_TEMPLATE = "payout_landed"


@task()
def run_settlement_pull(pull_id: int) -> str:
    """Read an account's settlements from its marketplace (a no-op if not due or finished)."""
    return pulling.run(pull_id)


@task()
def notify_payout(settlement_id: int) -> int:
    """A payout landed: tell each producer, in Hindi, what each of their orders brought into
    their account and when ("ऑर्डर #… का ₹… आपके खाते में … को आया"), on the channel they use.
    One message per order and payout, however often the task runs. The number sent."""
    settlement = Settlement.objects.get(pk=settlement_id)
    if settlement.paid_on is None:
        return 0
    per_order = (
        settlement.lines.filter(producer__isnull=False, order__isnull=False, foreign_currency=False)
        .values_list("order_id", "order__channel_order_id", "producer_id")
        .annotate(net=Sum("amount"))
        .order_by("order_id")
    )
    sent = 0
    for order_id, channel_order_id, producer_id, net in per_order:
        if net <= 0:
            continue  # a refund alone brings nothing in
        with translation.override("hi"):
            variables = {
                "order": channel_order_id,
                "amount": format_money(net, settlement.currency),
                "date": format_date(settlement.paid_on),
            }
        try:
            gateway().send(
                Outgoing(
                    template=PAYOUT_TEMPLATE,
                    key=f"{PAYOUT_TEMPLATE}:{settlement.pk}:{order_id}:{producer_id}",
                    variables=variables,
                    producer_id=producer_id,
                    language="hi",
                )
            )
        except MessageRefused as exc:
            # No template yet, or no number for the producer: the figures are on their page.
            logger.warning("payout %s not told to producer %s: %s", settlement.pk, producer_id, exc)
            continue
        sent += 1
    actions.mark_notified(settlement)
    return sent
