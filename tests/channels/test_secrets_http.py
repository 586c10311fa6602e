"""Credentials at rest and the one HTTP wrapper: what a marketplace's faults turn into."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from fakes.base import FakeMarketplace, Request, Response, route
from niryat.channels.models import ChannelAccount
from niryat.channels.secrets import encrypt
from niryat.core.http import HttpError, new_client, retry_after_seconds, send


class Echo(FakeMarketplace):
    @route("GET", "/things/(?P<name>[a-z]+)")
    def thing(self, request: Request) -> Response:
        return Response(200, {"name": request.params["name"]})

    @route("POST", "/things")
    def bad(self, request: Request) -> Response:
        return self.error_response(400, "InvalidInput", "title is too long")


@pytest.fixture(scope="module")
def echo() -> Iterator[Echo]:
    fake = Echo()
    fake.start()
    yield fake
    fake.stop()


def test_credentials_are_stored_encrypted_and_read_back(gorakhpur) -> None:  # type: ignore[no-untyped-def]
    # given
    token = encrypt({"client_secret": "s3cr3t-value"})
    # when
    account = ChannelAccount.objects.create(
        district=gorakhpur, channel="flipkart", name="Centre", credentials_encrypted=token
    )
    # then
    stored = ChannelAccount.objects.values_list("credentials_encrypted", flat=True).get()
    assert "s3cr3t-value" not in stored
    assert account.credentials() == {"client_secret": "s3cr3t-value"}


def test_keys_rotate_without_losing_credentials(gorakhpur, settings) -> None:  # type: ignore[no-untyped-def]
    # given an account encrypted under the old key
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CHANNEL_SECRET_KEYS = [old]
    ChannelAccount.objects.create(
        district=gorakhpur, channel="ebay", name="Centre", credentials_encrypted=encrypt({"a": "1"})
    )
    # when a new key goes in front and the command runs
    settings.CHANNEL_SECRET_KEYS = [new, old]
    call_command("rotate_channel_keys", stdout=StringIO())
    # then the old key can go
    settings.CHANNEL_SECRET_KEYS = [new]
    assert ChannelAccount.objects.get().credentials() == {"a": "1"}
    settings.CHANNEL_SECRET_KEYS = [old]
    with pytest.raises(ImproperlyConfigured):
        ChannelAccount.objects.get().credentials()


def test_retry_after_as_seconds_or_http_date() -> None:
    now = datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Sun, 22 Nov 2026 10:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_send_turns_faults_into_errors_that_say_whether_to_retry(echo: Echo, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CHANNEL_HTTP_TIMEOUT = 0.5
    echo.reset()
    with new_client(echo.url) as client:
        assert send(client, "GET", "/things/horse").json() == {"name": "horse"}

        echo.set_faults(rate_limited=1, retry_after=3)
        with pytest.raises(HttpError) as limited:
            send(client, "GET", "/things/horse")
        assert (limited.value.status, limited.value.permanent) == (429, False)
        assert limited.value.retry_after == 3.0

        echo.set_faults(server_errors=1)
        with pytest.raises(HttpError) as unavailable:
            send(client, "GET", "/things/horse")
        assert (unavailable.value.status, unavailable.value.permanent) == (503, False)

        echo.set_faults(delay=1.0)
        with pytest.raises(HttpError) as slow:
            send(client, "GET", "/things/horse")
        assert (slow.value.status, slow.value.permanent) == (None, False)
        echo.set_faults(delay=0)

        with pytest.raises(HttpError) as rejected:
            send(client, "POST", "/things", json={})
        assert (rejected.value.status, rejected.value.permanent) == (400, True)
        assert rejected.value.body == {
            "errors": [{"code": "InvalidInput", "message": "title is too long"}]
        }
