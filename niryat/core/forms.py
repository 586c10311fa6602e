from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from niryat.core.actions import TOKEN_DEFAULT_DAYS
from niryat.core.models import Centre, OdopProduct

HS_CODE = re.compile(r"^\d{4}(\d{2}){0,2}$")


class HsCodesField(forms.CharField):
    """HS codes typed as text, separated by spaces or commas: 4, 6 or 8 digits each."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return " ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        codes = [code for code in re.split(r"[\s,]+", text) if code]
        bad = [code for code in codes if not HS_CODE.match(code)]
        if bad:
            raise forms.ValidationError(
                _("Not an HS code (4, 6 or 8 digits): %(codes)s"), params={"codes": ", ".join(bad)}
            )
        return list(dict.fromkeys(codes))


class OdopProductForm(forms.ModelForm):
    hs_codes = HsCodesField(
        label=_("Usual HS codes"),
        required=False,
        help_text=_("4, 6 or 8 digits each, separated by spaces."),
    )

    class Meta:
        model = OdopProduct
        fields = ["name_hi", "name_en", "hs_codes", "verified"]


class CentreForm(forms.ModelForm):
    class Meta:
        model = Centre
        fields = ["name_hi", "name_en", "address", "phone", "email"]


class ApiTokenForm(forms.Form):
    VALIDITY_CHOICES = [
        (30, _("30 days")),
        (90, _("90 days")),
        (180, _("180 days")),
        (365, _("1 year")),
    ]

    name = forms.CharField(label=_("Token name"), max_length=100)
    valid_days = forms.TypedChoiceField(
        label=_("Valid for"),
        choices=VALIDITY_CHOICES,
        coerce=int,
        initial=TOKEN_DEFAULT_DAYS,
        required=False,
        empty_value=TOKEN_DEFAULT_DAYS,  # type: ignore[arg-type]  # coerced values are ints
    )
