"""ONDC message signing and verification, and the registry's on_subscribe challenge.

As ONDC's signing document describes it (shared/ONDC_FACTS.md §3): the BLAKE2b-512 digest of the
exact body bytes, a three-line signing string, an Ed25519 signature with the libsodium 64-byte
secret key, all carried in a `Signature keyId=...` header. The same bytes are signed and sent,
and a received body is verified as it arrived, never after parsing and re-serialising.

Built on `cryptography` (already pinned for the marketplace secrets) rather than PyNaCl: it holds
Ed25519, X25519 and AES, and reproduces ONDC's published test vectors byte for byte.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# ONDC's default: a signature is valid for an hour after it was made.
DEFAULT_VALIDITY = 3600

# How far a sender's clock may run ahead of ours before `created` counts as in the future.
CLOCK_SKEW = 60


class SignatureError(Exception):
    """The header is missing, malformed, expired or does not match the body (ONDC code 30016)."""


@dataclass(frozen=True)
class SigningKeys:
    """A participant's Ed25519 signing key pair, in ONDC's formats (base64 of raw bytes)."""

    private_key: str  # the libsodium 64-byte secret: 32-byte seed followed by the public key
    public_key: str

    @classmethod
    def generate(cls) -> SigningKeys:
        private = Ed25519PrivateKey.generate()
        seed = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        public = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return cls(_b64(seed + public), _b64(public))


@dataclass(frozen=True)
class EncryptionKeys:
    """A participant's X25519 key pair, in ONDC's formats (base64 DER: PKCS#8 and SPKI)."""

    private_key: str
    public_key: str

    @classmethod
    def generate(cls) -> EncryptionKeys:
        private = X25519PrivateKey.generate()
        return cls(
            _b64(
                private.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
            _b64(
                private.public_key().public_bytes(
                    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
                )
            ),
        )


@dataclass(frozen=True)
class ParsedHeader:
    subscriber_id: str
    unique_key_id: str
    created: int
    expires: int
    signature: str


def digest(body: bytes) -> str:
    """base64 of the BLAKE2b-512 digest of the body's exact bytes."""
    return _b64(hashlib.blake2b(body, digest_size=64).digest())


def signing_string(body: bytes, created: int, expires: int) -> bytes:
    # One space after each colon: only this form reproduces the published test vector.
    return (
        f"(created): {created}\n(expires): {expires}\ndigest: BLAKE-512={digest(body)}"
    ).encode()


def sign(body: bytes, private_key: str, created: int, expires: int) -> str:
    """The base64 Ed25519 signature of the body's signing string."""
    return _b64(_private_key(private_key).sign(signing_string(body, created, expires)))


def authorization_header(
    body: bytes,
    *,
    subscriber_id: str,
    unique_key_id: str,
    private_key: str,
    created: int | None = None,
    validity: int = DEFAULT_VALIDITY,
) -> str:
    """The `Authorization` header value for sending `body` (the same bytes must be sent)."""
    created = int(time.time()) if created is None else created
    expires = created + validity
    signature = sign(body, private_key, created, expires)
    return (
        f'Signature keyId="{subscriber_id}|{unique_key_id}|ed25519",algorithm="ed25519",'
        f'created="{created}",expires="{expires}",headers="(created) (expires) digest",'
        f'signature="{signature}"'
    )


_PARAM = re.compile(r'(\w+)="([^"]*)"')


def parse_header(header: str) -> ParsedHeader:
    """The parts of a `Signature keyId=...` header; SignatureError when it is not one."""
    if not header.startswith("Signature "):
        raise SignatureError("The authorization header is not an ONDC signature.")
    params = dict(_PARAM.findall(header))
    try:
        subscriber_id, unique_key_id, algorithm = params["keyId"].rsplit("|", 2)
        created, expires = int(params["created"]), int(params["expires"])
        signature = params["signature"]
    except (KeyError, ValueError) as exc:
        raise SignatureError(
            "The authorization header lacks keyId, created, expires or signature."
        ) from exc
    if algorithm != "ed25519" or params.get("algorithm", "ed25519") != "ed25519":
        raise SignatureError("Only ed25519 signatures are accepted.")
    return ParsedHeader(subscriber_id, unique_key_id, created, expires, signature)


def verify(body: bytes, header: str, public_key: str, *, now: int | None = None) -> ParsedHeader:
    """Check a received body against its header with the sender's public key; the header's parts
    when it holds, SignatureError (tampered, expired, not yet valid, malformed) when not."""
    parsed = parse_header(header)
    now = int(time.time()) if now is None else now
    if parsed.expires < now:
        raise SignatureError("The signature has expired.")
    if parsed.created > now + CLOCK_SKEW or parsed.created > parsed.expires:
        raise SignatureError("The signature was made in the future.")
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(
            base64.b64decode(parsed.signature, validate=True),
            signing_string(body, parsed.created, parsed.expires),
        )
    except (InvalidSignature, ValueError, binascii.Error) as exc:
        raise SignatureError("The signature does not match the body.") from exc
    return parsed


def sign_plain(text: str, private_key: str) -> str:
    """The text signed as it is, unhashed: the site-verification page's request_id."""
    return _b64(_private_key(private_key).sign(text.encode()))


def decrypt_challenge(challenge: str, encryption_private_key: str, registry_public_key: str) -> str:
    """The registry's on_subscribe challenge, decrypted: AES-256-ECB under the X25519 shared key,
    PKCS#7 padding (ONDC_FACTS.md §3.4; ECB is ONDC's choice, not ours)."""
    private = serialization.load_der_private_key(base64.b64decode(encryption_private_key), None)
    public = serialization.load_der_public_key(base64.b64decode(registry_public_key))
    if not isinstance(private, X25519PrivateKey) or not isinstance(public, X25519PublicKey):
        raise ValueError("ONDC encryption keys are X25519 keys.")
    shared = private.exchange(public)
    decryptor = Cipher(algorithms.AES(shared), modes.ECB()).decryptor()  # noqa: S305
    padded = decryptor.update(base64.b64decode(challenge)) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(padded) + unpadder.finalize()).decode()


def encrypt_challenge(text: str, encryption_private_key: str, peer_public_key: str) -> str:
    """The registry's side of `decrypt_challenge`, for the fake registry and tests."""
    private = serialization.load_der_private_key(base64.b64decode(encryption_private_key), None)
    public = serialization.load_der_public_key(base64.b64decode(peer_public_key))
    if not isinstance(private, X25519PrivateKey) or not isinstance(public, X25519PublicKey):
        raise ValueError("ONDC encryption keys are X25519 keys.")
    padder = padding.PKCS7(128).padder()
    padded = padder.update(text.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(private.exchange(public)), modes.ECB()).encryptor()  # noqa: S305
    return _b64(encryptor.update(padded) + encryptor.finalize())


def _private_key(private_key: str) -> Ed25519PrivateKey:
    # ONDC keys are libsodium's 64-byte secret (seed + public key); a bare 32-byte seed works too.
    raw = base64.b64decode(private_key)
    return Ed25519PrivateKey.from_private_bytes(raw[:32])


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
