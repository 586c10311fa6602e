"""Markets ranked by export potential for a set of HS codes (an ODOP product's), with the reasons
in words a producer understands."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from niryat.core.countries import by_iso3, country_name
from niryat.insights.models import MarketPotential, TradeDataset

COMPETITORS_SHOWN = 3


def _number(value: float, places: int, *, grouping: bool = False) -> str:
    """`value` rounded (Django's number_format cuts the digits off, it does not round)."""
    return number_format(round(value, places), places, force_grouping=grouping)


def usd(amount: float | None) -> str:
    """US$ in words a reader takes in at a glance: "US$ 18.3 million", "US$ 450 thousand"."""
    if amount is None or math.isnan(amount):
        return _("no data")
    if amount >= 1e9:
        return _("US$ %(n)s billion") % {"n": _number(amount / 1e9, 1)}
    if amount >= 1e6:
        return _("US$ %(n)s million") % {"n": _number(amount / 1e6, 1)}
    if amount >= 1e3:
        return _("US$ %(n)s thousand") % {"n": _number(amount / 1e3, 0)}
    return _("US$ %(n)s") % {"n": _number(amount, 0)}


def km(distance: float) -> str:
    return _("%(n)s km") % {"n": _number(round(distance, -1), 0, grouping=True)}


@dataclass
class MarketRow:
    """One market for the product: sums over the product's HS6 codes."""

    market: str
    potential: float | None = None
    actual: float = 0.0
    imports: float | None = None
    imports_earlier: float | None = None
    supplier_km_weighted: float = 0.0
    supplier_km_weight: float = 0.0
    competitors: dict[str, float] = field(default_factory=dict)
    india_source: str = MarketPotential.IndiaSource.MATRIX
    rank: int = 0
    years: int = 0

    @property
    def name(self) -> str:
        return country_name(self.market)

    @property
    def untapped(self) -> float | None:
        if self.potential is None:
            return None
        return max(self.potential - self.actual, 0.0)

    @property
    def growth(self) -> float | None:
        if not self.imports or not self.imports_earlier or self.years <= 0:
            return None
        return float((self.imports / self.imports_earlier) ** (1 / self.years) - 1)

    @property
    def india_share(self) -> float | None:
        return self.actual / self.imports if self.imports else None

    @property
    def supplier_km(self) -> float | None:
        if not self.supplier_km_weight:
            return None
        return self.supplier_km_weighted / self.supplier_km_weight

    @property
    def km_from_india(self) -> float | None:
        country = by_iso3().get(self.market)
        return country.km_from_india if country else None

    def reasons(self) -> list[str]:
        """Why the market ranks where it does, one sentence per EPI term we have data for."""
        if self.imports is None:
            return [
                _(
                    "Its total imports and its suppliers are not in our data, so no potential "
                    "is computed; India's own statistics give India's exports there: %(actual)s."
                )
                % {"actual": usd(self.actual)}
            ]
        reasons = []
        growth = self.growth
        if growth is None:
            reasons.append(
                _("Market size: it imports %(imports)s a year; its growth is not in our data.")
                % {"imports": usd(self.imports)}
            )
        elif growth >= 0:
            reasons.append(
                _(
                    "Market size: it imports %(imports)s a year, growing %(growth)s%% a year over "
                    "the last %(years)d years."
                )
                % {
                    "imports": usd(self.imports),
                    "growth": _number(growth * 100, 1),
                    "years": self.years,
                }
            )
        else:
            reasons.append(
                _(
                    "Market size: it imports %(imports)s a year, shrinking %(growth)s%% a year "
                    "over the last %(years)d years."
                )
                % {
                    "imports": usd(self.imports),
                    "growth": _number(-growth * 100, 1),
                    "years": self.years,
                }
            )
        ours, theirs = self.km_from_india, self.supplier_km
        if ours is None or theirs is None:
            reasons.append(_("Distance: not in our data for this market."))
        elif ours <= theirs:
            reasons.append(
                _(
                    "Distance: %(ours)s from India, nearer than its suppliers on average "
                    "(%(theirs)s)."
                )
                % {"ours": km(ours), "theirs": km(theirs)}
            )
        else:
            reasons.append(
                _(
                    "Distance: %(ours)s from India, farther than its suppliers on average "
                    "(%(theirs)s)."
                )
                % {"ours": km(ours), "theirs": km(theirs)}
            )
        share = self.india_share
        if not self.actual:
            reasons.append(_("India's share: India sells none of this there yet."))
        else:
            reasons.append(
                _("India's share: India sells %(actual)s there, %(share)s%% of its imports.")
                % {
                    "actual": usd(self.actual),
                    "share": _number((share or 0) * 100, 1),
                }
            )
        top = sorted(self.competitors.items(), key=lambda item: -item[1])[:COMPETITORS_SHOWN]
        if top:
            reasons.append(
                _("Competitors: %(list)s.")
                % {
                    "list": ", ".join(
                        _("%(country)s (%(share)s%%)")
                        % {
                            "country": country_name(code),
                            "share": _number(value / self.imports * 100, 0),
                        }
                        for code, value in top
                    )
                }
            )
        return reasons


@dataclass
class ProductMarkets:
    """The ranking for one set of HS codes, and what the data lacks."""

    dataset: TradeDataset | None
    hs6_codes: list[str]
    ranked: list[MarketRow]
    without_imports: list[MarketRow]

    @property
    def shade_by_market(self) -> dict[str, float]:
        return {row.market: row.potential or 0.0 for row in self.ranked}


def rank_markets(hs_codes: list[str], dataset: TradeDataset | None = None) -> ProductMarkets:
    """Markets for `hs_codes` (2, 4 or 6 digits), by potential export value, summed over the
    HS6 codes under them. Markets with no import data come apart, with India's exports only."""
    dataset = dataset or TradeDataset.objects.current()
    if dataset is None:
        return ProductMarkets(dataset=None, hs6_codes=[], ranked=[], without_imports=[])
    rows: dict[str, MarketRow] = defaultdict(lambda: MarketRow(market=""))
    hs6_codes: set[str] = set()
    cells = (
        MarketPotential.objects.filter(dataset=dataset)
        .for_hs_codes(hs_codes)
        .values_list(
            "market",
            "hs6",
            "india_source",
            "india_usd",
            "imports_usd",
            "imports_earlier_usd",
            "supplier_km",
            "competitors",
            "potential_usd",
        )
    )
    for market, hs6, source, india, imports, earlier, supplier_km, competitors, potential in cells:
        hs6_codes.add(hs6)
        row = rows[market]
        row.market, row.years, row.india_source = market, dataset.growth_years, source
        row.actual += india or 0.0
        if imports is not None:
            row.imports = (row.imports or 0.0) + imports
            if earlier is not None:
                row.imports_earlier = (row.imports_earlier or 0.0) + earlier
            if supplier_km is not None:
                row.supplier_km_weighted += imports * supplier_km
                row.supplier_km_weight += imports
            for code, value in competitors.items():
                row.competitors[code] = row.competitors.get(code, 0.0) + value
        if potential is not None:
            row.potential = (row.potential or 0.0) + potential
    ranked = sorted(
        (row for row in rows.values() if row.potential is not None and row.potential > 0),
        key=lambda row: (-(row.potential or 0.0), row.market),
    )
    for number, row in enumerate(ranked, start=1):
        row.rank = number
    without = sorted(
        (row for row in rows.values() if row.imports is None),
        key=lambda row: (-row.actual, row.market),
    )
    return ProductMarkets(
        dataset=dataset, hs6_codes=sorted(hs6_codes), ranked=ranked, without_imports=without
    )
