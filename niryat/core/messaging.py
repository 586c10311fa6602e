"""The messaging gateway's interface: how every app tells a person something.

Sign-in codes (registry), order alerts (channels) and whatever comes later (training invitations,
payment news) name a *template* and give its variables; the gateway (the class named in
settings.MESSAGING_GATEWAY, niryat/messaging/gateway.py) chooses the channel the producer has
and agreed to (WhatsApp, SMS, email), fills in the template's registered wording, keeps a record
of the message with its delivery status, and sends it through the task queue, once: the
`key` names the message, and a second `send` with the same key changes nothing.

This module knows no app above core: apps call `gateway().send(...)`, and the implementation
lives in niryat/messaging, above them all (DESIGN.md, "Layout and layers").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Protocol

import phonenumbers
from django.conf import settings
from django.utils.module_loading import import_string

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class MessageRefused(ValueError):
    """The message cannot be sent as asked (no such template, a variable missing, a number that
    is not a mobile number): nothing was sent, and retrying will not help."""


class MessageNotSent(Exception):
    """An urgent message (a sign-in code) could not be handed to the provider just now."""


@dataclass(frozen=True)
class Outgoing:
    """One message to one person.

    `template` is a template's key ("order_alert"); `variables` fill its {placeholders}.
    `key` makes the send idempotent: the same key is one message, however often it is sent.
    `producer_id` lets the gateway use the producer's channel choice and opt-outs and show the
    message in their log; without it (a number typed on the sign-in page) the message goes by
    SMS to `to`. `urgent` messages (sign-in codes) are sent at once, in quiet hours too, and
    raise MessageNotSent if the provider does not take them. Variables named in `secret` (a
    sign-in code) are sent but never stored: the log shows them as dots.
    """

    template: str
    key: str
    variables: dict[str, str] = field(default_factory=dict)
    producer_id: int | None = None
    to: str = ""  # a mobile number in any Indian format; normalised to E.164
    language: str = "hi"
    urgent: bool = False
    secret: tuple[str, ...] = ()


@dataclass(frozen=True)
class LogLine:
    """A message as staff see it in a producer's log."""

    created_at: datetime
    channel: str  # its display name, in the active language
    template: str
    text: str
    status: str  # display name: queued, sent, delivered, failed, refused...
    status_code: str  # queued, sent, delivered, failed, refused, held
    reason: str  # the provider's reason for a failure, or ours for a refusal
    direction: str  # "out" or "in"


class Gateway(Protocol):
    def send(self, message: Outgoing) -> None:
        """Record the message and queue it (or, when urgent, send it now). Raises
        MessageRefused before anything is sent if it cannot be sent as asked."""

    def log_for(self, producer_id: int, limit: int = 20) -> list[LogLine]:
        """The producer's latest messages, both ways, newest first."""


@dataclass(frozen=True)
class Appointment:
    """A day a producer is expected somewhere (a training session), for the keyword answers."""

    on: date
    title: str
    place: str


class Agenda(Protocol):
    """What a producer is expected at, from the app that knows (niryat/events), for the gateway's
    answer to "प्रशिक्षण" / "training": the app is messaging's sibling, so it is named in
    settings.MESSAGING_AGENDA rather than imported."""

    def upcoming_trainings(self, producer_id: int, *, today: date) -> list[Appointment]:
        """The producer's coming training sessions, soonest first."""


def agenda() -> Agenda | None:
    """The agenda named in settings, or None when no app provides one."""
    path = getattr(settings, "MESSAGING_AGENDA", "")
    return _agenda(path) if path else None


@cache
def _agenda(path: str) -> Agenda:
    found: Agenda = import_string(path)()
    return found


@cache
def _gateway(path: str) -> Gateway:
    gateway: Gateway = import_string(path)()
    return gateway


def gateway() -> Gateway:
    """The gateway named in settings (looked up per call so that tests may override it)."""
    return _gateway(settings.MESSAGING_GATEWAY)


def normalise_mobile(value: str) -> str:
    """An Indian mobile number in any usual form ("98390 12345", "09839012345",
    "+91-98390-12345", "919839012345" as WhatsApp writes it) as E.164 ("+919839012345").
    Raises MessageRefused for anything that is not an Indian mobile number."""
    raw = value.strip()
    digits = re.sub(r"\D", "", raw)
    if not raw.startswith("+") and len(digits) == 12 and digits.startswith("91"):
        raw = "+" + digits
    try:
        number = phonenumbers.parse(raw, "IN")
    except phonenumbers.NumberParseException as exc:
        raise MessageRefused(f"not a phone number: {value!r}") from exc
    if number.country_code != 91 or phonenumbers.number_type(number) not in {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }:
        raise MessageRefused(f"not an Indian mobile number: {value!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
