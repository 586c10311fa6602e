"""What every provider backend shares: the message as handed to it, and how it fails.

A backend sends one message on one channel and returns the provider's id for it (the id its
delivery reports name). It raises ProviderError: `permanent` when retrying cannot help (a number
the provider refuses, a template it does not know), otherwise the gateway retries later.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import httpx


@dataclass(frozen=True)
class Delivery:
    key: str  # the message's idempotency key
    channel: str
    to: str  # E.164, or an email address
    text: str  # the wording with its variables filled in
    language: str
    template: str  # the template's key
    variables: list[str] = field(default_factory=list)  # values, in the wording's order
    # SMS under TRAI DLT
    dlt_entity_id: str = ""
    dlt_header: str = ""
    dlt_template_id: str = ""
    # WhatsApp: the approved template's name, and whether the customer-service window is open
    # (the producer wrote to us in the last 24 hours), which allows free-form text.
    whatsapp_name: str = ""
    session_open: bool = False
    # Names the message (or the batch it goes in) in the provider's reports: WhatsApp echoes
    # it as biz_opaque_callback_data, MSG91 as the campaign name. A report that names it tells
    # us the provider took the message even when its answer to our call never came back.
    reference: str = ""


class ProviderError(Exception):
    """`ambiguous`: the request reached the provider but no answer came back (it timed out
    while waiting, or the connection broke): the provider may have sent the message. Neither
    MSG91 nor the Cloud API takes an idempotency key, so the gateway waits for a report naming
    the message's reference before it sends it again."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        ambiguous: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        self.ambiguous = ambiguous


def answer_lost(exc: BaseException) -> bool:
    """True when a call failed after its request went out (a read timeout, a broken
    connection), False when it never reached the provider (no connection) or was answered."""
    cause = exc.__cause__
    return isinstance(
        cause, (httpx.ReadTimeout, httpx.WriteTimeout, httpx.ReadError, httpx.RemoteProtocolError)
    )


Outcome = str | ProviderError  # the provider's id for a message, or why it was not taken


class Backend(ABC):
    # A provider that hands SMS to the operators, who drop what DLT does not know: the gateway
    # refuses such a message before it is sent. The console and memory backends send nothing.
    requires_dlt = False
    # How many messages one call may carry (the gateway gives `send_batch` at most this many,
    # to different numbers, all with the same `batch_key`).
    batch_size = 1

    @abstractmethod
    def send(self, delivery: Delivery) -> str:
        """Hand the message to the provider; return its id for the message."""

    def batch_key(self, delivery: Delivery) -> tuple[str, ...]:
        """Messages with the same key may go in one call."""
        return (delivery.key,)

    def send_batch(self, deliveries: list[Delivery]) -> list[Outcome]:
        """Hand the messages to the provider, in as few calls as it allows; each one's id or
        error, in order. All share one `reference` when the batch is one call."""
        outcomes: list[Outcome] = []
        for delivery in deliveries:
            try:
                outcomes.append(self.send(delivery))
            except ProviderError as exc:
                outcomes.append(exc)
        return outcomes
