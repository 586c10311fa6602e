"""What the catalogue's product list costs at 100,000 SKUs in a district: unfiltered, filtered by
completeness (readiness, what a product still lacks), searched, and the filters combined.

The catalogue is generate.generate_catalog's: at scale 1, 100,000 SKUs in Gorakhpur (about 50,000
products, a quarter of them finished, the others part-way, with the scores and `missing` codes
that completeness.refresh_completeness stores) and 2,000 in every other district. Timed two ways,
as the district's centre staff:

- the list's query, as views.product_list builds it (checked against the SQL the page runs): the
  first page of 50 and the count the paginator needs, against the same page unfiltered;
- GET /catalogue/, the whole request (routing, middleware, session, template), against the same
  page unfiltered.
"""

from __future__ import annotations

import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from itertools import cycle
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.generate import DESIGN_CATALOG
from bench.harness import Result, Target, compare, queries
from niryat.catalog.completeness import checklist
from niryat.catalog.models import Product, ProductQuerySet, Sku
from niryat.catalog.views import PAGE_SIZE
from niryat.core.models import District, Role, User

Params = dict[str, str]
# What a list page may take before staff notice the wait.
PAGE_TARGET = Target("p95_ms", 100)
# Products whose stored score and `missing` are compared with a fresh checklist.
CHECKED_PRODUCTS = 200


def listed(staff: User, params: Params) -> ProductQuerySet:
    """The list's query as views.product_list builds it; `same_sql` checks that it still is."""
    return Product.objects.visible_to(staff).filtered(params).for_list()


def first_page(records: ProductQuerySet) -> tuple[int, int]:
    """What the list page evaluates: the first page of rows and the count the paginator needs."""
    page = Paginator(records, PAGE_SIZE).get_page(1)
    return len(list(page.object_list)), page.paginator.count


def url(params: Params) -> str:
    return f"/catalogue/?{urlencode(params)}" if params else "/catalogue/"


def filter_mix(district: District) -> dict[str, list[Params]]:
    """The list's filters by kind, made from the district's own products so that each finds some
    (as staff's searches mostly do)."""
    rng = random.Random(district.lgd_code)
    products = Product.objects.filter(district=district).order_by("pk")
    named = products.exclude(name_hi="")
    ready = named.filter(completeness=100)
    finished = rng.choice(list((ready if ready.exists() else named).values_list("pk", flat=True)))
    name_en, category = named.values_list("name_en", "category").get(pk=finished)
    word = _word(name_en)  # "horse", "kurta": the thing, found in many products
    other_en, other_hi = rng.choice(list(named.values_list("name_en", "name_hi")[:500]))
    skus = Sku.objects.filter(product__district=district).order_by("pk")
    code = skus.values_list("seller_sku", flat=True)[skus.count() // 2]
    producer = products.values_list("producer__uuid", flat=True)[products.count() // 3]
    odop = district.odop_products.order_by("pk").values_list("pk", flat=True).first()
    return {
        "readiness": [{"readiness": r} for r in ("needs_work", "almost", "ready")],
        "lacks": [{"lacks": code} for code in ("photos", "hs_code", "declarations")],
        "search": [
            {"q": word.lower()},
            {"q": other_hi.split()[-1]},  # "घोड़ा"
            {"q": other_en},  # a whole name
            {"q": code.lower()},  # a SKU code read off a label, typed in lower case
        ],
        "combined": [
            {"readiness": "needs_work", "lacks": "photos"},
            {"odop_product": str(odop), "readiness": "almost"},
            {"producer": str(producer)},
            {"category": category, "readiness": "ready", "q": word},
        ],
    }


def _word(name: str) -> str:
    """The last word of a name of four letters or more ("kulhad" of "Kulhad set")."""
    words = [word for word in name.split() if len(word) >= 4]
    return words[-1] if words else name


def check_generated(district: District) -> None:
    """Fail if the generator's stored scores are not what completeness.py would store (it runs the
    same checks, but on objects in memory, and could drift)."""
    products = Product.objects.filter(district=district).order_by("pk")
    step = max(1, products.count() // CHECKED_PRODUCTS)
    for product in products[::step][:CHECKED_PRODUCTS]:
        result = checklist(product)
        missing = "," + ",".join(result.missing) + "," if result.missing else ""
        if (result.score, missing) != (product.completeness, product.missing):
            raise AssertionError(
                f"generated product {product.pk} stores {product.completeness} "
                f"{product.missing!r}; its checklist says {result.score} {missing!r}"
            )


def same_sql(client: Client, staff: User, params: Params) -> None:
    """Fail if the page no longer runs the list's query as `listed` builds it."""
    with CaptureQueriesContext(connection) as page:
        ok(client.get(url(params)))
    with CaptureQueriesContext(connection) as ours:
        first_page(listed(staff, params))
    ran = {query["sql"] for query in page.captured_queries}
    for query in ours.captured_queries:
        if query["sql"] not in ran:
            raise AssertionError(
                f"GET {url(params)} no longer runs the query bench_catalog.listed builds; "
                f"update listed(): {query['sql'][:200]}"
            )


def ok(response: Any) -> Any:
    if response.status_code != 200:
        raise AssertionError(f"{response.request['PATH_INFO']} answered {response.status_code}")
    return response


class Cycling:
    """Calls `run` with each of `mix` in turn, and keeps each one's own times for the note."""

    def __init__(self, mix: list[Params], run: Callable[[Params], object]) -> None:
        self.each: Iterator[Params] = cycle(mix)
        self.run = run
        self.times: dict[str, list[float]] = defaultdict(list)

    def __call__(self) -> None:
        params = next(self.each)
        started = time.perf_counter()
        self.run(params)
        self.times[shown(params)].append(time.perf_counter() - started)

    def note(self, found: dict[str, int]) -> str:
        return "; ".join(
            f"{query} {found[query]:,} found, p50 {statistics.median(times) * 1000:.1f} ms"
            for query, times in self.times.items()
        )


def shown(params: Params) -> str:
    """`params` as staff read them in the address bar (Devanagari unescaped)."""
    return "&".join(f"{key}={value}" for key, value in params.items())


def run(scale: float) -> list[Result]:
    district = District.objects.get(lgd_code=DESIGN_CATALOG.lgd_code)
    staff = User.objects.filter(role=Role.CENTRE_STAFF, district=district).order_by("pk").first()
    if staff is None:
        raise AssertionError(f"no centre staff in {district}")
    check_generated(district)
    client = Client()
    client.force_login(staff)
    mix = filter_mix(district)
    found: dict[str, int] = {}
    for kind, filters in mix.items():
        for params in filters:
            found[shown(params)] = count = first_page(listed(staff, params))[1]
            if count == 0:
                raise AssertionError(f"{kind}: {params} finds no product; the mix is stale")
            same_sql(client, staff, params)
    same_sql(client, staff, {})
    skus = Sku.objects.filter(product__district=district).count()
    products = Product.objects.filter(district=district).count()
    size = f"{skus:,} SKUs ({products:,} products) in {district.name_en}"
    return [*list_query(district, staff, mix, size, found), *page(client, staff, mix, size, found)]


def list_query(
    district: District, staff: User, mix: dict[str, list[Params]], size: str, found: dict[str, int]
) -> list[Result]:
    def unfiltered() -> tuple[int, int]:
        return first_page(listed(staff, {}))

    def bare() -> tuple[int, int]:
        return first_page(Product.objects.filter(district=district))

    measured, baseline = compare(unfiltered, bare, max_seconds=3.0)
    results = [
        Result(
            "catalogue: list query, no filter",
            size,
            measured,
            baseline,
            "the district's products, first page of 50 and the count, without the variant "
            "count, main photo, joined names or scoping",
            note=f"SQL statements per call: {queries(unfiltered)} measured, "
            f"{queries(bare)} baseline",
        )
    ]
    labels = {
        "readiness": "completeness filter: readiness",
        "lacks": "completeness filter: still lacks",
        "search": "search",
        "combined": "filters combined",
    }
    for kind, filters in mix.items():
        each = Cycling(filters, lambda params: first_page(listed(staff, params)))
        measured, baseline = compare(each, unfiltered, max_seconds=3.0)
        results.append(
            Result(
                f"catalogue: list query, {labels[kind]} ({len(filters)})",
                size,
                measured,
                baseline,
                "the same query unfiltered (first page of 50 and the count)",
                note=each.note(found),
            )
        )
    return results


def page(
    client: Client, staff: User, mix: dict[str, list[Params]], size: str, found: dict[str, int]
) -> list[Result]:
    def unfiltered() -> Any:
        return ok(client.get("/catalogue/"))

    measured, baseline = compare(unfiltered, lambda: first_page(listed(staff, {})), max_seconds=3.0)
    results = [
        Result(
            "page: GET /catalogue/ (centre staff), no filter",
            size,
            measured,
            baseline,
            "the list's query alone (first page of 50 and the count), without the request, "
            "session, other queries or template",
            target=PAGE_TARGET,
            note=f"SQL statements per request: {queries(unfiltered)}",
        )
    ]
    groups = {
        "a completeness filter": mix["readiness"] + mix["lacks"],
        "a search": mix["search"],
        "filters combined": mix["combined"],
    }
    for label, filters in groups.items():
        each = Cycling(filters, lambda params: ok(client.get(url(params))))
        measured, baseline = compare(each, unfiltered, max_seconds=3.0)
        results.append(
            Result(
                f"page: GET /catalogue/ with {label} ({len(filters)})",
                size,
                measured,
                baseline,
                "GET /catalogue/ unfiltered, the same staff",
                target=PAGE_TARGET,
                note=each.note(found),
            )
        )
    return results
