"""The producer form: every field validated once, for the page, the API and the bulk import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from niryat.core.models import District, OdopProduct
from niryat.core.text import clean_text_values
from niryat.registry import identifiers
from niryat.registry.models import Activity, Consent, Gender, Kind, Membership, Producer, Stage
from niryat.registry.transliterate import is_devanagari, to_latin

IDENTIFIER_CLEANERS: dict[str, Callable[[str], str]] = {
    "mobile": identifiers.clean_mobile,
    "pin": identifiers.clean_pin,
    "bank_ifsc": identifiers.clean_ifsc,
    "gstin": identifiers.clean_gstin,
    "pan": identifiers.clean_pan,
    "iec": identifiers.clean_iec,
    "udyam": identifiers.clean_udyam,
}


class ProducerForm(forms.ModelForm):
    """Bound to one district: its ODOP products and their activities are the choices."""

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
        self.warnings: list[str] = []
        odop = self.fields["odop_product"]
        odop.queryset = OdopProduct.objects.filter(district=district)  # type: ignore[attr-defined]
        offered = Activity.objects.all().for_products(
            list(OdopProduct.objects.filter(district=district))
        )
        activities = self.fields["activities"]
        activities.queryset = Activity.objects.filter(  # type: ignore[attr-defined]
            pk__in=[a.pk for a in offered]
        )
        activities.required = False
        self.fields["name_latin"].required = False
        self.fields["name_latin"].help_text = _(
            "Leave empty to have it suggested from the Devanagari name."
        )

    def clean_name_hi(self) -> str:
        name = self.cleaned_data["name_hi"].strip()
        if name and not is_devanagari(name):
            raise ValidationError(_("Write this name in Devanagari (Hindi) letters."))
        return name

    def clean_name_latin(self) -> str:
        name = self.cleaned_data.get("name_latin", "").strip()
        if name and is_devanagari(name):
            raise ValidationError(_("Write this name in Latin (English) letters."))
        return name

    def clean_aadhaar(self) -> str:
        value = self.cleaned_data.get("aadhaar", "")
        return identifiers.aadhaar_last4(value) if value else ""

    def clean_bank_account(self) -> str:
        value = self.cleaned_data.get("bank_account", "")
        return identifiers.mask_account(value) if value else ""

    def _clean_identifier(self, field: str) -> str:
        value = self.cleaned_data.get(field, "")
        return IDENTIFIER_CLEANERS[field](value) if value else ""

    def clean_mobile(self) -> str:
        return self._clean_identifier("mobile")

    def clean_pin(self) -> str:
        return self._clean_identifier("pin")

    def clean_bank_ifsc(self) -> str:
        return self._clean_identifier("bank_ifsc")

    def clean_gstin(self) -> str:
        gstin = self._clean_identifier("gstin")
        warning = identifiers.gstin_state_warning(gstin, self.district.state.gst_code)
        if warning:
            self.warnings.append(warning)
        return gstin

    def clean_pan(self) -> str:
        return self._clean_identifier("pan")

    def clean_iec(self) -> str:
        return self._clean_identifier("iec")

    def clean_udyam(self) -> str:
        return self._clean_identifier("udyam")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("name_hi") and not data.get("name_latin"):
            data["name_latin"] = to_latin(data["name_hi"])
        if data.get("kind") == Kind.ARTISAN and data.get("gender") == Gender.FEMALE:
            data["women_led"] = True
        return data

    def producer_values(self) -> dict[str, Any]:
        """The cleaned values as `do_register_producer` / `do_update_producer` take them."""
        # Cleaned here as well as in the actions: the import writes rows without them (see
        # bulk_import), and the duplicate check reads the names first.
        data = clean_text_values(Producer, self.cleaned_data)
        data.pop("activities", None)
        account = data.pop("bank_account", "")
        aadhaar = data.pop("aadhaar", "")
        if account:
            data["bank_account_masked"] = account
        if aadhaar:
            data["aadhaar_last4"] = aadhaar
        return data


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
