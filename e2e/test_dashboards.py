"""The dashboards as people use them: a state viewer sees every district's funnel and exports and
downloads each chart's XLSX, whose numbers are the chart's table's; Gorakhpur's district officer
opens the district dashboard and downloads the monthly DEPC report, whose text holds the page's
figures. The officer's run is once in English on a wide screen and once in Hindi on a 360 px
phone with an accessibility check."""

from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from e2e.conftest import GORAKHPUR, Persona, axe_check, login, open_menu, switch_language
from niryat.core.models import District
from niryat.insights.actions import do_refresh_summaries
from tests.insights.seeding import seed_year

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


def say(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def number(text: str) -> Decimal:
    return Decimal(re.sub(r"[₹,\s]", "", text))


def table_rows(page: Page, slug: str) -> list[list[str]]:
    rows = page.locator(f'table[data-chart="{slug}"] tbody tr')
    return [
        [cell.strip() for cell in rows.nth(n).locator("th, td").all_inner_texts()]
        for n in range(rows.count())
    ]


def test_the_state_sees_every_district_and_each_charts_xlsx_holds_its_numbers(
    new_context: Any,
    live_server: Any,
    reference_data: dict[int, District],
    state_viewer: Persona,
    gorakhpur_staff: Persona,
) -> None:
    seed_year(reference_data[GORAKHPUR], gorakhpur_staff.user)
    do_refresh_summaries()
    page = new_context(accept_downloads=True).new_page()
    login(page, live_server, state_viewer.username, state_viewer.password)
    open_menu(page)
    page.get_by_role("link", name="Dashboards", exact=True).click()
    expect(page.locator("h1")).to_have_text("State dashboard")
    expect(page.locator(".freshness")).to_contain_text("Figures as of")
    districts = table_rows(page, "districts")
    assert len(districts) == 75
    gorakhpur = next(row for row in districts if row[0] == "Gorakhpur")
    assert gorakhpur[-1] == "₹70,812.50"
    assert gorakhpur[1:5] == [
        "5",
        "3",
        "1",
        "1",
    ]  # at or beyond registered, listed, sold, exporting
    slugs = page.locator("table[data-chart]").evaluate_all(
        "tables => tables.map(t => t.dataset.chart)"
    )
    assert len(slugs) == 8
    for slug in slugs:
        section = page.locator(f"section#{slug}")
        with page.expect_download() as download:
            section.get_by_role("link", name=re.compile("^Download as XLSX")).click()
        sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
        got = [list(row) for row in sheet.iter_rows(values_only=True)][1:]
        shown = table_rows(page, slug)
        if shown and len(shown[0]) == 1:
            shown = []  # "Nothing yet."
        assert [row[0] for row in got] == [row[0] for row in shown], slug
        assert [[Decimal(str(v)) for v in row[1:]] for row in got] == [
            [number(cell) for cell in row[1:]] for row in shown
        ], slug


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize("language", ["en", "hi"])
def test_gorakhpurs_officer_prints_the_monthly_report_with_the_pages_figures(
    new_context: Any,
    live_server: Any,
    reference_data: dict[int, District],
    gorakhpur_officer: Persona,
    gorakhpur_staff: Persona,
    language: str,
) -> None:
    seed_year(reference_data[GORAKHPUR], gorakhpur_staff.user)
    do_refresh_summaries()
    options: dict[str, Any] = {"viewport": PHONE, "is_mobile": True} if language == "hi" else {}
    page = new_context(accept_downloads=True, **options).new_page()
    login(page, live_server, gorakhpur_officer.username, gorakhpur_officer.password)
    if language == "hi":
        switch_language(page, "hi")
    open_menu(page)
    page.get_by_role("link", name=say(language, "Dashboard"), exact=True).click()
    name = "गोरखपुर" if language == "hi" else "Gorakhpur"
    expect(page.locator("h1")).to_have_text(say(language, "Dashboard: %(name)s") % {"name": name})
    if language == "hi":
        axe_check(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    figures = [
        cell
        for slug in page.locator("table[data-chart]").evaluate_all(
            "tables => tables.map(t => t.dataset.chart)"
        )
        for row in table_rows(page, slug)
        for cell in row[1:]
    ]
    assert "₹20,812.50" in figures
    assert "₹50,000" in figures
    report = (
        "Monthly DEPC report (PDF, Hindi)"
        if language == "hi"
        else ("Monthly DEPC report (PDF, English)")
    )
    with page.expect_download() as download:
        page.get_by_role("link", name=say(language, report)).click()
    text = pdf_text(Path(download.value.path()))
    assert name in text
    for figure in figures:
        assert figure in text, figure
