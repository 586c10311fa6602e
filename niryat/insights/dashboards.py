"""The district and state dashboards, read from the summary rows (insights/summaries.py) only:
a handful of grouped queries over a few thousand rows, whatever the size of the order book.

Each chart is a `Chart`: its rows (a label and one or more numbers) are what the SVG draws, what
the table beside it lists, what its XLSX holds and what the monthly PDF report prints, so the four
always agree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Min, Sum
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from niryat.channels.models import ChannelCode, Listing
from niryat.core.countries import country_name, iso3_of
from niryat.core.models import District, OdopProduct
from niryat.core.money import rupees
from niryat.insights import summaries as s
from niryat.insights.models import SummaryFreshness, SummaryRow
from niryat.insights.plans import month_label
from niryat.insights.worldmap import HEIGHT, WIDTH, legend, shaded_map
from niryat.registry.models import Stage

MONTHS_SHOWN = 12
TOP_COUNTRIES = 15
COLOURS = ("#1f5f8b", "#d9822b", "#3c8d40")


@dataclass
class Chart:
    slug: str
    title: str
    label_header: str
    columns: list[str]
    rows: list[tuple[str, list[Decimal]]]
    money: list[bool]
    plot: list[int] = field(default_factory=lambda: [0])

    def show(self, index: int, value: Decimal) -> str:
        return rupees(value) if self.money[index] else f"{int(value):,}"

    @property
    def table(self) -> list[tuple[str, list[str]]]:
        return [
            (label, [self.show(i, v) for i, v in enumerate(values)]) for label, values in self.rows
        ]

    @property
    def totals(self) -> list[str]:
        return [
            self.show(i, sum((values[i] for _label, values in self.rows), Decimal(0)))
            for i in range(len(self.columns))
        ]

    @property
    def legend(self) -> list[tuple[str, str]]:
        return [(COLOURS[n % len(COLOURS)], self.columns[i]) for n, i in enumerate(self.plot)]

    @property
    def svg(self) -> SafeString:
        return bar_svg(self)


def bar_svg(chart: Chart) -> SafeString:
    """Horizontal bars, one group per row, one bar per plotted column; the numbers are written
    at the end of each bar. Decorative for screen readers: the table beside it holds the data."""
    label_width, bar_width, bar_height, gap = 190, 330, 14, 8
    group = bar_height * len(chart.plot) + gap
    height = max(group * len(chart.rows) + gap, 40)
    largest = max(
        (values[i] for _label, values in chart.rows for i in chart.plot), default=Decimal(0)
    )
    parts = [
        f'<svg class="chart" viewBox="0 0 {label_width + bar_width + 110} {height}" '
        f'role="img" aria-label="{escape(chart.title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    if not chart.rows:
        parts.append(f'<text x="4" y="24" font-size="13">{escape(_("Nothing yet."))}</text>')
    for n, (label, values) in enumerate(chart.rows):
        top = gap + n * group
        parts.append(
            f'<text x="{label_width - 6}" y="{top + bar_height * len(chart.plot) / 2 + 4}" '
            f'text-anchor="end" font-size="12">{escape(label[:32])}</text>'
        )
        for k, i in enumerate(chart.plot):
            value = values[i]
            width = float(value / largest) * bar_width if largest else 0
            y = top + k * bar_height
            colour = COLOURS[k % len(COLOURS)]
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{width:.1f}" '
                f'height="{bar_height - 2}" fill="{colour}"/>'
                f'<text x="{label_width + width + 4:.1f}" y="{y + bar_height - 4}" '
                f'font-size="11">{escape(chart.show(i, value))}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def shown_months(today: dt.date | None = None) -> list[dt.date]:
    """The last twelve months, this one included, oldest first."""
    month = (today or timezone.localdate()).replace(day=1)
    months = [month]
    for _n in range(MONTHS_SHOWN - 1):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


@dataclass
class Dashboard:
    district: District | None
    months: list[dt.date]
    charts: list[Chart]
    refreshed_at: dt.datetime | None
    map_values: dict[str, float]
    map_titles: dict[str, str]

    @property
    def map(self) -> list[Any]:
        return shaded_map(self.map_values, self.map_titles)

    map_width = WIDTH
    map_height = round(HEIGHT, 1)

    @property
    def map_legend(self) -> list[tuple[str, float]]:
        return legend()

    def chart(self, slug: str) -> Chart | None:
        return next((c for c in self.charts if c.slug == slug), None)


def _stage_label(stage: str) -> str:
    try:
        return str(Stage(stage).label)
    except ValueError:
        return stage


def _channel_label(code: str) -> str:
    try:
        return str(ChannelCode(code).label)
    except ValueError:
        return code or _("Other")


def build(district: District | None, today: dt.date | None = None) -> Dashboard:
    """The dashboard of `district`, or of the state when None."""
    months = shown_months(today)
    first, after = months[0], s.next_month(months[-1])
    rows = SummaryRow.objects.all()
    freshness = SummaryFreshness.objects.all()
    if district is not None:
        rows = rows.filter(district=district)
        freshness = freshness.filter(district=district)
    refreshed = freshness.aggregate(oldest=Min("refreshed_at"))["oldest"]
    snap: dict[tuple[str, str], Decimal] = {}
    for row in (
        rows.filter(measure__in=s.SNAPSHOT_MEASURES, month__isnull=True)
        .values("measure", "key")
        .annotate(v=Sum("value"))
        .order_by()
    ):
        snap[row["measure"], row["key"]] = row["v"]
    monthly: dict[tuple[str, dt.date], Decimal] = defaultdict(Decimal)
    keyed: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in (
        rows.filter(measure__in=s.DASHBOARD_MEASURES, month__gte=first, month__lt=after)
        .values("measure", "month", "key")
        .annotate(v=Sum("value"))
        .order_by()
    ):
        monthly[row["measure"], row["month"]] += row["v"]
        keyed[row["measure"], row["key"]] += row["v"]
    labels = [month_label(m) for m in months]
    charts = [
        Chart(
            "funnel",
            _("Outreach funnel: producers by stage"),
            _("Stage"),
            [_("Producers")],
            [(str(stage.label), [snap.get((s.STAGE, stage.value), Decimal(0))]) for stage in Stage],
            [False],
        ),
        Chart(
            "trainings",
            _("Producers trained, month by month"),
            _("Month"),
            [_("Producers trained")],
            [(label, [monthly[s.TRAINED, m]]) for label, m in zip(labels, months, strict=True)],
            [False],
        ),
        _listings_chart(snap),
        Chart(
            "orders",
            _("Orders and sales value, month by month"),
            _("Month"),
            [_("Sales value"), _("Orders")],
            [
                (label, [monthly[s.SALES, m], monthly[s.ORDERS, m]])
                for label, m in zip(labels, months, strict=True)
            ],
            [True, False],
        ),
    ]
    countries = sorted(
        {k for (measure, k) in keyed if measure in (s.EXPORT_DIRECT, s.EXPORT_MERCHANT)},
        key=lambda c: -(keyed[s.EXPORT_DIRECT, c] + keyed[s.EXPORT_MERCHANT, c]),
    )
    charts.append(
        Chart(
            "exports_country",
            _("Exports by country, last twelve months"),
            _("Country"),
            [_("All exports"), _("Direct"), _("Through merchant exporters")],
            [
                (
                    country_name(c),
                    [
                        keyed[s.EXPORT_DIRECT, c] + keyed[s.EXPORT_MERCHANT, c],
                        keyed[s.EXPORT_DIRECT, c],
                        keyed[s.EXPORT_MERCHANT, c],
                    ],
                )
                for c in countries
            ],
            [True, True, True],
        )
    )
    product_ids = [k for (measure, k) in keyed if measure == s.EXPORT_PRODUCT]
    names = {
        str(p.pk): p.name
        for p in OdopProduct.objects.filter(pk__in=[int(k) for k in product_ids if k.isdigit()])
    }
    charts.append(
        Chart(
            "exports_product",
            _("Exports by ODOP product, last twelve months"),
            _("Product"),
            [_("Export value")],
            sorted(
                [(names.get(k, _("Other")), [keyed[s.EXPORT_PRODUCT, k]]) for k in product_ids],
                key=lambda row: -row[1][0],
            ),
            [True],
        )
    )
    charts.append(
        Chart(
            "exports_month",
            _("Direct exports against merchant exporters' exports, month by month"),
            _("Month"),
            [_("Direct"), _("Through merchant exporters")],
            [
                (label, [monthly[s.EXPORT_DIRECT, m], monthly[s.EXPORT_MERCHANT, m]])
                for label, m in zip(labels, months, strict=True)
            ],
            [True, True],
            plot=[0, 1],
        )
    )
    if district is None:
        charts.append(_districts_chart(rows, first, after))
    values = {
        iso3_of(c): float(keyed[s.EXPORT_DIRECT, c] + keyed[s.EXPORT_MERCHANT, c])
        for c in countries
    }
    titles = {
        iso3_of(c): f"{country_name(c)}: "
        f"{rupees(keyed[s.EXPORT_DIRECT, c] + keyed[s.EXPORT_MERCHANT, c])}"
        for c in countries
    }
    return Dashboard(district, months, charts, refreshed, values, titles)


def _listings_chart(snap: dict[tuple[str, str], Decimal]) -> Chart:
    by_channel: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for (measure, key), value in snap.items():
        if measure == s.LISTINGS:
            channel, _sep, state = key.partition(":")
            by_channel[channel][state] += value
    states = [Listing.State.LIVE, Listing.State.SUBMITTED, Listing.State.REJECTED]
    return Chart(
        "listings",
        _("Listings by marketplace"),
        _("Marketplace"),
        [*(str(state.label).capitalize() for state in states), _("All listings")],
        [
            (
                _channel_label(channel),
                [*(counts[state.value] for state in states), sum(counts.values(), Decimal(0))],
            )
            for channel, counts in sorted(by_channel.items())
        ],
        [False] * 4,
    )


def _districts_chart(rows: Any, first: dt.date, after: dt.date) -> Chart:
    """Every district's funnel and exports (the state dashboard)."""
    stages = [Stage.REGISTERED, Stage.LISTED, Stage.SOLD, Stage.EXPORTING]
    figures: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in (
        rows.filter(measure=s.STAGE, month__isnull=True)
        .values("district_id", "key")
        .annotate(v=Sum("value"))
        .order_by()
    ):
        figures[row["district_id"]][row["key"]] += row["v"]
    for row in (
        rows.filter(
            measure__in=(s.EXPORT_DIRECT, s.EXPORT_MERCHANT), month__gte=first, month__lt=after
        )
        .values("district_id")
        .annotate(v=Sum("value"))
        .order_by()
    ):
        figures[row["district_id"]]["exports"] += row["v"]
    order = {stage.value: n for n, stage in enumerate(Stage)}
    table = []
    for district in District.objects.order_by("name_en"):
        counts = figures.get(district.pk, {})
        reached = [
            sum(
                (v for k, v in counts.items() if k in order and order[k] >= order[stage.value]),
                Decimal(0),
            )
            for stage in stages
        ]
        table.append((district.name, [*reached, counts.get("exports", Decimal(0))]))
    return Chart(
        "districts",
        _("Every district: funnel (producers at or beyond each stage) and exports"),
        _("District"),
        [*(str(stage.label) for stage in stages), _("Exports, last twelve months")],
        table,
        [False] * 4 + [True],
        plot=[4],
    )
