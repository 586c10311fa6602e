"""ITC's Export Potential Indicator (Decreux & Spies 2016) on the trade data we have.

Potential value of India's exports of product k to market j:

    PV_jk = S_k × D_jk × B_j

* S_k, supply: India's share of the exports of k to all markets in the data.
* D_jk, demand: j's imports of k, carried forward by half their past growth (ITC carries only part
  of past growth forward; one half, capped at ±25 % a year, is our choice, not ITC's), and
  corrected for market access by distance: × (d_India,j / d̄_jk)^δ, where d̄_jk is the
  import-weighted distance of j's suppliers of k and δ = DISTANCE_ELASTICITY. Tariffs would enter
  here too; we have no tariff data, so they are left out (the page says so).
* B_j, ease of trade: India's exports to j in all products of the data, divided by what India's
  supply shares predict (Σ_k S_k × M_jk). Above 1: India sells to j more than its shares predict.

Untapped potential = max(0, PV_jk − X_jk), X_jk being India's exports of k to j now.

Everything is computed on arrays, one row per (market, product) cell, from the flows of a bilateral
matrix (BACI, Comtrade) by `aggregate_flows`; a cell whose market's imports are unknown gets no
potential (NaN), never a made-up one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

INDIA = "IND"
# A typical distance elasticity of gravity models (trade falls by ~1 % for 1 % more distance).
# ITC estimates its own per product; we have no such estimate.
DISTANCE_ELASTICITY = -1.0
# Share of past yearly growth carried one year forward, and its cap (see the module docstring).
GROWTH_CARRIED = 0.5
GROWTH_CAP = 0.25
COMPETITORS_KEPT = 3
FLOW_GROWTH_RANGE = (-0.5, 1.0)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass
class Flows:
    """Bilateral flows of one year: one entry per (importer, exporter, product).

    `earlier` is the same flow `years` years before (NaN where unknown), for market growth; or,
    where a source gives each flow's yearly growth instead (`growth`, a fraction), a market's
    growth is the import-weighted mean of its flows' growth, each capped to FLOW_GROWTH_RANGE
    (a flow's growth from a near-zero start runs to millions of per cent).
    """

    importer: list[str] | NDArray[np.str_]
    exporter: list[str] | NDArray[np.str_]
    product: list[str] | NDArray[np.str_]
    value: FloatArray
    earlier: FloatArray
    years: int
    growth: FloatArray | None = None


@dataclass
class Cells:
    """One entry per (market, product) with the market's imports known or India's exports known.

    `imports` is NaN where the market's imports are unknown (the six big markets missing from the
    shipped matrix); `supplier_km` NaN where no supplier's distance is known.
    """

    market: NDArray[np.str_]
    product: NDArray[np.str_]
    imports: FloatArray
    imports_earlier: FloatArray
    india: FloatArray
    supplier_km: FloatArray
    competitors: list[dict[str, float]]
    years: int


@dataclass
class Potential:
    """The EPI terms per cell, aligned with the `Cells` they come from."""

    supply_share: FloatArray
    growth: FloatArray
    distance_factor: FloatArray
    demand: FloatArray
    ease: FloatArray
    potential: FloatArray
    untapped: FloatArray


def _sum(index: IntArray, weights: FloatArray, minlength: int) -> FloatArray:
    """Sum of `weights` per value of `index` (0 … minlength−1)."""
    return np.bincount(index, weights=weights, minlength=minlength).astype(np.float64, copy=False)


def _codes(values: list[str] | NDArray[np.str_]) -> tuple[NDArray[np.str_], IntArray]:
    uniques, inverse = np.unique(np.asarray(values, dtype=str), return_inverse=True)
    return uniques, inverse.astype(np.int64)


def aggregate_flows(flows: Flows, distances: dict[tuple[str, str], float]) -> Cells:
    """Sum a bilateral matrix to (market, product) cells: imports, imports `years` earlier,
    India's exports, the import-weighted distance of the suppliers, and the biggest suppliers
    other than India."""
    markets, j = _codes(flows.importer)
    exporters, i = _codes(flows.exporter)
    products, k = _codes(flows.product)
    value = np.asarray(flows.value, dtype=np.float64)
    earlier = np.asarray(flows.earlier, dtype=np.float64)
    n_cells = len(markets) * len(products)
    cell = j * len(products) + k

    imports = _sum(cell, weights=value, minlength=n_cells)
    known_earlier = ~np.isnan(earlier)
    imports_earlier = _sum(cell[known_earlier], weights=earlier[known_earlier], minlength=n_cells)
    if flows.growth is not None:
        flow_growth = np.clip(np.nan_to_num(flows.growth, nan=0.0), *FLOW_GROWTH_RANGE)
        weighted_growth = _sum(cell, weights=value * flow_growth, minlength=n_cells)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_growth = np.where(imports > 0, weighted_growth / imports, np.nan)
        imports_earlier = imports / (1.0 + mean_growth) ** max(flows.years, 1)
    elif not known_earlier.any():
        imports_earlier[:] = np.nan
    india_code = np.searchsorted(exporters, INDIA)
    is_india = (india_code < len(exporters)) & (i == india_code)
    india = _sum(cell[is_india], weights=value[is_india], minlength=n_cells)

    # Distance of each flow's exporter to its importer, from a (exporter × market) table.
    pair_km = np.full((len(exporters), len(markets)), np.nan)
    for a, origin in enumerate(exporters):
        for b, destination in enumerate(markets):
            pair = distances.get((str(origin), str(destination)))
            if pair is not None:
                pair_km[a, b] = pair
    km = pair_km[i, j]
    has_km = ~np.isnan(km)
    weighted = _sum(cell[has_km], weights=value[has_km] * km[has_km], minlength=n_cells)
    weight = _sum(cell[has_km], weights=value[has_km], minlength=n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        supplier_km = np.where(weight > 0, weighted / weight, np.nan)

    # The biggest suppliers of each cell other than India: sort by cell, then value descending.
    others = np.flatnonzero(~is_india & (value > 0))
    order = others[np.lexsort((-value[others], cell[others]))]
    sorted_cells = cell[order]
    starts = np.flatnonzero(np.r_[True, sorted_cells[1:] != sorted_cells[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    top = order[rank < COMPETITORS_KEPT]
    competitors_of: dict[int, dict[str, float]] = {}
    for c, e, v in zip(cell[top].tolist(), i[top].tolist(), value[top].tolist(), strict=True):
        competitors_of.setdefault(c, {})[str(exporters[e])] = v

    present = np.flatnonzero((imports > 0) | (india > 0))
    return Cells(
        market=markets[present // len(products)],
        product=products[present % len(products)],
        imports=imports[present],
        imports_earlier=imports_earlier[present],
        india=india[present],
        supplier_km=supplier_km[present],
        competitors=[competitors_of.get(int(c), {}) for c in present],
        years=flows.years,
    )


def compute_potential(cells: Cells, km_from_india: dict[str, float]) -> Potential:
    """The EPI terms of every cell (see the module docstring)."""
    imports = cells.imports
    known = ~np.isnan(imports)
    products, k = _codes(cells.product)
    markets, j = _codes(cells.market)

    # Supply: India's share of all exports of k in the data (markets with known imports only,
    # so that numerator and denominator cover the same markets).
    india_known = np.where(known, cells.india, 0.0)
    world = _sum(k, weights=np.where(known, imports, 0.0), minlength=len(products))
    india_world = _sum(k, weights=india_known, minlength=len(products))
    with np.errstate(invalid="ignore", divide="ignore"):
        share_of_product = np.where(world > 0, india_world / world, 0.0)
    supply = share_of_product[k]

    # Demand: past growth, partly carried forward, and the relative distance.
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = (imports / cells.imports_earlier) ** (1.0 / max(cells.years, 1)) - 1.0
    growth = np.where(np.isfinite(growth), growth, np.nan)
    carried = np.clip(np.nan_to_num(growth, nan=0.0) * GROWTH_CARRIED, -GROWTH_CAP, GROWTH_CAP)
    india_km = np.array([km_from_india.get(str(m), np.nan) for m in markets])[j]
    with np.errstate(invalid="ignore", divide="ignore"):
        distance_factor = (india_km / cells.supplier_km) ** DISTANCE_ELASTICITY
    distance_factor = np.where(np.isfinite(distance_factor), distance_factor, 1.0)
    demand = imports * (1.0 + carried) * distance_factor

    # Ease of trade: India's exports to j over what its supply shares predict there.
    actual_to_market = _sum(j, weights=india_known, minlength=len(markets))
    predicted = _sum(
        j, weights=np.where(known, supply * np.nan_to_num(imports), 0.0), minlength=len(markets)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        ease_of_market = np.where(predicted > 0, actual_to_market / predicted, np.nan)
    ease = ease_of_market[j]

    potential = supply * demand * ease
    potential = np.where(known, potential, np.nan)
    untapped = np.maximum(potential - cells.india, 0.0)
    return Potential(
        supply_share=supply,
        growth=growth,
        distance_factor=distance_factor,
        demand=np.where(known, demand, np.nan),
        ease=np.where(known, ease, np.nan),
        potential=potential,
        untapped=np.where(known, untapped, np.nan),
    )


def with_india_national(cells: Cells, national: dict[tuple[str, str], float]) -> Cells:
    """Cells for markets whose imports the matrix lacks, holding India's exports from India's own
    statistics (`national`: (market, HS6) → US$); their imports stay unknown (NaN)."""
    covered = set(np.unique(cells.market).tolist())
    extra = sorted(key for key in national if key[0] not in covered)
    if not extra:
        return cells
    nan = np.full(len(extra), np.nan)
    return Cells(
        market=np.concatenate([cells.market, np.array([m for m, _ in extra], dtype=str)]),
        product=np.concatenate([cells.product, np.array([p for _, p in extra], dtype=str)]),
        imports=np.concatenate([cells.imports, nan]),
        imports_earlier=np.concatenate([cells.imports_earlier, nan]),
        india=np.concatenate([cells.india, np.array([national[key] for key in extra])]),
        supplier_km=np.concatenate([cells.supplier_km, nan]),
        competitors=[*cells.competitors, *({} for _ in extra)],
        years=cells.years,
    )
