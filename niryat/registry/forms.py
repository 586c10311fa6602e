"""The producer form: every field validated once, for the page, the API and the bulk import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from niryat.core.models import District, OdopProduct
from niryat.registry import identifiers
from niryat.registry.models import Activity, Gender, Kind, Producer
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
        data = dict(self.cleaned_data)
        data.pop("activities", None)
        account = data.pop("bank_account", "")
        aadhaar = data.pop("aadhaar", "")
        if account:
            data["bank_account_masked"] = account
        if aadhaar:
            data["aadhaar_last4"] = aadhaar
        return data
