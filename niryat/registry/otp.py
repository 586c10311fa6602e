"""One-time sign-in codes for producers, sent by SMS.

A code is 6 random digits, valid for OTP_VALID_MINUTES, good for one sign-in and for at most
OTP_MAX_ATTEMPTS guesses; a mobile number gets at most OTP_MAX_CODES_PER_HOUR codes an hour. Only
an HMAC of the code (keyed with SECRET_KEY, bound to the number) is stored, and checks compare in
constant time. Only the newest code of a number counts: asking again retires the earlier ones.

A code is issued for every well-formed number, registered or not, but the SMS goes only to
producers who may sign in: so the pages and the limits say nothing about who is registered. (A
real gateway that answers slowly would show in response times; such a backend should hand the
message to a task rather than wait for the provider.)
"""

from __future__ import annotations

import datetime
import math
import secrets
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac

from niryat.core.messaging import Outgoing, gateway
from niryat.core.models import Role, User
from niryat.registry.models import LoginCode, Producer

HMAC_SALT = "niryat.registry.otp.LoginCode"
HOUR = datetime.timedelta(hours=1)


class TooManyCodes(Exception):
    """The number has had its codes for this hour."""

    def __init__(self, retry_at: datetime.datetime) -> None:
        super().__init__(f"no new code before {retry_at.isoformat()}")
        self.retry_at = retry_at

    def minutes_to_wait(self) -> int:
        return max(1, math.ceil((self.retry_at - timezone.now()).total_seconds() / 60))


class Problem(StrEnum):
    WRONG = "wrong"
    EXPIRED = "expired"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    NO_CODE = "no_code"  # never asked for, or already used


class CodeRejected(Exception):
    def __init__(self, problem: Problem, attempts_left: int = 0) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.attempts_left = attempts_left


@dataclass(frozen=True)
class Verdict:
    user: User | None
    problem: Problem | None = None
    attempts_left: int = 0


def code_digest(mobile: str, code: str) -> str:
    """HMAC-SHA256 of the code, bound to the number: the database alone reveals no code."""
    return salted_hmac(HMAC_SALT, f"{mobile}:{code}", algorithm="sha256").hexdigest()


def producer_user_for(mobile: str) -> User | None:
    """The user who signs in with this number: the one producer with this mobile whose sign-in
    staff enabled. Two such producers would make the number ambiguous, so neither signs in."""
    producers = list(
        Producer.objects.active()
        .filter(mobile=mobile, user__is_active=True, user__role=Role.PRODUCER)
        .select_related("user")[:2]
    )
    if len(producers) != 1:
        return None
    return producers[0].user


def sign_in_address() -> str:
    """Where producers sign in, as they type it on their phone."""
    return settings.SITE_URL.rstrip("/") + reverse("producer_sign_in")


def send_sign_in_address(producer: Producer) -> None:
    """Tell the producer the sign-in address (after do_enable_producer_sign_in), in Hindi,
    whoever enabled it, on the channel they use. Raises MessageNotSent if it could not go."""
    gateway().send(
        Outgoing(
            template="sign_in_address",
            key=f"sign_in_address:{producer.pk}:{timezone.now().timestamp()}",
            variables={"address": sign_in_address()},
            producer_id=producer.pk,
            language="hi",
            urgent=True,
        )
    )


def issue_code(mobile: str) -> None:
    """Make a new code for `mobile` (E.164) and text it if the number belongs to a producer who
    may sign in. Raises TooManyCodes past the hourly limit, MessageNotSent if the SMS could not
    go. The code goes by SMS to the number typed, at once, and is never kept in the message log."""
    now = timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        # Codes older than a day serve no limit any more; numbers nobody has (codes are made for
        # them too) would otherwise pile up.
        LoginCode.objects.filter(created_at__lt=now - 24 * HOUR).delete()
        # Lock this number's recent codes so that two requests at once count each other (on
        # SQLite the write transaction already serialises them).
        recent = list(
            LoginCode.objects.select_for_update()
            .filter(mobile=mobile, created_at__gt=now - HOUR)
            .order_by("created_at", "pk")
        )
        if len(recent) >= settings.OTP_MAX_CODES_PER_HOUR:
            raise TooManyCodes(retry_at=recent[0].created_at + HOUR)
        login_code = LoginCode.objects.create(
            mobile=mobile,
            code_hash=code_digest(mobile, code),
            expires_at=now + datetime.timedelta(minutes=settings.OTP_VALID_MINUTES),
        )
        user = producer_user_for(mobile)
    if user is not None:
        gateway().send(
            Outgoing(
                template="sign_in_code",
                key=f"sign_in_code:{login_code.pk}",
                variables={"code": code, "minutes": str(settings.OTP_VALID_MINUTES)},
                to=mobile,
                language=translation.get_language() or "hi",
                urgent=True,
                secret=("code",),
            )
        )


def check_code(mobile: str, code: str) -> User:
    """The producer's user if `code` is the newest live code of `mobile`; it is then used up.
    Every wrong guess counts, even when the guess is rejected. Raises CodeRejected."""
    with transaction.atomic():
        verdict = _check_locked(mobile, code)
    # Raised outside the transaction so that the counted attempt is kept.
    if verdict.user is None:
        raise CodeRejected(verdict.problem or Problem.WRONG, verdict.attempts_left)
    return verdict.user


def _check_locked(mobile: str, code: str) -> Verdict:
    now = timezone.now()
    record = (
        LoginCode.objects.select_for_update()
        .filter(mobile=mobile)
        .order_by("-created_at", "-pk")
        .first()
    )
    if record is None or record.used_at is not None:
        return Verdict(None, Problem.NO_CODE)
    if record.attempts >= settings.OTP_MAX_ATTEMPTS:
        return Verdict(None, Problem.TOO_MANY_ATTEMPTS)
    if record.expires_at <= now:
        return Verdict(None, Problem.EXPIRED)
    record.attempts += 1
    matches = constant_time_compare(code_digest(mobile, code), record.code_hash)
    user = producer_user_for(mobile) if matches else None
    if user is None:
        record.save(update_fields=["attempts"])
        left = settings.OTP_MAX_ATTEMPTS - record.attempts
        return Verdict(None, Problem.WRONG if left else Problem.TOO_MANY_ATTEMPTS, left)
    record.used_at = now
    record.save(update_fields=["attempts", "used_at"])
    return Verdict(user)
