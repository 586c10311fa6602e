"""Incremental catalogue pushes to the buyer apps that asked for them (search, catalog_inc mode
"start"; shared/ONDC_FACTS.md §2.5, §6).

A price or stock change, a deleted SKU or a producer's withdrawn consent is queued as an
`OndcChange` by the hooks below, inside the write's transaction. Every ONDC_PUSH_MINUTES
`push_catalogue_changes` (manage.py ondc_push_catalogue) gathers what is queued, district by
district and domain by domain, into one `on_search` (city "*", catalog_inc payload: items as they
are now, disabled providers and items) for each subscribed buyer app, with a new message id in
the subscription's transaction. A push is sent until the buyer app ACKs it, with a delay that
doubles after each failure. Nothing is pushed when nothing is left to say: an empty catalogue
is never sent."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from niryat.catalog.completeness import Problem
from niryat.catalog.models import Sku
from niryat.channels.models import (
    OndcChange,
    OndcDomainMapping,
    OndcNode,
    OndcPush,
    OndcSubscription,
)
from niryat.channels.ondc import callbacks
from niryat.channels.ondc.catalogue import incremental_catalogue, ondc_problems
from niryat.channels.ondc.items import CHECK, domain_of
from niryat.channels.ondc.server import send_unsolicited
from niryat.core.http import HttpError
from niryat.core.models import User
from niryat.registry.hooks import DataSection
from niryat.registry.models import Producer


def _domain(sku: Sku) -> str:
    product = sku.product
    mappings = {
        m.odop_product_id: m
        for m in OndcDomainMapping.objects.filter(odop_product_id=product.odop_product_id)
    }
    return domain_of(product, mappings)[0]


def queue_sku_change(sku: Sku, *, disable: bool = False) -> None:
    """Tell subscribed buyer apps about the SKU at the next push (its price or stock changed, or,
    with `disable`, it is going). `channels.actions.sync_sku` calls it on every stock and price
    change, whoever makes it (staff, an order on any channel)."""
    product = sku.product
    OndcChange.objects.create(
        district_id=product.district_id,
        provider_id=str(sku.producer.uuid),
        item_id=str(sku.uuid),
        domain=_domain(sku),
        disable=disable,
    )


def queue_producer_disabled(producer: Producer) -> None:
    """The producer's goods leave ONDC: their provider is disabled at the next push."""
    OndcChange.objects.create(
        district_id=producer.district_id, provider_id=str(producer.uuid), disable=True
    )


class OndcSkuHooks:
    """The catalogue's writes, for ONDC's pushes (settings.SKU_HOOKS)."""

    def check_labels(self) -> dict[str, str | Promise]:
        return {CHECK: gettext_lazy("What ONDC asks for")}

    def sku_problems(self, sku: Sku) -> list[Problem]:
        """ONDC's rules, on the checklist of every SKU of a district whose centre has a node."""
        if (
            sku.pk is None
            or not OndcNode.objects.filter(district_id=sku.product.district_id).exists()
        ):
            return []
        return ondc_problems(sku)

    # Stock and price changes, by staff or by an order on any channel, all pass through
    # `channels.actions.sync_sku`, which queues them: nothing to do here.
    def stock_changed(self, sku: Sku, before: int, after: int, *, acting_user: User) -> None:
        pass

    def price_changed(self, sku: Sku, *, acting_user: User) -> None:
        pass

    def deletion_consequences(self, skus: Sequence[Sku]) -> list[str]:
        return []

    def skus_deleting(self, skus: Sequence[Sku], *, acting_user: User) -> None:
        for sku in skus:
            queue_sku_change(sku, disable=True)

    def sku_still_needed(self, sku: Sku) -> bool:
        return False


class OndcProducerHooks:
    """The registry's decisions about a producer, for ONDC's pushes (settings.PRODUCER_HOOKS)."""

    def producer_merged(
        self, survivor: Producer, duplicate: Producer, *, acting_user: User
    ) -> None:
        queue_producer_disabled(duplicate)

    def producer_erased(self, producer: Producer, *, acting_user: User) -> None:
        queue_producer_disabled(producer)

    def listing_consent_changed(
        self, producer: Producer, *, given: bool, acting_user: User
    ) -> None:
        if not given:
            queue_producer_disabled(producer)

    def withdrawal_consequences(self, producer: Producer) -> list[str]:
        return []

    def personal_data(self, producer: Producer) -> list[DataSection]:
        return []


# --- gathering and sending -----------------------------------------------------------------------


# How long pushed changes and ACKed pushes are kept (a buyer app may pull a past time range).
KEEP = timedelta(days=30)


def gather_changes() -> int:
    """Turn what is queued into pushes, one per subscribed buyer app and domain with something
    to say; the number of pushes made."""
    made = 0
    now = timezone.now()
    with transaction.atomic():
        changes = list(
            OndcChange.objects.select_for_update().filter(batched_at__isnull=True).order_by("id")
        )
        if not changes:
            return 0
        by_district: dict[int, list[OndcChange]] = {}
        for change in changes:
            by_district.setdefault(change.district_id, []).append(change)
        for district_id, queued in by_district.items():
            node = OndcNode.objects.filter(district_id=district_id).first()
            if node is None:
                continue
            subscriptions = OndcSubscription.objects.filter(node=node, active=True)
            for subscription in subscriptions:
                relevant = [
                    c
                    for c in queued
                    if c.created_at >= subscription.started_at
                    and c.domain in ("", subscription.domain)
                ]
                if not relevant:
                    continue
                message = incremental_catalogue(node, subscription.domain, relevant)
                if not message["catalog"]["bpp/providers"]:
                    continue  # never an empty catalogue
                OndcPush.objects.create(subscription=subscription, message=message, next_try_at=now)
                made += 1
        OndcChange.objects.filter(pk__in=[c.pk for c in changes]).update(batched_at=now)
        # Kept a while for one-time pulls by time range, then dropped.
        OndcChange.objects.filter(batched_at__lt=now - KEEP).delete()
        OndcPush.objects.filter(acked_at__lt=now - KEEP).delete()
    return made


def _retry_delay(attempts: int) -> timedelta:
    seconds = settings.ONDC_PUSH_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, max(settings.ONDC_PUSH_MINUTES * 60, 1)))


def send_due() -> int:
    """Send every push that is due and not yet ACKed (to buyer apps still subscribed); the
    number ACKed now."""
    acked = 0
    due = (
        OndcPush.objects.filter(
            acked_at__isnull=True, next_try_at__lte=timezone.now(), subscription__active=True
        )
        .select_related("subscription__node__district")
        .order_by("id")
    )
    for push in due:
        subscription = push.subscription
        # One message id per push, kept on every try: the buyer app may take a retry for a
        # message it has, and the log holds each push once.
        context = {**subscription.context, "message_id": push_message_id(push)}
        try:
            send_unsolicited(subscription.node, context, "on_search", push.message)
        except (HttpError, callbacks.CallbackRefused) as exc:
            push.attempts += 1
            push.last_error = str(exc)[:1000]
            push.next_try_at = timezone.now() + _retry_delay(push.attempts)
            push.save(update_fields=["attempts", "last_error", "next_try_at"])
            continue
        push.attempts += 1
        push.acked_at = timezone.now()
        push.last_error = ""
        push.save(update_fields=["attempts", "acked_at", "last_error"])
        acked += 1
    return acked


def push_message_id(push: OndcPush) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"niryat-ondc-push:{push.pk}"))


def push_catalogue_changes() -> tuple[int, int]:
    """One round: gather the queued changes, then send what is due. (pushes made, ACKed)."""
    return gather_changes(), send_due()
