"""Talking to eBay: the OAuth user token, one call with our error handling, and eBay's error
bodies mapped to our fields.

eBay's REST APIs take a user access token (`Authorization: Bearer`), minted from the seller's
refresh token with the app's client id and secret (HTTP Basic) and valid for about two hours. We
keep it in memory per account and credentials; if eBay answers 401 anyway (revoked, or the server
forgot it) the token is fetched again once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import httpx
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from niryat.channels.base import ChannelError, FieldError
from niryat.core.http import HttpError, TokenCache, new_client, send

TOKEN_PATH = "/identity/v1/oauth2/token"  # noqa: S105 (a path)
SCOPES = " ".join(
    f"https://api.ebay.com/oauth/api_scope/{scope}"
    for scope in ("sell.inventory", "sell.account", "sell.fulfillment")
)
tokens = TokenCache(margin=60)


def forget_tokens() -> None:
    tokens.clear()


class EbayApi:
    """One account's calls to eBay, over one HTTP client."""

    def __init__(
        self,
        account_pk: int | None,
        credentials: dict[str, str],
        client: httpx.Client,
        scopes: str = SCOPES,
    ):
        self.credentials = credentials
        self.client = client
        # A token is asked for with these scopes only (the Finances API's token asks for
        # sell.finances alone, so the listing calls never depend on the seller granting it).
        self.scopes = scopes
        self.key = tokens.key(
            account_pk, str(client.base_url), scopes, *sorted(credentials.items())
        )

    def token(self, *, fresh: bool = False) -> str:
        cached = None if fresh else tokens.get(self.key)
        if cached:
            return cached
        try:
            response = send(
                self.client,
                "POST",
                TOKEN_PATH,
                auth=(
                    self.credentials.get("client_id", ""),
                    self.credentials.get("client_secret", ""),
                ),
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": self.credentials.get("refresh_token", ""),
                    "scope": self.scopes,
                },
            )
        except HttpError as exc:
            raise _token_error(exc) from exc
        data = response.json()
        token = str(data["access_token"])
        tokens.put(self.key, token, float(data.get("expires_in", 7200)))
        return token

    def call(
        self, method: str, path: str, *, scheme: str = "Bearer", **options: Any
    ) -> httpx.Response:
        """One API call with the user token; raise ChannelError (with eBay's field errors mapped)
        when it fails."""
        headers = dict(options.pop("headers", {}))
        for attempt in (1, 2):
            headers["Authorization"] = f"{scheme} {self.token(fresh=attempt == 2)}"
            try:
                return send(self.client, method, path, headers=headers, **options)
            except HttpError as exc:
                if exc.status == 401 and attempt == 1:
                    continue
                raise channel_error(exc) from exc
        raise AssertionError("unreachable")


@contextmanager
def connect(account_pk: int | None, credentials: dict[str, str]) -> Iterator[EbayApi]:
    with new_client(settings.CHANNEL_ENDPOINTS["ebay"]) as client:
        yield EbayApi(account_pk, credentials, client)


def _token_error(exc: HttpError) -> ChannelError:
    body = exc.body if isinstance(exc.body, dict) else {}
    code = str(body.get("error", ""))
    if code == "invalid_client":
        message = _("eBay refused the app's client id or secret: check them in the account.")
    elif code == "invalid_grant":
        message = _("eBay refused the refresh token: connect the eBay account again.")
    else:
        message = _("eBay did not give an access token.")
    return ChannelError(
        f"{message} ({exc})",
        permanent=exc.permanent,
        retry_after=exc.retry_after,
        status=exc.status,
    )


def errors_of(body: Any) -> list[dict[str, Any]]:
    """eBay's errors list: {"errors": [{"errorId", "domain", "category", "message", ...}]}."""
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        return [error for error in body["errors"] if isinstance(error, dict)]
    return []


def channel_error(exc: HttpError) -> ChannelError:
    errors = field_errors(exc.body)
    text = "; ".join(f"{error.code} {error.message}" for error in errors) or str(exc.body)[:300]
    return ChannelError(
        f"{exc}: {text}",
        permanent=exc.permanent,
        retry_after=exc.retry_after,
        field_errors=errors,
        status=exc.status,
    )


# errorId → our field, for the Inventory API's errors that name their cause by number.
FIELD_BY_ERROR_ID = {
    "25003": "price",
    "25004": "stock",
    "25005": "category",
    "25007": "account",
    "25008": "account",
    "25009": "account",
    "25012": "account",
    "25014": "images",
    "25015": "images",
    "25020": "weight_g",
}
# Words in eBay's text → our field, for the generic "user error" ids (25002, 25016, 25017...).
FIELD_BY_WORD = (
    ("title", "title_en"),
    ("price", "price"),
    ("picture", "images"),
    ("image", "images"),
    ("quantity", "stock"),
    ("weight", "weight_g"),
    ("dimension", "length_cm"),
    ("description", "description_en"),
    ("category", "category"),
    ("policy", "account"),
    ("location", "account"),
)
# Item specifics (aspects) by eBay's name → our field.
FIELD_BY_ASPECT = {
    "brand": "attributes.brand",
    "material": "material",
    "color": "colour",
    "colour": "colour",
    "size": "size",
    "department": "attributes.department",
    "handmade": "handmade",
    "country/region of manufacture": "country_of_origin",
}
EXPLANATIONS: dict[str, StrOrPromise] = {
    "title_en": _("Shorten or correct the English title (eBay: at most 80 characters)."),
    "price": _("Check the price and the exchange rate."),
    "images": _("Check the product photos."),
    "stock": _("Check the stock."),
    "weight_g": _("Check the packed weight and the package dimensions."),
    "length_cm": _("Check the package dimensions."),
    "description_en": _("Check the English description."),
    "category": _("Staff should set an eBay category id in the account's settings."),
    "account": _(
        "The eBay account's business policies or inventory location are missing or wrong: "
        "staff fix them in eBay and in the account's settings."
    ),
}
ASPECT_EXPLANATION = _("Fill in this item specific that eBay asks for.")


def _aspect_field(error: dict[str, Any]) -> str:
    for parameter in error.get("parameters") or []:
        if not isinstance(parameter, dict):
            continue
        name = str(parameter.get("name", "")).lower()
        value = str(parameter.get("value", ""))
        if "aspect" in name or "itemspecific" in name.replace(" ", ""):
            return FIELD_BY_ASPECT.get(value.lower(), f"attributes.{value.lower()}")
    text = f"{error.get('message', '')} {error.get('longMessage', '')}".lower()
    if "item specific" in text or "aspect" in text:
        for aspect, field in FIELD_BY_ASPECT.items():
            if aspect in text:
                return field
        return "attributes"
    return ""


def our_field(error: dict[str, Any]) -> str:
    """The field of ours that an eBay error is about ("" when we cannot tell)."""
    aspect = _aspect_field(error)
    if aspect:
        return aspect
    by_id = FIELD_BY_ERROR_ID.get(str(error.get("errorId", "")))
    if by_id:
        return by_id
    names = " ".join(
        f"{parameter.get('name', '')} {parameter.get('value', '')}"
        for parameter in error.get("parameters") or []
        if isinstance(parameter, dict)
    )
    text = f"{names} {error.get('message', '')} {error.get('longMessage', '')}".lower()
    for word, field in FIELD_BY_WORD:
        if word in text:
            return field
    return ""


def field_errors(body: Any) -> list[FieldError]:
    found = []
    for error in errors_of(body):
        field = our_field(error)
        explanation: StrOrPromise = (
            ASPECT_EXPLANATION
            if field.startswith("attributes") or field in FIELD_BY_ASPECT.values()
            else EXPLANATIONS.get(field, "")
        )
        found.append(
            FieldError(
                field=field,
                code=str(error.get("errorId", "")),
                message=str(error.get("longMessage") or error.get("message") or ""),
                # Lazily translated: shown in the reader's language.
                explanation=cast("str", explanation),
            )
        )
    return found
