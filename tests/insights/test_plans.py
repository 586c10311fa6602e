"""District export plans: the rules of their writes (who, which product, which year, decisions
with owners) and the actuals they are measured against, month by month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from niryat.core.models import AuditEntry, District, OdopProduct, User
from niryat.insights.actions import do_refresh_summaries
from niryat.insights.models import (
    Decision,
    DepcMeeting,
    ExportPlan,
    Measure,
    PlanAction,
    PlanTarget,
)
from niryat.insights.plan_actions import (
    DecisionInput,
    do_add_decision,
    do_add_plan_action,
    do_mark_decision_done,
    do_record_meeting,
    do_set_plan_product,
    do_set_target,
    do_start_plan,
    do_update_plan_action,
)
from niryat.insights.plans import (
    actuals_for,
    current_financial_year,
    financial_year_of,
    parse_financial_year,
    progress,
    year_months,
)
from tests.insights.seeding import seed_year


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


@pytest.fixture
def plan(gorakhpur: District, gita: User) -> ExportPlan:
    return do_start_plan(gorakhpur, current_financial_year(), acting_user=gita)


# --- financial years ---------------------------------------------------------------------------


def test_a_financial_year_is_written_like_2026_27() -> None:
    assert parse_financial_year("2026-27") == 2026
    assert parse_financial_year(" 2098-99 ") == 2098
    for wrong in ("2026-28", "2026/27", "26-27", "FY2026", "2026-2027", ""):
        with pytest.raises(ValueError, match="is not a financial year; write it like 2026-27"):
            parse_financial_year(wrong)
    assert financial_year_of(dt.date(2026, 12, 9)) == "2026-27"
    assert financial_year_of(dt.date(2027, 3, 31)) == "2026-27"
    assert financial_year_of(dt.date(2027, 4, 1)) == "2027-28"
    assert year_months(2026)[0] == dt.date(2026, 4, 1)
    assert year_months(2026)[-1] == dt.date(2027, 3, 1)


# --- starting a plan and who writes it ---------------------------------------------------------


def test_the_district_officer_starts_the_plan_with_the_districts_products(
    gorakhpur: District, gita: User
) -> None:
    plan = do_start_plan(gorakhpur, "2026-27", acting_user=gita)
    products = {p.odop_product.name_en: p.hs_codes for p in plan.products.all()}
    assert products == {
        "Terracotta": ["6913", "6912"],
        "Readymade garments": ["6109", "6204", "6205", "6206"],
    }
    assert AuditEntry.objects.filter(action="export_plan.start", actor=gita).count() == 1
    with pytest.raises(ValidationError) as refused:
        do_start_plan(gorakhpur, "2026-27", acting_user=gita)
    assert messages_of(refused.value) == {
        "financial_year": ["Gorakhpur already has a plan for 2026-27."]
    }
    assert ExportPlan.objects.count() == 1


def test_a_plan_year_not_written_like_2026_27_is_refused(gorakhpur: District, ganesh: User) -> None:
    with pytest.raises(ValidationError) as refused:
        do_start_plan(gorakhpur, "2026/27", acting_user=ganesh)
    assert "«2026/27» is not a financial year" in messages_of(refused.value)["financial_year"][0]
    assert not ExportPlan.objects.exists()


def test_only_the_districts_people_and_state_admins_write_the_plan(
    gorakhpur: District, ganesh: User, vani: User, sam: User, alice: User, prem: User
) -> None:
    plan = do_start_plan(gorakhpur, "2026-27", acting_user=ganesh)
    for outsider in (vani, sam, prem):
        with pytest.raises(PermissionDenied):
            do_set_target(plan, Measure.ONBOARDED, value=Decimal(10), acting_user=outsider)
        with pytest.raises(PermissionDenied):
            do_start_plan(gorakhpur, "2027-28", acting_user=outsider)
    assert not PlanTarget.objects.exists()
    do_set_target(plan, Measure.ONBOARDED, value=Decimal(10), acting_user=alice)
    assert ExportPlan.objects.visible_to(sam).count() == 1
    assert ExportPlan.objects.visible_to(vani).count() == 0
    assert ExportPlan.objects.visible_to(prem).count() == 0
    assert ExportPlan.objects.changeable_by(sam).count() == 0


# --- products and targets ----------------------------------------------------------------------


def test_a_target_for_another_districts_product_is_refused(
    plan: ExportPlan, gita: User, banarasi: OdopProduct
) -> None:
    with pytest.raises(ValidationError) as refused:
        do_set_target(
            plan, Measure.LISTED, value=Decimal(5), odop_product=banarasi, acting_user=gita
        )
    assert messages_of(refused.value) == {
        "odop_product": [
            "Banarasi silk sarees is an ODOP product of Varanasi, not of Gorakhpur: "
            "a plan covers its own district's products."
        ]
    }
    with pytest.raises(ValidationError):
        do_set_plan_product(
            plan, banarasi, hs_codes_text="5007", baseline_export_inr=Decimal(0), acting_user=gita
        )
    assert not PlanTarget.objects.exists()
    assert plan.products.count() == 2


def test_targets_are_whole_units_and_only_export_value_has_a_market(
    plan: ExportPlan, gita: User, terracotta: OdopProduct
) -> None:
    cases = [
        ({"measure": Measure.LISTED, "value": Decimal("2.5")}, "value", "without a fraction"),
        ({"measure": Measure.LISTED, "value": Decimal(-1)}, "value", "cannot be below zero"),
        (
            {"measure": Measure.SALES_VALUE, "value": Decimal(9), "country": "US"},
            "country",
            "Only an export value target has a market.",
        ),
        (
            {"measure": Measure.EXPORT_VALUE, "value": Decimal(9), "country": "XX"},
            "country",
            "Choose a country from the list.",
        ),
    ]
    for values, field, reason in cases:
        measure = values.pop("measure")
        with pytest.raises(ValidationError) as refused:
            do_set_target(plan, measure, acting_user=gita, **values)  # type: ignore[arg-type]
        assert reason in messages_of(refused.value)[field][0]
    assert not PlanTarget.objects.exists()
    do_set_target(
        plan,
        Measure.EXPORT_VALUE,
        value=Decimal("500000"),
        odop_product=terracotta,
        country="us",
        acting_user=gita,
    )
    do_set_target(
        plan,
        Measure.EXPORT_VALUE,
        value=Decimal("600000"),
        odop_product=terracotta,
        country="US",
        acting_user=gita,
    )
    target = PlanTarget.objects.get()
    assert (target.country, target.value) == ("US", Decimal("600000"))


def test_hs_codes_on_the_plan_are_checked(
    plan: ExportPlan, gita: User, terracotta: OdopProduct
) -> None:
    with pytest.raises(ValidationError) as refused:
        do_set_plan_product(
            plan,
            terracotta,
            hs_codes_text="6913 69X3 9999",
            baseline_export_inr=Decimal(0),
            acting_user=gita,
        )
    assert messages_of(refused.value)["hs_codes"] == [
        "«69X3» is not an HS code: write 4, 6 or 8 digits, like 6913 or 691390.",
        "9999 is not in the HS nomenclature.",
    ]
    item = do_set_plan_product(
        plan,
        terracotta,
        hs_codes_text="691390, 69139000",
        baseline_export_inr=Decimal("1200000"),
        baseline_source="DGCI&S 2025-26",
        acting_user=gita,
    )
    assert item.hs_codes == ["691390", "69139000"]
    assert item.baseline_export_inr == Decimal("1200000")


# --- actions -----------------------------------------------------------------------------------


def test_an_action_has_an_owner_and_a_date_in_the_plans_year(plan: ExportPlan, gita: User) -> None:
    start = plan.start_year
    with pytest.raises(ValidationError) as refused:
        do_add_plan_action(
            plan,
            kind="training",
            title="Packaging for export",
            owner=" ",
            due_on=dt.date(start, 9, 1),
            acting_user=gita,
        )
    assert messages_of(refused.value) == {"owner": ["This cannot be left empty."]}
    with pytest.raises(ValidationError) as refused:
        do_add_plan_action(
            plan,
            kind="training",
            title="Packaging for export",
            owner="EDC",
            due_on=dt.date(start + 1, 4, 1),
            acting_user=gita,
        )
    assert "outside the plan's financial year" in messages_of(refused.value)["due_on"][0]
    assert not PlanAction.objects.exists()
    action = do_add_plan_action(
        plan,
        kind="onboarding",
        title="Onboarding drive, Aurangabad",
        owner="EDC Gorakhpur",
        due_on=dt.date(start, 9, 1),
        acting_user=gita,
    )
    do_update_plan_action(action, status="done", acting_user=gita)
    action.refresh_from_db()
    assert (action.status, action.done_on) == ("done", timezone.localdate())
    do_update_plan_action(action, status="under_way", acting_user=gita)
    action.refresh_from_db()
    assert (action.status, action.done_on) == ("under_way", None)


# --- DEPC meetings and decisions ---------------------------------------------------------------


def test_a_decision_without_an_owner_is_refused_and_the_meeting_not_saved(
    plan: ExportPlan, gita: User
) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        do_record_meeting(
            plan,
            held_on=today,
            place="Collectorate",
            attendees="District Magistrate (chair)\nDC-DIC",
            agenda="Review of targets",
            minutes="",
            decisions=[DecisionInput("Hold a buyer-seller meet", "  ", today)],
            acting_user=gita,
        )
    assert messages_of(refused.value) == {
        "decision_owner": ["A decision needs an owner: who will see it done."]
    }
    assert not DepcMeeting.objects.exists()
    with pytest.raises(ValidationError) as refused:
        do_record_meeting(
            plan,
            held_on=today + dt.timedelta(days=1),
            place="",
            attendees="DC-DIC",
            agenda="Review",
            minutes="",
            decisions=[],
            acting_user=gita,
        )
    assert messages_of(refused.value) == {"held_on": ["The date cannot be in the future."]}


def test_a_decision_is_followed_until_done(plan: ExportPlan, gita: User, sam: User) -> None:
    held_on = timezone.localdate() - dt.timedelta(days=10)
    meeting = do_record_meeting(
        plan,
        held_on=held_on,
        place="Collectorate",
        attendees="District Magistrate (chair)\nDC-DIC\nEDC coordinator",
        agenda="Targets for the year",
        minutes="Targets agreed.",
        decisions=[
            DecisionInput(
                "Register 200 terracotta artisans", "DC-DIC", held_on + dt.timedelta(days=30)
            )
        ],
        acting_user=gita,
    )
    assert meeting.attendee_list == ["District Magistrate (chair)", "DC-DIC", "EDC coordinator"]
    decision = meeting.decisions.get()
    assert list(Decision.objects.filter(meeting__plan=plan).open()) == [decision]
    with pytest.raises(ValidationError) as refused:
        do_add_decision(
            meeting,
            DecisionInput("Fair stall", "EDC", held_on - dt.timedelta(days=1)),
            acting_user=gita,
        )
    assert messages_of(refused.value) == {
        "due_on": ["A decision cannot be due before the meeting that took it."]
    }
    with pytest.raises(PermissionDenied):
        do_mark_decision_done(decision, done_on=timezone.localdate(), acting_user=sam)
    with pytest.raises(ValidationError) as refused:
        do_mark_decision_done(decision, done_on=held_on - dt.timedelta(days=1), acting_user=gita)
    assert messages_of(refused.value) == {
        "done_on": ["A decision cannot be done before the meeting that took it."]
    }
    do_mark_decision_done(
        decision, done_on=timezone.localdate(), note="212 registered", acting_user=gita
    )
    decision.refresh_from_db()
    assert (decision.status, decision.done_on, decision.done_note) == (
        "done",
        timezone.localdate(),
        "212 registered",
    )
    assert not Decision.objects.filter(meeting__plan=plan).open().exists()
    with pytest.raises(ValidationError):
        do_mark_decision_done(decision, done_on=timezone.localdate(), acting_user=gita)
    assert AuditEntry.objects.filter(action="depc.decision_done").count() == 1


# --- actuals -----------------------------------------------------------------------------------


def _months(values: dict[int, str | int], length: int = 12) -> list[Decimal]:
    result = [Decimal(0)] * length
    for index, value in values.items():
        result[index] += Decimal(value)
    return result


def test_actuals_come_from_the_registry_the_order_book_and_the_export_desk(
    gorakhpur: District, ganesh: User
) -> None:
    seeded = seed_year(gorakhpur, ganesh)
    do_refresh_summaries(full=True)  # the actuals come from the summary rows
    now = seeded.this_month
    actuals = actuals_for(gorakhpur, seeded.start_year)
    terracotta, garments = seeded.terracotta.pk, seeded.garments.pk
    # Registered in April (3) and now (1); the one registered last March is not this year's.
    assert actuals.monthly(Measure.ONBOARDED) == _months({0: 3, now: 1})
    assert actuals.monthly(Measure.ONBOARDED, terracotta) == _months({0: 2, now: 1})
    assert actuals.monthly(Measure.ONBOARDED, garments) == _months({0: 1})
    # Listed: last March's producer in April; one listed now, one exporting now (went beyond).
    assert actuals.monthly(Measure.LISTED) == _months({0: 1, now: 2})
    assert actuals.monthly(Measure.SOLD) == _months({now: 1})
    assert actuals.monthly(Measure.EXPORTING) == _months({now: 1})
    # The cancelled order counts for nothing.
    assert actuals.monthly(Measure.PIECES_SOLD) == _months({0: 2})
    assert actuals.monthly(Measure.SALES_VALUE, terracotta) == _months({0: "1900.00"})
    assert actuals.monthly(Measure.EXPORT_VALUE) == _months({0: 50000, now: "20812.50"})
    assert actuals.monthly(Measure.EXPORT_VALUE, None, "US") == _months({now: "20812.50"})
    assert actuals.monthly(Measure.EXPORT_VALUE, garments, "DE") == _months({0: 50000})
    assert actuals.monthly(Measure.EXPORT_VALUE, terracotta, "DE") == _months({})


def test_progress_sets_targets_against_actuals_and_hides_months_to_come(
    gorakhpur: District, ganesh: User, gita: User, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    seeded = seed_year(gorakhpur, ganesh)
    do_refresh_summaries(full=True)  # the actuals come from the summary rows
    plan = do_start_plan(gorakhpur, current_financial_year(), acting_user=gita)
    do_set_target(plan, Measure.ONBOARDED, value=Decimal(40), acting_user=gita)
    do_set_target(
        plan,
        Measure.EXPORT_VALUE,
        value=Decimal(100000),
        odop_product=seeded.garments,
        country="DE",
        acting_user=gita,
    )
    with django_assert_max_num_queries(10):
        rows = progress(plan, seeded.today)
    assert [r.measure for r in rows] == [*Measure, Measure.EXPORT_VALUE]
    onboarded = rows[0]
    assert (onboarded.target, onboarded.done, onboarded.percent) == (Decimal(40), Decimal(4), 10)
    assert onboarded.target_text == "40"
    assert onboarded.cells[0] == "3"
    assert all(cell == "—" for cell in onboarded.cells[seeded.this_month + 1 :])
    germany = rows[-1]
    assert germany.label == "Export value (₹) · Readymade garments · Germany"
    assert (germany.target_text, germany.done_text, germany.percent) == ("₹1,00,000", "₹50,000", 50)
    listed = rows[1]
    assert (listed.target, listed.target_text, listed.percent) == (None, "—", None)
