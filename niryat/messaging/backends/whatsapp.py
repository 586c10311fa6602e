"""WhatsApp through Meta's WhatsApp Business Cloud API (graph.facebook.com).

`POST /<version>/<phone number id>/messages` with a bearer token. A message that we start
(an order alert) must be an approved *template*, its body parameters in the wording's order; a
free-form text is allowed only inside the customer-service window, 24 hours from the
producer's last message to us. The answer names the message id (`wamid...`) that the status
webhooks report on; they also echo `biz_opaque_callback_data`, which we set to the message's
reference, so a status names our message even when the answer to our call never came back.
Media a producer sends arrives as an id: `GET /<version>/<media id>` gives a short-lived URL,
fetched with the same token.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import httpx
from django.conf import settings

from niryat.core import http
from niryat.messaging.backends.base import Backend, Delivery, ProviderError, answer_lost

# Cloud API error codes that pass: rate and throughput limits, a temporary service error.
TRANSIENT_CODES = {4, 80007, 130429, 131000, 131016, 131056, 133004}


def _path(tail: str) -> str:
    return f"/{settings.WHATSAPP_API_VERSION}/{tail}"


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.WHATSAPP_ACCESS_TOKEN}"}


def request_body(delivery: Delivery) -> dict[str, object]:
    body: dict[str, object] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": delivery.to.removeprefix("+"),
    }
    if delivery.reference:
        body["biz_opaque_callback_data"] = delivery.reference
    if delivery.session_open or not delivery.whatsapp_name:
        body.update(type="text", text={"preview_url": False, "body": delivery.text})
    else:
        body.update(
            type="template",
            template={
                "name": delivery.whatsapp_name,
                "language": {"code": delivery.language},
                "components": [
                    {
                        "type": "body",
                        "parameters": [{"type": "text", "text": v} for v in delivery.variables],
                    }
                ],
            },
        )
    return body


def _error(exc: http.HttpError) -> ProviderError:
    error = exc.body.get("error", {}) if isinstance(exc.body, dict) else {}
    code = error.get("code")
    details = (error.get("error_data") or {}).get("details") or error.get("message") or str(exc)
    permanent = exc.permanent and code not in TRANSIENT_CODES
    reason = f"WhatsApp {code}: {details}" if code else f"WhatsApp: {details}"
    return ProviderError(
        reason, permanent=permanent, retry_after=exc.retry_after, ambiguous=answer_lost(exc)
    )


class WhatsAppBackend(Backend):
    def __init__(self) -> None:
        # One client (its connections kept open) per address: tests and the bench move it.
        # The gateway sends several messages at once from threads: httpx clients allow it.
        self.clients: dict[str, httpx.Client] = {}
        self.lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        url = settings.WHATSAPP_API_URL
        with self.lock:
            if url not in self.clients:
                self.clients[url] = http.new_client(url)
            return self.clients[url]

    def send(self, delivery: Delivery) -> str:
        if not (delivery.session_open or delivery.whatsapp_name):
            raise ProviderError("no approved WhatsApp template, and no open window", permanent=True)
        try:
            response = http.send(
                self.client,
                "POST",
                _path(f"{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"),
                json=request_body(delivery),
                headers=_headers(),
            )
        except http.HttpError as exc:
            raise _error(exc) from exc
        return str(response.json()["messages"][0]["id"])


@dataclass(frozen=True)
class Media:
    data: bytes
    mime_type: str


def download_media(media_id: str, max_bytes: int) -> Media:
    """A producer's photo: its URL from the media endpoint, then the bytes (at most
    `max_bytes`, so that a huge file is refused before it is read)."""
    with http.new_client(settings.WHATSAPP_API_URL) as client:
        try:
            info = http.send(client, "GET", _path(media_id), headers=_headers()).json()
            size = int(info.get("file_size") or 0)
            if size > max_bytes:
                raise ProviderError(f"media of {size} bytes", permanent=True)
            with client.stream("GET", info["url"], headers=_headers()) as response:
                if not response.is_success:
                    raise ProviderError(f"media: HTTP {response.status_code}")
                chunks, read = [], 0
                for chunk in response.iter_bytes():
                    read += len(chunk)
                    if read > max_bytes:
                        raise ProviderError(f"media over {max_bytes} bytes", permanent=True)
                    chunks.append(chunk)
        except http.HttpError as exc:
            raise _error(exc) from exc
        except httpx.HTTPError as exc:  # the download itself timed out or broke off
            raise ProviderError(f"media: {exc.__class__.__name__}") from exc
    return Media(b"".join(chunks), str(info.get("mime_type", "")))
