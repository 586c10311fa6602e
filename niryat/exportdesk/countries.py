"""Destination countries by ISO 3166 alpha-2 code, from CEPII BACI's country dictionary
(../shared/data/baci_country_codes.csv, copied to data/countries.csv without India)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

COUNTRIES_CSV = Path(__file__).parent / "data" / "countries.csv"


@cache
def countries() -> dict[str, str]:
    with COUNTRIES_CSV.open(encoding="utf-8") as handle:
        return {row["iso2"]: row["name"] for row in csv.DictReader(handle)}


def country_choices() -> list[tuple[str, str]]:
    return sorted(countries().items(), key=lambda item: item[1])


def country_name(code: str) -> str:
    return countries().get(code, code)
