"""The registry's forms: the fields, labels and widgets of its pages.

The producer form checks nothing itself: the registry's rules (`niryat/registry/rules.py`) are
applied by `do_register_producer` and `do_update_producer`, for this page as for the API and the
sheet import, and the form shows their refusals next to its fields (`add_action_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from niryat.core.models import District, OdopProduct
from niryat.registry import rules
from niryat.registry.models import Activity, Consent, Membership, Producer, Stage


class ProducerForm(forms.ModelForm):
    """Bound to one district: its ODOP products and their activities are the choices.

    `is_valid()` only turns what was posted into values (an ODOP product from its id, the
    activities ticked, the women-led box); `action_values()` hands them, as typed, to the action.
    """

    bank_account = forms.CharField(
        label=_("Bank account number"),
        required=False,
        help_text=_("Only the last 4 digits are kept."),
    )
    aadhaar = forms.CharField(
        label=_("Aadhaar number"),
        required=False,
        help_text=_("Only the last 4 digits are kept."),
    )

    class Meta:
        model = Producer
        fields = [
            "kind",
            "name_hi",
            "name_latin",
            "gender",
            "women_led",
            "social_category",
            "odop_product",
            "activities",
            "village",
            "tehsil",
            "pin",
            "mobile",
            "email",
            "bank_ifsc",
            "gstin",
            "pan",
            "iec",
            "udyam",
        ]
        widgets = {"activities": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, district: District, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.district = district
        odop = self.fields["odop_product"]
        odop.queryset = OdopProduct.objects.filter(district=district)  # type: ignore[attr-defined]
        offered = Activity.objects.all().for_products(
            list(OdopProduct.objects.filter(district=district))
        )
        activities = self.fields["activities"]
        activities.queryset = Activity.objects.filter(  # type: ignore[attr-defined]
            pk__in=[a.pk for a in offered]
        )
        self.fields["name_latin"].required = False
        self.fields["name_latin"].help_text = _(
            "Leave empty to have it suggested from the Devanagari name."
        )
        for name in ("kind", "gender", "social_category"):
            # A select of the choices; whether a value is one of them is the rules' to say.
            choice = self.fields[name]
            self.fields[name] = forms.CharField(
                label=choice.label,
                widget=forms.Select(choices=choice.choices),  # type: ignore[attr-defined]
                required=choice.required,
            )
        for field in self.fields.values():
            # The browser still marks required fields and limits lengths (HTML attributes); the
            # checks themselves are the action's, so that every way in keeps the same rules.
            if field.required:
                field.widget.attrs["required"] = True
            field.required = False
            field.validators = []

    def _post_clean(self) -> None:
        """The model's checks are the action's too: nothing is copied onto the instance here."""

    def action_values(self) -> dict[str, Any]:
        """What was typed, as `do_register_producer` / `do_update_producer` take it."""
        values = {name: value for name, value in self.cleaned_data.items() if name != "activities"}
        for name in rules.KEPT_WHEN_EMPTY:
            if not values.get(name):
                values.pop(name, None)
        return values

    def add_action_errors(self, error: ValidationError) -> None:
        """Show the action's refusal: each message next to the field it names, others on top."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            field = name if name in self.fields and name != NON_FIELD_ERRORS else None
            self.add_error(field, errors)


# Staff record consent given on paper, verbally or by SMS; "self" is the producer's own portal.
STAFF_CONSENT_METHODS = [
    (method.value, method.label) for method in Consent.Method if method != Consent.Method.SELF
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        # A date input sends and shows ISO dates whatever the language.
        super().__init__(format="%Y-%m-%d")


class RegistrationConsentForm(forms.Form):
    """Consent given when the producer is registered, recorded with `do_record_consent`."""

    hold_data = forms.BooleanField(
        label=_("Consents to the centre holding their data"), required=False
    )
    listing = forms.BooleanField(
        label=_("Consents to being listed, with their products, on marketplaces and in exports"),
        required=False,
    )
    on = forms.DateField(
        label=_("Date consent was given"),
        required=False,
        initial=timezone.localdate,
        widget=DateInput(),
    )
    method = forms.ChoiceField(
        label=_("How it was given"),
        choices=[("", "—"), *STAFF_CONSENT_METHODS],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("hold_data") or data.get("listing"):
            if not data.get("method"):
                self.add_error("method", _("Say how the consent was given."))
            if not data.get("on") and "on" not in self.errors:
                self.add_error("on", _("Give the date the consent was given."))
        if data.get("on") and data["on"] > timezone.localdate():
            self.add_error("on", _("The date cannot be in the future."))
        return data

    def purposes(self) -> list[Consent.Purpose]:
        chosen = []
        if self.cleaned_data.get("hold_data"):
            chosen.append(Consent.Purpose.HOLD_DATA)
        if self.cleaned_data.get("listing"):
            chosen.append(Consent.Purpose.LIST_ON_MARKETPLACES)
        return chosen


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Consent to"), choices=Consent.Purpose.choices)
    given = forms.TypedChoiceField(
        label=_("Given or withdrawn"),
        choices=[("yes", _("Given")), ("no", _("Withdrawn"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    on = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DateInput())
    method = forms.ChoiceField(label=_("How"), choices=STAFF_CONSENT_METHODS)

    def clean_on(self) -> Any:
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return on


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Move to stage"), choices=Stage.choices)
    reason = forms.CharField(
        label=_("Why"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the stage changes.")},
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        stages = list(Stage)
        index = stages.index(Stage(current))
        self.fields["to_stage"].initial = stages[min(index + 1, len(stages) - 1)]

    def clean_to_stage(self) -> str:
        stage = self.cleaned_data["to_stage"]
        if stage == self.current:
            raise ValidationError(_("The producer is already at this stage."))
        return stage


class MemberForm(forms.Form):
    member = forms.CharField(
        label=_("Member's name or mobile number"),
        max_length=200,
        required=False,
        help_text=_("In Hindi or English; if several producers match, you choose one."),
    )
    # Set when the person chose one of several matches.
    member_uuid = forms.UUIDField(required=False, widget=forms.HiddenInput)
    role = forms.ChoiceField(
        label=_("Role in the group"),
        choices=Membership.GroupRole.choices,
        initial=Membership.GroupRole.MEMBER,
    )
    joined_on = forms.DateField(
        label=_("Joined on"), initial=timezone.localdate, widget=DateInput()
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("member", "").strip() and not data.get("member_uuid"):
            self.add_error("member", _("Type the member's name or mobile number."))
        return data
