"""Load trade data and compute the export potential from it.

    manage.py load_trade_data                         # the data shipped in niryat/insights/data
    manage.py load_trade_data --if-empty              # the same, unless data is loaded already
    manage.py load_trade_data --baci BACI_HS17_Y2024_V202501.csv \
        --earlier BACI_HS17_Y2016_V202501.csv
    manage.py load_trade_data --comtrade comtrade_2024.csv [--earlier comtrade_2019.csv]
    manage.py load_trade_data --parquet matrix.parquet   # needs pyarrow

India's own statistics (EIDB) fill India's exports to the markets whose imports the file lacks:
`--india-national FILE --india-fy 2024` (the shipped file is used with the shipped default).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from niryat.insights.actions import do_load_trade_data
from niryat.insights.models import TradeDataset
from niryat.insights.potential import aggregate_flows
from niryat.insights.tradefiles import (
    DEFAULT_CELLS,
    DEFAULT_INDIA_SIX,
    DEFAULT_META,
    TradeFileError,
    distances,
    read_baci,
    read_cells,
    read_comtrade,
    read_india_national,
    read_parquet,
)

INDIA_NATIONAL_SOURCE = (
    "India's exports to the markets missing from the matrix: DGCI&S via the Export Import Data "
    "Bank, %(fy)s, as gathered by GitHub dassoumyajitsenrysa-dataminer/tradestat-ingestor "
    "(commit a89970e4648269892b75793541cc8c18058eeb33)."
)


class Command(BaseCommand):
    help = (
        "Load trade data (BACI, UN Comtrade, Parquet or the shipped default) and compute "
        "the export potential."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--baci", type=Path, help="a BACI CSV file (t,i,j,k,v,q), one year")
        source.add_argument("--comtrade", type=Path, help="a UN Comtrade CSV download, one year")
        source.add_argument("--parquet", type=Path, help="a bilateral matrix in Parquet")
        parser.add_argument("--earlier", type=Path, help="the same format, an earlier year")
        parser.add_argument("--india-national", type=Path, help="India's exports by HS6 (EIDB)")
        parser.add_argument("--india-fy", type=int, help="financial year start, e.g. 2024")
        parser.add_argument("--source", default="", help="where the file came from, for the pages")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="load nothing if trade data is loaded already (for `make setup`)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and TradeDataset.objects.exists():
            self.stdout.write(f"Trade data is loaded already ({TradeDataset.objects.current()}).")
            return
        try:
            self._load(options)
        except TradeFileError as exc:
            raise CommandError(str(exc)) from exc

    def _load(self, options: dict[str, Any]) -> None:
        national_path: Path | None = options["india_national"]
        fy: int | None = options["india_fy"]
        if options["baci"] or options["comtrade"] or options["parquet"]:
            if options["baci"]:
                kind = TradeDataset.Kind.BACI
                year, flows = read_baci(options["baci"], options["earlier"])
            elif options["comtrade"]:
                kind = TradeDataset.Kind.COMTRADE
                year, flows = read_comtrade(options["comtrade"], options["earlier"])
            else:
                kind = TradeDataset.Kind.PARQUET
                year, flows = read_parquet(options["parquet"])
            cells = aggregate_flows(flows, distances())
            file: Path = options["baci"] or options["comtrade"] or options["parquet"]
            source = options["source"] or file.name
        else:
            kind = TradeDataset.Kind.DEFAULT
            meta = json.loads(DEFAULT_META.read_text(encoding="utf-8"))
            year, source = meta["year"], meta["source"]
            cells = read_cells(DEFAULT_CELLS, meta["years"])
            national_path = national_path or DEFAULT_INDIA_SIX
        national = None
        if national_path is not None:
            national = read_india_national(national_path, fy or year)
            source += " " + INDIA_NATIONAL_SOURCE % {"fy": national.year_label}
        loaded = do_load_trade_data(
            cells, kind=kind, source=source, year=year, india_national=national, acting_user=None
        )
        self.stdout.write(
            f"Loaded {loaded.cells} market × product cells: {loaded.markets} markets, "
            f"{loaded.products} HS6 codes, {year}."
        )
