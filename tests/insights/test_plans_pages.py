"""The district export plan and DEPC pages as people use them: the district officer reads targets
against actuals and writes the plan, state users read, other districts see nothing, and bad input
comes back with its reason in the reader's language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone, translation

from niryat.core.models import District, OdopProduct, User
from niryat.insights.actions import do_refresh_summaries
from niryat.insights.models import Decision, DepcMeeting, ExportPlan, Measure, PlanTarget
from niryat.insights.plan_actions import do_set_target, do_start_plan
from niryat.insights.plans import current_financial_year
from tests.conftest import client_for, hindi
from tests.insights.seeding import seed_year


def text(response: Any) -> str:
    return response.content.decode()


def plan_path(district: District, year: str | None = None) -> str:
    return reverse("plan_detail", args=[district.lgd_code, year or current_financial_year()])


def test_the_officer_sees_targets_against_actuals_month_by_month(
    gorakhpur: District, ganesh: User, gita: User, django_assert_max_num_queries: Any
) -> None:
    seeded = seed_year(gorakhpur, ganesh)
    do_refresh_summaries(full=True)  # the actuals come from the summary rows
    plan = do_start_plan(gorakhpur, current_financial_year(), acting_user=gita)
    do_set_target(plan, Measure.ONBOARDED, value=Decimal(40), acting_user=gita)
    client = client_for(gita)
    with django_assert_max_num_queries(30):
        page = text(client.get(plan_path(gorakhpur)))
    assert f"Export plan of Gorakhpur, {plan.financial_year}" in page
    assert (
        '<tr data-measure="onboarded"><th scope="row">Units onboarded (registered)</th>'
        '<td class="num">40</td><td class="num">4</td><td class="num">10%</td></tr>'
    ) in page
    assert f'<th scope="col" class="num">April {seeded.start_year}</th>' in page
    assert f'<th scope="col" class="num">March {seeded.start_year + 1}</th>' in page
    # the export value, direct and through the merchant exporter
    assert '<td class="num">₹70,812.50</td>' in page
    # the officer may write: the forms are there
    assert 'id="target-form"' in page
    assert 'id="action-form"' in page


def test_state_users_read_every_district_and_other_districts_see_nothing(
    gorakhpur: District, gita: User, sam: User, vani: User, prem: User
) -> None:
    do_start_plan(gorakhpur, current_financial_year(), acting_user=gita)
    page = client_for(sam).get(plan_path(gorakhpur))
    assert page.status_code == 200
    assert 'id="target-form"' not in text(page)
    assert "Record a DEPC meeting" not in text(page)
    assert client_for(vani).get(plan_path(gorakhpur)).status_code == 404
    assert client_for(prem).get(reverse("plan_list")).status_code == 403
    listing = text(client_for(sam).get(reverse("plan_list")))
    assert "Gorakhpur" in listing
    assert "Gorakhpur" not in text(client_for(vani).get(reverse("plan_list")))
    plan = ExportPlan.objects.get()
    refused = client_for(sam).post(
        reverse("plan_target_set", args=[plan.uuid]),
        {"target-measure": "listed", "target-value": "5"},
    )
    assert refused.status_code == 403
    assert not PlanTarget.objects.exists()


def test_a_district_without_a_plan_offers_to_start_one_and_refuses_a_bad_year_in_hindi(
    gorakhpur: District, gita: User, sam: User
) -> None:
    page = client_for(gita).get(plan_path(gorakhpur))
    assert "has no export plan for" in text(page)
    assert client_for(sam).get(plan_path(gorakhpur)).status_code == 404
    assert client_for(gita).get(plan_path(gorakhpur, "2026-28")).status_code == 404
    client = client_for(gita, accept_language="hi")
    refused = client.post(
        reverse("plan_start"), {"financial_year": "2026/27"}, HTTP_ACCEPT_LANGUAGE="hi"
    )
    assert refused.status_code == 200
    reason = hindi(
        "«%(value)s» is not a financial year; write it like 2026-27 (April 2026 to March 2027)."
    ) % {"value": "2026/27"}
    assert reason in text(refused)
    assert not ExportPlan.objects.exists()
    started = client.post(reverse("plan_start"), {"financial_year": current_financial_year()})
    assert started.status_code == 302
    assert started["Location"] == plan_path(gorakhpur)


def test_a_target_for_another_districts_product_comes_back_with_the_reason_in_hindi(
    gorakhpur: District, gita: User, banarasi: OdopProduct
) -> None:
    plan = do_start_plan(gorakhpur, current_financial_year(), acting_user=gita)
    client = client_for(gita)
    client.cookies["django_language"] = "hi"
    refused = client.post(
        reverse("plan_target_set", args=[plan.uuid]),
        {"target-measure": "listed", "target-odop_product": banarasi.pk, "target-value": "5"},
        HTTP_ACCEPT_LANGUAGE="hi",
    )
    assert refused.status_code == 400
    page = text(refused)
    assert hindi("Set a target") in page
    with translation.override("hi"):
        reason = hindi(
            "%(product)s is an ODOP product of %(other)s, not of %(district)s: "
            "a plan covers its own district's products."
        ) % {"product": banarasi.name, "other": "वाराणसी", "district": gorakhpur.name}
    assert reason in page
    assert hindi("Whole district") in page
    assert not PlanTarget.objects.exists()
    # the value typed stays on the form
    assert 'name="target-value" value="5"' in page


def test_a_meeting_is_recorded_and_its_decision_marked_done(
    gorakhpur: District, gita: User
) -> None:
    plan = do_start_plan(gorakhpur, current_financial_year(), acting_user=gita)
    client = client_for(gita)
    url = reverse("depc_meeting_new", args=[plan.uuid])
    today = timezone.localdate()
    values = {
        "held_on": today.isoformat(),
        "place": "Collectorate",
        "attendees": "District Magistrate (chair)\nDC-DIC",
        "agenda": "Targets for the year",
        "minutes": "Agreed.",
        "decision_text": "Hold an onboarding camp in Aurangabad",
        "decision_owner": "",
        "decision_due_on": (today + dt.timedelta(days=20)).isoformat(),
    }
    refused = client.post(url, values)
    assert refused.status_code == 400
    assert "A decision needs an owner: who will see it done." in text(refused)
    assert "Hold an onboarding camp in Aurangabad" in text(refused)
    assert not DepcMeeting.objects.exists()
    saved = client.post(url, {**values, "decision_owner": "DC-DIC"})
    meeting = DepcMeeting.objects.get()
    assert saved["Location"] == reverse("depc_meeting", args=[meeting.uuid])
    plan_page = text(client.get(plan_path(gorakhpur)))
    assert "Decisions still open" in plan_page
    assert "Hold an onboarding camp" in plan_page
    decision = Decision.objects.get()
    done = client.post(
        reverse("depc_decision_done", args=[decision.uuid]),
        {f"d{decision.pk}-done_on": today.isoformat(), f"d{decision.pk}-note": "Camp held"},
    )
    assert done.status_code == 302
    page = text(client.get(done["Location"]))
    assert "Camp held" in page
    assert "Decisions still open" not in text(client.get(plan_path(gorakhpur)))
