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
    GET  /_fake/state   the callbacks received

Its own code for signatures, not Niryat's: a fake that shared our code would agree with our
mistakes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
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

    # -- control -------------------------------------------------------------------------------
    def control(self, request: Request) -> Response:
        if request.path == "/_fake/sites" and request.method == "POST":
            data = request.json()
            with self.lock:
                self.sites[str(data["subscriber_id"])] = str(data["url"]).rstrip("/")
            return Response(200, self.sites)
        if request.path == "/_fake/search" and request.method == "POST":
            return self._search(request.json() or {})
        return super().control(request)

    def _search(self, data: dict[str, Any]) -> Response:
        message = {
            "intent": {
                "payment": {
                    "@ondc/org/buyer_app_finder_fee_type": "percent",
                    "@ondc/org/buyer_app_finder_fee_amount": "3",
                }
            }
        }
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
