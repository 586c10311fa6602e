"""Talking to Flipkart: the OAuth2 client-credentials token, one call with our error handling, and
Flipkart's listing errors mapped to our fields.

The Marketplace Seller API v3 takes a bearer token that the seller's own application (id and
secret, HTTP Basic) gets from `/oauth-service/oauth/token?grant_type=client_credentials&scope=
Seller_Api`; it lives for about 60 days (`expires_in`). We keep it in memory per account and
credentials; if Flipkart answers 401 anyway (revoked, or the server forgot it) the token is
fetched again once. The seller APIs live under `/sellers` on the same host.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import httpx
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from niryat.channels.base import ChannelError, FieldError
from niryat.core.http import HttpError, TokenCache, new_client, send

TOKEN_PATH = "/oauth-service/oauth/token"  # noqa: S105 - a path, not a secret
API_PREFIX = "/sellers"
tokens = TokenCache(margin=300)


def forget_tokens() -> None:
    tokens.clear()


class FlipkartApi:
    """One account's calls to Flipkart, over one HTTP client."""

    def __init__(self, account_pk: int | None, credentials: dict[str, str], client: httpx.Client):
        self.credentials = credentials
        self.client = client
        self.key = tokens.key(account_pk, str(client.base_url), *sorted(credentials.items()))

    def token(self, *, fresh: bool = False) -> str:
        cached = None if fresh else tokens.get(self.key)
        if cached:
            return cached
        try:
            response = send(
                self.client,
                "GET",
                TOKEN_PATH,
                params={"grant_type": "client_credentials", "scope": "Seller_Api"},
                auth=(
                    self.credentials.get("application_id", ""),
                    self.credentials.get("application_secret", ""),
                ),
                headers={"Accept": "application/json"},
            )
        except HttpError as exc:
            raise _token_error(exc) from exc
        data = response.json()
        token = str(data["access_token"])
        tokens.put(self.key, token, float(data.get("expires_in", 3600)))
        return token

    def call(self, method: str, path: str, **options: Any) -> Any:
        """One seller API call (`path` below /sellers) with the bearer token; returns the parsed
        JSON body. Raises HttpError for transient faults (the outbox retries them) and
        ChannelError for the rest."""
        headers = dict(options.pop("headers", {}))
        for attempt in (1, 2):
            headers["Authorization"] = f"Bearer {self.token(fresh=attempt == 2)}"
            try:
                response = send(self.client, method, API_PREFIX + path, headers=headers, **options)
            except HttpError as exc:
                if exc.status == 401 and attempt == 1:
                    continue
                if not exc.permanent:
                    raise
                raise channel_error(exc) from exc
            return response.json() if response.content else {}
        raise AssertionError("unreachable")


@contextmanager
def connect(account_pk: int | None, credentials: dict[str, str]) -> Iterator[FlipkartApi]:
    with new_client(settings.CHANNEL_ENDPOINTS["flipkart"]) as client:
        yield FlipkartApi(account_pk, credentials, client)


def _token_error(exc: HttpError) -> ChannelError | HttpError:
    if not exc.permanent:
        return exc
    body = exc.body if isinstance(exc.body, dict) else {}
    if exc.status == 401 or body.get("error") in ("invalid_client", "unauthorized"):
        message = _("Flipkart refused the application id or secret: check them in the account.")
    else:
        message = _("Flipkart did not give an access token.")
    return ChannelError(f"{message} ({exc})", permanent=True, status=exc.status)


def channel_error(exc: HttpError) -> ChannelError:
    """A permanent HTTP failure: Flipkart's errors, mapped to our fields where it names them."""
    errors = field_errors(exc.body)
    text = "; ".join(f"{error.code} {error.message}" for error in errors) or str(exc.body)[:300]
    return ChannelError(f"{exc}: {text}", permanent=True, field_errors=errors, status=exc.status)


# Listing attributes, as Flipkart names them in `attribute_errors` (`attribute`, or the last part
# of `path`), → our field.
FIELD_BY_ATTRIBUTE = {
    "product_id": "",
    "mrp": "mrp",
    "selling_price": "price",
    "price": "price",
    "hsn": "hs_code",
    "tax_code": "gst_rate",
    "goods_services_rate": "gst_rate",
    "dispatch_sla": "lead_time_days",
    "procurement_type": "made_to_order",
    "inventory": "stock",
    "weight": "weight_g",
    "length": "length_cm",
    "breadth": "width_cm",
    "height": "height_cm",
    "dimensions": "length_cm",
}
EXPLANATIONS = {
    "": _("Check the FSN recorded for this listing: it must be the one Flipkart gave."),
    "mrp": _("Check the MRP (whole rupees)."),
    "price": _("Check the selling price: whole rupees, not above the MRP."),
    "hs_code": _("Check the HS (HSN) code."),
    "gst_rate": _("Check the GST rate."),
    "lead_time_days": _("Check the lead time in days."),
    "made_to_order": _("Check whether the product is made to order."),
    "stock": _("Check the stock."),
    "weight_g": _("Check the packed weight."),
    "length_cm": _("Check the package dimensions."),
    "width_cm": _("Check the package dimensions."),
    "height_cm": _("Check the package dimensions."),
}


def _field_for(error: dict[str, Any]) -> str:
    name = str(error.get("attribute") or "")
    if not name and error.get("path"):
        name = str(error["path"]).replace("/", ".").strip(".").split(".")[-1]
    return FIELD_BY_ATTRIBUTE.get(name, f"attributes.{name}" if name else "")


def field_errors(body: Any) -> list[FieldError]:
    """Flipkart's errors for one SKU (`{"status", "errors", "attribute_errors"}`), or a generic
    error body (`{"errors": [...]}`), as our FieldErrors. Warnings are left out."""
    if not isinstance(body, dict):
        return []
    entries = [
        *(body.get("errors") or []),
        *(body.get("attribute_errors") or []),
    ]
    found = []
    for error in entries:
        if not isinstance(error, dict) or error.get("severity", "ERROR") != "ERROR":
            continue
        field = _field_for(error)
        found.append(
            FieldError(
                field=field,
                code=str(error.get("code", "")),
                message=str(error.get("description") or error.get("message") or ""),
                explanation=cast("str", EXPLANATIONS.get(field, "")),
            )
        )
    return found
