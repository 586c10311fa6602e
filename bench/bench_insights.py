"""Export potential (niryat/insights/potential.py) for all HS6 × all markets, against the same
computation written directly in numpy, in the same run; the two must agree to 1e-9.

1. The EPI terms of every (market, HS6) cell of the shipped default (220 markets with imports plus
   the six with India's figures only, 807 HS6 codes: 134,726 cells), from the cells already read:
   `compute_potential` against a dense market × product matrix version.
2. From bilateral flows to the potential (`aggregate_flows` + `compute_potential`: sums, growth,
   supplier distance, top three competitors), on a synthetic matrix shaped like the shipped one
   (224 exporters with CEPII distances, 220 importers, 791 HS6): `--scale 1` is its 1,935,230 flows.
"""

from __future__ import annotations

import numpy as np

from bench.generate import scaled
from bench.harness import Result, Target, compare
from niryat.core.countries import km_from_india
from niryat.insights.potential import (
    COMPETITORS_KEPT,
    DISTANCE_ELASTICITY,
    FLOW_GROWTH_RANGE,
    GROWTH_CAP,
    GROWTH_CARRIED,
    INDIA,
    Cells,
    Flows,
    aggregate_flows,
    compute_potential,
    with_india_national,
)
from niryat.insights.tradefiles import (
    DEFAULT_CELLS,
    DEFAULT_INDIA_SIX,
    distances,
    read_cells,
    read_india_national,
)

FLOWS_AT_FULL_SCALE = 1_935_230
IMPORTERS, EXPORTERS, PRODUCTS = 220, 226, 791


def direct_potential(cells: Cells, km_india: dict[str, float]) -> np.ndarray:
    """The EPI written straight on a dense market × product matrix."""
    markets, j = np.unique(cells.market, return_inverse=True)
    products, k = np.unique(cells.product, return_inverse=True)
    shape = (len(markets), len(products))
    imports = np.full(shape, np.nan)
    imports[j, k] = cells.imports
    earlier = np.full(shape, np.nan)
    earlier[j, k] = cells.imports_earlier
    india = np.zeros(shape)
    india[j, k] = cells.india
    supplier_km = np.full(shape, np.nan)
    supplier_km[j, k] = cells.supplier_km
    known = ~np.isnan(imports)
    india_known = np.where(known, india, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        world = np.nansum(imports, axis=0)
        supply = np.where(world > 0, india_known.sum(axis=0) / world, 0.0)[None, :]
        growth = (imports / earlier) ** (1.0 / cells.years) - 1.0
        carried = np.clip(
            np.where(np.isfinite(growth), growth, 0.0) * GROWTH_CARRIED, -GROWTH_CAP, GROWTH_CAP
        )
        ours = np.array([km_india.get(str(m), np.nan) for m in markets])[:, None]
        factor = (ours / supplier_km) ** DISTANCE_ELASTICITY
        factor = np.where(np.isfinite(factor), factor, 1.0)
        predicted = np.nansum(np.where(known, supply * imports, 0.0), axis=1)
        ease = np.where(predicted > 0, india_known.sum(axis=1) / predicted, np.nan)[:, None]
        potential = np.where(known, supply * imports * (1 + carried) * factor * ease, np.nan)
    return potential[j, k]


def synthetic_flows(n: int, seed: int = 15) -> Flows:
    """Flows over real country codes (so that distances apply), with India among the exporters."""
    rng = np.random.default_rng(seed)
    codes = sorted({origin for origin, _ in distances()})
    exporters = np.array([INDIA, *[c for c in codes if c != INDIA][: EXPORTERS - 1]])
    last = len(exporters) - 1
    importers = np.array([c for c in codes if c != INDIA][:IMPORTERS])
    products = np.array([f"{610000 + p:06d}" for p in range(PRODUCTS)])
    return Flows(
        importer=importers[rng.integers(0, IMPORTERS, n)],
        exporter=exporters[np.minimum(rng.zipf(1.6, n) - 1, last)],
        product=products[rng.integers(0, PRODUCTS, n)],
        value=rng.lognormal(10, 2.5, n),
        earlier=np.full(n, np.nan),
        years=8,
        growth=rng.normal(0.05, 0.3, n),
    )


def direct_from_flows(flows: Flows, km_table: dict[tuple[str, str], float]) -> Cells:
    """`aggregate_flows` written directly: dense sums, np.add.at-free bincounts on (j, k)."""
    markets, j = np.unique(np.asarray(flows.importer), return_inverse=True)
    exporters, i = np.unique(np.asarray(flows.exporter), return_inverse=True)
    products, k = np.unique(np.asarray(flows.product), return_inverse=True)
    n_cells = len(markets) * len(products)
    cell = j * len(products) + k
    value = flows.value
    imports = np.bincount(cell, value, n_cells)
    growth = np.clip(np.nan_to_num(flows.growth), *FLOW_GROWTH_RANGE)  # type: ignore[arg-type]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_growth = np.bincount(cell, value * growth, n_cells) / imports
    earlier = imports / (1 + mean_growth) ** flows.years
    is_india = exporters[i] == INDIA
    india = np.bincount(cell[is_india], value[is_india], n_cells)
    origin = {code: n for n, code in enumerate(exporters)}
    destination = {code: n for n, code in enumerate(markets)}
    pair_km = np.full((len(exporters), len(markets)), np.nan)
    for (o, d), km in km_table.items():
        if o in origin and d in destination:
            pair_km[origin[o], destination[d]] = km
    km = pair_km[i, j]
    has = ~np.isnan(km)
    with np.errstate(invalid="ignore", divide="ignore"):
        supplier_km = np.bincount(cell[has], value[has] * km[has], n_cells) / np.bincount(
            cell[has], value[has], n_cells
        )
    others = np.flatnonzero(~is_india)
    order = others[np.lexsort((-value[others], cell[others]))]
    first = np.r_[True, cell[order][1:] != cell[order][:-1]]
    rank = np.arange(len(order)) - np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    top = order[rank < COMPETITORS_KEPT]
    competitors: dict[int, dict[str, float]] = {}
    for c, e, v in zip(
        cell[top].tolist(), exporters[i[top]].tolist(), value[top].tolist(), strict=True
    ):
        competitors.setdefault(c, {})[e] = v
    present = np.flatnonzero((imports > 0) | (india > 0))
    return Cells(
        market=markets[present // len(products)],
        product=products[present % len(products)],
        imports=imports[present],
        imports_earlier=earlier[present],
        india=india[present],
        supplier_km=supplier_km[present],
        competitors=[competitors.get(int(c), {}) for c in present],
        years=flows.years,
    )


def run(scale: float) -> list[Result]:
    km_india = km_from_india()
    cells = with_india_national(
        read_cells(DEFAULT_CELLS, years=8), read_india_national(DEFAULT_INDIA_SIX, 2024).values
    )
    ours = compute_potential(cells, km_india).potential
    theirs = direct_potential(cells, km_india)
    assert np.allclose(ours, theirs, rtol=1e-9, equal_nan=True), "the two EPIs disagree"
    measured, baseline = compare(
        lambda: compute_potential(cells, km_india),
        lambda: direct_potential(cells, km_india),
        repeat=30,
        warmup=2,
    )
    n_cells = len(cells.market)
    results = [
        Result(
            "insights: export potential, all HS6 × all markets",
            f"{n_cells:,} cells ({len(set(cells.market.tolist()))} markets × "
            f"{len(set(cells.product.tolist()))} HS6, shipped 2024 data)",
            measured,
            baseline,
            "the same EPI written directly on a dense numpy market × product matrix",
            target=Target("ratio", 1.5),
            note=f"{measured.p50_ms / 1000:.3f} s per run; {measured.n} runs each",
        )
    ]

    flows = synthetic_flows(max(10_000, scaled(FLOWS_AT_FULL_SCALE, scale)))
    km_table = distances()
    check_ours = aggregate_flows(flows, km_table)
    check_theirs = direct_from_flows(flows, km_table)
    assert np.allclose(check_ours.imports, check_theirs.imports)
    assert np.allclose(check_ours.supplier_km, check_theirs.supplier_km, equal_nan=True)
    assert check_ours.competitors == check_theirs.competitors

    def from_flows() -> object:
        return compute_potential(aggregate_flows(flows, km_table), km_india)

    def direct() -> object:
        return direct_potential(direct_from_flows(flows, km_table), km_india)

    measured, baseline = compare(from_flows, direct, repeat=5, warmup=1, max_seconds=1.0)
    results.append(
        Result(
            "insights: flows → export potential (sums, distances, competitors, EPI)",
            f"{len(flows.value):,} synthetic flows (224 exporters × 220 importers × 791 HS6)",
            measured,
            baseline,
            "the same aggregation and EPI written directly in numpy",
            target=Target("ratio", 1.5),
            note=f"{measured.p50_ms / 1000:.2f} s per run; {measured.n} runs each",
        )
    )
    return results
