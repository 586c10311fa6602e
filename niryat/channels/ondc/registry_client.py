"""Calls to ONDC's registry: `/subscribe` (the node joins the network) and the signed
`/v2.0/lookup` that finds a peer's public signing key, cached until the key's validity ends (at
most a day) so that verifying a buyer app's request needs no registry call.
(shared/ONDC_FACTS.md §3.4.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from django.conf import settings
from django.core.cache import cache

from niryat.channels.models import OndcNode
from niryat.channels.ondc import signing
from niryat.core.http import HttpError, new_client, send

# Seller app: ONDC's registry calls sellers "ops_no 2" (1 is a buyer app, 4 both).
SELLER_OPS_NO = 2
RETAIL_DOMAINS = ("ONDC:RET12", "ONDC:RET16")
LONGEST_KEY_CACHE = 24 * 3600


class RegistryError(Exception):
    """The registry refused or could not be reached; the message says which."""


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def subscribe_request(
    node: OndcNode, *, callback_url: str, city_codes: list[str]
) -> dict[str, Any]:
    """The `/subscribe` body for a marketplace seller node in the retail domains."""
    return {
        "context": {"operation": {"ops_no": SELLER_OPS_NO}},
        "message": {
            "request_id": str(node.request_id),
            "timestamp": _iso(datetime.now(UTC)),
            "entity": {
                "country": "IND",
                "subscriber_id": node.subscriber_id,
                "unique_key_id": node.unique_key_id,
                "callback_url": callback_url,
                "key_pair": {
                    "signing_public_key": node.signing_public_key,
                    "encryption_public_key": node.encryption_public_key,
                    "valid_from": _iso(node.keys_valid_from),
                    "valid_until": _iso(node.keys_valid_until),
                },
            },
            "network_participant": [
                {
                    "subscriber_url": callback_url,
                    "domain": domain,
                    "type": "sellerApp",
                    "msn": True,
                    "city_code": city_codes,
                }
                for domain in RETAIL_DOMAINS
            ],
        },
    }


def subscribe(node: OndcNode, *, callback_url: str, city_codes: list[str]) -> None:
    """Ask the registry to admit the node; it checks the site-verification page and sends its
    challenge to the callback before it answers. RegistryError when it does not ACK."""
    body = orjson.dumps(subscribe_request(node, callback_url=callback_url, city_codes=city_codes))
    answer = _post("/subscribe", body, headers={})
    if (answer.get("message") or {}).get("ack", {}).get("status") != "ACK":
        raise RegistryError(_error_text(answer))


@dataclass(frozen=True)
class Peer:
    """A participant's entry in the registry: its signing key and its role (buyerApp, sellerApp,
    gateway; empty when the registry does not say)."""

    signing_public_key: str
    role: str


def lookup_peer(node: OndcNode, subscriber_id: str, unique_key_id: str) -> Peer:
    """A peer's registry entry, from the cache or a signed `/v2.0/lookup`. RegistryError when the
    registry knows no such key."""
    cache_key = f"ondc:peer:{signing.digest(f'{subscriber_id}|{unique_key_id}'.encode())}"
    cached = cache.get(cache_key)
    if cached:
        return Peer(*cached)
    body = orjson.dumps({"subscriber_id": subscriber_id, "ukId": unique_key_id, "country": "IND"})
    header = signing.authorization_header(
        body,
        subscriber_id=node.subscriber_id,
        unique_key_id=node.unique_key_id,
        private_key=node.private_keys()["signing"],
    )
    found = _post("/v2.0/lookup", body, headers={"Authorization": header})
    for participant in found if isinstance(found, list) else []:
        if participant.get("subscriber_id") == subscriber_id and (
            participant.get("ukId") == unique_key_id
        ):
            peer = Peer(str(participant["signing_public_key"]), str(participant.get("type") or ""))
            cache.set(
                cache_key,
                (peer.signing_public_key, peer.role),
                _seconds_left(participant.get("valid_until")),
            )
            return peer
    raise RegistryError(f"The registry knows no key {unique_key_id} for {subscriber_id}.")


def lookup_signing_key(node: OndcNode, subscriber_id: str, unique_key_id: str) -> str:
    """A peer's signing public key (see `lookup_peer`)."""
    return lookup_peer(node, subscriber_id, unique_key_id).signing_public_key


def _seconds_left(valid_until: Any) -> int:
    try:
        until = datetime.fromisoformat(str(valid_until).replace("Z", "+00:00"))
    except ValueError:
        return 3600
    left = int((until - datetime.now(UTC)).total_seconds())
    return max(1, min(left, LONGEST_KEY_CACHE))


def _post(path: str, body: bytes, *, headers: dict[str, str]) -> Any:
    with new_client(settings.ONDC_REGISTRY_URL) as client:
        try:
            response = send(
                client,
                "POST",
                path,
                content=body,
                headers={"Content-Type": "application/json", **headers},
            )
        except HttpError as exc:
            raise RegistryError(f"{exc}: {_error_text(exc.body)}") from exc
    return response.json()


def _error_text(answer: Any) -> str:
    error = answer.get("error") if isinstance(answer, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code', '')} {error.get('message', '')}".strip()
    return str(answer)[:200]
