"""Writes of insights: loading trade data and computing the export potential from it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import transaction

from niryat.core.audit import record_audit
from niryat.core.models import User
from niryat.insights.countries import km_from_india
from niryat.insights.models import MarketPotential, TradeDataset
from niryat.insights.potential import Cells, compute_potential, with_india_national
from niryat.insights.tradefiles import IndiaNational

BATCH = 5000


@dataclass(frozen=True)
class LoadedTrade:
    dataset: TradeDataset
    cells: int
    markets: int
    products: int


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


@transaction.atomic
def do_load_trade_data(
    cells: Cells,
    *,
    kind: str,
    source: str,
    year: int,
    india_national: IndiaNational | None = None,
    acting_user: User | None,
) -> LoadedTrade:
    """Replace the trade data with `cells`, compute the export potential of every cell and save
    both, in one transaction: a failed load leaves the data as it was.

    `india_national` fills India's exports to the markets the matrix has no imports for.
    """
    from_matrix = set(cells.market.tolist())
    if india_national is not None:
        cells = with_india_national(cells, india_national.values)
    without_imports = sorted(set(cells.market.tolist()) - from_matrix)
    terms = compute_potential(cells, km_from_india())

    TradeDataset.objects.all().delete()
    dataset = TradeDataset.objects.create(
        kind=kind,
        source=source,
        year=year,
        growth_years=cells.years,
        markets_without_imports=without_imports,
        loaded_by=acting_user if acting_user is not None and acting_user.pk else None,
    )
    records = [
        MarketPotential(
            dataset=dataset,
            market=str(cells.market[n]),
            hs6=str(cells.product[n]),
            imports_usd=_number(cells.imports[n]),
            imports_earlier_usd=_number(cells.imports_earlier[n]),
            india_usd=_number(cells.india[n]),
            india_source=(
                MarketPotential.IndiaSource.NATIONAL
                if str(cells.market[n]) in without_imports
                else MarketPotential.IndiaSource.MATRIX
            ),
            supplier_km=_number(cells.supplier_km[n]),
            competitors=cells.competitors[n],
            supply_share=_number(terms.supply_share[n]),
            growth=_number(terms.growth[n]),
            distance_factor=_number(terms.distance_factor[n]),
            ease=_number(terms.ease[n]),
            demand_usd=_number(terms.demand[n]),
            potential_usd=_number(terms.potential[n]),
            untapped_usd=_number(terms.untapped[n]),
        )
        for n in range(len(cells.market))
    ]
    MarketPotential.objects.bulk_create(records, batch_size=BATCH)
    loaded = LoadedTrade(
        dataset=dataset,
        cells=len(records),
        markets=len(set(cells.market.tolist())),
        products=len(set(cells.product.tolist())),
    )
    record_audit(
        actor=acting_user,
        action="insights.trade_data_loaded",
        obj=dataset,
        changes={
            "kind": kind,
            "year": year,
            "cells": loaded.cells,
            "markets": loaded.markets,
            "products": loaded.products,
        },
    )
    return loaded
