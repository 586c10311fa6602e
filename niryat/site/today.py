"""The centre staff's day on their home page: what to pack by when, listings that wait or were
refused, imports with errors, and producers waiting for their next step. Each count or short list
is one bounded query whatever the district's size (tests/site/test_home.py pins the count)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from niryat.catalog.models import CatalogImportJob
from niryat.channels.models import Listing, Order, OutboxEntry
from niryat.channels.urgency import mark_urgency
from niryat.core.models import User
from niryat.registry.models import ImportJob, Producer
from niryat.registry.next_steps import STAFF_LABELS

# How many orders, listings and imports the home page names; the counts link to the full lists.
SHOWN = 5


@dataclass(frozen=True)
class Waiting:
    label: str | Promise
    count: int
    url: str


def _end_of_today() -> datetime.datetime:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))


def orders_to_pack(user: User) -> dict[str, Any]:
    orders = Order.objects.visible_to(user).to_pack()
    now = timezone.now()
    counts = orders.order_by().aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(ship_by__lt=now)),
        today=Count("pk", filter=Q(ship_by__gte=now, ship_by__lt=_end_of_today())),
    )
    soonest = list(
        orders.select_related("account", "producer").order_by(
            F("ship_by").asc(nulls_last=True), "ordered_at", "pk"
        )[:SHOWN]
    )
    mark_urgency(soonest)
    return {"counts": counts, "soonest": soonest, "url": reverse("order_list") + "?state=open"}


def listings_waiting(user: User) -> dict[str, Any]:
    listings = Listing.objects.visible_to(user)
    rejected = listings.filter(state=Listing.State.REJECTED)
    return {
        "counts": [
            Waiting(
                _("Waiting for their FSN (Flipkart)"),
                listings.waiting_for_fsn().count(),
                reverse("listing_list") + "?channel=flipkart&state=draft",
            ),
            Waiting(
                _("Rejected by the marketplace"),
                rejected.count(),
                reverse("listing_list") + "?state=rejected",
            ),
            Waiting(
                _("Calls to a marketplace that need attention"),
                OutboxEntry.objects.visible_to(user).needs_attention().count(),
                reverse("attention_list"),
            ),
        ],
        "rejected": list(
            rejected.select_related("sku", "account").order_by("-updated_at", "-id")[:SHOWN]
        ),
    }


@dataclass(frozen=True)
class StuckImport:
    name: str
    kind: str  # "producers" or "catalogue"
    status: str
    created_at: datetime.datetime
    url: str


def imports_with_errors(user: User) -> list[StuckImport]:
    """The newest producer and catalogue imports whose sheets have errors or that failed."""
    stuck = [ImportJob.Status.HAS_ERRORS, ImportJob.Status.FAILED]
    jobs = [
        StuckImport(
            job.file_name,
            "producers",
            job.get_status_display(),
            job.created_at,
            reverse("producer_import_job", args=[job.uuid]),
        )
        for job in ImportJob.objects.visible_to(user)
        .filter(status__in=stuck)
        .order_by("-created_at")[:SHOWN]
    ]
    jobs += [
        StuckImport(
            job.file_name,
            "catalogue",
            job.get_status_display(),
            job.created_at,
            reverse("catalogue_import_job", args=[job.uuid]),
        )
        for job in CatalogImportJob.objects.visible_to(user)
        .filter(status__in=stuck)
        .order_by("-created_at")[:SHOWN]
    ]
    jobs.sort(key=lambda job: job.created_at, reverse=True)
    return jobs[:SHOWN]


def producers_waiting(user: User) -> list[Waiting]:
    counts = Producer.objects.visible_to(user).active().next_step_counts()
    url = reverse("producer_list")
    return [
        Waiting(STAFF_LABELS[code], count, f"{url}?next_step={code}")
        for code, count in counts.items()
        if count
    ]


def staff_today(user: User) -> dict[str, Any]:
    return {
        "orders": orders_to_pack(user),
        "listings": listings_waiting(user),
        "imports": imports_with_errors(user),
        "producers_waiting": producers_waiting(user),
    }
