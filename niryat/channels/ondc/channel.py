"""ONDC as a channel of the order book: buyers' apps call us (niryat/channels/ondc/orders.py), so
there is nothing to submit or pull; what the channel does is tell the buyer's app what staff do
with its orders (unsolicited on_status when they accept, pack, ship, send out for delivery or
deliver; on_cancel when they cancel) through the outbox, which retries until the app
acknowledges."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.translation import gettext_lazy as _

from niryat.catalog.completeness import Problem
from niryat.channels import outbox
from niryat.channels.base import Channel, ChannelError
from niryat.channels.models import ChannelAccount, OndcNode, Order, OutboxEntry
from niryat.channels.ondc import callbacks
from niryat.core.http import HttpError

if TYPE_CHECKING:
    from niryat.catalog.models import Sku

# The steps staff take that the buyer's app hears of as on_status (accepting: "Pending", the
# order "Accepted").
TOLD_AS_STATUS = (
    Order.State.ACCEPTED,
    Order.State.PACKED,
    Order.State.SHIPPED,
    Order.State.OUT_FOR_DELIVERY,
    Order.State.DELIVERED,
)


class OndcChannel(Channel):
    code = "ondc"
    name = "ONDC"
    # Buyer apps are many and each answers for itself; the spacing only keeps one centre's
    # burst of messages from hogging the worker.
    calls_per_second: ClassVar[float] = 20.0
    # The settlement window the node's payment terms give buyer apps (orders.SETTLEMENT_WINDOW).
    payment_cycle_days: ClassVar[int] = 1

    def validate(self, sku: Sku) -> list[Problem]:
        """What on_search needs of the SKU (`catalogue.ondc_problems`) and what the order flow
        needs to quote it: a price, not above the MRP."""
        from niryat.channels.ondc.catalogue import ondc_problems

        problems = ondc_problems(sku)
        if sku.price is None or sku.price <= 0:
            problems.append(
                Problem("ondc", "price", _("ONDC buyers are quoted the price: set it."))
            )
        if sku.mrp is not None and sku.price is not None and sku.price > sku.mrp:
            problems.append(
                Problem("ondc", "price", _("The price is above the MRP; ONDC refuses it."))
            )
        return problems

    def build(self, skus: Sequence[Sku]) -> Any:
        """What the order flow quotes each SKU as: its ONDC item id (the SKU's uuid), provider id
        (its producer's uuid), price and stock."""
        return [
            {
                "id": str(sku.uuid),
                "provider_id": str(sku.product.producer.uuid),
                "price": f"{sku.price or 0:.2f}",
                "stock": sku.stock,
            }
            for sku in skus
        ]

    def seller_changed_state(self, order: Order, before: str, after: str) -> None:
        from niryat.channels.models import OndcOrder
        from niryat.channels.ondc.orders import order_message

        if after not in TOLD_AS_STATUS:
            return
        ondc = OndcOrder.objects.filter(order=order).select_related("node").first()
        if ondc is None:
            return
        ondc.order = order  # as staff just left it
        queue_for_buyer(order.account, order, ondc.context, "on_status", order_message(ondc), after)

    def cancel_order(self, order: Order, reason: str, *, key: str) -> None:
        """Staff cancelled (or could not fill) the order: unsolicited on_cancel, reason 005
        (the merchant rejected the order)."""
        from niryat.channels.models import OndcOrder
        from niryat.channels.ondc.orders import SELLER_CANCEL_REASON, order_message

        ondc = OndcOrder.objects.select_related("order", "node").get(order=order)
        if not ondc.cancellation_reason_id:
            ondc.cancellation_reason_id = SELLER_CANCEL_REASON
            ondc.save(update_fields=["cancellation_reason_id", "updated_at"])
        context = {**ondc.context, "message_id": _message_id(key)}
        self.tell_buyer(
            {"action": "on_cancel", "context": context, "message": order_message(ondc)}, key=key
        )

    def tell_buyer(self, message: dict[str, Any], *, key: str) -> None:
        from niryat.channels.ondc.server import send_unsolicited

        if self.account is None:
            raise ChannelError("ondc: no account to send from", permanent=True)
        node = OndcNode.objects.get(district_id=self.account.district_id)
        try:
            send_unsolicited(node, message["context"], message["action"], message["message"])
        except callbacks.CallbackRefused as exc:
            # A NACK may be the buyer app's passing trouble: asked again, with backoff, until
            # it acknowledges or the outbox gives up and shows the call to staff.
            raise ChannelError(str(exc)) from exc
        except HttpError as exc:
            raise ChannelError(
                str(exc), permanent=exc.permanent, retry_after=exc.retry_after, status=exc.status
            ) from exc


def _message_id(key: str) -> str:
    """The same message id on every try of one outbox call, a fresh one for each call."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"niryat-ondc:{key}"))


def queue_for_buyer(
    account: ChannelAccount,
    order: Order | None,
    context: dict[str, Any],
    action: str,
    message: dict[str, Any],
    step: str,
) -> OutboxEntry:
    """Queue an unsolicited callback (`action`, e.g. on_status) in the caller's transaction, with
    a new message id of its own (the same on each retry), after every earlier one about the same
    order still unsent: the buyer's app hears packed before shipped. The message is what is true
    when the step is taken; a retry later still says what happened then."""
    # Unique per message (the key column holds 100 characters).
    key = f"tell_buyer:{step[:40]}:{uuid.uuid4().hex}"
    earlier = (
        list(
            OutboxEntry.objects.filter(
                order=order, operation=OutboxEntry.Operation.TELL_BUYER, state__in=outbox.UNFINISHED
            )
        )
        if order is not None
        else []
    )
    payload = {
        "action": action,
        "context": {**context, "message_id": _message_id(key)},
        "message": message,
    }
    return outbox.enqueue(
        account,
        OutboxEntry.Operation.TELL_BUYER,
        key=key,
        order=order,
        payload=payload,
        after=earlier,
    )
