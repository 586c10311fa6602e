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
from functools import cache

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from niryat.core.dates import INDIA
from niryat.core.messaging import LogLine, MessageNotSent, MessageRefused, Outgoing
from niryat.core.messaging import normalise_mobile as normalise_mobile
from niryat.messaging import dlt
from niryat.messaging.backends.base import Backend, Delivery, ProviderError
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
        .first()
    )
    return latest is not None and not latest.given


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
            producer = Producer.objects.filter(pk=message.producer_id).first()
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
        with transaction.atomic():
            record, created = Message.objects.get_or_create(
                key=message.key,
                defaults={
                    "producer": producer,
                    "district_id": producer.district_id if producer else None,
                    "channel": channel or Channel.SMS,
                    "address": address,
                    "template": template.key,
                    "language": language,
                    "variables": kept,
                    "text": render(template, language, kept),
                    "urgent": message.urgent,
                    "status": Message.Status.REFUSED if refusal else Message.Status.QUEUED,
                    "reason": refusal,
                    "next_try_at": later or now,
                },
            )
            if created and not refusal and not message.urgent:
                schedule(record)
        if message.urgent and created:
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
    delivery = Delivery(
        key=f"unrecorded:{template_key}",
        channel=channel,
        to=address,
        text=text,
        language="hi",
        template=template_key,
        session_open=True,  # they just wrote to us
    )
    try:
        backend_for(channel).send(delivery)
    except ProviderError as exc:
        logger.warning("%s reply %s not sent: %s", channel, template_key, exc.reason)


def schedule(message: Message) -> None:
    from niryat.messaging.tasks import deliver_message

    # The database task backend stores the task in the current transaction: it exists exactly
    # when the message does.
    deliver_message.using(run_after=message.next_try_at).enqueue(message.pk)


# --- delivering ------------------------------------------------------------------------------


def backoff_seconds(attempts: int, retry_after: float | None) -> float:
    ceiling = min(
        settings.MESSAGING_RETRY_CAP_SECONDS, settings.MESSAGING_RETRY_SECONDS * 2**attempts
    )
    # Full jitter, but never before the provider's Retry-After.
    return max(retry_after or 0.0, random.uniform(ceiling / 2, ceiling))  # noqa: S311


def _claim(message_id: int, now: dt.datetime) -> bool:
    """Take the message for this worker. One worker wins; a message being sent by a worker that
    died is taken again once its lease is over."""
    lease = now + dt.timedelta(seconds=settings.MESSAGING_LEASE_SECONDS)
    due = Q(status=Message.Status.QUEUED) | Q(status=Message.Status.SENDING)
    claimed = Message.objects.filter(due, pk=message_id, next_try_at__lte=now).update(
        status=Message.Status.SENDING, next_try_at=lease, updated_at=now
    )
    return claimed == 1


def session_open(channel: str, address: str, now: dt.datetime) -> bool:
    """Whether the producer wrote to us on this channel in the last 24 hours."""
    return Message.objects.filter(
        direction=Message.Direction.IN,
        channel=channel,
        address=address,
        created_at__gt=now - SESSION_WINDOW,
    ).exists()


def _refuse(message: Message, reason: str) -> None:
    message.status = Message.Status.REFUSED
    message.reason = reason
    message.save(update_fields=["status", "reason", "updated_at"])


def deliver(
    message_id: int, now: dt.datetime | None = None, secret_values: dict[str, str] | None = None
) -> bool:
    """Send one queued message if it is due; True if the provider took it. `secret_values`
    are the real values of an urgent message's secret variables, kept only in memory."""
    now = now or timezone.now()
    if not _claim(message_id, now):
        return False
    message = Message.objects.select_related("producer").get(pk=message_id)
    template = MessageTemplate.objects.filter(key=message.template).first()
    if template is None:
        _refuse(message, _("The template was deleted."))
        return False
    # Decided again now: a STOP or a withdrawal since the message was queued stops it.
    if message.producer is not None and not template.required_by_law:
        if consent_withdrawn(message.producer):
            _refuse(message, _("They withdrew their consent."))
            return False
        choice = choices_of(message.producer).get(message.channel)
        if choice is not None and choice.opted_out_at:
            _refuse(message, _("They opted out of messages."))
            return False
    variables = secret_values or message.variables
    text = render(template, message.language, variables) if secret_values else message.text
    backend = backend_for(message.channel)
    problem = dlt_problem(template, message.language, text) if backend.requires_dlt else ""
    if message.channel == Channel.SMS and problem:
        _refuse(message, problem)
        return False
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
        session_open=message.channel == Channel.WHATSAPP
        and session_open(message.channel, message.address, now),
    )
    try:
        provider_id = backend.send(delivery)
    except ProviderError as exc:
        _failed(message, exc, now)
        return False
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT,
        provider_id=provider_id,
        reason="",
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        updated_at=timezone.now(),
    )
    return True


def _failed(message: Message, exc: ProviderError, now: dt.datetime) -> None:
    message.attempts += 1
    message.reason = exc.reason[:500]
    if exc.ambiguous:
        # Sending again could make it two: staff see why, and may send it again themselves.
        message.reason = _("%(reason)s. The provider may have sent it; it is not sent again.") % {
            "reason": exc.reason[:400]
        }
    if (
        exc.permanent
        or exc.ambiguous
        or message.urgent
        or message.attempts >= settings.MESSAGING_MAX_ATTEMPTS
    ):
        message.status = Message.Status.FAILED
        message.save(update_fields=["status", "attempts", "reason", "updated_at"])
        return
    message.status = Message.Status.QUEUED
    message.next_try_at = now + dt.timedelta(
        seconds=backoff_seconds(message.attempts, exc.retry_after)
    )
    with transaction.atomic():
        message.save(update_fields=["status", "attempts", "reason", "next_try_at", "updated_at"])
        schedule(message)


def record_status(
    provider_id: str, *, delivered: bool, reason: str = "", read: bool = False
) -> int:
    """A provider's delivery report: the message is delivered (or read), or failed with the
    provider's reason. A report never moves a message back (delivered stays delivered when a
    late "sent" arrives). Returns how many messages it named (0 for an unknown id)."""
    messages = Message.objects.filter(provider_id=provider_id, direction=Message.Direction.OUT)
    now = timezone.now()
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
