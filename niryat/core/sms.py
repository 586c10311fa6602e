"""The SMS gateway: `send_sms(to, text)`, delivered by the backend named in settings.SMS_BACKEND.

Sign-in codes for producers go through it now; later, the channels tell producers of new orders
through it too. A backend is a class with a `send(message)` method, like Django's email backends:
`ConsoleBackend` (the default) logs each message, `MemoryBackend` keeps them in `outbox` for
tests, and a real gateway (an Indian SMS provider's HTTP API) is one more class in its own module.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("niryat.sms")

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164, like +919876543210
    text: str


class SmsError(Exception):
    """The gateway did not take the message. `permanent` is true when retrying cannot help
    (a number the gateway refuses), false for a passing fault (timeout, 5xx)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class BaseSmsBackend(ABC):
    @abstractmethod
    def send(self, message: SmsMessage) -> None:
        """Hand the message to the gateway, or raise SmsError."""


class ConsoleBackend(BaseSmsBackend):
    """Writes each message to the log, for development and demos: nothing leaves the machine."""

    def send(self, message: SmsMessage) -> None:
        logger.info("SMS to %s: %s", message.to, message.text)


# Messages the MemoryBackend "sent", oldest first; tests read and clear it.
outbox: list[SmsMessage] = []


class MemoryBackend(BaseSmsBackend):
    """Keeps messages in `niryat.core.sms.outbox`, as Django's locmem email backend does."""

    def send(self, message: SmsMessage) -> None:
        outbox.append(message)


def get_backend() -> BaseSmsBackend:
    # Looked up on each call (it is cheap) so that tests may override the setting.
    backend_class = import_string(settings.SMS_BACKEND)
    backend: BaseSmsBackend = backend_class()
    return backend


def send_sms(to_e164: str, text: str) -> None:
    """Send `text` to the mobile number `to_e164`; raises SmsError if the gateway refuses."""
    if not E164.match(to_e164):
        raise ValueError(f"not an E.164 number: {to_e164!r}")
    if not text.strip():
        raise ValueError("an SMS needs some text")
    get_backend().send(SmsMessage(to=to_e164, text=text))
