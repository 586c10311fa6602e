"""API authentication: personal bearer tokens (stored as SHA-256 digests) or the browser session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from niryat.core.actions import TOKEN_PREFIX, token_digest
from niryat.core.models import ApiToken

LAST_USED_RESOLUTION = timedelta(minutes=5)


class TokenExpired(AuthenticationError):
    """A 401 that says why: the integration's owner must make a new token, not debug theirs."""

    def __init__(self, record: ApiToken) -> None:
        super().__init__(
            message=_("This API token expired on %(date)s. Create a new one on your account page.")
            % {"date": date_format(timezone.localtime(record.expires_at), "DATE_FORMAT")}
        )


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # Malformed tokens are refused before touching the database.
        if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            return None
        record = (
            ApiToken.objects.select_related("user", "user__district")
            .filter(digest=token_digest(token), user__is_active=True)
            .first()
        )
        if record is None:
            return None
        if record.expired:
            raise TokenExpired(record)
        # Record use at most every few minutes: a write per API call would queue every request
        # behind SQLite's single writer.
        now = timezone.now()
        if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = record.user
        return record.user


class SessionAuth(NinjaSessionAuth):
    """The signed-in browser session (CSRF-checked on writes, as django-ninja does)."""
