"""A buyer's app (BAP) on loopback that receives a seller node's callbacks: it checks each one's
signature with its own code (not Niryat's, so it cannot agree with our mistakes) against the key it
was given, and keeps what arrived. Faults (503s) come from the shared fake machinery."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from fakes.base import FakeMarketplace, Request, Response, route

_PARAM = re.compile(r'(\w+)="([^"]*)"')


class BuyerApp(FakeMarketplace):
    name = "ondc-buyer-app"

    def reset_state(self) -> None:
        self.seller_key = ""  # the seller node's signing public key (base64)
        self.received: list[dict[str, Any]] = []  # verified callbacks, in arrival order

    def _signed(self, header: str, body: bytes) -> bool:
        params = dict(_PARAM.findall(header))
        try:
            created, expires = params["created"], params["expires"]
            if int(expires) < time.time():
                return False
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(self.seller_key))
            digest = base64.b64encode(hashlib.blake2b(body, digest_size=64).digest()).decode()
            signed = f"(created): {created}\n(expires): {expires}\ndigest: BLAKE-512={digest}"
            key.verify(base64.b64decode(params["signature"]), signed.encode())
        except (KeyError, ValueError, InvalidSignature):
            return False
        return True

    @route("POST", r"/(?P<action>on_\w+)")
    def callback(self, request: Request) -> Response:
        if not self._signed(request.headers.get("authorization", ""), request.body):
            return Response(
                401,
                {"message": {"ack": {"status": "NACK"}}, "error": {"code": "20001"}},
            )
        with self.lock:
            self.received.append({"path": request.path, **json.loads(request.body)})
        return Response(200, {"message": {"ack": {"status": "ACK"}}})
