"""Writes of insights: loading trade data and computing the export potential from it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from niryat.core.audit import record_audit
from niryat.core.countries import km_from_india
from niryat.core.models import District, User
from niryat.insights import summaries
from niryat.insights.models import (
    MarketPotential,
    SummaryFreshness,
    SummaryRun,
    TradeDataset,
)
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


def do_refresh_summaries(*, full: bool = False, acting_user: User | None = None) -> SummaryRun:
    """Bring the dashboards' figures up to date: the changes since the last finished run, or
    every figure when `full` (or when there was no run before). Every district's freshness
    becomes the time this run started: what changed after it waits for the next run."""
    started = timezone.now()
    last = SummaryRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    full = full or last is None
    since = None if full or last is None else last.started_at
    with transaction.atomic():
        run = SummaryRun.objects.create(
            kind=SummaryRun.Kind.FULL if full else SummaryRun.Kind.CHANGES,
            since=since,
            started_at=started,
        )
        if since is None:
            rows = summaries.replace_monthly(None, None) + summaries.replace_snapshots(None)
        else:
            months, snapshot_districts = summaries.changed_cells(since)
            rows = 0
            for month, districts in sorted(months.items()):
                rows += summaries.replace_monthly(districts, (month, summaries.next_month(month)))
            if snapshot_districts:
                rows += summaries.replace_snapshots(snapshot_districts)
        district_ids = list(District.objects.values_list("pk", flat=True))
        SummaryFreshness.objects.filter(district_id__in=district_ids).update(refreshed_at=started)
        missing = set(district_ids) - set(
            SummaryFreshness.objects.values_list("district_id", flat=True)
        )
        SummaryFreshness.objects.bulk_create(
            [SummaryFreshness(district_id=d, refreshed_at=started) for d in missing]
        )
        run.finished_at = timezone.now()
        run.rows = rows
        run.save(update_fields=["finished_at", "rows"])
        record_audit(
            actor=acting_user,
            action="insights.summaries_full" if full else "insights.summaries_changes",
            obj=run,
            changes={"rows": rows},
        )
    return run
