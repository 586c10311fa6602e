"""The district's catalogue on ONDC: the `search` handler and the `on_search` it answers with.

Every producer of the node's district who consents to marketplace listing and has a SKU ready
(the catalogue's checklist complete, and nothing ONDC needs missing: `ondc_problems`) is a
provider, with those SKUs as items, in the domain their ODOP product is mapped to (Fashion RET12
or Home and kitchen RET16, `OndcDomainMapping`).

Search modes (shared/ONDC_FACTS.md §2.5):
- full refresh by city (`context.city` "std:0551"): the providers whose pickup PIN has that STD
  code, optionally narrowed to an item name or category the buyer app asks for;
- incremental, `context.city` "*", `message.intent.tags` catalog_inc:
  - start_time/end_time: a one-time pull of what changed in that time;
  - mode "start" / "stop": the buyer app's subscription to pushes (push.py sends them); there is
    nothing to answer with (`Reply()` with neither message nor error: no callback is sent).
Anything else is refused with ONDC's error (30000 invalid request, 40001 not supported).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from niryat.catalog.completeness import Problem, sku_problems
from niryat.catalog.models import ProductImage, Sku
from niryat.channels.models import (
    OndcChange,
    OndcDomainMapping,
    OndcLocation,
    OndcNode,
    OndcSubscription,
)
from niryat.channels.ondc.items import (
    FULFILMENT_ID,
    Described,
    Seller,
    describe_item,
    timestamp,
    variant_group,
)
from niryat.channels.ondc.protocol import CONTEXT_ERROR, DOMAIN_ERROR, OndcError, Reply
from niryat.channels.ondc.std_codes import std_codes
from niryat.channels.ondc.taxonomy import CATEGORIES
from niryat.core.models import Centre, District

INVALID_REQUEST = "30000"
NOT_SUPPORTED = "40001"


# --- readiness ---------------------------------------------------------------------------------


def ondc_problems(sku: Sku) -> list[Problem]:
    """What ONDC still needs of the SKU before it is offered (an empty list: it is), in the shape
    every channel's `validate` gives: the producer's pickup location, the centre's contacts, the
    domain's attributes, a valid barcode if one is written."""
    product = sku.product
    producer = product.producer
    district = product.district
    seller = Seller(
        producer=producer,
        location=OndcLocation.objects.filter(producer=producer).first(),
        centre=Centre.objects.filter(district=district).first(),
        district_name=district.name_en,
        state_name=district.state.name_en,
    )
    mappings = {m.odop_product_id: m for m in OndcDomainMapping.objects.filter(
        odop_product_id=product.odop_product_id
    )}  # fmt: skip
    return describe_item(sku, seller, mappings).problems


# --- loading a district's goods ------------------------------------------------------------------


def ready_skus(district: District) -> QuerySet[Sku]:
    """The district's SKUs the catalogue calls ready, or that lack only stock (ONDC shows them
    out of stock: `offered`), of producers who consent, not being deleted: with their product,
    producer and ready photos, a producer's together."""
    photos = Prefetch(
        "product__images",
        queryset=ProductImage.objects.filter(status=ProductImage.Status.READY).order_by(
            "position", "id"
        ),
    )
    return (
        Sku.objects.filter(
            Q(completeness=100) | Q(stock=0),
            product__district=district,
            deleting_since__isnull=True,
            product__deleting_since__isnull=True,
            producer__listing_consent=True,
            producer__erased_at__isnull=True,
        )
        .select_related("product", "product__odop_product", "producer")
        .prefetch_related(photos)
        .order_by("producer_id", "product_id", "id")
    )


def offered(sku: Sku) -> bool:
    """Ready in the catalogue, or lacking only stock: an item sold out stays on ONDC with an
    available count of "0" (a SKU with no stock is not complete in the catalogue's checklist)."""
    if sku.completeness == 100:
        return True
    images = list(sku.product.images.all())
    return all(p.check == "stock" for p in sku_problems(sku, images, marketplaces=False))


@dataclass
class DistrictData:
    """What a district's providers share: the centre, the mappings, pickup locations."""

    district: District
    centre: Centre | None
    mappings: dict[int, OndcDomainMapping]
    locations: dict[int, OndcLocation]

    @classmethod
    def load(cls, district: District) -> DistrictData:
        return cls(
            district=district,
            centre=Centre.objects.filter(district=district).first(),
            mappings={
                m.odop_product_id: m
                for m in OndcDomainMapping.objects.filter(odop_product__district=district)
            },
            locations={
                location.producer_id: location
                for location in OndcLocation.objects.filter(producer__district=district)
            },
        )

    def seller(self, sku: Sku) -> Seller:
        return Seller(
            producer=sku.producer,
            location=self.locations.get(sku.producer_id),
            centre=self.centre,
            district_name=self.district.name_en,
            state_name=self.district.state.name_en,
        )


def _providers(
    node: OndcNode,
    data: DistrictData,
    skus: Iterable[Sku],
    domain: str,
    *,
    std_code: str = "",
    name: str = "",
    category: str = "",
    full: bool = True,
) -> list[dict[str, Any]]:
    """The providers of `skus` that are ready, in `domain` (and the city, item name and category
    asked for), each with its items and variant groups."""
    now = timestamp(datetime.now(UTC))
    by_producer: dict[int, tuple[Seller, list[tuple[Sku, Described]]]] = {}
    sellers: dict[int, Seller] = {}
    for sku in skus:
        seller = sellers.get(sku.producer_id)
        if seller is None:
            seller = sellers[sku.producer_id] = data.seller(sku)
        if seller.problems:
            continue
        if std_code and std_code not in std_codes(sku.producer.pin):
            continue
        if not offered(sku):
            continue
        described = describe_item(sku, seller, data.mappings, subscriber_id=node.subscriber_id)
        if described.item is None or described.domain != domain:
            continue
        if category and described.category != category:
            continue
        if name and name.lower() not in described.item["descriptor"]["name"].lower():
            continue
        by_producer.setdefault(sku.producer_id, (seller, []))[1].append((sku, described))
    return [
        _provider(seller, found, domain, now, full=full) for seller, found in by_producer.values()
    ]


def _provider(
    seller: Seller,
    found: Sequence[tuple[Sku, Described]],
    domain: str,
    now: str,
    *,
    full: bool,
) -> dict[str, Any]:
    producer = seller.producer
    items = [described.item for _sku, described in found if described.item is not None]
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        groups[item["parent_item_id"]].append(item)
    provider: dict[str, Any] = {
        "id": str(producer.uuid),
        "time": {"label": "enable", "timestamp": now},
        "categories": [variant_group(gid, members, domain) for gid, members in groups.items()],
        "items": items,
    }
    if not full:
        return provider
    first = found[0][0]
    images = items[0]["descriptor"]["images"]
    odop = first.product.odop_product
    craft = odop.name_en if odop else str(first.product.name_en)
    name = producer.name_latin or producer.name_hi
    description = f"{craft} by {name}, {seller.district_name}, {seller.state_name}"
    categories = sorted({item["category_id"] for item in items})
    provider.update(
        {
            "descriptor": {
                "name": name,
                "symbol": images[0],
                "short_desc": f"{craft}, {seller.district_name}",
                "long_desc": description,
                "images": images[:1],
            },
            "fulfillments": [
                {
                    "id": FULFILMENT_ID,
                    "type": "Delivery",
                    "contact": {"phone": seller.phone, "email": seller.email},
                }
            ],
            "ttl": "P1D",
            "locations": [_location(seller, now)],
            "tags": [
                *(_serviceability(seller, category) for category in categories),
                *_timings(seller),
            ],
        }
    )
    return provider


def _location(seller: Seller, now: str) -> dict[str, Any]:
    from django.conf import settings

    start, end = settings.ONDC_WORKING_HOURS
    return {
        "id": seller.location_id,
        "time": {
            "label": "enable",
            "timestamp": now,
            "days": settings.ONDC_WORKING_DAYS,
            "schedule": {"holidays": []},
            "range": {"start": start, "end": end},
        },
        "gps": seller.gps(),
        "address": seller.address(),
    }


def _serviceability(seller: Seller, category: str) -> dict[str, Any]:
    """Pan-India delivery (type 12): the centre ships by post and courier anywhere in India."""
    return {
        "code": "serviceability",
        "list": [
            {"code": "location", "value": seller.location_id},
            {"code": "category", "value": category},
            {"code": "type", "value": "12"},
            {"code": "val", "value": "IND"},
            {"code": "unit", "value": "country"},
        ],
    }


def _timing(seller: Seller, kind: str, days: list[str], start: str, end: str) -> dict[str, Any]:
    return {
        "code": "timing",
        "list": [
            {"code": "type", "value": kind},
            {"code": "location", "value": seller.location_id},
            {"code": "day_from", "value": days[0]},
            {"code": "day_to", "value": days[-1]},
            {"code": "time_from", "value": start},
            {"code": "time_to", "value": end},
        ],
    }


def _timings(seller: Seller) -> list[dict[str, Any]]:
    """Orders are taken at any hour (they wait in the order book for the centre); goods are
    handed to the courier on the centre's working days and hours."""
    from django.conf import settings

    days = sorted(settings.ONDC_WORKING_DAYS.split(","))
    start, end = settings.ONDC_WORKING_HOURS
    return [
        _timing(seller, "Order", ["1", "7"], "0000", "2359"),
        _timing(seller, "Delivery", days, start, end),
    ]


def bpp_descriptor(data: DistrictData) -> dict[str, Any]:
    district = data.district
    name = data.centre.name_en if data.centre else f"Export Development Centre, {district.name_en}"
    return {
        "name": name,
        "short_desc": f"One District One Product goods of {district.name_en}",
        "long_desc": (
            f"Goods made by the artisans and producers of {district.name_en}, "
            f"{district.state.name_en}, sold by each of them through their district's centre."
        ),
        "tags": [{"code": "bpp_terms", "list": [{"code": "np_type", "value": "MSN"}]}],
    }


def full_catalogue(
    node: OndcNode,
    domain: str,
    *,
    std_code: str = "",
    name: str = "",
    category: str = "",
) -> dict[str, Any]:
    """The `on_search` message of a full refresh: the node's district in `domain`."""
    district = node.district
    data = DistrictData.load(district)
    providers = _providers(
        node,
        data,
        ready_skus(district),
        domain,
        std_code=std_code,
        name=name,
        category=category,
    )
    return {
        "catalog": {
            "bpp/fulfillments": [{"id": FULFILMENT_ID, "type": "Delivery"}],
            "bpp/descriptor": bpp_descriptor(data),
            "bpp/providers": providers,
        }
    }


# --- incremental ---------------------------------------------------------------------------------


def incremental_catalogue(
    node: OndcNode, domain: str, changes: Sequence[OndcChange], skus: Iterable[Sku] = ()
) -> dict[str, Any]:
    """The `on_search` message of an incremental refresh: the items named by `changes` (and
    `skus`) as they are now, and what is disabled (a withdrawn producer, a deleted or no longer
    offered SKU). No bpp/descriptor, no new providers' details (ONDC_FACTS.md §2.5)."""
    district = node.district
    data = DistrictData.load(district)
    now = timestamp(timezone.now())
    wanted_items = {change.item_id for change in changes if change.item_id}
    disabled_providers = {
        change.provider_id for change in changes if change.disable and not change.item_id
    }
    changed = list(skus)
    known = {str(sku.uuid) for sku in changed}
    if wanted_items - known:
        changed += list(ready_skus(district).filter(uuid__in=list(wanted_items - known)))
    providers = {
        provider["id"]: provider
        for provider in _providers(node, data, changed, domain, full=False)
        if provider["id"] not in disabled_providers
    }
    offered = {item["id"] for provider in providers.values() for item in provider["items"]}
    # Items asked about that are not offered any more (deleted, unready, moved domain): disabled.
    for change in changes:
        if (
            not change.item_id
            or change.item_id in offered
            or change.provider_id in disabled_providers
            or (change.domain and change.domain != domain)
        ):
            continue
        provider = providers.setdefault(
            change.provider_id,
            {"id": change.provider_id, "time": {"label": "enable", "timestamp": now}, "items": []},
        )
        if not any(item["id"] == change.item_id for item in provider["items"]):
            provider["items"].append(
                {"id": change.item_id, "time": {"label": "disable", "timestamp": now}}
            )
    for provider_id in sorted(disabled_providers):
        providers[provider_id] = {
            "id": provider_id,
            "time": {"label": "disable", "timestamp": now},
        }
    return {"catalog": {"bpp/providers": list(providers.values())}}


def _parse_time(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise OndcError(
            INVALID_REQUEST, f"catalog_inc: {value!r} is not a time", type=DOMAIN_ERROR
        ) from exc
    if moment.tzinfo is None:
        raise OndcError(INVALID_REQUEST, f"catalog_inc: {value!r} has no time zone")
    return moment


def pulled_changes(node: OndcNode, domain: str, start: datetime, end: datetime) -> dict[str, Any]:
    """A one-time pull: what changed in the node's district between `start` and `end`."""
    district = node.district
    changes = list(
        OndcChange.objects.filter(
            district=district, created_at__gte=start, created_at__lte=end
        ).filter(Q(domain="") | Q(domain=domain))
    )
    edited = ready_skus(district).filter(
        Q(updated_at__gte=start, updated_at__lte=end)
        | Q(product__updated_at__gte=start, product__updated_at__lte=end)
    )
    return incremental_catalogue(node, domain, changes, edited)


# --- subscriptions -------------------------------------------------------------------------------


@transaction.atomic
def subscribe(node: OndcNode, context: dict[str, Any], *, active: bool) -> OndcSubscription:
    """Record a buyer app's push subscription ("start") or its end ("stop")."""
    now = timezone.now()
    subscription, created = OndcSubscription.objects.select_for_update().get_or_create(
        node=node,
        bap_id=str(context.get("bap_id", "")),
        domain=str(context["domain"]),
        defaults={
            "bap_uri": str(context.get("bap_uri", "")),
            "context": context,
            "active": active,
            "started_at": now,
            "stopped_at": None if active else now,
        },
    )
    if not created:
        subscription.bap_uri = str(context.get("bap_uri", ""))
        if active:
            subscription.context = context
            subscription.started_at = now
            subscription.stopped_at = None
        else:
            subscription.stopped_at = now
        subscription.active = active
        subscription.save(
            update_fields=["bap_uri", "context", "active", "started_at", "stopped_at", "updated_at"]
        )
    return subscription


# --- the handler ---------------------------------------------------------------------------------


def _catalog_inc(intent: dict[str, Any]) -> dict[str, str] | None:
    for tag in intent.get("tags") or []:
        if isinstance(tag, dict) and tag.get("code") == "catalog_inc":
            return {
                str(entry.get("code")): str(entry.get("value"))
                for entry in tag.get("list") or []
                if isinstance(entry, dict)
            }
    return None


def answer_search(node: OndcNode, request: dict[str, Any]) -> Reply:
    """The node's answer to a buyer app's `search` (the protocol server sends it as on_search)."""
    context = request.get("context") or {}
    intent = (request.get("message") or {}).get("intent") or {}
    domain = str(context.get("domain", ""))
    if domain not in CATEGORIES:
        raise OndcError(
            NOT_SUPPORTED,
            f"This seller node serves {', '.join(CATEGORIES)}, not {domain or 'no domain'}.",
            type=CONTEXT_ERROR,
        )
    city = str(context.get("city", ""))
    incremental = _catalog_inc(intent)
    if incremental is not None:
        if city != "*":
            raise OndcError(
                INVALID_REQUEST, 'An incremental search has context.city "*".', type=CONTEXT_ERROR
            )
        mode = incremental.get("mode")
        if mode in ("start", "stop"):
            subscribe(node, context, active=mode == "start")
            return Reply()
        if "start_time" in incremental and "end_time" in incremental:
            start = _parse_time(incremental["start_time"])
            end = _parse_time(incremental["end_time"])
            if end < start:
                raise OndcError(INVALID_REQUEST, "catalog_inc: end_time is before start_time")
            return Reply(pulled_changes(node, domain, start, end))
        raise OndcError(
            NOT_SUPPORTED,
            f"catalog_inc: mode {mode!r} is not one ONDC defines (start, stop, or a time range).",
        )
    if not city.startswith("std:") or not city[4:].isdigit():
        raise OndcError(
            INVALID_REQUEST,
            f'A full catalogue search names a city "std:<STD code>", not {city!r}.',
            type=CONTEXT_ERROR,
        )
    item = intent.get("item") or {}
    name = str(((item.get("descriptor") or {}).get("name")) or "")
    category = str((intent.get("category") or {}).get("id") or "")
    if category and category not in CATEGORIES[domain]:
        category = "\0"  # a category none of our goods are in: nothing matches
    return Reply(full_catalogue(node, domain, std_code=city[4:], name=name, category=category))
