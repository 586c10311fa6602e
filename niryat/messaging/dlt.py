"""TRAI's DLT rules for commercial SMS, as Niryat keeps them before a message leaves.

A DLT content template is the exact wording with `{#var#}` where a value goes, each value at
most 30 characters. Our templates write `{name}` instead; `dlt_wording` shows the registered
form (the templates page shows it, to compare with the DLT portal), and `matches` tells whether
a text is an instance of it, which is what the operators' scrubbing checks.
"""

from __future__ import annotations

import re

from niryat.messaging.models import PLACEHOLDER

MAX_VARIABLE = 30  # characters, per {#var#}


def dlt_wording(body: str) -> str:
    return PLACEHOLDER.sub("{#var#}", body)


def fit(value: str) -> str:
    """A value cut to what one {#var#} takes."""
    return value if len(value) <= MAX_VARIABLE else value[: MAX_VARIABLE - 1] + "…"


def matches(body: str, text: str) -> bool:
    parts = PLACEHOLDER.split(body)
    # split() alternates literal text and placeholder names: keep the literals.
    literals = parts[::2]
    pattern = f".{{1,{MAX_VARIABLE}}}".join(re.escape(literal) for literal in literals)
    return re.fullmatch(pattern, text, flags=re.DOTALL) is not None
