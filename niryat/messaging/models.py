"""Messages to and from producers: templates (the registered wording), each producer's channels
and opt-outs, and every message with its delivery status.

A `MessageTemplate` is data: staff read it, the state edits it. It carries the ids under which
its SMS wording is registered on TRAI's DLT platform (principal entity, header, one content
template per language) and the name of its approved WhatsApp template. A `Message` is one message
to (or from) one person on one channel; its `key` makes sending idempotent.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

from niryat.core.models import District, Timestamped, User
from niryat.core.scoping import DistrictWorkQuerySet
from niryat.registry.models import Producer

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    SMS = "sms", "SMS"
    EMAIL = "email", _("email")


class MessageTemplate(Timestamped):
    key = models.SlugField(_("key"), max_length=50, unique=True)
    purpose = models.CharField(_("what it is for"), max_length=200)
    body_hi = models.TextField(_("text in Hindi"))
    body_en = models.TextField(_("text in English"))
    # TRAI DLT: the principal entity (Niryat's operator), the registered sender header, and the
    # content template registered for each language's wording.
    dlt_entity_id = models.CharField(_("DLT principal entity id"), max_length=30, blank=True)
    dlt_header = models.CharField(_("SMS header (sender id)"), max_length=11, blank=True)
    dlt_template_id_hi = models.CharField(_("DLT template id (Hindi)"), max_length=30, blank=True)
    dlt_template_id_en = models.CharField(_("DLT template id (English)"), max_length=30, blank=True)
    whatsapp_name = models.CharField(_("WhatsApp template name"), max_length=100, blank=True)
    # Sent even to a producer who withdrew consent or opted out (the confirmation of an opt-out).
    required_by_law = models.BooleanField(_("required by law"), default=False)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["key"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self) -> str:
        return self.key

    def body(self, language: str) -> str:
        return self.body_hi if language == "hi" else self.body_en

    def dlt_template_id(self, language: str) -> str:
        return self.dlt_template_id_hi if language == "hi" else self.dlt_template_id_en

    def variables(self, language: str = "hi") -> list[str]:
        """The {placeholders} of the wording, in order, each once."""
        return list(dict.fromkeys(PLACEHOLDER.findall(self.body(language))))


class ContactChoice(Timestamped):
    """A channel a producer has (a number or address) and whether they agreed to be messaged on
    it; `opted_out_at` is set when they reply STOP (or tell the centre)."""

    class Via(models.TextChoices):
        REPLY = "reply", _("by replying STOP")
        STAFF = "staff", _("told the centre")

    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("number or address"), max_length=254)
    agreed = models.BooleanField(_("agreed to messages"), default=False)
    opted_out_at = models.DateTimeField(_("opted out"), null=True, blank=True)
    opted_out_via = models.CharField(max_length=8, choices=Via.choices, blank=True)

    class Meta:
        ordering = ["producer_id", "channel"]
        verbose_name = _("channel choice")
        verbose_name_plural = _("channel choices")
        constraints = [
            models.UniqueConstraint(fields=["producer", "channel"], name="contact_choice_unique")
        ]
        indexes = [models.Index(fields=["channel", "address"])]

    def __str__(self) -> str:
        return f"{self.producer_id} {self.channel}"

    @property
    def usable(self) -> bool:
        return self.agreed and self.opted_out_at is None and bool(self.address)


class MessageQuerySet(DistrictWorkQuerySet["Message"]):
    def of_producer(self, producer: Producer) -> MessageQuerySet:
        return self.filter(producer=producer)


class Message(Timestamped):
    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        # The provider did not answer in time: it may have taken the message. Its report is
        # awaited before the message is sent again (niryat/messaging/gateway.py, `_failed`).
        CHECKING = "checking", _("waiting for the provider's report")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        READ = "read", _("read")
        FAILED = "failed", _("failed")
        REFUSED = "refused", _("not sent")
        RECEIVED = "received", _("received")
        ANSWERED = "answered", _("answered")

    class Direction(models.TextChoices):
        OUT = "out", _("to the producer")
        IN = "in", _("from the producer")

    # Idempotency: "order_alert:42" is one message however often it is asked for; an incoming
    # message's key is the provider's id for it, so a replayed webhook finds it done.
    key = models.CharField(max_length=200, unique=True)
    producer = models.ForeignKey(
        Producer, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.OUT)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("to"), max_length=254)
    template = models.CharField(_("template"), max_length=50, blank=True)
    language = models.CharField(max_length=5, default="hi")
    variables = models.JSONField(default=dict, blank=True)
    text = models.TextField(_("text"), blank=True)
    urgent = models.BooleanField(default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    provider_id = models.CharField(max_length=200, blank=True, db_index=True)
    # What we handed the provider to name this message in its reports (WhatsApp's
    # biz_opaque_callback_data, MSG91's campaign name), so that a report finds the message even
    # when the provider's answer, and so its id, never came back.
    provider_ref = models.CharField(max_length=64, blank=True, db_index=True)
    # The worker's claim on a batch of messages it is sending (a random token).
    claim = models.CharField(max_length=32, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["producer", "-created_at"]),
            models.Index(fields=["channel", "address", "direction", "-created_at"]),
            # The workers' question: which messages are due now?
            models.Index(fields=["status", "next_try_at"], name="message_due"),
        ]

    def __str__(self) -> str:
        return self.key


class WebhookEvent(models.Model):
    """A provider's event already handled (its id, hashed: nothing about the person), so that a
    replayed webhook is processed once, even one from an unknown number that left no message."""

    digest = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.digest
