"""A fake WhatsApp Business Cloud API (Meta, graph.facebook.com) and its webhook sender.

    POST /<version>/<phone number id>/messages   (Authorization: Bearer <token>)
         {"messaging_product": "whatsapp", "to": "919839012345", "type": "template",
          "template": {"name": ..., "language": {"code": "hi"}, "components": [...]}}
         or "type": "text", "text": {"body": ...}: allowed only within 24 hours of the user's
         last message (else error 131047, "Re-engagement message").
         → {"messaging_product": "whatsapp", "contacts": [{"input", "wa_id"}],
            "messages": [{"id": "wamid...."}]}
    GET  /<version>/<media id>        → {"url", "mime_type", "sha256", "file_size", "id"}
    GET  /media/<media id>            → the bytes (bearer token too)

Errors take Meta's shape: {"error": {"message", "type", "code", "error_data", "fbtrace_id"}}.

The webhook side: `user_text`, `user_image`, `user_media` and `status` build the payloads Meta
posts (`entry[].changes[].value.messages / statuses`); `signed(payload)` gives the body and its
`X-Hub-Signature-256` header under the app secret, and `post(url, payload)` sends them to a
running Niryat. A user who writes opens the 24-hour window for free-form replies.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.request
from typing import Any

from fakes.base import FakeMarketplace, Request, Response, route

ACCESS_TOKEN = "fake-whatsapp-token"  # noqa: S105 - the fake's own test credential
APP_SECRET = "fake-whatsapp-app-secret"  # noqa: S105
PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
WINDOW = 24 * 3600


# Ids stay unique across resets, as a provider's never repeat.
IDS = itertools.count(1)


class FakeWhatsApp(FakeMarketplace):
    name = "whatsapp"

    def reset_state(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self.last_user_message: dict[str, float] = {}  # wa_id → when they last wrote
        self.approved: set[str] = set()  # approved template names; empty: any name

    def error_response(self, status: int, code: str, message: str) -> Response:
        codes = {429: 130429, 503: 131000, 401: 190, 404: 100}
        return Response(
            status,
            {
                "error": {
                    "message": message,
                    "type": "OAuthException",
                    "code": int(code) if code.isdigit() else codes.get(status, 100),
                    "error_data": {"messaging_product": "whatsapp", "details": message},
                    "fbtrace_id": "AbCdEfGh",
                }
            },
        )

    def state(self) -> dict[str, Any]:
        return {"sent": self.sent}

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {ACCESS_TOKEN}"

    @route("POST", r"/v\d+\.\d+/(?P<phone>\d+)/messages")
    def send(self, request: Request) -> Response:
        if not self._authorised(request):
            return self.error_response(401, "190", "Invalid OAuth access token.")
        if request.params["phone"] != PHONE_NUMBER_ID:
            return self.error_response(400, "100", "Unsupported post request.")
        body = request.json() or {}
        to = str(body.get("to", ""))
        if body.get("messaging_product") != "whatsapp" or not to.isdigit():
            return self.error_response(400, "100", "Invalid parameter")
        kind = body.get("type")
        with self.lock:
            if kind == "text":
                opened = self.last_user_message.get(to)
                if opened is None or time.time() - opened > WINDOW:
                    return self.error_response(
                        400,
                        "131047",
                        "Re-engagement message: more than 24 hours since the user last replied.",
                    )
            elif kind == "template":
                name = (body.get("template") or {}).get("name", "")
                if self.approved and name not in self.approved:
                    return self.error_response(
                        404, "132001", f"Template name does not exist in the translation: {name}"
                    )
            else:
                return self.error_response(400, "100", f"Unsupported message type {kind}")
            wamid = f"wamid.HBgM{next(IDS):020d}"
            self.sent.append({"id": wamid, **body})
        return Response(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid}],
            },
        )

    @route("GET", r"/v\d+\.\d+/(?P<media>\d+)")
    def media_url(self, request: Request) -> Response:
        if not self._authorised(request):
            return self.error_response(401, "190", "Invalid OAuth access token.")
        with self.lock:
            found = self.media.get(request.params["media"])
        if found is None:
            return self.error_response(404, "100", "Unsupported get request.")
        data, mime = found
        return Response(
            200,
            {
                "messaging_product": "whatsapp",
                "url": f"{self.url}/media/{request.params['media']}",
                "mime_type": mime,
                "sha256": hashlib.sha256(data).hexdigest(),
                "file_size": len(data),
                "id": request.params["media"],
            },
        )

    @route("GET", r"/media/(?P<media>\d+)")
    def media_bytes(self, request: Request) -> Response:
        if not self._authorised(request):
            return self.error_response(401, "190", "Invalid OAuth access token.")
        with self.lock:
            found = self.media.get(request.params["media"])
        if found is None:
            return self.error_response(404, "100", "Unsupported get request.")
        return Response(200, found[0], content_type=found[1])

    # -- the webhook sender ---------------------------------------------------------------------
    def _envelope(self, value: dict[str, Any]) -> dict[str, Any]:
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": WABA_ID,
                    "changes": [
                        {
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": "915224000000",
                                    "phone_number_id": PHONE_NUMBER_ID,
                                },
                                **value,
                            },
                            "field": "messages",
                        }
                    ],
                }
            ],
        }

    def _user_message(self, wa_id: str, message: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.last_user_message[wa_id] = time.time()
            wamid = f"wamid.IN{next(IDS):020d}"
        return self._envelope(
            {
                "contacts": [{"profile": {"name": "Ramu"}, "wa_id": wa_id}],
                "messages": [
                    {"from": wa_id, "id": wamid, "timestamp": str(int(time.time())), **message}
                ],
            }
        )

    def user_text(self, wa_id: str, text: str) -> dict[str, Any]:
        return self._user_message(wa_id, {"type": "text", "text": {"body": text}})

    def user_media(self, wa_id: str, data: bytes, mime: str, kind: str = "image") -> dict[str, Any]:
        with self.lock:
            media_id = str(900000 + next(IDS))
            self.media[media_id] = (data, mime)
        media = {"id": media_id, "mime_type": mime, "sha256": hashlib.sha256(data).hexdigest()}
        return self._user_message(wa_id, {"type": kind, kind: media})

    def user_image(self, wa_id: str, data: bytes, mime: str = "image/jpeg") -> dict[str, Any]:
        return self.user_media(wa_id, data, mime, "image")

    def status(
        self,
        wamid: str,
        status: str,
        wa_id: str = "",
        error: dict[str, Any] | None = None,
        reference: str = "",
    ) -> dict[str, Any]:
        return self._envelope({"statuses": [self._update(wamid, status, wa_id, error, reference)]})

    @staticmethod
    def _update(
        wamid: str, status: str, wa_id: str, error: dict[str, Any] | None, reference: str
    ) -> dict[str, Any]:
        update: dict[str, Any] = {
            "id": wamid,
            "status": status,
            "timestamp": str(int(time.time())),
            "recipient_id": wa_id,
        }
        if reference:  # the sender's biz_opaque_callback_data, echoed
            update["biz_opaque_callback_data"] = reference
        if error:
            update["errors"] = [error]
        return update

    def statuses(self, status: str = "sent") -> dict[str, Any]:
        """One webhook with `status` for every message sent so far, as Meta reports them (each
        with the biz_opaque_callback_data it was sent with)."""
        with self.lock:
            sent = list(self.sent)
        return self._envelope(
            {
                "statuses": [
                    self._update(
                        s["id"],
                        status,
                        s.get("to", ""),
                        None,
                        s.get("biz_opaque_callback_data", ""),
                    )
                    for s in sent
                ]
            }
        )

    @staticmethod
    def signed(payload: dict[str, Any], secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(payload, ensure_ascii=False).encode()
        signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return body, {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": f"sha256={signature}",
        }

    def post(self, url: str, payload: dict[str, Any], secret: str = APP_SECRET) -> int:
        """Send a signed webhook to a running Niryat, as Meta does; returns the HTTP status."""
        body, headers = self.signed(payload, secret)
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
