"""Writes of district export plans and DEPC meetings. Each `do_*` is atomic, checks that the
acting user may change the district's plan, refuses bad input with reasons (a ValidationError
naming the form's fields) before saving anything, and leaves an audit entry."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from niryat.core import hs_codes
from niryat.core.audit import record_audit
from niryat.core.countries import is_destination
from niryat.core.models import District, OdopProduct, User
from niryat.insights.models import (
    MONEY_MEASURES,
    Decision,
    DepcMeeting,
    ExportPlan,
    Measure,
    PlanAction,
    PlanProduct,
    PlanTarget,
)
from niryat.insights.plans import may_change_plan, parse_financial_year

HS_CODE = re.compile(r"^\d{4}(\d{2}(\d{2})?)?$")


def _require_plan_write(district: District, acting_user: User) -> None:
    if not may_change_plan(acting_user, district):
        raise PermissionDenied(_("You may read this plan but not change it."))


def _locked(plan: ExportPlan, acting_user: User) -> ExportPlan:
    plan = ExportPlan.objects.select_for_update().select_related("district").get(pk=plan.pk)
    _require_plan_write(plan.district, acting_user)
    return plan


def _own_product(plan: ExportPlan, product: OdopProduct, field: str) -> None:
    if product.district_id != plan.district_id:
        raise ValidationError(
            {
                field: _(
                    "%(product)s is an ODOP product of %(other)s, not of %(district)s: "
                    "a plan covers its own district's products."
                )
                % {"product": product, "other": product.district, "district": plan.district}
            }
        )


def _in_year(plan: ExportPlan, on: dt.date, field: str) -> None:
    start = dt.date(plan.start_year, 4, 1)
    end = dt.date(plan.start_year + 1, 3, 31)
    if not start <= on <= end:
        raise ValidationError(
            {
                field: _(
                    "The date is outside the plan's financial year %(year)s "
                    "(1 April %(start)s to 31 March %(end)s)."
                )
                % {"year": plan.financial_year, "start": start.year, "end": end.year}
            }
        )


def _not_future(on: dt.date, field: str) -> None:
    if on > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


def _required(values: dict[str, str]) -> dict[str, str]:
    """The values stripped; refused, naming each field left empty."""
    cleaned = {name: (value or "").strip() for name, value in values.items()}
    missing = {
        name: _("This cannot be left empty.") for name, value in cleaned.items() if not value
    }
    if missing:
        raise ValidationError(missing)
    return cleaned


@transaction.atomic
def do_start_plan(district: District, financial_year: str, *, acting_user: User) -> ExportPlan:
    """Start the district's export plan for a financial year ("2026-27"), with the district's ODOP
    products and their usual HS codes already on it (each can be changed)."""
    _require_plan_write(district, acting_user)
    try:
        start = parse_financial_year(financial_year)
    except ValueError as error:
        raise ValidationError({"financial_year": str(error)}) from error
    label = f"{start}-{(start + 1) % 100:02d}"
    District.objects.select_for_update().get(pk=district.pk)
    if ExportPlan.objects.filter(district=district, financial_year=label).exists():
        raise ValidationError(
            {
                "financial_year": _("%(district)s already has a plan for %(year)s.")
                % {"district": district, "year": label}
            }
        )
    plan = ExportPlan.objects.create(
        district=district, financial_year=label, created_by=acting_user
    )
    for product in OdopProduct.objects.filter(district=district):
        PlanProduct.objects.create(plan=plan, odop_product=product, hs_codes=list(product.hs_codes))
    record_audit(
        actor=acting_user,
        action="export_plan.start",
        obj=plan,
        district=district,
        changes={"financial_year": label},
    )
    return plan


def clean_hs_codes(text: str) -> list[str]:
    """HS codes as typed (spaces or commas between them): each 4, 6 or 8 digits whose heading or
    subheading exists in the HS nomenclature."""
    codes = [code for code in re.split(r"[\s,;]+", text.strip()) if code]
    problems = []
    for code in codes:
        if not HS_CODE.match(code):
            problems.append(
                _("«%(code)s» is not an HS code: write 4, 6 or 8 digits, like 6913 or 691390.")
                % {"code": code}
            )
        elif not hs_codes.exists(code[:6]) and not hs_codes.exists(code[:4]):
            problems.append(_("%(code)s is not in the HS nomenclature.") % {"code": code})
    if problems:
        raise ValidationError({"hs_codes": problems})
    return list(dict.fromkeys(codes))


@transaction.atomic
def do_set_plan_product(
    plan: ExportPlan,
    odop_product: OdopProduct,
    *,
    hs_codes_text: str,
    baseline_export_inr: Decimal,
    baseline_source: str = "",
    acting_user: User,
) -> PlanProduct:
    """Put an ODOP product of the plan's district on the plan (or change it): its HS codes and its
    exports in the year before the plan."""
    plan = _locked(plan, acting_user)
    _own_product(plan, odop_product, "odop_product")
    codes = clean_hs_codes(hs_codes_text)
    if baseline_export_inr < 0:
        raise ValidationError({"baseline_export_inr": _("The value cannot be below zero.")})
    item, created = PlanProduct.objects.get_or_create(plan=plan, odop_product=odop_product)
    before = {"hs_codes": item.hs_codes, "baseline": str(item.baseline_export_inr)}
    item.hs_codes = codes
    item.baseline_export_inr = baseline_export_inr
    item.baseline_source = baseline_source.strip()
    item.save()
    record_audit(
        actor=acting_user,
        action="export_plan.product",
        obj=item,
        district=plan.district,
        changes={
            "product": odop_product.name_en,
            "hs_codes": [before["hs_codes"], codes],
            "baseline": [None if created else before["baseline"], str(baseline_export_inr)],
        },
    )
    return item


@transaction.atomic
def do_set_target(
    plan: ExportPlan,
    measure: str,
    *,
    value: Decimal,
    odop_product: OdopProduct | None = None,
    country: str = "",
    acting_user: User,
) -> PlanTarget:
    """Set the year's target for a measure: for the whole district, an ODOP product of the
    district, or (export value only) a market. Setting it again replaces the number."""
    plan = _locked(plan, acting_user)
    if measure not in Measure.values:
        raise ValidationError({"measure": _("Choose what the target counts.")})
    if odop_product is not None:
        _own_product(plan, odop_product, "odop_product")
    country = country.strip().upper()
    if country and measure != Measure.EXPORT_VALUE:
        raise ValidationError({"country": _("Only an export value target has a market.")})
    if country and not is_destination(country):
        raise ValidationError({"country": _("Choose a country from the list.")})
    if value < 0:
        raise ValidationError({"value": _("A target cannot be below zero.")})
    if measure not in MONEY_MEASURES and value != value.to_integral_value():
        raise ValidationError({"value": _("Count whole units and pieces, without a fraction.")})
    target, created = PlanTarget.objects.get_or_create(
        plan=plan,
        measure=measure,
        odop_product=odop_product,
        country=country,
        defaults={"value": value},
    )
    old = None if created else str(target.value)
    if not created and target.value != value:
        target.value = value
        target.save(update_fields=["value", "updated_at"])
    record_audit(
        actor=acting_user,
        action="export_plan.target",
        obj=target,
        district=plan.district,
        changes={
            "measure": measure,
            "product": odop_product.name_en if odop_product else "",
            "country": country,
            "value": [old, str(value)],
        },
    )
    return target


@transaction.atomic
def do_add_plan_action(
    plan: ExportPlan,
    *,
    kind: str,
    title: str,
    owner: str,
    due_on: dt.date,
    acting_user: User,
) -> PlanAction:
    """Add a training, an onboarding drive, an event... to the plan, with who does it and by when
    (within the plan's year)."""
    plan = _locked(plan, acting_user)
    cleaned = _required({"title": title, "owner": owner})
    if kind not in PlanAction.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of action.")})
    _in_year(plan, due_on, "due_on")
    action = PlanAction.objects.create(plan=plan, kind=kind, due_on=due_on, **cleaned)
    record_audit(
        actor=acting_user,
        action="export_plan.action_add",
        obj=action,
        district=plan.district,
        changes={"title": action.title, "owner": action.owner, "due_on": str(due_on)},
    )
    return action


@transaction.atomic
def do_update_plan_action(
    action: PlanAction, *, status: str, done_on: dt.date | None = None, acting_user: User
) -> PlanAction:
    """Move an action on (planned, under way, done, dropped); done takes the day it was done
    (today when not given)."""
    action = (
        PlanAction.objects.select_for_update().select_related("plan__district").get(pk=action.pk)
    )
    _require_plan_write(action.plan.district, acting_user)
    if status not in PlanAction.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    if status == PlanAction.Status.DONE:
        done_on = done_on or timezone.localdate()
        _not_future(done_on, "done_on")
    else:
        done_on = None
    changes: dict[str, Any] = {"status": [action.status, status]}
    action.status = status
    action.done_on = done_on
    action.save(update_fields=["status", "done_on", "updated_at"])
    record_audit(
        actor=acting_user,
        action="export_plan.action_status",
        obj=action,
        district=action.plan.district,
        changes=changes,
    )
    return action


@dataclass(frozen=True)
class DecisionInput:
    text: str
    owner: str
    due_on: dt.date | None


def _check_decision(decision: DecisionInput, held_on: dt.date, prefix: str = "") -> dict[str, Any]:
    if not decision.text.strip():
        raise ValidationError({f"{prefix}text": _("Write what was decided.")})
    if not decision.owner.strip():
        raise ValidationError(
            {f"{prefix}owner": _("A decision needs an owner: who will see it done.")}
        )
    if decision.due_on is None:
        raise ValidationError({f"{prefix}due_on": _("A decision needs a date to be done by.")})
    if decision.due_on < held_on:
        raise ValidationError(
            {f"{prefix}due_on": _("A decision cannot be due before the meeting that took it.")}
        )
    return {
        "text": decision.text.strip(),
        "owner": decision.owner.strip(),
        "due_on": decision.due_on,
    }


@transaction.atomic
def do_record_meeting(
    plan: ExportPlan,
    *,
    held_on: dt.date,
    place: str,
    attendees: str,
    agenda: str,
    minutes: str,
    decisions: list[DecisionInput],
    acting_user: User,
) -> DepcMeeting:
    """Record a DEPC meeting that took place: who came, the agenda, the minutes and its decisions,
    each with an owner and a date to be done by. Nothing is saved if any part is refused."""
    plan = _locked(plan, acting_user)
    cleaned = _required({"attendees": attendees, "agenda": agenda})
    _not_future(held_on, "held_on")
    checked = [_check_decision(d, held_on, prefix="decision_") for d in decisions]
    meeting = DepcMeeting.objects.create(
        plan=plan,
        held_on=held_on,
        place=place.strip(),
        minutes=minutes.strip(),
        recorded_by=acting_user,
        **cleaned,
    )
    for values in checked:
        Decision.objects.create(meeting=meeting, **values)
    record_audit(
        actor=acting_user,
        action="depc.meeting",
        obj=meeting,
        district=plan.district,
        changes={"held_on": str(held_on), "decisions": len(decisions)},
    )
    return meeting


@transaction.atomic
def do_add_decision(
    meeting: DepcMeeting, decision: DecisionInput, *, acting_user: User
) -> Decision:
    """Add a decision to a meeting's minutes (one noted after the meeting was recorded)."""
    meeting = (
        DepcMeeting.objects.select_for_update().select_related("plan__district").get(pk=meeting.pk)
    )
    _require_plan_write(meeting.plan.district, acting_user)
    values = _check_decision(decision, meeting.held_on)
    record = Decision.objects.create(meeting=meeting, **values)
    record_audit(
        actor=acting_user,
        action="depc.decision_add",
        obj=record,
        district=meeting.plan.district,
        changes={"text": record.text, "owner": record.owner, "due_on": str(record.due_on)},
    )
    return record


@transaction.atomic
def do_mark_decision_done(
    decision: Decision, *, done_on: dt.date, note: str = "", acting_user: User
) -> Decision:
    """Mark a DEPC decision done on a day (not before its meeting, not in the future), with what
    was done."""
    decision = (
        Decision.objects.select_for_update()
        .select_related("meeting__plan__district")
        .get(pk=decision.pk)
    )
    _require_plan_write(decision.meeting.plan.district, acting_user)
    if decision.status == Decision.Status.DONE:
        raise ValidationError({"done_on": _("This decision was already marked done.")})
    _not_future(done_on, "done_on")
    if done_on < decision.meeting.held_on:
        raise ValidationError(
            {"done_on": _("A decision cannot be done before the meeting that took it.")}
        )
    decision.status = Decision.Status.DONE
    decision.done_on = done_on
    decision.done_note = note.strip()
    decision.save(update_fields=["status", "done_on", "done_note", "updated_at"])
    record_audit(
        actor=acting_user,
        action="depc.decision_done",
        obj=decision,
        district=decision.meeting.plan.district,
        changes={"done_on": str(done_on), "note": decision.done_note},
    )
    return decision
