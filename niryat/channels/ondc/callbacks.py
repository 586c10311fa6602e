"""What the node sends to buyer apps: the signed callback `on_<action>` to `context.bap_uri`, as
an answer to a request (same transaction_id and message_id) or unsolicited (a new message_id:
on_status when staff ship, catalogue pushes). The body is serialised once and those same bytes are
signed and sent (shared/ONDC_FACTS.md §3.1, §7)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from niryat.channels.models import OndcNode
from niryat.channels.ondc import signing
from niryat.core.http import HttpError, new_client, send

# The outer limit ONDC allows on every retail callback; the log-validation utility rejects others.
CALLBACK_TTL = "PT30S"


class CallbackRefused(Exception):
    """The buyer app answered NACK (or not with an ACK); the message says what it said."""


def timestamp(moment: datetime | None = None) -> str:
    """ONDC's timestamp form: UTC, milliseconds, Z."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def callback_context(
    node: OndcNode, request_context: dict[str, Any], action: str
) -> dict[str, Any]:
    """The context of `action` (e.g. "on_select") answering `request_context`: the same
    transaction and message_id (an unsolicited callback's caller puts a new one in), our ids,
    now."""
    context = dict(request_context)
    context.update(
        action=action,
        bpp_id=node.subscriber_id,
        bpp_uri=f"https://{node.subscriber_id}/ondc",
        timestamp=timestamp(),
        ttl=CALLBACK_TTL,
    )
    return context


def callback_body(
    context: dict[str, Any],
    message: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
) -> bytes:
    body: dict[str, Any] = {"context": context}
    if message is not None:
        body["message"] = message
    if error is not None:
        body["error"] = error
    return orjson.dumps(body)


def post(node: OndcNode, url: str, body: bytes) -> dict[str, Any]:
    """Sign `body` with the node's key and POST those bytes to `url`; the buyer app's ACK answer.
    HttpError when it could not be delivered (transient ones are worth retrying), CallbackRefused
    on a NACK."""
    header = signing.authorization_header(
        body,
        subscriber_id=node.subscriber_id,
        unique_key_id=node.unique_key_id,
        private_key=node.private_keys()["signing"],
    )
    with new_client(url) as client:
        response = send(
            client,
            "POST",
            url,
            content=body,
            headers={"Content-Type": "application/json", "Authorization": header},
        )
    try:
        answer = response.json()
    except ValueError as exc:
        raise HttpError(f"POST {url}: the answer is not JSON", status=response.status_code) from exc
    status = ((answer or {}).get("message") or {}).get("ack", {}).get("status")
    if status != "ACK":
        raise CallbackRefused(f"{url}: {status or 'no ACK'} {answer.get('error') or ''}".strip())
    return dict(answer)
