"""Readers for the trade files a state can load, and for the data shipped in `data/`.

* CEPII BACI: `t,i,j,k,v,q` (exporter i, importer j as BACI's numeric country codes, HS6 k,
  v in thousand US$). https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37
* UN Comtrade: a CSV download, in the current API's columns (`refYear, reporterISO, partnerISO,
  cmdCode, flowCode, primaryValue`) or the legacy site's (`Year, Reporter ISO, Partner ISO,
  Commodity Code, Trade Flow, Trade Value (US$)`). Imports are read as reported by the importer;
  exports fill, as mirror flows, only the pairs no importer reported.
* A bilateral matrix in Parquet (`importer, exporter, sh6, value, cagr_8y`), as the shipped default
  came; reading it needs pyarrow, which Niryat does not require.
* India's own export statistics (DGCI&S/EIDB) by HS6, market and financial year, in US$ million.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

import numpy as np
from django.utils.translation import gettext as _

from niryat.insights.potential import Cells, Flows

DATA = Path(__file__).parent / "data"
DEFAULT_CELLS = DATA / "trade_craft_hs6_2024_cells.csv.gz"
DEFAULT_META = DATA / "trade_craft_hs6_2024_cells.json"
DEFAULT_INDIA_SIX = DATA / "india_exports_to_six_hs6_eidb.csv.gz"
WORLD = {"WLD", "W00", "0", ""}


class TradeFileError(ValueError):
    """A file that cannot be read as the format it claims; the message says where and why."""


@dataclass
class IndiaNational:
    """India's exports by (market, HS6) in US$, from India's own statistics, for one year."""

    values: dict[tuple[str, str], float]
    year_label: str


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with _open_text(path) as handle:
            yield from enumerate(csv.DictReader(handle), start=2)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise TradeFileError(
            _("%(file)s cannot be read: %(error)s") % {"file": path.name, "error": exc}
        ) from exc


def _number(path: Path, line: int, column: str, text: str) -> float:
    try:
        value = float(text.replace(",", "")) if text.strip() else math.nan
    except ValueError:
        value = math.nan
    if math.isnan(value) or value < 0:
        raise TradeFileError(
            _("%(file)s, line %(line)d: %(column)s is not a number (%(text)s).")
            % {"file": path.name, "line": line, "column": column, "text": text}
        )
    return value


def _hs6(text: str) -> str | None:
    code = text.strip()
    if code.isdigit() and len(code) == 5:  # a leading zero lost by a spreadsheet
        code = "0" + code
    return code if code.isdigit() and len(code) == 6 else None


@cache
def baci_countries() -> dict[str, str]:
    """BACI's numeric country code → ISO alpha-3 (data/baci_country_codes.csv, BACI V202201)."""
    with (DATA / "baci_country_codes.csv").open(encoding="utf-8-sig") as handle:
        return {r["country_code"]: r["iso_3digit_alpha"] for r in csv.DictReader(handle)}


@cache
def distances() -> dict[tuple[str, str], float]:
    """Kilometres between the most populated cities of two countries (CEPII GeoDist `dist`)."""
    with gzip.open(DATA / "distances_cepii.csv.gz", "rt", encoding="utf-8") as handle:
        return {(r["iso_o"], r["iso_d"]): float(r["km"]) for r in csv.DictReader(handle)}


def _flows(
    rows: list[tuple[str, str, str, float]], earlier: dict[tuple[str, str, str], float], years: int
) -> Flows:
    return Flows(
        importer=[r[0] for r in rows],
        exporter=[r[1] for r in rows],
        product=[r[2] for r in rows],
        value=np.array([r[3] for r in rows], dtype=np.float64),
        earlier=np.array(
            [earlier.get((r[0], r[1], r[2]), 0.0 if earlier else math.nan) for r in rows]
        ),
        years=years,
    )


def _read_baci(path: Path) -> tuple[int, list[tuple[str, str, str, float]]]:
    codes = baci_countries()
    years: set[int] = set()
    rows: list[tuple[str, str, str, float]] = []
    for line, row in _rows(path):
        missing = {"t", "i", "j", "k", "v"} - set(row)
        if missing:
            raise TradeFileError(
                _("%(file)s is not a BACI file: it lacks the columns %(columns)s.")
                % {"file": path.name, "columns": ", ".join(sorted(missing))}
            )
        exporter, importer = codes.get(row["i"].strip()), codes.get(row["j"].strip())
        product = _hs6(row["k"])
        if exporter is None or importer is None or product is None:
            raise TradeFileError(
                _("%(file)s, line %(line)d: unknown country or HS code (%(row)s).")
                % {"file": path.name, "line": line, "row": ",".join(row.values())}
            )
        years.add(int(_number(path, line, "t", row["t"])))
        rows.append((importer, exporter, product, _number(path, line, "v", row["v"]) * 1000))
    if len(years) != 1:
        raise TradeFileError(
            _("%(file)s must hold exactly one year; it holds %(count)d.")
            % {"file": path.name, "count": len(years)}
        )
    return years.pop(), rows


def read_baci(path: Path, earlier_path: Path | None = None) -> tuple[int, Flows]:
    """One BACI year, and optionally an earlier year for market growth."""
    year, rows = _read_baci(path)
    earlier: dict[tuple[str, str, str], float] = {}
    years = 1
    if earlier_path is not None:
        earlier_year, earlier_rows = _read_baci(earlier_path)
        years = year - earlier_year
        if years <= 0:
            raise TradeFileError(_("The earlier file must hold an earlier year."))
        for importer, exporter, product, value in earlier_rows:
            earlier[(importer, exporter, product)] = value
    return year, _flows(rows, earlier, years)


COMTRADE_COLUMNS = {
    # ours: (current API, legacy site, the DERIVED extracts in shared data)
    "year": ("refYear", "Year", "year"),
    "reporter": ("reporterISO", "Reporter ISO", "reporter_iso3"),
    "partner": ("partnerISO", "Partner ISO", "partner_iso3"),
    "code": ("cmdCode", "Commodity Code", "hs_code"),
    "flow": ("flowCode", "Trade Flow", "flow"),
    "value": ("primaryValue", "Trade Value (US$)", "trade_value_usd"),
}


def _read_comtrade(path: Path) -> tuple[int, list[tuple[str, str, str, float]]]:
    imports: dict[tuple[str, str, str], float] = {}
    mirrors: dict[tuple[str, str, str], float] = {}
    years: set[int] = set()
    columns: dict[str, str] | None = None
    for line, row in _rows(path):
        if columns is None:
            for variant in range(3):
                if all(names[variant] in row for names in COMTRADE_COLUMNS.values()):
                    columns = {ours: names[variant] for ours, names in COMTRADE_COLUMNS.items()}
                    break
            else:
                raise TradeFileError(
                    _("%(file)s is not a UN Comtrade download: it lacks %(columns)s.")
                    % {
                        "file": path.name,
                        "columns": ", ".join(n[0] for n in COMTRADE_COLUMNS.values()),
                    }
                )
        product = _hs6(row[columns["code"]])
        reporter, partner = row[columns["reporter"]].strip(), row[columns["partner"]].strip()
        if product is None or reporter in WORLD or partner in WORLD:
            continue  # chapter and heading totals, trade with "World"
        flow = row[columns["flow"]].strip().lower()
        value = _number(path, line, columns["value"], row[columns["value"]])
        years.add(int(_number(path, line, columns["year"], row[columns["year"]])))
        if flow in {"m", "import"}:
            imports[(reporter, partner, product)] = value
        elif flow in {"x", "export"}:
            mirrors[(partner, reporter, product)] = value
    if len(years) != 1:
        raise TradeFileError(
            _("%(file)s must hold exactly one year; it holds %(count)d.")
            % {"file": path.name, "count": len(years)}
        )
    for key, value in mirrors.items():
        imports.setdefault(key, value)
    return years.pop(), [(*key, value) for key, value in imports.items()]


def read_comtrade(path: Path, earlier_path: Path | None = None) -> tuple[int, Flows]:
    """One Comtrade year (HS6 rows only), and optionally an earlier year for market growth."""
    year, rows = _read_comtrade(path)
    earlier: dict[tuple[str, str, str], float] = {}
    years = 1
    if earlier_path is not None:
        earlier_year, earlier_rows = _read_comtrade(earlier_path)
        years = year - earlier_year
        if years <= 0:
            raise TradeFileError(_("The earlier file must hold an earlier year."))
        earlier = {(r[0], r[1], r[2]): r[3] for r in earlier_rows}
    return year, _flows(rows, earlier, years)


def read_parquet(path: Path) -> tuple[int, Flows]:
    """The bilateral matrix in Parquet: `year, importer, exporter, sh6, value, cagr_8y`."""
    try:
        import pyarrow.parquet as pq  # optional: only this format needs it
    except ImportError as exc:
        raise TradeFileError(
            _("Reading Parquet needs the pyarrow library, which is not installed.")
        ) from exc
    table = pq.read_table(path, columns=["year", "importer", "exporter", "sh6", "value", "cagr_8y"])
    columns: dict[str, Any] = table.to_pydict()
    value = np.array(columns["value"], dtype=np.float64)
    year = int(max(columns["year"]))
    return year, Flows(
        importer=columns["importer"],
        exporter=columns["exporter"],
        product=columns["sh6"],
        value=value,
        earlier=np.full(len(value), np.nan),
        years=8,
        growth=np.array(columns["cagr_8y"], dtype=np.float64) / 100.0,
    )


def read_india_national(path: Path, fy_start: int) -> IndiaNational:
    """India's exports (US$ million in the file) by market and HS6 for the financial year that
    starts in `fy_start` (columns `hs6, fy_start, fy_label, importer_iso3,
    india_export_value_usd_mn`)."""
    values: dict[tuple[str, str], float] = {}
    label = ""
    for line, row in _rows(path):
        if int(row["fy_start"]) != fy_start:
            continue
        product = _hs6(row["hs6"])
        if product is None:
            continue
        label = row["fy_label"]
        amount = _number(path, line, "india_export_value_usd_mn", row["india_export_value_usd_mn"])
        key = (row["importer_iso3"].strip(), product)
        values[key] = values.get(key, 0.0) + amount * 1_000_000
    return IndiaNational(values=values, year_label=label)


CELL_COLUMNS = [
    "market",
    "hs6",
    "imports_usd",
    "imports_earlier_usd",
    "india_usd",
    "supplier_km",
    "competitors",
]


def write_cells(cells: Cells, path: Path, meta: dict[str, Any]) -> None:
    """Write aggregated cells (the shipped default's form) and their description beside them."""
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CELL_COLUMNS)
        for n in range(len(cells.market)):
            writer.writerow(
                [
                    cells.market[n],
                    cells.product[n],
                    f"{cells.imports[n]:.0f}",
                    ""
                    if math.isnan(cells.imports_earlier[n])
                    else f"{cells.imports_earlier[n]:.0f}",
                    f"{cells.india[n]:.0f}",
                    "" if math.isnan(cells.supplier_km[n]) else f"{cells.supplier_km[n]:.0f}",
                    " ".join(f"{c}={v:.0f}" for c, v in cells.competitors[n].items()),
                ]
            )
    path.with_suffix("").with_suffix(".json").write_text(
        json.dumps({**meta, "years": cells.years}, indent=2, ensure_ascii=False) + "\n"
    )


def read_cells(path: Path, years: int) -> Cells:
    """Aggregated cells as `write_cells` wrote them."""
    market, product, competitors = [], [], []
    numbers: list[list[float]] = [[], [], [], []]
    for line, row in _rows(path):
        market.append(row["market"])
        product.append(row["hs6"])
        for n, column in enumerate(["imports_usd", "imports_earlier_usd", "india_usd"]):
            text = row[column]
            numbers[n].append(_number(path, line, column, text) if text else math.nan)
        numbers[3].append(float(row["supplier_km"]) if row["supplier_km"] else math.nan)
        pairs = (item.split("=") for item in row["competitors"].split())
        competitors.append({code: float(value) for code, value in pairs})
    return Cells(
        market=np.array(market, dtype=str),
        product=np.array(product, dtype=str),
        imports=np.array(numbers[0]),
        imports_earlier=np.array(numbers[1]),
        india=np.array(numbers[2]),
        supplier_km=np.array(numbers[3]),
        competitors=competitors,
        years=years,
    )
