"""Webhooks the providers call: WhatsApp (messages and statuses) and MSG91 (delivery reports).

WhatsApp: `GET` is Meta's verification handshake (hub.mode=subscribe, our verify token; we echo
hub.challenge). Every `POST` carries `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body
under the app secret>`; it is checked, in constant time, before the body is even parsed: a bad or
missing signature is a 401 and nothing is stored. MSG91 signs nothing: its reports come to an
address holding a secret token (settings.MSG91_WEBHOOK_TOKEN), and the SMS producers send to our
long code come to another (`/hooks/msg91/inbound/<token>/`), whose token the settings hold only
as a SHA-256 (MSG91_INBOUND_TOKEN_SHA256); a wrong one is a 401 and nothing is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from niryat.messaging import gateway, inbound
from niryat.messaging.backends.msg91 import delivery_reports, inbound_sms
from niryat.messaging.models import Channel

logger = logging.getLogger("niryat.messaging")


def signature_valid(body: bytes, header: str) -> bool:
    secret = settings.WHATSAPP_APP_SECRET
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        token = settings.WHATSAPP_VERIFY_TOKEN
        given = request.GET.get("hub.verify_token", "")
        if (
            request.GET.get("hub.mode") == "subscribe"
            and token
            and hmac.compare_digest(token.encode(), given.encode())
        ):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponseForbidden()
    if not signature_valid(request.body, request.headers.get("X-Hub-Signature-256", "")):
        return HttpResponse("bad signature", status=401, content_type="text/plain")
    try:
        payload = json.loads(request.body)
    except ValueError:
        return HttpResponse("not JSON", status=400, content_type="text/plain")
    for value in _values(payload):
        for status in value.get("statuses", []) or []:
            _status(status)
        for message in value.get("messages", []) or []:
            inbound.receive(_incoming(message))
    # Meta retries anything but a 200: a message we chose not to keep is still answered 200.
    return JsonResponse({"ok": True})


def _values(payload: Any) -> list[dict[str, Any]]:
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        return []
    return [
        change.get("value") or {}
        for entry in payload.get("entry", []) or []
        for change in entry.get("changes", []) or []
        if change.get("field") == "messages"
    ]


def _incoming(message: dict[str, Any]) -> inbound.Incoming:
    kind = str(message.get("type", ""))
    media = message.get(kind) if kind in ("image", "document", "audio", "video", "sticker") else {}
    return inbound.Incoming(
        channel=Channel.WHATSAPP,
        provider_id=str(message.get("id", "")),
        sender=str(message.get("from", "")),
        kind=kind,
        text=str((message.get("text") or {}).get("body", "")) if kind == "text" else "",
        media_id=str((media or {}).get("id", "")),
        mime_type=str((media or {}).get("mime_type", "")),
    )


def _status(status: dict[str, Any]) -> None:
    provider_id = str(status.get("id", ""))
    # Our reference, echoed: it names the message even if the answer to our call was lost.
    reference = str(status.get("biz_opaque_callback_data", "") or "")
    state = status.get("status")
    if state == "sent":
        gateway.record_status(provider_id, delivered=False, reference=reference, taken_only=True)
    elif state == "delivered":
        gateway.record_status(provider_id, delivered=True, reference=reference)
    elif state == "read":
        gateway.record_status(provider_id, delivered=True, read=True, reference=reference)
    elif state == "failed":
        errors = status.get("errors") or [{}]
        error = errors[0]
        details = (error.get("error_data") or {}).get("details") or error.get("title", "")
        gateway.record_status(
            provider_id,
            delivered=False,
            reason=f"WhatsApp {error.get('code', '')}: {details}",
            reference=reference,
        )


@csrf_exempt
@require_POST
def msg91_report(request: HttpRequest, token: str) -> HttpResponse:
    expected = settings.MSG91_WEBHOOK_TOKEN
    if not expected or not hmac.compare_digest(expected.encode(), token.encode()):
        return HttpResponse(status=404)
    raw = request.POST.get("data") if request.content_type != "application/json" else None
    try:
        data = json.loads(raw if raw is not None else request.body)
    except ValueError:
        return HttpResponse("not JSON", status=400, content_type="text/plain")
    if isinstance(data, dict):
        data = data.get("data", [])
    for report in delivery_reports(data or []):
        gateway.record_status(
            report.request_id,
            delivered=report.delivered,
            reason=f"MSG91: {report.description}",
            reference=report.campaign if report.campaign.startswith("nr-") else "",
            number=report.number,
        )
    return JsonResponse({"ok": True})


def inbound_token_valid(token: str) -> bool:
    expected = settings.MSG91_INBOUND_TOKEN_SHA256
    given = hashlib.sha256(token.encode()).hexdigest()
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def msg91_inbound(request: HttpRequest, token: str) -> HttpResponse:
    """An SMS a producer sent to our long code, as MSG91 forwards it (form fields, a query
    string, or JSON): STOP / रोकें stops their SMS, START resumes, the other keywords are
    answered as on WhatsApp; a number that is no producer's gets a polite answer and nothing
    is kept."""
    if not inbound_token_valid(token):
        return HttpResponse("unauthorised", status=401, content_type="text/plain")
    fields: dict[str, str] = {key: str(value) for key, value in request.GET.items()}
    if request.method == "POST":
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body)
            except ValueError:
                return HttpResponse("not JSON", status=400, content_type="text/plain")
            if isinstance(body, dict):
                fields.update({key: str(value) for key, value in body.items()})
        else:
            fields.update({key: str(value) for key, value in request.POST.items()})
    sms = inbound_sms(fields, settings.MSG91_INBOUND_KEYWORD)
    if sms is not None:
        inbound.receive(
            inbound.Incoming(
                channel=Channel.SMS,
                provider_id=sms.event_id,
                sender=sms.sender,
                kind="text",
                text=sms.text,
            )
        )
    # MSG91 forwards again what is not answered 200: an SMS we chose not to keep too.
    return JsonResponse({"ok": True})
