"""Pages of the district export plan and its DEPC meetings. Reads come from plans.py and the
QuerySets, writes from plan_actions.py; a refused form comes back with its reasons and what was
typed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from niryat.core.access import staff_only
from niryat.core.models import District, Role, User
from niryat.core.scoping import current_user, get_visible_or_404
from niryat.insights.models import Decision, DepcMeeting, ExportPlan, PlanAction
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
from niryat.insights.plan_forms import (
    ActionStatusForm,
    DecisionDoneForm,
    DecisionForm,
    MeetingForm,
    PlanActionForm,
    PlanProductForm,
    StartPlanForm,
    TargetForm,
)
from niryat.insights.plans import (
    current_financial_year,
    figures_as_of,
    may_change_plan,
    month_label,
    parse_financial_year,
    progress,
    year_months,
)


def plan_url(plan: ExportPlan) -> str:
    return reverse("plan_detail", args=[plan.district.lgd_code, plan.financial_year])


def _refused(form: Form, error: ValidationError) -> None:
    """Put an action's reasons on the form: on the field they name, else above the form."""
    if hasattr(error, "error_dict"):
        for field, problems in error.error_dict.items():
            name = field if field in form.fields else None
            for problem in problems:
                form.add_error(name, problem)
    else:
        form.add_error(None, error)


def _visible_plan(request: HttpRequest, uuid: UUID) -> ExportPlan:
    return get_visible_or_404(
        ExportPlan.objects.select_related("district"), current_user(request), uuid=uuid
    )


@require_safe
@staff_only
def plan_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    plans = ExportPlan.objects.visible_to(user).select_related("district")
    own = user.district if not user.is_state_level else None
    return render(
        request,
        "insights/plans/plan_list.html",
        {
            "plans": plans,
            "current_year": current_financial_year(),
            "own_district": own,
            "start_form": _start_form(user),
        },
    )


def _start_form(user: User, data: Any = None) -> StartPlanForm | None:
    if user.is_state_level:
        return StartPlanForm(data, choose_district=True) if user.role == Role.STATE_ADMIN else None
    if user.district is not None and may_change_plan(user, user.district):
        return StartPlanForm(data, choose_district=False)
    return None


@require_POST
@staff_only
def plan_start(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = _start_form(user, request.POST)
    if form is None:
        raise Http404
    if form.is_valid():
        district = form.cleaned_data.get("district") or user.district
        if district is None:
            raise Http404
        try:
            plan = do_start_plan(district, form.cleaned_data["financial_year"], acting_user=user)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The plan is started."))
            return redirect(plan_url(plan))
    plans = ExportPlan.objects.visible_to(user).select_related("district")
    return render(
        request,
        "insights/plans/plan_list.html",
        {
            "plans": plans,
            "current_year": current_financial_year(),
            "own_district": None if user.is_state_level else user.district,
            "start_form": form,
        },
    )


@require_safe
@staff_only
def plan_detail(request: HttpRequest, lgd_code: int, financial_year: str) -> HttpResponse:
    user = current_user(request)
    district = get_visible_or_404(District.objects, user, lgd_code=lgd_code)
    try:
        parse_financial_year(financial_year)
    except ValueError as error:
        raise Http404(str(error)) from error
    plan = ExportPlan.objects.filter(district=district, financial_year=financial_year).first()
    if plan is None:
        form = _start_form(user) if may_change_plan(user, district) else None
        if form is not None:
            form.initial = {"financial_year": financial_year, "district": district.pk}
        return render(
            request,
            "insights/plans/no_plan.html",
            {"district": district, "financial_year": financial_year, "start_form": form},
            status=200 if form is not None else 404,
        )
    return _plan_page(request, plan)


def _plan_page(
    request: HttpRequest, plan: ExportPlan, *, bound: dict[str, Form] | None = None
) -> HttpResponse:
    user = current_user(request)
    can_change = may_change_plan(user, plan.district)
    forms: dict[str, Form] = {}
    if can_change:
        forms = {
            "product_form": PlanProductForm(plan=plan),
            "target_form": TargetForm(plan=plan),
            "action_form": PlanActionForm(),
        }
        forms.update(bound or {})
    today = timezone.localdate()
    actions = list(plan.actions.all())
    open_decisions = list(Decision.objects.open_in(plan))
    return render(
        request,
        "insights/plans/plan_detail.html",
        {
            "plan": plan,
            "can_change": can_change,
            "rows": progress(plan, today),
            "refreshed_at": figures_as_of(plan.district),
            "months": [month_label(month) for month in year_months(plan.start_year)],
            "products": plan.products.select_related("odop_product"),
            "actions": [
                (a, ActionStatusForm(initial={"status": a.status}, prefix=f"a{a.pk}"))
                for a in actions
            ],
            "meetings": plan.meetings.all(),
            "open_decisions": open_decisions,
            "today": today,
            **forms,
        },
        status=400 if bound else 200,
    )


def _changeable_plan(request: HttpRequest, uuid: UUID) -> ExportPlan:
    plan = _visible_plan(request, uuid)
    if not may_change_plan(current_user(request), plan.district):
        raise PermissionDenied(_("You may read this plan but not change it."))
    return plan


@require_POST
@staff_only
def plan_product_set(request: HttpRequest, uuid: UUID) -> HttpResponse:
    plan = _changeable_plan(request, uuid)
    form = PlanProductForm(request.POST, plan=plan)
    if form.is_valid():
        data = form.cleaned_data
        try:
            do_set_plan_product(
                plan,
                data["odop_product"],
                hs_codes_text=data["hs_codes"],
                baseline_export_inr=data["baseline_export_inr"],
                baseline_source=data["baseline_source"],
                acting_user=current_user(request),
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The product is saved on the plan."))
            return redirect(plan_url(plan) + "#products")
    return _plan_page(request, plan, bound={"product_form": form})


@require_POST
@staff_only
def plan_target_set(request: HttpRequest, uuid: UUID) -> HttpResponse:
    plan = _changeable_plan(request, uuid)
    form = TargetForm(request.POST, plan=plan)
    if form.is_valid():
        data = form.cleaned_data
        try:
            do_set_target(
                plan,
                data["measure"],
                value=data["value"],
                odop_product=data["odop_product"],
                country=data["country"],
                acting_user=current_user(request),
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The target is saved."))
            return redirect(plan_url(plan) + "#progress")
    return _plan_page(request, plan, bound={"target_form": form})


@require_POST
@staff_only
def plan_action_add(request: HttpRequest, uuid: UUID) -> HttpResponse:
    plan = _changeable_plan(request, uuid)
    form = PlanActionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            do_add_plan_action(plan, **data, acting_user=current_user(request))
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The action is added to the plan."))
            return redirect(plan_url(plan) + "#actions")
    return _plan_page(request, plan, bound={"action_form": form})


@require_POST
@staff_only
def plan_action_status(request: HttpRequest, uuid: UUID) -> HttpResponse:
    user = current_user(request)
    action = get_visible_or_404(
        PlanAction.objects.select_related("plan__district"), user, uuid=uuid
    )
    plan = _changeable_plan(request, action.plan.uuid)
    form = ActionStatusForm(request.POST, prefix=f"a{action.pk}")
    if form.is_valid():
        try:
            do_update_plan_action(action, status=form.cleaned_data["status"], acting_user=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The action's status is saved."))
    return redirect(plan_url(plan) + "#actions")


@require_http_methods(["GET", "HEAD", "POST"])
@staff_only
def meeting_new(request: HttpRequest, uuid: UUID) -> HttpResponse:
    plan = _changeable_plan(request, uuid)
    form = MeetingForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        decisions = []
        if form.has_decision():
            decisions.append(
                DecisionInput(
                    data["decision_text"], data["decision_owner"], data["decision_due_on"]
                )
            )
        try:
            meeting = do_record_meeting(
                plan,
                held_on=data["held_on"],
                place=data["place"],
                attendees=data["attendees"],
                agenda=data["agenda"],
                minutes=data["minutes"],
                decisions=decisions,
                acting_user=current_user(request),
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The meeting is recorded."))
            return redirect("depc_meeting", meeting.uuid)
    return render(
        request,
        "insights/plans/meeting_form.html",
        {"plan": plan, "form": form, "plan_url": plan_url(plan)},
        status=400 if request.method == "POST" else 200,
    )


def _meeting_page(
    request: HttpRequest,
    meeting: DepcMeeting,
    *,
    decision_form: DecisionForm | None = None,
    done_form: tuple[int, DecisionDoneForm] | None = None,
) -> HttpResponse:
    user = current_user(request)
    can_change = may_change_plan(user, meeting.plan.district)
    decisions = []
    for decision in meeting.decisions.all():
        form = None
        if can_change and decision.status == Decision.Status.OPEN:
            form = (
                done_form[1]
                if done_form and done_form[0] == decision.pk
                else DecisionDoneForm(prefix=f"d{decision.pk}")
            )
        decisions.append((decision, form))
    bound = decision_form is not None or done_form is not None
    return render(
        request,
        "insights/plans/meeting_detail.html",
        {
            "meeting": meeting,
            "plan": meeting.plan,
            "plan_url": plan_url(meeting.plan),
            "decisions": decisions,
            "can_change": can_change,
            "decision_form": decision_form or DecisionForm(),
            "today": timezone.localdate(),
        },
        status=400 if bound else 200,
    )


def _visible_meeting(request: HttpRequest, uuid: UUID) -> DepcMeeting:
    return get_visible_or_404(
        DepcMeeting.objects.select_related("plan__district", "recorded_by"),
        current_user(request),
        uuid=uuid,
    )


@require_safe
@staff_only
def meeting_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    return _meeting_page(request, _visible_meeting(request, uuid))


@require_POST
@staff_only
def decision_add(request: HttpRequest, uuid: UUID) -> HttpResponse:
    meeting = _visible_meeting(request, uuid)
    _changeable_plan(request, meeting.plan.uuid)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            do_add_decision(
                meeting,
                DecisionInput(data["text"], data["owner"], data["due_on"]),
                acting_user=current_user(request),
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The decision is added."))
            return redirect("depc_meeting", meeting.uuid)
    return _meeting_page(request, meeting, decision_form=form)


@require_POST
@staff_only
def decision_done(request: HttpRequest, uuid: UUID) -> HttpResponse:
    user = current_user(request)
    decision = get_visible_or_404(
        Decision.objects.select_related("meeting__plan__district"), user, uuid=uuid
    )
    meeting = _visible_meeting(request, decision.meeting.uuid)
    _changeable_plan(request, meeting.plan.uuid)
    form = DecisionDoneForm(request.POST, prefix=f"d{decision.pk}")
    if form.is_valid():
        try:
            do_mark_decision_done(
                decision,
                done_on=form.cleaned_data["done_on"],
                note=form.cleaned_data["note"],
                acting_user=user,
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The decision is marked done."))
            return redirect("depc_meeting", meeting.uuid)
    return _meeting_page(request, meeting, done_form=(decision.pk, form))
