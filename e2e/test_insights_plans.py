"""The district export plan as Gorakhpur's district officer uses it: open this year's plan, see
targets against what the registry, order book and export desk show, month by month; record a
DEPC meeting with a decision and, later, mark the decision done. Once on a wide screen in
English, once on a 360 px phone in Hindi with an accessibility check on every page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from e2e.conftest import GORAKHPUR, Persona, axe_check, login, open_menu, switch_language
from niryat.core.dates import MONTHS
from niryat.core.models import District
from niryat.insights.actions import do_refresh_summaries
from niryat.insights.models import Decision
from niryat.insights.plans import current_financial_year
from tests.insights.seeding import seed_year

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


def say(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def check(page: Page, language: str) -> None:
    """On the phone run: no WCAG violation, and the page itself never scrolls sideways (wide
    tables scroll inside their own region)."""
    if language == "hi":
        axe_check(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("language", ["en", "hi"])
def test_the_officer_follows_the_plan_and_a_depc_decision_to_done(
    new_context: Any,
    live_server: Any,
    reference_data: dict[int, District],
    gorakhpur_officer: Persona,
    gorakhpur_staff: Persona,
    language: str,
) -> None:
    seeded = seed_year(reference_data[GORAKHPUR], gorakhpur_staff.user)
    do_refresh_summaries(full=True)  # the actuals come from the summary rows
    year = current_financial_year()
    options: dict[str, Any] = {"viewport": PHONE, "is_mobile": True} if language == "hi" else {}
    page = new_context(**options).new_page()
    login(page, live_server, gorakhpur_officer.username, gorakhpur_officer.password)
    if language == "hi":
        switch_language(page, "hi")

    # The officer opens this year's plan from the menu; there is none yet, so they start it.
    open_menu(page)
    page.get_by_role("link", name=say(language, "Export plan"), exact=True).click()
    check(page, language)
    page.get_by_role(
        "link",
        name=say(language, "%(district)s: the plan for %(year)s")
        % {"district": "गोरखपुर" if language == "hi" else "Gorakhpur", "year": year},
    ).click()
    expect(page.locator("main")).to_contain_text(year)
    page.get_by_role("button", name=say(language, "Start the plan")).click()
    expect(page.locator(".messages")).to_contain_text(say(language, "The plan is started."))
    check(page, language)

    # Targets against actuals: the actuals are already there, from the seeded records.
    onboarded = page.locator('#progress-table tr[data-measure="onboarded"] td')
    expect(onboarded).to_have_text(["—", "4", "—"])
    monthly = page.locator('#monthly-table tr[data-measure="onboarded"] td')
    expect(monthly.nth(0)).to_have_text("3")  # April
    expect(monthly.nth(seeded.this_month)).to_have_text("3" if seeded.this_month == 0 else "1")
    expect(monthly.nth(12)).to_have_text("4")  # the year so far
    listed = page.locator('#monthly-table tr[data-measure="listed"] td')
    expect(listed.nth(0)).to_have_text("1" if seeded.this_month else "3")
    april = f"{say(language, str(MONTHS[3]))} {seeded.start_year}"
    expect(page.locator("#monthly-table thead th").nth(1)).to_have_text(april)

    # A target for the year; the page measures it at once.
    form = page.locator("#target-form")
    form.get_by_label(say(language, "What the target counts")).select_option("onboarded")
    form.get_by_label(say(language, "Target for the year")).fill("40")
    form.get_by_role("button", name=say(language, "Save the target")).click()
    expect(page.locator(".messages")).to_contain_text(say(language, "The target is saved."))
    expect(onboarded).to_have_text(["40", "4", "10%"])
    expect(page.locator('#progress-table tr[data-measure="export_value"] td').nth(1)).to_have_text(
        "₹70,812.50"
    )
    check(page, language)

    # A DEPC meeting; its decision first without an owner, which is refused with the reason.
    page.get_by_role("link", name=say(language, "Record a DEPC meeting")).first.click()
    page.get_by_label(say(language, "Place")).fill("कलेक्ट्रेट सभागार")
    page.get_by_label(say(language, "Attendees")).fill("जिलाधिकारी (अध्यक्ष)\nउपायुक्त उद्योग")
    page.get_by_label(say(language, "Agenda")).fill("वर्ष के लक्ष्य")
    page.get_by_label(say(language, "A decision taken")).fill("औरंगाबाद में पंजीकरण शिविर")
    due = (seeded.today + dt.timedelta(days=14)).isoformat()
    page.get_by_label(say(language, "Done by")).fill(due)
    check(page, language)
    page.get_by_role("button", name=say(language, "Save the meeting")).click()
    expect(page.locator("main [role=alert]")).to_contain_text(
        say(language, "A decision needs an owner: who will see it done.")
    )
    expect(page.get_by_label(say(language, "A decision taken"))).to_have_value(
        "औरंगाबाद में पंजीकरण शिविर"
    )
    page.get_by_label(say(language, "Who will see it done")).fill("उपायुक्त उद्योग")
    page.get_by_role("button", name=say(language, "Save the meeting")).click()
    expect(page.locator(".messages")).to_contain_text(say(language, "The meeting is recorded."))
    check(page, language)

    # Back on the plan, the decision waits; later the officer marks it done.
    page.get_by_role("link", name=re.compile(year)).first.click()
    expect(page.locator(".open-decisions")).to_contain_text("औरंगाबाद में पंजीकरण शिविर")
    page.locator(".open-decisions a").first.click()
    decision = page.locator(".decisions .card").first
    decision.get_by_label(say(language, "What was done")).fill("212 कारीगर पंजीकृत")
    decision.get_by_role("button", name=say(language, "Mark done")).click()
    expect(page.locator(".messages")).to_contain_text(say(language, "The decision is marked done."))
    expect(page.locator(".decisions .decision-status")).to_contain_text("212 कारीगर पंजीकृत")
    check(page, language)
    assert Decision.objects.get().status == Decision.Status.DONE
    page.get_by_role("link", name=re.compile(year)).first.click()
    expect(page.locator(".open-decisions")).to_have_count(0)
