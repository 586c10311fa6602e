"""Countries in English and Hindi: ISO 3166-1 codes, names and distance from India, from
data/countries.csv (sources in data/README.md). The export desk keys countries by alpha-2 code,
the trade data by alpha-3; `country_name` takes either."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

COUNTRIES_CSV = Path(__file__).parent / "data" / "countries.csv"
INDIA = "IN"


@dataclass(frozen=True)
class Country:
    iso2: str
    iso3: str
    numeric: str
    name_en: str
    name_hi: str
    km_from_india: float | None

    @property
    def name(self) -> str:
        """The name in the language in use."""
        language = get_language() or "en"
        return self.name_hi if language.startswith("hi") and self.name_hi else self.name_en


@cache
def _all() -> tuple[Country, ...]:
    with COUNTRIES_CSV.open(encoding="utf-8") as handle:
        return tuple(
            Country(
                iso2=row["iso2"],
                iso3=row["iso3"],
                numeric=row["numeric"],
                name_en=row["name_en"],
                name_hi=row["name_hi"],
                km_from_india=float(row["km_from_india"]) if row["km_from_india"] else None,
            )
            for row in csv.DictReader(handle)
        )


@cache
def by_iso3() -> dict[str, Country]:
    return {c.iso3: c for c in _all()}


@cache
def by_iso2() -> dict[str, Country]:
    return {c.iso2: c for c in _all()}


def country(code: str) -> Country | None:
    code = code.upper()
    return (by_iso2() if len(code) == 2 else by_iso3()).get(code)


def country_name(code: str) -> str:
    """The name of a country by its alpha-2 or alpha-3 code, in the language in use; the code
    itself when unknown."""
    found = country(code)
    return found.name if found else code


def country_name_en(code: str) -> str:
    """The English name, for export documents, which customs and foreign buyers read."""
    found = country(code)
    return found.name_en if found else code


def destination_choices() -> list[tuple[str, str]]:
    """Countries goods can be exported to (every one but India), by alpha-2 code, sorted by name
    in the language in use."""
    return sorted(((c.iso2, c.name) for c in _all() if c.iso2 != INDIA), key=lambda item: item[1])


def is_destination(iso2: str) -> bool:
    return iso2 != INDIA and iso2 in by_iso2()


def km_from_india() -> dict[str, float]:
    return {c.iso3: c.km_from_india for c in _all() if c.km_from_india is not None}


def iso3_of(iso2: str) -> str:
    """The alpha-3 code of an alpha-2 one, for the map; "" when unknown."""
    found = by_iso2().get(iso2.upper())
    return found.iso3 if found else ""
