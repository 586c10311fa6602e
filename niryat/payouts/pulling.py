"""Reading an account's settlements from its marketplace (a `SettlementPull`), as the channels'
outbox reads orders: part by part, each part's settlements recorded before more are asked for,
so that a retry after a passing fault (429, 5xx, a timeout) goes on from where it stopped, never
sooner than the marketplace's Retry-After. A permanent failure waits for staff."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from niryat.channels.base import ChannelError
from niryat.channels.outbox import backoff_seconds
from niryat.channels.registry import channel_for
from niryat.core.http import HttpError
from niryat.payouts import actions
from niryat.payouts.models import Settlement, SettlementPull

logger = logging.getLogger("niryat.payouts")


def run(pull_id: int, now: datetime | None = None) -> str:
    """Make the pull if it is due; its state afterwards."""
    now = now or timezone.now()
    pull = SettlementPull.objects.select_related("account").get(pk=pull_id)
    if pull.state != SettlementPull.State.PENDING or pull.next_try_at > now:
        return str(pull.state)
    pull.attempts += 1
    channel = channel_for(pull.account)
    try:
        for part in channel.pull_settlement_parts(pull.since, pull.resume):
            changed = 0
            for data in part.settlements:
                recorded = actions.do_record_settlement(
                    pull.account, data, source=Settlement.Source.API, acting_user=pull.started_by
                )
                changed += int(recorded.changed)
            actions.record_pull_progress(pull, part.resume, changed)
    except (ChannelError, HttpError) as exc:
        out_of_tries = pull.attempts >= settings.CHANNEL_MAX_ATTEMPTS
        if exc.permanent or out_of_tries:
            actions.record_pull_end(pull, state=SettlementPull.State.FAILED, error=str(exc))
            return str(pull.state)
        delay = backoff_seconds(pull.attempts, exc.retry_after)
        retry_at = now + timedelta(seconds=delay)
        actions.record_pull_end(
            pull, state=SettlementPull.State.PENDING, error=str(exc), next_try_at=retry_at
        )
        logger.info("settlement pull %s: %s; again in %.1fs", pull.pk, exc, delay)
        from niryat.payouts.tasks import run_settlement_pull

        run_settlement_pull.using(run_after=retry_at).enqueue(pull.pk)
        return str(pull.state)
    actions.record_pull_end(pull, state=SettlementPull.State.DONE)
    return str(pull.state)
