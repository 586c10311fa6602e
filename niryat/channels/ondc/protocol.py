"""What every inbound action's handler gives back (shared/ONDC_FACTS.md §4, §7).

The protocol server verifies and ACKs a buyer app's request, then calls the action's handler in a
background task: `handler(node, request) -> Reply`, where `request` is the whole parsed body
(context and message). The server sends the reply as the signed `on_<action>` callback. A handler
that cannot serve the request raises `OndcError`; the callback then carries only the error. A reply
may carry both (on_select out of stock: the quote with what is available, and error 40002)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CONTEXT_ERROR = "CONTEXT-ERROR"
CORE_ERROR = "CORE-ERROR"
DOMAIN_ERROR = "DOMAIN-ERROR"
POLICY_ERROR = "POLICY-ERROR"
JSON_SCHEMA_ERROR = "JSON-SCHEMA-ERROR"


@dataclass(frozen=True)
class Reply:
    message: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


class OndcError(Exception):
    """A request the node cannot serve: ONDC's error code (a string, e.g. "30004"), its type and
    a message the buyer app can show."""

    def __init__(self, code: str, message: str, *, type: str = DOMAIN_ERROR) -> None:
        super().__init__(message)
        self.code = code
        self.type = type
        self.message = message

    def as_error(self) -> dict[str, Any]:
        return {"type": self.type, "code": self.code, "message": self.message}
