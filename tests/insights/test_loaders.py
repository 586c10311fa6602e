"""Loading BACI and UN Comtrade files, and the data shipped with Niryat."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from niryat.core.models import AuditEntry
from niryat.insights.models import MarketPotential, TradeDataset
from niryat.insights.tradefiles import (
    DEFAULT_CELLS,
    DEFAULT_INDIA_SIX,
    read_cells,
    read_india_national,
)

FIXTURES = Path(__file__).parent / "fixtures"
BACI_2024 = FIXTURES / "baci_hs17_2024_sample.csv"
BACI_2022 = FIXTURES / "baci_hs17_2022_sample.csv"


def cell(market: str, hs6: str) -> MarketPotential:
    return MarketPotential.objects.get(market=market, hs6=hs6)


@pytest.mark.django_db
def test_a_baci_year_with_an_earlier_one_loads_with_growth_and_competitors() -> None:
    call_command("load_trade_data", baci=BACI_2024, earlier=BACI_2022, stdout=None)

    dataset = TradeDataset.objects.get()
    assert (dataset.kind, dataset.year, dataset.growth_years) == ("baci", 2024, 2)
    uae = cell("ARE", "691310")
    # BACI values are in thousand US$.
    assert (uae.imports_usd, uae.india_usd) == (400_000.0, 100_000.0)
    assert uae.competitors == {"CHN": 300_000.0}
    assert uae.supply_share == pytest.approx(200 / 600)
    assert uae.potential_usd is not None
    assert uae.potential_usd > 0
    assert cell("ARE", "691390").growth == pytest.approx(1.0)
    assert MarketPotential.objects.count() == 6
    assert AuditEntry.objects.filter(action="insights.trade_data_loaded").count() == 1


@pytest.mark.django_db
def test_comtrade_imports_win_over_mirror_exports_and_world_rows_are_skipped() -> None:
    call_command(
        "load_trade_data",
        comtrade=FIXTURES / "comtrade_2024_sample.csv",
        earlier=FIXTURES / "comtrade_legacy_2019_sample.csv",
        stdout=None,
    )

    dataset = TradeDataset.objects.get()
    assert (dataset.kind, dataset.year, dataset.growth_years) == ("comtrade", 2024, 5)
    uae = cell("ARE", "691310")
    # The UAE reported 100,000 from India; India's 98,000 to the UAE is the mirror, not used.
    assert (uae.imports_usd, uae.india_usd) == (400_000.0, 100_000.0)
    assert uae.imports_earlier_usd == 330_000.0  # the legacy-format 2019 file
    # Nepal reported no imports from India: India's reported exports fill the pair.
    nepal = cell("NPL", "691310")
    assert (nepal.imports_usd, nepal.india_usd) == (200_000.0, 100_000.0)
    assert MarketPotential.objects.count() == 2  # the World and heading rows are not cells


@pytest.mark.django_db
def test_india_s_own_statistics_fill_markets_the_file_lacks() -> None:
    national = FIXTURES / "india_national_sample.csv"
    call_command(
        "load_trade_data", baci=BACI_2024, india_national=national, india_fy=2024, stdout=None
    )

    usa = cell("USA", "691310")
    assert usa.india_usd == 1_250_000.0
    assert usa.india_source == MarketPotential.IndiaSource.NATIONAL
    assert (usa.imports_usd, usa.potential_usd) == (None, None)
    assert TradeDataset.objects.get().markets_without_imports == ["USA"]
    assert "FY2024-25" in TradeDataset.objects.get().source


@pytest.mark.django_db
def test_a_bad_file_loads_nothing_and_keeps_the_data_already_loaded() -> None:
    call_command("load_trade_data", baci=BACI_2024, stdout=None)
    before = list(MarketPotential.objects.values_list("market", "hs6", "potential_usd"))

    with pytest.raises(CommandError, match=r"baci_bad_sample.csv, line 3: v is not a number"):
        call_command("load_trade_data", baci=FIXTURES / "baci_bad_sample.csv", stdout=None)

    assert list(MarketPotential.objects.values_list("market", "hs6", "potential_usd")) == before


@pytest.mark.django_db
def test_a_file_in_another_format_is_refused_by_name() -> None:
    with pytest.raises(CommandError, match="is not a BACI file"):
        call_command("load_trade_data", baci=FIXTURES / "comtrade_2024_sample.csv", stdout=None)
    assert not TradeDataset.objects.exists()


def test_the_shipped_default_holds_220_markets_and_india_s_six() -> None:
    cells = read_cells(DEFAULT_CELLS, years=8)
    assert len(set(cells.market.tolist())) == 220
    assert not {"USA", "DEU", "GBR", "FRA", "NLD", "ESP"} & set(cells.market.tolist())
    assert not any(math.isnan(value) for value in cells.imports)
    national = read_india_national(DEFAULT_INDIA_SIX, 2024)
    assert national.year_label == "FY2024-25"
    # SOURCES.md's check: carpets (chapter 57) to the USA in FY2024-25, US$ 834.5 million.
    carpets = sum(v for (m, hs6), v in national.values.items() if m == "USA" and hs6[:2] == "57")
    assert carpets == pytest.approx(834.5e6, rel=1e-3)


@pytest.mark.django_db
def test_setup_loads_the_default_only_when_no_data_is_loaded() -> None:
    call_command("load_trade_data", baci=BACI_2024, stdout=None)

    call_command("load_trade_data", if_empty=True, stdout=None)

    assert TradeDataset.objects.get().kind == TradeDataset.Kind.BACI
    assert MarketPotential.objects.count() == 6


@pytest.mark.django_db
def test_parquet_without_pyarrow_is_refused_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)

    with pytest.raises(CommandError, match="Reading Parquet needs the pyarrow library"):
        call_command("load_trade_data", parquet=FIXTURES / "missing.parquet", stdout=None)
    assert not TradeDataset.objects.exists()
