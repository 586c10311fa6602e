"""Load a state's districts and ODOP products, and the partner organisations, from CSV files.

The format is in niryat/core/data/README.md.

Loading is idempotent: records are matched by LGD code (districts) and by district + English name
(ODOP products), updated in place, and nothing is deleted. A file with any bad row loads nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from niryat.core.models import Centre, District, OdopProduct, PartnerOrg, State

STATE_COLUMNS = ["lgd_code", "name_en", "name_hi", "gst_code"]
DISTRICT_COLUMNS = [
    "lgd_code",
    "name_en",
    "name_hi",
    "division_en",
    "division_hi",
    "census_2011_code",
    "source",
]
PARTNER_COLUMNS = ["code", "name_en", "name_hi", "kind"]
PARTNER_ORGS_FILE = Path(__file__).parent / "data" / "partner_orgs.csv"
ODOP_COLUMNS = [
    "district_lgd_code",
    "name_en",
    "name_hi",
    "listing",
    "verified",
    "hs_codes",
    "source",
]


class ReferenceDataError(Exception):
    pass


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool, changed: bool) -> None:
        bucket = self.created if created else self.updated
        if created or changed:
            bucket[kind] = bucket.get(kind, 0) + 1


def _rows(path: Path, columns: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.exists():
        raise ReferenceDataError(_("File not found: %(path)s") % {"path": path})
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise ReferenceDataError(
                _("%(file)s lacks the columns: %(columns)s")
                % {"file": path.name, "columns": ", ".join(missing)}
            )
        for line, row in enumerate(reader, start=2):
            yield line, {key: (value or "").strip() for key, value in row.items() if key}


def _integer(path: Path, line: int, column: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ReferenceDataError(
            _("%(file)s line %(line)s, column %(column)s: %(value)r is not a whole number.")
            % {"file": path.name, "line": line, "column": column, "value": value}
        ) from None


def _optional_integer(path: Path, line: int, column: str, value: str) -> int | None:
    return _integer(path, line, column, value) if value else None


def _require(path: Path, line: int, row: dict[str, str], *columns: str) -> None:
    for column in columns:
        if not row[column]:
            raise ReferenceDataError(
                _("%(file)s line %(line)s: column %(column)s is empty.")
                % {"file": path.name, "line": line, "column": column}
            )


def _upsert(model: Any, lookup: dict[str, Any], values: dict[str, Any]) -> tuple[Any, bool, bool]:
    record = model.objects.filter(**lookup).first()
    if record is None:
        return model.objects.create(**lookup, **values), True, True
    changed = [name for name, value in values.items() if getattr(record, name) != value]
    for name in changed:
        setattr(record, name, values[name])
    if changed:
        record.save(update_fields=[*changed, "updated_at"])
    return record, False, bool(changed)


# Rows written per transaction. Each batch commits on its own, so that the progress reported
# between batches is seen as it happens (a reader does not see inside a transaction), and the
# worker holds no long write lock on SQLite while the progress page polls.
BATCH = 25


@dataclass
class _Checked:
    """Every row of the files, checked and ready to write."""

    state: tuple[dict[str, Any], dict[str, Any]]
    districts: list[tuple[dict[str, Any], dict[str, Any]]]
    odop_products: list[tuple[int, dict[str, Any], dict[str, Any]]]
    partners: list[tuple[dict[str, Any], dict[str, Any]]]


def _check(directory: Path) -> _Checked:
    """Read and check every file, writing nothing: a file with any bad row loads nothing."""
    state_rows = list(_rows(directory / "state.csv", STATE_COLUMNS))
    if len(state_rows) != 1:
        raise ReferenceDataError(_("state.csv must hold exactly one state."))
    line, row = state_rows[0]
    _require(directory / "state.csv", line, row, "lgd_code", "name_en", "name_hi")
    state = (
        {"lgd_code": _integer(directory / "state.csv", line, "lgd_code", row["lgd_code"])},
        {"name_en": row["name_en"], "name_hi": row["name_hi"], "gst_code": row["gst_code"]},
    )

    district_path = directory / "districts.csv"
    districts = []
    for line, row in _rows(district_path, DISTRICT_COLUMNS):
        _require(district_path, line, row, "lgd_code", "name_en", "name_hi")
        code = _integer(district_path, line, "lgd_code", row["lgd_code"])
        districts.append(
            (
                {"lgd_code": code},
                {
                    "name_en": row["name_en"],
                    "name_hi": row["name_hi"],
                    "division_en": row["division_en"],
                    "division_hi": row["division_hi"],
                    "census_2011_code": _optional_integer(
                        district_path, line, "census_2011_code", row["census_2011_code"]
                    ),
                    "source": row["source"],
                },
            )
        )

    odop_path = directory / "odop_products.csv"
    known = {lookup["lgd_code"] for lookup, _values in districts}
    known |= set(District.objects.values_list("lgd_code", flat=True))
    odop_products = []
    for line, row in _rows(odop_path, ODOP_COLUMNS):
        _require(odop_path, line, row, "district_lgd_code", "name_en", "name_hi")
        code = _integer(odop_path, line, "district_lgd_code", row["district_lgd_code"])
        if code not in known:
            raise ReferenceDataError(
                _("%(file)s line %(line)s: no district has LGD code %(code)s.")
                % {"file": odop_path.name, "line": line, "code": code}
            )
        verified = row["verified"].lower()
        if verified not in {"true", "false"}:
            raise ReferenceDataError(
                _("%(file)s line %(line)s: verified must be true or false.")
                % {"file": odop_path.name, "line": line}
            )
        odop_products.append(
            (
                code,
                {"name_en": row["name_en"]},
                {
                    "name_hi": row["name_hi"],
                    "listing": row["listing"],
                    "hs_codes": row["hs_codes"].split(),
                    "source": row["source"],
                    # Staff confirmation survives a reload; the file can only raise the flag.
                    **({"verified": True} if verified == "true" else {}),
                },
            )
        )

    partners = []
    for line, row in _rows(PARTNER_ORGS_FILE, PARTNER_COLUMNS):
        _require(PARTNER_ORGS_FILE, line, row, *PARTNER_COLUMNS)
        if row["kind"] not in PartnerOrg.Kind.values:
            raise ReferenceDataError(
                _("%(file)s line %(line)s: unknown kind %(kind)s.")
                % {"file": PARTNER_ORGS_FILE.name, "line": line, "kind": row["kind"]}
            )
        partners.append(
            (
                {"code": row["code"]},
                {"name_en": row["name_en"], "name_hi": row["name_hi"], "kind": row["kind"]},
            )
        )
    return _Checked(state, districts, odop_products, partners)


def load_reference_data(
    directory: Path, *, on_progress: Callable[[int, int], None] | None = None
) -> LoadReport:
    """Load the files in `directory`: every row is checked before anything is written (a bad
    row loads nothing), then rows are written BATCH at a time, each batch in its own transaction,
    with `on_progress(done, total)` called between them, outside any transaction of ours.
    Loading again is harmless (records are matched and updated), so a load cut short by a
    database error is finished by running it again."""
    checked = _check(directory)
    report = LoadReport()
    total = len(checked.districts) + len(checked.odop_products)
    done = 0

    with transaction.atomic():
        state, created, changed = _upsert(State, *checked.state)
        report.count("states", created, changed)

    districts: dict[int, District] = {}
    for start in range(0, len(checked.districts), BATCH):
        batch = checked.districts[start : start + BATCH]
        with transaction.atomic():
            for lookup, values in batch:
                district, created, changed = _upsert(District, lookup, {"state": state, **values})
                report.count("districts", created, changed)
                districts[district.lgd_code] = district
                # Every district hosts one centre; its name and contacts are the centre's to
                # edit later.
                if not Centre.objects.filter(district=district).exists():
                    Centre.objects.create(
                        district=district,
                        name_en=f"Export Development Centre, {district.name_en}",
                        name_hi=f"निर्यात विकास केन्द्र, {district.name_hi}",
                    )
                    report.count("centres", created=True, changed=True)
        done += len(batch)
        if on_progress:
            on_progress(done, total)

    for start in range(0, len(checked.odop_products), BATCH):
        products = checked.odop_products[start : start + BATCH]
        with transaction.atomic():
            for code, lookup, values in products:
                district = districts.get(code) or District.objects.get(lgd_code=code)
                _record, created, changed = _upsert(
                    OdopProduct, {"district": district, **lookup}, values
                )
                report.count("ODOP products", created, changed)
        done += len(products)
        if on_progress:
            on_progress(done, total)

    with transaction.atomic():
        for lookup, values in checked.partners:
            _record, created, changed = _upsert(PartnerOrg, lookup, values)
            report.count("partner organisations", created, changed)
    return report
