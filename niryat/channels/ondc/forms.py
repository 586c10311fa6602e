"""Forms of the ONDC pages: an ODOP product's domain and category, a producer's pickup place."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from niryat.channels.models import OndcDomain
from niryat.channels.ondc.taxonomy import CATEGORIES

SEPARATOR = "|"


def domain_choices() -> list[Any]:
    """ "Not on ONDC", then each domain's categories as a group: "ONDC:RET12|Sarees"."""
    return [
        ("", gettext_lazy("Not offered on ONDC")),
        *(
            (label, [(f"{value}{SEPARATOR}{c}", c) for c in CATEGORIES[value]])
            for value, label in OndcDomain.choices
        ),
    ]


class OndcDomainForm(forms.Form):
    choice = forms.ChoiceField(label=gettext_lazy("ONDC domain and category"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["choice"]
        if isinstance(field, forms.ChoiceField):
            field.choices = domain_choices()

    def domain_and_category(self) -> tuple[str, str]:
        value = self.cleaned_data["choice"]
        if not value:
            return "", ""
        domain, category = value.split(SEPARATOR, 1)
        return domain, category


class OndcLocationForm(forms.Form):
    latitude = forms.DecimalField(
        label=gettext_lazy("Latitude"),
        help_text=gettext_lazy(
            "From the map on a phone, for example 26.760555 (it is kept to six decimals)."
        ),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    longitude = forms.DecimalField(
        label=gettext_lazy("Longitude"),
        help_text=gettext_lazy("For example 83.373168."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    street = forms.CharField(label=gettext_lazy("Street or lane"), max_length=200)
    locality = forms.CharField(label=gettext_lazy("Locality or village"), max_length=200)
