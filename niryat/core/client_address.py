"""The address a request came from, as the trusted proxy in front of the site saw it.

Behind nginx every request's REMOTE_ADDR is nginx's own; the real client is in a header that
nginx sets (README, "Deploying"). Only that one configured header is trusted: any other could be
typed by the client itself to dodge a lockout or to lock someone else out.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def meta_key(header: str) -> str:
    """`X-Real-IP` -> `HTTP_X_REAL_IP`, the name Django gives a request header in META."""
    return "HTTP_" + header.strip().upper().replace("-", "_")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: from settings.TRUSTED_PROXY_HEADER when set, else REMOTE_ADDR.

    A list such as X-Forwarded-For's gives its last entry, the one our own proxy appended; the
    entries before it came from the client and prove nothing.
    """
    remote = request.META.get("REMOTE_ADDR")
    header = settings.TRUSTED_PROXY_HEADER
    if not header:
        return remote
    entries = [item.strip() for item in request.META.get(meta_key(header), "").split(",")]
    candidate = next((item for item in reversed(entries) if item), "")
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        # No header or a malformed one: the request did not come through the proxy as configured.
        return remote
