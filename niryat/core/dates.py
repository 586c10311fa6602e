"""Dates as people read them: one style per language, always in India's time zone.

Stored times are UTC (`USE_TZ`); every date a person reads, on a page, in an SMS or a sheet, goes
through here so that it is turned into Asia/Kolkata first: an order to pack by 9 December 03:23 IST
is 8 December 21:53 UTC, and "8 December" in an SMS sends the producer a day early.

One style: "9 December 2026" / "9 दिसंबर 2026", and with the time "9 December 2026, 03:23" (24-hour
clock). The formats live in `niryat/core/formats/<language>/formats.py` (FORMAT_MODULE_PATH), so
Django's own `|date:"DATE_FORMAT"` and the admin agree with these functions.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

INDIA = ZoneInfo("Asia/Kolkata")

# Django's own Hindi catalogue spells three months wrong (सितमबर, नवमबर, दिसमबर). Naming the months
# here puts them in our catalogue, which Django reads before its own, so every Hindi date (ours, the
# admin's, a form's) says सितंबर, नवंबर, दिसंबर.
MONTHS = (
    _("January"),
    _("February"),
    _("March"),
    _("April"),
    _("May"),
    _("June"),
    _("July"),
    _("August"),
    _("September"),
    _("October"),
    _("November"),
    _("December"),
)


def in_india(value: dt.datetime) -> dt.datetime:
    """An aware time as a clock in India shows it (a naive one is taken to be UTC)."""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(INDIA)


def format_date(value: dt.date | dt.datetime | None) -> str:
    """'9 December 2026' / '9 दिसंबर 2026' (active language); a time gives its date in India."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = in_india(value)
    return date_format(value, "DATE_FORMAT", use_l10n=True)


def format_datetime(value: dt.datetime | None) -> str:
    """ "9 December 2026, 03:23" / "9 दिसंबर 2026, 03:23", in India's time."""
    if value is None:
        return ""
    return date_format(in_india(value), "DATETIME_FORMAT", use_l10n=True)


_NUMERIC_DATE = re.compile(r"^\s*(\d{1,4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,4})\s*$")


def parse_indian_date(text: str) -> dt.date:
    """A date as written in India: day first (05/01/2021, 5-1-2021, 5.1.21 are 5 January 2021),
    or year first (2021-01-05). Raises ValueError, with a message to show, for anything else."""
    found = _NUMERIC_DATE.match(text)
    if found:
        first, second, third = found.groups()
        if len(first) == 4:
            year, month, day = int(first), int(second), int(third)
        else:
            day, month, year = int(first), int(second), int(third)
            if len(third) == 2:
                year += 2000 if year < 70 else 1900
            elif len(third) != 4:
                year = 0
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    raise ValueError(
        gettext("«%(value)s» is not a date; write it day first, like 05/01/2021.") % {"value": text}
    )
