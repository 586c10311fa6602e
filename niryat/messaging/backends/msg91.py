"""SMS through MSG91 (https://docs.msg91.com), an Indian provider on every operator's DLT
platform, with a public JSON API that takes the DLT content template id with each message.

`POST /api/v2/sendsms` with the `authkey` header; one call carries many messages that share a
sender header and a DLT template id (the `sms` list, each with its own text and numbers):

    {"sender": "NIRYAT", "route": "4", "country": "91", "unicode": 1,
     "DLT_TE_ID": "1107160000000000001", "campaign": "nr-5f0c...",
     "sms": [{"message": "<the registered wording, variables filled>", "to": ["9839012345"]},
             {"message": "...", "to": ["9415012345"]}]}

answered `{"type": "success", "message": "<request id>"}` or `{"type": "error", "message": ...}`.
Route 4 is the transactional route. MSG91's delivery reports (posted to our webhook,
niryat/messaging/webhooks.py) name the request id, each number, and the `campaign` we gave
(as `campaignName`, up to 50 characters): the campaign is our reference for the call, so a
report finds its messages even when MSG91's answer (and so the request id) never reached us.
The operators check the header, the template id and the wording against the DLT registration
and drop what does not match; the gateway refuses such a message before it gets here
(niryat/messaging/dlt.py).

Replies come in on a long code (a "virtual number"): MSG91 forwards each SMS sent to it, which
must start with our keyword on a shared long code ("NIRYAT रोकें"), to the callback URL set in
its panel (msg91.com/help/virtual-number). `inbound_sms` reads that forward.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

import httpx
from django.conf import settings

from niryat.core import http
from niryat.messaging.backends.base import (
    Backend,
    Delivery,
    Outcome,
    ProviderError,
    answer_lost,
)

TRANSACTIONAL_ROUTE = "4"


CAMPAIGN_MAX = 50  # characters MSG91 keeps of a campaign name


def _unicode(delivery: Delivery) -> int:
    # Hindi needs the Unicode encoding (70 characters a part instead of 160).
    return 0 if delivery.text.isascii() else 1


def request_body(delivery: Delivery, *more: Delivery) -> dict[str, object]:
    """One call for `delivery` and `more` (same header, template id and encoding)."""
    body: dict[str, object] = {
        "sender": delivery.dlt_header,
        "route": TRANSACTIONAL_ROUTE,
        "country": "91",
        "unicode": _unicode(delivery),
        "DLT_TE_ID": delivery.dlt_template_id,
        "sms": [
            {"message": each.text, "to": [each.to.removeprefix("+91")]}
            for each in (delivery, *more)
        ],
    }
    if delivery.reference:
        body["campaign"] = delivery.reference[:CAMPAIGN_MAX]
    return body


class Msg91Backend(Backend):
    requires_dlt = True
    batch_size = 100

    def __init__(self) -> None:
        # One client (its connections kept open) per address: tests and the bench move it.
        self.clients: dict[str, httpx.Client] = {}
        self.lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        url = settings.MSG91_API_URL
        with self.lock:
            if url not in self.clients:
                self.clients[url] = http.new_client(url)
            return self.clients[url]

    def batch_key(self, delivery: Delivery) -> tuple[str, ...]:
        return (delivery.dlt_header, delivery.dlt_template_id, str(_unicode(delivery)))

    def send(self, delivery: Delivery) -> str:
        outcome = self.send_batch([delivery])[0]
        if isinstance(outcome, ProviderError):
            raise outcome
        return outcome

    def send_batch(self, deliveries: list[Delivery]) -> list[Outcome]:
        """One call for all: the request id is every message's id (the reports name each
        number). A batch refused as a whole for good is tried one message at a time, so that
        one bad message does not take the others down with it."""
        first = deliveries[0]
        if not (first.dlt_header and first.dlt_template_id):
            error = ProviderError("no DLT header or template id", permanent=True)
            return [error for _ in deliveries]
        try:
            request_id = self._post(request_body(*deliveries))
        except ProviderError as exc:
            if exc.permanent and len(deliveries) > 1:
                return [outcome for each in deliveries for outcome in self.send_batch([each])]
            return [exc for _ in deliveries]
        return [request_id for _ in deliveries]

    def _post(self, body: dict[str, object]) -> str:
        try:
            response = http.send(
                self.client,
                "POST",
                "/api/v2/sendsms",
                json=body,
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


@dataclass(frozen=True)
class Report:
    request_id: str
    number: str  # as MSG91 writes it: "919839012345"
    delivered: bool
    description: str  # the operator's
    campaign: str  # our reference for the call


def delivery_reports(data: list[dict[str, object]]) -> list[Report]:
    """MSG91's delivery report webhook (a JSON list in the `data` field), one per number."""
    reports = []
    for batch in data:
        request_id = str(batch.get("requestId", ""))
        campaign = str(batch.get("campaignName", "") or "")
        for report in batch.get("report", []) or []:  # type: ignore[attr-defined]
            reports.append(
                Report(
                    request_id=request_id,
                    number=str(report.get("number", "")),
                    delivered=str(report.get("status")) == "1",  # 1: delivered; else failed
                    description=str(report.get("desc", "")),
                    campaign=campaign,
                )
            )
    return reports


@dataclass(frozen=True)
class InboundSms:
    sender: str  # the number, as MSG91 writes it
    text: str  # without the long code's keyword
    event_id: str  # what makes this SMS one event, however often it is forwarded


# MSG91's forward names its fields differently across its panel's versions: the sender's number,
# the text and an id are read from whichever of these names the forward carries.
SENDER_FIELDS = ("number", "mobile", "sender", "from")
TEXT_FIELDS = ("message", "content", "text")
ID_FIELDS = ("requestId", "msgId", "id")


def inbound_sms(fields: dict[str, str], keyword: str = "") -> InboundSms | None:
    """An SMS sent to our long code, as MSG91 forwards it (form fields or JSON); None if it
    names no sender. The long code's `keyword` is taken off the front of the text."""
    sender = next((fields[name] for name in SENDER_FIELDS if fields.get(name)), "")
    if not sender:
        return None
    text = next((fields[name] for name in TEXT_FIELDS if fields.get(name)), "").strip()
    if keyword and text.casefold().startswith(keyword.casefold()):
        text = text[len(keyword) :].strip()
    event_id = next((fields[name] for name in ID_FIELDS if fields.get(name)), "")
    if not event_id:
        # No id of MSG91's: the same forward repeated has the same sender, time and text.
        when = fields.get("date") or fields.get("received_at") or fields.get("timestamp") or ""
        event_id = hashlib.sha256(f"{sender}\0{when}\0{text}".encode()).hexdigest()
    return InboundSms(sender=sender, text=text, event_id=event_id)
