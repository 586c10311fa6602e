"""Marketplace credentials, encrypted at rest with Fernet (cryptography) under keys from the
environment (settings.CHANNEL_SECRET_KEYS, newest first). Decryption tries every key, so a new key
can be put in front and old tokens re-encrypted (`rotate`) before the old key is dropped."""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _keys() -> MultiFernet:
    keys = list(settings.CHANNEL_SECRET_KEYS)
    if not keys:
        # Development and tests only (production refuses to start without keys): a key derived
        # from SECRET_KEY, so that `make run` works with no setup.
        digest = hashlib.sha256(f"niryat-channels:{settings.SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "CHANNEL_SECRET_KEYS: each key must be 32 bytes in URL-safe base64 "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())')."
        ) from exc


def encrypt(values: dict[str, str]) -> str:
    return _keys().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt(token: str) -> dict[str, str]:
    try:
        data: dict[str, str] = json.loads(_keys().decrypt(token.encode()))
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "Stored marketplace credentials cannot be decrypted with CHANNEL_SECRET_KEYS; "
            "was a key dropped before `manage.py rotate_channel_keys` ran?"
        ) from exc
    return data


def rotate(token: str) -> str:
    """The same secret, encrypted under the newest key."""
    return _keys().rotate(token.encode()).decode()
