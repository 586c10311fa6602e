"""A participant's check-in code: what their QR code holds and what is printed under it.

"P<participant id>-<8 hex>": the tail is an HMAC of the id and the programme under the site's
secret key, so a code cannot be guessed or made up for another person or another programme, and
it is short enough to type when the camera fails.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from django.core import signing
from django.utils.crypto import salted_hmac

SALT = "niryat.events.check-in"
CODE = re.compile(r"^P(\d{1,12})-([0-9A-F]{8})$")


@dataclass(frozen=True)
class ReadCode:
    participant_id: int
    tail: str


def check_in_code(participant_id: int, programme_id: int) -> str:
    return f"P{participant_id}-{_tail(participant_id, programme_id)}"


def _tail(participant_id: int, programme_id: int) -> str:
    digest = salted_hmac(SALT, f"{participant_id}:{programme_id}", algorithm="sha256")
    return digest.hexdigest()[:8].upper()


def read_code(text: str) -> ReadCode | None:
    """The code's parts if it has the shape of a check-in code (spaces and case forgiven)."""
    match = CODE.match(re.sub(r"\s+", "", text).upper())
    if match is None:
        return None
    return ReadCode(int(match.group(1)), match.group(2))


def signed_for(code: ReadCode, programme_id: int) -> bool:
    """True if the code was made for this participant in this programme."""
    return hmac.compare_digest(code.tail, _tail(code.participant_id, programme_id))


# An event guest's code: "E<guest id>-<8 hex>", signed with the event's id the same way.
GUEST_SALT = "niryat.events.guest-check-in"
GUEST_CODE = re.compile(r"^E(\d{1,12})-([0-9A-F]{8})$")


def guest_code(guest_id: int, event_id: int) -> str:
    return f"E{guest_id}-{_guest_tail(guest_id, event_id)}"


def _guest_tail(guest_id: int, event_id: int) -> str:
    digest = salted_hmac(GUEST_SALT, f"{guest_id}:{event_id}", algorithm="sha256")
    return digest.hexdigest()[:8].upper()


def read_guest_code(text: str) -> ReadCode | None:
    match = GUEST_CODE.match(re.sub(r"\s+", "", text).upper())
    if match is None:
        return None
    return ReadCode(int(match.group(1)), match.group(2))


def guest_signed_for(code: ReadCode, event_id: int) -> bool:
    return hmac.compare_digest(code.tail, _guest_tail(code.participant_id, event_id))


# The links in an invitation (RSVP) and after the event (feedback): signed tokens, one per
# guest, that need no sign-in and cannot be made up for someone else.
RSVP_SALT = "niryat.events.rsvp"
FEEDBACK_SALT = "niryat.events.feedback"


def guest_token(guest_uuid: str, salt: str) -> str:
    return signing.dumps(guest_uuid, salt=salt)


def read_guest_token(token: str, salt: str) -> str | None:
    try:
        value = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) else None
