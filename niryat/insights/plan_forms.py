"""Forms of the district export plan and DEPC pages; the rules themselves are in plan_actions.py
(a product of another district, a decision without an owner... are refused there, with reasons)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from niryat.core.countries import destination_choices
from niryat.core.models import District, OdopProduct
from niryat.insights.models import ExportPlan, Measure, PlanAction
from niryat.insights.plans import current_financial_year

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _district_products(field: Any, district: District, blank: str | None) -> None:
    """Offer the district's ODOP products, while accepting any product's id: the action then
    refuses another district's product with its reason, not a bare "not one of the choices"."""
    choices = [(p.pk, p.name) for p in OdopProduct.objects.filter(district=district)]
    field.widget.choices = [("", blank), *choices] if blank is not None else choices


class StartPlanForm(forms.Form):
    financial_year = forms.CharField(
        label=_("Financial year"),
        max_length=20,
        help_text=_("April to March, written like 2026-27."),
    )
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.all())

    def __init__(self, *args: Any, choose_district: bool, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"financial_year": current_financial_year()})
        super().__init__(*args, **kwargs)
        if not choose_district:
            del self.fields["district"]


class PlanProductForm(forms.Form):
    odop_product = forms.ModelChoiceField(
        label=_("ODOP product"), queryset=OdopProduct.objects.all()
    )
    hs_codes = forms.CharField(
        label=_("HS codes"),
        required=False,
        max_length=200,
        help_text=_("4, 6 or 8 digits each, separated by spaces, like 6913 691390."),
    )
    baseline_export_inr = forms.DecimalField(
        label=_("Exports in the year before (₹)"), max_digits=14, decimal_places=2, initial=0
    )
    baseline_source = forms.CharField(
        label=_("Source of the baseline"), max_length=300, required=False
    )

    def __init__(self, *args: Any, plan: ExportPlan, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "product")
        super().__init__(*args, **kwargs)
        _district_products(self.fields["odop_product"], plan.district, None)


class TargetForm(forms.Form):
    measure = forms.ChoiceField(label=_("What the target counts"), choices=Measure.choices)
    odop_product = forms.ModelChoiceField(
        label=_("ODOP product"), queryset=OdopProduct.objects.all(), required=False
    )
    country = forms.ChoiceField(label=_("Market (export value only)"), choices=(), required=False)
    value = forms.DecimalField(
        label=_("Target for the year"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Units and pieces as a count; values in rupees."),
    )

    def __init__(self, *args: Any, plan: ExportPlan, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "target")
        super().__init__(*args, **kwargs)
        _district_products(self.fields["odop_product"], plan.district, str(_("Whole district")))
        self.fields["country"].choices = [("", _("All markets")), *destination_choices()]  # type: ignore[attr-defined]


class PlanActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanAction.Kind.choices)
    title = forms.CharField(label=_("What"), max_length=200, required=False)
    owner = forms.CharField(label=_("Who does it"), max_length=120, required=False)
    due_on = forms.DateField(label=_("By when"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "action")
        super().__init__(*args, **kwargs)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=PlanAction.Status.choices)


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    attendees = forms.CharField(
        label=_("Attendees"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One person a line, with their post."),
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    decision_text = forms.CharField(
        label=_("A decision taken"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("More decisions can be added on the meeting's page."),
    )
    decision_owner = forms.CharField(
        label=_("Who will see it done"), max_length=120, required=False
    )
    decision_due_on = forms.DateField(label=_("Done by"), widget=DATE, required=False)

    def has_decision(self) -> bool:
        data = self.cleaned_data
        return any(
            [data.get("decision_text", "").strip(), data.get("decision_owner", "").strip()]
        ) or bool(data.get("decision_due_on"))


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("Decision"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.CharField(label=_("Who will see it done"), max_length=120, required=False)
    due_on = forms.DateField(label=_("Done by"), widget=DATE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "decision")
        super().__init__(*args, **kwargs)


class DecisionDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE)
    note = forms.CharField(label=_("What was done"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"done_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
