"""A fake ONDC registry: `/subscribe` and the signed `/v2.0/lookup`, as ONDC's onboarding document
describes them (shared/ONDC_FACTS.md §3.4).

`/subscribe` does what the real registry does before it answers: it fetches the subscriber's
`/ondc-site-verification.html` and checks the signed request_id against the signing key being
registered, then POSTs an encrypted challenge to `<callback_url>/on_subscribe` and compares the
answer. Subscribers are reached at the address given by `POST /_fake/sites {"subscriber_id":
"edc.example", "url": "http://127.0.0.1:8000"}` (the Host header still names the subscriber id, as
DNS would). `POST /_fake/participants` adds a participant (a buyer app, fakes/ondc_bap.py, and its
gateway) directly; `GET /_fake/encryption_key` gives the registry's public encryption key.

Its own code for signatures and the challenge, not Niryat's: a fake that shared our code would
agree with our mistakes.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from fakes.base import FakeMarketplace, Request, Response, route

_PARAM = re.compile(r'(\w+)="([^"]*)"')


def _nack(code: str, message: str, status: int = 200) -> Response:
    return Response(
        status,
        {"message": {"ack": {"status": "NACK"}}, "error": {"code": code, "message": message}},
    )


def _verify_ed25519(public_key: str, signature: str, message: bytes) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
        key.verify(base64.b64decode(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


class FakeOndcRegistry(FakeMarketplace):
    name = "ondc-registry"

    def reset_state(self) -> None:
        self.encryption_key = X25519PrivateKey.generate()
        self.participants: list[dict[str, Any]] = []
        self.sites: dict[str, str] = {}

    @property
    def encryption_public_key(self) -> str:
        """What Niryat's ONDC_REGISTRY_ENCRYPTION_KEY must be set to."""
        der = self.encryption_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def state(self) -> dict[str, Any]:
        return {"participants": self.participants, "sites": self.sites}

    def add_participant(self, participant: dict[str, Any]) -> None:
        """Add, or replace, the participant's entry for its key and domain."""
        key = [participant.get(k) for k in ("subscriber_id", "ukId", "domain")]
        with self.lock:
            self.participants = [
                p
                for p in self.participants
                if [p.get(k) for k in ("subscriber_id", "ukId", "domain")] != key
            ]
            self.participants.append({"status": "SUBSCRIBED", "country": "IND", **participant})

    def control(self, request: Request) -> Response:
        if request.path == "/_fake/sites" and request.method == "POST":
            data = request.json()
            with self.lock:
                self.sites[str(data["subscriber_id"])] = str(data["url"]).rstrip("/")
            return Response(200, self.sites)
        if request.path == "/_fake/encryption_key" and request.method == "GET":
            # What ONDC_REGISTRY_ENCRYPTION_KEY must be (`make run` reads it here).
            return Response(200, self.encryption_public_key.encode(), content_type="text/plain")
        if request.path == "/_fake/participants" and request.method == "POST":
            self.add_participant(request.json())
            return Response(201, {})
        return super().control(request)

    # -- /subscribe ------------------------------------------------------------------------------
    @route("POST", "/subscribe")
    def subscribe(self, request: Request) -> Response:
        try:
            message = request.json()["message"]
            entity = message["entity"]
            subscriber_id = str(entity["subscriber_id"])
            keys = entity["key_pair"]
            callback = str(entity["callback_url"]).rstrip("/")
        except (KeyError, TypeError, ValueError):
            return _nack("1050", "The request does not follow the subscribe schema.", 400)
        with self.lock:
            base = self.sites.get(subscriber_id, f"https://{subscriber_id}")
        headers = {"Host": subscriber_id}
        try:
            page = httpx.get(f"{base}/ondc-site-verification.html", headers=headers, timeout=10)
        except httpx.HTTPError:
            return _nack("1052", "The site-verification page could not be fetched.")
        found = re.search(
            r"name=['\"]ondc-site-verification['\"]\s+content=['\"]([^'\"]+)", page.text
        )
        if page.status_code != 200 or not found:
            return _nack("1052", "The site-verification page has no ondc-site-verification tag.")
        request_id = str(message["request_id"]).encode()
        if not _verify_ed25519(keys["signing_public_key"], found[1], request_id):
            return _nack("1053", "The signed request_id does not verify with the signing key.")
        challenge = secrets.token_urlsafe(24)
        try:
            answered = httpx.post(
                f"{base}{callback}/on_subscribe",
                json={"subscriber_id": subscriber_id, "challenge": self._encrypt(challenge, keys)},
                headers=headers,
                timeout=10,
            )
            answer = answered.json().get("answer")
        except (httpx.HTTPError, ValueError, AttributeError):
            answer = None
        if answer != challenge:
            return _nack("1054", "The on_subscribe answer does not match the challenge.")
        with self.lock:
            self.participants = [
                p for p in self.participants if p["subscriber_id"] != subscriber_id
            ] + [
                {
                    "subscriber_id": subscriber_id,
                    "ukId": entity["unique_key_id"],
                    "subscriber_url": f"https://{subscriber_id}{participant['subscriber_url']}",
                    "domain": participant["domain"],
                    "type": participant["type"],
                    "city": participant.get("city_code", []),
                    "country": entity.get("country", "IND"),
                    "signing_public_key": keys["signing_public_key"],
                    "encr_public_key": keys["encryption_public_key"],
                    "valid_from": keys["valid_from"],
                    "valid_until": keys["valid_until"],
                    "status": "SUBSCRIBED",
                }
                for participant in message.get("network_participant", [])
            ]
        return Response(200, {"message": {"ack": {"status": "ACK"}}, "error": None})

    def _encrypt(self, text: str, keys: dict[str, Any]) -> str:
        public = serialization.load_der_public_key(base64.b64decode(keys["encryption_public_key"]))
        assert isinstance(public, X25519PublicKey)
        shared = self.encryption_key.exchange(public)
        padder = padding.PKCS7(128).padder()
        padded = padder.update(text.encode()) + padder.finalize()
        encryptor = Cipher(algorithms.AES(shared), modes.ECB()).encryptor()  # noqa: S305
        return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()

    # -- /v2.0/lookup --------------------------------------------------------------------------
    @route("POST", "/v2.0/lookup")
    def lookup(self, request: Request) -> Response:
        header = request.headers.get("authorization", "")
        if not header:
            return _nack("1020", "The auth header not found", 401)
        if not self._signed_by_participant(header, request.body):
            return _nack("1015", "The auth header does not verify.", 401)
        wanted = request.json() or {}
        fields = {"subscriber_id", "ukId", "domain", "type", "country"}
        with self.lock:
            found = [
                p
                for p in self.participants
                if all(p.get(name) == wanted[name] for name in fields & wanted.keys())
            ]
        return Response(200, found)

    def _signed_by_participant(self, header: str, body: bytes) -> bool:
        params = dict(_PARAM.findall(header))
        try:
            subscriber_id, key_id, _algorithm = params["keyId"].split("|")
            created, expires = params["created"], params["expires"]
            if int(expires) < time.time():
                return False
        except (KeyError, ValueError):
            return False
        with self.lock:
            keys = [
                p["signing_public_key"]
                for p in self.participants
                if p["subscriber_id"] == subscriber_id and p["ukId"] == key_id
            ]
        digest = base64.b64encode(hashlib.blake2b(body, digest_size=64).digest()).decode()
        signed = f"(created): {created}\n(expires): {expires}\ndigest: BLAKE-512={digest}"
        return any(
            _verify_ed25519(key, params.get("signature", ""), signed.encode()) for key in keys[:1]
        )
