"""Outgoing HTTP: the one wrapper every marketplace client uses (httpx).

It sets a timeout on every call and turns what went wrong into an `HttpError` that says whether
trying again can help: timeouts, connection failures, 408, 429 and 5xx are transient (with the
server's Retry-After, in seconds or as an HTTP date); any other 4xx is permanent and keeps the body,
so the channel can map the marketplace's field errors.
"""

from __future__ import annotations

import functools
import hashlib
import ssl
import threading
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import certifi
import httpx
from django.conf import settings

TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504}


class HttpError(Exception):
    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        permanent: bool = False,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.permanent = permanent
        self.retry_after = retry_after
        self.body = body  # the parsed JSON body, or the text


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: "120" or "Wed, 21 Oct 2026 07:28:00 GMT"; None if absent or bad."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@functools.cache
def _tls() -> ssl.SSLContext:
    # Loading the CA bundle costs ~25 ms of CPU: once per process, not once per client.
    return ssl.create_default_context(cafile=certifi.where())


def new_client(base_url: str, **options: Any) -> httpx.Client:
    """A client for one marketplace, with our timeout; close it (or use `with`) when done."""
    options.setdefault("timeout", settings.CHANNEL_HTTP_TIMEOUT)
    options.setdefault("verify", _tls())
    return httpx.Client(base_url=base_url, **options)


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def send(client: httpx.Client, method: str, url: str, **options: Any) -> httpx.Response:
    """Make one call; return the response if it succeeded (2xx), else raise HttpError."""
    try:
        response = client.request(method, url, **options)
    except httpx.TimeoutException as exc:
        raise HttpError(f"{method} {url}: timed out") from exc
    except httpx.TransportError as exc:
        raise HttpError(f"{method} {url}: {exc.__class__.__name__}: {exc}") from exc
    if response.is_success:
        return response
    status = response.status_code
    raise HttpError(
        f"{method} {url}: HTTP {status}",
        status=status,
        permanent=status not in TRANSIENT_STATUSES,
        retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        body=_body(response),
    )


class TokenCache:
    """Access tokens (OAuth2, Login with Amazon) kept in memory until shortly before they expire,
    keyed by where they come from and the credentials that got them, so that changed credentials
    never reuse an old token. One per marketplace client module."""

    def __init__(self, margin: float = 60.0) -> None:
        self.margin = margin  # seconds: a token is renewed this long before it expires
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(*parts: object) -> str:
        return hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()

    def get(self, key: str) -> str | None:
        with self._lock:
            cached = self._tokens.get(key)
        return cached[0] if cached and cached[1] > time.monotonic() else None

    def put(self, key: str, token: str, expires_in: float) -> None:
        with self._lock:
            self._tokens[key] = (token, time.monotonic() + expires_in - self.margin)

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()
