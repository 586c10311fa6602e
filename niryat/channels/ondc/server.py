"""The node's inbound protocol server: `POST /ondc/<action>` from buyer apps (and the gateway).

Each request is checked in the HTTP call and answered ACK or NACK there (shared/ONDC_FACTS.md §4,
§6, §7): the `Authorization` signature on the raw received bytes with the sender's key from the
registry (and the gateway's `X-Gateway-Authorization` when present), then the context, then that
its message_id is new. An ACKed request is logged (`OndcMessage`) and answered in a background
task: the action's handler (`HANDLERS`) gives a `Reply`, sent as the signed `on_<action>` callback
to `context.bap_uri`, retried on timeouts, 429 and 5xx.

Unsolicited callbacks (on_status when staff ship, grievance updates, catalogue pushes) all go
through `send_unsolicited`, logged once per message; their callers retry them (the outbox, the
push schedule).

Handler contract: `HANDLERS[action]` is the dotted path of `handler(node, request) -> Reply`, where
`request` is the whole parsed body (context and message); it raises `OndcError` for a request it
cannot serve (the callback then carries only the error). The handler modules are imported when
first used, so an action whose handler is not installed is refused with a NACK (40001). A reply
with neither message nor error (a push subscription started or stopped) sends no callback.

HTTP statuses: 200 ACK; 401 NACK for a missing, malformed, expired or non-matching signature
(30016, as ONDC's auth-header document says) and for a stale or replayed request (30022: the
signature is genuine but may not be used again, so the request is refused like an expired one);
400 NACK for a body or context that is wrong (JSON-SCHEMA-ERROR, CONTEXT-ERROR); 404 when no node
answers at the Host; 501 for an action with no handler; 503 when the registry cannot be reached to
find the sender's key (try again).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from niryat.channels.models import OndcMessage, OndcNode
from niryat.channels.ondc import callbacks, registry_client, signing
from niryat.channels.ondc.protocol import (
    CONTEXT_ERROR,
    CORE_ERROR,
    JSON_SCHEMA_ERROR,
    OndcError,
    Reply,
)
from niryat.core.http import HttpError

logger = logging.getLogger(__name__)

# Where each action's handler lives: `handler(node, request) -> Reply`.
HANDLERS: dict[str, str] = {
    "search": "niryat.channels.ondc.catalogue.answer_search",
    "select": "niryat.channels.ondc.orders.answer_select",
    "init": "niryat.channels.ondc.orders.answer_init",
    "confirm": "niryat.channels.ondc.orders.answer_confirm",
    "status": "niryat.channels.ondc.orders.answer_status",
    "track": "niryat.channels.ondc.orders.answer_track",
    "cancel": "niryat.channels.ondc.orders.answer_cancel",
    "update": "niryat.channels.ondc.orders.answer_update",
    "rating": "niryat.channels.ondc.orders.answer_rating",
    "support": "niryat.channels.ondc.orders.answer_support",
    "issue": "niryat.channels.ondc.grievances.answer_issue",
    "issue_status": "niryat.channels.ondc.grievances.answer_issue_status",
    "receiver_recon": "niryat.channels.ondc.settlement.answer_receiver_recon",
}
ACTIONS = tuple(HANDLERS)
IGM_ACTIONS = ("issue", "issue_status")
# The buyer app's reconciliation of what it paid for our orders (RSF 1.0: its own domain and
# version, niryat/channels/ondc/settlement.py).
RSF_ACTIONS = ("receiver_recon",)
DOMAINS = ("ONDC:RET12", "ONDC:RET16")
RSF_DOMAIN = "ONDC:NTS10"
RETAIL_VERSION = "1.2.0"
IGM_VERSION = "1.0.0"  # Issue and Grievance Management
RSF_VERSION = "1.0.0"  # Reconciliation and Settlement Framework
# The outer limit of every retail action's ttl (ONDC_FACTS.md §6); a request older than its ttl
# (at most this) is stale.
LONGEST_TTL = timedelta(seconds=30)
INVALID_SIGNATURE = "30016"
STALE_REQUEST = "30022"
INVALID_REQUEST = "30000"
INTERNAL_ERROR = "31001"
NOT_SUPPORTED = "40001"
LONGEST_ID = 200  # transaction_id and message_id, as the message log holds them


@dataclass(frozen=True)
class Refusal(Exception):
    """A request answered NACK: the HTTP status, ONDC's error code and type, why."""

    status: int
    code: str
    message: str
    type: str = CONTEXT_ERROR


def ack() -> HttpResponse:
    return _json(200, {"message": {"ack": {"status": "ACK"}}})


def nack(refusal: Refusal) -> HttpResponse:
    error = {"type": refusal.type, "code": refusal.code, "message": refusal.message}
    return _json(refusal.status, {"message": {"ack": {"status": "NACK"}}, "error": error})


def _json(status: int, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(orjson.dumps(body), status=status, content_type="application/json")


# -- receiving ---------------------------------------------------------------------------------
@csrf_exempt
@require_POST
def receive(request: HttpRequest, action: str) -> HttpResponse:
    """A buyer app's `action`, answered ACK or NACK now; the work is done in the background."""
    host = request.get_host().rsplit(":", 1)[0].lower()
    node = OndcNode.objects.filter(subscriber_id=host).first()
    if node is None:
        return nack(Refusal(404, INVALID_REQUEST, f"No seller node at {host}.", CORE_ERROR))
    body = request.body
    signer = ""
    try:
        signer = verify_signatures(node, body, request.headers)
        data = parse(body)
        check_context(node, action, data, signer)
        handler_for(action)
    except Refusal as refusal:
        log_refusal(node, action, body, signer, refusal)
        return nack(refusal)
    try:
        accept(node, action, body, data)
    except Refusal as refusal:
        log_refusal(node, action, body, signer, refusal, data)
        return nack(refusal)
    return ack()


def verify_signatures(node: OndcNode, body: bytes, headers: Any) -> str:
    """The sender's subscriber id once its `Authorization` (and the gateway's header, if any)
    verify against the body's raw bytes; Refusal (401, 30016) when one does not."""
    header = headers.get("Authorization", "")
    if not header:
        raise Refusal(401, INVALID_SIGNATURE, "The Authorization header is missing.")
    sender = _verify(node, body, header, role="buyerApp")
    gateway_header = headers.get("X-Gateway-Authorization", "")
    if gateway_header:
        _verify(node, body, gateway_header, role="gateway")
    return sender


def _verify(node: OndcNode, body: bytes, header: str, *, role: str) -> str:
    """The signer's subscriber id once `header` verifies and the registry lists the signer in
    `role`: a seller app's key does not sign a buyer's search, nor a buyer app's a gateway's."""
    try:
        parsed = signing.parse_header(header)
        peer = registry_client.lookup_peer(node, parsed.subscriber_id, parsed.unique_key_id)
        signing.verify(body, header, peer.signing_public_key)
        if peer.role and peer.role != role:
            raise signing.SignatureError(
                f"{parsed.subscriber_id} is registered as {peer.role}, not as {role}."
            )
    except signing.SignatureError as exc:
        raise Refusal(401, INVALID_SIGNATURE, str(exc)) from exc
    except registry_client.RegistryError as exc:
        if isinstance(exc.__cause__, HttpError) and not exc.__cause__.permanent:
            raise Refusal(
                503, INTERNAL_ERROR, "The registry could not be reached; try again.", CORE_ERROR
            ) from exc
        raise Refusal(401, INVALID_SIGNATURE, str(exc)) from exc
    return parsed.subscriber_id


def parse(body: bytes) -> dict[str, Any]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise Refusal(400, INVALID_REQUEST, "The body is not JSON.", JSON_SCHEMA_ERROR) from exc
    if not isinstance(data, dict) or not isinstance(data.get("context"), dict):
        raise Refusal(400, INVALID_REQUEST, "context is required.", JSON_SCHEMA_ERROR)
    if not isinstance(data.get("message"), dict):
        raise Refusal(400, INVALID_REQUEST, "message is required.", JSON_SCHEMA_ERROR)
    return data


_TTL = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def ttl_of(value: Any) -> timedelta:
    """An ISO-8601 duration (PT30S) as a timedelta, at most LONGEST_TTL; LONGEST_TTL if absent."""
    found = _TTL.match(str(value or ""))
    if not value or not found or not any(found.groups()):
        return LONGEST_TTL
    days, hours, minutes, seconds = (float(part or 0) for part in found.groups())
    return min(timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds), LONGEST_TTL)


def parse_timestamp(value: Any) -> datetime:
    if not isinstance(value, str) or "T" not in value:
        raise ValueError(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(value)
    return moment


def check_context(node: OndcNode, action: str, data: dict[str, Any], signer: str) -> None:
    """Refusal when the context is not one this node serves (ONDC_FACTS.md §1.6, §6)."""
    context = data["context"]

    def wrong(message: str) -> Refusal:
        return Refusal(400, INVALID_REQUEST, message)

    for field in ("domain", "country", "city", "action", "core_version", "bap_id", "bap_uri"):
        if not isinstance(context.get(field), str) or not context[field]:
            raise wrong(f"context.{field} is required.")
    for field in ("transaction_id", "message_id"):
        value = context.get(field)
        if not isinstance(value, str) or not value or len(value) > LONGEST_ID:
            raise wrong(f"context.{field} is required (at most {LONGEST_ID} characters).")
    if context["action"] != action:
        raise wrong(f"context.action is {context['action']}, this is /{action}.")
    domains = (RSF_DOMAIN,) if action in RSF_ACTIONS else DOMAINS
    if context["domain"] not in domains:
        raise wrong(f"This node serves {' and '.join(domains)}, not {context['domain']}.")
    version = RETAIL_VERSION
    if action in IGM_ACTIONS:
        version = IGM_VERSION
    elif action in RSF_ACTIONS:
        version = RSF_VERSION
    if context["core_version"] != version:
        raise wrong(f"core_version must be {version} for {action}.")
    # A search through the gateway reaches every seller node and names none.
    if action != "search" or "bpp_id" in context:
        if context.get("bpp_id") != node.subscriber_id:
            raise wrong(f"context.bpp_id must be {node.subscriber_id}.")
    if not str(context["bap_uri"]).startswith(("https://", "http://")):
        raise wrong("context.bap_uri must be the buyer app's URL.")
    if context["bap_id"] != signer:
        raise Refusal(
            401,
            INVALID_SIGNATURE,
            f"Signed by {signer}, but context.bap_id is {context['bap_id']}.",
        )
    try:
        sent = parse_timestamp(context.get("timestamp"))
    except ValueError as exc:
        raise wrong(
            "context.timestamp must be an RFC 3339 time (2024-01-04T09:17:55.971Z)."
        ) from exc
    now = datetime.now(UTC)
    if sent > now + timedelta(seconds=signing.CLOCK_SKEW):
        raise wrong("context.timestamp is in the future.")
    if now - sent > ttl_of(context.get("ttl")):
        raise Refusal(401, STALE_REQUEST, "Stale request: context.timestamp is older than its ttl.")


def handler_for(action: str) -> Any:
    try:
        return import_string(HANDLERS[action])
    except ImportError as exc:
        raise Refusal(
            501, NOT_SUPPORTED, f"This node does not serve {action} yet.", CORE_ERROR
        ) from exc


def accept(node: OndcNode, action: str, body: bytes, data: dict[str, Any]) -> OndcMessage:
    """Log the request and queue its answer; Refusal (30022) if its message_id was taken."""
    from niryat.channels.ondc.tasks import answer_ondc_request

    context = data["context"]
    try:
        with transaction.atomic():
            received = OndcMessage.objects.create(
                node=node,
                direction=OndcMessage.Direction.RECEIVED,
                action=action,
                bap_id=context["bap_id"],
                transaction_id=context["transaction_id"],
                message_id=context["message_id"],
                body=body.decode(),
                signature_ok=True,
                outcome=OndcMessage.Outcome.ACK,
            )
            transaction.on_commit(lambda: answer_ondc_request.enqueue(received.pk))
    except IntegrityError as exc:
        raise Refusal(
            401, STALE_REQUEST, f"Stale request: message_id {context['message_id']} was received."
        ) from exc
    return received


def log_refusal(
    node: OndcNode,
    action: str,
    body: bytes,
    signer: str,
    refusal: Refusal,
    data: dict[str, Any] | None = None,
) -> None:
    context = (data or {}).get("context") or {}
    if data is None:
        try:
            context = orjson.loads(body).get("context") or {}
        except (orjson.JSONDecodeError, AttributeError):
            context = {}
    if not isinstance(context, dict):
        context = {}
    logger.info("ONDC %s from %s refused: %s %s", action, signer, refusal.code, refusal.message)
    OndcMessage.objects.create(
        node=node,
        direction=OndcMessage.Direction.RECEIVED,
        action=action,
        bap_id=str(context.get("bap_id") or signer)[:200],
        transaction_id=str(context.get("transaction_id") or "")[:LONGEST_ID],
        message_id=str(context.get("message_id") or "")[:LONGEST_ID],
        body=body.decode(errors="replace"),
        signature_ok=bool(signer),
        outcome=OndcMessage.Outcome.NACK,
        error=f"{refusal.code} {refusal.message}"[:500],
    )


# -- answering (in the background task) --------------------------------------------------------
def answer(received_pk: int) -> OndcMessage | None:
    """Call the request's handler and send its reply as the callback; the callback's log entry.
    Does nothing for a request already answered (a task run twice)."""
    received = OndcMessage.objects.select_related("node").get(pk=received_pk)
    if received.callbacks.exists():
        return None
    request = orjson.loads(received.body)
    node = received.node
    try:
        reply = handler_for(received.action)(node, request)
    except OndcError as exc:
        reply = Reply(error=exc.as_error())
    except Refusal as refusal:
        reply = Reply(
            error={"type": refusal.type, "code": refusal.code, "message": refusal.message}
        )
    except Exception:
        logger.exception("ONDC %s %s: the handler failed", received.action, received.message_id)
        reply = Reply(
            error={"type": CORE_ERROR, "code": INTERNAL_ERROR, "message": "Internal error."}
        )
    if reply.message is None and reply.error is None:
        return None  # nothing to answer (a catalogue push subscription started or stopped)
    context = callbacks.callback_context(node, request["context"], f"on_{received.action}")
    order = (reply.message or {}).get("order")
    if received.action == "confirm" and isinstance(order, dict):
        # ONDC's checks want the confirmed order's updated_at to be the callback's own moment,
        # which only exists now.
        order["updated_at"] = context["timestamp"]
    sent = log_sent(node, context, reply, answers=received)
    deliver(sent)
    return sent


def send_unsolicited(
    node: OndcNode, request_context: dict[str, Any], action: str, message: dict[str, Any]
) -> OndcMessage:
    """Send a callback nobody asked for just now (on_status or on_cancel when staff move an order,
    on_issue_status, a catalogue push) in the transaction of `request_context`, under the
    message_id it carries: the caller keeps one id per message, so that every retry (the outbox's,
    the push schedule's) sends the one logged body again and the flow log holds it once. Raises
    HttpError or CallbackRefused when the buyer app did not ACK; the caller retries."""
    context = callbacks.callback_context(node, request_context, action)
    sent = OndcMessage.objects.filter(
        node=node,
        direction=OndcMessage.Direction.SENT,
        action=action,
        message_id=context["message_id"],
    ).first() or log_sent(node, context, Reply(message), answers=None)
    sent.attempts += 1
    try:
        callbacks.post(node, callback_url(sent), sent.body.encode())
    except (HttpError, callbacks.CallbackRefused) as exc:
        sent.error = str(exc)[:500]
        raise
    else:
        sent.outcome, sent.error = OndcMessage.Outcome.DELIVERED, ""
    finally:
        sent.save(update_fields=["attempts", "outcome", "error", "updated_at"])
    return sent


def log_sent(
    node: OndcNode, context: dict[str, Any], reply: Reply, *, answers: OndcMessage | None
) -> OndcMessage:
    """A callback about to be sent, in the message log (which the flow-log export reads)."""
    # Serialised once: these bytes are logged, signed and sent, on every attempt.
    body = callbacks.callback_body(context, reply.message, reply.error)
    return OndcMessage.objects.create(
        node=node,
        direction=OndcMessage.Direction.SENT,
        action=str(context["action"]),
        bap_id=str(context.get("bap_id", ""))[:200],
        transaction_id=str(context.get("transaction_id", ""))[:LONGEST_ID],
        message_id=str(context["message_id"])[:LONGEST_ID],
        body=body.decode(),
        signature_ok=True,
        outcome=OndcMessage.Outcome.PENDING,
        answers=answers,
    )


def callback_url(sent: OndcMessage) -> str:
    bap_uri = str(orjson.loads(sent.body)["context"]["bap_uri"])
    return f"{bap_uri.rstrip('/')}/{sent.action}"


def deliver(sent: OndcMessage) -> None:
    """One attempt to deliver a logged callback; a transient failure queues the next attempt after
    1, 2, 4... seconds (ONDC_CALLBACK_RETRY_SECONDS doubled), until ONDC_CALLBACK_ATTEMPTS."""
    from niryat.channels.ondc.tasks import deliver_ondc_callback

    if sent.outcome != OndcMessage.Outcome.PENDING:
        return
    sent.attempts += 1
    url = callback_url(sent)
    retry_at = None
    try:
        callbacks.post(sent.node, url, sent.body.encode())
    except HttpError as exc:
        sent.error = str(exc)[:500]
        if exc.permanent or sent.attempts >= settings.ONDC_CALLBACK_ATTEMPTS:
            sent.outcome = OndcMessage.Outcome.FAILED
            logger.warning(
                "ONDC %s %s to %s given up after %d attempt(s): %s",
                sent.action,
                sent.message_id,
                url,
                sent.attempts,
                exc,
            )
        else:
            wait = settings.ONDC_CALLBACK_RETRY_SECONDS * 2 ** (sent.attempts - 1)
            retry_at = timezone.now() + timedelta(seconds=max(wait, exc.retry_after or 0))
    except callbacks.CallbackRefused as exc:
        # The buyer app read it and said NACK: sending the same bytes again cannot change that.
        sent.outcome, sent.error = OndcMessage.Outcome.FAILED, str(exc)[:500]
        logger.warning("ONDC %s %s refused by %s: %s", sent.action, sent.message_id, url, exc)
    else:
        sent.outcome, sent.error = OndcMessage.Outcome.DELIVERED, ""
    sent.save(update_fields=["attempts", "outcome", "error", "updated_at"])
    if retry_at is not None:
        deliver_ondc_callback.using(run_after=retry_at).enqueue(sent.pk)


def deliver_again(sent_pk: int) -> None:
    sent = OndcMessage.objects.select_related("node").get(pk=sent_pk)
    deliver(sent)
