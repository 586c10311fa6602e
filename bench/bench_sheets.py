"""The import framework (niryat/core/sheets) at a district's size: a producer sheet read, mapped,
checked against the district, duplicates and matches found, and saved, as the import task does
it; against a bare bulk_create of the same producers, in the same run.

The sheet is the template's (bench_registry.import_sheet), read under a mapping (the one the
framework recognises from its headers) through `read_sheet` and `ProducerImporter.run`, so what
is measured is what a job costs once its columns are known, with Python's cycle collector paused
as the job pauses it (and for the bare bulk_create too). `--scale 1` is 100,000 rows; the
environment variable BENCH_SHEET_ROWS sets the rows whatever the scale (100,000 rows against a
small state: `BENCH_SHEET_ROWS=100000 python -m bench --only sheets`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from bench.bench_registry import IMPORT_DESIGN_ROWS, IMPORT_LGD_CODE, import_sheet
from bench.generate import scaled
from bench.harness import Result, Target, compare, rate
from niryat.core.collector import without_gc_pauses
from niryat.core.models import District, Role, User
from niryat.core.sheets.importers import Outcome
from niryat.core.sheets.reading import guess_mapping, read_rows, read_sheet
from niryat.registry.bulk_import import PRODUCER_IMPORTER
from niryat.registry.models import Producer


def run(scale: float) -> list[Result]:
    district = District.objects.get(lgd_code=IMPORT_LGD_CODE)
    staff = User.objects.filter(role=Role.CENTRE_STAFF, district=district).order_by("pk").first()
    if staff is None:
        raise AssertionError(f"no centre staff in {district}")
    rows = int(os.environ.get("BENCH_SHEET_ROWS") or max(100, scaled(IMPORT_DESIGN_ROWS, scale)))
    csv_data, xlsx_data, values = import_sheet(district, rows)
    last = Producer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    outcomes: list[tuple[Outcome, float]] = []

    def forget() -> None:
        Producer.objects.filter(pk__gt=last).only("pk").delete()

    def imported(data: bytes) -> Callable[[], object]:
        layout = PRODUCER_IMPORTER.layout
        mapping = guess_mapping(read_rows(data, layout, header_only=True), layout)

        def run() -> None:
            # As the import's task does it (jobs.run_job), collector paused.
            started = time.perf_counter()
            with without_gc_pauses():
                sheet = read_sheet(data, layout=layout, mapping=mapping)
                outcome = PRODUCER_IMPORTER.run(
                    list(sheet.records()),
                    district=district,
                    acting_user=staff,
                    headers=sheet.headers_by_field(),
                )
            outcomes.append((outcome, time.perf_counter() - started))

        return run

    def bare() -> None:
        # Under the same conditions: the collector paused here too.
        with without_gc_pauses():
            Producer.objects.bulk_create([Producer(**fields) for fields in values], batch_size=500)

    repeat = max(1, min(3, round(3_000 / rows)))
    warmup = 1 if rows <= 10_000 else 0
    results = []
    try:
        for kind, data in (("CSV", csv_data), ("XLSX", xlsx_data)):
            measured, baseline = compare(
                imported(data), bare, repeat=repeat, warmup=warmup, setup=forget
            )
            outcome, seconds = outcomes[-1]
            if outcome.error_rows or not outcome.saved:
                raise AssertionError(f"the {kind} sheet did not import: {outcome.problems[:3]}")
            results.append(
                Result(
                    f"sheets: {kind} producer sheet through the framework",
                    f"{rows:,} rows ({len(data) / 1e6:.1f} MB) into {district.name_en}",
                    rate(measured, rows),
                    rate(baseline, rows),
                    "Producer.objects.bulk_create of the same producers, made beforehand",
                    target=Target("ratio", 3),
                    note=(
                        f"whole import {seconds:.1f} s (read, map, check, duplicates, save); "
                        f"{outcome.created:,} created, {outcome.unchanged:,} unchanged; "
                        f"{measured.n} runs each"
                    ),
                )
            )
    finally:
        forget()
    return results
