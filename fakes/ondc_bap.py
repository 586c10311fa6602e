"""A fake ONDC buyer app (BAP) and the gateway in front of it, speaking the signed protocol
(shared/ONDC_FACTS.md §3.1, §4).

It sends signed requests (`search`, `select`, ...) to a seller node, and takes the node's signed
callbacks at `/on_<action>`: a callback whose signature verifies (with the node's key, found by a
signed `/v2.0/lookup` at the registry) is answered ACK and recorded for tests and demos to wait
for; any other gets HTTP 401 and a NACK. Faults (`/_fake/faults`, e.g. `server_errors: 1`) apply to
the callbacks, so a node's retries can be seen.

    POST /_fake/sites   {"subscriber_id": "edc.example", "url": "http://127.0.0.1:8000"}
                        where a seller node is reached (the Host header names the subscriber id)
    POST /_fake/search  {"bpp_id": "edc.example", "domain": "ONDC:RET16", "city": "std:0551"}
                        send a signed search to that node (through the gateway when "bpp_id" is
                        left out, to every node it knows), answered with the node's ACK or NACK
    POST /_fake/order   {"bpp_id": "edc.example", "domain": "ONDC:RET16", "city": "std:0551",
                         "item": "<item id or a word of its name>", "count": 1}
                        a buyer's whole order: search, select, init and confirm, each waiting for
                        the node's signed callback; answered with the order's id, or the step
                        that failed and why
    POST /_fake/settle  {"bpp_id": "edc.example", "order_ids": ["ORD-…"], "gst_percent": "5",
                         "faults": ["fee_above", "short_paid", "old_tcs_rate", "unknown_order"]}
                        the buyer app pays the node for orders it placed (all it placed there
                        when "order_ids" is left out) and sends the signed RSF 1.0
                        `receiver_recon` that says so (fakes/fixtures/ondc_receiver_recon.json
                        is its template); answered with the node's ACK or NACK and the message
                        id, whose `on_receiver_recon` lands in the callbacks
    GET  /_fake/state   the callbacks received

Its own code for signatures, not Niryat's: a fake that shared our code would agree with our
mistakes.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from fakes.base import FakeMarketplace, Request, Response, route

_PARAM = re.compile(r'(\w+)="([^"]*)"')
# The fake's own answer to a callback whose signature fails; ONDC gives buyer apps the codes
# 20000-27502, and a seller node only needs to see the 401 and the NACK.
INVALID_SIGNATURE = "20001"
# The buyer, their address and the buyer app's finder fee, in every order the fake places.
FINDER_FEE = {
    "@ondc/org/buyer_app_finder_fee_type": "percent",
    "@ondc/org/buyer_app_finder_fee_amount": "3",
}
BUYER_PIN = "560001"
BUYER_ADDRESS = {
    "name": "Asha Rao",
    "building": "12, MG Road",
    "locality": "Ashok Nagar",
    "city": "Bengaluru",
    "state": "Karnataka",
    "country": "IND",
    "area_code": BUYER_PIN,
}
BUYER_CONTACT = {"phone": "9886098860", "email": "asha@example.com"}
# The buyer app's GSTIN, which a confirm carries and on_confirm repeats.
BAP_TERMS = {"code": "bap_terms", "list": [{"code": "tax_number", "value": "29AAACB1234C1Z5"}]}
# A reconciliation message as RSF 1.0 shapes it (ONDC's log-validation utility,
# schema/RSF/Rsf_v1/receiverReconSchema.ts): the template every settlement of the fake fills in.
RECEIVER_RECON = Path(__file__).parent / "fixtures" / "ondc_receiver_recon.json"
# What the buyer app withholds from the seller's share, as the law of the order's date has it:
# TCS under GST section 52 (0.5% since 10 July 2024, notification 15/2024-Central Tax; 1% before)
# and TDS under 194-O (0.1% since 1 October 2024), on the value without GST.
TCS_PERCENT = Decimal("0.5")
OLD_TCS_PERCENT = Decimal("1")
TDS_PERCENT = Decimal("0.1")
# Faults a settlement may carry: a finder fee above the one agreed, less paid than what the
# figures add up to, TCS at the old rate, and an order the node never had.
SETTLE_FAULTS = ("fee_above", "short_paid", "old_tcs_rate", "unknown_order")
PAISE = Decimal("0.01")


class OrderFailed(Exception):
    """A step of a buyer's order got a NACK, no callback, or a callback with an error."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def now_timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Signer:
    """A participant's Ed25519 key and how it signs: the libsodium 64-byte secret (seed + public
    key) and the raw 32-byte public key, both base64, as the registry publishes them."""

    subscriber_id: str
    unique_key_id: str
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    @property
    def public_key(self) -> str:
        return _b64(
            self.key.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
        )

    def header(self, body: bytes, *, created: int | None = None, validity: int = 3600) -> str:
        created = int(time.time()) if created is None else created
        expires = created + validity
        digest = _b64(hashlib.blake2b(body, digest_size=64).digest())
        signed = f"(created): {created}\n(expires): {expires}\ndigest: BLAKE-512={digest}"
        signature = _b64(self.key.sign(signed.encode()))
        return (
            f'Signature keyId="{self.subscriber_id}|{self.unique_key_id}|ed25519",'
            f'algorithm="ed25519",created="{created}",expires="{expires}",'
            f'headers="(created) (expires) digest",signature="{signature}"'
        )

    def participant(self, kind: str, domain: str = "ONDC:RET16") -> dict[str, Any]:
        return {
            "subscriber_id": self.subscriber_id,
            "ukId": self.unique_key_id,
            "domain": domain,
            "type": kind,
            "signing_public_key": self.public_key,
            "valid_from": "2024-01-01T00:00:00.000Z",
            "valid_until": "2099-01-01T00:00:00.000Z",
        }


def verify_header(header: str, body: bytes, public_key: str) -> bool:
    params = dict(_PARAM.findall(header))
    try:
        created, expires = int(params["created"]), int(params["expires"])
        if expires < time.time() or created > time.time() + 60:
            return False
        digest = _b64(hashlib.blake2b(body, digest_size=64).digest())
        signed = f"(created): {created}\n(expires): {expires}\ndigest: BLAKE-512={digest}"
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key)).verify(
            base64.b64decode(params["signature"]), signed.encode()
        )
    except (KeyError, ValueError, InvalidSignature):
        return False
    return True


@dataclass
class Callback:
    """A callback as it arrived: its action, the raw bytes, the parsed body, whether it verified,
    and when (time.time())."""

    action: str
    body: bytes
    data: dict[str, Any]
    verified: bool
    received_at: float

    @property
    def context(self) -> dict[str, Any]:
        return dict(self.data.get("context") or {})


class FakeOndcBuyerApp(FakeMarketplace):
    name = "ondc-bap"
    SUBSCRIBER_ID = "buyer.niryat.test"
    GATEWAY_ID = "gateway.niryat.test"

    def __init__(self, registry_url: str = "") -> None:
        self.registry_url = registry_url
        self.signer = Signer(self.SUBSCRIBER_ID, "bap-key-1")
        self.gateway = Signer(self.GATEWAY_ID, "gateway-key-1")
        self.arrived = threading.Condition()
        super().__init__()

    def reset_state(self) -> None:
        self.callbacks: list[Callback] = []
        self.sites: dict[str, str] = {}
        self.node_keys: dict[str, str] = {}
        # The orders the buyer app placed, by id: the node, the transaction, on_confirm's order.
        self.placed: dict[str, dict[str, Any]] = {}

    def error_response(self, status: int, code: str, message: str) -> Response:
        return Response(
            status,
            {"message": {"ack": {"status": "NACK"}}, "error": {"code": code, "message": message}},
        )

    def participants(self) -> list[dict[str, Any]]:
        """What the registry must hold for the buyer app and its gateway (both retail domains)."""
        return [
            signer.participant(kind, domain)
            for signer, kind in ((self.signer, "buyerApp"), (self.gateway, "gateway"))
            for domain in ("ONDC:RET12", "ONDC:RET16")
        ]

    def register(self, registry_url: str) -> None:
        """Join the registry at `registry_url` (its /_fake/participants) and look keys up there."""
        self.registry_url = registry_url.rstrip("/")
        for participant in self.participants():
            httpx.post(f"{self.registry_url}/_fake/participants", json=participant, timeout=10)

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "sites": self.sites,
                "callbacks": [
                    {"action": c.action, "verified": c.verified, "body": c.data}
                    for c in self.callbacks
                ],
            }

    # -- requests to a seller node ---------------------------------------------------------------
    def context(self, action: str, bpp_id: str | None, /, **values: Any) -> dict[str, Any]:
        context: dict[str, Any] = {
            "domain": "ONDC:RET16",
            "country": "IND",
            "city": "std:0551",
            "action": action,
            "core_version": "1.0.0" if action in ("issue", "issue_status") else "1.2.0",
            "bap_id": self.signer.subscriber_id,
            # The subscriber id in the path: ONDC's log utility checks bap_uri holds bap_id.
            "bap_uri": f"{self.url}/{self.signer.subscriber_id}/",
            "transaction_id": str(uuid.uuid4()),
            "message_id": str(uuid.uuid4()),
            "timestamp": now_timestamp(),
            "ttl": "PT30S",
        }
        if bpp_id is not None:
            context.update(bpp_id=bpp_id, bpp_uri=f"https://{bpp_id}/ondc")
        context.update(values)
        return context

    def body(
        self, action: str, bpp_id: str | None, message: dict[str, Any], /, **context: Any
    ) -> bytes:
        """A request's bytes, minified, as the buyer app sends them."""
        data = {"context": self.context(action, bpp_id, **context), "message": message}
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()

    def post(
        self,
        node: str,
        action: str,
        body: bytes,
        *,
        authorization: str | None = None,
        gateway: bool = False,
        signed_body: bytes | None = None,
        created: int | None = None,
        validity: int = 3600,
    ) -> httpx.Response:
        """POST `body` to `node`'s /ondc/<action>, signed by the buyer app (over `signed_body`,
        to send a body other than the one signed) and, with `gateway`, by the gateway too.
        `authorization` replaces the header (empty: none)."""
        signed = body if signed_body is None else signed_body
        header = (
            self.signer.header(signed, created=created, validity=validity)
            if authorization is None
            else authorization
        )
        headers = {"Content-Type": "application/json", "Host": node}
        if header:
            headers["Authorization"] = header
        if gateway:
            headers["X-Gateway-Authorization"] = self.gateway.header(signed)
        with self.lock:
            base = self.sites.get(node, f"https://{node}")
        return httpx.post(f"{base}/ondc/{action}", content=body, headers=headers, timeout=20)

    def send(
        self, node: str, action: str, message: dict[str, Any], /, **context: Any
    ) -> tuple[httpx.Response, dict[str, Any]]:
        """Send a signed `action` to `node`; the node's answer and the context sent."""
        body = self.body(action, node, message, **context)
        return self.post(node, action, body), json.loads(body)["context"]

    # -- callbacks from seller nodes -----------------------------------------------------------
    @route("POST", r"(?:/[\w.-]+)?/(?P<action>on_\w+)")
    def callback(self, request: Request) -> Response:
        try:
            data = json.loads(request.body)
            context = data["context"]
        except (ValueError, KeyError, TypeError):
            return self.error_response(400, "20000", "The body is not an ONDC message.")
        header = request.headers.get("authorization", "")
        verified = self._verified(header, request.body)
        arrived = Callback(request.params["action"], request.body, data, verified, time.time())
        with self.arrived:
            with self.lock:
                self.callbacks.append(arrived)
            self.arrived.notify_all()
        if not verified:
            return self.error_response(401, INVALID_SIGNATURE, "Invalid Signature")
        if context.get("action") != request.params["action"]:
            return self.error_response(400, "20000", "context.action does not match the path.")
        return Response(200, {"message": {"ack": {"status": "ACK"}}})

    def _verified(self, header: str, body: bytes) -> bool:
        params = dict(_PARAM.findall(header))
        try:
            subscriber_id, key_id, _algorithm = params["keyId"].split("|")
        except (KeyError, ValueError):
            return False
        key = self._node_key(subscriber_id, key_id)
        return bool(key) and verify_header(header, body, key)

    def _node_key(self, subscriber_id: str, key_id: str) -> str:
        """The node's signing key from a signed /v2.0/lookup, kept once found."""
        with self.lock:
            known = self.node_keys.get(f"{subscriber_id}|{key_id}")
        if known or not self.registry_url:
            return known or ""
        body = json.dumps({"subscriber_id": subscriber_id, "ukId": key_id}).encode()
        try:
            found = httpx.post(
                f"{self.registry_url}/v2.0/lookup",
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "Authorization": self.signer.header(body),
                },
                timeout=10,
            ).json()
        except (httpx.HTTPError, ValueError):
            return ""
        for participant in found if isinstance(found, list) else []:
            if participant.get("ukId") == key_id:
                with self.lock:
                    self.node_keys[f"{subscriber_id}|{key_id}"] = participant["signing_public_key"]
                return str(participant["signing_public_key"])
        return ""

    def wait_for(
        self, action: str, *, message_id: str = "", transaction_id: str = "", timeout: float = 10
    ) -> Callback:
        """The first callback `action` (of that message or transaction) to arrive; TimeoutError
        if none does within `timeout` seconds."""

        def found() -> Callback | None:
            with self.lock:
                for callback in self.callbacks:
                    context = callback.context
                    if callback.action == action and (
                        (not message_id or context.get("message_id") == message_id)
                        and (not transaction_id or context.get("transaction_id") == transaction_id)
                    ):
                        return callback
            return None

        with self.arrived:
            if not self.arrived.wait_for(lambda: found() is not None, timeout=timeout):
                raise TimeoutError(f"no {action} within {timeout} s")
        callback = found()
        assert callback is not None
        return callback

    def received(self, action: str) -> list[Callback]:
        with self.lock:
            return [c for c in self.callbacks if c.action == action]

    # -- a buyer's order, built from the node's own answers -------------------------------------
    @staticmethod
    def delivery_to(pin: str = BUYER_PIN) -> dict[str, Any]:
        """The buyer's delivery end, as a fulfilment of select, init and confirm."""
        return {
            "type": "Delivery",
            "end": {
                "location": {
                    "gps": "12.974002,77.613458",
                    "address": {**BUYER_ADDRESS, "area_code": pin},
                },
                "contact": BUYER_CONTACT,
                "person": {"name": BUYER_ADDRESS["name"]},
            },
        }

    @classmethod
    def select_order(
        cls, provider: dict[str, Any], item: dict[str, Any], count: int, *, pin: str = BUYER_PIN
    ) -> dict[str, Any]:
        """select's message for `count` of an on_search `item` of `provider`."""
        return {
            "order": {
                "provider": {"id": provider["id"], "locations": [{"id": item["location_id"]}]},
                "items": [
                    {
                        "id": item["id"],
                        "location_id": item["location_id"],
                        "quantity": {"count": count},
                    }
                ],
                "fulfillments": [cls.delivery_to(pin)],
            }
        }

    @classmethod
    def init_order(
        cls, provider: dict[str, Any], item: dict[str, Any], count: int, *, pin: str = BUYER_PIN
    ) -> dict[str, Any]:
        """init's message: select's order with the fulfilment chosen, billing and payment."""
        order = cls.select_order(provider, item, count, pin=pin)["order"]
        order["items"][0]["fulfillment_id"] = item["fulfillment_id"]
        order["fulfillments"] = [{"id": item["fulfillment_id"], **cls.delivery_to(pin)}]
        order["billing"] = {
            "name": BUYER_ADDRESS["name"],
            "address": {**BUYER_ADDRESS, "area_code": pin},
            **BUYER_CONTACT,
            "created_at": now_timestamp(),
            "updated_at": now_timestamp(),
        }
        order["payment"] = {"type": "ON-ORDER", **FINDER_FEE}
        return {"order": order}

    @classmethod
    def confirm_order(
        cls, on_init: dict[str, Any], order_id: str, sent_at: str, *, pin: str = BUYER_PIN
    ) -> dict[str, Any]:
        """confirm's message: on_init's terms accepted as given, paid by the buyer app."""
        terms = on_init["message"]["order"]
        quote = terms["quote"]
        payment = {
            **terms["payment"],
            "uri": "https://ondc.transaction.com/payment",
            "tl_method": "http/get",
            "params": {
                "currency": "INR",
                "transaction_id": f"pay-{order_id}",
                "amount": quote["price"]["value"],
            },
            "status": "PAID",
            "type": "ON-ORDER",
            "collected_by": "BAP",
            **FINDER_FEE,
        }
        return {
            "order": {
                "id": order_id,
                "state": "Created",
                "provider": terms["provider"],
                "items": terms["items"],
                "billing": terms["billing"],
                "fulfillments": [
                    {**terms["fulfillments"][0], "tracking": False, **cls.delivery_to(pin)}
                ],
                "quote": quote,
                "payment": payment,
                "tags": [*terms["tags"], BAP_TERMS],
                "created_at": sent_at,
                "updated_at": sent_at,
            }
        }

    def ask(
        self,
        node: str,
        action: str,
        message: dict[str, Any],
        *,
        between: Any = None,
        timeout: float = 20,
        **context: Any,
    ) -> dict[str, Any]:
        """Send `action` and wait for its callback (calling `between()` first, to run a worker
        in tests); the callback's body. OrderFailed on a NACK, an unverified callback or an
        error in it."""
        answer, sent = self.send(node, action, message, **context)
        if answer.status_code != 200 or answer.json() != {"message": {"ack": {"status": "ACK"}}}:
            raise OrderFailed(f"{action}: {answer.status_code} {answer.text}")
        if between is not None:
            between()
        try:
            callback = self.wait_for(f"on_{action}", message_id=sent["message_id"], timeout=timeout)
        except TimeoutError as exc:
            raise OrderFailed(str(exc)) from exc
        if not callback.verified:
            raise OrderFailed(f"on_{action}: the signature did not verify")
        return callback.data

    def buy(
        self,
        node: str,
        *,
        domain: str = "ONDC:RET16",
        city: str = "std:0551",
        item: str = "",
        count: int = 1,
        pin: str = BUYER_PIN,
        between: Any = None,
    ) -> dict[str, Any]:
        """A buyer's order on `node`: search, the first item in stock (or the one whose id or
        name holds `item`), select, init, confirm. The transaction and on_confirm."""
        transaction_id = str(uuid.uuid4())
        ask = functools.partial(
            self.ask, node, between=between, domain=domain, transaction_id=transaction_id
        )
        on_search = ask("search", {"intent": {"payment": FINDER_FEE}}, city=city)
        provider, chosen = self.find_item(on_search, item)
        on_select = ask("select", self.select_order(provider, chosen, count, pin=pin), city=city)
        if "error" in on_select:
            raise OrderFailed(f"on_select: {on_select['error']}")
        on_init = ask("init", self.init_order(provider, chosen, count, pin=pin), city=city)
        if "error" in on_init:
            raise OrderFailed(f"on_init: {on_init['error']}")
        order_id = f"ORD-{uuid.uuid4().hex[:10].upper()}"
        sent_at = now_timestamp()
        confirm = self.confirm_order(on_init, order_id, sent_at, pin=pin)
        on_confirm = ask("confirm", confirm, city=city, timestamp=sent_at)
        if "error" in on_confirm:
            raise OrderFailed(f"on_confirm: {on_confirm['error']}")
        with self.lock:
            self.placed[order_id] = {
                "node": node,
                "city": city,
                "transaction_id": transaction_id,
                "order": on_confirm["message"]["order"],
            }
        return {"transaction_id": transaction_id, "on_confirm": on_confirm}

    @staticmethod
    def find_item(on_search: dict[str, Any], wanted: str = "") -> tuple[dict, dict]:
        """The provider and item of on_search whose id or name holds `wanted` (any in stock when
        empty)."""
        for provider in on_search["message"]["catalog"]["bpp/providers"]:
            for item in provider["items"]:
                name = item["descriptor"]["name"]
                in_stock = item["quantity"]["available"]["count"] != "0"
                if in_stock and (
                    not wanted or wanted == item["id"] or wanted.lower() in name.lower()
                ):
                    return provider, item
        raise OrderFailed(f"no item in stock matches {wanted!r}")

    # -- paying the seller: RSF 1.0 receiver_recon ----------------------------------------------
    @staticmethod
    def _paise(value: Decimal) -> Decimal:
        return value.quantize(PAISE, ROUND_HALF_UP)

    def recon_order(
        self,
        order_id: str,
        placed: dict[str, Any],
        *,
        settlement_id: str,
        reference: str,
        gst_percent: Decimal,
        faults: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """One order of the order book: what the buyer app collected, the finder fee it kept,
        the TCS and TDS it withheld, and the NEFT that paid the seller the rest."""
        template = json.loads(RECEIVER_RECON.read_text())["message"]["orderbook"]["orders"][0]
        entry = copy.deepcopy(template)
        order = placed["order"]
        collected = Decimal(str(order["quote"]["price"]["value"]))
        fee_percent = Decimal(FINDER_FEE["@ondc/org/buyer_app_finder_fee_amount"])
        if "fee_above" in faults:
            fee_percent *= 2
        taxable = collected * 100 / (100 + gst_percent)
        tcs_percent = OLD_TCS_PERCENT if "old_tcs_rate" in faults else TCS_PERCENT
        fee = self._paise(collected * fee_percent / 100)
        tcs = self._paise(taxable * tcs_percent / 100)
        tds = self._paise(taxable * TDS_PERCENT / 100)
        paid = collected - fee - tcs - tds
        if "short_paid" in faults:
            paid -= Decimal("50.00")
        # Paid a moment before the message that says so: ONDC's utility wants the message's
        # timestamp after the order's updated_at.
        now = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        payment = entry["payment"]
        payment["params"].update(
            transaction_id=f"pay-{order_id}", amount=f"{collected:.2f}", currency="INR"
        )
        payment.update(FINDER_FEE)
        detail = payment["@ondc/org/settlement_details"][0]
        terms = (order.get("payment") or {}).get("@ondc/org/settlement_details") or [{}]
        detail.update(
            {key: value for key, value in terms[0].items() if key in detail and value},
            settlement_amount=f"{paid:.2f}",
            settlement_reference=reference,
            settlement_timestamp=now,
        )
        provider = order.get("provider") or {}
        entry.update(
            id=order_id,
            invoice_no=f"INV-{order_id}",
            collector_app_id=self.signer.subscriber_id,
            receiver_app_id=placed["node"],
            provider={
                "name": {"name": "Seller", "code": str(provider.get("id", ""))},
                "address": entry["provider"]["address"],
            },
            transaction_id=placed["transaction_id"],
            settlement_id=settlement_id,
            settlement_reference_no=reference,
            withholding_tax_gst={"currency": "INR", "value": f"{tcs:.2f}"},
            withholding_tax_tds={"currency": "INR", "value": f"{tds:.2f}"},
            deduction_by_collector={"currency": "INR", "value": f"{fee:.2f}"},
            created_at=order.get("created_at") or now,
            updated_at=now,
        )
        return entry

    def settle(
        self,
        node: str,
        order_ids: list[str] | None = None,
        *,
        faults: tuple[str, ...] = (),
        gst_percent: str = "5",
        authorization: str | None = None,
    ) -> tuple[httpx.Response, dict[str, Any]]:
        """Pay `node` for orders the buyer app placed there and send it the signed
        `receiver_recon` saying so; the node's answer and the body sent."""
        with self.lock:
            chosen = {
                order_id: placed
                for order_id, placed in self.placed.items()
                if placed["node"] == node and (order_ids is None or order_id in order_ids)
            }
        key = "|".join(sorted(chosen))
        settlement_id = "SET-" + hashlib.sha256(key.encode()).hexdigest()[:12].upper()
        reference = "UTR" + str(int(hashlib.sha256(key.encode()).hexdigest()[:12], 16))[:13]
        orders = [
            self.recon_order(
                order_id,
                placed,
                settlement_id=settlement_id,
                reference=reference,
                gst_percent=Decimal(gst_percent),
                faults=faults,
            )
            for order_id, placed in chosen.items()
        ]
        if "unknown_order" in faults:
            stranger = {
                "node": node,
                "transaction_id": str(uuid.uuid4()),
                "order": {
                    "quote": {"price": {"currency": "INR", "value": "499.00"}},
                    "provider": {"id": "P-UNKNOWN"},
                },
            }
            orders.append(
                self.recon_order(
                    "ORD-NOT-OURS-1",
                    stranger,
                    settlement_id=settlement_id,
                    reference=reference,
                    gst_percent=Decimal(gst_percent),
                )
            )
        template = json.loads(RECEIVER_RECON.read_text())
        city = next((placed["city"] for placed in chosen.values()), "std:0551")
        context = self.context(
            "receiver_recon",
            node,
            domain=template["context"]["domain"],
            core_version=template["context"]["core_version"],
            city=city,
            transaction_id=str(uuid.uuid4()),
            ttl=template["context"]["ttl"],
        )
        data = {"context": context, "message": {"orderbook": {"orders": orders}}}
        body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
        return self.post(node, "receiver_recon", body, authorization=authorization), data

    # -- control -------------------------------------------------------------------------------
    def control(self, request: Request) -> Response:
        if request.path == "/_fake/sites" and request.method == "POST":
            data = request.json()
            with self.lock:
                self.sites[str(data["subscriber_id"])] = str(data["url"]).rstrip("/")
            return Response(200, self.sites)
        if request.path == "/_fake/search" and request.method == "POST":
            return self._search(request.json() or {})
        if request.path == "/_fake/order" and request.method == "POST":
            return self._order(request.json() or {})
        if request.path == "/_fake/settle" and request.method == "POST":
            return self._settle(request.json() or {})
        return super().control(request)

    def _search(self, data: dict[str, Any]) -> Response:
        message = {"intent": {"payment": FINDER_FEE}}
        context = {"domain": data.get("domain", "ONDC:RET16"), "city": data.get("city", "std:0551")}
        nodes = [data["bpp_id"]] if data.get("bpp_id") else list(self.sites)
        answers = {}
        for node in nodes:
            bpp_id = node if data.get("bpp_id") else None
            body = self.body("search", bpp_id, message, **context)
            try:
                answer = self.post(node, "search", body, gateway=bpp_id is None)
                answers[node] = {"status": answer.status_code, "body": answer.json()}
            except (httpx.HTTPError, ValueError) as exc:
                answers[node] = {"status": 0, "body": str(exc)}
        return Response(200, answers)

    def _order(self, data: dict[str, Any]) -> Response:
        node = str(data.get("bpp_id") or next(iter(self.sites), ""))
        try:
            placed = self.buy(
                node,
                domain=str(data.get("domain", "ONDC:RET16")),
                city=str(data.get("city", "std:0551")),
                item=str(data.get("item", "")),
                count=int(data.get("count", 1)),
            )
        except (OrderFailed, httpx.HTTPError) as exc:
            return Response(409, {"error": str(exc)})
        order = placed["on_confirm"]["message"]["order"]
        return Response(
            200,
            {
                "transaction_id": placed["transaction_id"],
                "order_id": order["id"],
                "state": order["state"],
                "total": order["quote"]["price"]["value"],
            },
        )

    def _settle(self, data: dict[str, Any]) -> Response:
        node = str(data.get("bpp_id") or next(iter(self.sites), ""))
        faults = tuple(str(fault) for fault in data.get("faults") or ())
        unknown = [fault for fault in faults if fault not in SETTLE_FAULTS]
        if unknown:
            return Response(400, {"error": f"unknown faults {unknown}; known: {SETTLE_FAULTS}"})
        order_ids = data.get("order_ids")
        try:
            answer, sent = self.settle(
                node,
                [str(order_id) for order_id in order_ids] if order_ids else None,
                faults=faults,
                gst_percent=str(data.get("gst_percent", "5")),
            )
            body = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            return Response(502, {"error": str(exc)})
        return Response(
            200,
            {
                "status": answer.status_code,
                "body": body,
                "message_id": sent["context"]["message_id"],
                "orders": [order["id"] for order in sent["message"]["orderbook"]["orders"]],
            },
        )
