"""What a signed ONDC `search` costs the node, on a real server:

1. Search → ACK under load: gunicorn (2 workers × 4 threads, as a small district server would run)
   on loopback serves the node; waves of 200 concurrent `search` requests, each signed by the
   buyer app (a new message_id each: the node refuses replays) go to /ondc/search and every one
   must come back ACK: p50, p95, p99 and requests/s. The baseline is the same load on the node's
   site-verification page, the cheapest page the same server serves for the node (one query for
   the node and one Ed25519 signature). The background answer (the on_search) is not part of it:
   no task worker runs.
2. Verification cost per request: the node's check of one request's signature as the server makes
   it (parse the header, the sender's key from the cache of registry look-ups, BLAKE2b of the raw
   body, Ed25519 verify), against a bare Ed25519 verify of the same signing string with the key
   already loaded, in the same run. Target ≤ 1.5×.

3. Select → on_select at the buyer app with the task worker `make run` starts (`manage.py
   db_worker`, polling every second): the fake buyer app (fakes/ondc_bap.py) sends signed
   `select`s 0.1 to 1.1 s apart, so the requests fall anywhere in the worker's poll, and times
   their arrival to the signed on_select (which it verifies). Target: p95 ≤ 5 s, ONDC's window
   for on_select, on_init and on_confirm. The baseline is the same requests' ACK.

The registry is the fake one (fakes/ondc_registry.py) on loopback; each gunicorn worker looks the
buyer app's key up once and caches it. BENCH_ONDC_WAVES sets the number of waves (default 5),
BENCH_ONDC_SELECTS the selects of part 3 (default 12).
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.cache import cache
from django.db import connection
from django_tasks_db.models import DBTaskResult

from bench.harness import Rate, Result, Target, Timing, compare
from niryat.channels import secrets
from niryat.channels.models import OndcMessage, OndcNode
from niryat.channels.ondc import server, signing
from niryat.channels.ondc.protocol import Reply
from niryat.core.models import District

HERE = Path(__file__).resolve().parent
SUBSCRIBER = "edc-bench.niryat.test"
CONCURRENT = 200


def answer_search(node: OndcNode, request: dict[str, Any]) -> Reply:
    """The bench's search handler (the ACK is measured, not the catalogue)."""
    return Reply(message={"catalog": {}})


def answer_select(node: OndcNode, request: dict[str, Any]) -> Reply:
    """The bench's select handler: the quote is not what part 3 measures, the round trip is."""
    return Reply(message={"order": {**request["message"]["order"], "quote": {"ttl": "P1D"}}})


# The worker as `make run` starts it, with the bench's select handler installed.
WORKER = (
    "import django; django.setup()\n"
    "from niryat.channels.ondc import server\n"
    "server.HANDLERS['select'] = 'bench.bench_ondc_search.answer_select'\n"
    "from django.core.management import call_command\n"
    "call_command('db_worker', reload=False)\n"
)


def _env(registry_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "ONDC_REGISTRY_URL": registry_url,
        "ALLOWED_HOSTS": f"127.0.0.1,localhost,{SUBSCRIBER}",
        # As in production: a worker keeps its database connection between requests.
        "DATABASE_CONN_MAX_AGE": "60",
    }


def _round_trips(bap: Any, count: int) -> tuple[list[float], list[float]]:
    """Seconds from sending a select to its ACK, and to its verified on_select at the buyer app."""
    acks: list[float] = []
    callbacks: list[float] = []
    order = {"order": {"items": [{"id": "I1", "quantity": {"count": 1}}]}}
    for i in range(count):
        # The next request lands elsewhere in the worker's one-second poll.
        time.sleep(0.1 + (i * 0.37) % 1.0)
        start = time.time()
        answer, context = bap.send(SUBSCRIBER, "select", order)
        acks.append(time.time() - start)
        assert answer.json()["message"]["ack"]["status"] == "ACK", answer.text
        callback = bap.wait_for("on_select", message_id=context["message_id"], timeout=30)
        assert callback.verified
        callbacks.append(callback.received_at - start)
    return acks, callbacks


def _node() -> OndcNode:
    signing_keys, encryption_keys = (
        signing.SigningKeys.generate(),
        signing.EncryptionKeys.generate(),
    )
    now = datetime.now(UTC)
    district = District.objects.exclude(pk__in=OndcNode.objects.values("district")).first()
    assert district is not None
    return OndcNode.objects.create(
        district=district,
        subscriber_id=SUBSCRIBER,
        unique_key_id="bench-key-1",
        signing_public_key=signing_keys.public_key,
        encryption_public_key=encryption_keys.public_key,
        private_keys_encrypted=secrets.encrypt(
            {"signing": signing_keys.private_key, "encryption": encryption_keys.private_key}
        ),
        keys_valid_from=now,
        keys_valid_until=now.replace(year=now.year + 1),
    )


def _database_url() -> str:
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{conf['NAME']}"
    return (
        f"postgres://{conf['USER']}:{conf['PASSWORD']}@{conf['HOST'] or 'localhost'}:"
        f"{conf['PORT'] or 5432}/{conf['NAME']}"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_gunicorn(port: int, registry_url: str) -> subprocess.Popen[bytes]:
    env = _env(registry_url)
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "-c",
            str(HERE / "ondc_gunicorn.py"),
            "-b",
            f"127.0.0.1:{port}",
        ],
        cwd=HERE.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/ondc-site-verification.html", timeout=2)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]


async def _one(port: int, request: bytes) -> tuple[float, bytes]:
    """One HTTP/1.1 exchange on its own connection, written by hand: a Python HTTP client's
    pool costs more CPU than the server under test at 200 connections, on the same two cores."""
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])  # type: ignore[index]
    body = await reader.readexactly(length)
    elapsed = time.perf_counter() - start
    writer.close()
    status = head.split(b" ", 2)[1]
    if status != b"200":
        raise RuntimeError(f"HTTP {status.decode()}: {body.decode()[:300]}")
    return elapsed, body


async def _wave_async(port: int, requests: list[bytes]) -> list[float]:
    answers = await asyncio.gather(*(_one(port, request) for request in requests))
    for _, body in answers:
        if body.startswith(b"{") and b'"ACK"' not in body:
            raise RuntimeError(f"not ACKed: {body.decode()[:300]}")
    return [elapsed for elapsed, _ in answers]


def _wave(port: int, requests: list[bytes]) -> list[float]:
    """Send all requests at once; the seconds each took."""
    return asyncio.run(_wave_async(port, requests))


PAGE = (
    f"GET /ondc-site-verification.html HTTP/1.1\r\nHost: {SUBSCRIBER}\r\nConnection: close\r\n\r\n"
).encode()


def _signed_searches(bap: Any, count: int) -> list[bytes]:
    """`count` searches, each a new message_id, signed now, as raw HTTP requests."""
    out = []
    for _ in range(count):
        body = bap.body("search", SUBSCRIBER, {"intent": {}}, message_id=str(uuid.uuid4()))
        head = (
            f"POST /ondc/search HTTP/1.1\r\nHost: {SUBSCRIBER}\r\n"
            "Content-Type: application/json\r\nConnection: close\r\n"
            f"Content-Length: {len(body)}\r\nAuthorization: {bap.signer.header(body)}\r\n\r\n"
        )
        out.append(head.encode() + body)
    return out


def _load(port: int, bap: Any, waves: int) -> tuple[list[float], float, list[float], float]:
    """Per-request seconds and total seconds for searches, then for the baseline page."""
    _wave(port, _signed_searches(bap, 20))  # warm up: imports, key look-ups
    _wave(port, [PAGE] * 20)
    searches: list[float] = []
    pages: list[float] = []
    search_time = page_time = 0.0
    for _ in range(waves):
        batch = _signed_searches(bap, CONCURRENT)  # signed just before: fresh timestamps
        start = time.perf_counter()
        searches += _wave(port, batch)
        search_time += time.perf_counter() - start
        start = time.perf_counter()
        pages += _wave(port, [PAGE] * CONCURRENT)
        page_time += time.perf_counter() - start
    return searches, search_time, pages, page_time


def _timing(samples: list[float]) -> Timing:
    ms = sorted(s * 1000 for s in samples)
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return Timing(p50_ms=statistics.median(ms), p95_ms=cuts[94], n=len(ms))


def _p99(samples: list[float]) -> float:
    return statistics.quantiles([s * 1000 for s in samples], n=100, method="inclusive")[98]


def run(scale: float) -> list[Result]:
    from fakes.ondc_bap import FakeOndcBuyerApp
    from fakes.ondc_registry import FakeOndcRegistry

    waves = int(os.environ.get("BENCH_ONDC_WAVES", "5"))
    node = _node()
    registry, bap = FakeOndcRegistry(), FakeOndcBuyerApp()
    registry.start()
    gunicorn = worker = None
    try:
        for participant in bap.participants():
            registry.add_participant(participant)
        registry.add_participant(
            {
                "subscriber_id": SUBSCRIBER,
                "ukId": node.unique_key_id,
                "domain": "ONDC:RET16",
                "type": "sellerApp",
                "signing_public_key": node.signing_public_key,
                "valid_until": "2099-01-01T00:00:00.000Z",
            }
        )
        bap.start()
        port = _free_port()
        gunicorn = _start_gunicorn(port, registry.url)
        searches, search_time, pages, page_time = _load(port, bap, waves)
        received = OndcMessage.objects.filter(node=node, outcome="ack").count()
        assert received == len(searches) + 20, received  # every search logged once

        # 3. The round trip through `make run`'s worker; the searches' answers are not its work.
        DBTaskResult.objects.filter(task_path__contains="answer_ondc_request").delete()
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER],
            cwd=HERE.parent,
            env=_env(registry.url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        bap.registry_url = registry.url
        bap.sites[SUBSCRIBER] = f"http://127.0.0.1:{port}"
        _round_trips(bap, 1)  # the worker started (make run starts it long before a buyer)
        acks, round_trips = _round_trips(bap, int(os.environ.get("BENCH_ONDC_SELECTS", "12")))

        # 2. Verification in this process, against a bare Ed25519 verify of the same bytes.
        from django.test.utils import override_settings

        with override_settings(ONDC_REGISTRY_URL=registry.url):
            cache.clear()
            body = bap.body("search", SUBSCRIBER, {"intent": {}})
            headers = {"Authorization": bap.signer.header(body)}
            server.verify_signatures(node, body, headers)  # the key looked up once, then cached
            parsed = signing.parse_header(headers["Authorization"])
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(bap.signer.public_key))
            signature = base64.b64decode(parsed.signature)
            signed = signing.signing_string(body, parsed.created, parsed.expires)
            ours, bare = compare(
                lambda: server.verify_signatures(node, body, headers),
                lambda: key.verify(signature, signed),
                repeat=2000,
                max_seconds=3,
            )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(10)
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(10)
        bap.stop()
        registry.stop()
        DBTaskResult.objects.filter(task_path__contains="ondc").delete()
        OndcMessage.objects.filter(node=node).delete()
        node.delete()

    count = len(searches)
    size = f"{count:,} signed searches, {CONCURRENT} at once, body {len(body)} B"
    search_rate = count / search_time
    page_rate = len(pages) / page_time
    note = (
        f"search → ACK p99 {_p99(searches):.1f} ms, {search_rate:,.0f} requests/s; "
        f"verification page p99 {_p99(pages):.1f} ms, {page_rate:,.0f} requests/s "
        f"(gunicorn 2 workers × 4 threads on loopback, {connection.vendor})"
    )
    return [
        Result(
            name="ONDC search → ACK, 200 concurrent",
            size=size,
            measured=_timing(searches),
            baseline=_timing(pages),
            baseline_label="the node's site-verification page under the same load "
            "(one query, one Ed25519 signature)",
            note=note,
        ),
        Result(
            name="ONDC search → ACK, requests/s",
            size=size,
            measured=Rate(rows_per_s=search_rate, rows=count, n=waves),
            baseline=Rate(rows_per_s=page_rate, rows=len(pages), n=waves),
            baseline_label="the node's site-verification page under the same load "
            "(one query, one Ed25519 signature)",
        ),
        Result(
            name="ONDC select → on_select at the buyer app",
            size=f"{len(round_trips)} selects, one at a time, db_worker polling every 1 s",
            measured=_timing(round_trips),
            baseline=_timing(acks),
            baseline_label="the same selects' ACK",
            target=Target("p95_ms", 5000),
            note=f"slowest round trip {max(round_trips) * 1000:.0f} ms",
        ),
        Result(
            name="ONDC signature verification per request",
            size=f"one search body, {len(body)} B",
            measured=ours,
            baseline=bare,
            baseline_label="bare Ed25519 verify of the same signing string, key loaded",
            target=Target("ratio", 1.5),
        ),
    ]
