"""The dashboards as people use them: the figures come from the summary rows the upkeep writes
(the day's changes or all), the page, each chart's XLSX and the monthly PDF report hold the same
numbers, and a district sees only itself."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from decimal import Decimal
from typing import Any

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from niryat.channels.models import ChannelAccount, Order
from niryat.core.dates import INDIA
from niryat.core.models import District, User
from niryat.insights.actions import do_refresh_summaries
from niryat.insights.dashboards import build
from niryat.insights.models import SummaryRow, SummaryRun
from tests.conftest import client_for
from tests.insights.seeding import seed_year


def text(response: Any) -> str:
    return response.content.decode()


def chart_rows(dashboard: Any, slug: str) -> dict[str, list[Decimal]]:
    return dict(dashboard.chart(slug).rows)


def test_the_district_dashboard_shows_the_records_figures(
    gorakhpur: District, ganesh: User, gita: User
) -> None:
    seeded = seed_year(gorakhpur, ganesh)
    do_refresh_summaries(full=True)
    dashboard = build(gorakhpur)
    funnel = chart_rows(dashboard, "funnel")
    assert funnel["Registered"] == [Decimal(2)]  # ramu, kamla (mohan exports now)
    assert funnel["Listed"] == [Decimal(2)]  # sita, the old one
    assert funnel["Exporting"] == [Decimal(1)]
    countries = chart_rows(dashboard, "exports_country")
    assert countries["United States"] == [Decimal("20812.50"), Decimal("20812.50"), Decimal(0)]
    assert countries["Germany"] == [Decimal(50000), Decimal(0), Decimal(50000)]
    products = chart_rows(dashboard, "exports_product")
    assert products["Terracotta"] == [Decimal("20812.50")]
    assert products["Readymade garments"] == [Decimal(50000)]
    april = next(v for label, v in dashboard.chart("orders").rows if label.startswith("April"))
    assert april == [Decimal(1900), Decimal(1)]  # the cancelled order is not a sale
    page = text(client_for(gita).get(reverse("district_dashboard", args=[gorakhpur.lgd_code])))
    assert "Dashboard: Gorakhpur" in page
    assert "₹20,812.50" in page
    assert "₹50,000" in page
    assert "Figures as of" in page
    assert '<svg class="chart"' in page
    assert '<svg class="world-map"' in page
    assert seeded.today


def test_the_days_changes_update_only_what_changed(gorakhpur: District, ganesh: User) -> None:
    seed_year(gorakhpur, ganesh)
    first = do_refresh_summaries()
    assert first.kind == SummaryRun.Kind.FULL  # nothing computed before: all of it
    before = SummaryRow.objects.count()
    account = ChannelAccount.objects.get(district=gorakhpur)
    now = timezone.now()
    Order.objects.create(
        district=gorakhpur,
        account=account,
        producer=None,
        channel_order_id="GKP-NEW",
        state=Order.State.ACCEPTED,
        ordered_at=now,
        total=Decimal(500),
        total_inr=Decimal(500),
    )
    run = do_refresh_summaries()
    assert run.kind == SummaryRun.Kind.CHANGES
    assert run.since == first.started_at
    this_month = dt.datetime.now(INDIA).date().replace(day=1)
    sales = SummaryRow.objects.get(
        district=gorakhpur, measure="sales", month=this_month, key="files"
    )
    assert sales.value == Decimal(500)
    assert SummaryRow.objects.count() == before + 2  # this month's orders and sales
    full = do_refresh_summaries(full=True)
    assert full.kind == SummaryRun.Kind.FULL
    assert SummaryRow.objects.count() == before + 2


def test_every_charts_xlsx_holds_the_charts_numbers(
    gorakhpur: District, ganesh: User, sam: User
) -> None:
    seed_year(gorakhpur, ganesh)
    do_refresh_summaries(full=True)
    client = client_for(sam)
    state = build(None)
    assert len(chart_rows(state, "districts")) == District.objects.count()
    for chart in state.charts:
        response = client.get(reverse("state_chart_xlsx", args=[chart.slug]))
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == (chart.label_header, *chart.columns)
        assert [(r[0], [Decimal(str(v)) for v in r[1:]]) for r in rows[1:]] == chart.rows
    gorakhpur_row = chart_rows(state, "districts")["Gorakhpur"]
    assert gorakhpur_row[-1] == Decimal("70812.50")


def test_the_monthly_report_holds_the_pages_figures(
    gorakhpur: District, ganesh: User, gita: User, tmp_path: Any
) -> None:
    seed_year(gorakhpur, ganesh)
    do_refresh_summaries(full=True)
    client = client_for(gita)
    for language, heading, money in (
        ("en", "Monthly report for the DEPC: Gorakhpur", "₹70,812.50"),
        ("hi", "गोरखपुर", "₹70,812.50"),
    ):
        response = client.get(
            reverse("district_report_pdf", args=[gorakhpur.lgd_code]), {"lang": language}
        )
        assert response["Content-Type"] == "application/pdf"
        pdf = tmp_path / f"report-{language}.pdf"
        pdf.write_bytes(response.content)
        words = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert heading in words
        assert money in words
        assert "₹20,812.50" in words
        assert "₹50,000" in words
        assert "₹1,900" in words
        with translation.override(language):
            dashboard = build(gorakhpur)
        # (pdftotext reads some Devanagari conjuncts out of order: the figures are checked)
        for chart in dashboard.charts:
            for _label, cells in chart.table:
                for cell in cells:
                    assert cell in words, f"{chart.slug}: {cell}"


def test_district_people_see_only_their_district(
    gorakhpur: District, varanasi: District, gita: User, sam: User, alice: User
) -> None:
    client = client_for(gita)
    assert client.get(reverse("district_dashboard", args=[varanasi.lgd_code])).status_code == 404
    assert client.get(reverse("state_dashboard")).status_code == 403
    assert (
        client.get(reverse("district_chart_xlsx", args=[varanasi.lgd_code, "funnel"])).status_code
        == 404
    )
    assert client.post(reverse("dashboards_rebuild")).status_code == 403
    assert client_for(sam).get(reverse("state_dashboard")).status_code == 200
    assert client_for(sam).post(reverse("dashboards_rebuild")).status_code == 403
    response = client_for(alice).post(reverse("dashboards_rebuild"))
    assert response.status_code == 302


def test_the_command_brings_the_figures_up_to_date(gorakhpur: District, ganesh: User) -> None:
    seed_year(gorakhpur, ganesh)
    out = io.StringIO()
    call_command("refresh_dashboards", "--now", stdout=out)
    assert "Full rebuild" in out.getvalue()
    call_command("refresh_dashboards", "--now", stdout=out)
    assert "The day's changes" in out.getvalue()
    assert build(gorakhpur).refreshed_at is not None
