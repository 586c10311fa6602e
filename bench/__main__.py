"""Run the benchmarks, print one table: `python -m bench [--scale F] [--only NAME] [--json PATH]`.

The database is always a throwaway one made with Django's test-database machinery: a temporary
SQLite file by default, or `test_<name>` beside the database DATABASE_URL names (PostgreSQL: on the
same server, created and dropped by the harness). The database DATABASE_URL names is never written.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

# Small enough that `make bench` finishes in well under two minutes on two cores.
DEFAULT_SCALE = 0.01
HERE = Path(__file__).resolve().parent


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--scale",
        type=float,
        default=DEFAULT_SCALE,
        help=f"fraction of the design-scale dataset (default {DEFAULT_SCALE}; 1 = the whole state)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this benchmark module (foundation or bench_foundation); repeatable",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results here")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be above 0")
    return args


def discover(only: list[str]) -> list[str]:
    names = sorted(
        module.name
        for module in pkgutil.iter_modules([str(HERE)])
        if module.name.startswith("bench_")
    )
    if not only:
        return names
    wanted = [name if name.startswith("bench_") else f"bench_{name}" for name in only]
    unknown = [name for name in wanted if name not in names]
    if unknown:
        sys.exit(f"No such benchmark: {', '.join(unknown)}. There are: {', '.join(names)}.")
    return [name for name in names if name in wanted]


@contextmanager
def throwaway_database(workdir: Path) -> Iterator[None]:
    from django.db import connection

    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(workdir / "bench.sqlite3")
    original = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


def machine() -> dict[str, Any]:
    import django
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    if connection.vendor == "postgresql":
        version = connection.pg_version
        database = f"PostgreSQL {version // 10000}.{version % 10000}"
    elif connection.vendor == "sqlite":
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    else:
        database = connection.vendor
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "system": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
        "database_name": Path(str(connection.settings_dict["NAME"])).name,
    }


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def report(info: dict[str, Any], results: list[Any], failures: list[str]) -> str:
    out = [
        f"Niryat benchmarks at scale {info['scale']:g} of the design-scale dataset",
        f"machine: {info['machine']['cores']} cores ({info['machine']['cpu']}), "
        f"{info['machine']['system']}, Python {info['machine']['python']}, "
        f"Django {info['machine']['django']}, {info['machine']['database']} "
        f"({info['machine']['database_name']}, throwaway)",
        f"dataset: {info['dataset_text']} (set up and migrated in {info['migrate_s']:.1f} s, "
        f"generated in {info['generate_s']:.1f} s)",
        "",
    ]
    footnotes: dict[str, int] = {}
    rows = [["benchmark", "dataset", "measured", "baseline", "ratio", "target"]]
    for result in results:
        mark = footnotes.setdefault(result.baseline_label, len(footnotes) + 1)
        target = "—"
        if result.target is not None:
            target = f"{result.target} {'met' if result.target_met else 'MISSED'}"
        rows.append(
            [
                f"{result.name} [{mark}]",
                result.size,
                str(result.measured),
                str(result.baseline),
                f"{result.ratio:.2f}×",
                target,
            ]
        )
    if results:
        out.append(_table(rows))
        out.append("")
        out.append("ratio = measured p50 ÷ baseline p50 (rows/s: the inverse); above 1 is slower.")
        out.extend(f"[{mark}] baseline: {label}" for label, mark in footnotes.items())
        out.extend(f"note, {result.name}: {result.note}" for result in results if result.note)
    out.extend(f"FAILED: {failure}" for failure in failures)
    return "\n".join(out)


def as_json(info: dict[str, Any], results: list[Any], failures: list[str]) -> dict[str, Any]:
    return {
        **info,
        "results": [
            {
                **asdict(result),
                "measured": {"kind": type(result.measured).__name__, **asdict(result.measured)},
                "baseline": {"kind": type(result.baseline).__name__, **asdict(result.baseline)},
                "target": str(result.target) if result.target else None,
                "target_met": result.target_met,
                "ratio": result.ratio,
            }
            for result in results
        ],
        "failures": failures,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = discover(args.only)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="niryat-bench-") as tmp:
        workdir = Path(tmp)
        # Benchmarks run without DEBUG (no query log) unless someone insists.
        os.environ.setdefault("NIRYAT_ENV", "test")
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'niryat.sqlite3'}")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.conf import settings

        if settings.DEBUG:
            print("warning: DEBUG is on, so every query is logged; figures are pessimistic.")

        with throwaway_database(workdir):
            migrated = time.perf_counter()
            from bench import generate

            dataset = generate.generate(args.scale)
            info = {
                "scale": args.scale,
                "machine": machine(),
                "dataset": dataset,
                "dataset_text": generate.describe(*dataset),
                "migrate_s": migrated - started,
                "generate_s": time.perf_counter() - migrated,
            }
            results: list[Any] = []
            failures: list[str] = []
            for name in names:
                began = time.perf_counter()
                try:
                    results.extend(importlib.import_module(f"bench.{name}").run(args.scale))
                except Exception as exc:
                    traceback.print_exc()
                    failures.append(f"{name}: {type(exc).__name__}: {exc}")
                print(f"{name}: {time.perf_counter() - began:.1f} s", file=sys.stderr)

    info["seconds"] = time.perf_counter() - started
    print(report(info, results, failures))
    print(f"\nfinished in {info['seconds']:.1f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(as_json(info, results, failures), indent=2) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
