"""SMS through MSG91 (https://docs.msg91.com), an Indian provider on every operator's DLT
platform, with a public JSON API that takes the DLT content template id with each message.

One call per message, `POST /api/v2/sendsms` with the `authkey` header:

    {"sender": "NIRYAT", "route": "4", "country": "91", "unicode": 1,
     "DLT_TE_ID": "1107160000000000001",
     "sms": [{"message": "<the registered wording, variables filled>", "to": ["9839012345"]}]}

answered `{"type": "success", "message": "<request id>"}` or `{"type": "error", "message": ...}`.
Route 4 is the transactional route. The request id comes back in the delivery reports MSG91
posts to our webhook (niryat/messaging/webhooks.py). The operators check the header, the
template id and the wording against the DLT registration and drop what does not match; the
gateway refuses such a message before it gets here (niryat/messaging/dlt.py).
"""

from __future__ import annotations

import httpx
from django.conf import settings

from niryat.core import http
from niryat.messaging.backends.base import Backend, Delivery, ProviderError, answer_lost

TRANSACTIONAL_ROUTE = "4"


def request_body(delivery: Delivery) -> dict[str, object]:
    return {
        "sender": delivery.dlt_header,
        "route": TRANSACTIONAL_ROUTE,
        "country": "91",
        # Hindi needs the Unicode encoding (70 characters a part instead of 160).
        "unicode": 0 if delivery.text.isascii() else 1,
        "DLT_TE_ID": delivery.dlt_template_id,
        "sms": [{"message": delivery.text, "to": [delivery.to.removeprefix("+91")]}],
    }


class Msg91Backend(Backend):
    requires_dlt = True

    def __init__(self) -> None:
        # One client (its connections kept open) per address: tests and the bench move it.
        self.clients: dict[str, httpx.Client] = {}

    @property
    def client(self) -> httpx.Client:
        url = settings.MSG91_API_URL
        if url not in self.clients:
            self.clients[url] = http.new_client(url)
        return self.clients[url]

    def send(self, delivery: Delivery) -> str:
        if not (delivery.dlt_header and delivery.dlt_template_id):
            raise ProviderError("no DLT header or template id", permanent=True)
        try:
            response = http.send(
                self.client,
                "POST",
                "/api/v2/sendsms",
                json=request_body(delivery),
                headers={"authkey": settings.MSG91_AUTH_KEY, "accept": "application/json"},
            )
        except http.HttpError as exc:
            reason = exc.body.get("message") if isinstance(exc.body, dict) else None
            raise ProviderError(
                f"MSG91: {reason or exc}",
                permanent=exc.permanent,
                retry_after=exc.retry_after,
                ambiguous=answer_lost(exc),
            ) from exc
        data = response.json()
        if data.get("type") != "success":
            raise ProviderError(f"MSG91: {data.get('message', 'refused')}", permanent=True)
        return str(data["message"])


def delivery_reports(data: list[dict[str, object]]) -> list[tuple[str, str, bool, str]]:
    """MSG91's delivery report webhook (a JSON list in the `data` field) as (request id,
    number, delivered, the operator's description)."""
    reports = []
    for batch in data:
        request_id = str(batch.get("requestId", ""))
        for report in batch.get("report", []) or []:  # type: ignore[attr-defined]
            reports.append(
                (
                    request_id,
                    str(report.get("number", "")),
                    str(report.get("status")) == "1",  # 1: delivered; anything else failed
                    str(report.get("desc", "")),
                )
            )
    return reports
