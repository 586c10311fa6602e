"""What the public showcase costs: a product page and a search, with the page cache warm and cold,
against serving the cached HTML alone; and what each kind of page weighs on a phone's first visit.

The issue measures the state's scale: 5 M SKUs with 100,000 products shown. At scale s the
generator's catalogue has 100,000 × s SKUs in Gorakhpur; the producers of about 100,000 × s × 0.2
of its products (the generated SKUs' products, by producer) are marked as agreeing to the
showcase and to listing, each with a story. Timed as a signed-out visitor through the whole
request (routing, middleware, template), with Django's test client:

- product page, warm: every sampled page already in the cache; cold: the cache emptied before
  each call (the page, the photo sizes, the generation number);
- search, warm and cold: Hindi ("टेराकोटा"), English ("terracotta"), a producer's name typed in
  Latin letters for a name stored in Devanagari, cycled;
- baseline, in the same run: the same HTML bytes returned from a dict by a view of their own,
  through the same middleware: what "serving the cached HTML alone" costs.

Page weight (first visit, a 360 px phone at 1× and 2×): HTML and stylesheet as gzip -6 sends
them, and every image the page names in the width the browser picks from its srcset, for twelve
products with processed photos of a textured terracotta horse (tests/showcase/weight.py).

Runs in a transaction that is rolled back, so the dataset is left as the generator made it.

The state's scale: BENCH_SHOWCASE_SKUS=5000000 first copies the generated catalogue until it has
that many SKUs over the state's districts (generate.copy_to_state_scale: in SQL on PostgreSQL,
about 1.5 M producers with them), then shows the products of producers drawn across the state
until BENCH_SHOWCASE_SHOWN products are shown (by default 100,000 at 5 M SKUs, in proportion
below). Those producers are marked and the tables analysed before the timed transaction, as a
running server's would be; the copies stay in the throwaway database. On PostgreSQL:
`DATABASE_URL=postgres://... BENCH_SHOWCASE_SKUS=5000000 python -m bench --only showcase`
(about 12 minutes on two cores, most of it copying).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from itertools import cycle
from typing import Any

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import include, path
from django.utils import timezone

from bench.generate import DESIGN_CATALOG, analyze, copy_to_state_scale
from bench.harness import Result, Target, compare
from niryat.catalog.actions import do_add_sku, do_create_product
from niryat.catalog.models import Category, Product, ProductImage, Sku
from niryat.core import imaging
from niryat.core.models import District, Role, User
from niryat.registry.actions import do_register_producer
from niryat.registry.models import Consent, Kind, Producer
from niryat.showcase.models import Profile, shown_products
from niryat.site.demo_photos import product_photo
from tests.showcase.weight import first_load

WARM_TARGET = Target("p95_ms", 50)
COLD_TARGET = Target("p95_ms", 200)
SHOWN_SHARE = 0.2  # of Gorakhpur's generated products, by producer
SAMPLED_PAGES = 50
# The state: 5 M SKUs, the products of 100,000 shown.
STATE_SKUS = 5_000_000
STATE_SHOWN = 100_000

# The HTML the baseline serves, by address (filled before timing).
_KEPT: dict[str, bytes] = {}


def _kept(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_KEPT[request.GET.get("page", "")], content_type="text/html; charset=utf-8")


# The site's addresses, and the baseline's (override_settings(ROOT_URLCONF=__name__)).
urlpatterns = [path("bench/kept/", _kept), path("", include("config.urls"))]


class Cycling:
    """Calls `fn` on each item in turn, one per call."""

    def __init__(self, items: list[Any], fn: Callable[[Any], object]) -> None:
        self.items, self.fn = cycle(items), fn

    def __call__(self) -> object:
        return self.fn(next(self.items))


def show_producers(district: District, wanted: int) -> int:
    """Mark producers of `district` (those with the most products first) as shown on the
    showcase until about `wanted` products are shown; returns how many are."""
    shown = 0
    chosen: list[int] = []
    makers = (
        Product.objects.filter(district=district, deleting_since__isnull=True)
        .values_list("producer_id")
        .order_by("producer_id")
        .distinct()
    )
    for (producer_id,) in makers.iterator():
        if shown >= wanted:
            break
        chosen.append(producer_id)
        shown += Product.objects.filter(producer_id=producer_id).count()
    Producer.objects.filter(pk__in=chosen).update(listing_consent=True)
    Profile.objects.bulk_create(
        Profile(
            producer_id=producer_id,
            shown=True,
            agreed_on=timezone.localdate(),
            method=Consent.Method.PAPER,
            story_hi="हमारे गाँव में तीन पीढ़ियों से यह शिल्प बनता है।",
            story_en="Our village has made this craft for three generations.",
        )
        for producer_id in chosen
    )
    return shown_products().count()


def show_state_producers(wanted: int) -> int:
    """Mark producers anywhere in the state (in an order of their own, not by district) as shown
    until about `wanted` products are; returns how many are."""
    live_skus = Sku.objects.filter(product=OuterRef("pk"), deleting_since__isnull=True)
    makers = (
        Product.objects.filter(Exists(live_skus), deleting_since__isnull=True)
        .order_by()
        .values("producer_id")
        .annotate(n=Count("pk"))
        .values_list("producer_id", "n")
    )
    # Producers in a scrambled but repeatable order, without sorting them all in Python.
    chosen: list[int] = []
    shown = 0
    for producer_id, n in sorted(makers, key=lambda row: (row[0] * 2_654_435_761) % 2**32):
        if shown >= wanted:
            break
        chosen.append(producer_id)
        shown += n
    for start in range(0, len(chosen), 10_000):
        batch = chosen[start : start + 10_000]
        Producer.objects.filter(pk__in=batch).update(listing_consent=True)
        Profile.objects.bulk_create(
            Profile(
                producer_id=producer_id,
                shown=True,
                agreed_on=timezone.localdate(),
                method=Consent.Method.PAPER,
                story_hi="हमारे गाँव में तीन पीढ़ियों से यह शिल्प बनता है।",
                story_en="Our village has made this craft for three generations.",
            )
            for producer_id in batch
        )
    analyze(Producer, Profile)
    return shown_products().count()


def twelve_with_photos(district: District, staff: User) -> tuple[Producer, list[Product]]:
    """A producer with a page of products, each with a real processed photo."""
    main = imaging.process_photo(product_photo("horse", (170, 90, 50), seed=3)).main.jpeg
    maker = do_register_producer(
        district,
        {
            "kind": Kind.ARTISAN,
            "name_hi": "बेंचमार्क कुम्हार",
            "name_latin": "Benchmark Kumhar",
            "village": "Aurangabad",
            "pin": "273001",
        },
        acting_user=staff,
    )
    Producer.objects.filter(pk=maker.pk).update(listing_consent=True)
    Profile.objects.create(
        producer=maker,
        shown=True,
        agreed_on=timezone.localdate(),
        method=Consent.Method.PAPER,
        story_en="Our village has made terracotta for three generations.",
    )
    products = []
    for number in range(12):
        product = do_create_product(
            maker,
            acting_user=staff,
            category=Category.HANDICRAFTS,
            name_en=f"Terracotta horse, hand-painted, {20 + number} cm",
            name_hi=f"टेराकोटा घोड़ा, हाथ से रंगा, {20 + number} सेमी",
        )
        do_add_sku(product, acting_user=staff, seller_sku=f"BENCH-HORSE-{number}", price=950)
        image = ProductImage(product=product, status=ProductImage.Status.READY)
        image.original.save("o.jpg", ContentFile(main), save=False)
        image.main.save("m.jpg", ContentFile(main), save=False)
        image.save()
        products.append(product)
    return maker, products


def weights(client: Client, product: Product) -> str:
    pages = {
        "home": "/showcase/",
        "district (12 products)": "/showcase/districts/148/",
        "search (12 products)": "/showcase/search/?q=Benchmark",
        "product": f"/showcase/products/{product.uuid}/",
        "enquiry form": f"/showcase/products/{product.uuid}/enquire/",
    }
    lines = []
    for label, address in pages.items():
        one, two = (first_load(client, address, dpr=dpr) for dpr in (1.0, 2.0))
        lines.append(
            f"{label}: {one.total / 1024:.1f} KB at 1× / {two.total / 1024:.1f} KB at 2× "
            f"(HTML {one.html:,} B, CSS {one.css:,} B gzip; images {one.images:,} B / "
            f"{two.images:,} B, {one.image_count})"
        )
    return "; ".join(lines)


def run(scale: float) -> list[Result]:
    district = District.objects.get(lgd_code=DESIGN_CATALOG.lgd_code)
    staff = User.objects.filter(role=Role.CENTRE_STAFF, district=district).order_by("pk").first()
    if staff is None:
        raise AssertionError(f"no centre staff in {district}")
    wanted = max(200, round(DESIGN_CATALOG.skus_in_district * scale * SHOWN_SHARE))
    state_skus = int(os.environ.get("BENCH_SHOWCASE_SKUS") or 0)
    if state_skus:
        copy_to_state_scale(state_skus)
        wanted = int(
            os.environ.get("BENCH_SHOWCASE_SHOWN") or round(STATE_SHOWN * state_skus / STATE_SKUS)
        )
        show_state_producers(wanted)
    with (
        tempfile.TemporaryDirectory() as media,
        override_settings(ROOT_URLCONF=__name__, MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        if not state_skus:
            show_producers(district, wanted)
        maker, twelve = twelve_with_photos(district, staff)
        shown = shown_products().count()
        cache.clear()
        client = Client(headers={"accept-language": "hi"})
        weight_note = weights(client, twelve[0])
        size = (
            f"{shown:,} products shown of {Product.objects.count():,} "
            f"({Sku.objects.count():,} SKUs, {Producer.objects.count():,} producers)"
        )
        search_addresses = searches(maker)
        explain(client, search_addresses)
        results = [
            *timed(
                client,
                "product page",
                [
                    f"/showcase/products/{uuid}/"
                    for uuid in shown_products()
                    .order_by("?")
                    .values_list("uuid", flat=True)[:SAMPLED_PAGES]
                ],
                size,
            ),
            *timed(client, "search", search_addresses, size),
        ]
        results[0] = Result(
            **{**results[0].__dict__, "note": f"{results[0].note}; first load: {weight_note}"}
        )
        transaction.set_rollback(True)
    cache.clear()
    return results


def searches(maker: Producer) -> list[str]:
    """Hindi, English, and a name stored in Devanagari typed in Latin letters."""
    latin_name = (
        Producer.objects.filter(showcase_profile__shown=True)
        .exclude(pk=maker.pk)
        .values_list("name_latin", flat=True)
        .first()
        or "ramu"
    )
    return [
        "/showcase/search/?q=%E0%A4%9F%E0%A5%87%E0%A4%B0%E0%A4%BE%E0%A4%95%E0%A5%8B%E0%A4%9F%E0%A4%BE",
        "/showcase/search/?q=terracotta",
        f"/showcase/search/?q={latin_name.split()[0].lower()}",
    ]


def explain(client: Client, addresses: list[str]) -> None:
    """On PostgreSQL, with BENCH_SHOWCASE_EXPLAIN set: the plans (EXPLAIN ANALYZE) of the two
    slowest queries of each address with the cache cold, on stderr, to see which index serves."""
    if not os.environ.get("BENCH_SHOWCASE_EXPLAIN") or connection.vendor != "postgresql":
        return
    for address in addresses:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            client.get(address)
        slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:2]
        for query in slowest:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"{address}: {query['time']} s\n{query['sql']}\n{plan}\n", file=sys.stderr)


def timed(client: Client, label: str, addresses: list[str], size: str) -> list[Result]:
    for address in addresses:
        response = client.get(address)
        if response.status_code != 200:
            raise AssertionError(f"{address}: {response.status_code}")
        _KEPT[address] = response.content
    pages = Cycling(addresses, client.get)
    kept = Cycling(addresses, lambda address: client.get("/bench/kept/", {"page": address}))
    warm, baseline = compare(pages, kept, max_seconds=3.0)
    cold, cold_baseline = compare(pages, kept, max_seconds=3.0, setup=cache.clear)
    note = f"{len(addresses)} addresses, cycled"
    words = "the same pages' HTML served from a dict by a view of their own, same middleware"
    return [
        Result(f"showcase: {label}, cache warm", size, warm, baseline, words, WARM_TARGET, note),
        Result(
            f"showcase: {label}, cache cold", size, cold, cold_baseline, words, COLD_TARGET, note
        ),
    ]
