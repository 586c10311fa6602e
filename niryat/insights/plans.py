"""District export plans, read: financial years, and the plan's targets against what the other
apps' records show, month by month (April to March).

Actuals come from the records that prove them, never typed in, through the dashboards' summary
rows (insights/summaries.py, kept current by background tasks), so the page reads one district's
year of rows (a few hundred) however large the order book is, and says how fresh they are:
- units onboarded, listed, sold, exporting: producers of the district whose stage history
  (registry `StageChange`) first reaches that stage, or one beyond it, in the month. A producer
  added straight at "listed" counts as onboarded and listed; one who went back and forward again
  counts once, in the month they first got there;
- pieces sold and sales value: the order book (channels `Order`, `OrderLine`), by the month the
  order was placed, without cancelled and returned orders; the value in rupees (`total_inr`);
- export value: the export desk's shipments (FOB in rupees, by the month shipped and the buyer's
  country) and the producers' sales to merchant exporters (by the month sold and the destination).

Months are India's (an order placed at 23:00 UTC on 31 March is in April).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from niryat.core.countries import country_name
from niryat.core.dates import MONTHS
from niryat.core.models import District, OdopProduct, Role, User
from niryat.core.money import rupees
from niryat.insights import summaries as s
from niryat.insights.models import (
    MONEY_MEASURES,
    PLAN_WRITERS,
    ExportPlan,
    Measure,
    PlanTarget,
    SummaryFreshness,
    SummaryRow,
)

FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


def parse_financial_year(text: str) -> int:
    """The first calendar year of a financial year written like 2026-27 (April 2026 to March
    2027). Raises ValueError, with the message to show, for anything else."""
    found = FINANCIAL_YEAR.match(text.strip())
    if found:
        start, end = int(found.group(1)), int(found.group(2))
        if 2000 <= start <= 2098 and (start + 1) % 100 == end:
            return start
    raise ValueError(
        _("«%(value)s» is not a financial year; write it like 2026-27 (April 2026 to March 2027).")
        % {"value": text}
    )


def financial_year_of(on: dt.date) -> str:
    """The financial year holding `on`: 2026-27 for 9 December 2026 and for 31 March 2027."""
    start = on.year if on.month >= 4 else on.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def may_change_plan(user: User, district: District) -> bool:
    """Whether `user` may write `district`'s export plans and DEPC minutes: the rule of
    `PlanScopedQuerySet.changeable_by`, for a district that may have no plan yet."""
    if not (user.is_authenticated and user.is_active and user.role in PLAN_WRITERS):
        return False
    return user.role == Role.STATE_ADMIN or user.district_id == district.pk


def current_financial_year() -> str:
    return financial_year_of(timezone.localdate())


def year_months(start_year: int) -> list[dt.date]:
    """The first day of each month of the financial year, April to March."""
    return [dt.date(start_year + (month < 4), month, 1) for month in (*range(4, 13), *range(1, 4))]


def month_label(month: dt.date) -> str:
    """ "Apr 2026"-like, in the active language (the month's full name: Hindi has no short one)."""
    return f"{MONTHS[month.month - 1]} {month.year}"


# A key of the actuals: (measure, ODOP product id or None, country or "").
Key = tuple[str, int | None, str]


@dataclass
class Actuals:
    """What the records show, per month of the year (index 0 is April), for every measure, by
    ODOP product and by market; `None` as the product sums all products, "" as the market all
    markets."""

    start_year: int
    months: list[dt.date]
    by_key: dict[Key, list[Decimal]] = field(default_factory=dict)

    def add(
        self, measure: str, product: int | None, country: str, month: dt.date, n: Decimal
    ) -> None:
        index = self.months.index(month)
        keys: set[Key] = {(measure, None, ""), (measure, product, "")}
        if country:
            keys |= {(measure, None, country), (measure, product, country)}
        for key in keys:
            self.by_key.setdefault(key, [Decimal(0)] * 12)[index] += n

    def add_to(self, key: Key, month: dt.date, n: Decimal) -> None:
        """Add `n` to `key` alone (a figure the summaries hold already split by product)."""
        self.by_key.setdefault(key, [Decimal(0)] * 12)[self.months.index(month)] += n

    def monthly(self, measure: str, product: int | None = None, country: str = "") -> list[Decimal]:
        return self.by_key.get((measure, product, country), [Decimal(0)] * 12)


def _product(key: str) -> int | None:
    return int(key) if key else None


def actuals_for(district: District, start_year: int) -> Actuals:
    """Every measure's actuals for the district's financial year (see the module's docstring), from
    the summary rows: one query."""
    actuals = Actuals(start_year=start_year, months=year_months(start_year))
    rows = SummaryRow.objects.filter(
        district=district,
        measure__in=s.PLAN_MEASURES,
        month__gte=actuals.months[0],
        month__lt=s.next_month(actuals.months[-1]),
    ).values_list("measure", "month", "key", "value")
    for measure, month, key, value in rows:
        if month is None:  # never: the month range above leaves out the counts as they stand
            continue
        if measure == s.REACHED:
            name, _sep, product = key.partition(":")
            actuals.add(name, _product(product), "", month, value)
        elif measure == s.PIECES:
            actuals.add(Measure.PIECES_SOLD, _product(key), "", month, value)
        elif measure == s.SALES:  # by marketplace: the district's total
            actuals.add_to((Measure.SALES_VALUE, None, ""), month, value)
        elif measure == s.SALES_PRODUCT:
            actuals.add_to((Measure.SALES_VALUE, _product(key), ""), month, value)
        elif measure == s.EXPORT_MARKET:
            product, _sep, country = key.partition(":")
            actuals.add(Measure.EXPORT_VALUE, _product(product), country, month, value)
    return actuals


def figures_as_of(district: District) -> dt.datetime | None:
    """When the district's summary rows, which the actuals come from, were last brought up to
    date; None before the first update."""
    return SummaryFreshness.objects.filter(district=district).aggregate(at=Min("refreshed_at"))[
        "at"
    ]


@dataclass
class ProgressRow:
    """One line of "targets against actuals": a measure for the district, a product or a market."""

    measure: Measure
    product: OdopProduct | None
    country: str
    target: Decimal | None
    months: list[Decimal | None]  # None for months still to come
    done: Decimal

    @property
    def is_money(self) -> bool:
        return self.measure in MONEY_MEASURES

    @property
    def label(self) -> str:
        parts = [str(self.measure.label)]
        if self.product is not None:
            parts.append(str(self.product))
        if self.country:
            parts.append(country_name(self.country))
        return " · ".join(parts)

    def show(self, value: Decimal | None) -> str:
        """A number as the page writes it: rupees with Indian grouping, counts whole; "—" for a
        month still to come or a target not set."""
        if value is None:
            return "—"
        if self.is_money:
            return rupees(value)
        # A count in the same Indian grouping as the rupees beside it (1,20,000).
        return rupees(int(value)).removeprefix("₹")

    @property
    def cells(self) -> list[str]:
        return [self.show(value) for value in self.months]

    @property
    def target_text(self) -> str:
        return self.show(self.target)

    @property
    def done_text(self) -> str:
        return self.show(self.done)

    @property
    def percent(self) -> int | None:
        if not self.target:
            return None
        return round(100 * self.done / self.target)


def _row(
    actuals: Actuals,
    measure: Measure,
    product: OdopProduct | None,
    country: str,
    target: Decimal | None,
    today: dt.date,
) -> ProgressRow:
    monthly = actuals.monthly(measure, product.pk if product else None, country)
    shown: list[Decimal | None] = [
        value if month <= today else None
        for month, value in zip(actuals.months, monthly, strict=True)
    ]
    return ProgressRow(
        measure=measure,
        product=product,
        country=country,
        target=target,
        months=shown,
        done=sum(monthly, Decimal(0)),
    )


def progress(plan: ExportPlan, today: dt.date | None = None) -> list[ProgressRow]:
    """The plan's targets against actuals: every measure for the whole district (with its target
    if the plan sets one), then each target for a product or a market, in the order of
    `Measure`."""
    today = today or timezone.localdate()
    actuals = actuals_for(plan.district, plan.start_year)
    targets: list[PlanTarget] = list(plan.targets.select_related("odop_product"))
    district_targets = {
        t.measure: t.value for t in targets if t.odop_product is None and not t.country
    }
    rows = [_row(actuals, m, None, "", district_targets.get(m), today) for m in Measure]
    order = {m: index for index, m in enumerate(Measure)}
    detailed = sorted(
        (t for t in targets if t.odop_product is not None or t.country),
        key=lambda t: (order[Measure(t.measure)], str(t.odop_product or ""), t.country),
    )
    rows.extend(
        _row(actuals, Measure(t.measure), t.odop_product, t.country, t.value, today)
        for t in detailed
    )
    return rows
