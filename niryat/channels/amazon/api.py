"""Talking to the Selling Partner API: the Login with Amazon (LWA) access token, one call with
our error handling, and the pre-signed document URLs of the Feeds API.

Every SP-API call carries `x-amz-access-token`, an LWA access token minted from the seller's
refresh token with the app's client id and secret and valid for an hour. It is kept in memory per
account and credentials; if Amazon answers 403 anyway (revoked, or the server forgot it) the
token is fetched again, once. (AWS Signature V4 is no longer required by SP-API.)

Failures become `ChannelError` with Amazon's error code and message (`{"errors": [{"code",
"message", "details"}]}`), permanent or not as `niryat.core.http` decided, with Retry-After.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings

from niryat.channels.amazon.marketplaces import Marketplace
from niryat.channels.base import ChannelError
from niryat.core.http import HttpError, TokenCache, new_client, send

if TYPE_CHECKING:
    from niryat.channels.models import ChannelAccount

TOKEN_PATH = "/auth/o2/token"  # noqa: S105 (a path)
tokens = TokenCache(margin=60)


def amazon_error(exc: HttpError, what: str) -> ChannelError:
    """An HTTP failure as a ChannelError with Amazon's own code and message."""
    code, message = "", str(exc)
    body = exc.body
    if isinstance(body, dict) and body.get("errors"):
        first = body["errors"][0]
        code = str(first.get("code", ""))
        message = " ".join(str(first.get(k) or "") for k in ("message", "details")).strip()
    elif isinstance(body, dict) and body.get("error"):  # LWA's OAuth error shape
        code = str(body["error"])
        message = str(body.get("error_description", ""))
    return ChannelError(
        f"Amazon {what}: {code or exc.status or 'no answer'}: {message}",
        permanent=exc.permanent,
        retry_after=exc.retry_after,
        status=exc.status,
    )


class SellingPartnerApi:
    """One seller account on one marketplace."""

    def __init__(self, account: ChannelAccount, marketplace: Marketplace) -> None:
        self.account = account
        self.marketplace = marketplace
        self.seller_id = str(account.settings.get("seller_id", ""))
        if not self.seller_id:
            raise ChannelError("Amazon: the account has no seller id", permanent=True)

    # -- token ----------------------------------------------------------------------------------
    def token(self, *, fresh: bool = False) -> str:
        credentials = self.account.credentials()
        auth_url = str(settings.CHANNEL_ENDPOINTS["amazon_auth"]).rstrip("/")
        key = tokens.key(self.account.pk, auth_url, *sorted(credentials.items()))
        cached = None if fresh else tokens.get(key)
        if cached:
            return cached
        form = {
            "grant_type": "refresh_token",
            "refresh_token": credentials.get("refresh_token", ""),
            "client_id": credentials.get("client_id", ""),
            "client_secret": credentials.get("client_secret", ""),
        }
        try:
            with new_client(auth_url) as client:
                data = send(client, "POST", TOKEN_PATH, data=form).json()
        except HttpError as exc:
            raise amazon_error(exc, "login (LWA)") from exc
        token = str(data["access_token"])
        tokens.put(key, token, float(data.get("expires_in", 3600)))
        return token

    # -- calls ----------------------------------------------------------------------------------
    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        what: str = "",
    ) -> Any:
        """One SP-API call; the parsed JSON answer (None when empty)."""
        fresh = False
        while True:
            headers = {"x-amz-access-token": self.token(fresh=fresh), "accept": "application/json"}
            try:
                with new_client(self.marketplace.endpoint) as client:
                    response = send(client, method, path, params=params, json=json, headers=headers)
            except HttpError as exc:
                if exc.status == 403 and not fresh:
                    fresh = True  # a revoked or forgotten token: fetch a new one, once
                    continue
                raise amazon_error(exc, what or f"{method} {path}") from exc
            return response.json() if response.content else None

    def upload(self, url: str, content: bytes, content_type: str) -> None:
        """Put a feed document to the pre-signed URL Amazon gave (no SP-API token there)."""
        try:
            with new_client("") as client:
                send(client, "PUT", url, content=content, headers={"content-type": content_type})
        except HttpError as exc:
            raise amazon_error(exc, "feed upload") from exc

    def download(self, url: str) -> bytes:
        try:
            with new_client("") as client:
                return send(client, "GET", url).content
        except HttpError as exc:
            raise amazon_error(exc, "document download") from exc

    # -- the Feeds API --------------------------------------------------------------------------
    def create_feed(self, feed_type: str, content: bytes, content_type: str) -> str:
        """Create a feed document, upload to it, and create the feed; the feed id."""
        document = self.call(
            "POST",
            "/feeds/2021-06-30/documents",
            json={"contentType": content_type},
            what="createFeedDocument",
        )
        self.upload(document["url"], content, content_type)
        feed = self.call(
            "POST",
            "/feeds/2021-06-30/feeds",
            json={
                "feedType": feed_type,
                "marketplaceIds": [self.marketplace.id],
                "inputFeedDocumentId": document["feedDocumentId"],
            },
            what="createFeed",
        )
        return str(feed["feedId"])
