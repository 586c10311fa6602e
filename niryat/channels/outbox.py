"""The outbox: every call to a marketplace is an `OutboxEntry`, made by a background task.

An entry is claimed with a conditional UPDATE (pending and due → running, with a lease), so two
workers never make the same call, and the call itself runs outside any database transaction
(a slow marketplace holds no locks). If a worker dies mid-call, the lease runs out and the entry is
made again with the same idempotency key, which the channels use so that a repeat changes nothing.

Transient failures (429, 5xx, timeouts) retry with exponential backoff and jitter, never sooner
than the marketplace's Retry-After (or, after no answer at all, than the time we waited for one);
a 429 also holds back every call to that account until then.
Each account's calls are spaced by its channel's documented rate. Permanent failures, and entries
out of attempts, wait in "needs attention" until staff retry them.

Calls about one SKU on one account go out in the order they were decided: an entry may name
others it comes `after` (a stock push after the cancellation of an order holding the SKU), and is
claimed only once all of them are finished (done, failed for good or superseded). Finishing an
entry schedules those waiting on it. Without this a marketplace that adds a cancelled unit back
to its quantity could hear the cancellation after our new quantity, and offer one unit too many.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from niryat.channels.base import ChannelError
from niryat.channels.models import ChannelAccount, Listing, OutboxEntry
from niryat.channels.registry import channel_for
from niryat.core.http import HttpError

logger = logging.getLogger("niryat.channels")


def enqueue(
    account: ChannelAccount,
    operation: str,
    *,
    key: str,
    listing: Listing | None = None,
    order: Any = None,
    payload: dict[str, Any] | None = None,
    delay: float = 0.0,
    after: Iterable[OutboxEntry] = (),
) -> OutboxEntry:
    """Add a call to the outbox, in the caller's transaction. The same key twice adds it once.
    `after`: unfinished calls this one must wait for."""
    entry, created = OutboxEntry.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "account": account,
            "operation": operation,
            "listing": listing,
            "order": order,
            "payload": payload or {},
            "next_try_at": timezone.now() + timedelta(seconds=delay),
        },
    )
    if created:
        predecessors = [other for other in after if other.pk != entry.pk]
        if predecessors:
            entry.after.add(*predecessors)
        schedule(entry)
    return entry


UNFINISHED = (OutboxEntry.State.PENDING, OutboxEntry.State.RUNNING)


def release_successors(entry_ids: Iterable[int]) -> None:
    """Entries finished: schedule the calls that waited for them (a call still waiting for
    another is simply not claimed when its task comes, and is scheduled again later)."""
    waiting = OutboxEntry.objects.filter(
        after__in=list(entry_ids), state=OutboxEntry.State.PENDING
    ).distinct()
    for successor in waiting:
        schedule(successor)


def schedule(entry: OutboxEntry) -> None:
    """Ask the task worker to make the call when it is due. The task is queued in the caller's
    transaction (database task backend), so it exists exactly when the entry does."""
    from niryat.channels.tasks import run_outbox_entry

    run_outbox_entry.using(run_after=entry.next_try_at).enqueue(entry.pk)


def backoff_seconds(attempts: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter ("full jitter" on the upper half), capped, and never less
    than the marketplace's Retry-After."""
    ceiling = min(settings.CHANNEL_RETRY_CAP_SECONDS, settings.CHANNEL_RETRY_SECONDS * 2**attempts)
    delay = random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security
    return max(delay, retry_after or 0.0)


def _lease_seconds() -> float:
    return max(60.0, 3 * settings.CHANNEL_HTTP_TIMEOUT)


def claim(entry_id: int, now: datetime) -> OutboxEntry | None:
    """Take a due entry for this worker, or None if it is not due, done, or someone else's."""
    due = Q(state=OutboxEntry.State.PENDING) | Q(state=OutboxEntry.State.RUNNING)
    lease_end = now + timedelta(seconds=_lease_seconds())
    claimed = (
        OutboxEntry.objects.filter(due, pk=entry_id, next_try_at__lte=now)
        .exclude(account__status=ChannelAccount.Status.DISCONNECTED)
        # Not before the calls it waits for are finished (they schedule it when they are).
        .exclude(after__state__in=UNFINISHED)
        .update(state=OutboxEntry.State.RUNNING, next_try_at=lease_end, updated_at=now)
    )
    if not claimed:
        return None
    return OutboxEntry.objects.select_related("account", "listing__sku__product", "order").get(
        pk=entry_id
    )


# A turn this close is waited for in the worker; a later one reschedules the call.
MAX_INLINE_WAIT = 2.0


def _take_turn(entry: OutboxEntry, now: datetime) -> bool:
    """Space calls to one account by its channel's documented rate, and keep them behind a 429's
    Retry-After. False (and the call rescheduled) when the account's turn is not close."""
    spacing = timedelta(seconds=1 / channel_for(entry.account).calls_per_second)
    with transaction.atomic():
        account = ChannelAccount.objects.select_for_update().get(pk=entry.account_id)
        turn = max(now, account.next_call_at or now)
        wait = (turn - now).total_seconds()
        if wait > MAX_INLINE_WAIT:
            OutboxEntry.objects.filter(pk=entry.pk).update(
                state=OutboxEntry.State.PENDING, next_try_at=turn
            )
            entry.next_try_at = turn
            schedule(entry)
            return False
        ChannelAccount.objects.filter(pk=account.pk).update(next_call_at=turn + spacing)
    if wait > 0:
        time.sleep(wait)
    return True


def run(entry_id: int, now: datetime | None = None) -> bool:
    """Make one outbox call if it is due. True if a call was made."""
    from niryat.channels import calls

    now = now or timezone.now()
    entry = claim(entry_id, now)
    if entry is None:
        return False
    if not _take_turn(entry, now):
        return False
    try:
        again_in = calls.perform(entry)
    except (ChannelError, HttpError) as exc:
        _failed(entry, exc, now)
        return True
    except Exception as exc:  # a bug: show it to staff rather than retry it forever in silence
        logger.exception("outbox entry %s failed", entry.pk)
        _failed(entry, ChannelError(f"{type(exc).__name__}: {exc}", permanent=True), now)
        return True
    if again_in is None:
        OutboxEntry.objects.filter(pk=entry.pk).update(
            state=OutboxEntry.State.DONE, last_error="", last_status=None, updated_at=timezone.now()
        )
        release_successors([entry.pk])
    else:  # a poll that must look again later
        entry.state = OutboxEntry.State.PENDING
        entry.next_try_at = timezone.now() + timedelta(seconds=again_in)
        entry.save(update_fields=["state", "next_try_at", "updated_at"])
        schedule(entry)
    return True


def _failed(entry: OutboxEntry, exc: ChannelError | HttpError, now: datetime) -> None:
    from niryat.channels import calls

    entry.attempts += 1
    entry.last_error = str(exc)[:2000]
    entry.last_status = exc.status
    if exc.retry_after:
        # A 429 is about the account, not this call: hold back all of its calls.
        ChannelAccount.objects.filter(pk=entry.account_id).update(
            next_call_at=now + timedelta(seconds=exc.retry_after)
        )
    if exc.permanent or entry.attempts >= settings.CHANNEL_MAX_ATTEMPTS:
        entry.state = OutboxEntry.State.FAILED
        entry.save(update_fields=["state", "attempts", "last_error", "last_status", "updated_at"])
        calls.gave_up(entry, exc)
        release_successors([entry.pk])
        return
    entry.state = OutboxEntry.State.PENDING
    entry.next_try_at = now + timedelta(seconds=backoff_seconds(entry.attempts, exc.retry_after))
    if exc.status is None:
        # No answer (a timeout, a dropped connection): the marketplace may still be making the
        # call. Asked again at once, it could read the state from before it and make it twice
        # (a second shipment); it is asked no sooner than we waited for its answer.
        settled = timezone.now() + timedelta(seconds=settings.CHANNEL_HTTP_TIMEOUT)
        entry.next_try_at = max(entry.next_try_at, settled)
    entry.save(
        update_fields=[
            "state",
            "attempts",
            "last_error",
            "last_status",
            "next_try_at",
            "updated_at",
        ]
    )
    schedule(entry)


def run_due(now: datetime | None = None, limit: int = 1000) -> int:
    """Make every call that is due now (tests, benches, and the `channels_sync` command, which
    catches anything a lost task missed). Returns how many calls were made."""
    now = now or timezone.now()
    due = (
        OutboxEntry.objects.filter(state__in=UNFINISHED, next_try_at__lte=now)
        .exclude(after__state__in=UNFINISHED)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(run(entry_id, now) for entry_id in list(due))
