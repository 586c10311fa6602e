"""The enquiry form (public), the staff's follow-up form and the showcase profile form."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from niryat.exportdesk.countries import country_choices
from niryat.registry.models import Consent
from niryat.showcase.actions import MAX_QUANTITY, EnquiryInput
from niryat.showcase.models import Enquiry, Profile


class EnquiryForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    company = forms.CharField(label=_("Company"), max_length=160, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(label=_("Phone (with country code)"), max_length=30, required=False)
    country = forms.ChoiceField(label=_("Destination country"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)
    message = forms.CharField(
        label=_("Message"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # The honeypot: hidden from people (niryat.css), filled by robots that fill every field.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            ("", _("Choose a country")),
            *country_choices(),
        ]

    def enquiry_input(self) -> EnquiryInput:
        data = self.cleaned_data
        return EnquiryInput(
            name=data["name"],
            company=data["company"],
            email=data["email"],
            phone=data["phone"],
            country=data["country"],
            quantity=data["quantity"],
            message=data["message"],
        )


class FollowForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Where it stands"),
        choices=[c for c in Enquiry.Status.choices if c[0] != Enquiry.Status.NEW],
    )
    answer = forms.CharField(
        label=_("Answer or note"), required=False, max_length=4000, widget=forms.Textarea
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["shown", "agreed_on", "method", "story_hi", "story_en"]
        widgets = {"agreed_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["method"]).choices = [
            ("", "—"),
            *Consent.Method.choices,
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["method"] = data.get("method") or ""
        return data
