"""Country names in English and Hindi, ISO numeric codes and distance from India.

data/countries.csv: ISO 3166-1 codes and English names from Debian's iso-codes
(/usr/share/iso-codes/json/iso_3166-1.json, LGPL-2.1), Hindi names from its Hindi translation
(iso_3166-1.mo; Türkiye filled by hand), kilometres from India from CEPII GeoDist `dist`.
data/iso2_iso3.csv: alpha-2 to alpha-3 codes, from the same iso_3166-1.json.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

COUNTRIES_CSV = Path(__file__).parent / "data" / "countries.csv"


@dataclass(frozen=True)
class Country:
    iso3: str
    numeric: str
    name_en: str
    name_hi: str
    km_from_india: float | None

    @property
    def name(self) -> str:
        language = get_language() or "en"
        return self.name_hi if language.startswith("hi") and self.name_hi else self.name_en


@cache
def countries() -> dict[str, Country]:
    with COUNTRIES_CSV.open(encoding="utf-8") as handle:
        return {
            row["iso3"]: Country(
                iso3=row["iso3"],
                numeric=row["numeric"],
                name_en=row["name_en"],
                name_hi=row["name_hi"],
                km_from_india=float(row["km_from_india"]) if row["km_from_india"] else None,
            )
            for row in csv.DictReader(handle)
        }


def country_name(iso3: str) -> str:
    country = countries().get(iso3)
    return country.name if country else iso3


def km_from_india() -> dict[str, float]:
    return {c.iso3: c.km_from_india for c in countries().values() if c.km_from_india is not None}


ISO2_CSV = Path(__file__).parent / "data" / "iso2_iso3.csv"


@cache
def _iso3_by_iso2() -> dict[str, str]:
    with ISO2_CSV.open(encoding="utf-8") as handle:
        return {row["iso2"]: row["iso3"] for row in csv.DictReader(handle)}


def iso3_of(iso2: str) -> str:
    """The alpha-3 code of an alpha-2 one (the export desk's), for the map; "" when unknown."""
    return _iso3_by_iso2().get(iso2.upper(), "")
