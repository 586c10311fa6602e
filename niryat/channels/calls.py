"""What each outbox operation does: call the channel, then record the answer.

`perform` runs outside any transaction (the marketplace may be slow); the answer is recorded by
the actions, each in its own transaction. It returns None when the entry is done, or the seconds
until it must run again (a listing still in review).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from http import HTTPStatus

from django.conf import settings
from django.utils import timezone

from niryat.channels import actions
from niryat.channels.base import Channel, ChannelError, ListingStatus, Shipment
from niryat.channels.models import Listing, Order, OutboxEntry
from niryat.channels.registry import channel_for
from niryat.core.http import HttpError

Operation = OutboxEntry.Operation

# Orders changed in the last minutes are asked for again: marketplaces report some late.
ORDER_OVERLAP = timedelta(minutes=10)
FIRST_ORDER_PULL = timedelta(days=30)


def perform(entry: OutboxEntry) -> float | None:
    channel = channel_for(entry.account)
    key = entry.idempotency_key
    if entry.operation == Operation.PULL_ORDERS:
        _pull_orders(entry, channel)
        return None
    if entry.operation == Operation.CANCEL_ORDER:
        order = Order.objects.get(outbox=entry)
        channel.cancel_order(order, entry.payload.get("reason", ""), key=key)
        return None
    if entry.operation == Operation.PACK:
        channel.pack(Order.objects.select_related("account").get(outbox=entry), key=key)
        return None
    if entry.operation == Operation.SHIP:
        order = Order.objects.select_related("account").get(outbox=entry)
        payload = entry.payload
        # What staff gave when they marked it shipped (the order may have moved on since).
        asked = Shipment(
            carrier=str(payload.get("carrier", "")),
            tracking_number=str(payload.get("tracking_number", "")),
            shipped_at=datetime.fromisoformat(payload["shipped_at"]),
        )
        actions.record_shipment(order, channel.ship(order, asked, key=key))
        return None
    if entry.operation == Operation.TELL_BUYER:
        channel.tell_buyer(entry.payload, key=key)
        return None
    if entry.operation == Operation.RECONCILE:
        _check_quantities(entry, channel)
        return None
    listing = Listing.objects.select_related("sku__product", "account").get(outbox=entry)
    if entry.operation == Operation.SUBMIT:
        status = channel.submit(listing, key=key)
        actions.record_listing_status(listing, status)
        if status.state == Listing.State.SUBMITTED:
            actions.queue_poll(listing)
    elif entry.operation == Operation.POLL:
        if listing.state != Listing.State.SUBMITTED:
            return None  # answered meanwhile (a newer submission, or ended by staff)
        status = channel.poll(listing)
        actions.record_listing_status(listing, status)
        if status.state == Listing.State.SUBMITTED:
            polls = actions.count_poll(listing)
            if polls >= settings.CHANNEL_MAX_POLLS:
                raise ChannelError(
                    f"still in review on the marketplace after {polls} checks", permanent=True
                )
            return min(settings.CHANNEL_RETRY_CAP_SECONDS, settings.CHANNEL_POLL_SECONDS * 2**polls)
    elif entry.operation == Operation.STOCK:
        if listing.state == Listing.State.ENDED:
            return None  # ended after the push was queued: nothing is offered any more
        # The stock as it is now, not when the call was queued: a later change is never undone.
        quantity = actions.quantity_for(listing)
        channel.push_stock(listing, quantity, key=key)
        actions.record_sent(listing, quantity=quantity)
    elif entry.operation == Operation.PRICE:
        channel.push_price(listing, key=key)
        actions.record_sent(listing, price=listing.sku.price)
    elif entry.operation == Operation.END:
        channel.end(listing, key=key)
        actions.record_listing_status(listing, ListingStatus(Listing.State.ENDED))
        actions.listing_ended(listing)
    return None


def _pull_orders(entry: OutboxEntry, channel: Channel) -> None:
    """Fetch the orders part by part (a page, or an order with its items), recording each part's
    orders and then where the pull stands, so that a retry after a fault goes on from there.

    The pull's window is fixed by its first try and kept on the entry: from a little before what
    the account's last finished pull read (`orders_pulled_until`) to when this one started, which
    becomes `orders_pulled_until` once the last part is in, and not before. A pull that fails for
    good leaves it where it was, and the next one reads the same orders again."""
    pull = dict(entry.payload)
    if "started" not in pull:
        started = timezone.now()
        since = (entry.account.orders_pulled_until or started - FIRST_ORDER_PULL) - ORDER_OVERLAP
        pull = {"since": since.isoformat(), "started": started.isoformat()}
        actions.record_progress(entry, pull)
    since = datetime.fromisoformat(pull["since"])
    resume = pull.get("resume")
    try:
        for part in channel.pull_order_parts(since, resume):
            for data in part.orders:
                actions.record_order(entry.account, data)
            # Kept before asking for more.
            pull = {**pull, "resume": part.resume}
            actions.record_progress(entry, pull)
    except (ChannelError, HttpError) as exc:
        if resume is not None and exc.permanent and exc.status == HTTPStatus.BAD_REQUEST:
            # The marketplace no longer knows where we stopped (a page token that expired):
            # read the window again from its start, on the next try.
            actions.record_progress(entry, {k: v for k, v in pull.items() if k != "resume"})
            raise ChannelError(
                f"{exc} (reading the orders again from the start)", status=exc.status
            ) from exc
        raise
    actions.record_orders_pulled(entry.account, datetime.fromisoformat(pull["started"]))
    # What the pages held (Flipkart's shipments) is not kept once the orders are.
    actions.record_progress(entry, {k: v for k, v in pull.items() if k != "resume"})


def _check_quantities(entry: OutboxEntry, channel: Channel) -> None:
    """Read the listings' quantities a call's worth at a time (Amazon and eBay: one listing), and
    compare each batch as soon as it is read; the last listing checked is kept on the entry, so
    that a retry after a fault goes on from the next one."""
    checked = int(entry.payload.get("checked_up_to", 0))
    while True:
        listings = list(
            actions.listings_to_check(entry.account).filter(pk__gt=checked)[
                : channel.quantities_per_call
            ]
        )
        if not listings:
            return
        # Read first, outside any transaction; each listing is then compared under its lock.
        started = timezone.now()
        offered = channel.read_quantities(listings)
        actions.record_quantities(entry.account, offered, read_since=started)
        checked = listings[-1].pk
        actions.record_progress(entry, {**entry.payload, "checked_up_to": checked})


def gave_up(entry: OutboxEntry, exc: ChannelError | HttpError) -> None:
    """An entry failed for good: a rejected submission shows on its listing with the errors."""
    if entry.operation == Operation.SUBMIT and exc.permanent and entry.listing is not None:
        listing = entry.listing
        errors = exc.field_errors if isinstance(exc, ChannelError) else []
        actions.record_listing_status(
            listing, ListingStatus(Listing.State.REJECTED, errors=errors), note=str(exc)[:500]
        )
