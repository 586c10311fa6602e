"""The messaging gateway (core's `Gateway` interface): every message Niryat sends goes here.

`send` checks the message before anything leaves (a known template, every variable given, a
channel the producer has and agreed to, the SMS wording registered under DLT), records it as a
`Message` under its idempotency key, and queues its delivery (after quiet hours, unless urgent).
`deliver` (the task) claims the message, sends it through the channel's backend once, and
retries passing faults with backoff; a message the provider took is never sent again.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from niryat.core.dates import INDIA
from niryat.core.messaging import LogLine, MessageNotSent, MessageRefused, Outgoing
from niryat.core.messaging import normalise_mobile as normalise_mobile
from niryat.messaging import dlt
from niryat.messaging.backends.base import Backend, Delivery, Outcome, ProviderError
from niryat.messaging.models import Channel, ContactChoice, Message, MessageTemplate
from niryat.registry.models import Consent, Producer

logger = logging.getLogger("niryat.messaging")

# Prefer what the producer reads most easily, when they agreed to it.
CHANNEL_ORDER = (Channel.WHATSAPP, Channel.SMS, Channel.EMAIL)
SESSION_WINDOW = dt.timedelta(hours=24)


@cache
def _backend(path: str) -> Backend:
    backend: Backend = import_string(path)()
    return backend


def backend_for(channel: str) -> Backend:
    return _backend(settings.MESSAGING_BACKENDS[channel])


# --- choosing the channel --------------------------------------------------------------------


def consent_withdrawn(producer: Producer) -> bool:
    """Erased, or their latest word on holding their data is a withdrawal: only what the law
    requires may reach them."""
    if producer.erased_at is not None:
        return True
    latest = (
        Consent.objects.filter(producer=producer, purpose=Consent.Purpose.HOLD_DATA)
        .order_by("-on", "-id")
        .values_list("given", flat=True)[:1]
    )
    return any(not given for given in latest)


def choices_of(producer: Producer) -> dict[str, ContactChoice]:
    return {choice.channel: choice for choice in ContactChoice.objects.filter(producer=producer)}


def route(producer: Producer, template: MessageTemplate) -> tuple[str, str] | str:
    """(channel, address) for a message to the producer, or why there is none.

    WhatsApp and email need the producer's agreement (a `ContactChoice` they agreed to); SMS goes
    to their registered mobile unless they opted out of it. An opt-out or a withdrawal of
    consent does not stop a message the law requires (the confirmation of an opt-out)."""
    if consent_withdrawn(producer) and not template.required_by_law:
        return _("They withdrew their consent.")
    choices = choices_of(producer)
    opted_out = False
    for channel in CHANNEL_ORDER:
        choice = choices.get(channel)
        if choice is not None and choice.opted_out_at and not template.required_by_law:
            opted_out = True
            continue
        if choice is not None and choice.address and (choice.agreed or template.required_by_law):
            return channel, choice.address
        if channel == Channel.SMS and producer.mobile and choice is None:
            return channel, producer.mobile
    if opted_out:
        return _("They opted out of messages.")
    return _("They have no channel they agreed to.")


# --- sending ---------------------------------------------------------------------------------


def quiet_until(now: dt.datetime) -> dt.datetime | None:
    """The end of the quiet hours if `now` is inside them (in India's time), else None."""
    start, end = settings.MESSAGING_QUIET_HOURS
    if start == end:
        return None
    local = now.astimezone(INDIA)
    inside = (start <= local.hour or local.hour < end) if start > end else start <= local.hour < end
    if not inside:
        return None
    day = local.date() if local.hour < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(end), tzinfo=INDIA).astimezone(dt.UTC)


def render(template: MessageTemplate, language: str, variables: dict[str, str]) -> str:
    """The wording with its variables; refuses a missing or empty one."""
    missing = [name for name in template.variables(language) if not variables.get(name, "")]
    if missing:
        raise MessageRefused(f"{template.key}: no value for {', '.join(missing)}")
    return template.body(language).format_map(variables)


def dlt_problem(template: MessageTemplate, language: str, text: str) -> str:
    """Why an SMS may not go under DLT ("" if it may)."""
    if not (template.dlt_entity_id and template.dlt_header and template.dlt_template_id(language)):
        return _("The template has no DLT registration for SMS.")
    if not dlt.matches(template.body(language), text):
        return _("The text does not match the template registered under DLT.")
    return ""


class DatabaseGateway:
    """Implements niryat.core.messaging.Gateway (settings.MESSAGING_GATEWAY)."""

    def send(self, message: Outgoing) -> None:
        if Message.objects.filter(key=message.key).exists():
            return  # sent (or refused) already: one message per key
        template = MessageTemplate.objects.filter(key=message.template).first()
        if template is None:
            raise MessageRefused(f"no template {message.template!r}")
        language = "en" if message.language == "en" else "hi"
        values = {name: str(value).strip() for name, value in message.variables.items()}
        render(template, language, values)  # a missing variable is refused here
        producer = None
        if message.producer_id is not None:
            # What routing needs, and no more: sending is the hot path.
            producer = (
                Producer.objects.filter(pk=message.producer_id)
                .only("pk", "district_id", "mobile", "erased_at")
                .first()
            )
        channel: str = Channel.SMS
        address, refusal = message.to, ""
        if producer is not None:
            chosen = route(producer, template)
            if isinstance(chosen, str):
                channel, address, refusal = "", "", chosen
            else:
                channel, address = chosen
        if channel == Channel.SMS and producer is None:
            address = normalise_mobile(address)  # a number typed in: refused if it is none
        elif channel in (Channel.SMS, Channel.WHATSAPP):
            try:
                address = normalise_mobile(address)
            except MessageRefused:
                # A registry number that is no mobile: staff see why in the producer's log.
                refusal = _("Their number is not a mobile number.")
        if channel == Channel.SMS and backend_for(channel).requires_dlt:
            # A DLT variable holds 30 characters: a long list of items is cut to fit.
            values = {name: dlt.fit(value) for name, value in values.items()}
        text = render(template, language, values)
        if message.secret and not message.urgent:
            raise MessageRefused("only an urgent message, sent at once, may carry a secret")
        kept = {
            name: ("•" * 6 if name in message.secret else value) for name, value in values.items()
        }
        if channel == Channel.SMS and not refusal and backend_for(channel).requires_dlt:
            refusal = dlt_problem(template, language, text)
        now = timezone.now()
        later = None if message.urgent or template.required_by_law else quiet_until(now)
        try:
            with transaction.atomic():
                record = Message.objects.create(
                    key=message.key,
                    producer=producer,
                    district_id=producer.district_id if producer else None,
                    channel=channel or Channel.SMS,
                    address=address,
                    template=template.key,
                    language=language,
                    variables=kept,
                    text=render(template, language, kept),
                    urgent=message.urgent,
                    status=Message.Status.REFUSED if refusal else Message.Status.QUEUED,
                    reason=refusal,
                    next_try_at=later or now,
                )
                if not refusal and not message.urgent:
                    schedule(record)
        except IntegrityError:
            return  # the same key sent at the same moment by another worker: one message
        if message.urgent:
            if refusal:
                raise MessageNotSent(refusal)
            if not deliver(record.pk, secret_values=values if message.secret else None):
                record.refresh_from_db()
                raise MessageNotSent(record.reason)

    def log_for(self, producer_id: int, limit: int = 20) -> list[LogLine]:
        return [
            LogLine(
                created_at=message.created_at,
                channel=message.get_channel_display(),
                template=message.template,
                text=message.text,
                status=message.get_status_display(),
                status_code=message.status,
                reason=message.reason,
                direction=message.direction,
            )
            for message in Message.objects.filter(producer_id=producer_id)[:limit]
        ]


def reply(inbound: Message, template_key: str, variables: dict[str, str]) -> None:
    """Answer a producer's message on the channel it came by (inside the customer-service
    window, so as free-form text), in Hindi, at once: they just wrote. Once per message and
    template, however often the answer is worked out."""
    template = MessageTemplate.objects.get(key=template_key)
    text = render(template, "hi", variables)
    refusal = ""
    if inbound.producer is not None and not template.required_by_law:
        choice = choices_of(inbound.producer).get(inbound.channel)
        if choice is not None and choice.opted_out_at:
            refusal = _("They opted out of messages.")
    with transaction.atomic():
        record, created = Message.objects.get_or_create(
            key=f"reply:{inbound.key}:{template_key}",
            defaults={
                "producer": inbound.producer,
                "district_id": inbound.district_id,
                "channel": inbound.channel,
                "address": inbound.address,
                "template": template_key,
                "language": "hi",
                "variables": variables,
                "text": text,
                "status": Message.Status.REFUSED if refusal else Message.Status.QUEUED,
                "reason": refusal,
                "next_try_at": timezone.now(),
            },
        )
        if created and not refusal:
            schedule(record)


def send_unrecorded(channel: str, address: str, template_key: str) -> None:
    """One attempt, nothing kept: the answer to a number that is no producer's, or to a STOP
    from a producer who withdrew consent. A failure is logged without the number."""
    template = MessageTemplate.objects.filter(key=template_key).first()
    if template is None:
        return
    text = render(template, "hi", {})
    backend = backend_for(channel)
    if backend.requires_dlt and dlt_problem(template, "hi", text):
        logger.warning("%s reply %s not sent: no DLT registration", channel, template_key)
        return
    delivery = Delivery(
        key=f"unrecorded:{template_key}",
        channel=channel,
        to=address,
        text=text,
        language="hi",
        template=template_key,
        dlt_entity_id=template.dlt_entity_id,
        dlt_header=template.dlt_header,
        dlt_template_id=template.dlt_template_id("hi"),
        whatsapp_name=template.whatsapp_name,
        session_open=True,  # they just wrote to us
    )
    try:
        backend.send(delivery)
    except ProviderError as exc:
        logger.warning("%s reply %s not sent: %s", channel, template_key, exc.reason)


def schedule(message: Message) -> None:
    from niryat.messaging.tasks import deliver_message

    # The database task backend stores the task in the current transaction: it exists exactly
    # when the message does.
    deliver_message.using(run_after=message.next_try_at).enqueue(message.pk)


# --- delivering ------------------------------------------------------------------------------
#
# A message's task delivers it and, in the same go, up to MESSAGING_BATCH other messages that are
# due (the tasks of those find them sent and do nothing): their checks are read in a few queries
# for the whole batch, SMS that share a DLT template go to MSG91 in one call, WhatsApp messages
# go out several at once, and the outcomes are written back in one statement.
#
# A call that got no answer (a timeout, a broken connection) may have been taken by the provider,
# and neither provider takes an idempotency key. Every call therefore carries a reference that the
# provider's reports echo (WhatsApp: biz_opaque_callback_data, in its status webhooks within
# seconds; MSG91: the campaign name, in its delivery reports): the message waits ("checking")
# for MESSAGING_CONFIRM_SECONDS; a report naming its reference marks it sent, and only without
# one is it sent again. Neither provider documents a look-up of a message by our reference, so
# the report is the only evidence. What remains: a message the provider took whose report comes
# later than the window (an MSG91 report is sent when the operator reports, which can take long
# for a phone that is switched off) is sent twice; a longer window makes that rarer and a lost
# message's second try later.


def backoff_seconds(attempts: int, retry_after: float | None) -> float:
    ceiling = min(
        settings.MESSAGING_RETRY_CAP_SECONDS, settings.MESSAGING_RETRY_SECONDS * 2**attempts
    )
    # Full jitter, but never before the provider's Retry-After.
    return max(retry_after or 0.0, random.uniform(ceiling / 2, ceiling))  # noqa: S311


# Waiting to be sent: queued, or checked on for its window without a report. A message being sent
# by a worker that died is taken again once its lease is over.
DUE = Q(status__in=[Message.Status.QUEUED, Message.Status.CHECKING, Message.Status.SENDING])


def _claim(message_id: int, now: dt.datetime, others: int = 0) -> list[int]:
    """Take the message, and with it up to `others` other due messages, for this worker;
    returns the ids taken (none if the message itself is no longer due: sent with another's,
    its task is done). One worker wins each message."""
    lease = now + dt.timedelta(seconds=settings.MESSAGING_LEASE_SECONDS)
    token = secrets.token_hex(16)
    taken = Message.objects.filter(DUE, pk=message_id, next_try_at__lte=now).update(
        status=Message.Status.SENDING, next_try_at=lease, claim=token, updated_at=now
    )
    if taken and others > 0:
        # Urgent messages (sign-in codes) are sent by their sender alone, with the secret.
        waiting = (
            Message.objects.filter(
                DUE, direction=Message.Direction.OUT, urgent=False, next_try_at__lte=now
            )
            .order_by("next_try_at", "pk")
            .values("pk")[:others]
        )
        taken += Message.objects.filter(DUE, next_try_at__lte=now, pk__in=waiting).update(
            status=Message.Status.SENDING, next_try_at=lease, claim=token, updated_at=now
        )
    if not taken:
        return []
    return list(Message.objects.filter(claim=token).values_list("pk", flat=True))


def open_sessions(channel: str, addresses: list[str], now: dt.datetime) -> set[str]:
    """Which of these addresses wrote to us on this channel in the last 24 hours."""
    return set(
        Message.objects.filter(
            direction=Message.Direction.IN,
            channel=channel,
            address__in=addresses,
            created_at__gt=now - SESSION_WINDOW,
        ).values_list("address", flat=True)
    )


def withdrawn_among(producers: list[Producer]) -> set[int]:
    """The producers (ids) who were erased or whose latest word on their data is a withdrawal."""
    withdrawn = {producer.pk for producer in producers if producer.erased_at is not None}
    latest: dict[int, bool] = {}
    for producer_id, given in (
        Consent.objects.filter(
            producer_id__in=[producer.pk for producer in producers],
            purpose=Consent.Purpose.HOLD_DATA,
        )
        .order_by("producer_id", "-on", "-id")
        .values_list("producer_id", "given")
    ):
        latest.setdefault(producer_id, given)
    return withdrawn | {producer_id for producer_id, given in latest.items() if not given}


def _refuse(message: Message, reason: str) -> None:
    message.status = Message.Status.REFUSED
    message.reason = reason
    message.claim = ""
    message.save(update_fields=["status", "reason", "claim", "updated_at"])


def deliver(
    message_id: int, now: dt.datetime | None = None, secret_values: dict[str, str] | None = None
) -> bool:
    """Send one queued message if it is due; True if the provider took it. `secret_values`
    are the real values of an urgent message's secret variables, kept only in memory."""
    now = now or timezone.now()
    if not _claim(message_id, now):
        return False
    message = Message.objects.select_related("producer").get(pk=message_id)
    _send_claimed([message], now, {message_id: secret_values} if secret_values else {})
    return Message.objects.filter(
        pk=message_id, status__in=[Message.Status.SENT, Message.Status.DELIVERED]
    ).exists()


def deliver_due(message_id: int, now: dt.datetime | None = None) -> None:
    """The task's work: send this message if it is still due, and other due ones with it."""
    now = now or timezone.now()
    ids = _claim(message_id, now, others=settings.MESSAGING_BATCH - 1)
    if ids:
        messages = list(Message.objects.select_related("producer").filter(pk__in=ids))
        _send_claimed(messages, now, {})


def _send_claimed(
    messages: list[Message], now: dt.datetime, secrets_of: dict[int, dict[str, str]]
) -> None:
    """Check again what may have changed since each message was queued (a STOP, a withdrawal,
    a template reworded), then hand what may go to the providers and record the outcomes."""
    templates = {
        template.key: template
        for template in MessageTemplate.objects.filter(key__in={m.template for m in messages})
    }
    producers = list({m.producer_id: m.producer for m in messages if m.producer}.values())
    withdrawn = withdrawn_among(producers) if producers else set()
    opted_out = set(
        ContactChoice.objects.filter(
            producer_id__in=[p.pk for p in producers], opted_out_at__isnull=False
        ).values_list("producer_id", "channel")
    )
    whatsapp = [m.address for m in messages if m.channel == Channel.WHATSAPP]
    sessions = open_sessions(Channel.WHATSAPP, whatsapp, now) if whatsapp else set()
    ready: dict[str, list[tuple[Message, Delivery]]] = {}
    for message in messages:
        template = templates.get(message.template)
        if template is None:
            _refuse(message, _("The template was deleted."))
            continue
        if message.producer_id is not None and not template.required_by_law:
            if message.producer_id in withdrawn:
                _refuse(message, _("They withdrew their consent."))
                continue
            if (message.producer_id, message.channel) in opted_out:
                _refuse(message, _("They opted out of messages."))
                continue
        secret_values = secrets_of.get(message.pk)
        variables = secret_values or message.variables
        text = render(template, message.language, variables) if secret_values else message.text
        backend = backend_for(message.channel)
        problem = dlt_problem(template, message.language, text) if backend.requires_dlt else ""
        if message.channel == Channel.SMS and problem:
            _refuse(message, problem)
            continue
        values = [str(variables.get(name, "")) for name in template.variables(message.language)]
        delivery = Delivery(
            key=message.key,
            channel=message.channel,
            to=message.address,
            text=text,
            language=message.language,
            template=template.key,
            variables=values,
            dlt_entity_id=template.dlt_entity_id,
            dlt_header=template.dlt_header,
            dlt_template_id=template.dlt_template_id(message.language),
            whatsapp_name=template.whatsapp_name,
            session_open=message.channel == Channel.WHATSAPP and message.address in sessions,
        )
        ready.setdefault(message.channel, []).append((message, delivery))
    calls = [call for channel, items in ready.items() for call in _calls(channel, items)]
    if not calls:
        return
    # The references are stored before anything is sent: a report may come back at once.
    Message.objects.filter(pk__in=[m.pk for _b, batch in calls for m, _d in batch]).update(
        provider_ref=Case(
            *[When(pk=m.pk, then=Value(d.reference)) for _b, batch in calls for m, d in batch],
            default=F("provider_ref"),
        )
    )
    outcomes = _send_calls(calls)
    taken: dict[int, str] = {}
    for (_backend, batch), results in zip(calls, outcomes, strict=True):
        for (message, _delivery), outcome in zip(batch, results, strict=True):
            if isinstance(outcome, ProviderError):
                _failed(message, outcome, now)
            else:
                taken[message.pk] = outcome
    if taken:
        done_at = timezone.now()
        # One statement for all; a message a report already moved on (sent, delivered) is no
        # longer being sent and keeps what the report said.
        Message.objects.filter(pk__in=list(taken), status=Message.Status.SENDING).update(
            status=Message.Status.SENT,
            provider_id=Case(
                *[When(pk=pk, then=Value(provider_id)) for pk, provider_id in taken.items()],
                default=F("provider_id"),
            ),
            reason="",
            sent_at=done_at,
            attempts=F("attempts") + 1,
            claim="",
            updated_at=done_at,
        )


Call = tuple[Backend, list[tuple[Message, Delivery]]]


def _calls(channel: str, items: list[tuple[Message, Delivery]]) -> list[Call]:
    """The provider calls for one channel's messages: as many to a call as the backend takes,
    each number once a call (reports name the number), each call with its reference."""
    backend = backend_for(channel)
    groups: dict[tuple[str, ...], list[list[tuple[Message, Delivery]]]] = {}
    for message, delivery in items:
        batches = groups.setdefault(backend.batch_key(delivery), [])
        batch = next(
            (
                b
                for b in batches
                if len(b) < backend.batch_size and all(d.to != delivery.to for _m, d in b)
            ),
            None,
        )
        if batch is None:
            batch = []
            batches.append(batch)
        batch.append((message, delivery))
    calls: list[Call] = []
    for batches in groups.values():
        for batch in batches:
            # One message: its own reference; a batch: one for the call (the reports name it
            # with each number).
            reference = (
                f"nr-{batch[0][0].pk}" if len(batch) == 1 else f"nr-b{secrets.token_hex(10)}"
            )
            calls.append((backend, [(m, replace(d, reference=reference)) for m, d in batch]))
    return calls


def _send_calls(calls: list[Call]) -> list[list[Outcome]]:
    """Make the calls, several at once (they wait on the network, not on us)."""
    workers = min(settings.MESSAGING_SEND_THREADS, len(calls))
    if workers <= 1:
        return [backend.send_batch([d for _m, d in batch]) for backend, batch in calls]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: call[0].send_batch([d for _m, d in call[1]]), calls))


def _failed(message: Message, exc: ProviderError, now: dt.datetime) -> None:
    message.attempts += 1
    message.reason = exc.reason[:500]
    message.claim = ""
    last = message.attempts >= settings.MESSAGING_MAX_ATTEMPTS
    if exc.ambiguous and not (message.urgent or last):
        # It may have gone: wait for a report that names its reference before sending again.
        window = settings.MESSAGING_CONFIRM_SECONDS
        message.status = Message.Status.CHECKING
        message.reason = _(
            "%(reason)s. The provider may have sent it: if its report does not say so within "
            "%(minutes)s minutes, it is sent again."
        ) % {"reason": exc.reason[:300], "minutes": f"{window / 60:g}"}
        message.next_try_at = now + dt.timedelta(seconds=window)
    elif exc.ambiguous:
        # Sending again could make it two: staff see why, and may send it again themselves.
        message.reason = _("%(reason)s. The provider may have sent it; it is not sent again.") % {
            "reason": exc.reason[:400]
        }
        message.status = Message.Status.FAILED
    elif exc.permanent or message.urgent or last:
        message.status = Message.Status.FAILED
    else:
        message.status = Message.Status.QUEUED
        message.next_try_at = now + dt.timedelta(
            seconds=backoff_seconds(message.attempts, exc.retry_after)
        )
    fields = ["status", "attempts", "reason", "claim", "next_try_at", "updated_at"]
    with transaction.atomic():
        # Unless a report came back meanwhile and said where the message is.
        updated = Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
            **{name: getattr(message, name) for name in fields[:-1]}, updated_at=now
        )
        if updated and message.status in (Message.Status.QUEUED, Message.Status.CHECKING):
            schedule(message)


def record_status(
    provider_id: str,
    *,
    delivered: bool,
    reason: str = "",
    read: bool = False,
    reference: str = "",
    number: str = "",
    taken_only: bool = False,
) -> int:
    """A provider's report on a message: it was taken (`taken_only`: WhatsApp's "sent"), is
    delivered (or read), or failed with the provider's reason. `reference` is what we handed the
    provider with the call and `number` the recipient (an MSG91 call carries many). A report
    never moves a message back (delivered stays delivered when a late "sent" arrives). Returns
    how many messages it named (0 for an unknown id)."""
    now = timezone.now()
    named = Q(provider_id=provider_id) if provider_id else Q(pk__in=[])
    if reference:
        named |= Q(provider_ref=reference)
    messages = Message.objects.filter(named, direction=Message.Direction.OUT)
    if number:
        try:
            messages = messages.filter(address=normalise_mobile(number))
        except MessageRefused:
            return 0
    # By their ids from here: filtered by status as well, the named messages would be found
    # through the status index on SQLite (which keeps no statistics), walking every message sent
    # so far for each report.
    messages = Message.objects.filter(pk__in=list(messages.values_list("pk", flat=True)))
    # Waiting for this very report, or taken by the provider before its answer was recorded:
    # the provider has it.
    messages.filter(
        status__in=[Message.Status.CHECKING, Message.Status.SENDING, Message.Status.QUEUED]
    ).update(
        status=Message.Status.SENT,
        provider_id=provider_id,
        reason="",
        claim="",
        sent_at=now,
        updated_at=now,
    )
    if taken_only:
        return messages.count()
    if read:
        return messages.exclude(status=Message.Status.FAILED).update(
            status=Message.Status.READ, updated_at=now
        )
    if delivered:
        return (
            messages.filter(status=Message.Status.SENT).update(
                status=Message.Status.DELIVERED, delivered_at=now, updated_at=now
            )
            or messages.count()
        )
    return (
        messages.filter(status=Message.Status.SENT).update(
            status=Message.Status.FAILED, reason=reason[:500], updated_at=now
        )
        or messages.count()
    )
