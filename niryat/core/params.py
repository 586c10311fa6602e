"""Numbers in query strings (list filters): read only when they can be a record's id.

`str.isdigit()` lets through superscripts ("²", which `int()` refuses) and numbers beyond the
databases' 64-bit integers (SQLite raises OverflowError): both were server errors. A filter value
that is not such a number matches nothing it could name, so the filter ignores it.
"""

from __future__ import annotations

import re

# ASCII digits only, at most 18 of them: always below 2**63.
RECORD_ID = re.compile(r"[0-9]{1,18}")


def record_id(value: str | None) -> int | None:
    """`value` as an id or code to filter by, or None when it cannot be one."""
    if value is None or not RECORD_ID.fullmatch(value):
        return None
    return int(value)
