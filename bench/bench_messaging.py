"""What the messaging gateway costs, and whether it loses or repeats a message under faults.

N order alerts (BENCH_MESSAGING_ALERTS; by default 100,000 × scale, at least 500) go through the
gateway to the fake MSG91 and the fake WhatsApp Cloud API on loopback: half the producers agreed
to WhatsApp (approved template), the others get an SMS under DLT. Each alert is checked, recorded
with its idempotency key and queued (`gateway.send`), then delivered as the worker's
tasks do (`gateway.deliver_due`: each task sends its message and the other due ones with it, in
batches), retries included, until nothing waits.
Every alert is sent twice to the gateway (a task that ran twice); one in ten provider calls
fails first (429 with Retry-After 0, then 503), and some calls get no answer in time, half of
them taken by the provider ("late") and half never taken ("lost"): those wait for the
providers' reports (posted to our webhooks as the providers would, and timed apart), and the
ones no report names are sent again once their window is over. Afterwards, what each fake
received is counted against the alerts: lost and duplicated must both be 0.

The baseline, in the same run: bare HTTP posts of the same bodies, one per alert as the
backends build them for one message, to the same fakes on one kept-open client, without faults,
records or checks. The note adds the bare posts of the calls the gateway really made (an MSG91
call carries many SMS).

What the figure leaves out: the task worker's own cost per task (picking it from the queue and
marking it done, a few queries each), since the tasks' work is called here as the worker calls
it.

Runs in a transaction that is rolled back, so the dataset is left as the generator made it.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from typing import Any

import httpx
from django.db import transaction
from django.db.models import Count
from django.test import RequestFactory
from django.test.utils import override_settings
from django.utils import timezone

from bench.generate import DESIGN_CATALOG
from bench.harness import Rate, Result
from fakes.msg91 import AUTH_KEY, FakeMsg91
from fakes.whatsapp import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, FakeWhatsApp
from niryat.core.messaging import Outgoing, gateway
from niryat.core.models import District
from niryat.messaging import dlt, webhooks
from niryat.messaging import gateway as implementation
from niryat.messaging.backends import msg91, whatsapp
from niryat.messaging.backends.base import Delivery
from niryat.messaging.models import ContactChoice, Message, MessageTemplate
from niryat.registry.models import Producer

HEADER = "NIRYAT"
FAULT_SHARE = 0.1  # of the provider calls, failing first (half 429, half 503)
TIMEOUTS = 2  # calls per provider that get no answer in time
STATUSES_PER_WEBHOOK = 1000
HTTP_TIMEOUT = 0.25  # seconds our client waits in the bench; the fakes hold a timeout longer


def alerts_wanted(scale: float) -> int:
    named = os.environ.get("BENCH_MESSAGING_ALERTS", "")
    return int(named) if named else max(500, round(100_000 * scale))


def run(scale: float) -> list[Result]:
    count = alerts_wanted(scale)
    msg91_fake, whatsapp_fake = FakeMsg91(), FakeWhatsApp()
    msg91_url, whatsapp_url = msg91_fake.start(), whatsapp_fake.start()
    settings = {
        "MESSAGING_BACKENDS": {
            "sms": "niryat.messaging.backends.msg91.Msg91Backend",
            "whatsapp": "niryat.messaging.backends.whatsapp.WhatsAppBackend",
            "email": "niryat.messaging.backends.local.MemoryBackend",
        },
        "MESSAGING_QUIET_HOURS": (0, 0),
        "MESSAGING_RETRY_SECONDS": 0.0,
        "MESSAGING_RETRY_CAP_SECONDS": 0.0,
        "CHANNEL_HTTP_TIMEOUT": HTTP_TIMEOUT,
        "MSG91_API_URL": msg91_url,
        "MSG91_AUTH_KEY": AUTH_KEY,
        "WHATSAPP_API_URL": whatsapp_url,
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
    }
    try:
        with transaction.atomic(), override_settings(**settings):
            results = [soak(count, msg91_fake, whatsapp_fake)]
            transaction.set_rollback(True)
    finally:
        msg91_fake.stop()
        whatsapp_fake.stop()
    return results


def register_templates(fake: FakeMsg91) -> None:
    """The DLT ids, as the state enters them, and the same registrations at the operator."""
    for number, template in enumerate(MessageTemplate.objects.order_by("key"), 1):
        template.dlt_entity_id = "1101456780000012345"
        template.dlt_header = HEADER
        template.dlt_template_id_hi = f"11071600000000{number:05d}"
        template.dlt_template_id_en = f"11071600000001{number:05d}"
        template.save()
        for language in ("hi", "en"):
            fake.register_dlt(
                template.dlt_template_id(language), HEADER, dlt.dlt_wording(template.body(language))
            )


def recipients() -> list[Producer]:
    """The district's producers with a mobile; every second one agreed to WhatsApp."""
    district = District.objects.get(lgd_code=DESIGN_CATALOG.lgd_code)
    producers = list(
        Producer.objects.filter(district=district).exclude(mobile="").order_by("pk")[:2000]
    )
    ContactChoice.objects.bulk_create(
        ContactChoice(producer=p, channel="whatsapp", address=p.mobile, agreed=True)
        for p in producers[::2]
    )
    return producers


def alert(index: int, producer: Producer) -> Outgoing:
    return Outgoing(
        template="order_alert",
        key=f"bench-order-alert:{index}",
        variables={
            "channel": "Flipkart",
            "items": f"टेराकोटा घोड़ा × {1 + index % 3}",
            "order": f"OD-{index:07d}",
            "date": "9 दिसंबर 2026, 03:23",
        },
        producer_id=producer.pk,
    )


def soak(count: int, msg91_fake: FakeMsg91, whatsapp_fake: FakeWhatsApp) -> Result:
    register_templates(msg91_fake)
    producers = recipients()
    if not producers:
        raise AssertionError("no producer with a mobile in the bench district")
    sms_calls = -(-count // 2 // implementation.backend_for("sms").batch_size)
    injected = {}
    for fake, path, calls, kind in (
        (msg91_fake, "POST /api/v2/sendsms", sms_calls, "late"),
        (whatsapp_fake, "POST /v", count // 2, "lost"),
    ):
        # The first calls fail (one in ten of the calls the alerts need, half with each
        # kind), their retries succeed; further on, a few MSG91 calls are taken but answered
        # too late, and a few WhatsApp calls never taken.
        faults = max(2, round(calls * FAULT_SHARE))
        injected[fake.name] = faults
        fake.set_faults(rate_limited=faults // 2, retry_after=0, server_errors=faults - faults // 2)
        fake.set_faults(
            broken=path,
            broken_after=faults + max(1, calls // 3),
            broken_times=TIMEOUTS,
            broken_kind=kind,
            timeout_delay=HTTP_TIMEOUT * 1.6,
        )
    started = time.perf_counter()
    for index in range(count):
        message = alert(index, producers[index % len(producers)])
        gateway().send(message)
        gateway().send(message)  # the same alert again: a task that ran twice
    sent_s = time.perf_counter() - started
    drain()
    first_pass_s = time.perf_counter() - started
    checking = Message.objects.filter(key__startswith="bench-order-alert:", status="checking")
    unanswered = checking.count()
    # The providers' reports, as their webhooks bring them (timed apart: they are the
    # providers' calls to us, not our sending).
    reports_started = time.perf_counter()
    reports = post_reports(msg91_fake, whatsapp_fake)
    reports_s = time.perf_counter() - reports_started
    confirmed = unanswered - checking.count()
    started = time.perf_counter()
    drain(windows_over=True)  # what no report named goes again
    measured_s = first_pass_s + time.perf_counter() - started
    lost, duplicated = tally(count, msg91_fake, whatsapp_fake)
    by_channel = dict(
        Message.objects.filter(key__startswith="bench-order-alert:")
        .values_list("channel")
        .annotate(n=Count("id"))
    )
    retried = Message.objects.filter(key__startswith="bench-order-alert:", attempts__gt=1).count()
    calls = len(msg91_fake.requests) + len(whatsapp_fake.requests)
    baseline_s, as_sent_s = bare_posts(msg91_fake, whatsapp_fake)
    print(
        f"bench_messaging: {count:,} alerts in {measured_s:.1f} s ({calls:,} provider calls), "
        f"bare posts {baseline_s:.1f} s (of the calls made: {as_sent_s:.1f} s), "
        f"{reports:,} reports in {reports_s:.1f} s; sending to the gateway {sent_s:.1f} s, "
        f"first delivery {first_pass_s - sent_s:.1f} s",
        file=sys.stderr,
    )
    if lost or duplicated:
        raise AssertionError(f"lost {lost}, duplicated {duplicated} of {count} alerts")
    return Result(
        name="order alerts through the gateway",
        size=f"{count:,} alerts · {by_channel.get('sms', 0):,} SMS, "
        f"{by_channel.get('whatsapp', 0):,} WhatsApp",
        measured=Rate(rows_per_s=count / measured_s, rows=count, n=1),
        baseline=Rate(rows_per_s=count / baseline_s, rows=count, n=1),
        baseline_label="bare HTTP posts of the same bodies, one per alert, to the same fakes "
        "(no records, no checks, no faults)",
        note=f"lost 0, duplicated 0; each alert sent to the gateway twice; {retried:,} retried "
        f"after {injected['msg91']:,} MSG91 and {injected['whatsapp']:,} WhatsApp calls "
        f"answered 429 or 503, and {unanswered:,} messages without an answer in time "
        f"({confirmed:,} found sent by the providers' reports, the others sent again); "
        f"{calls:,} provider calls in all; bare posts of the calls "
        f"the gateway made: {as_sent_s:.2f} s; {reports:,} provider reports handled in "
        f"{reports_s:.1f} s (not in the figure)",
    )


def drain(*, windows_over: bool = False) -> None:
    """Run every due message's task as the worker would, retries falling due at once; what
    waits for a provider's report is left waiting unless its window is `windows_over`."""
    statuses = ["queued", "checking"] if windows_over else ["queued"]
    while True:
        due = list(
            Message.objects.filter(key__startswith="bench-order-alert:", status__in=statuses)
            .order_by("pk")
            .values_list("pk", "next_try_at")
        )
        if not due:
            return
        for pk, next_try_at in due:
            implementation.deliver_due(pk, now=max(timezone.now(), next_try_at))


def post_reports(msg91_fake: FakeMsg91, whatsapp_fake: FakeWhatsApp) -> int:
    """The fakes' delivery reports and "sent" statuses, posted to our webhook views."""
    factory = RequestFactory()
    reports = 0
    for body in msg91_fake.delivery_reports():
        request = factory.post("/hooks/msg91/x/", body, content_type="application/json")
        with override_settings(MSG91_WEBHOOK_TOKEN="x"):  # noqa: S106 - the bench's own
            webhooks.msg91_report(request, token="x")  # noqa: S106
        reports += len(body["data"][0]["report"])
    payload = whatsapp_fake.statuses("sent")
    value = payload["entry"][0]["changes"][0]["value"]
    statuses = value["statuses"]
    # Meta posts statuses in batches; one webhook with them all would pass Django's body limit.
    for start in range(0, len(statuses), STATUSES_PER_WEBHOOK):
        value["statuses"] = statuses[start : start + STATUSES_PER_WEBHOOK]
        body, headers = FakeWhatsApp.signed(payload)
        request = factory.post(
            "/hooks/whatsapp/",
            body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=headers["X-Hub-Signature-256"],
        )
        webhooks.whatsapp(request)
    return reports + len(statuses)


def tally(count: int, msg91_fake: FakeMsg91, whatsapp_fake: FakeWhatsApp) -> tuple[int, int]:
    """(lost, duplicated): each alert names its order once, in its text or its parameters."""
    seen: Counter[str] = Counter()
    for sent in msg91_fake.sent:
        seen[sent["message"].split("ऑर्डर ")[-1].split("।")[0]] += 1
    for sent in whatsapp_fake.sent:
        seen[sent["template"]["components"][0]["parameters"][2]["text"]] += 1
    wanted = {f"OD-{index:07d}" for index in range(count)}
    lost = len(wanted - set(seen))
    duplicated = sum(n - 1 for n in seen.values() if n > 1)
    return lost, duplicated


def bare_posts(msg91_fake: FakeMsg91, whatsapp_fake: FakeWhatsApp) -> tuple[float, float]:
    """(one post per alert, the calls the gateway made): the same bodies posted as they are,
    what the HTTP calls alone cost."""
    bodies: list[tuple[str, str, dict[str, Any], dict[str, str]]] = []
    templates = {t.key: t for t in MessageTemplate.objects.all()}
    for message in Message.objects.filter(key__startswith="bench-order-alert:").order_by("pk"):
        template = templates[message.template]
        delivery = Delivery(
            key=message.key,
            channel=message.channel,
            to=message.address,
            text=message.text,
            language=message.language,
            template=message.template,
            variables=[str(message.variables[n]) for n in template.variables(message.language)],
            dlt_header=HEADER,
            dlt_template_id=template.dlt_template_id(message.language),
            whatsapp_name=template.whatsapp_name,
            reference=message.provider_ref,
        )
        if message.channel == "sms":
            bodies.append(
                (
                    msg91_fake.url,
                    "/api/v2/sendsms",
                    msg91.request_body(delivery),
                    {"authkey": AUTH_KEY},
                )
            )
        else:
            bodies.append(
                (
                    whatsapp_fake.url,
                    f"/v21.0/{PHONE_NUMBER_ID}/messages",
                    whatsapp.request_body(delivery),
                    {"Authorization": f"Bearer {ACCESS_TOKEN}"},
                )
            )
    made = [
        (fake.url, request.path, request.json(), headers)
        for fake, headers in (
            (msg91_fake, {"authkey": AUTH_KEY}),
            (whatsapp_fake, {"Authorization": f"Bearer {ACCESS_TOKEN}"}),
        )
        for request in list(fake.requests)
    ]
    for fake in (msg91_fake, whatsapp_fake):
        fake.reset()
    with httpx.Client() as client:
        started = time.perf_counter()
        for base, path, body, headers in bodies:
            client.post(base + path, json=body, headers=headers).raise_for_status()
        per_alert = time.perf_counter() - started
        started = time.perf_counter()
        for base, path, body, headers in made:
            client.post(base + path, json=body, headers=headers).raise_for_status()
        as_made = time.perf_counter() - started
    return per_alert, as_made
