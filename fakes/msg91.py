"""A fake MSG91 SMS API (https://docs.msg91.com): `POST /api/v2/sendsms`, the JSON send with the
`authkey` header, and the delivery reports MSG91 posts to a webhook.

    request  {"sender": "NIRYAT", "route": "4", "country": "91", "unicode": 1,
              "DLT_TE_ID": "1107...", "sms": [{"message": "...", "to": ["9839012345"]}]}
    answer   {"type": "success", "message": "<request id>"}
             {"type": "error", "message": "Authentication failure"} (401), or for a bad request
             (400): no sender, no DLT_TE_ID, a number that is not 10 digits.

The operators' DLT scrubbing is the fake's too: with registrations (`register_dlt(template id,
header, wording with {#var#})`), a message whose header or wording does not match its template id
is accepted and then reported failed, as operators drop it. `delivery_report(request id)` is the
webhook body MSG91 sends (`data`: a JSON list, with the call's `campaignName`), and
`delivery_reports()` the bodies for every call not reported yet, for tests to post to Niryat;
`sent` holds every accepted message. Faults (429, 503, timeouts, and calls taken but answered too
late) come from fakes/base.py.

Replies: `inbound_sms(number, text)` is what MSG91 forwards to the long code's callback URL when
someone sends an SMS to it (form fields: the sender's number with its country code, the keyword,
the whole text, the long code and the time), and `post_inbound(url, number, text)` sends it to a
running Niryat.
"""

from __future__ import annotations

import itertools
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from fakes.base import FakeMarketplace, Request, Response, route

AUTH_KEY = "fake-msg91-authkey"
VARIABLE = "{#var#}"


def wording_pattern(wording: str) -> re.Pattern[str]:
    parts = [re.escape(part) for part in wording.split(VARIABLE)]
    return re.compile(".{1,30}".join(parts), re.DOTALL)


# Ids stay unique across resets, as a provider's never repeat.
IDS = itertools.count(1)


class FakeMsg91(FakeMarketplace):
    name = "msg91"

    def reset_state(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.dlt: dict[str, tuple[str, re.Pattern[str]]] = {}
        self.reported: set[str] = set()  # request ids whose report went out

    def register_dlt(self, template_id: str, header: str, wording: str) -> None:
        with self.lock:
            self.dlt[template_id] = (header, wording_pattern(wording))

    def error_response(self, status: int, code: str, message: str) -> Response:
        return Response(status, {"type": "error", "message": message, "code": code})

    def state(self) -> dict[str, Any]:
        return {"sent": self.sent}

    @route("POST", "/api/v2/sendsms")
    def send_sms(self, request: Request) -> Response:
        if request.headers.get("authkey") != AUTH_KEY:
            return self.error_response(401, "401", "Authentication failure")
        body = request.json() or {}
        template_id = str(body.get("DLT_TE_ID", ""))
        sender = str(body.get("sender", ""))
        if not sender or not template_id:
            return self.error_response(400, "400", "sender and DLT_TE_ID are required")
        batches = body.get("sms") or []
        numbers = [number for batch in batches for number in batch.get("to", [])]
        if not numbers or not all(re.fullmatch(r"[6-9]\d{9}", str(n)) for n in numbers):
            return self.error_response(400, "400", "Invalid mobile number")
        with self.lock:
            request_id = f"{next(IDS):024x}"
            for batch in batches:
                text = str(batch.get("message", ""))
                registered = self.dlt.get(template_id)
                scrubbed = registered is None or (
                    registered[0] == sender and registered[1].fullmatch(text) is not None
                )
                for number in batch.get("to", []):
                    self.sent.append(
                        {
                            "request_id": request_id,
                            "sender": sender,
                            "route": body.get("route"),
                            "unicode": body.get("unicode"),
                            "DLT_TE_ID": template_id,
                            "campaign": str(body.get("campaign", "") or "API")[:50],
                            "message": text,
                            "to": str(number),
                            "status": "1" if scrubbed else "16",
                            "desc": "DELIVERED" if scrubbed else "Rejected by DLT: no match",
                        }
                    )
        return Response(200, {"type": "success", "message": request_id})

    def delivery_reports(self) -> list[dict[str, Any]]:
        """The delivery-report bodies of every call not reported yet, oldest first."""
        with self.lock:
            waiting = list(dict.fromkeys(s["request_id"] for s in self.sent))
            waiting = [request_id for request_id in waiting if request_id not in self.reported]
        return [self.delivery_report(request_id) for request_id in waiting]

    def delivery_report(self, request_id: str) -> dict[str, Any]:
        """The body MSG91 posts to the delivery-report webhook for one request."""
        with self.lock:
            sent = [s for s in self.sent if s["request_id"] == request_id]
            self.reported.add(request_id)
        return {
            "data": [
                {
                    "senderId": sent[0]["sender"] if sent else "",
                    "requestId": request_id,
                    "report": [
                        {
                            "date": "2026-12-07 10:00:00",
                            "number": "91" + s["to"],
                            "status": s["status"],
                            "desc": s["desc"],
                        }
                        for s in sent
                    ],
                    "userId": "fake",
                    "campaignName": sent[0]["campaign"] if sent else "API",
                }
            ]
        }

    # -- replies to the long code -------------------------------------------------------------
    LONG_CODE = "9220092200"

    def inbound_sms(self, number: str, text: str, keyword: str = "") -> dict[str, str]:
        """The fields MSG91 forwards for an SMS sent to the long code by `number` (with its
        country code, "919839012345")."""
        with self.lock:
            sequence = next(IDS)
        return {
            "number": number,
            "keyword": keyword or (text.split() or [""])[0],
            "message": text,
            "inNumber": self.LONG_CODE,
            "date": f"2026-12-07 10:{sequence // 60 % 60:02d}:{sequence % 60:02d}",
            "requestId": f"in{sequence:022x}",
        }

    def post_inbound(self, url: str, number: str, text: str) -> int:
        """Forward an SMS to a running Niryat as MSG91 does (a form POST); the HTTP status."""
        body = urllib.parse.urlencode(self.inbound_sms(number, text)).encode()
        request = urllib.request.Request(  # noqa: S310
            url,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
