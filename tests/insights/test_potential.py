"""The EPI terms against values computed by hand on a tiny matrix (see each test's arithmetic)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from niryat.insights.potential import (
    Cells,
    Flows,
    aggregate_flows,
    compute_potential,
    with_india_national,
)

# Two markets (UAE, Nepal), two suppliers (India, China), two terracotta HS6 codes, two years apart.
FLOWS = [
    # importer, exporter, HS6, value now, value two years before
    ("ARE", "CHN", "691310", 300.0, 300.0),
    ("ARE", "IND", "691310", 100.0, 100.0),
    ("ARE", "CHN", "691390", 100.0, 25.0),
    ("NPL", "IND", "691310", 100.0, 100.0),
    ("NPL", "CHN", "691310", 100.0, 100.0),
    ("NPL", "CHN", "691390", 100.0, 100.0),
]
DISTANCES = {
    ("IND", "ARE"): 2000.0,
    ("CHN", "ARE"): 6000.0,
    ("IND", "NPL"): 1000.0,
    ("CHN", "NPL"): 3000.0,
}
KM_FROM_INDIA = {"ARE": 2000.0, "NPL": 1000.0}


def tiny_cells() -> Cells:
    return aggregate_flows(
        Flows(
            importer=[f[0] for f in FLOWS],
            exporter=[f[1] for f in FLOWS],
            product=[f[2] for f in FLOWS],
            value=np.array([f[3] for f in FLOWS]),
            earlier=np.array([f[4] for f in FLOWS]),
            years=2,
        ),
        DISTANCES,
    )


def cell(cells: Cells, market: str, product: str) -> int:
    matches = np.flatnonzero((cells.market == market) & (cells.product == product))
    assert len(matches) == 1
    return int(matches[0])


def test_cells_sum_imports_india_suppliers_distance_and_competitors() -> None:
    cells = tiny_cells()
    n = cell(cells, "ARE", "691310")
    assert cells.imports[n] == 400.0
    assert cells.imports_earlier[n] == 400.0
    assert cells.india[n] == 100.0
    # (300 × 6000 + 100 × 2000) / 400
    assert cells.supplier_km[n] == 5000.0
    assert cells.competitors[n] == {"CHN": 300.0}
    assert len(cells.market) == 4


def test_epi_terms_match_the_hand_computation() -> None:
    cells = tiny_cells()
    terms = compute_potential(cells, KM_FROM_INDIA)
    are, npl = cell(cells, "ARE", "691310"), cell(cells, "NPL", "691310")
    are_other = cell(cells, "ARE", "691390")

    # Supply of 691310: India sells 100 + 100 of the 400 + 200 all markets import.
    assert terms.supply_share[are] == pytest.approx(1 / 3)
    assert terms.supply_share[are_other] == 0.0
    # Distance: UAE's suppliers of 691310 are 5000 km away on average, India 2000: (2000/5000)^-1.
    assert terms.distance_factor[are] == pytest.approx(2.5)
    # Nepal's: (100 × 1000 + 100 × 3000) / 200 = 2000 km, India 1000: (1000/2000)^-1.
    assert terms.distance_factor[npl] == pytest.approx(2.0)
    # Growth of UAE's 691390 imports: 25 → 100 in two years, 100 % a year; half is carried
    # forward, capped at 25 %: demand = 100 × 1.25 × (2000/6000)^-1.
    assert terms.growth[are_other] == pytest.approx(1.0)
    assert terms.demand[are_other] == pytest.approx(375.0)
    assert terms.demand[are] == pytest.approx(1000.0)
    # Ease of trade: India sells 100 to the UAE where its shares predict 1/3 × 400 (+ 0 × 100);
    # 100 to Nepal where they predict 1/3 × 200.
    assert terms.ease[are] == pytest.approx(0.75)
    assert terms.ease[npl] == pytest.approx(1.5)
    # Potential = supply × demand × ease; untapped = potential − India's exports now.
    assert terms.potential[are] == pytest.approx(250.0)
    assert terms.untapped[are] == pytest.approx(150.0)
    assert terms.potential[npl] == pytest.approx(200.0)  # 1/3 × (200 × 2) × 1.5
    assert terms.untapped[npl] == pytest.approx(100.0)
    assert terms.potential[are_other] == 0.0  # India does not supply 691390 at all


def test_a_market_with_only_india_s_own_statistics_gets_no_potential() -> None:
    cells = with_india_national(tiny_cells(), {("USA", "691310"): 70.0})
    terms = compute_potential(cells, {**KM_FROM_INDIA, "USA": 11762.0})
    usa = cell(cells, "USA", "691310")
    assert cells.india[usa] == 70.0
    assert math.isnan(cells.imports[usa])
    assert math.isnan(terms.potential[usa])
    assert math.isnan(terms.untapped[usa])
    # The other markets' terms are as before: the USA's exports do not enter the supply share.
    assert terms.potential[cell(cells, "ARE", "691310")] == pytest.approx(250.0)


def test_flow_growth_is_weighted_by_value_and_capped() -> None:
    cells = aggregate_flows(
        Flows(
            importer=["ARE", "ARE"],
            exporter=["CHN", "IND"],
            product=["691310", "691310"],
            value=np.array([300.0, 100.0]),
            earlier=np.full(2, np.nan),
            years=8,
            # China's flow grew 10 % a year; India's "200,000 %" (from nothing) counts as 100 %.
            growth=np.array([0.10, 2000.0]),
        ),
        DISTANCES,
    )
    growth = (cells.imports[0] / cells.imports_earlier[0]) ** (1 / 8) - 1
    assert growth == pytest.approx((300 * 0.10 + 100 * 1.0) / 400)
