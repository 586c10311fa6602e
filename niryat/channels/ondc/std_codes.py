"""PIN code → telephone STD code, the city code ONDC searches name ("std:0551"). ONDC's
log-validation utility accepts a provider only when the search's city code is one of its first
location's PIN's STD codes; the table is the utility's own (data/pin_std_codes.csv, source in
data/SOURCES.md)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

TABLE = Path(__file__).parent / "data" / "pin_std_codes.csv"


@cache
def _table() -> dict[str, frozenset[str]]:
    codes: dict[str, set[str]] = {}
    with TABLE.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            codes.setdefault(row["pin"], set()).add(row["std_code"])
    return {pin: frozenset(values) for pin, values in codes.items()}


def std_codes(pin: str) -> frozenset[str]:
    """The STD codes of a PIN (most have one, some two), empty when it is not in the table."""
    return _table().get(pin.strip(), frozenset())


def city_code(std_code: str) -> str:
    return f"std:{std_code}"
