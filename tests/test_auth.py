"""Signing in and out, lockout, password reset, expired sessions, and the people we create."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from niryat.core.actions import do_create_user
from niryat.core.demo import seed_demo
from niryat.core.models import Role, User
from tests.conftest import PASSWORD, hindi


def test_sign_in_and_out(ganesh):
    client = Client()
    response = client.post("/login/", {"username": "ganesh", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").context["user"] == ganesh
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_in_the_users_language(ganesh):
    client = Client(headers={"accept-language": "hi"})
    response = client.post("/login/", {"username": "ganesh", "password": "wrong"})
    assert response.status_code == 200
    assert (
        hindi("That user name and password do not match. Please try again.")
        in response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_lockout_after_repeated_failures(ganesh):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "ganesh", "password": "wrong"})
    # Even the right password is refused while the account is locked.
    response = client.post("/login/", {"username": "ganesh", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(ganesh):
    client = Client()
    response = client.post("/password-reset/", {"email": "ganesh@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    new_password = "a new long passphrase 2026"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    ganesh.refresh_from_db()
    assert ganesh.check_password(new_password)
    # The link works once.
    assert "not valid any more" in client.get(link, follow=True).content.decode()


def test_unknown_email_sends_nothing_and_says_the_same(db):
    response = Client().post("/password-reset/", {"email": "nobody@example.org"}, follow=True)
    assert "If an account has that address" in response.content.decode()
    assert mail.outbox == []


def test_expired_session_is_explained(ganesh):
    client = Client(headers={"accept-language": "hi"})
    client.cookies[settings.SESSION_COOKIE_NAME] = "expired-session-key"
    response = client.get("/districts/148/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/?next=/districts/148/")
    assert hindi("Your session has expired. Please sign in again.") in response.content.decode()


def test_passwords_are_hashed_with_argon2_outside_tests():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.PASSWORD_HASHERS[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "NIRYAT_ENV": "development", "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    assert out.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_users_are_stored_with_a_hash_never_the_password(ganesh):
    stored = User.objects.get(pk=ganesh.pk).password
    assert PASSWORD not in stored
    assert ganesh.check_password(PASSWORD)


def test_district_roles_need_a_district_and_state_roles_have_none(gorakhpur):
    with pytest.raises(ValidationError, match="This role needs a district"):
        do_create_user(
            username="x", password=None, role=Role.CENTRE_STAFF, district=None, acting_user=None
        )
    with pytest.raises(ValidationError, match="State roles do not belong to a district"):
        do_create_user(
            username="y",
            password=None,
            role=Role.STATE_VIEWER,
            district=gorakhpur,
            acting_user=None,
        )
    assert not User.objects.filter(username__in=["x", "y"]).exists()


def test_demo_people_are_created_once(db):
    result = seed_demo("demo password 123")
    assert result is not None
    password, logins = result
    assert password == "demo password 123"
    assert [login.username for login in logins[:3]] == [
        "admin",
        "state.viewer",
        "gorakhpur.officer",
    ]
    assert User.objects.get(username="admin").role == Role.STATE_ADMIN
    assert User.objects.get(username="gorakhpur.staff").district.name_en == "Gorakhpur"
    names = list(User.objects.values_list("full_name", flat=True))
    assert any(re.search("[\u0900-\u097f]", name) for name in names), "some names in Devanagari"
    assert any(re.fullmatch("[A-Za-z .]+", name) for name in names), "some in Latin letters"
    assert seed_demo() is None


def sign_in(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": username, "password": password})


def behind_proxy(client_address: str) -> Client:
    """A browser behind the README's nginx: every request comes from nginx's own address."""
    return Client(REMOTE_ADDR="127.0.0.1", headers={"x-real-ip": client_address})


def test_behind_a_proxy_one_locked_user_does_not_lock_out_the_others(ganesh, vani, settings):
    settings.TRUSTED_PROXY_HEADER = "X-Real-IP"
    # given ganesh locked out after failures from one office
    office = behind_proxy("203.0.113.7")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(office, "ganesh", "wrong")
    assert sign_in(office, "ganesh", PASSWORD).status_code == 429
    # then the failures were counted against the client's address, not the proxy's
    attempt = AccessAttempt.objects.get(username="ganesh")
    assert attempt.ip_address == "203.0.113.7"
    # and vani, behind the same proxy (and even in the same office), still signs in
    colleague = behind_proxy("203.0.113.7")
    assert sign_in(colleague, "vani", PASSWORD).status_code == 302
    elsewhere = behind_proxy("198.51.100.20")
    assert sign_in(elsewhere, "vani", PASSWORD).status_code == 302


def test_without_a_trusted_proxy_header_the_connection_address_counts(ganesh, settings):
    settings.TRUSTED_PROXY_HEADER = ""
    # A header the client wrote itself is ignored: it cannot dodge its own lockout with it.
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(behind_proxy(f"203.0.113.{number}"), "ganesh", "wrong")
    assert AccessAttempt.objects.get(username="ganesh").ip_address == "127.0.0.1"
    assert sign_in(behind_proxy("203.0.113.99"), "ganesh", PASSWORD).status_code == 429


def test_a_malformed_proxy_header_falls_back_to_the_connection_address(ganesh, settings):
    settings.TRUSTED_PROXY_HEADER = "X-Real-IP"
    sign_in(behind_proxy("not-an-address"), "ganesh", "wrong")
    assert AccessAttempt.objects.get(username="ganesh").ip_address == "127.0.0.1"


def test_tries_during_a_lockout_do_not_extend_it(ganesh, settings):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ganesh", "wrong")
    # given a lockout that started ten minutes ago (of a 15-minute cool-off)
    started = timezone.now() - timedelta(minutes=10)
    AccessAttempt.objects.filter(username="ganesh").update(attempt_time=started)
    # when more tries come during it
    assert sign_in(client, "ganesh", "wrong").status_code == 429
    assert sign_in(client, "ganesh", PASSWORD).status_code == 429
    # then the lockout still ends when it would have
    attempt = AccessAttempt.objects.get(username="ganesh")
    assert attempt.attempt_time == started
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.filter(username="ganesh").update(
        attempt_time=timezone.now() - cool_off - timedelta(seconds=1)
    )
    assert sign_in(client, "ganesh", PASSWORD).status_code == 302
