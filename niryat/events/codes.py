"""A participant's check-in code: what their QR code holds and what is printed under it.

"P<participant id>-<8 hex>": the tail is an HMAC of the id and the programme under the site's
secret key, so a code cannot be guessed or made up for another person or another programme, and
it is short enough to type when the camera fails.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

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
