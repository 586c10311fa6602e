"""What the marketplace channels cost and whether they hold up, at 100,000 SKUs (scale 1):

1. Payloads: every SKU of the catalogue's district read (with its product, producer and photos),
   checked with the channel's `validate` and built with its `build` in batches of 500, and the
   payload serialised (orjson for JSON payloads; GeM and the files channel build .xlsx bytes
   themselves) — against reading the same rows and serialising a plain dict of their fields with
   orjson. Every SKU is built, ready or not, so each channel does the same amount of work.
2. Fault soak: listing submissions, stock changes, orders, shipments (courier and waybill),
   staff cancellations, returns, SKU deletions and producers withdrawing consent, against the fake
   Amazon, Flipkart and eBay on loopback, a fifth of their API calls failing (429, 503 or a timeout)
   and every order reported twice, the outbox driven with `outbox.run_due()` until nothing waits.
   Each run ends with the turn `channels_sync` takes every few minutes (an order pull, then the
   quantity check that reads the marketplaces' quantities back and corrects drift), as production
   would a few minutes after the last operation; it is timed with the rest.
   Then what was lost (a call never made, a listing not live, an order not recorded, a shipment
   not on the marketplace, an ended listing still on sale, stock on a marketplace not ours: drift)
   and what was duplicated (two listings of one SKU, an order recorded twice, a shipment made
   twice, stock taken twice) are counted: all must be 0. The baseline is the same work with no
   faults. The channels' own pacing (`calls_per_second`) is lifted for the soak, so that the
   figure is our own cost. BENCH_SOAK_OPERATIONS sets the soak's size whatever the scale.
3. The last unit: three channels (Amazon, Flipkart, eBay accounts) each order the last unit of
   every SKU at the same moment, from three threads with their own database connections, through
   `actions.record_order`. Nothing may be oversold: one order per SKU taken, two cancelled. Only
   PostgreSQL has the row locks this tests, so with SQLite as the bench database it runs in a
   child process on a throwaway PostgreSQL database of its own, when one is reachable
   (NIRYAT_BENCH_PG_URL, else the CI's and a local server's defaults). The baseline is the same
   orders recorded one after another on one connection.

Parts 1 and 2 run in a transaction that is rolled back, so the dataset is left as it was for the
benchmarks that run after this one.

BENCH_CHANNELS_PARTS picks the parts to run (comma-separated: payloads, soak, race; all by
default), and BENCH_PAYLOAD_SKUS sets how many SKUs the payloads take whatever the scale, so that
e.g. the payloads alone can run at 100,000 SKUs on a small dataset:
`BENCH_CHANNELS_PARTS=payloads BENCH_PAYLOAD_SKUS=100000 python -m bench --only channels`;
BENCH_PAYLOAD_PASSES sets the timed passes and skips the untimed warm-up pass, for sizes where a
pass takes minutes.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.test.utils import override_settings

from bench.generate import DESIGN_CATALOG, add_catalog, add_producers, load_reference, scaled
from bench.harness import Rate, Result, Target, Timing, compare, rate
from niryat.catalog.models import Product, ProductImage, Sku
from niryat.channels.base import Channel, OrderData, OrderLineData
from niryat.channels.models import ChannelAccount, ExchangeRate, Listing, Order, OutboxEntry
from niryat.channels.registry import channel_class
from niryat.channels.secrets import encrypt
from niryat.core.models import District, Role, User

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
CHANNELS = ("amazon", "flipkart", "ebay", "gem", "files")
API_CHANNELS = ("amazon", "flipkart", "ebay")
# At scale 1; never fewer than the minimum, so that small runs still measure something.
PAYLOAD_SKUS, MIN_PAYLOAD_SKUS = 100_000, 300
SOAK_OPERATIONS, MIN_SOAK_OPERATIONS = 10_000, 500
RACE_SKUS, MIN_RACE_SKUS = 1_000, 100
BATCH = 500
# Seconds of timed repetitions per channel for the payloads (at least MIN_PASSES of each side).
PAYLOAD_SECONDS, MIN_PASSES, MAX_PASSES = 4.0, 3, 15
# How the soak's operations divide: submissions (one SKU to one account), stock changes, orders
# (the rest), and what staff and producers do after: ship, cancel, take back, delete, withdraw.
SOAK_MIX = {
    "submissions": 0.35,
    "stock changes": 0.2,
    "shipments": 0.08,
    "cancellations": 0.05,
    "returns": 0.03,
    "deletions": 0.02,
    "withdrawals": 0.02,
}
AFTER_ORDERS = ("shipments", "cancellations", "returns", "deletions", "withdrawals")
COUNTED = ("submissions", "stock changes", "orders", *AFTER_ORDERS)
# The fault-free baseline soak does this share of the operations (its rate is per operation).
BASELINE_SHARE, MIN_BASELINE_OPERATIONS = 0.2, 100
FAULT_RATIO = 0.2
HTTP_TIMEOUT = 0.1  # seconds; the fakes' injected "timeouts" hang a little longer
# Enough that a one-request call failing at random is retried until it is made (0.2 ** 20 is
# 1e-14); a call that makes many requests and must have them all succeed in one attempt (an eBay
# submission, an Amazon order pull) can still run out, and that shows as lost.
MAX_ATTEMPTS = 20
# Seconds a soak may take (at least 600, and 1 s an operation) before what still waits counts as
# lost.
SOAK_DEADLINE, SOAK_SECONDS_PER_OPERATION = 600.0, 1.0
RATIO_TARGET = Target("ratio", 2)
SITE_URL = "https://niryat.example.org"  # marketplaces fetch photos from public https addresses

# Accounts as the fakes know them (fakes/amazon.py, flipkart.py, ebay.py).
AMAZON_CREDENTIALS = {
    "client_id": "amzn1.application-oa2-client.niryatbench",
    "client_secret": "amzn1.oa2-cs.v1.bench",
    "refresh_token": "Atzr|IwEBIBench",
}
AMAZON_SETTINGS = {"seller_id": "A2GORAKHPUR01", "marketplace_id": "A21TJRUUN4KGV"}
FLIPKART_SETTINGS = {"location_id": "LOC8bdd7abceca4423a839d935584ee6f19"}


def fsn_for(sku_id: int) -> str:
    """A well-formed FSN (16 letters and digits) for a SKU, as Seller Hub would have given."""
    return f"BNCH{sku_id:012d}"


def _credentials(code: str) -> tuple[dict[str, str], dict[str, Any]]:
    if code == "amazon":
        return AMAZON_CREDENTIALS, AMAZON_SETTINGS
    if code == "flipkart":
        from fakes.flipkart import APPLICATION_ID, APPLICATION_SECRET

        return {
            "application_id": APPLICATION_ID,
            "application_secret": APPLICATION_SECRET,
        }, FLIPKART_SETTINGS
    if code == "ebay":
        from fakes.ebay import FakeEbay

        return (
            {
                "client_id": FakeEbay.CLIENT_ID,
                "client_secret": FakeEbay.CLIENT_SECRET,
                "refresh_token": FakeEbay.REFRESH_TOKEN,
            },
            {
                "marketplace_id": "EBAY_US",
                "currency": "USD",
                "merchant_location_key": FakeEbay.LOCATION_KEY,
                "fulfillment_policy_id": FakeEbay.FULFILLMENT_POLICY_ID,
                "payment_policy_id": FakeEbay.PAYMENT_POLICY_ID,
                "return_policy_id": FakeEbay.RETURN_POLICY_ID,
            },
        )
    return {}, {}


def make_account(district: District, code: str, name: str) -> ChannelAccount:
    credentials, account_settings = _credentials(code)
    return ChannelAccount.objects.create(
        district=district,
        channel=code,
        name=name,
        credentials_encrypted=encrypt(credentials) if credentials else "",
        settings=account_settings,
    )


def add_listings(
    account: ChannelAccount, sku_ids: Sequence[int], state: str = Listing.State.DRAFT
) -> None:
    """Listings of `sku_ids` on `account`; on Flipkart with the FSN Seller Hub would have given."""
    fsn = account.channel == "flipkart"
    for start in range(0, len(sku_ids), 5000):
        Listing.objects.bulk_create(
            Listing(
                sku_id=sku_id,
                account=account,
                state=state,
                external_id=fsn_for(sku_id) if fsn else "",
            )
            for sku_id in sku_ids[start : start + 5000]
        )


def the_district() -> District:
    return District.objects.get(lgd_code=DESIGN_CATALOG.lgd_code)


def centre_staff(district: District) -> User:
    staff = User.objects.filter(role=Role.CENTRE_STAFF, district=district).order_by("pk").first()
    if staff is None:
        raise AssertionError(f"no centre staff in {district}")
    return staff


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run in a transaction that is rolled back: the dataset stays as the generator left it."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


PARTS = ("payloads", "soak", "race")


def wanted_parts() -> set[str]:
    """The parts BENCH_CHANNELS_PARTS names (all when unset)."""
    named = os.environ.get("BENCH_CHANNELS_PARTS", "")
    parts = {part.strip() for part in named.split(",") if part.strip()} or set(PARTS)
    unknown = parts - set(PARTS)
    if unknown:
        raise ValueError(f"BENCH_CHANNELS_PARTS: no part {', '.join(sorted(unknown))}")
    return parts


def run(scale: float) -> list[Result]:
    parts = wanted_parts()
    results: list[Result] = []
    with rolled_back(), override_settings(SITE_URL=SITE_URL):
        ExchangeRate.objects.update_or_create(
            currency="USD", defaults={"inr_per_unit": Decimal("83.2500")}
        )
        if "payloads" in parts:
            results += timed("payloads", payloads, scale)
        if "soak" in parts:
            results += timed("fault soak", fault_soak, scale)
    if "race" in parts:
        results += timed("last unit", last_unit, scale)
    return results


def timed(part: str, bench: Callable[[float], list[Result]], scale: float) -> list[Result]:
    started = time.perf_counter()
    try:
        return bench(scale)
    finally:
        print(f"bench_channels, {part}: {time.perf_counter() - started:.1f} s", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# 1. Payloads


def read(ids: Sequence[int]) -> list[Sku]:
    """The SKU rows as a push reads them (actions.do_push): product, producer, photos."""
    return list(
        Sku.objects.filter(pk__in=ids)
        .select_related("product__producer")
        .prefetch_related("product__images")
        .order_by("pk")
    )


SKU_FIELDS = [f.attname for f in Sku._meta.concrete_fields]
PRODUCT_FIELDS = [f.attname for f in Product._meta.concrete_fields]
IMAGE_FIELDS = [f.attname for f in ProductImage._meta.concrete_fields]


def plain(sku: Sku) -> dict[str, Any]:
    """Every field of the SKU, its product and its photos, as a plain dict."""
    row = {name: getattr(sku, name) for name in SKU_FIELDS}
    product = sku.product
    row["product"] = {name: getattr(product, name) for name in PRODUCT_FIELDS}
    row["images"] = [
        {name: getattr(image, name) for name in IMAGE_FIELDS} for image in product.images.all()
    ]
    return row


def dumps(value: Any) -> bytes:
    # Decimals, lazy translations and stored file names become strings.
    return orjson.dumps(value, default=str)


def chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def payload_skus(district: District, count: int) -> list[int]:
    """The district's first `count` SKUs (more are made if the dataset is smaller)."""
    skus = Sku.objects.filter(product__district=district).order_by("pk")
    have = skus.count()
    if have < count:
        add_catalog(district, count - have)
    return list(skus.values_list("pk", flat=True)[:count])


def payloads(scale: float) -> list[Result]:
    district = the_district()
    wanted = os.environ.get("BENCH_PAYLOAD_SKUS")
    count = int(wanted) if wanted else max(MIN_PAYLOAD_SKUS, scaled(PAYLOAD_SKUS, scale))
    ids = payload_skus(district, count)
    accounts = {
        code: make_account(district, code, f"Bench {code}") for code in ("amazon", "flipkart")
    }
    accounts["ebay"] = make_account(district, "ebay", "Bench eBay")
    add_listings(accounts["flipkart"], ids)  # with FSNs: Flipkart builds only what it knows
    size = f"{len(ids):,} SKUs in {district.name_en}, batches of {BATCH}"

    plain_sizes: list[int] = []

    def baseline() -> int:
        written = 0
        for chunk in chunks(ids):
            written += len(dumps([plain(sku) for sku in read(chunk)]))
        plain_sizes.append(written)
        return written

    results = []
    for code in CHANNELS:
        account = accounts.get(code)
        channel = channel_class(code)(account)
        valid: list[int] = []
        sizes: list[int] = []

        def measured(
            channel: Channel = channel, valid: list[int] = valid, sizes: list[int] = sizes
        ) -> int:
            written = passing = 0
            for chunk in chunks(ids):
                skus = read(chunk)
                for sku in skus:
                    passing += not channel.validate(sku)
                payload = channel.build(skus)
                written += len(payload if isinstance(payload, bytes) else dumps(payload))
            valid.append(passing)
            sizes.append(written)
            return written

        passes = _passes(measured, baseline)
        ours, theirs = compare(measured, baseline, repeat=passes, warmup=0, max_seconds=0)
        kind = "an .xlsx workbook" if code in ("gem", "files") else "JSON (orjson)"
        results.append(
            Result(
                f"channels: validate + build + serialise, {code}",
                size,
                rate(ours, len(ids)),
                rate(theirs, len(ids)),
                "the same SKU rows read (product, producer, photos) and a plain dict of their "
                "fields serialised with orjson",
                target=RATIO_TARGET,
                note=f"{valid[-1]:,} of {len(ids):,} SKUs pass validate; payload {kind}, "
                f"{sizes[-1] / len(ids):,.0f} bytes a SKU "
                f"(baseline {plain_sizes[-1] / len(ids):,.0f}); {passes} timed passes",
            )
        )
    return results


def _passes(measured: Callable[[], int], baseline: Callable[[], int]) -> int:
    """How many timed passes fit in PAYLOAD_SECONDS, from one untimed pass of each (a warm-up);
    BENCH_PAYLOAD_PASSES, when set, says how many without that pass (where one takes minutes)."""
    forced = os.environ.get("BENCH_PAYLOAD_PASSES")
    if forced:
        return max(1, int(forced))
    started = time.perf_counter()
    measured()
    baseline()
    once = time.perf_counter() - started
    return max(MIN_PASSES, min(MAX_PASSES, int(PAYLOAD_SECONDS / max(once, 1e-6))))


# ---------------------------------------------------------------------------------------------
# 2. Fault soak


@dataclass
class Soak:
    """One soak's accounts, fakes and what was done, for the counts afterwards."""

    faults: bool
    accounts: dict[str, ChannelAccount]
    fakes: dict[str, Any]
    skus: list[Sku]
    operations: Counter[str] = field(default_factory=Counter)
    placed: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # (order id, SKU)
    initial_stock: dict[int, int] = field(default_factory=dict)  # after the stock changes
    shipped: list[Order] = field(default_factory=list)
    restocked: Counter[str] = field(default_factory=Counter)  # units back by seller SKU
    ended: set[str] = field(default_factory=set)  # seller SKUs deleted or withdrawn
    seconds: float = 0.0
    calls: int = 0
    drained: bool = True
    corrected: int = 0  # listings whose quantity the closing check corrected


def start_fakes() -> dict[str, Any]:
    from fakes.amazon import FakeAmazon
    from fakes.ebay import FakeEbay
    from fakes.flipkart import FakeFlipkart

    fakes: dict[str, Any] = {"amazon": FakeAmazon(), "flipkart": FakeFlipkart(), "ebay": FakeEbay()}
    for fake in fakes.values():
        fake.start()
    return fakes


@contextmanager
def unthrottled() -> Iterator[None]:
    """Lift the channels' documented pacing, so the soak measures our work, not their limits."""
    classes = [channel_class(code) for code in API_CHANNELS]
    before = [cls.__dict__.get("calls_per_second") for cls in classes]
    for cls in classes:
        cls.calls_per_second = 1_000_000.0
    try:
        yield
    finally:
        for cls, value in zip(classes, before, strict=True):
            if value is None:
                with suppress(AttributeError):
                    del cls.calls_per_second
            else:
                cls.calls_per_second = value


def soak_settings(fakes: dict[str, Any]) -> Any:
    return override_settings(
        CHANNEL_ENDPOINTS={
            **settings.CHANNEL_ENDPOINTS,
            "amazon": fakes["amazon"].url,
            "amazon_auth": fakes["amazon"].url,
            "flipkart": fakes["flipkart"].url,
            "ebay": fakes["ebay"].url,
        },
        CHANNEL_HTTP_TIMEOUT=HTTP_TIMEOUT,
        CHANNEL_RETRY_SECONDS=0.0,
        CHANNEL_POLL_SECONDS=0.0,
        CHANNEL_MAX_ATTEMPTS=MAX_ATTEMPTS,
        CHANNEL_MAX_POLLS=50,
    )


def ready_skus(district: District, count: int, taken: set[int]) -> list[Sku]:
    """SKUs that every API channel takes as they are (catalogue checklist and the channel's
    rules), up to `count`, none of `taken`."""
    from niryat.channels.actions import sku_problems_for_channel

    found: list[Sku] = []
    candidates = (
        Sku.objects.filter(product__district=district, product__completeness=100)
        .exclude(pk__in=taken)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for chunk in chunks(list(candidates)):
        for sku in read(chunk):
            if all(not sku_problems_for_channel(sku, code) for code in API_CHANNELS):
                found.append(sku)
                if len(found) == count:
                    return found
    return found


def drain(soak: Soak, deadline: float) -> None:
    """Make every call the outbox holds, as the worker would, until nothing waits."""
    waiting = OutboxEntry.objects.filter(
        account__in=soak.accounts.values(),
        state__in=[OutboxEntry.State.PENDING, OutboxEntry.State.RUNNING],
    )
    from niryat.channels import outbox

    while waiting.exists():
        if time.perf_counter() > deadline:
            soak.drained = False
            return
        made = outbox.run_due()
        soak.calls += made
        if not made:
            time.sleep(0.005)


def soak_run(
    district: District,
    staff: User,
    skus: list[Sku],
    plan: dict[str, int],
    *,
    faults: bool,
    seed: int,
) -> Soak:
    from niryat.catalog.actions import do_update_sku
    from niryat.channels.actions import do_push, do_request_orders
    from niryat.channels.management.commands.channels_sync import sync_account

    rng = random.Random(seed)
    fakes = start_fakes()
    label = "faults" if faults else "no faults"
    accounts = {
        code: make_account(district, code, f"Soak {code} ({label})") for code in API_CHANNELS
    }
    add_listings(accounts["flipkart"], [sku.pk for sku in skus])
    soak = Soak(faults, accounts, fakes, skus)
    try:
        if faults:
            for fake in fakes.values():
                fake.set_faults(
                    fault_ratio=FAULT_RATIO,
                    timeout_delay=HTTP_TIMEOUT * 1.5,
                    retry_after=0,
                    duplicate_orders=True,
                    seed=seed,
                )
        else:
            for fake in fakes.values():
                fake.set_faults(duplicate_orders=True)
        with soak_settings(fakes), unthrottled():
            started = time.perf_counter()
            allowed = max(SOAK_DEADLINE, SOAK_SECONDS_PER_OPERATION * sum(plan.values()))
            deadline = started + allowed
            # Listings: every SKU to every account.
            for account in accounts.values():
                for chunk in chunks(skus, 100):
                    result = do_push(list(chunk), account, acting_user=staff)
                    soak.operations["submissions"] += len(result.queued)
                    soak.operations["not ready"] += len(result.not_ready)
            drain(soak, deadline)
            # Stock: staff change SKUs' stock; every marketplace hears of it.
            for number in range(plan["stock changes"]):
                sku = rng.choice(skus)
                do_update_sku(sku, acting_user=staff, stock=rng.randrange(200, 400))
                soak.operations["stock changes"] += 1
                if number % 100 == 99:
                    drain(soak, deadline)
            drain(soak, deadline)
            soak.initial_stock = dict(
                Sku.objects.filter(pk__in=[sku.pk for sku in skus]).values_list("pk", "stock")
            )
            # Orders: buyers order on the marketplaces (each reported twice), pulled in waves.
            waves = 3
            for wave in range(waves):
                for _number in range(plan["orders"] // waves + (wave < plan["orders"] % waves)):
                    code = rng.choice(API_CHANNELS)
                    for _try in range(20):
                        sku = rng.choice(skus)
                        try:
                            placed = fakes[code].place_order(sku.seller_sku, 1)
                        except ValueError:  # not live there: counted as lost in `tally`
                            soak.operations["orders refused (listing not live)"] += 1
                            continue
                        soak.placed.setdefault(code, []).append(
                            (order_id(code, placed), sku.seller_sku)
                        )
                        soak.operations["orders"] += 1
                        break
                for account in accounts.values():
                    with transaction.atomic():
                        do_request_orders(account, acting_user=None)
                drain(soak, deadline)
            after_orders(soak, staff, plan, rng)
            drain(soak, deadline)
            # The soak is over before channels_sync's next turn: end it with that turn, as
            # production would make it a few minutes later (a last order pull, then the quantity
            # check that corrects any drift left on the marketplaces).
            for account in accounts.values():
                with transaction.atomic():
                    sync_account(account)
            drain(soak, deadline)
            soak.corrected = Listing.objects.filter(
                account__in=accounts.values(), quantity_corrected_at__isnull=False
            ).count()
            soak.seconds = time.perf_counter() - started
    finally:
        for fake in fakes.values():
            fake.stop()
    return soak


def after_orders(soak: Soak, staff: User, plan: dict[str, int], rng: random.Random) -> None:
    """What follows the orders, as staff and producers do it: ship (with courier and waybill),
    cancel (with a reason), take returns, delete SKUs, withdraw consent."""
    from niryat.catalog.actions import do_delete_sku
    from niryat.channels.actions import do_set_order_state
    from niryat.registry.actions import do_record_consent
    from niryat.registry.models import Consent, Producer

    orders = list(
        Order.objects.filter(account__in=soak.accounts.values(), state=Order.State.NEW)
        .select_related("account")
        .prefetch_related("lines")
        .order_by("pk")
    )
    rng.shuffle(orders)
    to_ship, rest = orders[: plan["shipments"]], orders[plan["shipments"] :]
    for number, order in enumerate(to_ship):
        for state in (Order.State.ACCEPTED, Order.State.PACKED):
            do_set_order_state(order, state, acting_user=staff)
        do_set_order_state(
            order,
            Order.State.SHIPPED,
            acting_user=staff,
            carrier="India Post",
            tracking_number=f"EM{number:09d}IN",
        )
        soak.shipped.append(order)
        soak.operations["shipments"] += 1
    for order in soak.shipped[: plan["returns"]]:
        do_set_order_state(order, Order.State.RETURNED, acting_user=staff)
        soak.restocked.update({line.seller_sku: line.quantity for line in order.lines.all()})
        soak.operations["returns"] += 1
    for order in rest[: plan["cancellations"]]:
        do_set_order_state(
            order, Order.State.CANCELLED, acting_user=staff, reason="Buyer called the centre"
        )
        soak.restocked.update({line.seller_sku: line.quantity for line in order.lines.all()})
        soak.operations["cancellations"] += 1
    remaining = list(soak.skus)
    rng.shuffle(remaining)
    for sku in remaining[: plan["deletions"]]:
        do_delete_sku(sku, acting_user=staff)
        soak.ended.add(sku.seller_sku)
        soak.operations["deletions"] += 1
    producers = sorted({sku.product.producer_id for sku in remaining[plan["deletions"] :]}, key=str)
    rng.shuffle(producers)
    for producer_id in producers[: plan["withdrawals"]]:
        do_record_consent(
            Producer.objects.get(pk=producer_id),
            purpose=Consent.Purpose.LIST_ON_MARKETPLACES,
            given=False,
            on=datetime.now(UTC).date(),
            method=Consent.Method.SELF,
            acting_user=staff,
        )
        soak.ended.update(
            sku.seller_sku for sku in soak.skus if sku.product.producer_id == producer_id
        )
        soak.operations["withdrawals"] += 1


def on_sale(code: str, fake: Any, seller_sku: str) -> bool:
    """Whether a fake marketplace offers the SKU to buyers."""
    state = fake.state()
    if code == "amazon":
        return seller_sku in state["listings"]
    if code == "flipkart":
        return state["listings"].get(seller_sku, {}).get("requested_status") == "ACTIVE"
    return any(o["sku"] == seller_sku and o["status"] == "PUBLISHED" for o in state["offers"])


def shipments_on(code: str, fake: Any, order: Order) -> int:
    """How many times the marketplace was told that the order shipped."""
    state = fake.state()
    if code == "amazon":
        return len(state["shipments"].get(order.channel_order_id, []))
    if code == "ebay":
        return len(state["fulfillments"].get(order.channel_order_id, []))
    ids = {
        shipment["shipmentId"]
        for shipment in state["shipments"]
        if any(item["orderId"] == order.channel_order_id for item in shipment["orderItems"])
    }
    return sum(1 for shipment_id in state["dispatched"] if shipment_id in ids)


def order_id(code: str, placed: dict[str, Any]) -> str:
    """The marketplace's order id in what `place_order` returned, as the channel records it."""
    if code == "amazon":
        return str(placed["AmazonOrderId"])
    if code == "flipkart":
        return str(placed["orderItems"][0]["orderId"])
    return str(placed["orderId"])


def fake_stock(code: str, fake: Any) -> tuple[dict[str, int], dict[str, int]]:
    """(quantity offered, number of listings or offers) per seller SKU on a fake marketplace."""
    quantity: dict[str, int] = {}
    listings: Counter[str] = Counter()
    with fake.lock:
        if code == "amazon":
            for sku, listing in fake.state()["listings"].items():
                quantity[sku] = int(listing["quantity"] or 0)
                listings[sku] += 1
        elif code == "flipkart":
            for sku, listing in fake.listings.items():
                quantity[sku] = sum(int(loc["inventory"]) for loc in listing.get("locations") or [])
                listings[sku] += 1
        else:
            for offer in fake.offers.values():
                quantity[offer["sku"]] = int(offer.get("availableQuantity") or 0)
                listings[offer["sku"]] += 1
    return quantity, dict(listings)


@dataclass
class Tally:
    lost: Counter[str] = field(default_factory=Counter)
    duplicated: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def text(self, counts: Counter[str]) -> str:
        return ", ".join(f"{what} {n:,}" for what, n in counts.items() if n) or "none"


def tally(soak: Soak) -> Tally:
    result = Tally()
    accounts = list(soak.accounts.values())
    entries = OutboxEntry.objects.filter(account__in=accounts)
    unfinished = entries.exclude(state__in=[OutboxEntry.State.DONE, OutboxEntry.State.SUPERSEDED])
    result.lost["calls not done"] = unfinished.count()
    for entry in unfinished[:3]:
        result.examples.append(f"{entry.idempotency_key} {entry.state}: {entry.last_error[:120]}")
    listings = Listing.objects.filter(account__in=accounts).exclude(sku__seller_sku__in=soak.ended)
    result.lost["listings not live"] = listings.exclude(state=Listing.State.LIVE).count()
    result.lost["deleted SKUs still held"] = Sku.objects.filter(
        pk__in=[sku.pk for sku in soak.skus], deleting_since__isnull=False
    ).count()
    for order in soak.shipped:
        made = shipments_on(order.account.channel, soak.fakes[order.account.channel], order)
        if made == 0:
            result.lost["shipments not on the marketplace"] += 1
        elif made > 1:
            result.duplicated["shipments made twice"] += 1
    for code, fake in soak.fakes.items():
        still = sum(on_sale(code, fake, seller_sku) for seller_sku in soak.ended)
        result.lost[f"{code}: ended listings still on sale"] += still
    initial = soak.initial_stock
    ordered: Counter[str] = Counter()
    for code, placed in soak.placed.items():
        ours = set(
            Order.objects.filter(account=soak.accounts[code]).values_list(
                "channel_order_id", flat=True
            )
        )
        missing = [order for order, _sku in placed if order not in ours]
        result.lost["orders not recorded"] += len(missing)
        ordered.update(sku for _order, sku in placed)
    twice = (
        Order.objects.filter(account__in=accounts)
        .values("account", "channel_order_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    result.duplicated["orders recorded twice"] = twice.count()
    ours_now = dict(
        Sku.objects.filter(pk__in=[sku.pk for sku in soak.skus]).values_list("seller_sku", "stock")
    )
    by_code = {sku.seller_sku: sku.pk for sku in soak.skus}
    for code, expected_sku in by_code.items():
        if code in soak.ended:
            continue
        expected = initial[expected_sku] - ordered[code] + soak.restocked[code]
        if ours_now[code] < expected:
            result.duplicated["stock taken twice (SKUs)"] += 1
        elif ours_now[code] > expected:
            result.lost["stock not taken (SKUs)"] += 1
    for code, fake in soak.fakes.items():
        quantity, listed = fake_stock(code, fake)
        for seller_sku, stock in ours_now.items():
            if seller_sku in soak.ended:
                continue
            if listed.get(seller_sku, 0) > 1:
                result.duplicated[f"{code}: listings per SKU > 1"] += 1
            if seller_sku not in quantity:
                result.lost[f"{code}: not listed"] += 1
            elif quantity[seller_sku] != stock:
                result.lost[f"{code}: stock ≠ ours (SKUs)"] += 1
                if len(result.examples) < 6:
                    result.examples.append(
                        f"{code} {seller_sku}: {quantity[seller_sku]} there, {stock} ours"
                    )
    return result


def fault_soak(scale: float) -> list[Result]:
    district = the_district()
    staff = centre_staff(district)
    wanted = os.environ.get("BENCH_SOAK_OPERATIONS")
    total = max(MIN_SOAK_OPERATIONS, int(wanted) if wanted else scaled(SOAK_OPERATIONS, scale))
    per_account = math.ceil(total * SOAK_MIX["submissions"] / len(API_CHANNELS))
    plan = {kind: round(total * share) for kind, share in SOAK_MIX.items()}
    plan["submissions"] = per_account * len(API_CHANNELS)
    plan["orders"] = max(0, total - sum(plan.values()))
    share = max(MIN_BASELINE_OPERATIONS / total, BASELINE_SHARE)
    base_plan = {kind: max(1, round(n * share)) for kind, n in plan.items()}
    base_skus = max(1, base_plan["submissions"] // len(API_CHANNELS))
    found = ready_skus(district, per_account + base_skus, set())
    if len(found) < 2:
        raise AssertionError("no SKU in the dataset is ready for Amazon, Flipkart and eBay")
    # The two runs share no producer: a withdrawal in one must not end the other's listings.
    found.sort(key=lambda sku: (sku.product.producer_id, sku.pk))
    split = max(1, len(found) * base_skus // (per_account + base_skus))
    while 0 < split < len(found) - 1 and (
        found[split].product.producer_id == found[split - 1].product.producer_id
    ):
        split += 1
    # Stock enough for every order.
    Sku.objects.filter(pk__in=[sku.pk for sku in found]).update(stock=300)
    for sku in found:
        sku.stock = 300
    base = soak_run(district, staff, found[:split], base_plan, faults=False, seed=1)
    faulty = soak_run(district, staff, found[split:], plan, faults=True, seed=2)
    base_tally, tallied = tally(base), tally(faulty)
    lost, duplicated = sum(tallied.lost.values()), sum(tallied.duplicated.values())
    ops = sum(faulty.operations[kind] for kind in COUNTED)
    base_ops = sum(base.operations[kind] for kind in COUNTED)
    requests = sum(len(fake.requests) for fake in faulty.fakes.values())
    verdict = "met" if lost == 0 and duplicated == 0 else "MISSED"
    note = (
        f"{faulty.operations['submissions']:,} submissions ({len(faulty.skus):,} SKUs × 3 "
        f"accounts), {faulty.operations['stock changes']:,} stock changes, "
        f"{faulty.operations['orders']:,} orders (each reported twice), "
        + ", ".join(f"{faulty.operations[kind]:,} {kind}" for kind in AFTER_ORDERS)
        + f"; {faulty.seconds:,.0f} s with faults, {base.seconds:,.0f} s without; "
        f"{faulty.calls:,} outbox calls, {requests:,} HTTP requests to the fakes, "
        f"{FAULT_RATIO:.0%} of them failed on purpose (429, 503, timeout at {HTTP_TIMEOUT} s); "
        f"calls_per_second lifted to 1,000,000 for the soak. Each run ends with the turn "
        f"channels_sync takes every few minutes (an order pull, then the quantity check that "
        f"corrects drift), timed with it: it corrected {faulty.corrected:,} listings "
        f"({base.corrected:,} without faults). "
        f"Lost: {tallied.text(tallied.lost)}. Duplicated: {tallied.text(tallied.duplicated)}. "
        f"Without faults: lost {base_tally.text(base_tally.lost)}, duplicated "
        f"{base_tally.text(base_tally.duplicated)}"
        + (f". E.g. {'; '.join(tallied.examples)}" if tallied.examples else "")
        + ("" if faulty.drained else ". The drain ran out of time")
    )
    refused = faulty.operations["orders refused (listing not live)"]
    if refused:
        note += f". Buyers found no live listing {refused:,} times (another SKU was ordered)"

    if faulty.operations["not ready"]:
        note += f". {faulty.operations['not ready']:,} pushes refused as not ready"
    return [
        Result(
            f"channels: fault soak, {FAULT_RATIO:.0%} faults — lost {lost}, duplicated "
            f"{duplicated} (target 0 and 0: {verdict})",
            f"{ops:,} operations on 3 fake marketplaces",
            Rate(ops / faulty.seconds, ops, 1),
            Rate(base_ops / base.seconds, base_ops, 1),
            f"the same kinds of operations on other SKUs with no faults ({base_ops:,} of them)",
            note=note,
        )
    ]


# ---------------------------------------------------------------------------------------------
# 3. The last unit, on PostgreSQL


def last_unit(scale: float) -> list[Result]:
    count = max(MIN_RACE_SKUS, scaled(RACE_SKUS, scale))
    url = postgres_url()
    if url is None:
        print(
            "bench_channels: the last-unit race skipped on SQLite (no PostgreSQL reachable)",
            file=sys.stderr,
        )
        return []
    # A child process of its own: its default database is a throwaway PostgreSQL one, and its
    # threads commit for real (this process's work is inside a transaction rolled back later).
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "NIRYAT_ENV": os.environ.get("NIRYAT_ENV", "test"),
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
    }
    child = (
        "import django; django.setup(); "
        f"from bench.bench_channels import race_main; race_main({count})"
    )
    done = subprocess.run(
        [sys.executable, "-c", child],
        cwd=HERE.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"the last-unit race failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    oversold = figures["oversold"]
    verdict = "met" if oversold == 0 and figures["wrong"] == 0 else "MISSED"
    return [
        Result(
            f"channels: 3 channels order the last unit at once — oversold {oversold} "
            f"(target 0: {verdict})",
            f"{count:,} SKUs × 3 accounts, stock 1 each, {figures['database']}",
            rate(
                Timing(figures["concurrent_s"] * 1000, figures["concurrent_s"] * 1000, 1),
                figures["orders"],
            ),
            rate(
                Timing(figures["sequential_s"] * 1000, figures["sequential_s"] * 1000, 1),
                figures["orders"],
            ),
            "the same orders recorded one after another on one connection (other SKUs)",
            note=f"per SKU: accepted {figures['accepted']}, cancelled {figures['cancelled']}; "
            f"SKUs not exactly 1 accepted and 2 cancelled: {figures['wrong']}; stock below 0: "
            f"{figures['negative']}; errors in the threads: {figures['errors']}; "
            f"rows/s here are orders/s",
        )
    ]


PG_CANDIDATES = (
    "postgres://niryat:niryat@127.0.0.1:5432/niryat",
    "postgres://postgres@127.0.0.1:5432/postgres",
)


def postgres_url() -> str | None:
    """A PostgreSQL server the race can make a database on: the bench's own, or a reachable one."""
    if connection.vendor == "postgresql":
        return os.environ.get("DATABASE_URL")
    import psycopg

    for url in filter(None, (os.environ.get("NIRYAT_BENCH_PG_URL"), *PG_CANDIDATES)):
        try:
            with psycopg.connect(url, connect_timeout=3) as probe:
                probe.execute("select 1")
        except psycopg.Error:
            continue
        return url
    return None


def race_main(count: int) -> None:
    """The child process: a throwaway PostgreSQL database, SKUs with one unit each, and the race."""
    from django.db import connection as main

    from bench.__main__ import throwaway_database

    main.settings_dict["TEST"]["NAME"] = f"niryat_bench_race_{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="niryat-race-") as tmp, throwaway_database(Path(tmp)):
        figures = race(count)
        version: int = main.pg_version  # type: ignore[attr-defined]
        figures["database"] = f"PostgreSQL {version // 10000}.{version % 10000}"
    print(json.dumps(figures))


def race(count: int) -> dict[str, Any]:
    from django.db import connection as main

    load_reference()
    district = the_district()
    add_producers(district, 20)
    add_catalog(district, count * 2)
    skus = list(Sku.objects.filter(product__district=district).order_by("pk"))[: count * 2]
    Sku.objects.filter(pk__in=[sku.pk for sku in skus]).update(stock=1)
    racing, alone = skus[:count], skus[count:]
    accounts = [make_account(district, code, f"Race {code}") for code in API_CHANNELS]
    for account in accounts:
        add_listings(account, [sku.pk for sku in skus], state=Listing.State.LIVE)
    main.close()  # the threads open their own

    def order(account: ChannelAccount, sku: Sku) -> OrderData:
        return OrderData(
            channel_order_id=f"{account.channel}-{sku.pk}",
            ordered_at=datetime(2026, 11, 22, 10, tzinfo=UTC),
            lines=[OrderLineData(sku.seller_sku, 1, Decimal("499.00"), line_id="1")],
        )

    from niryat.channels.actions import record_order

    errors: list[str] = []
    barrier = threading.Barrier(len(accounts))

    def orders_of(account: ChannelAccount) -> None:
        try:
            barrier.wait()
            for sku in racing:
                try:
                    record_order(account, order(account, sku))
                except Exception as exc:  # counted: an order that was not recorded
                    errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=orders_of, args=(account,)) for account in accounts]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    concurrent_s = time.perf_counter() - started

    started = time.perf_counter()
    for sku in alone:
        for account in accounts:
            record_order(account, order(account, sku))
    sequential_s = time.perf_counter() - started

    ids = [sku.pk for sku in racing]
    per_sku = (
        Sku.objects.filter(pk__in=ids)
        .annotate(
            accepted=Count(
                "order_lines", filter=~Q(order_lines__order__state=Order.State.CANCELLED)
            ),
            cancelled=Count(
                "order_lines", filter=Q(order_lines__order__state=Order.State.CANCELLED)
            ),
        )
        .values_list("stock", "accepted", "cancelled")
    )
    accepted: Counter[int] = Counter()
    cancelled: Counter[int] = Counter()
    oversold = wrong = negative = 0
    for stock, taken, refused in per_sku:
        accepted[taken] += 1
        cancelled[refused] += 1
        oversold += taken > 1 or (stock or 0) < 0
        negative += (stock or 0) < 0
        wrong += (taken, refused) != (1, 2)
    moves = Sku.objects.filter(pk__in=ids).aggregate(taken=Sum("stock_moves__change"))
    return {
        "orders": len(ids) * len(accounts),
        "concurrent_s": concurrent_s,
        "sequential_s": sequential_s,
        "oversold": oversold,
        "negative": negative,
        "wrong": wrong,
        "accepted": _spread(accepted),
        "cancelled": _spread(cancelled),
        "stock_moves": moves["taken"],
        "errors": len(errors),
        "first_errors": errors[:3],
    }


def _spread(counts: Counter[int]) -> str:
    """ "1 on 100 SKUs" or "1 on 98 SKUs, 2 on 2 SKUs"."""
    return ", ".join(f"{value} on {n:,} SKUs" for value, n in sorted(counts.items()))
